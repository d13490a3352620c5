package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/internal/fixture/docfix"
	"dossier/packager/bundle"
	"dossier/packager/deid"
	"dossier/packager/envelope"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/privacy"
	"dossier/packager/store"
)

func init() { envelope.ScryptWorkFactor = 12 } // keep passphrase encryption fast in tests

// The fake store's export methods: enough for the screens that do not export.
func (s *fakeStore) Pseudonym(context.Context, int64) (string, []byte, error) {
	return "DOSSIER-TEST-0001", make([]byte, privacy.SecretSize), nil
}
func (s *fakeStore) AddExport(context.Context, *store.Export) error          { return nil }
func (s *fakeStore) Exports(context.Context, int64) ([]*store.Export, error) { return nil, nil }
func (s *fakeStore) Centres(context.Context) ([]*store.Centre, error)        { return nil, nil }
func (s *fakeStore) SaveCentre(context.Context, *store.Centre) error         { return nil }
func (s *fakeStore) DeleteCentre(context.Context, int64) error               { return nil }

// realStore is the app's store as main.go adapts it.
type realStore struct{ *store.Store }

func (r realStore) CreateCase(ctx context.Context, name string) (int64, error) {
	c, err := r.Store.CreateCase(ctx, name)
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// exportRecords are a breast case with a CD, reports, a phone photo (needs a decision at private
// levels), a report naming the patient, and a CD's autorun file (left out).
func exportRecords() map[string][]byte {
	files := breastReports()
	for k, v := range mammograms() {
		files[k] = v
	}
	files["phone/IMG_0001.jpg"] = docfix.JPEG(800, 600)
	files["reports/letter.pdf"] = docfix.PDF("Dear colleague,", "we saw Jane Doe, born 03/02/1961, today.")
	files["CD/AUTORUN.INF"] = []byte("[autorun]\nopen=viewer.exe\n")
	return files
}

// newExportView drops the records into a new case with a real store in a temporary data folder.
func newExportView(t *testing.T) (*mainView, *uiLoop, realStore) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("DOSSIER_HOME", home)
	st, err := store.Open(context.Background(), filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rs := realStore{st}
	v, loop := newTestView(t, Config{Store: rs, Scan: realScan, Paths: []string{writeFiles(t, exportRecords())}})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	return v, loop, rs
}

// walkToRecipient opens the wizard, chooses pseudonymised, includes the photo, and stops at step 3.
func walkToRecipient(t *testing.T, v *mainView, loop *uiLoop) *exportWizard {
	t.Helper()
	test.Tap(mustButton(t, v, "Send to a specialist…"))
	w := v.wizard
	if w == nil || w.step != stepLevel {
		t.Fatal("the wizard did not open at its first step")
	}
	for i, lt := range levelText {
		if w.levelRadios[i].Options[0] != lt.title || !hasLabel(v.win, lt.body[:40]) {
			t.Errorf("step 1 does not explain %s", lt.level)
		}
	}
	if w.level != privacy.Identified {
		t.Errorf("preselected level = %s", w.level)
	}
	w.levelRadios[1].SetSelected(levelText[1].title)
	if w.level != privacy.Pseudonymised || w.levelRadios[0].Selected != "" {
		t.Fatalf("choosing pseudonymised: level %s, first radio %q", w.level, w.levelRadios[0].Selected)
	}
	test.Tap(w.next)
	loop.until(t, "the decisions", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	if !hasLabel(v.win, "Your decision is needed") || !hasLabel(v.win, "IMG_0001.jpg") || !hasLabel(v.win, "may show names") {
		t.Errorf("step 2 lacks the photo to decide on: %q", labels(v.win))
	}
	if !hasLabel(v.win, "Left out") || !hasLabel(v.win, "AUTORUN.INF") {
		t.Errorf("step 2 does not list what is left out: %q", labels(v.win))
	}
	var photo, letter string
	for _, d := range w.decisions {
		switch filepath.Base(d.Path) {
		case "IMG_0001.jpg":
			photo = d.Path
		case "letter.pdf":
			letter = d.Path
			if d.Action != deid.Review {
				t.Errorf("the letter naming the patient: %s %s", d.Action, d.Reason)
			} else if !hasLabel(v.win, "Jane Doe") {
				t.Errorf("no excerpt of the letter shown: %q", labels(v.win))
			}
		}
	}
	if photo == "" || letter == "" {
		t.Fatalf("decisions lack the photo or the letter: %+v", w.decisions)
	}
	w.decChoices[photo].SetSelected(choiceSend)
	if !w.include[photo] || w.include[letter] {
		t.Fatalf("include = %v", w.include)
	}
	test.Tap(w.next)
	if w.step != stepRecipient || w.mode.Selected != keyGenerated {
		t.Fatalf("step 3: step %d, mode %q", w.step, w.mode.Selected)
	}
	if got := w.coverLanguage(); got != "en" || w.coverLang.Selected != "English" || len(w.coverLang.Options) < 2 {
		t.Errorf("cover language %q, offered %q", got, w.coverLang.Options)
	}
	return w
}

func TestExportAndOpen(t *testing.T) {
	v, loop, st := newExportView(t)
	w := walkToRecipient(t, v, loop)
	dest := t.TempDir()
	w.setDir(dest)
	w.name.SetText("second-opinion")
	test.Tap(w.next)
	if w.step != stepProgress {
		t.Fatalf("no progress step: %d %q", w.step, w.errBox.p)
	}
	loop.until(t, "the export", func() bool { return w.packing == nil })
	if w.step != stepDone {
		t.Fatalf("export did not finish: %+v", w.errBox.p)
	}

	bundlePath := filepath.Join(dest, "second-opinion.age")
	for _, f := range []string{bundlePath, filepath.Join(dest, envelope.HowToName("second-opinion.age"))} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("not written: %v", err)
		}
	}
	if w.result.Passphrase == "" || !hasLabel(v.win, w.result.Passphrase) || !hasLabel(v.win, "shown only now") {
		t.Fatalf("the passphrase is not shown: %q", labels(v.win))
	}
	if !hasLabel(v.win, fingerprintGroups(w.result.Fingerprint)) || !hasLabel(v.win, "second-opinion.age") {
		t.Errorf("done screen lacks the fingerprint or files: %q", labels(v.win))
	}
	test.Tap(mustButton(t, v, "Copy the passphrase"))
	if got := v.app.Clipboard().Content(); got != w.result.Passphrase {
		t.Errorf("clipboard = %q", got)
	}
	mustButton(t, v, "Show in folder")

	// The passphrase shown opens it, and the photo chosen is inside.
	id, err := envelope.PassphraseIdentity(w.result.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := openBundle(context.Background(), bundlePath, []age.Identity{id}, "", nil)
	if err != nil {
		t.Fatalf("the passphrase shown does not open the bundle: %v", err)
	}
	if rep.Fingerprint != w.result.Fingerprint || rep.Privacy != "pseudonymised" {
		t.Errorf("verify: %+v", rep)
	}
	if !slices.ContainsFunc(rep.Names, func(n string) bool { return strings.HasSuffix(n, ".JPG") }) {
		t.Errorf("the photo chosen is not in the bundle: %q", rep.Names)
	}

	// An audit row, shown in the case's history.
	es, err := st.Exports(context.Background(), v.caseID)
	if err != nil || len(es) != 1 || es[0].Fingerprint != w.result.Fingerprint || es[0].Level != "pseudonymised" {
		t.Fatalf("audit rows: %v %+v", err, es)
	}
	test.Tap(w.next) // back to my case
	if v.wizard != nil {
		t.Error("the wizard is still open")
	}
	loop.until(t, "the history", func() bool { return len(v.history.rows) == 1 })
	if got := historyDetail(v.history.rows[0]); !strings.Contains(got, "generated passphrase") || !strings.Contains(got, "code name") {
		t.Errorf("history row: %q", got)
	}
	// The code name the centre's reply will quote, in the Sent tab and on the case, with Copy.
	code, _, _ := st.Pseudonym(context.Background(), v.caseID)
	loop.until(t, "the code name", func() bool { return v.history.code.code != "" })
	if !strings.HasPrefix(code, "DOSSIER-") || v.history.code.code != code || !v.history.code.object.Visible() {
		t.Errorf("the Sent tab shows code %q, the case has %q", v.history.code.code, code)
	}
	if !hasLabel(v.win, "Code name of your records: "+code) {
		t.Errorf("the case screen does not show the code name: %q", labels(v.win))
	}
	test.Tap(findButtonIn(t, v.history.code.object, "Copy the code name"))
	if got := v.app.Clipboard().Content(); got != code {
		t.Errorf("copied %q", got)
	}

	// The receiving side: a wrong passphrase first, then the right one.
	v.showOpen(bundlePath)
	o := v.opener
	out := filepath.Join(t.TempDir(), "received")
	o.setDest(out)
	o.pass.SetText("not-the-right-words-at-all")
	test.Tap(o.start)
	loop.until(t, "the wrong passphrase", func() bool { return o.job == nil })
	if !o.errBox.object.Visible() || !strings.Contains(o.errBox.title.Text, "does not open") {
		t.Errorf("wrong passphrase: %+v", o.errBox.p)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a wrong passphrase left files: %v", entries)
	}
	o.pass.SetText(w.result.Passphrase)
	test.Tap(o.start)
	loop.until(t, "the opening", func() bool { return o.job == nil })
	if o.report == nil {
		t.Fatalf("not opened: %+v", o.errBox.p)
	}
	if !hasLabel(v.win, fingerprintGroups(w.result.Fingerprint)) || !hasLabel(v.win, "complete and intact") {
		t.Errorf("result screen: %q", labels(v.win))
	}
	if _, err := os.Stat(filepath.Join(out, bundle.NameCover)); err != nil {
		t.Errorf("not extracted: %v", err)
	}
	// A computer with no PDF viewer: the failure is reported, with the first page shown here and
	// "Show in folder" offered.
	opened := []string{}
	systemOpen = func(p string) error { opened = append(opened, p); return errors.New("no viewer") }
	t.Cleanup(func() { systemOpen = openWithSystem })
	test.Tap(mustButton(t, v, "Open the cover summary"))
	loop.until(t, "the cover's first page", func() bool {
		return hasLabel(v.win, "The first page, as a picture") || hasLabel(v.win, "The text of the first page")
	})
	if !hasLabel(v.win, "No program on this computer opened "+bundle.NameCover) || findButton(v.win, "Show in folder") == nil {
		t.Errorf("the failure is not reported: %q", labels(v.win))
	}
	if len(opened) != 1 || filepath.Base(opened[0]) != bundle.NameCover {
		t.Errorf("opened %q", opened)
	}
	if _, err := exec.LookPath("pdftoppm"); err == nil && !hasLabel(v.win, "The first page, as a picture") {
		t.Error("pdftoppm is installed but the first page is not shown as a picture")
	}
	test.Tap(findButton(v.win, "Show in folder"))
	loop.until(t, "the folder's failure", func() bool { return hasLabel(v.win, "No file manager opened the folder") })
	if !hasLabel(v.win, out) {
		t.Errorf("the folder is not named: %q", labels(v.win))
	}
	for _, o := range v.win.Canvas().Overlays().List() {
		v.win.Canvas().Overlays().Remove(o)
	}

	// A damaged bundle.
	b, _ := os.ReadFile(bundlePath)
	damaged := filepath.Join(t.TempDir(), "damaged.age")
	os.WriteFile(damaged, b[:len(b)-100], 0o644)
	v.showOpen(damaged)
	o = v.opener
	o.what.SetSelected(openCheckOnly)
	o.pass.SetText(w.result.Passphrase)
	test.Tap(o.start)
	loop.until(t, "the damaged bundle", func() bool { return o.job == nil })
	if !strings.Contains(o.errBox.title.Text, "damaged") {
		t.Errorf("damaged bundle: %+v", o.errBox.p)
	}
}

func TestExportCancelLeavesNothing(t *testing.T) {
	v, loop, st := newExportView(t)
	w := walkToRecipient(t, v, loop)
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
	for deadline := time.Now().Add(10 * time.Second); !started.Load(); loop.drain(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the export to start")
		}
	}
	test.Tap(mustButton(t, v, "Cancel"))
	close(release)
	loop.until(t, "the cancelled export", func() bool { return w.packing == nil })
	if w.step != stepRecipient || !strings.Contains(w.info.Text, "Nothing was saved") {
		t.Errorf("after cancel: step %d, %q, %+v", w.step, w.info.Text, w.errBox.p)
	}
	if entries, _ := os.ReadDir(dest); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("a cancelled export left %q", names)
	}
	if es, _ := st.Exports(context.Background(), v.caseID); len(es) != 0 {
		t.Errorf("a cancelled export was recorded: %+v", es)
	}
}

func TestExportRecipientChoices(t *testing.T) {
	v, loop, st := newExportView(t)
	w := walkToRecipient(t, v, loop)
	w.setDir(t.TempDir())

	w.mode.SetSelected(keyTyped)
	w.typed.SetText("cat dog")
	if w.strength.Importance != widget.DangerImportance || !strings.Contains(w.strength.Text, "too easy") {
		t.Errorf("weak passphrase feedback: %q", w.strength.Text)
	}
	test.Tap(w.next)
	if w.step != stepRecipient || !w.errBox.object.Visible() {
		t.Errorf("a weak passphrase was accepted")
	}

	w.mode.SetSelected(keyCentre)
	w.pasted.SetText("AGE-SECRET-KEY-1XYZ")
	if !strings.Contains(w.keyCheck.Text, "private key") || strings.Contains(w.keyCheck.Text, "XYZ") {
		t.Errorf("private key pasted: %q", w.keyCheck.Text)
	}
	_, pub := envelope.GenerateX25519()
	if err := st.SaveCentre(context.Background(), &store.Centre{Name: "Tumour Board", Keys: []string{pub}}); err != nil {
		t.Fatal(err)
	}
	w.pasted.SetText("")
	w.show(stepRecipient) // reload the centres
	loop.until(t, "the centres", func() bool { return len(w.centres) == 1 })
	w.centreSel.SetSelected("Tumour Board")
	w.split.SetSelected(splitCustom)
	w.customSize.SetText("lots")
	test.Tap(w.next)
	if w.step != stepRecipient || !strings.Contains(w.errBox.what.Text, "size") {
		t.Errorf("a bad size was accepted: %+v", w.errBox.p)
	}
	w.split.SetSelected(splitMail)
	ch, err := w.choices()
	if err != nil {
		t.Fatal(err)
	}
	o, label, err := ch.Output()
	if err != nil || label != "Tumour Board" || len(o.Recipients) != 1 || o.Split != 20_000_000 {
		t.Errorf("centre output: %v %q %+v", err, label, o)
	}

	w.mode.SetSelected(keyFolder)
	if !w.usbWarning.Visible() || !hasLabel(v.win, "Anyone who finds this USB stick") {
		t.Error("no warning for an unlocked copy")
	}
	test.Tap(w.next)
	loop.until(t, "the folder export", func() bool { return w.packing == nil })
	if w.step != stepDone || !w.result.Output.Folder {
		t.Fatalf("folder export: %+v", w.errBox.p)
	}
	if _, err := os.Stat(filepath.Join(w.result.Output.Dir, w.result.Output.Name, bundle.NameCover)); err != nil {
		t.Error(err)
	}
	mustButton(t, v, "Open the cover summary")
}

func TestSettings(t *testing.T) {
	v, loop, st := newExportView(t)
	s := newSettingsView(v)
	loop.until(t, "the centres", func() bool { return len(s.list.Objects) > 0 })
	s.name.SetText("Tumour Board")
	s.keys.SetText("ssh-dss AAAA")
	s.addCentre()
	if !strings.Contains(s.keyErr.Text, "not supported") {
		t.Errorf("bad key: %q", s.keyErr.Text)
	}
	_, pub := envelope.GenerateX25519()
	s.keys.SetText(pub)
	s.addCentre()
	loop.until(t, "the saved centre", func() bool { return len(s.centres) == 1 })
	if cs, _ := st.Centres(context.Background()); len(cs) != 1 || cs[0].Keys[0] != pub {
		t.Errorf("centres: %+v", cs)
	}
	s.removeCentre(s.centres[0])
	loop.until(t, "the removal", func() bool { return len(s.centres) == 0 && s.v.run != nil })
	loop.drain(100e6)
	if cs, _ := st.Centres(context.Background()); len(cs) != 0 {
		t.Errorf("not removed: %+v", cs)
	}

	if pub, err := ownPublicKey(); pub != "" || err != nil {
		t.Fatalf("a key before one was made: %q %v", pub, err)
	}
	test.Tap(findButtonIn(t, s.ownKey, "Create my key"))
	fi, err := os.Stat(ownKeyPath())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("identity file: %v %v", err, fi)
	}
	pub2, err := ownPublicKey()
	if err != nil || !strings.HasPrefix(pub2, "age1") {
		t.Fatalf("own key: %q %v", pub2, err)
	}
	if _, err := createOwnKey(); err == nil {
		t.Error("an existing key was replaced")
	}
	// The open screen offers it.
	o := newOpenScreen(v.win, v.run, "", nil)
	if !slices.Contains(o.how.Options, unlockOwnKey) {
		t.Errorf("open screen options: %q", o.how.Options)
	}
}

// findButtonIn finds a shown button by its text under o, failing the test if there is none.
func findButtonIn(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || found != nil {
			return
		}
		switch o := o.(type) {
		case *widget.Button:
			if o.Text == text {
				found = o
			}
		case *button:
			if o.Text == text {
				found = &o.Button
			}
		case *fyne.Container:
			for _, k := range o.Objects {
				walk(k)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(o).Objects() {
				walk(k)
			}
		}
	}
	walk(o)
	if found == nil {
		t.Fatalf("no button %q", text)
	}
	return found
}

// mustButton finds a shown button of the window, failing the test if there is none.
func mustButton(t *testing.T, v *mainView, text string) *widget.Button {
	t.Helper()
	return findButtonIn(t, v.root, text)
}

func TestBundlePathsOpen(t *testing.T) {
	recs, bundles := splitBundlePaths([]string{"/a/records", "/b/x.age", "/c/y.AGE.001", "/d/z.agenda"})
	if !slices.Equal(recs, []string{"/a/records", "/d/z.agenda"}) || !slices.Equal(bundles, []string{"/b/x.age", "/c/y.AGE.001"}) {
		t.Errorf("split: %q %q", recs, bundles)
	}
	v, _ := newTestView(t, Config{Paths: []string{"/b/x.age"}})
	if v.opener == nil || v.opener.path != "/b/x.age" || v.scan != nil {
		t.Error("a bundle on the command line does not open the open screen")
	}
}

// TestExportMarkup keeps the markup of the main new screens (testdata/*.xml; on a deliberate change,
// copy testdata/failed/*.xml over them).
func TestExportMarkup(t *testing.T) {
	v, loop, _ := newExportView(t)
	w := walkToRecipient(t, v, loop)
	w.setDir("/records/out")
	for _, step := range []int{stepLevel, stepRecipient} {
		w.show(step)
		win := test.NewWindow(w.object)
		win.Resize(fyne.NewSize(1000, 900))
		test.AssertRendersToMarkup(t, fmt.Sprintf("export_step%d.xml", step), win.Canvas())
		win.Close()
	}
	t.Setenv("DOSSIER_HOME", t.TempDir())
	o := newOpenScreen(v.win, v.run, "/records/in/second-opinion.age", nil)
	win := test.NewWindow(o.object)
	win.Resize(fyne.NewSize(1000, 700))
	test.AssertRendersToMarkup(t, "open_screen.xml", win.Canvas())
	win.Close()
}

// manyReviewWizard is step 2 for n ultrasound images that all need a decision and n files left out,
// in a window of its own.
func manyReviewWizard(t testing.TB, n int) (*exportWizard, fyne.Window) {
	w := &exportWizard{decScreen: container.NewVBox(), include: map[string]bool{}, planLevel: privacy.Pseudonymised}
	for i := 0; i < n; i++ {
		it := &intake.Item{Path: fmt.Sprintf("/cd/US/IM%05d", i), Kind: intake.KindDICOM, Modality: "US", BurnedIn: true}
		w.decisions = append(w.decisions, deid.Decision{Item: it, Path: it.Path, Action: deid.Review,
			Reason: "this kind of image (ultrasound, screenshot, scanned document, or marked as such) may show identity inside the picture, which cannot be removed automatically"})
		sk := &intake.Item{Path: fmt.Sprintf("/cd/VIEWER/LIB%05d.DLL", i), Kind: intake.KindSkipped, Reason: i18n.NewText("part of a viewer program on the disc, not a record")}
		w.decisions = append(w.decisions, deid.Decision{Item: sk, Path: sk.Path, Action: deid.Exclude, Reason: "skipped when reading: " + sk.Reason.String()})
	}
	letter := &intake.Item{Path: "/portal/letter.pdf", Kind: intake.KindPDF, Format: "pdf"}
	w.decisions = append(w.decisions, deid.Decision{Item: letter, Path: letter.Path, Action: deid.Review, Reason: "its text mentions the patient (name)"})
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
	var all *widget.RadioGroup
	walk(w.decScreen, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.List:
			lists = append(lists, o)
		case *widget.RadioGroup:
			if slices.Contains(o.Options, choiceSendAll) {
				all = o
			}
		}
	})
	if len(lists) != 2 || all == nil {
		t.Fatalf("%d lists, choice for all %v", len(lists), all != nil)
	}
	if all.Selected != choiceLeaveAll {
		t.Errorf("the group starts as %q, want everything left out", all.Selected)
	}
	// Sending all of them asks first: cancelled, nothing is sent and the choice goes back.
	all.SetSelected(choiceSendAll)
	if len(w.include) != 0 || !hasLabel(win, "Send all 600 files?") {
		t.Fatalf("send all did not ask: %d included, %q", len(w.include), labels(win))
	}
	test.Tap(findButton(win, "Cancel"))
	if len(w.include) != 0 || all.Selected != choiceLeaveAll {
		t.Fatalf("cancelled: %d included, choice %q", len(w.include), all.Selected)
	}
	all.SetSelected(choiceSendAll)
	test.Tap(findButton(win, "Send them all"))
	if len(w.include) != 600 || all.Selected != choiceSendAll {
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
	all.SetSelected(choiceLeaveAll)
	if len(w.include) != 0 || first.Checked {
		t.Errorf("leave all out: %d included, first ticked %v", len(w.include), first.Checked)
	}
}

// walk calls f for o and everything inside it.
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, x := range c.Objects {
			walk(x, f)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(c)
		for _, x := range r.Objects() {
			walk(x, f)
		}
	}
}
