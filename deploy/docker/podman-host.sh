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

# How to run a command as root: directly, through password-less sudo, or not at all.
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  as_root=(none)
fi

if ((${#missing[@]})); then
  if [ "${as_root[*]}" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    say "building the image needs Debian packages this machine lacks; install them, then run this again:"
    say "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]} (once)"
  "${as_root[@]}" apt-get update -qq
  # Another apt run on the machine may hold the dpkg lock for a while: wait for it rather than fail.
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    --no-install-recommends "${missing[@]}" >&2
fi

conf=/etc/containers/containers.conf
if ! grep -qs '^[[:space:]]*default_ulimits' "$conf"; then
  if [ "${as_root[*]}" = none ]; then
    say "podman needs '[containers] default_ulimits = []' in $conf; add it as root, then run this again"
    exit 1
  fi
  say "setting '[containers] default_ulimits = []' in $conf"
  if grep -qs '^\[containers\]' "$conf"; then
    "${as_root[@]}" sed -i '/^\[containers\]/a default_ulimits = []' "$conf"
  else
    printf '[containers]\ndefault_ulimits = []\n' | "${as_root[@]}" tee -a "$conf" >/dev/null
  fi
fi
