#!/usr/bin/env bash
# Installs the pinned Helm v3 into .cache/bin/helm, built with Go from the Go module proxy (no release
# download is reachable on the project's machines). Skips the build when .cache/bin/helm was built by this script
# with the same settings. Prints the binary's path on stdout; progress goes to stderr.
#
# Used by `npm test`'s provision step (deploy/local/cli.ts provision) and by test/unit/deploy/helm.test.ts,
# so a fresh clone gets it without a manual step. The first build takes a few minutes (Go's module and build
# caches make later ones fast).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
helm_version="v3.21.4"
# The Kubernetes version Helm assumes without a cluster (`helm template`, `helm lint`): its Makefile stamps the
# minor version of the k8s.io modules it is built with (client-go v0.36.2 for v3.21.4). Unstamped it would be 1.20,
# older than the chart's kubeVersion.
k8s_major="1"
k8s_minor="36"
bin_dir="$root/.cache/bin"
helm="$bin_dir/helm"
stamp="$bin_dir/helm.build"
wanted="helm $helm_version kubernetes $k8s_major.$k8s_minor"
say() { printf 'isowhisk: %s\n' "$*" >&2; }

installed_version() {
  [ -x "$helm" ] && "$helm" version --template '{{.Version}}' 2>/dev/null || true
}

if [ "$(installed_version)" = "$helm_version" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  printf '%s\n' "$helm"
  exit 0
fi

command -v go >/dev/null 2>&1 || { say "Go is required to build Helm $helm_version (install Go 1.24 or newer, e.g. apt-get install golang-go)"; exit 1; }
say "building Helm $helm_version with Go into .cache/bin (first time only, several minutes)"
mkdir -p "$bin_dir"
# The -X flags are those of Helm's Makefile: the version `helm version` reports and the default Kubernetes version.
# CGO off: a static binary that needs no C toolchain. A temporary GOBIN keeps a half-built binary out of the way.
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags="$ldflags -X $pkg.k8sVersionMajor=$k8s_major -X $pkg.k8sVersionMinor=$k8s_minor"
done
tmp="$(mktemp -d "$bin_dir/.helm-build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$helm_version" >&2
mv -f "$tmp/helm" "$helm"
got="$(installed_version)"
[ "$got" = "$helm_version" ] || { say "built Helm reports version '$got', expected $helm_version"; exit 1; }
printf '%s\n' "$wanted" > "$stamp"
say "Helm $helm_version installed: .cache/bin/helm"
printf '%s\n' "$helm"
