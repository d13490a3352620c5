package exif

import (
	"encoding/binary"
	"image"
	"image/draw"
)

// JPEGOrientation returns the EXIF orientation (1-8) in the APP1 segments
// of the JPEG stream that b begins, or 0 when it has none (b may be only
// the stream's head: the segments before its first scan).
func JPEGOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0
	}
	p := 2
	for p+4 <= len(b) {
		if b[p] != 0xFF {
			return 0
		}
		m := b[p+1]
		if m == 0xDA || m == 0xD9 {
			return 0
		}
		l := int(binary.BigEndian.Uint16(b[p+2:]))
		if l < 2 || p+2+l > len(b) {
			return 0
		}
		if m == 0xE1 {
			if o := APP1Orientation(b[p+4 : p+2+l]); o != 0 {
				return o
			}
		}
		p += 2 + l
	}
	return 0
}

// Upright returns the stored image img as a viewer shows it for
// orientation o: turned and mirrored for 2 to 8, img itself otherwise.
func Upright(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	src, ok := img.(*image.NRGBA)
	if !ok {
		src = image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	}
	sb := src.Bounds()
	w, h := sb.Dx(), sb.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			sx, sy := Source(o, x, y, w, h)
			si := src.PixOffset(sb.Min.X+sx, sb.Min.Y+sy)
			di := dst.PixOffset(x, y)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}

// SourceRect returns the rectangle of a stored image w pixels wide and h
// high that a rectangle r of the upright image shows, for orientation o
// (see Source); r is first clipped to the upright image.
func SourceRect(o int, r image.Rectangle, w, h int) image.Rectangle {
	uw, uh := w, h
	if o >= 5 && o <= 8 {
		uw, uh = h, w
	}
	r = r.Intersect(image.Rect(0, 0, uw, uh))
	if r.Empty() {
		return image.Rectangle{}
	}
	ax, ay := Source(o, r.Min.X, r.Min.Y, w, h)
	bx, by := Source(o, r.Max.X-1, r.Max.Y-1, w, h)
	return image.Rect(min(ax, bx), min(ay, by), max(ax, bx)+1, max(ay, by)+1)
}
