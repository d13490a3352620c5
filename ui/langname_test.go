package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"dossier/ui/internal/kit"
)

// TestLanguageNamesShow: in the English UI, whose font has no Chinese characters, the language
// lists (Settings, and the cover summary's language in the send steps) draw "简体中文" in a font
// that has all its characters, in the light and the dark theme; on a computer without a Chinese
// font of its own it was drawn as boxes. English keeps the theme's font.
func TestLanguageNamesShow(t *testing.T) {
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, breastReports())}})
	loop.until(t, "the scan", func() bool { return idle(v)() && v.checks.report != nil })
	closeDialogs(v)
	if th := v.app.Settings().Theme(); kit.Covers(th.Font(fyne.TextStyle{}), "简体中文") {
		t.Fatal("the English UI's font has Chinese characters: the test shows nothing")
	}
	// drawnIn finds the radio option showing text inside o and returns the font its text is drawn in.
	drawnIn := func(o fyne.CanvasObject, text string) fyne.Resource {
		t.Helper()
		var font fyne.Resource
		found := false
		walk(o, func(x fyne.CanvasObject) {
			r, ok := x.(*radioGroup)
			if !ok || !slices.Contains(r.Options, text) {
				return
			}
			for _, it := range r.Items() {
				walk(it.(fyne.CanvasObject), func(y fyne.CanvasObject) {
					if l, ok := y.(*canvas.Text); ok && l.Text == text {
						found, font = true, l.FontSource
						if font == nil {
							font = v.app.Settings().Theme().Font(l.TextStyle)
						}
					}
				})
			}
		})
		if !found {
			t.Fatalf("no radio option shows %q", text)
		}
		return font
	}
	for _, th := range []string{"light", "dark"} {
		v.app.Preferences().SetString(prefTheme, th)
		applyAppearance(v.app)
		s := newSettingsView(v)
		settings := s.language
		for _, name := range []string{"简体中文", "English"} {
			if f := drawnIn(settings, name); !kit.Covers(f, name) {
				t.Errorf("%s theme, Settings: %q is drawn in %s, which lacks its characters", th, name, f.Name())
			}
		}
		if f := drawnIn(settings, "English"); f != v.app.Settings().Theme().Font(fyne.TextStyle{}) {
			t.Errorf("%s theme: English is drawn in %s, not the theme's font", th, f.Name())
		}
	}
	v.sendToSpecialist()
	w := v.wizard
	for step := 0; step < 2; step++ {
		loop.until(t, "the step", func() bool { return !w.Busy() })
		test.Tap(findButton(v.win, "Next"))
	}
	loop.until(t, "step 3", func() bool { return !w.Busy() && hasLabel(v.win, "Language of the cover summary") })
	if f := drawnIn(v.root, "简体中文"); !kit.Covers(f, "简体中文") {
		t.Errorf("the cover summary's language list draws 简体中文 in %s, which lacks its characters", f.Name())
	}
}
