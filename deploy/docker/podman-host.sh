#!/usr/bin/env bash
# Prepares this machine to build and run Isowhisk's image with podman: installs podman, runc and mmdebstrap from
# Debian's packages when missing (as root or with password-less sudo; otherwise prints the one apt-get command and
# stops, as deploy/local/system-packages.sh does), and turns off podman's default ulimits.
#
# Why runc and no ulimits: in sandboxed hosts (nested containers, hybrid cgroups) crun fails on setrlimit, and
# podman's default `nofile`/`nproc` limits cannot be set there either; runc with `default_ulimits = []` runs.
# Callers pass `--runtime runc` to every podman command (see build-image.sh).
set -euo pipefail
say() { printf 'isowhisk: %s\n' "$*" >&2; }

missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd=(sudo -n)
else
  sudo_cmd=(missing-root)
fi

if ((${#missing[@]})); then
  if [ "${sudo_cmd[0]:-}" = missing-root ] || ! command -v apt-get >/dev/null 2>&1; then
    say "building the image needs Debian packages this machine lacks; install them, then run this again:"
    say "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]} (once)"
  "${sudo_cmd[@]}" apt-get update -qq
  # Another apt run on the machine holds the dpkg lock for a while: wait for it rather than fail.
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    --no-install-recommends "${missing[@]}" >&2
fi

conf=/etc/containers/containers.conf
if ! grep -qs '^[[:space:]]*default_ulimits' "$conf"; then
  if [ "${sudo_cmd[0]:-}" = missing-root ]; then
    say "podman needs '[containers] default_ulimits = []' in $conf; add it as root, then run this again"
    exit 1
  fi
  say "setting '[containers] default_ulimits = []' in $conf"
  if grep -qs '^\[containers\]' "$conf"; then
    "${sudo_cmd[@]}" sed -i '/^\[containers\]/a default_ulimits = []' "$conf"
  else
    printf '[containers]\ndefault_ulimits = []\n' | "${sudo_cmd[@]}" tee -a "$conf" >/dev/null
  fi
fi
