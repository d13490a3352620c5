package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestDetailsKeptWithoutSave: what is typed in the case details is kept as it is typed, without
// pressing Save: after a pause, and when the window closes straight after typing. The app started
// again on the same data shows it.
func TestDetailsKeptWithoutSave(t *testing.T) {
	a := test.NewTempApp(t)
	a.Preferences().SetBool(prefGuideSeen, true)
	v, loop, rs := newStoreView(t, a)
	v.add([]string{writeFiles(t, breastReports())})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	id := v.caseID
	f := v.checks.form

	// Typed, then a pause: kept, with the checklist told.
	test.Type(f.questions, "Is chemotherapy needed before surgery?")
	test.Type(f.birth, "1961-02") // half a date: the question is kept all the same
	stored := func() []string {
		d, err := rs.Details(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return d.Questions
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(stored()) == 0 && time.Now().Before(deadline) {
		loop.drain(100 * time.Millisecond)
	}
	if q := stored(); len(q) != 1 || q[0] != "Is chemotherapy needed before surgery?" {
		t.Fatalf("kept %q", q)
	}
	loop.until(t, "the checklist", idle(v))
	if ruleStatus(t, v, "reviewer-question") != "met" {
		t.Errorf("the checklist does not see the question typed")
	}

	// Typed and the window closed at once: kept before the window goes.
	f.plan.SetText("Surgery, then chemotherapy")
	v.closed() // what closing the window runs (closing it here too would close it twice)
	d, err := rs.Details(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if d.ProposedPlan != "Surgery, then chemotherapy" {
		t.Errorf("closing lost the plan: %q", d.ProposedPlan)
	}

	// The app again, on the same data: the case opens with both.
	loop2 := newUILoop()
	v2 := newMainView(a, Config{Store: rs, Scan: realScan}, loop2.post)
	t.Cleanup(v2.win.Close)
	loop2.until(t, "the list of cases", func() bool { return v2.cases != nil && len(v2.cases.shown) == 1 })
	v2.cases.list.Select(0)
	loop2.until(t, "the case", func() bool { return v2.inv != nil && idle(v2)() && v2.checks.report != nil })
	if got := v2.checks.form.questions.Text; got != "Is chemotherapy needed before surgery?" {
		t.Errorf("question after a restart: %q", got)
	}
	if got := v2.checks.form.plan.Text; got != "Surgery, then chemotherapy" {
		t.Errorf("plan after a restart: %q", got)
	}
}

// TestCaseNamedFromPatientAndDiagnosis: a new case is named after the patient and the diagnosis
// when they are known, in the UI's language; a name the person chose stays.
func TestCaseNamedFromPatientAndDiagnosis(t *testing.T) {
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, breastReports())}})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	d := v.checks.details
	d.Patient.Name = "DOE^JANE"
	d.Cancer = "breast"
	v.saveDetails(d)
	loop.until(t, "saving", idle(v))
	if v.caseName != "Jane Doe – breast cancer" || v.caseTitle.Text != v.caseName || v.win.Title() != "Jane Doe – breast cancer – Dossier" {
		t.Errorf("case %q, header %q, window %q", v.caseName, v.caseTitle.Text, v.win.Title())
	}
	v.caseName = "My own name" // as renamed by the person
	d.Cancer = "lung"
	v.saveDetails(d)
	if v.caseName != "My own name" {
		t.Errorf("a chosen name was replaced by %q", v.caseName)
	}
	// In the Chinese UI, in Chinese.
	t.Cleanup(func() { useLanguage("") })
	t.Setenv("LANGUAGE", "")
	useLanguage("zh-Hans")
	d.Cancer = "breast"
	if got := caseNameFor(d, v.checks.rules); got != "Jane Doe – 乳腺癌" {
		t.Errorf("in Chinese: %q", got)
	}
	useLanguage("")
	if got := personName("VAN DER BERG^ANNA MARIA"); got != "Anna Maria Van Der Berg" {
		t.Errorf("personName: %q", got)
	}
}

// TestStepTwoDecisionsKept: the decisions of step 2 of sending are kept when the steps are closed
// and opened again, and across a restart: stored when the steps close, and when the window closes
// with them open.
func TestStepTwoDecisionsKept(t *testing.T) {
	v, loop, rs := newExportView(t)
	walkToRecipient(t, v, loop) // sends the photo
	test.Tap(mustButton(t, v, "Close"))
	if v.wizard != nil {
		t.Fatal("the steps did not close")
	}
	var photo string
	for p, on := range v.decisionsFor(v.caseID) {
		if on {
			photo = p
		}
	}
	if filepath.Base(photo) != "IMG_0001.jpg" || len(v.decisionsFor(v.caseID)) != 1 {
		t.Fatalf("decisions kept: %v", v.decisionsFor(v.caseID))
	}
	v.sendToSpecialist()
	w := v.wizard
	if w == nil {
		t.Fatal("the steps did not open again")
	}
	radioWith(t, v.root, "With a code name instead of my name").SetSelected("With a code name instead of my name")
	test.Tap(mustButton(t, v, "Next"))
	loop.until(t, "the decisions", func() bool { return !w.Busy() })
	if got := cardChoice(t, v, "IMG_0001.jpg").Selected; got != "Send it" {
		t.Errorf("the photo's decision after opening again: %q", got)
	}
	if len(v.decisionsFor(v.caseID)) != 1 {
		t.Errorf("decisions after opening again: %v", v.decisionsFor(v.caseID))
	}
	stored := func() []string {
		t.Helper()
		paths, err := rs.SendChoices(context.Background(), v.caseID)
		if err != nil {
			t.Fatal(err)
		}
		return paths
	}
	loop.until(t, "saving", idle(v))
	if got := stored(); len(got) != 1 || got[0] != photo {
		t.Fatalf("stored when the steps closed: %q", got)
	}

	// The app again, on the same data: the case opens with the photo to be sent.
	id := v.caseID
	v.closed() // what closing the window runs (the test closes it at the end)
	loop2 := newUILoop()
	v2 := newMainView(v.app, Config{Store: rs, Scan: realScan, Now: v.cfg.Now}, loop2.post)
	v2.win.Resize(v.win.Canvas().Size())
	t.Cleanup(v2.win.Close)
	loop2.until(t, "the list of cases", func() bool { return v2.cases != nil && len(v2.cases.shown) == 1 })
	v2.cases.list.Select(0)
	loop2.until(t, "the case", func() bool { return v2.inv != nil && idle(v2)() && v2.checks.report != nil })
	if d := v2.decisionsFor(id); len(d) != 1 || !d[photo] {
		t.Fatalf("decisions after a restart: %v", d)
	}
	closeDialogs(v2)
	test.Tap(mustButton(t, v2, "Send to a specialist…"))
	w = v2.wizard
	radioWith(t, v2.root, "With a code name instead of my name").SetSelected("With a code name instead of my name")
	test.Tap(mustButton(t, v2, "Next"))
	loop2.until(t, "the decisions", func() bool { return !w.Busy() })
	if got := cardChoice(t, v2, "IMG_0001.jpg").Selected; got != "Send it" {
		t.Errorf("the photo's decision after a restart: %q", got)
	}

	// Changed with the steps open, and the window closed at once: kept before the window goes.
	cardChoice(t, v2, "IMG_0001.jpg").SetSelected("Leave it out")
	v2.closed()
	if got := stored(); len(got) != 0 {
		t.Errorf("stored when the window closed: %q", got)
	}
}
