#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks for running or testing redis-chat.
# Usage: scripts/ensure-deps.sh run|test
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ "${1:-run}" = test ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
  # Emoji in the end-to-end screenshots.
  [ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-color-emoji)
  # schemathesis (scripts/api-contract.sh) is installed into a virtualenv with pip.
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3 python3-venv)
fi
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "please install: ${need[*]} (apt-get install ${need[*]})" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts the packaged services; the project runs its own private instances.
for svc in redis-server prometheus; do
  if command -v systemctl >/dev/null 2>&1; then $sudo systemctl stop "$svc" >/dev/null 2>&1 || true; fi
  $sudo service "$svc" stop >/dev/null 2>&1 || true
done
