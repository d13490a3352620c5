package burnedin

import (
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
	"dossier/internal/testtool"
	"dossier/packager/identity"
	"dossier/packager/pixelmask"
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
