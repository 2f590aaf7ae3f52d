#!/usr/bin/env bash
# Builds Traefik for stepwise's routing tests into .cache/traefik/bin/traefik. No Traefik
# release binary can be downloaded where stepwise is tested, so it is compiled from the Go
# module proxy.
#
#   test/engine/build-traefik.sh            build (skipped when the wanted version is built)
#   test/engine/build-traefik.sh --force    rebuild
#
# A dependency's replace and exclude lines are ignored by the module that requires it, so the
# wrapper module generated here repeats the ones traefik's own go.mod carries (its forks of
# go-http-auth, mux and minheap, and an excluded tencentcloud release). Nothing built or fetched
# is committed: it all lives under .cache (and the Go caches).
set -euo pipefail

# shellcheck source=build-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"
bin="$cache/traefik/bin"
work="$cache/traefik/build"
stamp="$bin/VERSION"
if [ "${1:-}" != "--force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$TRAEFIK_VERSION" ] \
  && [ -x "$bin/traefik" ]; then
  say "traefik $TRAEFIK_VERSION already built in $bin (pass --force to rebuild)"
  exit 0
fi
rm -f "$stamp"
mkdir -p "$bin" "$work"
started=$(date +%s)

say "resolving github.com/traefik/traefik/v3 $TRAEFIK_VERSION"
traefik_dir="$(go mod download -json "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -f "$traefik_dir/go.mod" ] || { say "no go.mod in $traefik_dir"; exit 3; }

cd "$work"
{
  printf 'module stepwise.local/traefik-build\n\ngo 1.25\n\nrequire github.com/traefik/traefik/v3 %s\n\n' \
    "$TRAEFIK_VERSION"
  # Single-line replace/exclude directives, and the bodies of replace (...) / exclude (...) blocks.
  awk '
    /^(replace|exclude)[[:space:]]*\($/ { block = $1; next }
    block != "" && /^\)/ { block = ""; next }
    block != "" && NF > 0 { print block " " $0; next }
    /^(replace|exclude)[[:space:]]/ { print }
  ' "$traefik_dir/go.mod"
} >go.mod
printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/traefik/traefik/v3/cmd/traefik"\n' >tools.go
say "wrapper module: $(grep -cE '^(replace|exclude)' go.mod) replace/exclude lines copied"
nice -n 19 go mod tidy
say "compiling traefik (minutes on a small machine)"
CGO_ENABLED=0 nice -n 19 go build -buildvcs=false \
  -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
  -o "$bin/traefik" github.com/traefik/traefik/v3/cmd/traefik

echo "$TRAEFIK_VERSION" >"$stamp"
say "done in $(($(date +%s) - started)) s: $("$bin/traefik" version | head -1)"
