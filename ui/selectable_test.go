package ui

import (
	"errors"
	"image"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	exportui "dossier/ui/export"
)

// tabTo presses Tab from no focus until o has it, and reports whether it got it.
func tabTo(c fyne.Canvas, o fyne.Focusable) bool {
	c.Unfocus()
	for range 200 {
		test.FocusNext(c)
		if c.Focused() == o {
			return true
		}
	}
	return false
}

// areaChange counts the pixels of o's area that differ clearly between two captures, and how many
// a ring around it would take.
func areaChange(c fyne.Canvas, before, after image.Image, o fyne.CanvasObject) (changed, ring int) {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	scale := float32(before.Bounds().Dx()) / c.Size().Width
	area := image.Rect(int(pos.X*scale), int(pos.Y*scale), int((pos.X+o.Size().Width)*scale), int((pos.Y+o.Size().Height)*scale))
	if area.Dx() <= 0 || area.Dy() <= 0 {
		return 0, 1
	}
	crop := func(img image.Image) image.Image {
		return img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(area)
	}
	return differing(crop(before), crop(after)), 2 * (area.Dx() + area.Dy()) * 9 / 10
}

// selectableShowsFocus checks a text a person may copy: Tab reaches it, it then shows a ring in
// the light and the dark theme, and Ctrl+C copies it.
func selectableShowsFocus(t *testing.T, v *mainView, where string, text *selectableText) {
	t.Helper()
	c := v.win.Canvas()
	if text == nil || !slicesContains(shown(v.win), fyne.CanvasObject(text)) {
		t.Errorf("%s: the text is not shown", where)
		return
	}
	defer func() {
		v.app.Preferences().SetString(prefTheme, "")
		applyAppearance(v.app)
		c.Unfocus()
	}()
	for _, th := range []string{"light", "dark"} {
		v.app.Preferences().SetString(prefTheme, th)
		applyAppearance(v.app)
		if !tabTo(c, text) { // the first time scrolls it into view
			t.Errorf("%s: Tab does not reach the text (%q)", where, text.Text)
			return
		}
		c.Unfocus()
		before := c.Capture()
		tabTo(c, text)
		if n, ring := areaChange(c, before, c.Capture(), text); n < ring {
			t.Errorf("%s theme, %s: Tab to the text changes %d pixels, less than a ring (%d)", th, where, n, ring)
		}
	}
	clip := v.app.Clipboard()
	clip.SetContent("")
	c.Focused().(fyne.Shortcutable).TypedShortcut(&fyne.ShortcutCopy{Clipboard: clip})
	if got, want := clip.Content(), unmarked(text.Text); got != want {
		t.Errorf("%s: Ctrl+C copies %q, want %q", where, got, want)
	}
}

// showTabWith selects the tab beside the inventory that shows o.
func showTabWith(v *mainView, o fyne.CanvasObject) {
	for i := range v.checks.tabs.Items {
		v.checks.tabs.SelectIndex(i)
		if slicesContains(shown(v.win), o) {
			return
		}
	}
}

// textsShown are the selectable texts shown in the window.
func textsShown(v *mainView) []*selectableText {
	var out []*selectableText
	for _, o := range shown(v.win) {
		if s, ok := o.(*selectableText); ok && s.Visible() {
			out = append(out, s)
		}
	}
	return out
}

// TestSelectableTextsShowFocus: every text the app lets a person select and copy is one Tab stop
// that shows the focus ring in the light and the dark theme, and Ctrl+C copies it: the status
// message's and the checklist's error details, a document's first lines, the code name on the
// case and in the Sent tab, the passphrase and the fingerprint when a bundle is made, and the open
// screen's error details and fingerprint. (Fyne's selectable label took the focus with no sign.)
func TestSelectableTextsShowFocus(t *testing.T) {
	v, loop, _ := newExportView(t)
	home := t.TempDir()
	t.Setenv("HOME", home) // where step 3 saves by default
	closeDialogs(v)

	v.status.showError("A file could not be read", errors.New("open /tmp/records/report.pdf: permission denied"))
	selectableShowsFocus(t, v, "the status details", v.status.details)
	v.status.hideMessage()

	p := v.checks.panel
	p.showError("The checklist could not be made", errors.New("rules: no such cancer"))
	showTabWith(v, p.errDetails)
	selectableShowsFocus(t, v, "the checklist's details", p.errDetails)
	p.errBox.Hide()

	showTabWith(v, v.preview.text)
	v.preview.done(previewResult{text: "PATHOLOGY REPORT\nInvasive ductal carcinoma, grade 2."}, nil)
	showTabWith(v, v.preview.text)
	selectableShowsFocus(t, v, "the preview's text", v.preview.text)

	w := walkToRecipient(t, v, loop)
	test.Tap(mustButton(t, v, "Make the bundle"))
	loop.until(t, "the export", func() bool { return !w.Busy() })
	res := w.Result()
	if w.Step() != exportui.StepDone || res == nil {
		t.Fatalf("export did not finish: %q", labels(v.win))
	}
	done := map[string]*selectableText{}
	for _, s := range textsShown(v) {
		done[s.Text] = s
	}
	selectableShowsFocus(t, v, "the passphrase", done[res.Passphrase])
	selectableShowsFocus(t, v, "the fingerprint", done[fingerprintGroups(res.Fingerprint)])
	test.Tap(mustButton(t, v, "Back to my case"))

	loop.until(t, "the code name", func() bool { return v.history.code.code != "" && v.caseCode.code != "" })
	selectableShowsFocus(t, v, "the code name on the case", v.caseCode.text)
	showTabWith(v, v.history.code.text)
	selectableShowsFocus(t, v, "the code name in the Sent tab", v.history.code.text)

	v.showOpen(filepath.Join(home, "dossier-2026-11-27.age"))
	o := v.opener
	o.setDest(filepath.Join(t.TempDir(), "received"))
	o.pass.SetText("not-the-right-words-at-all")
	test.Tap(o.start)
	loop.until(t, "the wrong passphrase", func() bool { return o.job == nil })
	selectableShowsFocus(t, v, "the open screen's error details", o.errBox.Details)
	o.pass.SetText(res.Passphrase)
	test.Tap(o.start)
	loop.until(t, "the opening", func() bool { return o.job == nil })
	var fp *selectableText
	for _, s := range textsShown(v) {
		if s.Text == fingerprintGroups(res.Fingerprint) {
			fp = s
		}
	}
	selectableShowsFocus(t, v, "the open screen's fingerprint", fp)
}
