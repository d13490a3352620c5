package ui

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/internal/fixture/docfix"
	"dossier/packager/bundle"
	"dossier/packager/envelope"
	"dossier/packager/privacy"
	"dossier/packager/store"
	exportui "dossier/ui/export"
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

// radioWith finds the shown radio group that offers option, failing the test if there is none.
func radioWith(t *testing.T, o fyne.CanvasObject, option string) *radioGroup {
	t.Helper()
	var found *radioGroup
	walk(o, func(o fyne.CanvasObject) {
		if r, ok := o.(*radioGroup); ok && o.Visible() && found == nil && slices.Contains(r.Options, option) {
			found = r
		}
	})
	if found == nil {
		t.Fatalf("no choice %q", option)
	}
	return found
}

// cardChoice finds the send-or-leave-out choice on the step 2 card of the file called name.
func cardChoice(t *testing.T, v *mainView, name string) *radioGroup {
	t.Helper()
	var found *radioGroup
	walk(v.root, func(o fyne.CanvasObject) {
		p, ok := o.(*panel)
		if !ok || found != nil {
			return
		}
		var named bool
		var r *radioGroup
		walk(p, func(o fyne.CanvasObject) {
			switch o := o.(type) {
			case *widget.Label:
				named = named || strings.Contains(o.Text, name)
			case *radioGroup:
				r = o
			}
		})
		if named && r != nil {
			found = r
		}
	})
	if found == nil {
		t.Fatalf("no card for %s: %q", name, labels(v.win))
	}
	return found
}

// walkToRecipient opens the wizard as a person does, chooses pseudonymised, sends the photo, and
// stops at step 3. (The steps themselves are tested in ui/export.)
func walkToRecipient(t *testing.T, v *mainView, loop *uiLoop) *exportui.Wizard {
	t.Helper()
	test.Tap(mustButton(t, v, "Send to a specialist…"))
	w := v.wizard
	if w == nil || w.Step() != exportui.StepLevel {
		t.Fatal("the wizard did not open at its first step")
	}
	radioWith(t, v.root, "With a code name instead of my name").SetSelected("With a code name instead of my name")
	test.Tap(mustButton(t, v, "Next"))
	loop.until(t, "the decisions", func() bool { return !w.Busy() })
	if !hasLabel(v.win, "Your decision is needed") || !hasLabel(v.win, "IMG_0001.jpg") {
		t.Errorf("step 2 lacks the photo to decide on: %q", labels(v.win))
	}
	cardChoice(t, v, "IMG_0001.jpg").SetSelected("Send it")
	test.Tap(mustButton(t, v, "Next"))
	if w.Step() != exportui.StepRecipient || findButton(v.win, "Make the bundle") == nil {
		t.Fatalf("step 3: step %d", w.Step())
	}
	return w
}

func TestExportAndOpen(t *testing.T) {
	v, loop, st := newExportView(t)
	home := t.TempDir()
	t.Setenv("HOME", home) // where step 3 saves by default
	w := walkToRecipient(t, v, loop)
	test.Tap(mustButton(t, v, "Make the bundle"))
	loop.until(t, "the export", func() bool { return !w.Busy() })
	res := w.Result()
	if w.Step() != exportui.StepDone || res == nil {
		t.Fatalf("export did not finish: %q", labels(v.win))
	}
	bundlePath := filepath.Join(home, "dossier-2026-11-27.age")
	if !slices.Contains(res.Files, bundlePath) || res.Passphrase == "" || !hasLabel(v.win, res.Passphrase) {
		t.Fatalf("the bundle %q, passphrase shown %v: %q", res.Files, hasLabel(v.win, res.Passphrase), labels(v.win))
	}
	// The last step fits 1024×768 at the largest text size, every control within reach.
	v.app.Preferences().SetFloat(prefTextSize, largestTextSize())
	applyAppearance(v.app)
	screen := fyne.NewSize(1024, 768)
	if m := v.root.MinSize(); m.Width > screen.Width || m.Height > screen.Height {
		t.Errorf("the last step: the window cannot be smaller than %v", m)
	}
	v.win.Resize(screen)
	for _, f := range focusables(v.win.Canvas()) {
		if err := reachable(v.win.Canvas(), f.(fyne.CanvasObject), screen); err != nil {
			t.Errorf("the last step: a %T: %v", f, err)
		}
	}
	v.app.Preferences().SetFloat(prefTextSize, 1)
	applyAppearance(v.app)
	v.win.Resize(fyne.NewSize(1000, 1400))

	// An audit row, shown in the case's history.
	es, err := st.Exports(context.Background(), v.caseID)
	if err != nil || len(es) != 1 || es[0].Fingerprint != res.Fingerprint || es[0].Level != string(privacy.Pseudonymised) {
		t.Fatalf("audit rows: %v %+v", err, es)
	}
	test.Tap(mustButton(t, v, "Back to my case"))
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
	if v.caseCode == nil || v.caseCode.code != code || !v.caseCode.object.Visible() || !slices.Contains(shown(v.win), fyne.CanvasObject(v.caseCode.object)) ||
		!strings.Contains(unmarked(v.caseCode.text.Text), "Code name of your records: "+code) {
		t.Errorf("the case screen does not show the code name: %q", labels(v.win))
	}
	for _, where := range []fyne.CanvasObject{v.history.code.object, v.caseCode.object} {
		v.app.Clipboard().SetContent("")
		test.Tap(findButtonIn(t, where, "Copy the code name"))
		if got := v.app.Clipboard().Content(); got != code {
			t.Errorf("copied %q", got)
		}
	}

	// The receiving side: a wrong passphrase first, then the right one.
	v.showOpen(bundlePath)
	o := v.opener
	out := filepath.Join(t.TempDir(), "received")
	o.setDest(out)
	o.pass.SetText("not-the-right-words-at-all")
	test.Tap(o.start)
	loop.until(t, "the wrong passphrase", func() bool { return o.job == nil })
	if !o.errBox.Object.Visible() || !strings.Contains(o.errBox.Title.Text, "does not open") {
		t.Errorf("wrong passphrase: %+v", o.errBox.Problem)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a wrong passphrase left files: %v", entries)
	}
	o.pass.SetText(res.Passphrase)
	test.Tap(o.start)
	loop.until(t, "the opening", func() bool { return o.job == nil })
	if o.report == nil {
		t.Fatalf("not opened: %+v", o.errBox.Problem)
	}
	if !hasLabel(v.win, fingerprintGroups(res.Fingerprint)) || !hasLabel(v.win, "complete and intact") {
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
	o.what.SetValue(false) // only check
	o.pass.SetText(res.Passphrase)
	test.Tap(o.start)
	loop.until(t, "the damaged bundle", func() bool { return o.job == nil })
	if !strings.Contains(o.errBox.Title.Text, "damaged") {
		t.Errorf("damaged bundle: %+v", o.errBox.Problem)
	}
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
	if !slices.Contains(o.how.Radio.Options, unlockLabel(unlockOwnKey)) {
		t.Errorf("open screen options: %q", o.how.Radio.Options)
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

// TestOpenScreenMarkup keeps the markup of the open screen (testdata/open_screen.xml; on a
// deliberate change, copy testdata/failed/open_screen.xml over it).
func TestOpenScreenMarkup(t *testing.T) {
	v, _, _ := newExportView(t)
	t.Setenv("DOSSIER_HOME", t.TempDir())
	o := newOpenScreen(v.win, v.run, "/records/in/second-opinion.age", nil)
	win := test.NewWindow(o.object)
	win.Resize(fyne.NewSize(1000, 700))
	test.AssertRendersToMarkup(t, "open_screen.xml", win.Canvas())
	win.Close()
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
