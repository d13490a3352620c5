package deid

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/burnedin"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/pdftext"
	"dossier/packager/privacy"
	"dossier/packager/redact"
)

// TestScannedPDF: a PDF whose page is only a picture is held for review
// with a reason that says what Dossier can do about it: its pictures
// cannot be read or masked (JPEG 2000), tesseract is missing, or (the
// usual case) its pages may show names. With the boxes OCR suggests
// (burnedin.SuggestPDF) and the user's consent, it is written with the
// picture masked under them: OCR reads no name in the written page.
func TestScannedPDF(t *testing.T) {
	testtool.Look(t, "tesseract", "tesseract-ocr")
	dir := t.TempDir()
	scan := write(t, dir, "scan.pdf", docfix.PDFScanned(true, 0, "Pathology report", "Patient: Jane Marple", "Invasive ductal carcinoma"))
	b := &docfix.PDFBuilder{}
	img := b.Stream("/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /JPXDecode", []byte("not really JPEG 2000"))
	jpx := write(t, dir, "jpx.pdf", b.Pages(docfix.PDFPage{Content: "q 400 0 0 400 100 200 cm /Im1 Do Q\n", Resources: "<< /XObject << /Im1 " + strconv.Itoa(img) + " 0 R >> >>"}))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Marple^Jane", "the test")
	reasons := func() map[string]string {
		ds, err := Plan(context.Background(), inv, privacy.Anonymised, Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, d := range ds {
			if d.Action != Review {
				t.Errorf("%s: %s, want review", filepath.Base(d.Path), d.Action)
			}
			out[d.Path] = d.Reason.String()
		}
		return out
	}
	got := reasons()
	if got[scan] != reasonNoText || got[jpx] != reasonScanUnmaskable {
		t.Errorf("reasons %q", got)
	}

	data, _ := os.ReadFile(scan)
	boxes, err := burnedin.SuggestPDF(context.Background(), bytes.NewReader(data), inv.Identity.Matcher())
	if err != nil || len(boxes) == 0 {
		t.Fatalf("suggested %v, %v", boxes, err)
	}
	ds, err := Plan(context.Background(), inv, privacy.Anonymised, Options{Include: map[string]bool{scan: true}, Redactions: map[string]*Redactions{scan: {PDF: boxes, Confirmed: true}}})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 1 || res.Written[0].Path != scan {
		t.Fatalf("written %+v, left out %+v", res.Written, res.LeftOut)
	}
	written, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(res.Written[0].Name)))
	if err != nil {
		t.Fatal(err)
	}
	pics, err := redact.ScannedPictures(context.Background(), bytes.NewReader(written), pdftext.Options{})
	if err != nil || len(pics) != 1 {
		t.Fatalf("%d pictures, %v", len(pics), err)
	}
	words, err := burnedin.OCR(context.Background(), pics[0].Image)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, w := range words {
		text = append(text, w.Text)
	}
	if s := strings.Join(text, " "); strings.Contains(s, "Marple") || !strings.Contains(s, "carcinoma") {
		t.Errorf("OCR of the written page: %q", s)
	}

	t.Setenv("PATH", t.TempDir())
	if got := reasons(); got[scan] != reasonScanNoOCR {
		t.Errorf("without tesseract: %q", got[scan])
	}
}

// TestTextPDFWithAScannedPage: a text PDF with a page that is only a
// picture is held for review naming that page, whether its text names the
// patient or not: the picture's pixels are not read, so neither sending it
// as clean nor redacting only its text would be safe.
func TestTextPDFWithAScannedPage(t *testing.T) {
	dir := t.TempDir()
	build := func(line string) []byte {
		b := &docfix.PDFBuilder{}
		px := make([]byte, 64*64)
		img := b.Stream("/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8", px)
		return b.Pages(
			docfix.PDFPage{Content: "BT /F1 12 Tf 72 700 Td (" + line + ") Tj ET", Resources: "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >>"},
			docfix.PDFPage{Content: "q 400 0 0 400 100 200 cm /Im1 Do Q\n", Resources: "<< /XObject << /Im1 " + strconv.Itoa(img) + " 0 R >> >>"},
		)
	}
	write(t, dir, "clean.pdf", build("Final diagnosis: benign"))
	write(t, dir, "named.pdf", build("Patient: Jane Marple"))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Marple^Jane", "the test")
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Action != Review || d.Reason.String() != "page 2 has no text, only a picture (perhaps a scan): it may show names or other details" {
			t.Errorf("%s: %s (%s), want review for page 2", filepath.Base(d.Path), d.Action, d.Reason)
		}
	}
}

// TestChineseLabelExport: in a Chinese export a PDF naming the patient is
// redacted with the label "姓名已删除" drawn in its boxes (as outlines), and
// the written copy reads back as a reliable page without the name.
func TestChineseLabelExport(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "report.pdf", docfix.PDF("Surgical pathology report for Jane Marple", "Invasive ductal carcinoma"))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Marple^Jane", "the test")
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{Language: "zh-Hans"})
	if err != nil || len(ds) != 1 || ds[0].Action != Redact {
		t.Fatalf("%+v, %v", ds, err)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, WithIdentity(privacy.Params{Level: privacy.Pseudonymised, Secret: make([]byte, privacy.SecretSize)}, inv), TreeOptions{})
	if err != nil || len(res.Written) != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	b, _ := os.ReadFile(filepath.Join(out, filepath.FromSlash(res.Written[0].Name)))
	if !bytes.Contains(b, []byte(" c\n")) {
		t.Error("no label outline drawn")
	}
	err = pdftext.Read(context.Background(), bytes.NewReader(b), int64(len(b)), pdftext.Options{}, func(p *pdftext.Page) error {
		if !p.Reliable() || strings.Contains(p.Text, "Marple") || !strings.Contains(p.Text, "carcinoma") {
			t.Errorf("page %d: problems %v, text %q", p.Number, p.Problems, p.Text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
