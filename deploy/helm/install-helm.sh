#!/usr/bin/env bash
# Installs the pinned Helm v3 into .cache/bin/helm, built with Go from the Go module proxy (no release
# download is reachable on the project's machines). Skips the build when .cache/bin/helm already reports the
# pinned version. Prints the binary's path on stdout; progress goes to stderr.
#
# Used by `npm test`'s provision step (deploy/local/cli.ts provision) and by test/unit/deploy/helm.test.ts,
# so a fresh clone gets it without a manual step. The first build takes a few minutes (Go's module and build
# caches make later ones fast).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
helm_version="v3.21.4"
bin_dir="$root/.cache/bin"
helm="$bin_dir/helm"
say() { printf 'isowhisk: %s\n' "$*" >&2; }

installed_version() {
  [ -x "$helm" ] && "$helm" version --template '{{.Version}}' 2>/dev/null || true
}

if [ "$(installed_version)" = "$helm_version" ]; then
  printf '%s\n' "$helm"
  exit 0
fi

command -v go >/dev/null 2>&1 || { say "Go is required to build Helm $helm_version (install Go 1.24 or newer, e.g. apt-get install golang-go)"; exit 1; }
say "building Helm $helm_version with Go into .cache/bin (first time only, several minutes)"
mkdir -p "$bin_dir"
# Helm's Makefile stamps the version with -X; without it `helm version` reports the module's placeholder.
# CGO off: a static binary that needs no C toolchain. A temporary GOBIN keeps a half-built binary out of the way.
tmp="$(mktemp -d "$bin_dir/.helm-build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version" \
  "helm.sh/helm/v3/cmd/helm@$helm_version" >&2
mv -f "$tmp/helm" "$helm"
got="$(installed_version)"
[ "$got" = "$helm_version" ] || { say "built Helm reports version '$got', expected $helm_version"; exit 1; }
say "Helm $helm_version installed: .cache/bin/helm"
printf '%s\n' "$helm"
