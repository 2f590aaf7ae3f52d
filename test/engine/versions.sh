# Versions of everything the engine tests compile from the Go module proxy, in one place.
# Sourced by the build scripts beside this file; each value can be overridden from the
# environment. Change a version here and the next build rebuilds that binary.

# The Pulumi CLI (pkg/v3 and sdk/v3 at the same release).
PULUMI_VERSION="${PULUMI_VERSION:-v3.274.1}"

# The Kubernetes control plane: kube-apiserver and kube-controller-manager from k8s.io/kubernetes,
# its staging modules at the matching v0 version, and etcd.
KUBERNETES_VERSION="${KUBERNETES_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"

# The Pulumi kubernetes provider. provider/v4 has no tags of its own: the proxy serves release
# 4.25.0 at this pseudo-version. The npm SDK @pulumi/kubernetes is pinned to the same release
# (package.json), because the engine asks for the plugin at the SDK's version.
KUBERNETES_PROVIDER_VERSION="${KUBERNETES_PROVIDER_VERSION:-4.25.0}"
KUBERNETES_PROVIDER_MODULE="${KUBERNETES_PROVIDER_MODULE:-v4.0.0-20260115033456-f47bc2d6f199}"

# Traefik: the CRDs (IngressRoute, TraefikService, ...) the K3s components target are applied to
# the test API server from this release's module, as the Go module proxy serves it.
TRAEFIK_VERSION="${TRAEFIK_VERSION:-v3.6.12}"
