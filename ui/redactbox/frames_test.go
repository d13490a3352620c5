package redactbox

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/intake"
	"dossier/packager/redactview"
)

// cineDICOM is an RGB ultrasound cine whose frames are pics.
func cineDICOM(pics []*image.RGBA) []byte {
	b := pics[0].Bounds()
	p := dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "US", Rows: b.Dy(), Cols: b.Dx(), PatientName: "MARPLE^JANE", PatientID: "4471902", BirthDate: "19400115", BurnedIn: "YES"},
		Photometric: "RGB", Frames: len(pics)}
	var native []byte
	for _, pic := range pics {
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
	return dcmfix.File(el, p.FileOptions())
}

// TestCineFramesShownWithTheSameBoxes: a moving ultrasound image of three
// frames says that its boxes apply to every frame and has a slider to look
// through them; on the last frame (whose picture differs) the same boxes
// are shown, and the page as sent is that frame with them blacked out.
func TestCineFramesShownWithTheSameBoxes(t *testing.T) {
	ctx := context.Background()
	var pics []*image.RGBA
	for f := 0; f < 3; f++ {
		m := image.NewRGBA(image.Rect(0, 0, 160, 96))
		draw.Draw(m, m.Bounds(), image.NewUniform(color.RGBA{20, 20, 30, 255}), image.Point{}, draw.Src)
		// A bright mark that moves from frame to frame, under the box.
		draw.Draw(m, image.Rect(10+30*f, 10, 30+30*f, 20), image.White, image.Point{}, draw.Src)
		pics = append(pics, m)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cine.dcm"), cineDICOM(pics), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := intake.Scan(ctx, []string{dir}, intake.Options{}, nil)
	if err != nil || len(inv.Items) != 1 {
		t.Fatalf("scan: %v", err)
	}
	v, err := redactview.Open(ctx, inv.Items[0], inv.Identity.Matcher(), "", intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Frames != 3 {
		t.Fatalf("view of %d frames", v.Frames)
	}
	box := Box{Page: 1, X: 0, Y: 0, Width: 120, Height: 30, Origin: redactview.Drawn}
	test.NewTempApp(t)
	pump := newPump()
	p := NewPreview(v, []Box{box}, pump.run)
	t.Cleanup(p.Close)
	w := test.NewWindow(p.Content())
	w.Resize(fyne.NewSize(1000, 700))
	t.Cleanup(w.Close)
	pump.until(t, "frame 1", func() bool { return p.AfterShown == 1 && p.cancel == nil })
	if p.slider == nil || p.slider.Max != 3 || !p.frameLbl.Visible() || p.frameLbl.Text != "Frame 1 of 3" {
		t.Fatalf("no frame slider for a cine of 3 frames")
	}
	first := p.Editor().pic.Image
	if !bright(first, image.Rect(10, 10, 30, 20)) {
		t.Fatal("frame 1 is not shown")
	}
	p.slider.SetValue(3)
	p.slider.OnChangeEnded(3)
	pump.until(t, "frame 3", func() bool { return p.AfterShown == 2 && p.cancel == nil && p.Editor().pic.Image != first })
	if p.Frame() != 3 || p.frameLbl.Text != "Frame 3 of 3" {
		t.Errorf("frame %d, label %q", p.Frame(), p.frameLbl.Text)
	}
	shown := p.Editor().pic.Image
	if !bright(shown, image.Rect(70, 10, 90, 20)) || bright(shown, image.Rect(10, 10, 30, 20)) {
		t.Error("frame 3 is not shown")
	}
	if b := p.Editor().Boxes(); len(b) != 1 || b[0] != box {
		t.Errorf("the boxes on frame 3: %+v", b)
	}
	after := p.After()
	for _, r := range []image.Rectangle{image.Rect(70, 10, 90, 20), image.Rect(0, 0, 120, 30)} {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if !black(after.At(x, y)) {
					t.Fatalf("frame 3 as sent: (%d,%d) not black under the box", x, y)
				}
			}
		}
	}
	if r := p.Redactions(true); len(r.Pixels) != 1 || r.Pixels[0].Frame != 0 {
		t.Errorf("redactions %+v: want one box for every frame", r.Pixels)
	}
}

// bright reports whether every pixel of r in img is light.
func bright(img image.Image, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := color.GrayModel.Convert(img.At(x, y)).(color.Gray); c.Y < 200 {
				return false
			}
		}
	}
	return true
}
