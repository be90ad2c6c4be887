#!/usr/bin/env bash
# Installs the Debian packages the local stack needs and the machine lacks: Redis, a Java runtime and Maven (the
# Kafka broker and its jars), zip (archive tests compare with an independent zip), Node and npm (to fetch Node 24).
# Runs before `npm start`, `npm test` and CI. As root or with password-less sudo it installs them itself;
# otherwise it prints the one command to run and stops, so the README's two commands stay the whole set-up.
set -euo pipefail
say() { printf 'isowhisk: %s\n' "$*" >&2; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v zip >/dev/null 2>&1 || missing+=(zip)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
((${#missing[@]})) || exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd=(sudo -n)
else
  say "the local stack needs Debian packages this machine lacks; install them, then run this again:"
  say "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "missing programs, and no apt-get to install them: ${missing[*]} (see the README's Requirements)"
  exit 1
fi
say "installing ${missing[*]} (once)"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
