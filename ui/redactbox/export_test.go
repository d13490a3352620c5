package redactbox

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/packager/bundle"
	"dossier/packager/burnedin"
	"dossier/packager/deid"
	"dossier/packager/dicomx"
	"dossier/packager/export"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
	"dossier/packager/redactview"
)

func sameImage(a, b image.Image) bool {
	if a == nil || b == nil || a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.RGBAModel.Convert(a.At(x, y)) != color.RGBAModel.Convert(b.At(x, y)) {
				return false
			}
		}
	}
	return true
}

func black(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r == 0 && g == 0 && b == 0
}

// TestUltrasoundBoxDrawnAndSent is the end-to-end test of the preview: an
// ultrasound image with the patient's name burned into its header is
// opened; the suggested boxes are shown and removed; the patient draws a
// box over the name by dragging; the page "as it will be sent" changes;
// the box, confirmed, goes into an export written by packager/export, whose
// DICOM pixels are black under the box in every frame and unchanged
// elsewhere, with Burned In Annotation NO, and the leak scan holds nothing.
func TestUltrasoundBoxDrawnAndSent(t *testing.T) {
	ctx := context.Background()
	pic := usPicture(t, 640, 200)
	dir := t.TempDir()
	src := filepath.Join(dir, "us.dcm")
	if err := os.WriteFile(src, usDICOM(pic), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := intake.Scan(ctx, []string{dir}, intake.Options{}, nil)
	if err != nil || len(inv.Items) != 1 {
		t.Fatalf("scan: %v", err)
	}
	it := inv.Items[0]
	v, err := redactview.Open(ctx, it, inv.Identity.Matcher(), "name removed", intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := burnedin.Tesseract(); err == nil && (v.OCRMissing || len(v.Suggested) == 0) {
		t.Errorf("tesseract is installed but nothing was suggested: %+v", v)
	}

	test.NewTempApp(t)
	pump := newPump()
	p := NewPreview(v, nil, pump.run)
	t.Cleanup(p.Close)
	w := test.NewWindow(p.Content())
	w.Resize(fyne.NewSize(1200, 700))
	t.Cleanup(w.Close)
	e := p.Editor()
	pump.until(t, "the first page and its after picture", func() bool { return p.AfterShown == 1 })
	if len(e.Boxes()) != len(v.Suggested) {
		t.Fatalf("shown %d boxes, suggested %d", len(e.Boxes()), len(v.Suggested))
	}
	first := p.After()
	// The suggestions are removed (Tab to each, Delete): the patient draws
	// her own box.
	c := w.Canvas()
	for len(e.Boxes()) > 0 {
		c.Unfocus()
		test.FocusNext(c)
		for {
			if b, ok := c.Focused().(*boxView); ok {
				b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
				break
			}
			test.FocusNext(c)
		}
	}
	pump.until(t, "the after picture without boxes", func() bool { return p.cancel == nil })
	shown, bare := p.AfterShown, p.After()
	if len(v.Suggested) > 0 && sameImage(first, bare) {
		t.Error("removing the suggested boxes did not change the after picture")
	}
	// Over the name: about pixels (10,10) to (470,52) (the window's
	// padding makes the screen position a little uncertain).
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(e)
	end := e.ToScreen(475, 56).Add(abs)
	start := e.ToScreen(5, 5).Add(abs)
	test.Drag(c, end, end.X-start.X, end.Y-start.Y)
	boxes := e.Boxes()
	if len(boxes) != 1 || boxes[0].Origin != redactview.Drawn || boxes[0].X > 10 || boxes[0].Y > 10 || boxes[0].X+boxes[0].Width < 470 || boxes[0].Y+boxes[0].Height < 52 {
		t.Fatalf("drawn: %+v", boxes)
	}
	mask := v.PixelBoxes(boxes)[0]
	pump.until(t, "the after picture with the box", func() bool { return p.AfterShown > shown && p.cancel == nil })
	after := p.After()
	if sameImage(bare, after) {
		t.Error("the after picture did not change")
	}
	for _, pt := range []image.Point{{30, 30}, {200, 30}, {460, 45}} {
		if !black(after.At(pt.X, pt.Y)) {
			t.Errorf("after picture at %v is not black", pt)
		}
	}
	for _, pt := range []image.Point{{100, 145}, {30, 140}, {600, 190}} {
		if color.RGBAModel.Convert(after.At(pt.X, pt.Y)) != color.RGBAModel.Convert(pic.At(pt.X, pt.Y)) {
			t.Errorf("after picture changed outside the box at %v", pt)
		}
	}

	red := map[string]*deid.Redactions{it.Path: p.Redactions(true)}
	out := t.TempDir()
	res, err := export.Pack(ctx, nil, export.Request{CaseID: 1, Inventory: inv, Level: privacy.Anonymised,
		Output: bundle.Output{Dir: out, Name: "case", Folder: true}, Include: map[string]bool{it.Path: true}, Redactions: red})
	if err != nil {
		t.Fatal(err)
	}
	var written *deid.Written
	for i := range res.Items {
		if res.Items[i].Path == it.Path {
			written = &res.Items[i]
		}
	}
	if written == nil {
		t.Fatalf("the image was not written; left out: %+v", res.LeftOut)
	}
	if len(written.Warnings) > 0 || len(written.Redacted) == 0 {
		t.Errorf("written %+v", written)
	}
	b, err := os.ReadFile(filepath.Join(out, "case", filepath.FromSlash(written.Name)))
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		img, err := pixelmask.DICOMFrame(ctx, bytes.NewReader(b), int64(len(b)), n)
		if err != nil {
			t.Fatal(err)
		}
		r := img.Bounds()
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				in := x >= mask.X && x < mask.X+mask.Width && y >= mask.Y && y < mask.Y+mask.Height
				got := color.RGBAModel.Convert(img.At(x, y))
				if in && !black(got) {
					t.Fatalf("frame %d: pixel (%d,%d) under the box is not masked", n, x, y)
				}
				if !in && (x < mask.X-1 || x > mask.X+mask.Width || y < mask.Y-1 || y > mask.Y+mask.Height) && got != color.RGBAModel.Convert(pic.At(x, y)) {
					t.Fatalf("frame %d: pixel (%d,%d) outside the box changed", n, x, y)
				}
			}
		}
	}
	h, err := dicomx.ReadHeader(ctx, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	// The drawn box covers every suggested region (the name OCR read, if
	// tesseract is here) and the patient confirmed it.
	if got := h.BurnedInAnnotation; got != "NO" {
		t.Errorf("Burned In Annotation %q", got)
	}
	if _, err := burnedin.Tesseract(); err == nil {
		img, _ := pixelmask.DICOMFrame(ctx, bytes.NewReader(b), int64(len(b)), 1)
		words, err := burnedin.OCR(ctx, img)
		if err != nil {
			t.Fatal(err)
		}
		if got := burnedin.MatchWords(words, inv.Identity.Matcher(), 0, 0); len(got) > 0 {
			t.Errorf("the name is still read in the written pixels (%d places)", len(got))
		}
	}
}
