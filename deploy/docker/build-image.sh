#!/usr/bin/env bash
# Builds Isowhisk's image `isowhisk:<version of package.json>` with podman from deploy/docker/Dockerfile.
# With the default base (`isowhisk-base:local`) it first makes that base image on this machine (once; see
# local-base.sh), so no image registry is needed; BASE_IMAGE=<reference> builds on another base instead.
# npm inside the build reaches the registry the way the host's npm does: the host's registry and proxy settings
# (`npm config get`) and the CA it trusts go in as build secrets, never into a layer.
#
# Usage: bash deploy/docker/build-image.sh            prints the image's tag on stdout when done
set -euo pipefail
say() { printf 'isowhisk: %s\n' "$*" >&2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
base="${BASE_IMAGE:-isowhisk-base:local}"
version="$(bash deploy/local/with-node.sh node -p 'require("./package.json").version')"
[ -n "$version" ] || { say "no version in package.json"; exit 1; }
tag="isowhisk:$version"
podman=(podman --runtime runc)

bash deploy/docker/podman-host.sh
[ "$base" != isowhisk-base:local ] || bash deploy/docker/local-base.sh "$base"

secrets="$(mktemp -d /var/tmp/isowhisk-build.XXXXXX)"
trap 'rm -rf "$secrets"' EXIT
npmrc="$secrets/npmrc"
: > "$npmrc"
npm_setting() { local v; v="$(npm config get "$1" 2>/dev/null || true)"; [ -z "$v" ] || [ "$v" = null ] || [ "$v" = undefined ] || printf '%s' "$v"; }
for key in registry proxy https-proxy noproxy strict-ssl; do
  value="$(npm_setting "$key")"
  [ -z "$value" ] || printf '%s=%s\n' "$key" "$value" >> "$npmrc"
done
secret_args=(--secret "id=npmrc,src=$npmrc")
# The CA the host trusts for the registry: npm's cafile, else Node's NODE_EXTRA_CA_CERTS. Inside the build it is
# added to Node's own CAs (NODE_EXTRA_CA_CERTS), never in place of them.
cafile="$(npm_setting cafile)"
[ -n "$cafile" ] || cafile="${NODE_EXTRA_CA_CERTS:-}"
if [ -n "$cafile" ] && [ -f "$cafile" ]; then
  cp "$cafile" "$secrets/npm_ca"
  secret_args+=(--secret "id=npm_ca,src=$secrets/npm_ca")
fi

say "building $tag on $base"
start=$(date +%s)
# docker format: the OCI format has no HEALTHCHECK. Host network: the build's npm uses the host's network set-up.
"${podman[@]}" build --format docker --network host --layers \
  --build-arg "BASE_IMAGE=$base" --build-arg "ISOWHISK_VERSION=$version" \
  "${secret_args[@]}" \
  -t "$tag" -f deploy/docker/Dockerfile . >&2
say "built $tag in $(($(date +%s) - start)) s"
echo "$tag"
