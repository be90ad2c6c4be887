#!/bin/sh
# The image's entry point: one image, its role chosen by the first argument.
#   controller               the REST API and web actions (controller/main.ts)
#   invoker                  runs actions in isolates (invoker/main.ts); its id from ISOWHISK_INVOKER_ID
#   admin <admin args...>    the admin command (deploy/admin/admin.ts), e.g. `admin user create guest`
#   health                   the container's health check (deploy/docker/healthcheck.ts)
# Configuration comes only from the environment (shared/config.ts). The process replaces this shell (exec), so it
# gets SIGTERM itself and drains as it does outside containers. --no-node-snapshot: isolated-vm needs it on Node >= 20
# (deploy/local/with-node.sh passes the same flags).
set -eu

node_flags="--no-node-snapshot --disable-warning=TimeoutNegativeWarning"
role="${1:-}"
[ "$#" -eq 0 ] || shift

case "$role" in
  controller) exec node $node_flags /app/controller/main.ts "$@" ;;
  invoker) exec node $node_flags /app/invoker/main.ts "$@" ;;
  admin) exec node $node_flags /app/deploy/admin/admin.ts "$@" ;;
  health) exec node /app/deploy/docker/healthcheck.ts "$@" ;;
  *)
    echo "usage: <image> controller | invoker | admin <admin args...> | health" >&2
    [ -z "$role" ] || echo "unknown role: $role" >&2
    exit 64 # EX_USAGE
    ;;
esac
