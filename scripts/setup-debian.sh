#!/usr/bin/env bash
# setup-debian.sh installs, on Debian or Ubuntu, what Dossier needs and is missing:
#   run   the C headers Fyne builds against
#   test  the above, plus the independent tools the tests check output with
#   bench the above, plus the baseline tools benchmarks compare against, and the X tools that
#         picture the desktop app's first frame (x11-utils, x11-apps)
#   windows the mingw-w64 C cross-compiler that builds the Windows binaries (`make windows`)
# Nothing happens on other systems (the README lists what to install there) or when all is present.
set -euo pipefail
mode=${1:-run}

pkgs=(gcc pkg-config libgl1-mesa-dev xorg-dev)
case "$mode" in
  run) ;;
  test) pkgs+=(dcmtk dicom3tools python3-pydicom openslide-tools python3-openslide xvfb xauth unzip qpdf poppler-utils age libxml2-utils bsdutils imagemagick libheif-examples libimage-exiftool-perl chromium xdotool tesseract-ocr dbus-daemon libgdcm-tools) ;;
  bench) pkgs+=(dcmtk dicom3tools python3-pydicom openslide-tools python3-openslide xvfb xauth unzip qpdf poppler-utils age libxml2-utils bsdutils imagemagick libheif-examples libimage-exiftool-perl libgdcm-tools openssl x11-utils x11-apps) ;;
  windows) pkgs=(gcc-mingw-w64-x86-64 file) ;;
  *) echo "usage: $0 run|test|bench|windows" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: not a Debian-like system; install the packages named in README.md yourself" >&2
  exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
