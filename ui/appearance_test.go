package ui

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// ink measures how much text covers img inside r: the sum of each pixel's difference in grey from
// the background (the pixel at r's corner).
func ink(img image.Image, r image.Rectangle) int {
	gray := func(x, y int) int { return int(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y) }
	bg := gray(r.Max.X-1, r.Max.Y-1)
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			n += max(bg-gray(x, y), gray(x, y)-bg)
		}
	}
	return n
}

// TestChineseHeadingsBold: in the Chinese UI bold text has a bold Chinese face of its own, and a
// bold heading puts clearly more ink on the screen than the same words in regular text.
func TestChineseHeadingsBold(t *testing.T) {
	t.Cleanup(func() { useLanguage("") })
	t.Setenv("LANGUAGE", "")
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefTheme, "light")
	useLanguage("zh-Hans")
	applyAppearance(a)
	th := a.Settings().Theme()
	regular, bold := th.Font(fyne.TextStyle{}), th.Font(fyne.TextStyle{Bold: true})
	if regular == nil || bold == nil || regular == bold || bold.Name() != "NotoSansSC-Bold-subset.ttf" {
		t.Fatalf("fonts: regular %v, bold %v", regular, bold)
	}
	const heading = "审阅专家必需的资料"
	r := canvas.NewText(heading, color.White)
	b := canvas.NewText(heading, color.White)
	b.TextStyle.Bold = true
	r.TextSize, b.TextSize = 20, 20
	w := test.NewWindow(container.NewVBox(r, b))
	defer w.Close()
	w.Resize(fyne.NewSize(400, 120))
	img := w.Canvas().Capture()
	box := func(o fyne.CanvasObject) image.Rectangle {
		p, s := o.Position(), o.Size()
		return image.Rect(int(p.X), int(p.Y), int(p.X+s.Width), int(p.Y+s.Height))
	}
	ri, bi := ink(img, box(r)), ink(img, box(b))
	t.Logf("ink: bold %d, regular %d", bi, ri)
	if ri == 0 || bi < ri*13/10 {
		t.Errorf("bold heading has %d of ink, regular %d: not bold", bi, ri)
	}
}
