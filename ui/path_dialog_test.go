package ui

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/ui/nativedialog"
)

// pathDialogHome makes a home folder with records in it and a fake mount table with a hospital CD,
// and returns the home and the CD's mount point (listed, not created).
func pathDialogHome(t *testing.T) (home, cd string) {
	t.Helper()
	home = t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	for _, d := range []string{"Documents", "records/CD", "records/Letters", ".hidden"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"records/report.pdf", "records/photo.jpg", "Documents/old.pdf"} {
		if err := os.WriteFile(filepath.Join(home, f), []byte("%PDF-1.4"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	table := filepath.Join(t.TempDir(), "mounts")
	if err := os.WriteFile(table, []byte("/dev/sda1 / ext4 rw 0 0\n/dev/sr0 /media/jane/HOSPITAL\\040CD iso9660 ro 0 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := mountTable.Load()
	mountTable.Store(&table)
	t.Cleanup(func() { mountTable.Store(old) })
	return home, "/media/jane/HOSPITAL CD"
}

func newPathDialogWindow(t *testing.T) fyne.Window {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("dialog")
	w.SetContent(widget.NewLabel("behind"))
	w.Resize(fyne.NewSize(1024, 768))
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { dialogKeys(w.Canvas(), ev) })
	t.Cleanup(w.Close)
	return w
}

// rowNames are the names in the dialog's folder list.
func rowNames(d *pathDialog) []string {
	var out []string
	for _, r := range d.rows {
		out = append(out, r.name)
	}
	return out
}

// focusUntil presses Tab until what has the focus is want, failing after many presses.
func focusUntil(t *testing.T, c fyne.Canvas, what string, want fyne.Focusable) {
	t.Helper()
	for i := 0; i < 30; i++ {
		if c.Focused() == want {
			return
		}
		test.FocusNext(c)
	}
	t.Fatalf("Tab never reaches %s (focus on %T)", what, c.Focused())
}

// TestPathDialogKeyboard: the app's own folder dialog, with the keyboard alone: it opens with the
// focus in the folder's list; the arrows and Enter go into a folder, Backspace up again; Tab
// reaches the places (the CD from the mount table among them) and the Add button, and Enter on it
// adds the folder shown; a typed path and Enter add that folder; Escape closes it from any control.
func TestPathDialogKeyboard(t *testing.T) {
	home, cd := pathDialogHome(t)
	w := newPathDialogWindow(t)
	c := w.Canvas()
	var got []string
	use := func(p string) { got = append(got, p) }
	req := pathRequest{kind: nativedialog.Folder, title: "Add a folder", accept: "Add"}

	d := showPathDialog(w, req, use)
	if d.dir != home || c.Focused() != d.list {
		t.Fatalf("opens in %q with the focus on %T; want the home folder's list", d.dir, c.Focused())
	}
	if names := rowNames(d); !slices.Equal(names[1:], []string{"Documents", "records"}) {
		t.Errorf("home lists %q; want the folder above, Documents and records (no hidden folder, no file)", names)
	}
	// Down twice (the folder above, Documents, records), Enter: into records.
	keyTo(c, fyne.KeyDown)
	keyTo(c, fyne.KeyDown)
	keyTo(c, fyne.KeyReturn)
	records := filepath.Join(home, "records")
	if d.dir != records || c.Focused() != d.list || d.where.Text != records {
		t.Fatalf("after Down, Down, Enter: in %q (field %q), focus on %T", d.dir, d.where.Text, c.Focused())
	}
	if names := rowNames(d); !slices.Equal(names[1:], []string{"CD", "Letters"}) {
		t.Errorf("records lists %q; a folder dialog shows folders only", names)
	}
	keyTo(c, fyne.KeyBackspace)
	if d.dir != home {
		t.Errorf("Backspace went to %q, not up", d.dir)
	}
	keyTo(c, fyne.KeyDown)
	keyTo(c, fyne.KeyDown)
	keyTo(c, fyne.KeySpace) // Space too
	if d.dir != records {
		t.Fatalf("Space did not open records: %q", d.dir)
	}
	// The places: each a button Tab reaches, the hospital CD among them.
	var places []string
	var cdButton *button
	for _, o := range d.places.Objects {
		b := o.(*button)
		places = append(places, b.Text)
		if b.Text == "HOSPITAL CD" {
			cdButton = b
		}
	}
	if cdButton == nil || !slices.Contains(places, "Home") || !slices.Contains(places, "Documents") || !slices.Contains(places, "This computer") {
		t.Errorf("places %q; want Home, Documents, the hospital CD and This computer", places)
	}
	focusUntil(t, c, "the hospital CD's place", cdButton)
	// Tab goes in reading order: the path, the places, the list, Cancel, Add.
	c.Focus(d.where)
	order := map[fyne.Focusable]int{}
	for i := 0; i < 30 && order[c.Focused()] == 0; i++ {
		order[c.Focused()] = i + 1
		test.FocusNext(c)
	}
	seq := []fyne.Focusable{d.where, d.places.Objects[0].(*button), cdButton, d.list, d.cancel, d.accept}
	for i := 1; i < len(seq); i++ {
		if order[seq[i-1]] == 0 || order[seq[i]] <= order[seq[i-1]] {
			t.Errorf("Tab order: %T (%d) then %T (%d)", seq[i-1], order[seq[i-1]], seq[i], order[seq[i]])
		}
	}
	// Tab on to Add; Enter adds the folder shown.
	focusUntil(t, c, "the Add button", d.accept)
	keyTo(c, fyne.KeyReturn)
	if !slices.Equal(got, []string{records}) || c.Overlays().Top() != nil {
		t.Fatalf("Enter on Add gave %q (dialog still open: %v)", got, c.Overlays().Top() != nil)
	}

	// A typed path, and Enter, adds that folder.
	d = showPathDialog(w, req, use)
	focusUntil(t, c, "the path field", d.where)
	d.where.SetText("~/records/Letters")
	keyTo(c, fyne.KeyReturn)
	if want := filepath.Join(records, "Letters"); len(got) != 2 || got[1] != want || c.Overlays().Top() != nil {
		t.Fatalf("typed path gave %q, want %q", got, want)
	}
	// A path that is not there says so and keeps the dialog.
	d = showPathDialog(w, req, use)
	c.Focus(d.where)
	d.where.SetText(filepath.Join(home, "nowhere"))
	keyTo(c, fyne.KeyReturn)
	if !d.errMsg.Visible() || c.Overlays().Top() == nil || len(got) != 2 {
		t.Errorf("a missing path: message shown %v, dialog open %v, chosen %q", d.errMsg.Visible(), c.Overlays().Top() != nil, got)
	}
	keyTo(c, fyne.KeyEscape)
	// Escape, from the field, the list and a place, closes it without choosing.
	for _, which := range []string{"field", "list", "place"} {
		if c.Overlays().Top() != nil {
			t.Fatalf("before Escape on the %s: a dialog is open", which)
		}
		d = showPathDialog(w, req, use)
		f := map[string]fyne.Focusable{"field": d.where, "list": d.list, "place": d.places.Objects[0].(*button)}[which]
		c.Focus(f)
		keyTo(c, fyne.KeyEscape)
		if c.Overlays().Top() != nil {
			t.Errorf("Escape on the %s left the dialog open", which)
			c.Overlays().Remove(c.Overlays().Top())
		}
	}
	if len(got) != 2 {
		t.Errorf("Escape chose %q", got[2:])
	}
	// The CD's place is there although its folder is not on this machine: choosing it says the
	// folder cannot be opened.
	d = showPathDialog(w, req, use)
	for _, o := range d.places.Objects {
		if b := o.(*button); b.Text == "HOSPITAL CD" {
			test.Tap(b)
		}
	}
	if !d.errMsg.Visible() || !slices.Contains([]string{d.errMsg.Text}, "This folder cannot be opened: "+cd) {
		t.Errorf("the CD's place: message %q", d.errMsg.Text)
	}
}

// TestPathDialogFiles: opening a file shows the files the filter allows, and Enter on one chooses
// it; saving starts in the name field with the suggested name, Enter saves there, and a file that
// is there is replaced only after asking (Escape keeps it).
func TestPathDialogFiles(t *testing.T) {
	home, _ := pathDialogHome(t)
	w := newPathDialogWindow(t)
	c := w.Canvas()
	var got []string
	use := func(p string) { got = append(got, p) }
	records := filepath.Join(home, "records")

	d := showPathDialog(w, pathRequest{kind: nativedialog.OpenFile, folder: records, exts: []string{".pdf"}}, use)
	if names := rowNames(d); !slices.Equal(names[1:], []string{"CD", "Letters", "report.pdf"}) {
		t.Errorf("opening a PDF lists %q", names)
	}
	if !d.accept.Disabled() {
		t.Error("Open is enabled before a file is chosen")
	}
	for range 3 {
		keyTo(c, fyne.KeyDown)
	}
	keyTo(c, fyne.KeyReturn)
	if want := filepath.Join(records, "report.pdf"); !slices.Equal(got, []string{want}) {
		t.Fatalf("Enter on report.pdf gave %q", got)
	}

	req := pathRequest{kind: nativedialog.SaveFile, title: "Save letter", folder: filepath.Join(home, "Documents"), name: "records-request.pdf"}
	d = showPathDialog(w, req, use)
	if c.Focused() != d.name || d.name.Text != "records-request.pdf" {
		t.Fatalf("saving: focus on %T, name %q", c.Focused(), d.name.Text)
	}
	keyTo(c, fyne.KeyReturn)
	if want := filepath.Join(home, "Documents", "records-request.pdf"); len(got) != 2 || got[1] != want {
		t.Fatalf("Enter in the name field gave %q", got)
	}
	// old.pdf is there: asked first; Escape keeps it, Enter replaces.
	d = showPathDialog(w, req, use)
	d.name.SetText("old.pdf")
	keyTo(c, fyne.KeyReturn)
	if len(got) != 2 || len(c.Overlays().List()) != 2 {
		t.Fatalf("an existing file was not asked about: %q, %d overlays", got, len(c.Overlays().List()))
	}
	c.Unfocus()
	keyTo(c, fyne.KeyEscape)
	if len(got) != 2 || len(c.Overlays().List()) != 1 {
		t.Fatalf("Escape on the question: %q, %d overlays", got, len(c.Overlays().List()))
	}
	c.Focus(d.name)
	keyTo(c, fyne.KeyReturn)
	c.Unfocus()
	keyTo(c, fyne.KeyReturn)
	if want := filepath.Join(home, "Documents", "old.pdf"); len(got) != 3 || got[2] != want || c.Overlays().Top() != nil {
		t.Fatalf("Enter on the question gave %q", got)
	}
}

// TestPathDialogFits: at 1024×768 with the largest text size, the dialog's field, list and buttons
// are inside the window.
func TestPathDialogFits(t *testing.T) {
	pathDialogHome(t)
	v, _ := smallScreenView(t, Config{Store: &fakeStore{}})
	screen := smallScreen
	closeDialogs(v)
	c := v.win.Canvas()
	d := showPathDialog(v.win, pathRequest{kind: nativedialog.SaveFile, name: "a.pdf"}, func(string) {})
	for what, o := range map[string]fyne.CanvasObject{"the path field": d.where, "the name field": d.name,
		"the list": d.list, "Cancel": d.cancel, "Save": d.accept} {
		if err := reachable(c, o, screen); err != nil {
			t.Errorf("%s: %v", what, err)
		}
		if o.Size().Width < 20 || o.Size().Height < 20 {
			t.Errorf("%s is %v", what, o.Size())
		}
	}
}
