package ui

import (
	"context"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/internal/fixture/docfix"
	"dossier/packager/deid"
	"dossier/packager/privacy"
	"dossier/packager/store"
)

// A HEIC photo that cannot be cleaned in place is left out with its reason,
// and step 2 offers to convert it; ticking the choice plans again with the
// user's consent, and the photo is then tried with the converter (without
// one, the reason says what to install).
func TestStepTwoConvertHEIC(t *testing.T) {
	home := t.TempDir()
	t.Setenv("DOSSIER_HOME", home)
	st, err := store.Open(context.Background(), filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	files := exportRecords()
	files["phone/IMG_0002.heic"] = docfix.HEIC(docfix.HEICParts{Exif: docfix.PlantedName, Extra: "uuid"})
	v, loop := newTestView(t, Config{Store: realStore{st}, Scan: realScan, Paths: []string{writeFiles(t, files)}})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	test.Tap(mustButton(t, v, "Send to a specialist…"))
	w := v.wizard
	w.levelRadios[1].SetSelected(levelText[1].title)
	test.Tap(w.next)
	loop.until(t, "the decisions", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	heic := func() deid.Decision {
		for _, d := range w.decisions {
			if filepath.Base(d.Path) == "IMG_0002.heic" {
				return d
			}
		}
		t.Fatal("the HEIC photo is not planned")
		return deid.Decision{}
	}
	if d := heic(); d.Action != deid.Exclude || d.Reason != deid.ReasonHEICConvert() {
		t.Fatalf("before consent: %+v", d)
	}
	var check *widget.Check
	walk(w.decScreen, func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Check); ok && c.Text != "" && c.Text[:len("Convert my HEIC")] == "Convert my HEIC" {
			check = c
		}
	})
	if check == nil {
		t.Fatalf("no choice to convert HEIC photos: %q", labels(v.win))
	}
	test.Tap(check)
	if !w.convertHEIC {
		t.Fatal("ticking did not record the consent")
	}
	loop.until(t, "the decisions again", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	d := heic()
	if deid.HEICConverter() == "" {
		if d.Action != deid.Exclude || d.Reason != deid.ErrNoHEICConverter.Error() {
			t.Errorf("with consent, no converter: %+v", d)
		}
	} else if d.Action != deid.Exclude || d.Reason != deid.ReasonHEICUnconvertible() {
		// The fixture's picture is not real HEVC, so the converter tried
		// and could not read it (deid's tests convert a real photo).
		t.Errorf("with consent: %+v", d)
	}
}
