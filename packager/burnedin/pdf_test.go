package burnedin

import (
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/pdftext"
	"dossier/packager/redact"
)

// TestSuggestPDFAndMaskScannedPage: on a scanned PDF page (only a picture,
// grey samples under Flate or a JPEG, upright or turned by /Rotate) OCR
// finds the patient's name, the box it suggests is in page coordinates,
// and redact.PDF with that box masks the picture's pixels under it: OCR of
// the written picture reads the rest of the page but not the name, the
// pixels outside the box are unchanged (after decoding, for the JPEG),
// and qpdf --check passes.
func TestSuggestPDFAndMaskScannedPage(t *testing.T) {
	testtool.Look(t, "tesseract", "tesseract-ocr")
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		jpeg   bool
		rotate int
	}{{"flate", false, 0}, {"jpeg", true, 0}, {"rotated", false, 90}} {
		data := docfix.PDFScanned(c.jpeg, c.rotate, "Pathology report", "Patient: Jane Marple", "Invasive ductal carcinoma")
		boxes, err := SuggestPDF(ctx, bytes.NewReader(data), matcher())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(boxes) == 0 {
			t.Fatalf("%s: no box suggested", c.name)
		}
		for _, b := range boxes {
			if b.Page != 1 || b.Width <= 0 || b.Height <= 0 || b.X < 0 || b.Y < 0 || b.X+b.Width > 842 || b.Y+b.Height > 842 {
				t.Errorf("%s: box %+v is not on the page", c.name, b)
			}
		}
		before, err := redact.ScannedPictures(ctx, bytes.NewReader(data), pdftext.Options{})
		if err != nil || len(before) != 1 {
			t.Fatalf("%s: %d pictures, %v", c.name, len(before), err)
		}
		pixBoxes, err := SuggestOCR(ctx, before[0].Image, matcher(), 0)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		res, err := redact.PDF(ctx, bytes.NewReader(data), &out, func(*pdftext.Page) [][]int { return nil }, redact.Options{Boxes: boxes, Reviewed: true})
		if err != nil || res.Images == 0 {
			t.Fatalf("%s: %+v, %v", c.name, res, err)
		}
		after, err := redact.ScannedPictures(ctx, bytes.NewReader(out.Bytes()), pdftext.Options{})
		if err != nil || len(after) != 1 {
			t.Fatalf("%s: %d pictures after, %v", c.name, len(after), err)
		}
		words, err := OCR(ctx, after[0].Image)
		if err != nil {
			t.Fatal(err)
		}
		var read []string
		for _, w := range words {
			read = append(read, w.Text)
		}
		text := strings.Join(read, " ")
		if strings.Contains(text, "Marple") || strings.Contains(text, "Jane") || len(MatchWords(words, matcher(), 0, 0)) > 0 {
			t.Errorf("%s: OCR still reads the name: %q", c.name, text)
		}
		if !strings.Contains(text, "Pathology") || !strings.Contains(text, "carcinoma") {
			t.Errorf("%s: OCR lost the rest of the page: %q", c.name, text)
		}
		// Pixels outside the OCR boxes (grown by the rounding of the trip
		// through page points) are as they were.
		g0, g1 := before[0].Image.(*image.Gray), after[0].Image.(*image.Gray)
		changed := 0
		for y := 0; y < g0.Rect.Dy(); y++ {
			for x := 0; x < g0.Rect.Dx(); x++ {
				if g0.Pix[y*g0.Stride+x] == g1.Pix[y*g1.Stride+x] {
					continue
				}
				changed++
				inside := false
				for _, b := range pixBoxes {
					if x >= b.X-3 && x < b.X+b.Width+3 && y >= b.Y-3 && y < b.Y+b.Height+3 {
						inside = true
					}
				}
				if !inside {
					t.Fatalf("%s: pixel %d,%d outside the boxes changed", c.name, x, y)
				}
			}
		}
		if changed == 0 {
			t.Errorf("%s: no pixel masked", c.name)
		}
		p := filepath.Join(t.TempDir(), "out.pdf")
		os.WriteFile(p, out.Bytes(), 0o600)
		if o, err := exec.Command(qpdf, "--check", p).CombinedOutput(); err != nil {
			t.Errorf("%s: qpdf --check: %v\n%s", c.name, err, o)
		}
	}
}

// TestSuggestPDFCannot: without tesseract a scanned PDF gets ErrNoOCR; a
// scanned page whose picture cannot be decoded (JPEG 2000) gets
// redact.ErrImage; a text PDF gets no boxes and no error.
func TestSuggestPDFCannot(t *testing.T) {
	ctx := context.Background()
	if boxes, err := SuggestPDF(ctx, bytes.NewReader(docfix.PDF("Patient: Jane Marple")), matcher()); err != nil || len(boxes) != 0 {
		t.Errorf("text PDF: %v, %v", boxes, err)
	}
	b := &docfix.PDFBuilder{}
	img := b.Stream("/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /JPXDecode", []byte("not really JPEG 2000"))
	jpx := b.Pages(docfix.PDFPage{Content: "q 400 0 0 400 100 200 cm /Im1 Do Q\n", Resources: "<< /XObject << /Im1 " + strconv.Itoa(img) + " 0 R >> >>"})
	if _, err := SuggestPDF(ctx, bytes.NewReader(jpx), matcher()); !errors.Is(err, redact.ErrImage) {
		t.Errorf("JPEG 2000 scan: %v, want ErrImage", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := SuggestPDF(ctx, bytes.NewReader(docfix.PDFScanned(false, 0, "Patient: Jane Marple")), matcher()); !errors.Is(err, ErrNoOCR) {
		t.Errorf("without tesseract: %v, want ErrNoOCR", err)
	}
}
