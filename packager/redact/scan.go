package redact

import (
	"context"
	"fmt"
	"image"
	"io"
	"math"
	"strings"

	"dossier/packager/pdftext"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// ScannedPicture is a picture drawn on a page without text (a scanned
// page), decoded, so that OCR can look for identity in it and the boxes it
// finds can be redacted (Options.Boxes, with Reviewed) on the page.
type ScannedPicture struct {
	// Page is the 1-based page.
	Page int
	// Image is the picture's samples as stored (row 0 at the top), in grey
	// or RGB.
	Image image.Image
	ctm   [6]float64
	view  func(x, y float64) (float64, float64)
}

// minScanned is the least width and height in pixels of a picture read
// on a scanned page (smaller ones are rules and dots, not text).
const minScanned = 16

// ScannedPictures reads the PDF in r and returns the pictures of its
// pages that have no text (scans; the labels of redaction boxes do not
// count). A picture on such a page that cannot be
// decoded or masked (an inline image, JPEG 2000, JBIG2, a CMYK JPEG, an
// indexed colour space) fails with ErrImage: such a document must be held
// for review. A document with text on every page gives none.
func ScannedPictures(ctx context.Context, r io.ReadSeeker, opts pdftext.Options) ([]ScannedPicture, error) {
	doc, err := pdftext.Open(ctx, r, opts)
	if err != nil {
		return nil, fmt.Errorf("redact: reading a PDF: %w", err)
	}
	xr := doc.Model().XRefTable
	var out []ScannedPicture
	err = doc.Each(func(p *pdftext.Page) error {
		if hasText(p) || len(p.Pictures) == 0 {
			return nil
		}
		for _, pic := range p.Pictures {
			if pic.Inline {
				return fmt.Errorf("%w: inline image", ErrImage)
			}
			sd, _, err := xr.DereferenceStreamDict(types.IndirectRef{ObjectNumber: types.Integer(pic.Obj), GenerationNumber: types.Integer(pic.Gen)})
			if err != nil || sd == nil {
				return fmt.Errorf("%w: missing image", ErrImage)
			}
			if cs, _ := xr.Dereference(sd.Dict["ColorSpace"]); isIndexed(cs) {
				return fmt.Errorf("%w: indexed colours", ErrImage)
			}
			smp, err := decodeSamples(xr, *sd)
			if err != nil {
				return err
			}
			if smp.w < minScanned || smp.h < minScanned {
				continue
			}
			inverted := false
			if d, err := xr.DereferenceArray(sd.Dict["Decode"]); err == nil && len(d) >= 2 && smp.cs == "" {
				if v, ok := d[0].(types.Integer); ok && v == 1 {
					inverted = true
				} else if v, ok := d[0].(types.Float); ok && v == 1 {
					inverted = true
				}
			}
			if m := sd.BooleanEntry("ImageMask"); m != nil && *m {
				inverted = !inverted // a stencil paints its 0 samples black
			}
			img, err := smp.image(inverted)
			if err != nil {
				return err
			}
			page := p
			out = append(out, ScannedPicture{Page: p.Number, Image: img, ctm: pic.CTM, view: page.ToView})
		}
		return nil
	})
	return out, err
}

// hasText reports whether a page shows text (other than the labels of
// redaction boxes).
func hasText(p *pdftext.Page) bool {
	for _, g := range p.Glyphs {
		if g.Font != labelFont && strings.TrimSpace(g.Text) != "" {
			return true
		}
	}
	return false
}

func isIndexed(o types.Object) bool {
	if a, ok := o.(types.Array); ok && len(a) > 0 {
		n, _ := a[0].(types.Name)
		return n == "Indexed" || n == "I"
	}
	n, _ := o.(types.Name)
	return n == "Indexed" || n == "I"
}

// ToPage returns the region of the page (PDF points from the top left of
// the page as displayed, as Options.Boxes and --redactions take them) that
// the picture's pixels x, y, width, height (from its top left) cover.
func (s ScannedPicture) ToPage(x, y, width, height int) Box {
	b := s.Image.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range [][2]float64{{float64(x), float64(y)}, {float64(x + width), float64(y)}, {float64(x), float64(y + height)}, {float64(x + width), float64(y + height)}} {
		u, v := c[0]/w, 1-c[1]/h // the unit square, row 0 at the top
		m := s.ctm
		px, py := m[0]*u+m[2]*v+m[4], m[1]*u+m[3]*v+m[5]
		vx, vy := s.view(px, py)
		x0, y0, x1, y1 = math.Min(x0, vx), math.Min(y0, vy), math.Max(x1, vx), math.Max(y1, vy)
	}
	return Box{Page: s.Page, X: x0, Y: y0, Width: x1 - x0, Height: y1 - y0}
}

// image returns the samples as a picture: grey (1, 2, 4, 8 or 16 bits) or
// RGB (8 or 16 bits); inverted flips grey values (a Decode of [1 0]).
func (s samples) image(inverted bool) (image.Image, error) {
	row := (s.w*s.comps*s.bpc + 7) / 8
	sample := func(line []byte, i int) uint8 {
		switch s.bpc {
		case 16:
			return line[2*i]
		case 8:
			return line[i]
		}
		bit := i * s.bpc
		v := line[bit/8] >> (8 - s.bpc - bit%8) & (1<<s.bpc - 1)
		return uint8(int(v) * 255 / (1<<s.bpc - 1))
	}
	switch s.comps {
	case 1:
		g := image.NewGray(image.Rect(0, 0, s.w, s.h))
		for y := 0; y < s.h; y++ {
			line := s.pix[y*row : (y+1)*row]
			for x := 0; x < s.w; x++ {
				v := sample(line, x)
				if inverted {
					v = 255 - v
				}
				g.Pix[y*g.Stride+x] = v
			}
		}
		return g, nil
	case 3:
		if s.bpc != 8 && s.bpc != 16 {
			break
		}
		m := image.NewRGBA(image.Rect(0, 0, s.w, s.h))
		for y := 0; y < s.h; y++ {
			line := s.pix[y*row : (y+1)*row]
			for x := 0; x < s.w; x++ {
				o := y*m.Stride + 4*x
				m.Pix[o], m.Pix[o+1], m.Pix[o+2], m.Pix[o+3] = sample(line, 3*x), sample(line, 3*x+1), sample(line, 3*x+2), 255
			}
		}
		return m, nil
	}
	return nil, fmt.Errorf("%w: %d colour components of %d bits", ErrImage, s.comps, s.bpc)
}
