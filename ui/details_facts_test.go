package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"dossier/packager/checklist"
)

// TestDetailsFromRecordsMark: diagnosis fields filled in from the reports are marked "from your
// records" until the person changes one (that one loses the mark) or confirms them all with the
// button (the mark is gone from what is kept).
func TestDetailsFromRecordsMark(t *testing.T) {
	v, loop, st := newBreastView(t)
	test.Tap(findButton(v.win, "Case details…"))
	f := v.checks.form
	d := f.value()
	d.Diagnosis, d.Stage, d.ProposedPlan = "Invasive carcinoma of no special type, grade 2", "pT2 N1a M0", "Neoadjuvant chemotherapy"
	d.FromRecords = []string{checklist.RecordDiagnosis, checklist.RecordStage, checklist.RecordPlan}
	f.load(d)
	if !f.factsRec.Visible() || !f.factsOK.Visible() {
		t.Fatal("fields from the records are not marked")
	}
	for _, name := range []string{"Diagnosis", "Stage", "Proposed plan"} {
		if !strings.Contains(f.factsRec.Text, name) {
			t.Errorf("the mark %q does not name %s", f.factsRec.Text, name)
		}
	}
	if got := f.value().FromRecords; !slices.Equal(got, d.FromRecords) {
		t.Errorf("unchanged form: from records %q, want %q", got, d.FromRecords)
	}

	// Changing the stage makes it the person's own; the others stay marked.
	f.stage.SetText("pT2 N1 M0")
	if got := f.value().FromRecords; !slices.Equal(got, []string{checklist.RecordDiagnosis, checklist.RecordPlan}) {
		t.Errorf("after editing the stage: from records %q", got)
	}

	// The button confirms the rest, and that is kept.
	test.Tap(f.factsOK)
	loop.drain(50e6)
	if f.factsRec.Visible() || f.factsOK.Visible() {
		t.Error("the mark stays after confirming")
	}
	if got := f.value().FromRecords; len(got) != 0 {
		t.Errorf("after confirming: from records %q", got)
	}
	kept := st.details[1]
	if len(kept.FromRecords) != 0 || kept.Stage != "pT2 N1 M0" || kept.Diagnosis != d.Diagnosis {
		t.Errorf("kept details: stage %q, diagnosis %q, from records %q", kept.Stage, kept.Diagnosis, kept.FromRecords)
	}
}
