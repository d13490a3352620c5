package kit

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// A language's own name shows in a UI whose font lacks its characters: "简体中文" in the English UI
// (Fyne's font has no Chinese) is drawn in the embedded Chinese font, which has every one of its
// characters; text the theme's font draws keeps it.
func TestTextFont(t *testing.T) {
	test.NewTempApp(t)
	th := theme.DefaultTheme()
	if Covers(th.Font(fyne.TextStyle{}), "简体中文") {
		t.Fatal("Fyne's font has Chinese characters: the test shows nothing")
	}
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		f := TextFont(th, style, "简体中文")
		if f == nil || !Covers(f, "简体中文") {
			t.Errorf("bold %v: 简体中文 is drawn in %v, which lacks its characters", style.Bold, f)
		}
	}
	for _, text := range []string{"English", "Same as this computer", "Français", ""} {
		if f := TextFont(th, fyne.TextStyle{}, text); f != nil {
			t.Errorf("%q is drawn in %s, not the theme's font", text, f.Name())
		}
	}
	// Mixed text the embedded font cannot draw whole (it has no Latin letters) keeps the theme's.
	if f := TextFont(th, fyne.TextStyle{}, "Chinese 中文"); f != nil {
		t.Errorf("mixed text drawn in %s alone", f.Name())
	}
}

// Rendered: the option "简体中文" is drawn in a font with its glyphs, and on screen "简体", "中文"
// and two characters no font has ("\uffff\uffff", drawn as boxes) all differ: boxes would look
// alike. Each is drawn alone, at the same place, in a window of the same size.
func TestRadioLanguageNameRenders(t *testing.T) {
	test.NewTempApp(t)
	draw := func(text string) image.Image {
		t.Helper()
		r := NewRadioGroup([]string{text}, nil)
		w := test.NewWindow(container.NewVBox(r))
		defer w.Close()
		w.Resize(fyne.NewSize(200, 60))
		o := r.Items()[0].(*radioOption)
		var label *canvas.Text
		for _, x := range test.WidgetRenderer(o).Objects() {
			if l, ok := x.(*canvas.Text); ok {
				label = l
			}
		}
		if label == nil {
			t.Fatal("an option has no text")
		}
		font := label.FontSource
		if font == nil {
			font = o.Theme().Font(label.TextStyle)
		}
		if text != "\uffff\uffff" && !Covers(font, text) {
			t.Errorf("option %q is drawn in %s, which lacks its characters", text, font.Name())
		}
		return w.Canvas().Capture()
	}
	zh, wen, boxes := draw("简体"), draw("中文"), draw("\uffff\uffff")
	draw("简体中文")
	for _, c := range []struct {
		what string
		a, b image.Image
	}{{"简体 and 中文", zh, wen}, {"简体 and boxes", zh, boxes}, {"中文 and boxes", wen, boxes}} {
		if n := inkDiffers(c.a, c.b); n < 20 {
			t.Errorf("%s are drawn alike (%d pixels differ clearly)", c.what, n)
		}
	}
}

// inkDiffers counts the pixels that differ clearly (by more than a quarter of the range in a colour
// channel: not the anti-aliasing of one glyph drawn at another place) between two pictures, aligned
// at their top left corners.
func inkDiffers(a, b image.Image) int {
	far := func(x, y uint32) bool { return x > y+0x4000 || y > x+0x4000 }
	n := 0
	ra, rb := a.Bounds(), b.Bounds()
	for y := 0; y < min(ra.Dy(), rb.Dy()); y++ {
		for x := 0; x < min(ra.Dx(), rb.Dx()); x++ {
			r1, g1, b1, _ := a.At(ra.Min.X+x, ra.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(rb.Min.X+x, rb.Min.Y+y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) {
				n++
			}
		}
	}
	return n
}
