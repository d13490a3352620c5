package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/assets"
	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/bundle"
	"dossier/packager/checklist"
	"dossier/packager/deid"
	"dossier/packager/doctext"
	"dossier/packager/envelope"
	pexport "dossier/packager/export"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
	"dossier/packager/store"
	"dossier/ui/internal/kit"
	"dossier/ui/internal/uitest"
)

func init() { envelope.ScryptWorkFactor = 12 } // keep passphrase encryption fast in tests

// exportRecords are a breast case with a CD, reports, a phone photo (needs a decision at private
// levels), a report naming the patient, and a CD's autorun file (left out).
func exportRecords() map[string][]byte {
	files := map[string][]byte{
		"reports/path_2026.pdf": docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: invasive ductal carcinoma, left breast",
			"Immunohistochemistry: ER positive (Allred 8), PR positive (Allred 6),", "HER2 negative (IHC 1+). Ki-67 15%."),
		"reports/imaging.pdf": docfix.PDF("RADIOLOGY REPORT", "Bilateral mammogram and breast MRI with contrast.",
			"Findings: 22 mm mass in the left breast.", "Impression: BI-RADS 6."),
		"phone/IMG_0001.jpg": docfix.JPEG(800, 600),
		"reports/letter.pdf": docfix.PDF("Dear colleague,", "we saw Jane Doe, born 03/02/1961, today."),
		"CD/AUTORUN.INF":     []byte("[autorun]\nopen=viewer.exe\n"),
	}
	for i := 1; i <= 2; i++ {
		files["CD/DICOM/IM"+string(rune('0'+i))] = dcmfix.Instance(dcmfix.Spec{
			Modality: "MG", StudyUID: "1.2.826.0.1.3680043.10.1999.7", SeriesUID: "1.2.826.0.1.3680043.10.1999.7.1",
			InstanceNumber: i, StudyDate: "20260901", PatientName: "Doe^Jane", PatientID: "PID0001", BirthDate: "19610203",
		})
	}
	return files
}

// harness is a wizard on a case read from files, with a real store in a temporary data folder,
// in a test window.
type harness struct {
	w       *Wizard
	loop    *uiLoop
	st      *store.Store
	win     fyne.Window
	closed  bool
	sent    int
	folders []string // what "Show in folder" opened
	docs    []string // what "Open the cover summary" opened
}

func newHarness(t *testing.T, files map[string][]byte) *harness {
	t.Helper()
	test.NewTempApp(t)
	home := t.TempDir()
	t.Setenv("DOSSIER_HOME", home)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	inv, err := intake.Scan(ctx, []string{testtool.WriteTree(t, t.TempDir(), files)}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kase, err := st.CreateCase(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := checklist.Default()
	docs, err := checklist.Documents(ctx, inv, nil, doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rules.Evaluate(&checklist.Case{Cancer: "breast", Inventory: inv, Documents: docs})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{loop: &uiLoop{uitest.NewLoop()}, st: st, win: test.NewWindow(nil)}
	h.win.Resize(fyne.NewSize(1000, 1400))
	t.Cleanup(h.win.Close)
	h.w = New(pexport.Case{ID: kase.ID, Inventory: inv, Rules: rules, Report: rep}, Deps{
		Win: h.win, Run: kit.NewRunner(h.loop.post), Store: st,
		Now:          func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) },
		OnClose:      func() { h.closed = true },
		OnSent:       func() { h.sent++ },
		OpenFolder:   func(dir string) { h.folders = append(h.folders, dir) },
		OpenDocument: func(path string) { h.docs = append(h.docs, path) },
	})
	h.win.SetContent(h.w.Object())
	return h
}

// uiLoop is uitest.Loop with the names the tests of this package use.
type uiLoop struct{ *uitest.Loop }

func (l *uiLoop) post(f func()) { l.Post(f) }

func (l *uiLoop) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	l.Until(t, what, cond)
}

func (l *uiLoop) drain(d time.Duration) { l.Drain(d) }

var (
	walk       = uitest.Walk
	labels     = uitest.Labels
	hasLabel   = uitest.HasLabel
	findButton = uitest.FindButton
)

// walkToRecipient chooses pseudonymised, includes the photo, and stops at step 3.
func walkToRecipient(t *testing.T, h *harness) *Wizard {
	t.Helper()
	w := h.w
	if w.Step() != StepLevel {
		t.Fatal("the wizard did not open at its first step")
	}
	for i, l := range Levels {
		if w.levelRadios[i].Radio.Options[0] != LevelTitle(l) || !hasLabel(h.win, levelBody(l)[:40]) {
			t.Errorf("step 1 does not explain %s", l)
		}
	}
	if w.level != privacy.Identified {
		t.Errorf("preselected level = %s", w.level)
	}
	w.levelRadios[1].Radio.SetSelected("With a code name instead of my name")
	if w.level != privacy.Pseudonymised || w.levelRadios[0].Radio.Selected != "" {
		t.Fatalf("choosing pseudonymised: level %s, first radio %q", w.level, w.levelRadios[0].Radio.Selected)
	}
	test.Tap(w.next)
	h.loop.until(t, "the decisions", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	if !hasLabel(h.win, "Your decision is needed") || !hasLabel(h.win, "IMG_0001.jpg") || !hasLabel(h.win, "may show names") {
		t.Errorf("step 2 lacks the photo to decide on: %q", labels(h.win))
	}
	if !hasLabel(h.win, "Left out") || !hasLabel(h.win, "AUTORUN.INF") {
		t.Errorf("step 2 does not list what is left out: %q", labels(h.win))
	}
	var photo, letter string
	for _, d := range w.decisions {
		switch filepath.Base(d.Path) {
		case "IMG_0001.jpg":
			photo = d.Path
		case "letter.pdf":
			letter = d.Path
			// Redacted by default, as on the command line, with a way to see what is hidden.
			if d.Action != deid.Redact {
				t.Errorf("the letter naming the patient: %s %s", d.Action, d.Reason)
			} else if !hasLabel(h.win, "Sent with your details removed (1)") || findButton(h.win, "Check what is hidden") == nil {
				t.Errorf("no card of the letter sent redacted: %q", labels(h.win))
			}
		}
	}
	if photo == "" || letter == "" {
		t.Fatalf("decisions lack the photo or the letter: %+v", w.decisions)
	}
	w.decChoices[photo].Radio.SetSelected("Send it") // as the person clicks it
	if !w.include[photo] || w.include[letter] {
		t.Fatalf("include = %v", w.include)
	}
	test.Tap(w.next)
	if w.Step() != StepRecipient || !w.mode.Is(pexport.LockGenerated) || w.mode.Radio.Selected != "A passphrase Dossier makes for me (recommended)" {
		t.Fatalf("step 3: step %d, mode %q", w.Step(), w.mode.Radio.Selected)
	}
	if got := w.coverLanguage(); got != "en" || w.coverLang.Select.Selected != "English" || len(w.coverLang.Select.Options) < 2 {
		t.Errorf("cover language %q, offered %q", got, w.coverLang.Select.Options)
	}
	return w
}

// TestExport walks the five steps, with a passphrase Dossier makes: it is shown once, opens the
// bundle, and the photo chosen in step 2 is inside; the export is in the case's history.
func TestExport(t *testing.T) {
	h := newHarness(t, exportRecords())
	w := walkToRecipient(t, h)
	dest := t.TempDir()
	w.setDir(dest)
	w.name.SetText("second-opinion")
	test.Tap(w.next)
	if w.Step() != StepProgress {
		t.Fatalf("no progress step: %d %+v", w.Step(), w.errBox.Problem)
	}
	h.loop.until(t, "the export", func() bool { return w.packing == nil })
	if w.Step() != StepDone || h.sent != 1 {
		t.Fatalf("export did not finish: %+v", w.errBox.Problem)
	}
	res := w.Result()
	bundlePath := filepath.Join(dest, "second-opinion.age")
	for _, f := range []string{bundlePath, filepath.Join(dest, envelope.HowToName("second-opinion.age"))} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("not written: %v", err)
		}
	}
	if res.Passphrase == "" || !hasLabel(h.win, res.Passphrase) || !hasLabel(h.win, "shown only now") {
		t.Fatalf("the passphrase is not shown: %q", labels(h.win))
	}
	if !hasLabel(h.win, kit.FingerprintGroups(res.Fingerprint)) || !hasLabel(h.win, "second-opinion.age") {
		t.Errorf("done screen lacks the fingerprint or files: %q", labels(h.win))
	}
	// The photo was sent as it is ("Send it"): the done screen says so, and the code name only for the rest.
	if !hasLabel(h.win, "with your name or other details in them, as you chose: IMG_0001.jpg") ||
		!hasLabel(h.win, "Your other records carry the code "+res.Pseudonym) || hasLabel(h.win, "Your records carry the code") {
		t.Errorf("the done screen does not say the photo was sent with the name: %q", labels(h.win))
	}
	test.Tap(findButton(h.win, "Copy the passphrase"))
	if got := fyne.CurrentApp().Clipboard().Content(); got != res.Passphrase {
		t.Errorf("clipboard = %q", got)
	}
	test.Tap(findButton(h.win, "Show in folder"))
	if len(h.folders) != 1 || h.folders[0] != dest {
		t.Errorf("shown folders %q", h.folders)
	}

	// The passphrase shown opens it, and the photo chosen is inside.
	id, err := envelope.PassphraseIdentity(res.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(bundlePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := envelope.Decrypt(f, id)
	if err != nil {
		t.Fatalf("the passphrase shown does not open the bundle: %v", err)
	}
	rep, err := bundle.Verify(context.Background(), r, bundle.VerifyOptions{})
	if err != nil || rep.Fingerprint != res.Fingerprint || rep.Privacy != string(privacy.Pseudonymised) {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	if !slices.ContainsFunc(res.Items, func(it deid.Written) bool { return filepath.Base(it.Path) == "IMG_0001.jpg" }) {
		t.Errorf("the photo chosen is not in the bundle: %+v", res.Items)
	}
	if !slices.ContainsFunc(res.Items, func(it deid.Written) bool {
		return filepath.Base(it.Path) == "letter.pdf" && it.Action == deid.Redact
	}) {
		t.Errorf("the letter naming the patient is not in the bundle, redacted: %+v", res.Items)
	}
	es, err := h.st.Exports(context.Background(), w.in.ID)
	if err != nil || len(es) != 1 || es[0].Fingerprint != res.Fingerprint || es[0].Level != string(privacy.Pseudonymised) ||
		es[0].Recipient != pexport.RecipientGenerated {
		t.Fatalf("audit rows: %v %+v", err, es)
	}
	test.Tap(w.next) // back to my case
	if !h.closed {
		t.Error("the wizard did not close")
	}
}

func TestExportCancelLeavesNothing(t *testing.T) {
	h := newHarness(t, exportRecords())
	w := walkToRecipient(t, h)
	dest := t.TempDir()
	w.setDir(dest)
	var started atomic.Bool
	release := make(chan struct{})
	var once sync.Once
	w.packHook = func(bundle.Progress) {
		once.Do(func() {
			started.Store(true)
			<-release
		})
	}
	test.Tap(w.next)
	for deadline := time.Now().Add(10 * time.Second); !started.Load(); h.loop.drain(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the export to start")
		}
	}
	test.Tap(findButton(h.win, "Cancel"))
	close(release)
	h.loop.until(t, "the cancelled export", func() bool { return w.packing == nil })
	if w.Step() != StepRecipient || !strings.Contains(w.info.Text, "Nothing was saved") {
		t.Errorf("after cancel: step %d, %q, %+v", w.Step(), w.info.Text, w.errBox.Problem)
	}
	if entries, _ := os.ReadDir(dest); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("a cancelled export left %q", names)
	}
	if es, _ := h.st.Exports(context.Background(), w.in.ID); len(es) != 0 {
		t.Errorf("a cancelled export was recorded: %+v", es)
	}
}

func TestExportRecipientChoices(t *testing.T) {
	h := newHarness(t, exportRecords())
	w := walkToRecipient(t, h)
	w.setDir(t.TempDir())

	w.mode.Radio.SetSelected("A passphrase I choose")
	w.typed.SetText("cat dog")
	if w.strength.Importance != widget.DangerImportance || !strings.Contains(w.strength.Text, "too easy") {
		t.Errorf("weak passphrase feedback: %q", w.strength.Text)
	}
	test.Tap(w.next)
	if w.Step() != StepRecipient || !w.errBox.Object.Visible() || !strings.Contains(w.errBox.What.Text, "too easy") {
		t.Errorf("a weak passphrase was accepted: %+v", w.errBox.Problem)
	}

	w.mode.SetValue(pexport.LockKeys)
	w.pasted.SetText("AGE-SECRET-KEY-1XYZ")
	if !strings.Contains(w.keyCheck.Text, "private key") || strings.Contains(w.keyCheck.Text, "XYZ") {
		t.Errorf("private key pasted: %q", w.keyCheck.Text)
	}
	_, pub := envelope.GenerateX25519()
	if err := h.st.SaveCentre(context.Background(), &store.Centre{Name: "Tumour Board", Keys: []string{pub}}); err != nil {
		t.Fatal(err)
	}
	w.pasted.SetText("")
	w.show(StepRecipient) // reload the centres
	h.loop.until(t, "the centres", func() bool { return len(w.centres) == 1 })
	w.centreSel.SetSelected("Tumour Board")
	w.split.Select.SetSelected("Pieces of a size I choose")
	if !w.customSize.Visible() {
		t.Error("no field for the size of the pieces")
	}
	w.customSize.SetText("lots")
	test.Tap(w.next)
	if w.Step() != StepRecipient || !strings.Contains(w.errBox.What.Text, "size") {
		t.Errorf("a bad size was accepted: %+v", w.errBox.Problem)
	}
	w.split.SetValue(splitMail)
	ch, err := w.choices()
	if err != nil {
		t.Fatal(err)
	}
	o, label, err := ch.Output()
	if err != nil || label != "Tumour Board" || len(o.Recipients) != 1 || o.Split != 20_000_000 {
		t.Errorf("centre output: %v %q %+v", err, label, o)
	}

	w.mode.SetValue(pexport.LockNone)
	if !w.usbWarning.Visible() || !hasLabel(h.win, "Anyone who finds this USB stick") || !w.split.Select.Disabled() || !w.split.Is(splitNone) {
		t.Error("no warning for an unlocked copy, or it could be split")
	}
	test.Tap(w.next)
	h.loop.until(t, "the folder export", func() bool { return w.packing == nil })
	if w.Step() != StepDone || !w.Result().Output.Folder {
		t.Fatalf("folder export: %+v", w.errBox.Problem)
	}
	out := w.Result().Output
	if _, err := os.Stat(filepath.Join(out.Dir, out.Name, bundle.NameCover)); err != nil {
		t.Error(err)
	}
	if b := findButton(h.win, "Open the cover summary"); b == nil {
		t.Error("no button to open the cover summary")
	} else if test.Tap(b); len(h.docs) != 1 || h.docs[0] != filepath.Join(out.Dir, out.Name, bundle.NameCover) {
		t.Errorf("the button opened %q", h.docs)
	}
	if es, _ := h.st.Exports(context.Background(), w.in.ID); len(es) != 1 || es[0].Recipient != pexport.RecipientFolder {
		t.Errorf("audit rows: %+v", es)
	}
}

// TestExportMarkup keeps the markup of the wizard's first and third steps (testdata/*.xml; on a
// deliberate change, copy testdata/failed/*.xml over them).
func TestExportMarkup(t *testing.T) {
	h := newHarness(t, exportRecords())
	w := walkToRecipient(t, h)
	w.setDir("/records/out")
	for _, step := range []Step{StepLevel, StepRecipient} {
		w.show(step)
		win := test.NewWindow(w.object)
		win.Resize(fyne.NewSize(1000, 900))
		test.AssertRendersToMarkup(t, fmt.Sprintf("export_step%d.xml", step), win.Canvas())
		win.Close()
	}
}

// manyReviewWizard is step 2 for n ultrasound images that all need a decision and n files left out,
// in a window of its own.
func manyReviewWizard(t testing.TB, n int) (*Wizard, fyne.Window) {
	w := &Wizard{decScreen: container.NewVBox(), include: map[string]bool{}, planLevel: privacy.Pseudonymised}
	for i := 0; i < n; i++ {
		it := &intake.Item{Path: fmt.Sprintf("/cd/US/IM%05d", i), Kind: intake.KindDICOM, Modality: "US", BurnedIn: true}
		w.decisions = append(w.decisions, deid.Decision{Item: it, Path: it.Path, Action: deid.Review,
			Reason: i18n.NewText("this kind of image (ultrasound, screenshot, scanned document, or marked as such) may show identity inside the picture, which cannot be removed automatically")})
		sk := &intake.Item{Path: fmt.Sprintf("/cd/VIEWER/LIB%05d.DLL", i), Kind: intake.KindSkipped, Reason: i18n.NewText("part of a viewer program on the disc, not a record")}
		w.decisions = append(w.decisions, deid.Decision{Item: sk, Path: sk.Path, Action: deid.Exclude, Reason: i18n.NewText("skipped when reading: %s", sk.Reason)})
	}
	letter := &intake.Item{Path: "/portal/letter.pdf", Kind: intake.KindPDF, Format: "pdf"}
	w.decisions = append(w.decisions, deid.Decision{Item: letter, Path: letter.Path, Action: deid.Review, Reason: i18n.NewText("its text mentions the patient (name)")})
	win := test.NewWindow(container.NewVScroll(w.decScreen))
	win.Resize(fyne.NewSize(1000, 700))
	w.win = win
	return w, win
}

// Hundreds of files with the same reason are one card: a choice for all of them and a list that
// draws only the rows in view, each with its own tick. A file with a reason of its own keeps its card.
func TestStepTwoManyFiles(t *testing.T) {
	test.NewTempApp(t)
	w, win := manyReviewWizard(t, 600)
	defer win.Close()
	w.fillDecisions()
	if len(w.decChoices) != 1 || w.decChoices["/portal/letter.pdf"] == nil {
		t.Fatalf("cards of their own: %d", len(w.decChoices))
	}
	if !hasLabel(win, "600 files, for the same reason") || !hasLabel(win, "Left out (600)") {
		t.Errorf("step 2: %q", labels(win))
	}
	var lists []*widget.List
	var all *kit.RadioGroup
	walk(w.decScreen, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.List:
			lists = append(lists, o)
		case *kit.RadioGroup:
			if slices.Contains(o.Options, "Send all of them") {
				all = o
			}
		}
	})
	if len(lists) != 2 || all == nil {
		t.Fatalf("%d lists, choice for all %v", len(lists), all != nil)
	}
	if all.Selected != "Leave them all out" {
		t.Errorf("the group starts as %q, want everything left out", all.Selected)
	}
	// Sending all of them asks first: cancelled, nothing is sent and the choice goes back.
	all.SetSelected("Send all of them")
	if len(w.include) != 0 || !hasLabel(win, "Send all 600 files?") {
		t.Fatalf("send all did not ask: %d included, %q", len(w.include), labels(win))
	}
	test.Tap(findButton(win, "Cancel"))
	if len(w.include) != 0 || all.Selected != "Leave them all out" {
		t.Fatalf("cancelled: %d included, choice %q", len(w.include), all.Selected)
	}
	// By keyboard: the dialog's buttons are the app's own (Fyne's answer Space only), so Enter on
	// the focused confirm button sends them all.
	all.SetSelected("Send all of them")
	var yes *kit.Button
	for _, o := range uitest.Shown(win) {
		if b, ok := o.(*kit.Button); ok && b.Text == "Send them all" {
			yes = b
		}
	}
	if yes == nil {
		t.Fatalf("no keyboard button 'Send them all' in %q", labels(win))
	}
	win.Canvas().Focus(yes)
	yes.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(w.include) != 600 || all.Selected != "Send all of them" {
		t.Fatalf("send all: %d included, choice %q", len(w.include), all.Selected)
	}
	// A row chosen in the list is shown in full; so is a file left out.
	count := func(text string) int {
		n := 0
		for _, l := range labels(win) {
			if l == text {
				n++
			}
		}
		return n
	}
	lists[0].Select(3)
	if count("IM00003 (US image)") != 2 { // the row, and the row in full below the list
		t.Errorf("the chosen row is not shown: %q", labels(win))
	}
	lists[1].Select(5)
	if !hasLabel(win, "LIB00005.DLL — skipped when reading: part of a viewer program on the disc, not a record") {
		t.Errorf("the chosen left-out file is not shown: %q", labels(win))
	}
	// Untick the first file in the list: the choice for all shows that it is mixed now.
	win.Canvas().(test.WindowlessCanvas).Capture()
	var first *widget.Check
	walk(lists[0], func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Check); ok && first == nil {
			first = c
		}
	})
	if first == nil || !first.Checked {
		t.Fatalf("first tick %v", first)
	}
	test.Tap(first)
	if w.include["/cd/US/IM00000"] || len(w.include) != 599 || all.Selected != "" {
		t.Errorf("after unticking one: %d included, choice for all %q", len(w.include), all.Selected)
	}
	all.SetSelected("Leave them all out")
	if len(w.include) != 0 || first.Checked {
		t.Errorf("leave all out: %d included, first ticked %v", len(w.include), first.Checked)
	}
}

// A HEIC photo that cannot be cleaned in place is left out with its reason,
// and step 2 offers to convert it; ticking the choice plans again with the
// user's consent, and the photo is then tried with the converter (without
// one, the reason says what to install).
func TestStepTwoConvertHEIC(t *testing.T) {
	files := exportRecords()
	files["phone/IMG_0002.heic"] = docfix.HEIC(docfix.HEICParts{Exif: docfix.PlantedName, Extra: "uuid"})
	h := newHarness(t, files)
	w := h.w
	w.levelRadios[1].SetValue(privacy.Pseudonymised)
	test.Tap(w.next)
	h.loop.until(t, "the decisions", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	heic := func() deid.Decision {
		for _, d := range w.decisions {
			if filepath.Base(d.Path) == "IMG_0002.heic" {
				return d
			}
		}
		t.Fatal("the HEIC photo is not planned")
		return deid.Decision{}
	}
	if d := heic(); d.Action != deid.Exclude || d.Reason.String() != deid.ReasonHEICConvert() {
		t.Fatalf("before consent: %+v", d)
	}
	var check *widget.Check
	walk(w.decScreen, func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Check); ok && strings.HasPrefix(c.Text, "Convert my HEIC") {
			check = c
		}
	})
	if check == nil {
		t.Fatalf("no choice to convert HEIC photos: %q", labels(h.win))
	}
	test.Tap(check)
	if !w.convertHEIC {
		t.Fatal("ticking did not record the consent")
	}
	h.loop.until(t, "the decisions again", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	d := heic()
	if deid.HEICConverter() == "" {
		if d.Action != deid.Exclude || d.Reason.String() != deid.ErrNoHEICConverter.Error() {
			t.Errorf("with consent, no converter: %+v", d)
		}
	} else if d.Action != deid.Exclude || d.Reason.String() != deid.ReasonHEICUnconvertible() {
		// The fixture's picture is not real HEVC, so the converter tried
		// and could not read it (deid's tests convert a real photo).
		t.Errorf("with consent: %+v", d)
	}
	if ch, err := w.choices(); err != nil || !ch.ConvertHEIC {
		t.Errorf("the consent does not reach the export: %+v", ch)
	}
}

// A document that will be redacted has a card in step 2 with a place for the redaction preview,
// and the boxes the preview confirms reach the export's choices.
func TestStepTwoRedactionSeam(t *testing.T) {
	test.NewTempApp(t)
	w := &Wizard{decScreen: container.NewVBox(), include: map[string]bool{}, redactions: map[string]*deid.Redactions{},
		planLevel: privacy.Pseudonymised}
	report := &intake.Item{Path: "/r/pathology.pdf", Kind: intake.KindPDF, Format: "pdf"}
	w.decisions = []deid.Decision{{Item: report, Path: report.Path, Action: deid.Redact}}
	var asked []string
	w.preview = func(d deid.Decision) fyne.CanvasObject {
		asked = append(asked, d.Path)
		return widget.NewButton("Preview", nil)
	}
	win := test.NewWindow(container.NewVScroll(w.decScreen))
	defer win.Close()
	w.fillDecisions()
	if !hasLabel(win, "Sent with your details removed (1)") || !hasLabel(win, "pathology.pdf") || findButton(win, "Preview") == nil ||
		!slices.Equal(asked, []string{report.Path}) {
		t.Errorf("the redacted document's card: %q, preview asked for %q", labels(win), asked)
	}
	boxes := &deid.Redactions{Pixels: []pixelmask.Box{{X: 10, Y: 10, Width: 50, Height: 20}}, Confirmed: true}
	w.setRedactions(report.Path, boxes)
	w.name, w.dir = widget.NewEntry(), "/out"
	w.name.SetText("case")
	w.mode = kit.NewRadio(locks, lockLabel, nil)
	w.mode.SetValue(pexport.LockNone)
	w.split = kit.NewSelect([]splitChoice{splitNone}, splitLabel, nil)
	ch, err := w.choices()
	if err != nil || ch.Redactions[report.Path] != boxes {
		t.Errorf("the boxes do not reach the export: %v %+v", err, ch.Redactions)
	}
	w.setRedactions(report.Path, nil)
	if ch, _ := w.choices(); len(ch.Redactions) != 0 {
		t.Errorf("boxes removed are still sent: %+v", ch.Redactions)
	}
}

// The time left is said in whole minutes or hours, never "1 minutes".
func TestTimeLeft(t *testing.T) {
	for _, tc := range []struct {
		left time.Duration
		want string
	}{
		{5 * time.Second, "Almost done."},
		{40 * time.Second, "Less than a minute left."},
		{70 * time.Second, "About a minute left."},
		{89 * time.Second, "About a minute left."},
		{100 * time.Second, "About 2 minutes left."},
		{45 * time.Minute, "About 45 minutes left."},
		{3 * time.Hour, "About 3 hours left."},
	} {
		// Half the bytes written in the time elapsed: as much time is left.
		if got := timeLeft(tc.left, 50, 100); got != tc.want {
			t.Errorf("%v left: %q, want %q", tc.left, got, tc.want)
		}
	}
	if got := timeLeft(0, 0, 100); got != "Working out how long this takes…" {
		t.Errorf("at the start: %q", got)
	}
}

// TestDoneSaysWhatWasSentNamed: at a private level, the done screen never says the identity is withheld
// from a document the user chose to send as it is; it names those documents, like the cover does. A
// photo sent with the boxes she confirmed over her details is not one of them.
func TestDoneSaysWhatWasSentNamed(t *testing.T) {
	test.NewTempApp(t)
	letter := deid.Written{Path: "/records/reports/letter.pdf", Name: "DOCS/DOC0001.PDF", Action: deid.Redact}
	photo := deid.Written{Path: "/records/phone/IMG_0001.jpg", Name: "DOCS/IMG0001.JPG", Action: deid.Copy, Included: true}
	boxed := photo
	boxed.Redacted = []deid.Redaction{{Kind: deid.KindPictureBoxes, Count: 1}}
	for _, tc := range []struct {
		name      string
		level     privacy.Level
		pseudonym string
		items     []deid.Written
		want      []string
		not       []string
	}{
		{"pseudonymised, nothing sent as it is", privacy.Pseudonymised, "PX-7Q2K", []deid.Written{letter},
			[]string{"Your records carry the code PX-7Q2K instead of your name."}, []string{"as you chose", "Your other records"}},
		{"pseudonymised, the photo sent as it is", privacy.Pseudonymised, "PX-7Q2K", []deid.Written{letter, photo},
			[]string{"Sent as they are, with your name or other details in them, as you chose: IMG_0001.jpg.", "Your other records carry the code PX-7Q2K"},
			[]string{"Your records carry the code", "letter.pdf"}},
		{"pseudonymised, the photo sent with the boxes she confirmed", privacy.Pseudonymised, "PX-7Q2K", []deid.Written{letter, boxed},
			[]string{"Your records carry the code PX-7Q2K instead of your name."}, []string{"as you chose", "IMG_0001.jpg"}},
		{"anonymised, the photo sent as it is", privacy.Anonymised, "", []deid.Written{letter, photo},
			[]string{"as you chose: IMG_0001.jpg."}, []string{"carry the code"}},
		{"identified", privacy.Identified, "", []deid.Written{{Path: "/records/phone/IMG_0001.jpg", Name: "DOCS/IMG0001.JPG", Action: deid.Copy, Included: true}},
			nil, []string{"as you chose", "carry the code"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &Wizard{result: &pexport.Result{Result: &bundle.Result{Name: "b.age", Files: []string{"/out/b.age"}, Privacy: tc.level, Items: tc.items},
				Pseudonym: tc.pseudonym, Recipient: "Dr Who", Output: bundle.Output{Dir: "/out"}}}
			win := test.NewWindow(w.buildDone())
			defer win.Close()
			for _, s := range tc.want {
				if !hasLabel(win, s) {
					t.Errorf("the done screen lacks %q: %q", s, labels(win))
				}
			}
			for _, s := range tc.not {
				if hasLabel(win, s) {
					t.Errorf("the done screen says %q: %q", s, labels(win))
				}
			}
		})
	}
}

// TestChineseRunningTextWraps: in Chinese, the wizard's running text carries the break marks that
// let a line break between characters but not inside a Latin word (kit.NewWrapLabel).
func TestChineseRunningTextWraps(t *testing.T) {
	t.Setenv("LANGUAGE", "zh_CN")
	if err := lang.AddTranslationsFS(assets.UITranslations, assets.UITranslationsDir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Setenv("LANGUAGE", "")
		lang.AddTranslationsFS(assets.UITranslations, assets.UITranslationsDir)
	})
	if kit.Language() != "zh-Hans" {
		t.Fatalf("the UI is in %q", kit.Language())
	}
	h := newHarness(t, exportRecords())
	marked := 0
	for _, o := range test.LaidOutObjects(h.w.Object()) {
		if l, ok := o.(*widget.Label); ok && l.Wrapping == fyne.TextWrapWord && strings.ContainsRune(l.Text, kit.BreakMark) {
			marked++
		}
	}
	if marked == 0 {
		t.Error("no label of the first step carries break marks in Chinese")
	}
}

// The steps' radio buttons work by keyboard: the arrows move between the levels of step 1 (four
// panels, one choice) without choosing, Space chooses, and Enter goes on to the next step keeping
// the choice; in step 2, Enter on a file's Send/Leave out goes on likewise.
func TestRadiosByKeyboard(t *testing.T) {
	h := newHarness(t, exportRecords())
	w, c := h.w, h.win.Canvas()
	key := func(name fyne.KeyName) { c.Focused().TypedKey(&fyne.KeyEvent{Name: name}) }
	first := w.levelRadios[0].Radio.Items()[0]
	c.Focus(first)
	key(fyne.KeyDown)
	if c.Focused() != w.levelRadios[1].Radio.Items()[0] {
		t.Fatal("Down on the first level did not move to the second")
	}
	key(fyne.KeyDown)
	key(fyne.KeyUp)
	if w.level != privacy.Identified || c.Focused() != w.levelRadios[1].Radio.Items()[0] {
		t.Fatalf("moving chose %s", w.level)
	}
	c.Focused().TypedRune(' ')
	if w.level != privacy.Pseudonymised || w.levelRadios[0].Radio.Selected != "" {
		t.Fatalf("Space chose %s", w.level)
	}
	c.Focused().TypedRune(' ') // again: the level stays chosen
	key(fyne.KeyReturn)
	if w.Step() != StepDecisions || w.level != privacy.Pseudonymised {
		t.Fatalf("Enter on a level: step %d, level %s", w.Step(), w.level)
	}
	h.loop.until(t, "the decisions", func() bool { return w.plan == nil && len(w.decChoices) > 0 })
	for _, ch := range w.decChoices {
		before := ch.Radio.Selected
		c.Focus(ch.Radio.Items()[0])
		key(fyne.KeyRight)
		key(fyne.KeyReturn)
		if ch.Radio.Selected != before || w.Step() != StepRecipient {
			t.Fatalf("Enter on a decision: step %d, choice %q (was %q)", w.Step(), ch.Radio.Selected, before)
		}
		break
	}
}
