package ui

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/internal/fixture/docfix"
	"dossier/packager/deid"
	"dossier/packager/intake"
	"dossier/packager/store"
	exportui "dossier/ui/export"
)

// zipOf is a ZIP of files, each with the time when.
func zipOf(t *testing.T, files map[string][]byte, when time.Time) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: when})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestZipMemberBoxesKept: the boxes drawn in step 2 on a photo inside a ZIP the patient added are
// kept across a restart (the store opened again from disk) while the photo is unchanged, also when
// the ZIP around it was made again (another file in it changed, and the photo's time), and dropped
// when the photo in it changed. A file inside a ZIP cannot be checked on disk; its CRC-32 and size
// in the ZIP's directory are.
func TestZipMemberBoxesKept(t *testing.T) {
	home := t.TempDir()
	t.Setenv("DOSSIER_HOME", home)
	t.Setenv("HOME", t.TempDir())
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	photo := docfix.JPEG(800, 600)
	when := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	files := breastReports()
	for k, v := range mammograms() { // the patient's name, which the private levels need
		files[k] = v
	}
	files["phone.zip"] = zipOf(t, map[string][]byte{"DCIM/IMG_0002.jpg": photo, "notes.txt": []byte("first")}, when)
	dir := writeFiles(t, files)
	zipPath := filepath.Join(dir, "phone.zip")
	member := zipPath + "!/DCIM/IMG_0002.jpg"
	v, loop := newTestView(t, Config{Store: realStore{st}, Scan: realScan, Paths: []string{dir}})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	id := v.caseID

	openStepTwo(t, v, loop)
	test.Tap(findButtonIn(t, cardOf(t, v, "IMG_0002.jpg"), "Check what is hidden"))
	loop.until(t, "the photo's preview", func() bool { return hasLabel(v.win, "The right side shows the file as it will be sent.") })
	test.Tap(findButton(v.win, "Add a box"))
	test.Tap(findButton(v.win, "These boxes hide my details"))
	k := v.boxesFor(id)[member]
	if k == nil || len(k.Redactions.Pixels) != 1 || k.Member == nil || k.Member.Size != int64(len(photo)) {
		t.Fatalf("the boxes kept for %s: %+v (all: %v)", member, k, v.boxesFor(id))
	}
	mask := k.Redactions.Pixels[0]
	test.Tap(mustButton(t, v, "Close"))
	loop.until(t, "saving", idle(v))
	v.closed()
	st.Close()

	// restart is the app started again on the store opened again from disk, with the case read
	// again; it reports whether the member's boxes are there, and its card says they were checked.
	restart := func(what string) bool {
		t.Helper()
		st, err := store.Open(ctx, filepath.Join(home, store.FileName))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		loop := newUILoop()
		v2 := newMainView(v.app, Config{Store: realStore{st}, Scan: realScan, Now: v.cfg.Now}, loop.post)
		v2.win.Resize(v.win.Canvas().Size())
		defer v2.win.Close()
		loop.until(t, "the list of cases", func() bool { return v2.cases != nil && len(v2.cases.shown) == 1 })
		v2.cases.list.Select(0)
		loop.until(t, "the case", func() bool { return v2.inv != nil && idle(v2)() && v2.checks.report != nil })
		openStepTwo(t, v2, loop)
		k := v2.boxesFor(id)[member]
		kept := k != nil && len(k.Redactions.Pixels) == 1 && k.Redactions.Pixels[0] == mask
		checked := false
		walk(cardOf(t, v2, "IMG_0002.jpg"), func(o fyne.CanvasObject) {
			if b, ok := o.(*button); ok && b.Text == "Boxes checked — look again" {
				checked = true
			}
		})
		if checked != kept {
			t.Errorf("%s: boxes kept %v, but the card says checked %v", what, kept, checked)
		}
		test.Tap(mustButton(t, v2, "Close"))
		loop.until(t, "saving", idle(v2))
		v2.closed()
		return kept
	}
	if !restart("unchanged") {
		t.Fatal("the boxes of an unchanged photo in a ZIP were dropped after a restart")
	}
	// The ZIP made again: another file in it changed, and the photo's time, not the photo.
	later := when.Add(48 * time.Hour)
	remake := func(photo []byte, notes string) {
		if err := os.WriteFile(zipPath, zipOf(t, map[string][]byte{"DCIM/IMG_0002.jpg": photo, "notes.txt": []byte(notes)}, later), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	remake(photo, "second, longer")
	if !restart("the ZIP made again") {
		t.Error("the boxes of an unchanged photo were dropped when the ZIP around it changed")
	}
	// The photo in the ZIP changed (same size, other pixels): its boxes are dropped.
	changed := bytes.Clone(photo)
	changed[len(changed)/2] ^= 0xff
	remake(changed, "second, longer")
	if restart("the photo changed") {
		t.Error("the boxes of a changed photo in a ZIP were kept")
	}
}

// TestFreshBoxesKeepsUnchangedMembers: when the steps open, the boxes of a file inside a ZIP that the
// case now knows with another time (the ZIP made again) are kept while its stamp in the ZIP's
// directory is the one they were drawn with, and dropped when it is not.
func TestFreshBoxesKeepsUnchangedMembers(t *testing.T) {
	when := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	zipPath := filepath.Join(t.TempDir(), "phone.zip")
	photo := docfix.JPEG(80, 60)
	if err := os.WriteFile(zipPath, zipOf(t, map[string][]byte{"a.jpg": photo, "b.jpg": photo}, when.Add(time.Hour)), 0o644); err != nil {
		t.Fatal(err)
	}
	a, b := zipPath+"!/a.jpg", zipPath+"!/b.jpg"
	stamp, ok := exportui.StampOf(a)
	if !ok || stamp.Size != int64(len(photo)) {
		t.Fatalf("stamp of %s: %+v %v", a, stamp, ok)
	}
	other := stamp
	other.CRC32++
	v := &mainView{caseID: 7, inv: &intake.Inventory{Items: []*intake.Item{
		{Path: a, Size: stamp.Size, ModTime: when.Add(time.Hour)},
		{Path: b, Size: stamp.Size, ModTime: when.Add(time.Hour)},
	}}}
	r := &deid.Redactions{Confirmed: true}
	v.boxesFor(7)[a] = &exportui.KeptBoxes{Redactions: r, Size: stamp.Size, ModTime: when, Member: &stamp}
	v.boxesFor(7)[b] = &exportui.KeptBoxes{Redactions: r, Size: stamp.Size, ModTime: when, Member: &other}
	got := v.freshBoxes()
	if len(got) != 1 || got[a] == nil {
		t.Errorf("kept: %v", got)
	}
	// A file inside a ZIP inside a ZIP has a stamp too; a file that is not there has none.
	inner := zipOf(t, map[string][]byte{"c.jpg": photo}, when)
	outer := filepath.Join(t.TempDir(), "outer.zip")
	if err := os.WriteFile(outer, zipOf(t, map[string][]byte{"dir/inner.zip": inner}, when), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, ok := exportui.StampOf(outer + "!/dir/inner.zip!/c.jpg"); !ok || s != stamp {
		t.Errorf("the stamp inside a ZIP inside a ZIP: %+v %v, want %+v", s, ok, stamp)
	}
	if _, ok := exportui.StampOf(outer + "!/dir/inner.zip!/gone.jpg"); ok {
		t.Error("a file not in the ZIP has a stamp")
	}
}
