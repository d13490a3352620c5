package burnedin

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"dossier/assets"
	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/dicomdeid"
	"dossier/packager/identity"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
)

// drawText draws lines of text in white on a dark picture, as an
// ultrasound header shows them.
func drawText(t *testing.T, w, h int, lines map[int]string) *image.RGBA {
	t.Helper()
	b, err := assets.Fonts.ReadFile("fonts/DejaVuSans.ttf")
	if err != nil {
		t.Fatal(err)
	}
	f, err := opentype.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 28, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Bounds(), image.NewUniform(color.RGBA{20, 20, 30, 255}), image.Point{}, draw.Src)
	for y, s := range lines {
		d := font.Drawer{Dst: m, Src: image.White, Face: face, Dot: fixed.P(20, y)}
		d.DrawString(s)
	}
	return m
}

func matcher() *identity.Matcher {
	s := identity.NewSet()
	s.Add(identity.Name, "Jane Marple", "test")
	s.Add(identity.ID, "MRN 4471902", "test")
	return s.Matcher()
}

func TestOCRFindsAndMaskingRemovesTheName(t *testing.T) {
	testtool.Look(t, "tesseract", "tesseract-ocr")
	ctx := context.Background()
	m := drawText(t, 640, 200, map[int]string{40: "MARPLE, JANE   12/03/2024", 90: "MRN 4471902   GE LOGIQ E9", 150: "Liver, right lobe"})
	boxes, err := SuggestOCR(ctx, m, matcher(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(boxes) < 2 {
		words, _ := OCR(ctx, m)
		t.Fatalf("%d boxes suggested; tesseract read %d words", len(boxes), len(words))
	}
	masked, _, err := pixelmask.MaskImage(m, boxes)
	if err != nil {
		t.Fatal(err)
	}
	words, err := OCR(ctx, masked)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, w := range words {
		text = append(text, w.Text)
	}
	all := strings.Join(text, " ")
	if got := MatchWords(words, matcher(), 0, 0); len(got) > 0 {
		t.Errorf("a spelling is still read after masking (%d places)", len(got))
	}
	for _, gone := range []string{"MARPLE", "JANE", "4471902"} {
		if strings.Contains(strings.ToUpper(all), gone) {
			t.Errorf("%s still read after masking", gone)
		}
	}
	if !strings.Contains(strings.ToLower(all), "liver") {
		t.Errorf("the rest of the text is no longer read (%d words)", len(words))
	}
}

func TestParseTSVAndMatch(t *testing.T) {
	tsv := "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
		"4\t1\t1\t1\t1\t0\t10\t10\t300\t30\t-1\t\n" +
		"5\t1\t1\t1\t1\t1\t10\t10\t60\t30\t95\tJane\n" +
		"5\t1\t1\t1\t1\t2\t80\t12\t90\t28\t93\tMarple\n" +
		"5\t1\t1\t1\t1\t3\t200\t10\t100\t30\t90\tLiver\n" +
		"5\t1\t2\t1\t1\t1\t10\t60\t60\t30\t95\tJane\n"
	words, err := parseTSV(strings.NewReader(tsv))
	if err != nil || len(words) != 4 {
		t.Fatalf("%d words, %v", len(words), err)
	}
	got := MatchWords(words, matcher(), 1, 3)
	want := pixelmask.Box{Frame: 3, X: 9, Y: 9, Width: 162, Height: 32}
	if len(got) != 1 || got[0] != want {
		t.Errorf("boxes %+v, want %+v", got, want)
	}
}

// TestDICOMSuggestMaskAndReadAgain draws a name into the pixels of an
// ultrasound image, suggests boxes by OCR, masks them through the
// de-identifier and OCRs the written image: no spelling is read.
func TestDICOMSuggestMaskAndReadAgain(t *testing.T) {
	testtool.Look(t, "tesseract", "tesseract-ocr")
	ctx := context.Background()
	pic := drawText(t, 640, 200, map[int]string{40: "MARPLE, JANE   12/03/2024", 90: "MRN 4471902   GE LOGIQ E9", 150: "Liver, right lobe"})
	p := dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "US", Rows: 200, Cols: 640, PatientName: "MARPLE^JANE"}, Photometric: "RGB", Frames: 2}
	var native []byte
	for f := 0; f < 2; f++ {
		for i := 0; i < len(pic.Pix); i += 4 {
			native = append(native, pic.Pix[i:i+3]...)
		}
	}
	el := p.Elements()
	for i := range el {
		if el[i].Tag == dcmfix.TagPixelData {
			el[i].Value = native
		}
	}
	in := dcmfix.File(el, p.FileOptions())
	s, err := SuggestDICOM(ctx, bytes.NewReader(in), int64(len(in)), matcher())
	if err != nil {
		t.Fatal(err)
	}
	if s.OCRMissing || len(s.OCR) < 2 {
		t.Fatalf("suggestions %+v", s)
	}
	var out bytes.Buffer
	params := privacy.Params{Level: privacy.Anonymised, Secret: bytes.Repeat([]byte{7}, 32)}
	rep, err := dicomdeid.DeidentifyMasked(ctx, &out, bytes.NewReader(in), int64(len(in)), params,
		dicomdeid.Pixels{Boxes: s.All(), Suggested: s.All(), Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.FramesMasked != 2 || !rep.BurnedInCleared {
		t.Errorf("report %+v", rep)
	}
	for n := 1; n <= 2; n++ {
		img, err := pixelmask.DICOMFrame(ctx, bytes.NewReader(out.Bytes()), int64(out.Len()), n)
		if err != nil {
			t.Fatal(err)
		}
		words, err := OCR(ctx, img)
		if err != nil {
			t.Fatal(err)
		}
		if got := MatchWords(words, matcher(), 0, 0); len(got) > 0 {
			t.Errorf("frame %d: a spelling is still read after masking (%d places)", n, len(got))
		}
		if len(words) == 0 {
			t.Errorf("frame %d: nothing read at all after masking", n)
		}
	}
}
