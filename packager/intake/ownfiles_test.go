package intake_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/checklist"
	"dossier/packager/cover"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

// TestDossiersOwnFilesAreNotRecords: a request letter and a cover summary saved into the records
// folder carry Dossier's mark (PDF metadata) and the next scan skips them, saying why, so the
// checklist never counts them as records. A hospital's PDF is still read.
func TestDossiersOwnFilesAreNotRecords(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pathology.pdf"), docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: adenocarcinoma of the lung"), 0o644)
	rules, err := checklist.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rules.Evaluate(&checklist.Case{Cancer: "lung", Inventory: &intake.Inventory{}})
	if err != nil {
		t.Fatal(err)
	}
	var letter bytes.Buffer
	// The letter names what it asks for: a treatment summary, blood results... the words that made
	// a scan read it as those records.
	if err := cover.WriteLetter(context.Background(), &letter, cover.Letter{Report: rep, Date: time.Now(),
		Details: checklist.Details{Patient: checklist.Patient{Name: "Jane Doe", BirthDate: "1961-02-03"}}}); err != nil {
		t.Fatal(err)
	}
	var summary bytes.Buffer
	if err := cover.WriteSummary(context.Background(), &summary, cover.Summary{Level: privacy.Pseudonymised, Questions: []string{"Is surgery first right?"}, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	letterPath := filepath.Join(dir, "records-request.pdf")
	os.WriteFile(letterPath, letter.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "COVER.PDF"), summary.Bytes(), 0o644)
	if pdfinfo := testtool.Look(t, "pdfinfo", "poppler-utils"); pdfinfo != "" {
		out, err := exec.Command(pdfinfo, letterPath).CombinedOutput()
		if err != nil || !regexp.MustCompile(`(?m)^Creator:\s+Dossier$`).Match(out) || !regexp.MustCompile(`(?m)^Custom Metadata:\s+yes$`).Match(out) {
			t.Errorf("pdfinfo: %v\n%s", err, out)
		}
	}
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, it := range inv.Items {
		switch filepath.Base(it.Path) {
		case "records-request.pdf", "COVER.PDF":
			seen++
			if it.Kind != intake.KindSkipped || !strings.HasPrefix(it.Reason.String(), "made by Dossier") {
				t.Errorf("%s: %s %q", filepath.Base(it.Path), it.Kind, it.Reason)
			}
		case "pathology.pdf":
			if it.Kind != intake.KindPDF {
				t.Errorf("the hospital's report: %s %q", it.Kind, it.Reason)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d of Dossier's files found", seen)
	}
}
