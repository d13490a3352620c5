package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/deid"
	"dossier/packager/intake"
	"dossier/packager/store"
	exportui "dossier/ui/export"
)

// cardOf finds the step 2 card of the file called name.
func cardOf(t *testing.T, v *mainView, name string) fyne.CanvasObject {
	t.Helper()
	var found fyne.CanvasObject
	walk(v.root, func(o fyne.CanvasObject) {
		p, ok := o.(*panel)
		if !ok || found != nil {
			return
		}
		walk(p, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, name) {
				found = p
			}
		})
	})
	if found == nil {
		t.Fatalf("no card for %s: %q", name, labels(v.win))
	}
	return found
}

// openStepTwo opens the steps of sending, pseudonymised, at step 2.
func openStepTwo(t *testing.T, v *mainView, loop *uiLoop) *exportui.Wizard {
	t.Helper()
	closeDialogs(v)
	test.Tap(mustButton(t, v, "Send to a specialist…"))
	w := v.wizard
	if w == nil {
		t.Fatal("the steps did not open")
	}
	radioWith(t, v.root, "With a code name instead of my name").SetSelected("With a code name instead of my name")
	test.Tap(mustButton(t, v, "Next"))
	loop.until(t, "the decisions", func() bool { return !w.Busy() })
	return w
}

// TestStepTwoBoxesKept: a redaction box drawn on the photo in step 2 is kept when the steps close
// and open again, and across a restart (the store opened again from disk), and the bundle made
// then masks the photo under it. The boxes of a file changed since are dropped, not applied to
// its new pixels.
func TestStepTwoBoxesKept(t *testing.T) {
	v, loop, rs := newExportView(t)
	t.Setenv("HOME", t.TempDir()) // where step 3 saves by default
	id := v.caseID
	openStepTwo(t, v, loop)

	// A box drawn on the photo and confirmed.
	test.Tap(findButtonIn(t, cardOf(t, v, "IMG_0001.jpg"), "Check what is hidden"))
	loop.until(t, "the photo's preview", func() bool { return hasLabel(v.win, "The right side shows the file as it will be sent.") })
	test.Tap(findButton(v.win, "Add a box"))
	test.Tap(findButton(v.win, "These boxes hide my details"))
	var photo string
	var drawn *exportui.KeptBoxes
	for p, k := range v.boxesFor(id) {
		photo, drawn = p, k
	}
	if filepath.Base(photo) != "IMG_0001.jpg" || drawn == nil || len(drawn.Redactions.Pixels) != 1 || !drawn.Redactions.Confirmed || len(drawn.Boxes) != 1 {
		t.Fatalf("the boxes kept: %s %+v %+v", photo, drawn, drawn.Redactions)
	}
	mask := drawn.Redactions.Pixels[0]

	// Closed: stored, coordinates only.
	test.Tap(mustButton(t, v, "Close"))
	loop.until(t, "saving", idle(v))
	rows, err := rs.SendBoxesOf(context.Background(), id)
	if err != nil || len(rows) != 1 || rows[0].Path != photo || strings.Contains(rows[0].Boxes, "Jane") {
		t.Fatalf("stored when the steps closed: %+v %v", rows, err)
	}

	// Opened again: the card says the boxes were checked, and the preview shows the box. A second
	// box is drawn, and the window closed with the steps open: stored before the window goes.
	openStepTwo(t, v, loop)
	test.Tap(findButtonIn(t, cardOf(t, v, "IMG_0001.jpg"), "Boxes checked — look again"))
	loop.until(t, "the photo's preview", func() bool { return hasLabel(v.win, "The right side shows the file as it will be sent.") })
	test.Tap(findButton(v.win, "Add a box"))
	test.Tap(findButton(v.win, "These boxes hide my details"))
	if k := v.boxesFor(id)[photo]; k == nil || len(k.Redactions.Pixels) != 2 || k.Redactions.Pixels[0] != mask {
		t.Fatalf("the boxes after a second look: %+v", k)
	}
	loop.until(t, "saving", idle(v))
	v.closed()
	if rows, err := rs.SendBoxesOf(context.Background(), id); err != nil || len(rows) != 1 || strings.Count(rows[0].Boxes, `"Origin":"drawn"`) != 2 {
		t.Fatalf("stored when the window closed: %+v %v", rows, err)
	}

	// The app again, on the store opened again from disk.
	rs.Close()
	st2, err := store.Open(context.Background(), filepath.Join(os.Getenv("DOSSIER_HOME"), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	restart := func() (*mainView, *uiLoop) {
		loop2 := newUILoop()
		v2 := newMainView(v.app, Config{Store: realStore{st2}, Scan: realScan, Now: v.cfg.Now}, loop2.post)
		v2.win.Resize(v.win.Canvas().Size())
		t.Cleanup(v2.win.Close)
		loop2.until(t, "the list of cases", func() bool { return v2.cases != nil && len(v2.cases.shown) == 1 })
		v2.cases.list.Select(0)
		loop2.until(t, "the case", func() bool { return v2.inv != nil && idle(v2)() && v2.checks.report != nil })
		return v2, loop2
	}
	v2, loop2 := restart()
	if k := v2.boxesFor(id)[photo]; k == nil || len(k.Redactions.Pixels) != 2 || k.Redactions.Pixels[0] != mask {
		t.Fatalf("the boxes after a restart: %+v", v2.boxesFor(id))
	}
	w := openStepTwo(t, v2, loop2)
	findButtonIn(t, cardOf(t, v2, "IMG_0001.jpg"), "Boxes checked — look again")
	cardChoice(t, v2, "IMG_0001.jpg").SetSelected("Send it")
	test.Tap(mustButton(t, v2, "Next"))
	test.Tap(mustButton(t, v2, "Make the bundle"))
	loop2.until(t, "the export", func() bool { return !w.Busy() })
	res := w.Result()
	if res == nil {
		t.Fatalf("export did not finish: %q", labels(v2.win))
	}
	masked := false
	for _, it := range res.Items {
		if it.Path == photo {
			for _, r := range it.Redacted {
				masked = masked || r.Kind == deid.KindPictureBoxes && r.Count == 2
			}
		}
	}
	if !masked {
		t.Errorf("the bundle's photo is not masked under the box kept: %+v", res.Items)
	}
	test.Tap(mustButton(t, v2, "Back to my case"))
	loop2.until(t, "saving", idle(v2))

	// The photo changed on disk: its boxes are not applied after a restart.
	v2.closed()
	if rows, err := st2.SendBoxesOf(context.Background(), id); err != nil || len(rows) != 1 || rows[0].Path != photo {
		t.Fatalf("stored before the photo changed: %+v %v", rows, err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.WriteFile(photo, append(mustRead(t, photo), 0), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(photo, later, later)
	v3, loop3 := restart()
	if k := v3.boxesFor(id)[photo]; k != nil {
		t.Errorf("the boxes of a changed file were kept: %+v", k)
	}
	openStepTwo(t, v3, loop3)
	if findButton(v3.win, "Boxes checked — look again") != nil {
		t.Error("the changed photo's card says its boxes were checked")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFreshBoxesDropsChangedFiles: when the steps open, the boxes of a file the case now knows with
// another size or time (added again after it changed) are dropped; the others are kept.
func TestFreshBoxesDropsChangedFiles(t *testing.T) {
	when := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	v := &mainView{caseID: 7, inv: &intake.Inventory{Items: []*intake.Item{
		{Path: "/r/same.jpg", Size: 10, ModTime: when},
		{Path: "/r/bigger.jpg", Size: 11, ModTime: when},
		{Path: "/r/newer.jpg", Size: 10, ModTime: when.Add(time.Second)},
	}}}
	r := &deid.Redactions{Confirmed: true}
	for _, p := range []string{"/r/same.jpg", "/r/bigger.jpg", "/r/newer.jpg"} {
		v.boxesFor(7)[p] = &exportui.KeptBoxes{Redactions: r, Size: 10, ModTime: when}
	}
	got := v.freshBoxes()
	if len(got) != 1 || got["/r/same.jpg"] == nil {
		t.Errorf("kept: %v", got)
	}
}
