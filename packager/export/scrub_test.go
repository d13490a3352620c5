package export

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/bundle"
	"dossier/packager/checklist"
	"dossier/packager/cover"
	"dossier/packager/doctext"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

func TestScrubSummaryLeavesTheCallersTextsAlone(t *testing.T) {
	set := identity.NewSet()
	set.Add(identity.Name, "Doe^Jane^Marie", "case details")
	clinical := &cover.Clinical{Diagnoses: []cover.ClinicalFact{{What: "adenocarcinoma", Quote: "Jane M. Doe: adenocarcinoma of the lung"}}}
	questions := []string{"Should Jane Doe have surgery first?"}
	s := cover.Summary{Questions: questions, ProposedPlan: "surgery for J. Doe", Clinical: clinical}
	scrubSummary(&s, set.Matcher())
	if s.Questions[0] != "Should *** have surgery first?" || s.ProposedPlan != "surgery for ***" || s.Clinical.Diagnoses[0].Quote != "***: adenocarcinoma of the lung" {
		t.Errorf("scrubbed: %q, %q, %q", s.Questions, s.ProposedPlan, s.Clinical.Diagnoses[0].Quote)
	}
	if questions[0] != "Should Jane Doe have surgery first?" || clinical.Diagnoses[0].Quote != "Jane M. Doe: adenocarcinoma of the lung" {
		t.Error("the caller's texts were changed")
	}
}

// TestPackWithTheNameInTheQuestion: a question that names the patient does
// not stop a private export (the cover's leak scan would find the name):
// the name is taken out of the cover.
func TestPackWithTheNameInTheQuestion(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "IM1"), dcmfix.Instance(dcmfix.Spec{PatientName: "Doe^Jane", PatientID: "PID-0042", Modality: "CT"}), 0o644)
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	req := Request{Inventory: inv, Level: privacy.Anonymised, Recipient: "test",
		Details: checklist.Details{Patient: checklist.Patient{Name: "Jane Marie Doe"}, Questions: []string{"Does Jane Marie Doe need surgery first?"}},
		Output:  bundle.Output{Dir: out, Name: "b", Folder: true}}
	res, err := Pack(context.Background(), nil, req)
	if err != nil {
		t.Fatalf("Pack: %v", err)
	}
	text, err := doctext.ExtractFile(context.Background(), filepath.Join(res.Files[0], bundle.NameCover), "pdf", doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "Jane") || !strings.Contains(text, "surgery first") {
		t.Errorf("cover text: %s", text)
	}
}
