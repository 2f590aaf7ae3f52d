#!/usr/bin/env bash
# Builds the real Pulumi engine for stepwise's engine tests: the `pulumi` CLI and the Node.js
# language host `pulumi-language-nodejs`, into .cache/pulumi/bin. No prebuilt Pulumi CLI can be
# downloaded on the machines stepwise runs on, so both are compiled from Go modules.
#
#   test/engine/build-engine.sh            build (skipped when the wanted version is built)
#   STEPWISE_PULUMI_SOURCE=<pulumi/pulumi git dir or checkout> test/engine/build-engine.sh
#
# The CLI comes from the Go module proxy: a wrapper module generated here requires
# github.com/pulumi/pulumi/pkg/v3 and sdk/v3 at $PULUMI_VERSION (pkg's own go.mod replaces
# sdk with a relative path, so `go install pkg/v3/cmd/pulumi@v` is refused).
# The language host module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) has no tags; the proxy
# serves it only at exact pseudo-versions. Set STEPWISE_LANGUAGE_HOST_VERSION to one it serves
# (the pseudo-version of the release commit); otherwise its four source files are taken from a
# pulumi/pulumi git repository (STEPWISE_PULUMI_SOURCE) and compiled inside the same wrapper
# module, i.e. against pkg/sdk $PULUMI_VERSION.
# The dynamic-provider plugin (pulumi-resource-pulumi-nodejs) is a script shipped in the
# @pulumi/pulumi npm package; it is linked beside the binaries so the engine finds it.
# Nothing built or downloaded is committed: it all lives under .cache (and the Go caches).
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.274.1}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${STEPWISE_CACHE:-$root/.cache}"
bin="$cache/pulumi/bin"
work="$cache/pulumi/build"
host_version="${STEPWISE_LANGUAGE_HOST_VERSION:-}"
source_repo="${STEPWISE_PULUMI_SOURCE:-}"
host_module="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
# The machine is shared: compile at the lowest priority.
go_build() { nice -n 19 go build -buildvcs=false -ldflags "$ldflags" "$@"; }
say() { echo "build-engine: $*" >&2; }

command -v go >/dev/null || { say "Go is needed (go1.25 or newer): install it and rerun"; exit 2; }

built_version() { [ -x "$bin/pulumi" ] && "$bin/pulumi" version 2>/dev/null || true; }
if [ "$(built_version)" = "$PULUMI_VERSION" ] && [ -x "$bin/pulumi-language-nodejs" ] \
  && [ -L "$bin/pulumi-resource-pulumi-nodejs" ] && [ "${1:-}" != "--force" ]; then
  say "pulumi $PULUMI_VERSION already built in $bin (pass --force to rebuild)"
  exit 0
fi

mkdir -p "$bin" "$work/wrapper"
cd "$work/wrapper"

# The wrapper module. pkg's go.mod also replaces atotto/clipboard with a fork; replaces in a
# dependency are ignored, so repeat it here.
cat >go.mod <<EOF
module stepwise.local/pulumi-engine-build

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
EOF
cat >tools.go <<'EOF'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
EOF

# Language host: from the proxy at a served pseudo-version, else compiled from a source clone.
rm -rf pulumi-language-nodejs host.go "$work/language-host"
if [ -n "$host_version" ]; then
  say "language host $host_module@$host_version from the Go module proxy"
  printf '\nrequire %s %s\n' "$host_module" "$host_version" >>go.mod
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$host_module" >host.go
  host_dir="$work/wrapper"
  host_target="$host_module"
  host_origin="$host_module@$host_version"
else
  if [ -z "$source_repo" ] || ! git -C "$source_repo" rev-parse --git-dir >/dev/null 2>&1; then
    say "the language host's source is needed: set STEPWISE_LANGUAGE_HOST_VERSION to the"
    say "pseudo-version of the $PULUMI_VERSION release commit of $host_module (if the Go module"
    say "proxy serves it), or STEPWISE_PULUMI_SOURCE to a git clone of github.com/pulumi/pulumi"
    say "(got STEPWISE_PULUMI_SOURCE='$source_repo')"
    exit 2
  fi
  # The host must be compiled against the sdk/pkg its source was written for (the sdk's gRPC
  # interfaces grow between releases). Use the $PULUMI_VERSION tag when the clone has it, else
  # the newest release ("Freeze vX.Y.Z" commit) in the clone. Its own go.mod and go.sum are
  # used, with the in-repo replaces of sdk and pkg swapped for that release on the proxy.
  if rev="$(git -C "$source_repo" rev-parse --verify -q "$PULUMI_VERSION^{commit}")"; then
    source_version="$PULUMI_VERSION"
  else
    freeze="$(git -C "$source_repo" log -1 --format='%H %s' -E --grep='^[Ff]reeze v?3\.[0-9]+\.[0-9]+')"
    rev="${freeze%% *}"
    source_version="v$(echo "$freeze" | grep -oE '3\.[0-9]+\.[0-9]+' | head -1)"
    [ -n "$rev" ] || { say "no $PULUMI_VERSION tag and no release commit in $source_repo"; exit 2; }
  fi
  say "language host from $source_repo at $rev (release $source_version)"
  host_dir="$work/language-host"
  mkdir -p "$host_dir"
  for file in go.mod go.sum main.go installcache.go proxy.go proxy_unix.go proxy_windows.go; do
    git -C "$source_repo" show "$rev:sdk/nodejs/cmd/pulumi-language-nodejs/$file" >"$host_dir/$file"
  done
  (cd "$host_dir" && go mod edit \
    -dropreplace=github.com/pulumi/pulumi/sdk/v3 -dropreplace=github.com/pulumi/pulumi/pkg/v3 \
    -require="github.com/pulumi/pulumi/sdk/v3@$source_version" \
    -require="github.com/pulumi/pulumi/pkg/v3@$source_version")
  host_target="."
  host_origin="pulumi/pulumi@$rev sdk/nodejs/cmd/pulumi-language-nodejs, sdk/pkg $source_version"
fi

started=$(date +%s)
say "resolving modules (GOMODCACHE=$(go env GOMODCACHE))"
nice -n 19 go mod tidy
say "compiling pulumi $PULUMI_VERSION (GOCACHE=$(go env GOCACHE)); minutes on a small machine"
go_build -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
say "compiling pulumi-language-nodejs"
(cd "$host_dir" && nice -n 19 go mod tidy && go_build -o "$bin/pulumi-language-nodejs" "$host_target")

# The dynamic-provider plugin is a script in the @pulumi/pulumi npm package.
plugin="$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [ ! -f "$plugin" ]; then
  say "$plugin is missing: run ./run npm ci first"
  exit 2
fi
ln -sfn "$plugin" "$bin/pulumi-resource-pulumi-nodejs"

echo "$host_origin" >"$bin/pulumi-language-nodejs.origin"
say "done in $(($(date +%s) - started)) s: $("$bin/pulumi" version) in $bin"
