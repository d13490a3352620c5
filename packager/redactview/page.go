package redactview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"math"
	"sync"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"dossier/packager/identity"
	"dossier/packager/pdftext"
	"dossier/packager/redact"
)

// redactLabelFont is the resource name packager/redact gives the font of
// its boxes' labels (white on the black box).
const redactLabelFont = "DossierRedactLabel"

// maxPages bounds the pages of a PDF shown.
const maxPages = 500

// errStop ends a page walk early.
var errStop = errors.New("stop")

func (v *View) openPDF(ctx context.Context) error {
	f, err := v.open()
	if err != nil {
		return err
	}
	defer f.Close()
	err = pdftext.Read(ctx, f, f.Size(), pdftext.Options{}, func(p *pdftext.Page) error {
		if len(v.sizes) >= maxPages {
			return errStop
		}
		w, h := pageSize(p)
		v.sizes = append(v.sizes, [2]float64{w, h})
		if !p.Reliable() {
			v.Unread = append(v.Unread, p.Number)
		}
		// Writing drawn as outlines is suggested for a box, a little wider
		// than its row, so the whole drawing lies under it.
		for _, r := range pdftext.DrawnWriting(p) {
			x0, y0, x1, y1 := viewRect(p, r)
			const margin = 2
			v.Suggested = append(v.Suggested, Box{Page: p.Number, X: x0 - margin, Y: y0 - margin, Width: x1 - x0 + 2*margin, Height: y1 - y0 + 2*margin, Origin: Outlined})
		}
		for _, r := range identity.Merge(v.m.FindAll(p.Text)) {
			for _, gs := range redact.TextSpans(p, [][2]int{r}) {
				b := glyphsBox(p, gs)
				b.Page, b.Origin = p.Number, Text
				v.Suggested = append(v.Suggested, b)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	v.Pages = len(v.sizes)
	if v.Pages == 0 {
		return fmt.Errorf("redactview: a PDF without pages")
	}
	return nil
}

// pageSize is the size of a page as displayed, in points.
func pageSize(p *pdftext.Page) (w, h float64) {
	w, h = p.Box[2]-p.Box[0], p.Box[3]-p.Box[1]
	if p.Rotate == 90 || p.Rotate == 270 {
		w, h = h, w
	}
	return math.Abs(w), math.Abs(h)
}

// viewRect maps a user-space rectangle to the displayed page.
func viewRect(p *pdftext.Page, r [4]float64) (x0, y0, x1, y1 float64) {
	ax, ay := p.ToView(r[0], r[1])
	bx, by := p.ToView(r[2], r[3])
	return math.Min(ax, bx), math.Min(ay, by), math.Max(ax, bx), math.Max(ay, by)
}

// glyphsBox covers the glyphs gs of a page, on the displayed page.
func glyphsBox(p *pdftext.Page, gs []int) Box {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, i := range gs {
		a, b, c, d := viewRect(p, p.Glyphs[i].Box)
		x0, y0, x1, y1 = math.Min(x0, a), math.Min(y0, b), math.Max(x1, c), math.Max(y1, d)
	}
	return Box{X: x0, Y: y0, Width: x1 - x0, Height: y1 - y0}
}

var (
	fontOnce sync.Once
	fontData *opentype.Font
)

func pageFont() *opentype.Font {
	fontOnce.Do(func() { fontData, _ = opentype.Parse(goregular.TTF) })
	return fontData
}

// drawPage draws page n of the PDF in r as Dossier reads it: each glyph
// in its place, pictures as grey areas and drawings by their extent. It is
// a sketch of the page's layers (what a copy-paste or a search would
// find), not a rendering of its fonts.
//
// Paths that fall within one of filled (boxes of page n on the displayed
// page, in points) are drawn filled black: they are the export's
// redaction boxes, whose label is drawn in white.
func drawPage(ctx context.Context, r io.ReaderAt, size int64, n int, filled []Box) (image.Image, [2]float64, error) {
	d, err := pdftext.Open(ctx, io.NewSectionReader(r, 0, size), pdftext.Options{})
	if err != nil {
		return nil, [2]float64{}, err
	}
	p, err := d.Page(n)
	if err != nil {
		return nil, [2]float64{}, err
	}
	w, h := pageSize(p)
	dims := [2]float64{w, h}
	out := image.NewRGBA(image.Rect(0, 0, int(math.Ceil(w*PageScale)), int(math.Ceil(h*PageScale))))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	rect := func(box [4]float64, c color.Color) {
		x0, y0, x1, y1 := viewRect(p, box)
		r := image.Rect(int(x0*PageScale), int(y0*PageScale), int(math.Ceil(x1*PageScale)), int(math.Ceil(y1*PageScale)))
		draw.Draw(out, r.Intersect(out.Bounds()), image.NewUniform(c), image.Point{}, draw.Over)
	}
	for _, pic := range p.Pictures {
		if img := pictureOf(d, pic); img != nil {
			x0, y0, x1, y1 := viewRect(p, pic.Box)
			r := image.Rect(int(x0*PageScale), int(y0*PageScale), int(math.Ceil(x1*PageScale)), int(math.Ceil(y1*PageScale)))
			xdraw.ApproxBiLinear.Scale(out, r, img, img.Bounds(), draw.Over, nil)
			continue
		}
		rect(pic.Box, color.RGBA{0xc8, 0xc8, 0xc8, 0xff})
	}
	// A path is drawn by its outline: whether it is filled is not read, and
	// a table's frame must not hide its cells. Paths within the boxes the
	// export drew are its boxes: drawn filled.
	for _, path := range p.Paths {
		if within(p, path.Box, filled, n) {
			rect(path.Box, color.Black)
			continue
		}
		x0, y0, x1, y1 := path.Box[0], path.Box[1], path.Box[2], path.Box[3]
		t := 1 / float64(PageScale)
		grey := color.RGBA{0x40, 0x40, 0x40, 0xff}
		rect([4]float64{x0, y0, x1, y0 + t}, grey)
		rect([4]float64{x0, y1 - t, x1, y1}, grey)
		rect([4]float64{x0, y0, x0 + t, y1}, grey)
		rect([4]float64{x1 - t, y0, x1, y1}, grey)
	}
	faces := map[int]font.Face{}
	defer func() {
		for _, f := range faces {
			f.Close()
		}
	}()
	for _, g := range p.Glyphs {
		if g.Text == "" {
			continue
		}
		x0, _, _, y1 := viewRect(p, g.Box)
		px := max(4, min(int(math.Round(math.Abs(g.Size)*PageScale)), 400))
		face := faces[px]
		if face == nil {
			f, err := opentype.NewFace(pageFont(), &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingNone})
			if err != nil {
				return nil, dims, err
			}
			face, faces[px] = f, f
		}
		// The baseline sits about a fifth of the size above the glyph
		// box's bottom (its descent).
		base := y1*PageScale - float64(px)*0.22
		ink := image.Black
		if g.Font == redactLabelFont {
			ink = image.White
		}
		d := font.Drawer{Dst: out, Src: ink, Face: face, Dot: fixed.P(int(x0*PageScale), int(base))}
		d.DrawString(g.Text)
	}
	return out, dims, nil
}

// within reports whether the user-space rectangle r of page p (number n)
// lies inside one of boxes, give or take a few points.
func within(p *pdftext.Page, r [4]float64, boxes []Box, n int) bool {
	const slack = 3
	x0, y0, x1, y1 := viewRect(p, r)
	if x1-x0 < 1 || y1-y0 < 1 {
		return false
	}
	for _, b := range boxes {
		if b.Page == n && x0 >= b.X-slack && y0 >= b.Y-slack && x1 <= b.X+b.Width+slack && y1 <= b.Y+b.Height+slack {
			return true
		}
	}
	return false
}

// maxPictureSamples bounds a picture of a page decoded for the sketch.
const maxPictureSamples = 64 << 20

// pictureOf decodes an image drawn on a page for the sketch: a JPEG
// (DCTDecode), or 8-bit grey or RGB samples (Flate and the like); nil for
// any other (it is drawn as a grey area).
func pictureOf(d *pdftext.Document, pic pdftext.Picture) image.Image {
	if pic.Inline || pic.Obj == 0 {
		return nil
	}
	xr := d.Model().XRefTable
	entry, ok := xr.Table[pic.Obj]
	if !ok || entry == nil {
		return nil
	}
	sd, ok := entry.Object.(types.StreamDict)
	if !ok {
		return nil
	}
	iw, ih := sd.IntEntry("Width"), sd.IntEntry("Height")
	if iw == nil || ih == nil || *iw <= 0 || *ih <= 0 || int64(*iw)*int64(*ih)*3 > maxPictureSamples {
		return nil
	}
	var filters []string
	for _, f := range sd.FilterPipeline {
		filters = append(filters, f.Name)
	}
	if len(filters) == 1 && filters[0] == "DCTDecode" {
		img, err := jpeg.Decode(bytes.NewReader(sd.Raw))
		if err != nil {
			return nil
		}
		return img
	}
	if bpc := sd.IntEntry("BitsPerComponent"); bpc == nil || *bpc != 8 {
		return nil
	}
	for _, f := range filters {
		switch f {
		case "FlateDecode", "LZWDecode", "ASCIIHexDecode", "ASCII85Decode", "RunLengthDecode":
		default:
			return nil
		}
	}
	comps := 0
	switch cs, _ := xr.Dereference(sd.Dict["ColorSpace"]); cs {
	case types.Name("DeviceGray"):
		comps = 1
	case types.Name("DeviceRGB"):
		comps = 3
	default:
		return nil
	}
	w, h := *iw, *ih
	data, err := sd.DecodeLengthWithLimit(-1, int64(w*h*comps))
	if err != nil || len(data) < w*h*comps {
		return nil
	}
	if comps == 1 {
		return &image.Gray{Pix: data[:w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		m.Pix[4*i], m.Pix[4*i+1], m.Pix[4*i+2], m.Pix[4*i+3] = data[3*i], data[3*i+1], data[3*i+2], 0xff
	}
	return m
}
