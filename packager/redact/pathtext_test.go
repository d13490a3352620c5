package redact

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/pdftext"
)

// TestRedactRefusesTextDrawnAsPaths: a page that shows the name drawn as
// glyph outlines (beside ordinary text naming the patient) cannot be
// redacted by its text, since the outlines are no text: redaction refuses
// and says why. Once the user has looked at the page (Reviewed) a box over
// the drawing takes its paths out, which OCR of the rendered page confirms,
// and the name in its text is removed as usual.
func TestRedactRefusesTextDrawnAsPaths(t *testing.T) {
	data := docfix.PDFPathText([]string{"Patient: Jane Doe", "Invasive ductal carcinoma"}, "Signed for Jane Doe")
	_, _, err := redact(t, data, words("Jane Doe"), Options{})
	if !errors.Is(err, ErrNotLocatable) || !strings.Contains(err.Error(), pdftext.ProblemTextAsPaths) {
		t.Fatalf("outlined name: %v, want ErrNotLocatable naming %s", err, pdftext.ProblemTextAsPaths)
	}
	// The outlines sit on the baseline 600 pt up, 14 pt high: 192 pt from
	// the top of the page.
	box := Box{Page: 1, X: 66, Y: 176, Width: 220, Height: 24}
	out, res, err := redact(t, data, words("Jane Doe"), Options{Reviewed: true, Boxes: []Box{box}})
	if err != nil {
		t.Fatal(err)
	}
	// The name in the ordinary text is found and removed as on any page
	// (its own box), the outlines go under the user's box.
	if res.Paths < len("SignedforJaneDoe") || res.Boxes != 2 || res.Glyphs != len("JaneDoe") {
		t.Errorf("%+v: want every glyph outline taken out under the user's box, and the name's glyphs under a second", res)
	}
	if msg, err := tool(t, "qpdf", out, "--check"); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, msg)
	}
	pages, err := pdftext.Open(t.Context(), bytes.NewReader(out), pdftext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := pages.Page(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range p.Problems {
		if q.Kind == pdftext.ProblemTextAsPaths {
			t.Errorf("the redacted page still shows writing drawn as paths")
		}
	}
	before, after := ocr(t, data), ocr(t, out)
	if !strings.Contains(before, "Signed") || !strings.Contains(before, "Patient") {
		t.Fatalf("OCR of the original reads %q: want the outlined line and the text", before)
	}
	if strings.Contains(after, "Signed") || !strings.Contains(after, "Patient") {
		t.Errorf("OCR of the redacted page reads %q: want the text without the outlined line", after)
	}
}

// ocr renders page 1 of a PDF (pdftoppm, 150 dpi) and reads it with
// tesseract.
func ocr(t *testing.T, pdf []byte) string {
	t.Helper()
	pdftoppm := testtool.Look(t, "pdftoppm", "poppler-utils")
	tesseract := testtool.Look(t, "tesseract", "tesseract-ocr")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdftoppm, "-r", "150", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	cmd := exec.Command(tesseract, filepath.Join(dir, "p.png"), "-", "-l", "eng")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	return string(out)
}
