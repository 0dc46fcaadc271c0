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
if [ "${1:-run}" = test ]; then
  # The S3-compatible server the upload tests store in (it checks request signatures),
  # built once from crates.io; 0.14.1 is the newest that builds with Rust 1.92+.
  S3S_FS_VERSION=0.14.1
  tools="$HOME/.cache/redis-chat/tools"
  if ! "$tools/bin/s3s-fs" --version 2>/dev/null | grep -qx "s3s-fs $S3S_FS_VERSION"; then
    echo "installing s3s-fs $S3S_FS_VERSION (cargo install)" >&2
    cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked --quiet \
      --root "$tools" --target-dir "$HOME/.cache/redis-chat/s3s-target"
  fi
fi
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
