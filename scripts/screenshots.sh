#!/bin/sh
# Takes the screenshots in docs/ of the real app under Xvfb: the five steps of "Send to a specialist",
# the history of a case, opening a bundle just made, the settings, the list of cases, a preview, the
# walkthrough and the About box, and the main screens again in Simplified Chinese (docs/*-zh-Hans.png). It builds the app, writes a made-up demo
# case (scripts/democase), and starts the app once per scene with the hidden environment variable
# DOSSIER_SCREENSHOT=<scene>, which puts the window into that scene once the case is read (see
# ui/screenshot.go, built only with -tags screenshots). Data goes to a temporary DOSSIER_HOME and the app's preferences to a temporary
# XDG_CONFIG_HOME; nothing of yours is touched.
#
# Needs: xvfb-run, ImageMagick's import (apt-get install xvfb imagemagick).
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -tags migrated_fynedo,screenshots -o "$work/dossier" . # the scenes exist only with this tag
go run ./scripts/democase "$work/Jane's records"
mkdir -p docs
export DOSSIER_FILE_DIALOG=fyne DOSSIER_HOME="$work/home" XDG_CONFIG_HOME="$work/config" LANG=en_US.UTF-8 FYNE_THEME="${FYNE_THEME:-light}"

shoot() { # scene seconds [language tag, e.g. zh-Hans]
	out="docs/$1.png" language=""
	if [ $# -ge 3 ]; then
		out="docs/$1-$3.png"
		case $3 in zh-Hans) language=zh_CN ;; *) language=$3 ;; esac
	fi
	LANGUAGE=$language DOSSIER_SCREENSHOT=$1 xvfb-run -a -s "-screen 0 1280x800x24" sh -c '
		"$0" "$1" & pid=$!
		sleep "$2"
		import -window root -crop 1000x700+0+0 +repage "$3"
		kill $pid; wait $pid 2>/dev/null || true' "$work/dossier" "$work/Jane's records" "$2" "$out"
	echo "$out"
}

# INDEX.HTM of a test bundle, as headless Chromium shows it 1024 pixels wide (the test checks its links
# and that it needs no sideways scrolling).
DOSSIER_INDEX_SHOT="$PWD/docs/index-htm.png" go test -count=1 -run '^TestIndexInABrowser$' ./packager/bundle
echo docs/index-htm.png

shoot export-1 6
shoot export-2 9
shoot export-3 7
shoot export-4 7
shoot export-5 12
shoot history 12
shoot open-result 25
shoot settings 6
shoot cases 7
shoot preview 8
shoot checklist 8
shoot walkthrough 6
shoot about 6

# The same app in Simplified Chinese (the language follows LANGUAGE, as a choice in Settings does).
shoot case 8 zh-Hans
shoot cases 7 zh-Hans
shoot preview 8 zh-Hans
shoot walkthrough 10 zh-Hans
shoot settings 6 zh-Hans
shoot export-1 6 zh-Hans
shoot export-2 9 zh-Hans
shoot checklist 8 zh-Hans

# A small screen: 1024×768 with the largest text size (Settings › Text size › Larger), the whole
# screen, to show that every control stays on it (docs/small-*.png).
small_config="$work/config-small"
mkdir -p "$small_config/fyne/app.dossier.desktop"
echo '{"textSize":1.4,"guidanceSeen":true}' >"$small_config/fyne/app.dossier.desktop/preferences.json"
shoot_small() { # scene seconds
	out="docs/small-$1.png"
	XDG_CONFIG_HOME="$small_config" DOSSIER_HOME="$work/home-small" DOSSIER_SCREENSHOT=$1 xvfb-run -a -s "-screen 0 1024x768x24" sh -c '
		"$0" "$1" & pid=$!
		sleep "$2"
		import -window root "$3"
		kill $pid; wait $pid 2>/dev/null || true' "$work/dossier" "$work/Jane's records" "$2" "$out"
	echo "$out"
}
shoot_small case 8
shoot_small checklist 8
shoot_small export-1 6
shoot_small export-2 9
shoot_small export-3 7
