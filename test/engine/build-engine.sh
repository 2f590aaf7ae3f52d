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
# The language host: since sdk v3.69.0 it is a module of its own
# (sdk/nodejs/cmd/pulumi-language-nodejs/v3) without tags, which the proxy serves at no version
# tried here. Up to v3.68.0 it was a package of sdk/v3, and the proxy serves that release: the
# host is built from there by default (policy packs then start through tools/engine's launcher,
# since that host predates RunPlugin). STEPWISE_LANGUAGE_HOST_VERSION builds the newer module at
# a pseudo-version instead, where one is served. Never from a copy of pulumi/pulumi's source.
# The dynamic-provider plugin (pulumi-resource-pulumi-nodejs) is a script shipped in the
# @pulumi/pulumi npm package; it is linked beside the binaries so the engine finds it.
# Nothing built or downloaded is committed: it all lives under .cache (and the Go caches).
set -euo pipefail

# shellcheck source=build-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"
bin="$cache/pulumi/bin"
work="$cache/pulumi/build"
host_version="${STEPWISE_LANGUAGE_HOST_VERSION:-}"
host_module="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
# The newest sdk/v3 release with the language host inside (v3.69.0 moved it to its own module).
legacy_host_sdk="v3.68.0"
legacy_host_package="github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
# go_build VERSION ARGS...: stamps the version the binary reports. The machine is shared:
# compile at the lowest priority.
go_build() {
  local version="$1"
  shift
  nice -n 19 go build -buildvcs=false \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" "$@"
}

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

# Language host: only from the Go module proxy, compiled in a wrapper of its own against the
# sdk/pkg release its source was written for (the sdk's gRPC interfaces grow between releases).
rm -rf host.go "$work/language-host"
host_dir="$work/language-host"
mkdir -p "$host_dir"
if [ -z "$host_version" ]; then
  say "language host from $legacy_host_package@$legacy_host_sdk (Go module proxy)"
  cat >"$host_dir/go.mod" <<EOF
module stepwise.local/pulumi-language-host-build

go 1.25

require github.com/pulumi/pulumi/sdk/v3 $legacy_host_sdk
EOF
  host_package="$legacy_host_package"
  host_sdk="$legacy_host_sdk"
  host_origin="$legacy_host_package@$legacy_host_sdk (no RunPlugin: policy packs start through tools/engine/policy-launcher.ts)"
else
  host_sdk="${STEPWISE_LANGUAGE_HOST_SDK:-$PULUMI_VERSION}"
  say "language host $host_module@$host_version (sdk/pkg $host_sdk) from the Go module proxy"
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
  host_package="$host_module"
  host_origin="$host_module@$host_version (sdk/pkg $host_sdk)"
fi
printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$host_package" >"$host_dir/tools.go"

started=$(date +%s)
say "resolving modules (GOMODCACHE=$(go env GOMODCACHE))"
nice -n 19 go mod tidy
say "compiling pulumi $PULUMI_VERSION (GOCACHE=$(go env GOCACHE)); minutes on a small machine"
go_build "$PULUMI_VERSION" -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
say "compiling pulumi-language-nodejs"
(cd "$host_dir" && nice -n 19 go mod tidy && go_build "$host_sdk" -o "$bin/pulumi-language-nodejs" "$host_package")
echo "$host_origin" >"$bin/pulumi-language-nodejs.origin"

# The dynamic-provider plugin is a script in the @pulumi/pulumi npm package.
plugin="$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [ ! -f "$plugin" ]; then
  say "$plugin is missing: run ./run npm ci first"
  exit 2
fi
ln -sfn "$plugin" "$bin/pulumi-resource-pulumi-nodejs"

say "done in $(($(date +%s) - started)) s: $("$bin/pulumi" version) in $bin"
[ -x "$bin/pulumi-language-nodejs" ] || { say "no Node.js language host: engine tests cannot run"; exit 3; }
