#!/bin/sh
# Takes the screenshots in docs/ of the real app under Xvfb: the five steps of "Send to a specialist",
# the history of a case, opening a bundle just made, and the settings. It builds the app, writes a made-up demo
# case (scripts/democase), and starts the app once per scene with the hidden environment variable
# DOSSIER_SCREENSHOT=<scene>, which puts the window into that scene once the case is read (see
# ui/screenshot.go). Data goes to a temporary DOSSIER_HOME; nothing of yours is touched.
#
# Needs: xvfb-run, ImageMagick's import (apt-get install xvfb imagemagick).
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/dossier" .
go run ./scripts/democase "$work/Jane's records"
mkdir -p docs
export DOSSIER_HOME="$work/home" LANG=en_US.UTF-8 FYNE_THEME="${FYNE_THEME:-light}"

shoot() { # scene seconds
	DOSSIER_SCREENSHOT=$1 xvfb-run -a -s "-screen 0 1280x800x24" sh -c '
		"$0" "$1" & pid=$!
		sleep "$2"
		import -window root -crop 1000x700+0+0 +repage "$3"
		kill $pid' "$work/dossier" "$work/Jane's records" "$2" "docs/$1.png"
	echo "docs/$1.png"
}

shoot export-1 6
shoot export-2 9
shoot export-3 7
shoot export-4 7
shoot export-5 12
shoot history 12
shoot open-result 14
shoot settings 6
