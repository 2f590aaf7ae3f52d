#!/usr/bin/env bash
# Builds the real Pulumi engine for stepwise's engine tests: the `pulumi` CLI and the Node.js
# language host `pulumi-language-nodejs`, into .cache/pulumi/bin. No prebuilt Pulumi CLI can be
# downloaded on the machines stepwise runs on, so both are compiled from Go modules.
#
#   test/engine/build-engine.sh            build (skipped when the wanted version is built)
#   STEPWISE_LANGUAGE_HOST_VERSION=<pseudo-version> STEPWISE_LANGUAGE_HOST_SDK=<release> test/engine/build-engine.sh
#
# The CLI comes from the Go module proxy: a wrapper module generated here requires
# github.com/pulumi/pulumi/pkg/v3 and sdk/v3 at $PULUMI_VERSION (pkg's own go.mod replaces
# sdk with a relative path, so `go install pkg/v3/cmd/pulumi@v` is refused).
# The language host module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) has no tags; the proxy
# serves it only at exact pseudo-versions, and none tried here was served. It is built only from
# the proxy (STEPWISE_LANGUAGE_HOST_VERSION), never from a copy of pulumi/pulumi's source.
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

# Language host: only from the Go module proxy, at an exact pseudo-version it serves. It is
# compiled in a wrapper of its own, against the sdk/pkg release its source was written for
# (the sdk's gRPC interfaces grow between releases, so v3.274.1 does not build older hosts).
rm -rf host.go "$work/language-host"
host_dir="$work/language-host"
if [ -z "$host_version" ]; then
  say "the Node.js language host cannot be built: its module ($host_module) has no tags and"
  say "the Go module proxy reachable here serves none of its pseudo-versions that were tried."
  say "Set STEPWISE_LANGUAGE_HOST_VERSION=<pseudo-version> (and STEPWISE_LANGUAGE_HOST_SDK=<the"
  say "pkg/sdk release it belongs to>) where one is served. Building only the CLI."
else
  host_sdk="${STEPWISE_LANGUAGE_HOST_SDK:-$PULUMI_VERSION}"
  say "language host $host_module@$host_version (sdk/pkg $host_sdk) from the Go module proxy"
  mkdir -p "$host_dir"
  cat >"$host_dir/go.mod" <<EOF
module stepwise.local/pulumi-language-host-build

go 1.25

require (
	$host_module $host_version
	github.com/pulumi/pulumi/pkg/v3 $host_sdk
	github.com/pulumi/pulumi/sdk/v3 $host_sdk
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
EOF
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$host_module" >"$host_dir/tools.go"
  host_origin="$host_module@$host_version (sdk/pkg $host_sdk)"
fi

started=$(date +%s)
say "resolving modules (GOMODCACHE=$(go env GOMODCACHE))"
nice -n 19 go mod tidy
say "compiling pulumi $PULUMI_VERSION (GOCACHE=$(go env GOCACHE)); minutes on a small machine"
go_build -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
if [ -n "$host_version" ]; then
  say "compiling pulumi-language-nodejs"
  (cd "$host_dir" && nice -n 19 go mod tidy && go_build -o "$bin/pulumi-language-nodejs" "$host_module")
  echo "$host_origin" >"$bin/pulumi-language-nodejs.origin"
fi

# The dynamic-provider plugin is a script in the @pulumi/pulumi npm package.
plugin="$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [ ! -f "$plugin" ]; then
  say "$plugin is missing: run ./run npm ci first"
  exit 2
fi
ln -sfn "$plugin" "$bin/pulumi-resource-pulumi-nodejs"

say "done in $(($(date +%s) - started)) s: $("$bin/pulumi" version) in $bin"
[ -x "$bin/pulumi-language-nodejs" ] || { say "no Node.js language host: engine tests cannot run"; exit 3; }
