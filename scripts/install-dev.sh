#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine: Chromium (browser tests), the Noto CJK
# fonts (Chinese text in exported images), poppler (PDF checks), nginx (the replica recipe), then the pinned
# Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk poppler-utils nginx >/dev/null
python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt
