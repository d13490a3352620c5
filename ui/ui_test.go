package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/ui/internal/uitest"
)

// uiLoop stands in for Fyne's main loop: background work posts functions, and the test goroutine runs
// them, so that widgets are only ever touched by one goroutine (as in the app). See uitest.Loop.
type uiLoop struct{ *uitest.Loop }

func newUILoop() *uiLoop { return &uiLoop{uitest.NewLoop()} }

func (l *uiLoop) post(f func()) { l.Post(f) }

// until runs posted functions until cond holds, failing the test after a while.
func (l *uiLoop) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	l.Until(t, what, cond)
}

// drain runs what is posted during d.
func (l *uiLoop) drain(d time.Duration) { l.Drain(d) }

// fakeStore records what the UI stores.
type fakeStore struct {
	mu         sync.Mutex
	created    []string
	saved      map[int64]*intake.Inventory
	saveErr    error
	details    map[int64]checklist.Details
	waivers    map[int64]map[string]string // rule id -> reason
	categories map[int64]map[string]doctext.Category
}

func (s *fakeStore) SaveDetails(_ context.Context, id int64, d checklist.Details) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.details == nil {
		s.details = map[int64]checklist.Details{}
	}
	s.details[id] = d
	return nil
}

func (s *fakeStore) Waive(_ context.Context, id int64, ruleID, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waivers == nil {
		s.waivers = map[int64]map[string]string{}
	}
	if s.waivers[id] == nil {
		s.waivers[id] = map[string]string{}
	}
	s.waivers[id][ruleID] = reason
	return nil
}

func (s *fakeStore) Unwaive(_ context.Context, id int64, ruleID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.waivers[id], ruleID)
	return nil
}

func (s *fakeStore) SetCategory(_ context.Context, id int64, path string, c doctext.Category) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.categories == nil {
		s.categories = map[int64]map[string]doctext.Category{}
	}
	if s.categories[id] == nil {
		s.categories[id] = map[string]doctext.Category{}
	}
	s.categories[id][path] = c
	return nil
}

func (s *fakeStore) CreateCase(_ context.Context, name string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created = append(s.created, name)
	return int64(len(s.created)), nil
}

func (s *fakeStore) SaveInventory(_ context.Context, id int64, inv *intake.Inventory) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErr != nil {
		return s.saveErr
	}
	if s.saved == nil {
		s.saved = map[int64]*intake.Inventory{}
	}
	s.saved[id] = inv
	return nil
}

// sampleInventory has something in every group, and a problem for the whole case.
func sampleInventory() *intake.Inventory {
	return &intake.Inventory{
		Items: []*intake.Item{
			{Path: "/cd/DICOM/IM0001", Kind: intake.KindDICOM, Modality: "CT", Size: 500000},
			{Path: "/portal/pathology report.pdf", Kind: intake.KindPDF, Format: "pdf", Size: 120000},
			{Path: "/portal/letter.docx", Kind: intake.KindDocument, Format: "docx", Size: 30000},
			{Path: "/phone/IMG_0042.jpg", Kind: intake.KindImage, Format: "jpeg", Size: 2400000},
			{Path: "/cd/README.TXT;1", Kind: intake.KindOther, Format: "txt", Size: 400},
			{Path: "/cd/AUTORUN.INF", Kind: intake.KindSkipped, Reason: i18n.NewText("part of the CD's viewer program")},
			{Path: "/cd/DICOM/IM0099", Kind: intake.KindUnreadable, Problems: []i18n.Text{i18n.NewText("This file is damaged: it ends too early.")}},
			{Path: "/slides/biopsy.svs", Kind: intake.KindSlide, Format: "svs", Size: 900000000},
		},
		Studies: []*intake.Study{{
			StudyInstanceUID: "1.2.3", Date: "2024-03-12", Description: "CT CHEST W CONTRAST", Modalities: []string{"CT"},
			Instances: 210,
			Series: []*intake.Series{
				{SeriesInstanceUID: "1.2.3.1", Number: 2, Modality: "CT", Description: "AXIAL 1.25mm", Instances: 200},
				{SeriesInstanceUID: "1.2.3.2", Number: 3, Modality: "CT", Description: "DOSE REPORT", Instances: 10, BurnedIn: 10},
			},
		}},
		Slides: []*intake.Slide{{Path: "/slides/biopsy.svs", Vendor: "aperio", Levels: 4, Width: 46000, Height: 32914, Label: true, Macro: true}},
		Problems: []intake.Problem{{Code: intake.ProblemSeveralPatients,
			Message: "These records seem to belong to 2 different people. Please check that everything here is yours."}},
	}
}

// shown returns every object shown in the window, dialogs included, skipping hidden subtrees.
func shown(w fyne.Window) []fyne.CanvasObject { return uitest.Shown(w) }

// labels returns the texts of every label (and selectable text) shown in the window.
func labels(w fyne.Window) []string {
	var out []string
	for _, o := range shown(w) {
		switch l := o.(type) {
		case *widget.Label:
			out = append(out, unmarked(l.Text)) // without the marks of where Chinese may break
		case *selectableText:
			out = append(out, unmarked(l.Text))
		}
	}
	return out
}

func hasLabel(w fyne.Window, text string) bool {
	return slices.ContainsFunc(labels(w), func(s string) bool { return strings.Contains(s, text) })
}

func findButton(w fyne.Window, text string) *widget.Button { return uitest.FindButton(w, text) }

func newTestView(t *testing.T, cfg Config) (*mainView, *uiLoop) {
	t.Helper()
	a := test.NewTempApp(t)
	loop := newUILoop()
	cfg.Now = func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }
	v := newMainView(a, cfg, loop.post)
	v.win.Resize(fyne.NewSize(1000, 1400)) // tall enough for every tree row to be laid out
	t.Cleanup(v.win.Close)
	return v, loop
}

// idle holds when no scan, evaluation, save or letter is running.
func idle(v *mainView) func() bool {
	return func() bool { return !v.busy() }
}

func TestNewMainWindowWelcome(t *testing.T) {
	test.NewTempApp(t)
	w := NewMainWindow(fyne.CurrentApp(), Config{Scan: func(context.Context, []string, func(intake.Progress)) (*intake.Inventory, error) {
		t.Error("nothing should be scanned without paths")
		return nil, nil
	}})
	defer w.Close()
	if w.Title() != "Dossier" {
		t.Errorf("title = %q", w.Title())
	}
	if !hasLabel(w, dropHeading) || !hasLabel(w, dropKinds) {
		t.Errorf("welcome screen lacks the drop area: %q", labels(w))
	}
	for _, b := range []string{"Add files…", "Add folder…"} {
		if findButton(w, b) == nil {
			t.Errorf("no %q button", b)
		}
	}
}

// TestShortcutsOpenDialogs: Ctrl+O and Ctrl+Shift+O open the file and folder dialogs.
func TestShortcutsOpenDialogs(t *testing.T) {
	v, _ := newTestView(t, Config{})
	for _, sc := range []fyne.Shortcut{ctrl(fyne.KeyO), ctrlShift(fyne.KeyO)} {
		v.win.Canvas().(fyne.Shortcutable).TypedShortcut(sc)
		top := v.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatalf("%s opened no dialog", sc.ShortcutName())
		}
		v.win.Canvas().Overlays().Remove(top)
	}
}

// TestPathsBecomeCase (a): paths from the command line become a case and its inventory is shown, grouped.
func TestPathsBecomeCase(t *testing.T) {
	st := &fakeStore{}
	var got []string
	v, loop := newTestView(t, Config{
		Paths: []string{"/cd", "/portal"},
		Store: st,
		Scan: func(_ context.Context, paths []string, progress func(intake.Progress)) (*intake.Inventory, error) {
			got = paths
			progress(intake.Progress{Files: 1, Bytes: 10, Current: "/cd/DICOM/IM0001"})
			return sampleInventory(), nil
		},
	})
	loop.until(t, "the scan", idle(v))
	if !slices.Equal(got, []string{"/cd", "/portal"}) {
		t.Errorf("scanned %q", got)
	}
	for _, want := range []string{
		"New case 27 November 2026", groupImaging, groupSlides, groupDocuments, groupPhotos, groupOther, groupSkipped, groupUnread,
		"These records seem to belong to 2 different people", // the case-level problem
		"CT CHEST W CONTRAST", "pathology report.pdf", "IMG_0042.jpg", "AUTORUN.INF", "part of the CD's viewer program",
		"IM0099", "This file is damaged", "biopsy.svs", "Added 8 files",
	} {
		if !hasLabel(v.win, want) {
			t.Errorf("window does not show %q; it shows %q", want, labels(v.win))
		}
	}
	if hasLabel(v.win, dropHeading) {
		t.Error("the welcome screen is still shown")
	}
	if len(st.created) != 1 || st.saved[1] == nil || len(st.saved[1].Items) != 8 {
		t.Errorf("store: created %q, saved %v", st.created, st.saved)
	}
}

// TestDropAddsToCase (b): dropping files goes the same way, and a second drop adds to the same case.
func TestDropAddsToCase(t *testing.T) {
	st := &fakeStore{}
	var calls [][]string
	combined := 0
	v, loop := newTestView(t, Config{
		Store: st,
		// The real intake.Combine regroups from items; the sample's groups are made up, so keep them.
		Combine: func(invs ...*intake.Inventory) *intake.Inventory {
			combined++
			out := &intake.Inventory{}
			for _, inv := range invs {
				out.Items = append(out.Items, inv.Items...)
				out.Studies = append(out.Studies, inv.Studies...)
				out.Slides = append(out.Slides, inv.Slides...)
				out.Problems = append(out.Problems, inv.Problems...)
			}
			return out
		},
		Scan: func(_ context.Context, paths []string, _ func(intake.Progress)) (*intake.Inventory, error) {
			calls = append(calls, paths)
			if len(calls) == 1 {
				return sampleInventory(), nil
			}
			return &intake.Inventory{Items: []*intake.Item{{Path: paths[0], Kind: intake.KindPDF, Size: 10}}}, nil
		},
	})
	v.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI("/cd"), storage.NewFileURI("/phone/IMG_0042.jpg")})
	loop.until(t, "the first scan", idle(v))
	if len(calls) != 1 || !slices.Equal(calls[0], []string{"/cd", "/phone/IMG_0042.jpg"}) {
		t.Fatalf("scanned %q", calls)
	}
	if !hasLabel(v.win, groupImaging) {
		t.Fatalf("inventory not shown: %q", labels(v.win))
	}

	v.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI("/later/discharge letter.pdf")})
	loop.until(t, "the second scan", idle(v))
	if !hasLabel(v.win, "discharge letter.pdf") || !hasLabel(v.win, groupImaging) {
		t.Errorf("second drop not merged: %q", labels(v.win))
	}
	if len(st.created) != 1 {
		t.Errorf("cases created: %q, want one", st.created)
	}
	if combined != 1 {
		t.Errorf("Combine called %d times, want 1", combined)
	}
	if inv := st.saved[1]; inv == nil || len(inv.Items) != 9 {
		t.Errorf("saved inventory after the second drop: %v", inv)
	}

	// Something that is not a local file is refused kindly.
	v.dropped(fyne.Position{}, []fyne.URI{storage.NewURI("https://example.org/x.pdf")})
	if v.scan != nil || !hasLabel(v.win, "Only files and folders on this computer") {
		t.Errorf("a web address was not refused: %q", labels(v.win))
	}
}

// TestCancelScan (c): after Cancel during a scan the window says so and nothing is added.
func TestCancelScan(t *testing.T) {
	st := &fakeStore{}
	started := make(chan struct{})
	v, loop := newTestView(t, Config{
		Store: st,
		Scan: func(ctx context.Context, _ []string, progress func(intake.Progress)) (*intake.Inventory, error) {
			progress(intake.Progress{Files: 3, Bytes: 3000, Current: "/cd/DICOM/IM0003"})
			close(started)
			<-ctx.Done()
			return sampleInventory(), fmt.Errorf("scan: %w", ctx.Err()) // a partial inventory must not be used
		},
	})
	v.add([]string{"/cd"})
	<-started
	loop.until(t, "progress", func() bool { return hasLabel(v.win, "IM0003") })
	if !hasLabel(v.win, "Reading your files") || !hasLabel(v.win, "3 files so far") {
		t.Errorf("progress not shown: %q", labels(v.win))
	}
	// A drop during the scan waits its turn; cancelling drops it too.
	v.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI("/more")})
	cancel := findButton(v.win, "Cancel")
	if cancel == nil {
		t.Fatal("no Cancel button while scanning")
	}
	test.Tap(cancel)
	loop.until(t, "the cancelled scan", idle(v))
	loop.drain(150 * time.Millisecond) // late progress must not come back
	if !hasLabel(v.win, "Stopped. Nothing from this batch was added") {
		t.Errorf("no cancelled message: %q", labels(v.win))
	}
	if hasLabel(v.win, "Reading your files") {
		t.Error("progress still shown after cancel")
	}
	if v.inv != nil || v.caseID != 0 || len(st.created) != 0 || len(st.saved) != 0 || len(v.pending) != 0 {
		t.Errorf("something was added: inv %v, case %d, store %q %v, pending %q", v.inv, v.caseID, st.created, st.saved, v.pending)
	}
	if !hasLabel(v.win, dropHeading) {
		t.Error("the welcome screen should still be shown")
	}
}

// TestScanError (e): a scan error is explained and nothing is added; the next drop works.
func TestScanError(t *testing.T) {
	fail := true
	v, loop := newTestView(t, Config{
		Scan: func(context.Context, []string, func(intake.Progress)) (*intake.Inventory, error) {
			if fail {
				return nil, errors.New("open /media/cdrom: permission denied")
			}
			return sampleInventory(), nil
		},
	})
	v.add([]string{"/media/cdrom"})
	loop.until(t, "the failed scan", idle(v))
	if !hasLabel(v.win, "Something went wrong while reading what you added") || !hasLabel(v.win, "permission denied") {
		t.Errorf("no clear error: %q", labels(v.win))
	}
	if v.inv != nil {
		t.Error("a failed scan added something")
	}
	fail = false
	v.add([]string{"/media/cdrom"})
	loop.until(t, "the second scan", idle(v))
	if !hasLabel(v.win, groupImaging) || hasLabel(v.win, "Something went wrong") {
		t.Errorf("retry did not recover: %q", labels(v.win))
	}
}

// TestSaveError: a failed save keeps the files listed and says the case was not saved.
func TestSaveError(t *testing.T) {
	st := &fakeStore{saveErr: errors.New("disk full")}
	v, loop := newTestView(t, Config{Store: st,
		Scan: func(context.Context, []string, func(intake.Progress)) (*intake.Inventory, error) {
			return sampleInventory(), nil
		}})
	v.add([]string{"/cd"})
	loop.until(t, "the scan", idle(v))
	if !hasLabel(v.win, groupImaging) || !hasLabel(v.win, "could not be saved") {
		t.Errorf("save error not shown: %q", labels(v.win))
	}
}

// TestRunnerThrottlesAndRecovers (d): the job runner throttles progress, never reports after done,
// and recovers from errors and panics.
func TestRunnerThrottlesAndRecovers(t *testing.T) {
	loop := newUILoop()
	r := newRunner(loop.post)
	var delivered []int
	var doneErr error
	done := false
	startJob(r, context.Background(), func(_ context.Context, report func(int)) (int, error) {
		for i := range 1000 {
			report(i)
		}
		time.Sleep(3 * r.Interval) // let the last value through
		return 0, errors.New("boom")
	}, func(p int) { delivered = append(delivered, p) }, func(_ int, err error) { doneErr, done = err, true })
	loop.until(t, "the first job", func() bool { return done })
	if len(delivered) == 0 || len(delivered) > 3 {
		t.Errorf("delivered %d progress updates (%v), want 1 to 3", len(delivered), delivered)
	} else if last := delivered[len(delivered)-1]; last != 999 {
		t.Errorf("last progress delivered = %d, want 999", last)
	}
	if doneErr == nil || doneErr.Error() != "boom" {
		t.Errorf("done error = %v", doneErr)
	}

	// A panic becomes an error; the runner keeps working.
	done = false
	startJob(r, context.Background(), func(context.Context, func(int)) (int, error) { panic("bad input") },
		nil, func(_ int, err error) { doneErr, done = err, true })
	loop.until(t, "the panicking job", func() bool { return done })
	if doneErr == nil || !strings.Contains(doneErr.Error(), "bad input") {
		t.Errorf("panic not turned into an error: %v", doneErr)
	}

	done = false
	var res int
	startJob(r, context.Background(), func(context.Context, func(int)) (int, error) { return 42, nil },
		nil, func(v int, err error) { res, doneErr, done = v, err, true })
	loop.until(t, "the good job", func() bool { return done })
	if res != 42 || doneErr != nil {
		t.Errorf("after errors: %d, %v", res, doneErr)
	}
}

// TestRunnerNoProgressAfterDone: progress is never delivered after done, even when reported from
// another goroutine at the end.
func TestRunnerNoProgressAfterDone(t *testing.T) {
	loop := newUILoop()
	r := newRunner(loop.post)
	done, late := false, false
	j := startJob(r, context.Background(), func(ctx context.Context, report func(int)) (int, error) {
		report(1)
		report(2) // scheduled for later: the job is done by then
		<-ctx.Done()
		return 0, ctx.Err()
	}, func(int) {
		if done {
			late = true
		}
	}, func(_ int, err error) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled job's error = %v", err)
		}
		done = true
	})
	j.Cancel()
	loop.until(t, "the job", func() bool { return done })
	loop.drain(3 * r.Interval)
	if late {
		t.Error("progress delivered after done")
	}
}

// TestRunnerCancelIgnoringWork: work that ignores cancellation still ends as cancelled, so its
// result is not applied.
func TestRunnerCancelIgnoringWork(t *testing.T) {
	loop := newUILoop()
	r := newRunner(loop.post)
	var got error
	done := false
	j := startJob(r, context.Background(), func(ctx context.Context, _ func(int)) (int, error) {
		time.Sleep(20 * time.Millisecond)
		return 1, nil
	}, nil, func(_ int, err error) { got, done = err, true })
	j.Cancel()
	loop.until(t, "the job", func() bool { return done })
	if !errors.Is(got, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", got)
	}
}

// TestInvTreeLarge: a large inventory builds its tree quickly.
func TestInvTreeLarge(t *testing.T) {
	inv := &intake.Inventory{}
	for i := range 20000 {
		inv.Items = append(inv.Items, &intake.Item{Path: fmt.Sprintf("/portal/doc%05d.pdf", i), Kind: intake.KindPDF, Size: 1000})
	}
	start := time.Now()
	tr := buildInvTree(inv)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("building the tree for 20,000 files took %v", d)
	}
	if len(tr.groups) != 1 || len(tr.children["docs"]) != 20000 {
		t.Errorf("groups %q, %d documents", tr.groups, len(tr.children["docs"]))
	}
}

func TestHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"/a/b/c.pdf":             "c.pdf",
		"/dl/x.zip!/inner/r.pdf": "r.pdf",
		`C:\\cd\\IM1`:            "IM1",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0 bytes", 1: "1 byte", 999: "999 bytes", 1500: "1.5 kB", 2_400_000: "2.4 MB", 900_000_000: "900 MB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
	if a, b := addedText(1), addedText(3); a != "Added 1 file to your case." || b != "Added 3 files to your case." {
		t.Errorf("addedText: %q, %q", a, b)
	}
	for n, want := range map[int]string{0: "0 files", 1: "1 file", 2: "2 files", 1234: "1,234 files"} {
		if got := fileCount(n); got != want {
			t.Errorf("fileCount(%d) = %q, want %q", n, got, want)
		}
	}
	if got := formatDate("2024-03-12"); got != "12 March 2024" {
		t.Errorf("formatDate = %q", got)
	}
}
