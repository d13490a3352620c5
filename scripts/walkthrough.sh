#!/bin/sh
# Drives the real app under Xvfb with the keyboard only, as a patient would: a new case, a folder of
# records added through the folder dialog, the type of cancer, the question for the reviewer, and the
# request letter. Each step is checked from outside the app (the window's title, which names the case
# after its patient and diagnosis; the data folder; the letter written) and the script fails, naming
# the step, when one cannot be reached. Screenshots of each step go to $WALKTHROUGH_OUT if set.
#
# It never sleeps on a guess of how long the app takes. X delivers the keys in order and the app
# answers each one before the next (opening a dialog, moving the focus), so keys are sent one after
# another; where work goes on in the background (starting, reading the records, checking the case
# after a choice) the script waits for what shows it done (the window's title, a file) and then for
# the screen to settle: the app draws its busy states moving (the progress bars), so a screen that
# holds still for half a second, but for a blinking caret, is an app waiting for the next key. The
# X server runs without key auto-repeat, so a keystroke held up on a loaded machine cannot repeat.
#
# The records are in a folder "records" in the home folder, and the folder dialog is driven like any
# other: it opens in the home folder with the focus in its list; the arrows and Enter go into
# "records", Tab reaches its Add button and Enter presses it. The text size is the largest, on a
# 1024×768 screen. Data and preferences go to a temporary HOME; nothing of yours is touched. Needs:
# xvfb-run, xdotool, ImageMagick's import and compare (scripts/setup-debian.sh test). It uses the app's own file
# dialogs (DOSSIER_FILE_DIALOG=fyne): on a desktop the computer's own would open on the real screen,
# outside Xvfb.
set -eu
cd "$(dirname "$0")/.."
for tool in xvfb-run xdotool import compare; do
	command -v "$tool" >/dev/null || { echo "walkthrough: $tool is not installed (scripts/setup-debian.sh test)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -tags migrated_fynedo -o "$work/dossier" .
mkdir -p "$work/home/Documents" "$work/config/fyne/app.dossier.desktop"
go run ./scripts/democase "$work/home/records" >/dev/null
printf '{"textSize":1.4}\n' >"$work/config/fyne/app.dossier.desktop/preferences.json"

cat >"$work/drive.sh" <<'EOF'
#!/bin/sh
# Runs inside xvfb-run: starts the app and presses keys. $1 is the work folder.
set -u
work=$1
out=${WALKTHROUGH_OUT:-}
"$work/dossier" >"$work/app.log" 2>&1 &
app=$!
step=0
fail() {
	import -window root "$work/failed.png" 2>/dev/null
	[ -n "$out" ] && cp "$work/failed.png" "$out/walkthrough-failed.png"
	echo "walkthrough: FAILED at: $1" >&2
	echo "  window title: $(xdotool getwindowname "$win" 2>/dev/null)" >&2
	sed 's/^/  app: /' "$work/app.log" >&2
	kill $app 2>/dev/null
	exit 1
}
shot() {
	step=$((step + 1))
	if [ -n "$out" ]; then
		settle 10 || true
		import -window root "$out/walkthrough-$step-$1.png"
	fi
	echo "walkthrough: $1: ok"
}
key() { xdotool key --window "$win" --clearmodifiers "$@"; sleep 0.1; }
# settle SECONDS: waits until the screen holds still for half a second (but for a blinking caret:
# up to 300 pixels may change), at most SECONDS.
settle() {
	import -window root "$work/a.ppm" 2>/dev/null
	n=$(($1 * 2))
	while [ $n -gt 0 ]; do
		sleep 0.5
		import -window root "$work/b.ppm" 2>/dev/null
		d=$(compare -metric AE -fuzz 10% "$work/a.ppm" "$work/b.ppm" null: 2>&1 | awk '{ printf "%d", $1 + 0 }')
		[ "${d:-999999}" -le 300 ] && return 0
		mv "$work/b.ppm" "$work/a.ppm"
		n=$((n - 1))
	done
	return 1
}
# until SECONDS COMMAND...: retries COMMAND every half second.
until_ok() {
	n=$(($1 * 2))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.5
		n=$((n - 1))
	done
	return 1
}
title_has() { xdotool getwindowname "$win" 2>/dev/null | grep -q -- "$1"; }
find_window() { win=$(xdotool search --sync --onlyvisible --name 'Dossier' 2>/dev/null | head -n1) && [ -n "$win" ]; }

win=""
until_ok 60 find_window || fail "the app's window never appeared"
xdotool windowactivate --sync "$win" 2>/dev/null || xdotool windowfocus --sync "$win"
settle 60 || fail "start: the window never held still"
# The first start shows how Dossier works: Escape closes it.
key Escape
shot start

# A new case (Ctrl+N), then Add folder (Ctrl+Shift+O): the dialog opens in the home folder, its
# list has the focus: the folder above, Documents, records. Down twice and Enter go into records;
# Tab goes to Cancel, Tab again to Add, and Enter adds the folder.
key ctrl+n
key ctrl+shift+o
shot folder-dialog
key Down
key Down
key Return
shot folder-records
key Tab
key Tab
key Return
# The case is named after the patient in the records (Documents, the other folder, is empty).
until_ok 60 title_has 'Jane Doe – Dossier' || fail "add a folder: the records were not read into a case (the folder dialog was not driven to records and Add)"
settle 60 || fail "add a folder: the app was still busy (its screen kept changing) a minute after the records were read"
shot folder-added

# The type of cancer: Ctrl+1 puts the focus on the tabs (all five fit: they have no overflow
# button), Tab goes to the cancer type; Space opens the choices, Down and Enter take the next one.
# The case is named after the diagnosis, so the title changes.
before=$(xdotool getwindowname "$win")
key ctrl+1
key Tab
key space
key Down
key Return
changed() { t=$(xdotool getwindowname "$win"); [ "$t" != "$before" ] && echo "$t" | grep -q -- ' – .* – Dossier'; }
until_ok 20 changed || fail "cancer type: choosing it did not rename the case after its diagnosis (was: $before)"
settle 30 || fail "cancer type: the app was still busy (its screen kept changing) half a minute after the choice"
shot cancer-type

# The question: Ctrl+D opens the case details with the focus in the question field; typing is kept
# without pressing Save; Tab leaves the field.
key ctrl+d
xdotool type --window "$win" --delay 30 "Is surgery first the right choice for me?"
key Tab
kept() { grep -rqa "surgery first the right choice" "$work/home/.dossier-data" 2>/dev/null; }
until_ok 20 kept || fail "question: what was typed was not kept"
settle 30 || fail "question: the app was still busy (its screen kept changing) half a minute after it was kept"
shot question

# The request letter: Ctrl+L opens the save dialog in Documents with the file name filled in; Enter
# saves it.
key ctrl+l
shot letter-dialog
key Return
letter() { head -c 5 "$work/home/Documents/records-request.pdf" 2>/dev/null | grep -q '%PDF-'; }
until_ok 30 letter || fail "request letter: no letter in Documents"
shot letter

kill $app 2>/dev/null
wait $app 2>/dev/null
echo "walkthrough: every step reached with the keyboard alone"
EOF

HOME="$work/home" DOSSIER_HOME="$work/home/.dossier-data" XDG_CONFIG_HOME="$work/config" LANG=en_US.UTF-8 LANGUAGE= DOSSIER_FILE_DIALOG=fyne \
	timeout 170 xvfb-run -a -s "-screen 0 1024x768x24 -r" sh "$work/drive.sh" "$work"
