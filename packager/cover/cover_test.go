package cover

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dossier/internal/testtool"
	"dossier/packager/checklist"
)

func lungReport(t *testing.T) *checklist.Report {
	t.Helper()
	rules, err := checklist.Default()
	if err != nil {
		t.Fatal(err)
	}
	docs := []checklist.Document{
		checklist.NewDocument("/r/path.pdf", "Surgical pathology report. Final diagnosis: adenocarcinoma. Specimen: core biopsy."),
		checklist.NewDocument("/r/ihc.pdf", "Immunohistochemistry: PD-L1 (22C3) tumour proportion score 60%. ALK negative."),
	}
	rep, err := rules.Evaluate(&checklist.Case{Cancer: "lung", Documents: docs, Details: checklist.Details{
		Patient: checklist.Patient{Name: "Jane Doe", BirthDate: "1961-02-03"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// tool returns the path of an external checker: skipped when absent, but
// failing under CI (testtool.Look).
func tool(t *testing.T, name string) string {
	t.Helper()
	pkg := "poppler-utils" // pdftotext, pdfinfo
	if name == "qpdf" {
		pkg = "qpdf"
	}
	return testtool.Look(t, name, pkg)
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestLetterIsValidPDFNamingEachMissingItem(t *testing.T) {
	rep := lungReport(t)
	items := LetterItems(rep)
	if len(items) < 5 {
		t.Fatalf("only %d items", len(items))
	}
	var buf bytes.Buffer
	l := Letter{Report: rep, Date: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Details: checklist.Details{
		Patient:       checklist.Patient{Name: "Jane Doe", BirthDate: "1961-02-03", ID: "H123"},
		RecordsOffice: checklist.Contact{Hospital: "St Elsewhere Hospital", Address: "1 Hospital Road"},
	}}
	if err := WriteLetter(context.Background(), &buf, l); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool(t, "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(tool(t, "pdftotext"), path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := squash(string(out))
	for _, it := range items {
		if !strings.Contains(text, squash(it.Request)) {
			t.Errorf("letter does not name %s: %q", it.RuleID, it.Request)
		}
	}
	for _, want := range []string{"Request for copies of medical records", "Jane Doe", "1961-02-03", "H123", "St Elsewhere Hospital", "EGFR mutation test report", "original DICOM image files"} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q", want)
		}
	}
	// What is already here is not asked for: PD-L1 and ALK were found.
	for _, got := range []string{"The PD-L1 immunohistochemistry report", "The ALK test report"} {
		if strings.Contains(text, got) {
			t.Errorf("letter asks for %q, which is already here", got)
		}
	}
}

func TestLetterNothingToRequest(t *testing.T) {
	rep := &checklist.Report{Rules: []checklist.Result{{ID: "x", Status: checklist.StatusMet, Required: true}}}
	if err := WriteLetter(context.Background(), &bytes.Buffer{}, Letter{Report: rep}); !errors.Is(err, ErrNothingToRequest) {
		t.Fatalf("got %v", err)
	}
}

func TestLayoutFlowsOntoPages(t *testing.T) {
	d := NewDoc("Long")
	d.Heading1("Many items")
	for i := 0; i < 80; i++ {
		d.Item("-", "Item number "+strings.Repeat("word ", i%30)+"end")
	}
	d.Paragraph("Łódź, Zürich, São Paulo, 東京")
	var buf bytes.Buffer
	if err := d.Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "long.pdf")
	os.WriteFile(path, buf.Bytes(), 0o600)
	if out, err := exec.Command(tool(t, "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	info, err := exec.Command(tool(t, "pdfinfo"), path).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), "Pages:") || strings.Contains(string(info), "Pages:          1\n") {
		t.Errorf("expected several pages:\n%s", info)
	}
	out, _ := exec.Command(tool(t, "pdftotext"), path, "-").Output()
	text := string(out)
	for _, want := range []string{"page 1 of", "Zürich", "São Paulo"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func TestWrap(t *testing.T) {
	lines := wrap("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu", StyleBody, 100)
	if len(lines) < 3 {
		t.Fatalf("not wrapped: %q", lines)
	}
	for _, l := range lines {
		if textWidth(l, StyleBody) > 100 {
			t.Errorf("line too wide: %q", l)
		}
	}
	long := wrap(strings.Repeat("x", 400), StyleBody, 100)
	if len(long) < 3 || strings.Join(long, "") != strings.Repeat("x", 400) {
		t.Errorf("long word: %q", long)
	}
}
