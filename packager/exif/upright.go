package exif

import (
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/draw"
	"io"
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

// PNGOrientation returns the EXIF orientation (1-8) in the eXIf chunk of
// the PNG file read through r, or 0 when it has none. It walks the chunk
// headers (an eXIf chunk may come before or after the image data) and
// reads only the eXIf chunk, which holds the TIFF-structured block itself
// (some writers put "Exif\0\0" before it, which is accepted too).
func PNGOrientation(r io.ReaderAt, size int64) int {
	var hdr [8]byte
	if size < 8 {
		return 0
	}
	if _, err := r.ReadAt(hdr[:], 0); err != nil || string(hdr[:]) != "\x89PNG\r\n\x1a\n" {
		return 0
	}
	for p := int64(8); p+8 <= size; {
		if _, err := r.ReadAt(hdr[:], p); err != nil {
			return 0
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		if n > 1<<31-1 || p+12+n > size {
			return 0
		}
		switch string(hdr[4:8]) {
		case "eXIf":
			if n > maxEXIf {
				return 0
			}
			data := make([]byte, n)
			if _, err := r.ReadAt(data, p+8); err != nil {
				return 0
			}
			if len(data) >= 6 && string(data[:6]) == "Exif\x00\x00" {
				data = data[6:]
			}
			return Orientation(data)
		case "IEND":
			return 0
		}
		p += 12 + n
	}
	return 0
}

// maxEXIf bounds the eXIf chunk read for its orientation.
const maxEXIf = 1 << 20

// PNGOrientationChunk is a whole PNG eXIf chunk (length, type, data, CRC)
// holding only Orientation o, for a PNG written without the rest of its
// metadata that must still show the right way up.
func PNGOrientationChunk(o int) []byte {
	data := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, // header, IFD0 at 8
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, // Orientation SHORT 1
		0, 0, 0, 0} // no next IFD
	c := make([]byte, 0, 12+len(data))
	c = binary.BigEndian.AppendUint32(c, uint32(len(data)))
	c = append(c, "eXIf"...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}
