#!/usr/bin/env bash
# Makes the base image `isowhisk-base:local` for machines that reach no image registry (CI, sandboxes): a minimal
# Debian bookworm root filesystem made by mmdebstrap from the host's own Debian sources, plus the project's Node 24
# (the one deploy/local/with-node.sh provisions into .cache/node) and the host's npm, laid out as the official Node
# images lay them out (/usr/local/bin/node, /usr/local/lib/node_modules/npm), then `podman import`ed.
# Made once: skipped while an image with this tag and the same Node version exists.
#
# Usage: bash deploy/docker/local-base.sh [tag]      (run deploy/docker/podman-host.sh first)
set -euo pipefail
say() { printf 'isowhisk: %s\n' "$*" >&2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tag="${1:-isowhisk-base:local}"
podman=(podman --runtime runc)

# The project's Node 24: with-node.sh fetches it when the Node on PATH is older, and prints the binary it runs.
node_bin="$(bash "$root/deploy/local/with-node.sh" node -p process.execPath)"
node_version="$("$node_bin" -p process.versions.node)"
[ "${node_version%%.*}" -ge 24 ] || { say "need Node 24 for the base image, found $node_version at $node_bin"; exit 1; }

existing="$("${podman[@]}" image inspect --format '{{ index .Labels "isowhisk.node-version" }}' "$tag" 2>/dev/null || true)"
if [ "$existing" = "$node_version" ]; then
  say "base image $tag (Node $node_version) exists"
  exit 0
fi

npm_dir="$(npm root -g)/npm"
[ -f "$npm_dir/bin/npm-cli.js" ] || { say "no npm at $npm_dir (install npm, e.g. apt-get install npm)"; exit 1; }

# The host's Debian sources, so the root filesystem comes from the mirror the host's apt already uses.
sources=/etc/apt/sources.list.d/debian.sources
[ -s "$sources" ] || sources=/etc/apt/sources.list
[ -s "$sources" ] || { say "no Debian sources found (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list)"; exit 1; }

work="$(mktemp -d /var/tmp/isowhisk-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
say "making $tag: Debian bookworm (mmdebstrap) + Node $node_version (takes a few minutes, once)"
# Customize hooks run on the host with the new root filesystem as $1.
mmdebstrap --variant=minbase --mode=root --format=tar --quiet \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --customize-hook="install -D -m 0755 $(printf %q "$node_bin") \"\$1/usr/local/bin/node\"" \
  --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" && cp -a $(printf %q "$npm_dir") \"\$1/usr/local/lib/node_modules/npm\"" \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"' \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
  bookworm "$work/rootfs.tar" "$sources"

"${podman[@]}" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL isowhisk.node-version=$node_version" \
  --change 'CMD ["node"]' \
  --quiet "$work/rootfs.tar" "$tag" >/dev/null
say "made $tag ($("${podman[@]}" image inspect --format '{{.Size}}' "$tag") bytes)"
