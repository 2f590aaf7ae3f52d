#!/usr/bin/env bash
# Builds a real Kubernetes control plane for stepwise's engine tests: kube-apiserver,
# kube-controller-manager and etcd, into .cache/kubernetes/bin. No Kubernetes distribution can
# be downloaded where stepwise is tested, so all three are compiled from the Go module proxy.
#
#   test/engine/build-kubernetes.sh            build (skipped when the wanted versions are built)
#   test/engine/build-kubernetes.sh --force    rebuild
#
# k8s.io/kubernetes replaces each of its staging modules (k8s.io/api, client-go, ...) with a
# ./staging path, and replaces in a dependency are ignored, so the wrapper module generated here
# points every staging module at its own release (v0.<minor>.<patch>). etcd's server module
# replaces its sibling modules with ../ paths: the wrapper requires all five at one release.
# No scheduler or kubelet: the test cluster has no nodes (Pods stay Pending). Traefik's CRD
# definitions are taken from the Traefik module the proxy serves, into .cache/kubernetes/crds.
# Versions live in versions.sh. Nothing built or fetched is committed: it all lives under .cache
# (and the Go caches).
set -euo pipefail

# shellcheck source=build-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"
bin="$cache/kubernetes/bin"
work="$cache/kubernetes/build"

wanted="kubernetes $KUBERNETES_VERSION etcd $ETCD_VERSION traefik-crds $TRAEFIK_VERSION"
crds="$cache/kubernetes/crds/traefik-$TRAEFIK_VERSION.yml"
stamp="$bin/VERSIONS"
if [ "${1:-}" != "--force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] \
  && [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-controller-manager" ] && [ -x "$bin/etcd" ] \
  && [ -f "$crds" ]; then
  say "$wanted already built in $bin (pass --force to rebuild)"
  exit 0
fi
rm -f "$stamp"
mkdir -p "$bin" "$work/kubernetes" "$work/etcd"
started=$(date +%s)

# --- kube-apiserver and kube-controller-manager ------------------------------------------
staging_version="v0.${KUBERNETES_VERSION#v1.}"
staging=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
  cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api
  cri-client csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms
  kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics
  mount-utils pod-security-admission sample-apiserver sample-cli-plugin sample-controller)
cd "$work/kubernetes"
{
  printf 'module stepwise.local/kubernetes-build\n\ngo 1.25\n\nrequire k8s.io/kubernetes %s\n\n' \
    "$KUBERNETES_VERSION"
  for name in "${staging[@]}"; do
    printf 'replace k8s.io/%s => k8s.io/%s %s\n' "$name" "$name" "$staging_version"
  done
} >go.mod
cat >tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
GO
minor="${KUBERNETES_VERSION#v1.}"
minor="${minor%%.*}"
stamp_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  stamp_flags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  stamp_flags+=" -X $pkg.gitTreeState=clean"
done
say "resolving k8s.io/kubernetes $KUBERNETES_VERSION (GOMODCACHE=$(go env GOMODCACHE))"
nice -n 19 go mod tidy
for cmd in kube-apiserver kube-controller-manager; do
  say "compiling $cmd (minutes on a small machine)"
  CGO_ENABLED=0 nice -n 19 go build -buildvcs=false -tags providerless \
    -ldflags "-s -w$stamp_flags" -o "$bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
done

# --- etcd --------------------------------------------------------------------------------
cd "$work/etcd"
cat >go.mod <<GOMOD
module stepwise.local/etcd-build

go 1.25

require (
	go.etcd.io/etcd/api/v3 $ETCD_VERSION
	go.etcd.io/etcd/client/pkg/v3 $ETCD_VERSION
	go.etcd.io/etcd/client/v3 $ETCD_VERSION
	go.etcd.io/etcd/pkg/v3 $ETCD_VERSION
	go.etcd.io/etcd/server/v3 $ETCD_VERSION
)
GOMOD
printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >tools.go
say "compiling etcd $ETCD_VERSION"
nice -n 19 go mod tidy
CGO_ENABLED=0 nice -n 19 go build -buildvcs=false -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3

# --- Traefik's CRDs ---------------------------------------------------------------------
say "Traefik $TRAEFIK_VERSION CRD definitions"
traefik_dir="$(go mod download -json "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
definitions="$traefik_dir/docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml"
[ -f "$definitions" ] || { say "no CRD definitions in traefik $TRAEFIK_VERSION ($definitions)"; exit 3; }
mkdir -p "$(dirname "$crds")"
install -m 0644 "$definitions" "$crds"

echo "$wanted" >"$stamp"
say "done in $(($(date +%s) - started)) s: $("$bin/kube-apiserver" --version), etcd $("$bin/etcd" --version | head -1)"
