#!/usr/bin/env bash
# Installs everything the pipeline needs on a fresh Debian machine (run as root, or with sudo available):
# the system tools (ffmpeg, espeak-ng, Chromium for the page tests) and a virtual environment in .venv
# with the package, its embedded speech model and the test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(ffmpeg espeak-ng python3-venv chromium chromium-driver fonts-dejavu-core
  libreoffice-writer-nogui)  # editor tests: the .docx must convert to PDF (50 packages, ~82 MB download, ~251 MB)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
echo "Installed: .venv/bin/pipeline ($(.venv/bin/python -c 'import pipeline; print(pipeline.__version__)'))"
