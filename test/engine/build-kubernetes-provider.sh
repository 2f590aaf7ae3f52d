#!/usr/bin/env bash
# Builds the Pulumi kubernetes provider plugin (pulumi-resource-kubernetes) for stepwise's
# engine tests, into .cache/pulumi/plugins. No plugin can be downloaded where stepwise is
# tested, so it is compiled from the Go module proxy.
#
#   test/engine/build-kubernetes-provider.sh           build (skipped when the version is built)
#   test/engine/build-kubernetes-provider.sh --force   rebuild
#
# github.com/pulumi/pulumi-kubernetes/provider/v4 has no tags of its own; versions.sh names the
# pseudo-version the proxy serves for the wanted release. Its module zip lacks the two files
# the provider's main package embeds (the schema with its version stamped, the terraform
# mapping), which the provider's own generate.go makes from schema.json: so a wrapper module
# takes main.go, generate.go and both JSON files from the module as the proxy serves it, runs
# generate.go, and builds. The wrapper also requires sdk/v4 at the release, standing in for the
# provider's `sdk/v4 => ../sdk` replace. About 9 minutes and 5 GB of memory on two cores.
set -euo pipefail

# shellcheck source=build-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"
plugin_dir="$cache/pulumi/plugins"
plugin="$plugin_dir/pulumi-resource-kubernetes"
work="$cache/pulumi/build/kubernetes-provider"

stamp="$plugin_dir/pulumi-resource-kubernetes.version"
if [ "${1:-}" != "--force" ] && [ -x "$plugin" ] && [ -f "$stamp" ] \
  && [ "$(cat "$stamp")" = "$KUBERNETES_PROVIDER_VERSION" ]; then
  say "kubernetes provider $KUBERNETES_PROVIDER_VERSION already built in $plugin_dir (pass --force to rebuild)"
  exit 0
fi
rm -f "$stamp"
mkdir -p "$plugin_dir" "$work"
cd "$work"
rm -f ./*.go ./*.json go.mod go.sum
started=$(date +%s)

module="github.com/pulumi/pulumi-kubernetes/provider/v4"
cat >go.mod <<GOMOD
module stepwise.local/kubernetes-provider-build

go 1.25

require (
	$module $KUBERNETES_PROVIDER_MODULE
	github.com/pulumi/pulumi-kubernetes/sdk/v4 v$KUBERNETES_PROVIDER_VERSION
)
GOMOD
say "resolving $module@$KUBERNETES_PROVIDER_MODULE (release $KUBERNETES_PROVIDER_VERSION)"
source_dir="$(go mod download -json "$module@$KUBERNETES_PROVIDER_MODULE" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$source_dir/cmd/pulumi-resource-kubernetes" ] || {
  say "the proxy's $module@$KUBERNETES_PROVIDER_MODULE has no cmd/pulumi-resource-kubernetes"
  exit 3
}
for file in main.go generate.go schema.json terraform-mapping.json; do
  install -m 0644 "$source_dir/cmd/pulumi-resource-kubernetes/$file" "$file"
done
nice -n 19 go mod tidy
say "stamping the schema with version $KUBERNETES_PROVIDER_VERSION"
VERSION="$KUBERNETES_PROVIDER_VERSION" nice -n 19 go run generate.go
say "compiling pulumi-resource-kubernetes (about 9 minutes on two cores)"
nice -n 19 go build -buildvcs=false \
  -ldflags "-s -w -X $module/pkg/version.Version=$KUBERNETES_PROVIDER_VERSION" \
  -o "$plugin" .

echo "$KUBERNETES_PROVIDER_VERSION" >"$stamp"
say "done in $(($(date +%s) - started)) s: $plugin"
