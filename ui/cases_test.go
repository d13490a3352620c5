package ui

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/store"
)

// The fake store's case-list methods: the cases it created, nothing renamed or deleted.
func (s *fakeStore) Cases(context.Context) ([]*store.Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*store.Case
	for i, n := range s.created {
		out = append(out, &store.Case{ID: int64(i + 1), Name: n})
	}
	return out, nil
}
func (s *fakeStore) RenameCase(context.Context, int64, string) error { return nil }
func (s *fakeStore) DeleteCase(context.Context, int64) error         { return nil }
func (s *fakeStore) Inventory(_ context.Context, id int64) (*intake.Inventory, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saved[id], nil
}
func (s *fakeStore) Details(_ context.Context, id int64) (checklist.Details, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.details[id], nil
}
func (s *fakeStore) Waivers(context.Context, int64) ([]checklist.Waiver, error) { return nil, nil }
func (s *fakeStore) Categories(_ context.Context, id int64) (map[string]doctext.Category, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.categories[id], nil
}

// newStoreView opens a real store in a temporary DOSSIER_HOME and a window on it (no paths).
func newStoreView(t *testing.T, a fyne.App) (*mainView, *uiLoop, realStore) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("DOSSIER_HOME", home)
	st, err := store.Open(context.Background(), filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rs := realStore{st}
	if a == nil {
		a = test.NewTempApp(t)
	}
	loop := newUILoop()
	v := newMainView(a, Config{Store: rs, Scan: realScan, Version: "9.8.7",
		Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }}, loop.post)
	v.win.Resize(fyne.NewSize(1000, 1400))
	t.Cleanup(v.win.Close)
	return v, loop, rs
}

// closeDialogs removes every overlay (the first-run walkthrough, say).
func closeDialogs(v *mainView) {
	for v.win.Canvas().Overlays().Top() != nil {
		v.win.Canvas().Overlays().Remove(v.win.Canvas().Overlays().Top())
	}
}

// TestCasesRoundTrip: a case made from records is listed; it is renamed, resumed with its details,
// waivers and document kinds, and deleted after a confirmation that says the originals stay.
func TestCasesRoundTrip(t *testing.T) {
	a := test.NewTempApp(t)
	a.Preferences().SetBool(prefGuideSeen, true)
	v, loop, rs := newStoreView(t, a)
	if v.cases != nil {
		t.Fatal("a cases list without cases")
	}
	// Make a case the way the person does: drop records, write details, waive, correct a kind.
	dir := writeFiles(t, breastReports())
	v.add([]string{dir})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	id := v.caseID
	d := v.checks.details
	d.Questions = []string{"Is chemotherapy needed before surgery?"}
	d.Cancer = "breast"
	v.saveDetails(d)
	v.waive("operative_report", "no operation yet")
	docPath := filepath.Join(dir, "reports", "imaging.pdf")
	v.setCategory(docPath, doctext.CategoryLab)
	loop.until(t, "saving", idle(v))

	// The list shows it, with its progress.
	v.showCases()
	loop.until(t, "the list", func() bool { return v.cases != nil && len(v.cases.shown) == 1 })
	// Named after its diagnosis once the cancer type was chosen (no patient name is known here).
	if !hasLabel(v.win, "Breast cancer") || !hasLabel(v.win, "required items ready") || !hasLabel(v.win, "not sent yet") {
		t.Errorf("list shows %q", labels(v.win))
	}
	// Search.
	test.Type(v.cases.search, "nothing like it")
	if len(v.cases.shown) != 0 || !hasLabel(v.win, "No case has that in its name.") {
		t.Errorf("search kept %d cases", len(v.cases.shown))
	}
	v.cases.search.SetText("breast")
	if len(v.cases.shown) != 1 {
		t.Fatalf("search for its name shows %d", len(v.cases.shown))
	}

	v.cases.search.SetText("")
	// Rename.
	v.askRename(v.cases.shown[0].c)
	e := v.win.Canvas().Focused().(*field)
	e.SetText("Jane, breast, 2026")
	b := findButton(v.win, "Rename")
	if b == nil || b.Disabled() {
		t.Fatalf("rename button %v", b)
	}
	test.Tap(b)
	loop.until(t, "the rename", func() bool { return len(v.cases.shown) == 1 && v.cases.shown[0].c.Name == "Jane, breast, 2026" })

	// Start afresh, then resume it: everything comes back from the store.
	v.newCase()
	if v.inv != nil || v.caseID != 0 || len(v.checks.waivers) != 0 {
		t.Fatal("new case kept the old one")
	}
	v.showCases()
	loop.until(t, "the list", func() bool { return v.cases != nil && len(v.cases.shown) == 1 })
	v.cases.list.Select(0)
	loop.until(t, "the case to reopen", func() bool { return v.inv != nil && idle(v)() && v.checks.report != nil })
	if v.caseID != id || v.caseName != "Jane, breast, 2026" || len(v.inv.Items) != 3 {
		t.Errorf("resumed case %d %q with %d items", v.caseID, v.caseName, len(v.inv.Items))
	}
	if q := v.checks.details.Questions; len(q) != 1 || q[0] != "Is chemotherapy needed before surgery?" || v.checks.details.Cancer != "breast" {
		t.Errorf("details not resumed: %+v", v.checks.details)
	}
	if len(v.checks.waivers) != 1 || v.checks.corrections[docPath] != doctext.CategoryLab {
		t.Errorf("waivers %v, corrections %v", v.checks.waivers, v.checks.corrections)
	}
	if !hasLabel(v.win, "Jane, breast, 2026") || v.banner.Visible() {
		t.Errorf("case screen: %q, question banner shown %v", labels(v.win), v.banner.Visible())
	}

	// Delete, after a confirmation that the originals stay.
	v.showCases()
	loop.until(t, "the list", func() bool { return v.cases != nil && len(v.cases.shown) == 1 })
	v.askDelete(v.cases.shown[0].c)
	if !hasLabel(v.win, "Your original files are never touched") {
		t.Errorf("the confirmation does not reassure: %q", labels(v.win))
	}
	test.Tap(findButton(v.win, "Delete case"))
	loop.until(t, "the deletion", func() bool { return len(v.cases.all) == 0 && hasLabel(v.win, "No cases yet") })
	if cs, _ := rs.Cases(context.Background()); len(cs) != 0 {
		t.Errorf("store still has %d cases", len(cs))
	}
	if _, err := os.Stat(docPath); err != nil {
		t.Errorf("an original file was touched: %v", err)
	}
	if v.caseID != 0 {
		t.Error("the deleted case is still the current one")
	}
}

// TestCasesIsStartScreen: with cases in the store the app starts on their list; without, on the drop area.
func TestCasesIsStartScreen(t *testing.T) {
	home := t.TempDir()
	t.Setenv("DOSSIER_HOME", home)
	st, err := store.Open(context.Background(), filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateCase(context.Background(), "Dad's records"); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	a.Preferences().SetBool(prefGuideSeen, true)
	loop := newUILoop()
	v := newMainView(a, Config{Store: realStore{st}}, loop.post)
	defer v.win.Close()
	loop.until(t, "the list", func() bool { return v.cases != nil })
	if !hasLabel(v.win, "Your cases") || !hasLabel(v.win, "Dad's records") {
		t.Errorf("start screen shows %q", labels(v.win))
	}
	// An empty case reopens on its drop area.
	v.cases.list.Select(0)
	loop.until(t, "the empty case", func() bool { return v.opening == nil && v.caseID != 0 })
	if !hasLabel(v.win, dropHeading) {
		t.Errorf("empty case shows %q", labels(v.win))
	}
}
