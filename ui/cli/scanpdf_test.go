package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/burnedin"
	"dossier/packager/pdftext"
	"dossier/packager/redact"
)

// TestSuggestRedactionsScannedPDF: for a scanned PDF held for review,
// --suggest-redactions writes the box where OCR reads the name (page 1, in
// points); passed back with --redactions and --include, the PDF is written
// with its picture masked there, and OCR of the written page finds no name.
func TestSuggestRedactionsScannedPDF(t *testing.T) {
	testtool.Look(t, "tesseract", "tesseract-ocr")
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := t.TempDir()
	scan := filepath.Join(src, "scan.pdf")
	os.WriteFile(scan, docfix.PDFScanned(false, 0, "Pathology report", "Patient: Jane Marple", "Invasive ductal carcinoma"), 0o644)
	sug := filepath.Join(t.TempDir(), "suggested.json")
	code, _, stderr := run(t, "deidentify", "--privacy", "anonymised", "--patient-name", "Jane Marple", "--out", t.TempDir(), "--suggest-redactions", sug, src)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(sug)
	var boxes []map[string]any
	if err := json.Unmarshal(b, &boxes); err != nil || len(boxes) == 0 || boxes[0]["path"] != scan || boxes[0]["page"] != 1.0 {
		t.Fatalf("suggestions %s (%v)", b, err)
	}
	out := t.TempDir()
	code, stdout, stderr := run(t, "deidentify", "--privacy", "anonymised", "--patient-name", "Jane Marple", "--out", out, "--json", "--redactions", sug, "--include", scan, src)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct{ Written []struct{ Name string } }
	json.Unmarshal([]byte(stdout), &res)
	if len(res.Written) != 1 {
		t.Fatalf("written %s", stdout)
	}
	w, _ := os.ReadFile(filepath.Join(out, filepath.FromSlash(res.Written[0].Name)))
	pics, err := redact.ScannedPictures(context.Background(), bytes.NewReader(w), pdftext.Options{})
	if err != nil || len(pics) != 1 {
		t.Fatalf("%d pictures (%v)", len(pics), err)
	}
	words, err := burnedin.OCR(context.Background(), pics[0].Image)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, w := range words {
		text = append(text, w.Text)
	}
	if s := strings.Join(text, " "); strings.Contains(s, "Marple") || !strings.Contains(s, "Pathology") {
		t.Errorf("OCR of the written page: %q", s)
	}
}
