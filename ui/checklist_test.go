package ui

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/ui/nativedialog"
)

// writeFiles writes files (relative path -> bytes) into a new temporary folder.
func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	return testtool.WriteTree(t, t.TempDir(), files)
}

// breastReports are the reports of a breast case, without any DICOM.
func breastReports() map[string][]byte {
	return map[string][]byte{
		"reports/path_2026.pdf": docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: invasive ductal carcinoma, left breast",
			"Immunohistochemistry: ER positive (Allred 8), PR positive (Allred 6),", "HER2 negative (IHC 1+). Ki-67 15%."),
		"reports/imaging.pdf": docfix.PDF("RADIOLOGY REPORT", "Bilateral mammogram and breast MRI with contrast.",
			"Findings: 22 mm mass in the left breast.", "Impression: BI-RADS 6."),
		"reports/doc0004.docx": docfix.DOCX("Oncology clinic", "Treatment summary",
			"Regimen: 4 cycles of docetaxel and cyclophosphamide; radiotherapy 40 Gy in 15 fractions."),
	}
}

// mammograms is a CD with one mammography study of Jane Doe.
func mammograms() map[string][]byte {
	out := map[string][]byte{}
	for i := 1; i <= 2; i++ {
		out["CD/DICOM/IM"+string(rune('0'+i))] = dcmfix.Instance(dcmfix.Spec{
			Modality: "MG", StudyUID: "1.2.826.0.1.3680043.10.1999.7", SeriesUID: "1.2.826.0.1.3680043.10.1999.7.1",
			InstanceNumber: i, StudyDate: "20260901", PatientName: "Doe^Jane", PatientID: "PID0001", BirthDate: "19610203",
		})
	}
	return out
}

// realScan is intake as the app runs it.
func realScan(ctx context.Context, paths []string, progress func(intake.Progress)) (*intake.Inventory, error) {
	return intake.Scan(ctx, paths, intake.Options{}, progress)
}

// newBreastView scans the breast reports (no DICOM) into a new case and chooses breast cancer.
func newBreastView(t *testing.T) (*mainView, *uiLoop, *fakeStore) {
	t.Helper()
	st := &fakeStore{}
	v, loop := newTestView(t, Config{Store: st, Scan: realScan, Paths: []string{writeFiles(t, breastReports())}})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	v.checks.panel.cancer.SetSelected("Breast cancer")
	loop.until(t, "the breast checklist", func() bool { return idle(v)() && v.checks.report.Cancer == "breast" })
	return v, loop, st
}

func ruleStatus(t *testing.T, v *mainView, id string) checklist.Status {
	t.Helper()
	for _, r := range v.checks.report.Rules {
		if r.ID == id {
			return r.Status
		}
	}
	t.Fatalf("rule %q not in the checklist", id)
	return ""
}

func row(t *testing.T, v *mainView, id string) *ruleRow {
	t.Helper()
	r := v.checks.panel.rows[id]
	if r == nil {
		t.Fatalf("no row for %q", id)
	}
	return r
}

// TestChecklistLive: a breast case without DICOM shows imaging missing beside the inventory; adding
// the CD flips it to ready.
func TestChecklistLive(t *testing.T) {
	v, loop, st := newBreastView(t)
	if got := st.details[1].Cancer; got != "breast" {
		t.Errorf("stored cancer type = %q", got)
	}
	for _, id := range []string{"imaging-dicom", "breast-imaging"} {
		if s := ruleStatus(t, v, id); s != checklist.StatusMissing {
			t.Errorf("%s = %s without DICOM", id, s)
		}
	}
	if s := ruleStatus(t, v, "breast-receptors"); s != checklist.StatusMet {
		t.Errorf("breast-receptors = %s", s)
	}
	if r := row(t, v, "imaging-dicom"); r.status.Text != "Missing" {
		t.Errorf("imaging row says %q", r.status.Text)
	}
	for _, want := range []string{"Scans as DICOM image files", "required items ready", "Needed by the reviewer", "Recommended", groupDocuments} {
		if !hasLabel(v.win, want) {
			t.Errorf("window does not show %q: %q", want, labels(v.win))
		}
	}
	// Opening an item tells why, and what to do.
	test.Tap(row(t, v, "imaging-dicom").toggle)
	for _, want := range []string{"Why it matters", "What to do"} {
		if !hasLabel(v.win, want) {
			t.Errorf("opened item does not show %q", want)
		}
	}

	v.add([]string{writeFiles(t, mammograms())})
	loop.until(t, "the second scan", func() bool { return idle(v)() && len(v.inv.Studies) == 1 })
	loop.until(t, "the new checklist", func() bool {
		return idle(v)() && ruleStatus(t, v, "imaging-dicom") == checklist.StatusMet
	})
	if s := ruleStatus(t, v, "breast-imaging"); s != checklist.StatusMet {
		t.Errorf("breast-imaging = %s with mammograms", s)
	}
	r := row(t, v, "imaging-dicom")
	if !strings.HasPrefix(r.status.Text, "Ready") {
		t.Errorf("imaging row says %q", r.status.Text)
	}
	if !r.details.Visible() {
		t.Error("the opened item closed when the checklist was updated")
	}
	// The records name the patient: the details are filled in from them.
	if v.checks.form.name.Text != "Jane Doe" || v.checks.form.birth.Text != "1961-02-03" {
		t.Errorf("not prefilled: %q %q", v.checks.form.name.Text, v.checks.form.birth.Text)
	}
}

// TestEvaluationCancelled: a new evaluation stops the one still running, whose result is dropped.
func TestEvaluationCancelled(t *testing.T) {
	v, loop, _ := newBreastView(t)
	v.evaluate()
	first := v.checks.eval
	v.setCancer("lung")
	select {
	case <-first.Done():
	case <-t.Context().Done():
	}
	loop.until(t, "the lung checklist", idle(v))
	if v.checks.report.Cancer != "lung" {
		t.Errorf("checklist is for %q", v.checks.report.Cancer)
	}
}

// TestWaiver: "Not needed…" asks for a reason, which is stored and shown; undo takes it back.
func TestWaiver(t *testing.T) {
	v, loop, st := newBreastView(t)
	test.Tap(row(t, v, "slides").toggle)
	test.Tap(row(t, v, "slides").waive)
	var reason *widget.Entry
	for _, o := range shown(v.win) {
		if e, ok := o.(*textArea); ok {
			if slicesContains(v.win.Canvas().Overlays().List(), e) {
				reason = &e.Entry
			}
		}
	}
	if reason == nil {
		t.Fatal("no reason asked for")
	}
	// Without a reason nothing is waived.
	if b := findButton(v.win, "Mark as not needed"); b == nil || !b.Disabled() {
		t.Error("the dialog accepts an empty reason")
	}
	reason.SetText("The slides stay at the hospital; the centre will ask for them.")
	test.Tap(findButton(v.win, "Mark as not needed"))
	loop.until(t, "the waiver", func() bool { return idle(v)() && ruleStatus(t, v, "slides") == checklist.StatusWaived })
	if got := st.waivers[1]["slides"]; !strings.Contains(got, "stay at the hospital") {
		t.Errorf("stored waiver = %q", got)
	}
	r := row(t, v, "slides")
	if !strings.HasPrefix(r.status.Text, "Not needed: The slides stay") || r.waive == nil || r.waive.Text != undoWaiver {
		t.Errorf("waived row: %q, button %v", r.status.Text, r.waive)
	}
	test.Tap(r.waive)
	loop.until(t, "the undo", func() bool { return idle(v)() && ruleStatus(t, v, "slides") == checklist.StatusMissing })
	if _, ok := st.waivers[1]["slides"]; ok {
		t.Error("waiver still stored after undo")
	}
}

func slicesContains(overlays []fyne.CanvasObject, o fyne.CanvasObject) bool {
	for _, ov := range overlays {
		found := false
		var walk func(fyne.CanvasObject)
		walk = func(x fyne.CanvasObject) {
			if found || x == nil {
				return
			}
			if x == o {
				found = true
				return
			}
			switch x := x.(type) {
			case *fyne.Container:
				for _, k := range x.Objects {
					walk(k)
				}
			case fyne.Widget:
				for _, k := range test.WidgetRenderer(x).Objects() {
					walk(k)
				}
			}
		}
		walk(ov)
		if found {
			return true
		}
	}
	return false
}

// TestDetailsForm: mistakes are explained kindly and nothing is saved; good details are saved and
// checked.
func TestDetailsForm(t *testing.T) {
	v, loop, st := newBreastView(t)
	test.Tap(findButton(v.win, "Case details…"))
	f := v.checks.form
	if v.checks.tabs.Selected().Text != tabDetails {
		t.Fatalf("tab %q selected", v.checks.tabs.Selected().Text)
	}
	f.questions.SetText("Is chemotherapy needed after surgery?\n\nShould I have radiotherapy?")
	f.name.SetText("Jane Doe")
	f.birth.SetText("3 Feb 1961")
	test.Tap(f.save)
	if !f.errText.Visible() || !strings.Contains(f.errText.Text, "date of birth as year-month-day") {
		t.Errorf("error = %q (visible %v)", f.errText.Text, f.errText.Visible())
	}
	loop.drain(50e6)
	if len(st.details[1].Questions) != 0 {
		t.Error("details with a mistake were saved")
	}

	f.birth.SetText("1961-02-03")
	test.Tap(findButton(v.win, addShipmentText))
	if len(f.ships) != 1 {
		t.Fatalf("%d shipment rows", len(f.ships))
	}
	f.ships[0].courier.SetText("DHL")
	f.ships[0].tracking.SetText("JD0123456789")
	f.doctor.name.SetText("Dr A. Smith")
	f.doctor.phone.SetText("+44 20 0000 0000")
	f.urgency.SetValue(checklist.UrgencyUrgent)
	test.Tap(f.save)
	if f.errText.Visible() {
		t.Fatalf("valid details refused: %q", f.errText.Text)
	}
	loop.until(t, "the checklist", func() bool { return idle(v)() && ruleStatus(t, v, "reviewer-question") == checklist.StatusMet })
	d := st.details[1]
	if len(d.Questions) != 2 || d.Questions[0] != "Is chemotherapy needed after surgery?" || d.Patient.BirthDate != "1961-02-03" ||
		d.Cancer != "breast" || d.Urgency != checklist.UrgencyUrgent || len(d.Shipments) != 1 ||
		d.Shipments[0].Kind != checklist.ShipGlassSlides || d.Shipments[0].Tracking != "JD0123456789" {
		t.Errorf("stored details: %+v", d)
	}
	for _, id := range []string{"slides", "treating-doctor", "patient-identity"} {
		if s := ruleStatus(t, v, id); s != checklist.StatusMet {
			t.Errorf("%s = %s after saving the details", id, s)
		}
	}
	if !v.checks.report.Urgency.Urgent {
		t.Error("urgency not used")
	}

	// A name that differs from the records is flagged (the CD names Jane Doe).
	v.add([]string{writeFiles(t, mammograms())})
	loop.until(t, "the scan", func() bool { return idle(v)() && len(v.inv.Studies) == 1 })
	f.name.SetText("Joan Smith")
	if !hasLabel(v.win, "spelt differently") {
		t.Errorf("mismatch not flagged: %q", labels(v.win))
	}
	// Removing the shipment row works.
	test.Tap(findButton(v.win, "Remove"))
	if len(f.ships) != 0 {
		t.Error("shipment not removed")
	}
}

// TestCategoryCorrection: choosing another kind for a document is stored and changes the checklist.
func TestCategoryCorrection(t *testing.T) {
	v, loop, st := newBreastView(t)
	if s := ruleStatus(t, v, "radiology-reports"); s != checklist.StatusMet {
		t.Fatalf("radiology-reports = %s", s)
	}
	v.checks.tabs.SelectIndex(1)
	var rr *docRow
	for _, o := range shown(v.win) {
		if r, ok := o.(*docRow); ok && filepath.Base(r.path) == "imaging.pdf" {
			rr = r
		}
	}
	if rr == nil {
		t.Fatalf("imaging.pdf not listed: %q", labels(v.win))
	}
	if !rr.kind.Is(doctext.CategoryRadiology) || rr.kind.Select.Selected != doctext.CategoryRadiology.Name() {
		t.Errorf("imaging.pdf shown as %q", rr.kind.Select.Selected)
	}
	rr.kind.Select.SetSelected(doctext.CategoryOther.Name())
	loop.until(t, "the checklist", func() bool {
		return idle(v)() && ruleStatus(t, v, "radiology-reports") == checklist.StatusMissing
	})
	var stored doctext.Category
	for p, c := range st.categories[1] {
		if filepath.Base(p) == "imaging.pdf" {
			stored = c
		}
	}
	if stored != doctext.CategoryOther {
		t.Errorf("stored categories: %v", st.categories)
	}
	if !hasLabel(v.win, "You chose this kind") {
		t.Errorf("the correction is not shown: %q", labels(v.win))
	}
}

// TestRequestLetter: the letter is a PDF, written atomically, that asks for what is missing. Its save
// dialog starts outside the folders the records were added from.
func TestRequestLetter(t *testing.T) {
	v, loop, _ := newBreastView(t)
	// The button opens the app's own save dialog when the computer has none.
	test.Tap(findButton(v.win, "Create request letter…"))
	if v.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no save dialog")
	}
	v.win.Canvas().Overlays().Remove(v.win.Canvas().Overlays().Top())

	// The computer's own save dialog is asked to start in the Documents folder (the records are
	// elsewhere), and the letter is written where it answers.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	os.Mkdir(filepath.Join(home, "Documents"), 0o755)
	out := filepath.Join(t.TempDir(), "request.pdf")
	fc := &fakeChooser{answer: func(nativedialog.Request) (string, error) { return out, nil }}
	old := sysDialogs
	sysDialogs = &systemDialogs{find: func(context.Context) nativedialog.Chooser { return fc }, post: loop.post}
	t.Cleanup(func() { sysDialogs = old })
	t.Setenv(envFileDialog, "")
	test.Tap(findButton(v.win, "Create request letter…"))
	loop.until(t, "the letter", func() bool { _, err := os.Stat(out); return err == nil && idle(v)() })
	fc.mu.Lock()
	r := fc.asked[0]
	fc.mu.Unlock()
	if r.Kind != nativedialog.SaveFile || r.Folder != filepath.Join(home, "Documents") || r.Name != "records-request.pdf" ||
		isWithin(r.Folder, recordsFolder(v.inv)) {
		t.Errorf("the save dialog was asked %+v (records in %s)", r, recordsFolder(v.inv))
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("letter: %v, starts %q", err, b[:min(len(b), 8)])
	}
	if fi, _ := os.Stat(out); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("letter mode %v", fi.Mode().Perm())
	}
	if !hasLabel(v.win, "request.pdf") {
		t.Errorf("no message about the letter: %q", labels(v.win))
	}
	ents, _ := os.ReadDir(filepath.Dir(out))
	if len(ents) != 1 {
		t.Errorf("files left beside the letter: %v", ents)
	}
	pdftotext := testtool.Look(t, "pdftotext", "poppler-utils")
	text, err := exec.Command(pdftotext, out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(text)), " ")
	if !strings.Contains(flat, "DICOM") {
		t.Errorf("letter does not ask for the DICOM images:\n%s", flat)
	}

	// The letter added back (saved among the records and the folder added again) is skipped as
	// made by Dossier, and the checklist is the same: it is not read as the records it asks for.
	before := map[string]checklist.Status{}
	for _, r := range v.checks.report.Rules {
		before[r.ID] = r.Status
	}
	v.add([]string{out})
	loop.until(t, "the letter's scan", func() bool {
		return idle(v)() && slices.ContainsFunc(v.inv.Items, func(it *intake.Item) bool { return it.Path == out })
	})
	for _, it := range v.inv.Items {
		if it.Path == out && (it.Kind != intake.KindSkipped || !strings.HasPrefix(it.Reason.String(), "made by Dossier")) {
			t.Errorf("the letter read back as %s %q", it.Kind, it.Reason)
		}
	}
	for _, r := range v.checks.report.Rules {
		if before[r.ID] != r.Status {
			t.Errorf("%s went from %s to %s with the letter added", r.ID, before[r.ID], r.Status)
		}
	}

	// With every outstanding item waived there is nothing to ask for: no letter, a kind message.
	for _, r := range v.checks.report.Outstanding() {
		v.waive(r.ID, "not needed in this test")
	}
	loop.until(t, "the checklist", idle(v))
	none := filepath.Join(t.TempDir(), "none.pdf")
	v.writeLetter(none)
	loop.until(t, "the letter", idle(v))
	if _, err := os.Stat(none); !os.IsNotExist(err) {
		t.Errorf("a letter was written with nothing to ask for: %v", err)
	}
	if !hasLabel(v.win, "no letter is needed") {
		t.Errorf("no kind message: %q", labels(v.win))
	}
}

// TestNoStore: without a store the checklist, details and waivers work in memory.
func TestNoStore(t *testing.T) {
	v, loop := newTestView(t, Config{Scan: realScan, Paths: []string{writeFiles(t, breastReports())}})
	loop.until(t, "the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	v.waive("slides", "kept at the hospital")
	loop.until(t, "the waiver", func() bool { return idle(v)() && ruleStatus(t, v, "slides") == checklist.StatusWaived })
	v.checks.form.questions.SetText("Is surgery the right choice?")
	test.Tap(v.checks.form.save)
	loop.until(t, "the details", func() bool {
		return idle(v)() && ruleStatus(t, v, "reviewer-question") == checklist.StatusMet
	})
}
