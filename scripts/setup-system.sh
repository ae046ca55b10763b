#!/usr/bin/env bash
# Installs the system packages the archive needs, when they are missing:
# Chromium (browser tests), a CJK font (and DejaVu for the signs it lacks, e.g. ℃)
# and HarfBuzz's subsetter (Chinese PDFs from WeasyPrint, fast font subsetting),
# Pango (WeasyPrint's text layout),
# gettext (compiling the translations) and wrk (the load test of `make bench`).
set -euo pipefail

packages=(chromium fonts-wqy-microhei fonts-dejavu-core libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext wrk)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them as root: apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
