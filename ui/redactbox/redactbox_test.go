package redactbox

import (
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/draw"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"dossier/assets"
	"dossier/internal/fixture/dcmfix"
	"dossier/packager/redactview"
)

// picture is a grey test picture of w×h.
func picture(w, h int) image.Image {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Bounds(), image.NewUniform(color.RGBA{90, 90, 90, 255}), image.Point{}, draw.Src)
	return m
}

// showEditor puts an editor of a 400×200 picture in a window of 800×400:
// the picture is shown at twice its size.
func showEditor(t *testing.T, boxes []Box) (*Editor, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	e := NewEditor(picture(400, 200), 400, 200, 1)
	e.SetBoxes(boxes)
	w := test.NewWindow(e)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(800, 400))
	e.Resize(fyne.NewSize(800, 400))
	t.Cleanup(w.Close)
	return e, w
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.01 }

// TestDragMovesBoxInPictureUnits: a drag of 40×20 screen points on a
// picture shown at twice its size moves the box by 20×10 pixels.
func TestDragMovesBoxInPictureUnits(t *testing.T) {
	e, w := showEditor(t, []Box{{Page: 1, X: 100, Y: 50, Width: 40, Height: 20, Origin: redactview.Header}})
	if e.scale != 2 {
		t.Fatalf("scale %v", e.scale)
	}
	changes := 0
	e.OnChanged = func() { changes++ }
	at := e.ToScreen(110, 60) // inside the box, away from its corner
	test.Drag(w.Canvas(), at, 40, 20)
	got := e.Boxes()
	if len(got) != 1 || !near(got[0].X, 120) || !near(got[0].Y, 60) || !near(got[0].Width, 40) || got[0].Origin != redactview.Header {
		t.Fatalf("after the drag: %+v", got)
	}
	if changes != 1 {
		t.Errorf("%d changes reported", changes)
	}
	// A drag past the edge keeps the box inside the picture.
	test.Drag(w.Canvas(), e.ToScreen(125, 65), 2000, 0)
	if b := e.Boxes()[0]; !near(b.X, 360) || !near(b.Width, 40) {
		t.Errorf("dragged past the edge: %+v", b)
	}
	// The same drag at another zoom moves by the same amount on screen,
	// so by another amount in pixels.
	w.Resize(fyne.NewSize(400, 200))
	e.Resize(fyne.NewSize(400, 200))
	e.SetBoxes([]Box{{Page: 1, X: 100, Y: 50, Width: 40, Height: 20, Origin: redactview.Drawn}})
	test.Drag(w.Canvas(), e.ToScreen(110, 60), 40, 20)
	if b := e.Boxes()[0]; !near(b.X, 140) || !near(b.Y, 70) {
		t.Errorf("at zoom 1: %+v", b)
	}
}

// TestDragResizesFromCorner: a drag that starts on a box's bottom-right
// handle makes it larger.
func TestDragResizesFromCorner(t *testing.T) {
	e, w := showEditor(t, []Box{{Page: 1, X: 100, Y: 50, Width: 40, Height: 20}})
	end := e.ToScreen(140, 70).Subtract(fyne.NewPos(2, 2)) // the handle: the box's last screen points
	// test.Drag finds the object at its position and sends one event whose
	// start is that position less the delta: drag within the handle.
	test.Drag(w.Canvas(), end, 2, 2)
	b := e.Boxes()[0]
	if !near(b.X, 100) || !near(b.Y, 50) || !near(b.Width, 41) || !near(b.Height, 21) {
		t.Errorf("resized: %+v", b)
	}
}

// TestDrawAddAndRemoveBoxes: a drag on the picture draws a new box (in
// picture units); the Add button's function adds one in the middle, which
// the keyboard moves and Delete removes; a tiny drag draws nothing.
func TestDrawAddAndRemoveBoxes(t *testing.T) {
	e, w := showEditor(t, nil)
	c := w.Canvas()
	// Drawn from (20,30) to (80,50) in pixels: the event is sent where the
	// drag ends, and says how far it went.
	test.Drag(c, e.ToScreen(80, 50), 120, 40)
	got := e.Boxes()
	if len(got) != 1 || !near(got[0].X, 20) || !near(got[0].Y, 30) || !near(got[0].Width, 60) || !near(got[0].Height, 20) || got[0].Origin != redactview.Drawn {
		t.Fatalf("drawn: %+v", got)
	}
	test.Drag(c, e.ToScreen(300, 150), 2, 2)
	if len(e.Boxes()) != 1 {
		t.Errorf("a tiny drag drew a box: %+v", e.Boxes())
	}

	e.AddBox()
	got = e.Boxes()
	if len(got) != 2 || !near(got[1].X, 150) || !near(got[1].Y, 87.5) || !near(got[1].Width, 100) || !near(got[1].Height, 25) {
		t.Fatalf("added: %+v", got)
	}
	focused, ok := c.Focused().(*boxView)
	if !ok || focused.box != got[1] || e.Selected() != 1 {
		t.Fatalf("the added box has not the keyboard: %T", c.Focused())
	}
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if b := e.Boxes()[1]; !near(b.X, 154) || !near(b.Y, 91.5) {
		t.Errorf("moved by keys: %+v", b)
	}
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if len(e.Boxes()) != 1 || c.Focused() != nil {
		t.Errorf("after Delete: %+v, focus %v", e.Boxes(), c.Focused())
	}

	// Tab reaches the boxes.
	e.AddBox()
	c.Unfocus()
	var reached []int
	for i := 0; i < 2; i++ {
		test.FocusNext(c)
		if b, ok := c.Focused().(*boxView); ok {
			reached = append(reached, e.Selected())
			_ = b
		}
	}
	if len(reached) != 2 || reached[0] == reached[1] {
		t.Errorf("Tab reached boxes %v", reached)
	}
	// The Remove button's function removes the chosen box.
	e.RemoveSelected()
	if len(e.Boxes()) != 1 {
		t.Errorf("after Remove: %+v", e.Boxes())
	}

	// A box of text found in a PDF stays where it is: the export removes
	// that text whatever the boxes.
	e.SetBoxes([]Box{{Page: 1, X: 10, Y: 10, Width: 50, Height: 10, Origin: redactview.Text}})
	test.Drag(c, e.ToScreen(30, 15), 40, 0)
	e.boxes[0].Tapped(nil)
	e.RemoveSelected()
	e.boxes[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if b := e.Boxes(); len(b) != 1 || b[0].X != 10 {
		t.Errorf("the text found box changed: %+v", b)
	}
}

// pump is a job runner for tests: work runs in a goroutine, as in the
// app, and done is handed back through a channel the test drains.
type pump struct{ posted chan func() }

func newPump() *pump { return &pump{posted: make(chan func(), 64)} }

func (p *pump) run(work func(context.Context) (any, error), done func(any, error)) func() {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		r, err := work(ctx)
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		p.posted <- func() { done(r, err) }
	}()
	return cancel
}

// until runs posted callbacks until cond holds.
func (p *pump) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for !cond() {
		select {
		case f := <-p.posted:
			f()
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestTranslationKeys: every lang key of the package is in every
// translation of the app.
func TestTranslationKeys(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`lang\.X\("([^"]+)"`)
	ents, _ := assets.UITranslations.ReadDir(assets.UITranslationsDir)
	n := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range re.FindAllSubmatch(b, -1) {
			n++
			for _, e := range ents {
				raw, _ := assets.UITranslations.ReadFile(path.Join(assets.UITranslationsDir, e.Name()))
				tr := map[string]any{}
				if err := json.Unmarshal(raw, &tr); err != nil {
					t.Fatal(err)
				}
				if tr[string(m[1])] == nil || tr[string(m[1])] == "" {
					t.Errorf("%s lacks %q", e.Name(), m[1])
				}
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d keys found", n)
	}
}

// usPicture draws an ultrasound frame with the patient's name and number
// in its header band, white on dark, as the machines show them.
func usPicture(t *testing.T, w, h int) *image.RGBA {
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
	for y, s := range map[int]string{40: "MARPLE, JANE   12/03/2024", 150: "Liver, right lobe"} {
		d := font.Drawer{Dst: m, Src: image.White, Face: face, Dot: fixed.P(20, y)}
		d.DrawString(s)
	}
	return m
}

// usDICOM is a two-frame RGB ultrasound instance whose pixels are pic.
func usDICOM(pic *image.RGBA) []byte {
	b := pic.Bounds()
	p := dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "US", Rows: b.Dy(), Cols: b.Dx(), PatientName: "MARPLE^JANE", PatientID: "4471902", BirthDate: "19400115", BurnedIn: "YES"},
		Photometric: "RGB", Frames: 2}
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
	return dcmfix.File(el, p.FileOptions())
}
