package redact

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"

	"dossier/packager/i18n"
	"dossier/packager/pdftext"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// ErrImage is returned when a picture lies under a redaction box but is
// stored in a way Dossier cannot mask (an inline image, JPEG 2000, JBIG2,
// a CMYK JPEG): the document must be held for review.
var ErrImage = errors.New(i18n.Msg("a picture under a redaction box is stored in a way Dossier cannot mask"))

// area is a box over an image drawn with ctm.
type area struct {
	ctm [6]float64
	b   box
}

func overlaps(a [4]float64, b box) bool {
	return math.Min(a[2], b.urx) > math.Max(a[0], b.llx) && math.Min(a[3], b.ury) > math.Max(a[1], b.lly)
}

// imageAreas lists, per image object, the boxes that lie over where it is
// drawn on a page.
func imageAreas(pics []pdftext.Picture, boxes []box, out map[int][]area) error {
	for _, p := range pics {
		for _, b := range boxes {
			if !overlaps(p.Box, b) {
				continue
			}
			if p.Inline {
				return fmt.Errorf("%w: inline image", ErrImage)
			}
			out[p.Obj] = append(out[p.Obj], area{p.CTM, b})
		}
	}
	return nil
}

// components returns the number of colour components of an image's colour
// space, 0 when unknown.
func components(xr *model.XRefTable, o types.Object) int {
	o, _ = xr.Dereference(o)
	switch v := o.(type) {
	case types.Name:
		switch v {
		case "DeviceGray", "G", "CalGray", "Indexed", "I":
			return 1
		case "DeviceRGB", "RGB", "CalRGB", "Lab":
			return 3
		case "DeviceCMYK", "CMYK":
			return 4
		}
	case types.Array:
		if len(v) == 0 {
			return 0
		}
		name, _ := xr.Dereference(v[0])
		switch name {
		case types.Name("ICCBased"):
			if len(v) > 1 {
				if d, err := xr.DereferenceDict(v[1]); err == nil && d != nil {
					if n := d.IntEntry("N"); n != nil {
						return *n
					}
				}
				if o, _ := xr.Dereference(v[1]); o != nil {
					if sd, ok := o.(types.StreamDict); ok {
						if n := sd.IntEntry("N"); n != nil {
							return *n
						}
					}
				}
			}
		case types.Name("Indexed"), types.Name("I"), types.Name("Separation"), types.Name("CalGray"):
			return 1
		case types.Name("CalRGB"), types.Name("Lab"):
			return 3
		case types.Name("DeviceN"):
			if len(v) > 1 {
				if a, err := xr.DereferenceArray(v[1]); err == nil {
					return len(a)
				}
			}
		default:
			return components(xr, name)
		}
	}
	return 0
}

// maskImage paints the parts of image object obj under the boxes with
// zero samples and stores it again, FlateDecode-compressed, losslessly
// (a JPEG or a CCITT fax picture is decoded and stored as plain samples).
func maskImage(pdf *model.Context, obj int, areas []area) error {
	xr := pdf.XRefTable
	entry, ok := xr.Table[obj]
	if !ok || entry == nil {
		return fmt.Errorf("%w: missing image", ErrImage)
	}
	sd, ok := entry.Object.(types.StreamDict)
	if !ok {
		return fmt.Errorf("%w: not a stream", ErrImage)
	}
	smp, err := decodeSamples(xr, sd)
	if err != nil {
		return err
	}
	pix, w, h, comps, bpc, cs := smp.pix, smp.w, smp.h, smp.comps, smp.bpc, smp.cs
	row := (w*comps*bpc + 7) / 8
	for _, a := range areas {
		x0, y0, x1, y1, ok := pixelRect(a, w, h)
		if !ok {
			continue
		}
		for y := y0; y < y1; y++ {
			clearBits(pix[y*row:(y+1)*row], x0*comps*bpc, (x1-x0)*comps*bpc)
		}
	}
	ns, _ := xr.NewStreamDictForBuf(pix)
	for k, v := range sd.Dict {
		switch k {
		case "Filter", "DecodeParms", "Length", "DL":
			continue
		}
		ns.Dict[k] = v
	}
	if cs != "" {
		ns.Dict["ColorSpace"] = cs
		ns.Dict["BitsPerComponent"] = types.Integer(8)
		delete(ns.Dict, "Decode")
	}
	if err := ns.Encode(); err != nil {
		return fmt.Errorf("redact: redacting a PDF: encoding an image: %w", err)
	}
	entry.Object = *ns
	return nil
}

// pixelRect maps a box in user space to the pixels of a w x h image drawn
// with ctm (the image's unit square, row 0 at the top).
func pixelRect(a area, w, h int) (x0, y0, x1, y1 int, ok bool) {
	m := a.ctm
	det := m[0]*m[3] - m[1]*m[2]
	if math.Abs(det) < 1e-12 {
		return 0, 0, 0, 0, false
	}
	u0, v0, u1, v1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range [4][2]float64{{a.b.llx, a.b.lly}, {a.b.urx, a.b.lly}, {a.b.llx, a.b.ury}, {a.b.urx, a.b.ury}} {
		x, y := c[0]-m[4], c[1]-m[5]
		u := (m[3]*x - m[2]*y) / det
		v := (-m[1]*x + m[0]*y) / det
		u0, v0, u1, v1 = math.Min(u0, u), math.Min(v0, v), math.Max(u1, u), math.Max(v1, v)
	}
	x0 = max(0, int(math.Floor(u0*float64(w))))
	x1 = min(w, int(math.Ceil(u1*float64(w))))
	y0 = max(0, int(math.Floor((1-v1)*float64(h))))
	y1 = min(h, int(math.Ceil((1-v0)*float64(h))))
	return x0, y0, x1, y1, x0 < x1 && y0 < y1
}

// clearBits sets n bits of b to zero, from bit from (most significant bit
// first, as PDF samples are packed).
func clearBits(b []byte, from, n int) {
	for i := from; i < from+n; {
		if i%8 == 0 && i+8 <= from+n {
			b[i/8] = 0
			i += 8
			continue
		}
		b[i/8] &^= 0x80 >> (i % 8)
		i++
	}
}

// samples are an image XObject's decoded samples: rows of w*comps*bpc
// bits, each row starting on a byte; cs is set when they were decoded from
// a JPEG (8 bits, DeviceGray or DeviceRGB).
type samples struct {
	pix              []byte
	w, h, comps, bpc int
	cs               types.Name
}

// decodeSamples decodes the samples of an image XObject: a JPEG (grey or
// RGB), or data under lossless filters (Flate, LZW, run length, CCITT
// fax, ASCII). Other images fail with ErrImage.
func decodeSamples(xr *model.XRefTable, sd types.StreamDict) (samples, error) {
	iw, ih := sd.IntEntry("Width"), sd.IntEntry("Height")
	if iw == nil || ih == nil || *iw <= 0 || *ih <= 0 || int64(*iw)*int64(*ih) > 1<<28 {
		return samples{}, fmt.Errorf("%w: no usable size", ErrImage)
	}
	w, h := *iw, *ih
	bpc := 8
	if v := sd.IntEntry("BitsPerComponent"); v != nil {
		bpc = *v
	}
	comps := components(xr, sd.Dict["ColorSpace"])
	if m := sd.BooleanEntry("ImageMask"); m != nil && *m {
		comps, bpc = 1, 1
	}
	var pix []byte
	var cs types.Name
	var filters []string
	for _, f := range sd.FilterPipeline {
		filters = append(filters, f.Name)
	}
	switch {
	case len(filters) == 1 && filters[0] == "DCTDecode":
		img, err := jpeg.Decode(bytes.NewReader(sd.Raw))
		if err != nil {
			return samples{}, fmt.Errorf("%w: damaged JPEG", ErrImage)
		}
		b := img.Bounds()
		w, h, bpc = b.Dx(), b.Dy(), 8
		switch m := img.(type) {
		case *image.Gray:
			comps, cs = 1, "DeviceGray"
			pix = make([]byte, 0, w*h)
			for y := 0; y < h; y++ {
				pix = append(pix, m.Pix[y*m.Stride:y*m.Stride+w]...)
			}
		case *image.YCbCr:
			comps, cs = 3, "DeviceRGB"
			pix = make([]byte, 0, 3*w*h)
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					r, g, bl, _ := m.At(x, y).RGBA()
					pix = append(pix, byte(r>>8), byte(g>>8), byte(bl>>8))
				}
			}
		default:
			return samples{}, fmt.Errorf("%w: CMYK JPEG", ErrImage)
		}
	default:
		for _, f := range filters {
			switch f {
			case "FlateDecode", "LZWDecode", "ASCIIHexDecode", "ASCII85Decode", "RunLengthDecode", "CCITTFaxDecode":
			default:
				return samples{}, fmt.Errorf("%w: %s", ErrImage, f)
			}
		}
		if comps == 0 || (bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16) {
			return samples{}, fmt.Errorf("%w: unknown colour space", ErrImage)
		}
		data, err := sd.DecodeLengthWithLimit(-1, 1<<30)
		if err != nil {
			return samples{}, fmt.Errorf("%w: damaged image data", ErrImage)
		}
		pix = append([]byte(nil), data...)
	}
	if len(pix) < (w*comps*bpc+7)/8*h {
		return samples{}, fmt.Errorf("%w: short image data", ErrImage)
	}
	return samples{pix, w, h, comps, bpc, cs}, nil
}
