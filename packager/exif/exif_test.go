package exif

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func TestOrientation(t *testing.T) {
	mm := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0}
	ii := []byte{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0}
	if o := Orientation(mm); o != 6 {
		t.Errorf("big-endian: %d", o)
	}
	if o := Orientation(ii); o != 8 {
		t.Errorf("little-endian: %d", o)
	}
	if o := APP1Orientation(append([]byte("Exif\x00\x00"), mm...)); o != 6 {
		t.Errorf("APP1: %d", o)
	}
	bad := append([]byte(nil), mm...)
	bad[19] = 9 // not an orientation
	for _, b := range [][]byte{nil, mm[:10], bad, []byte("http://ns.adobe.com/xap/1.0/\x00<x/>")} {
		if o := Orientation(b); o != 0 {
			t.Errorf("damaged block gave %d", o)
		}
		if o := APP1Orientation(b); o != 0 {
			t.Errorf("damaged APP1 gave %d", o)
		}
	}
}

// TestSource: each orientation maps the upright image onto every stored
// pixel once, and orientation 6 (the camera turned right) shows the stored
// bottom-left pixel at the upright top-left.
func TestSource(t *testing.T) {
	const w, h = 3, 2
	for o := 1; o <= 8; o++ {
		uw, uh := w, h
		if o >= 5 {
			uw, uh = h, w
		}
		seen := map[[2]int]bool{}
		for y := 0; y < uh; y++ {
			for x := 0; x < uw; x++ {
				sx, sy := Source(o, x, y, w, h)
				if sx < 0 || sx >= w || sy < 0 || sy >= h || seen[[2]int{sx, sy}] {
					t.Fatalf("orientation %d: (%d,%d) -> (%d,%d), outside or twice", o, x, y, sx, sy)
				}
				seen[[2]int{sx, sy}] = true
			}
		}
	}
	if sx, sy := Source(6, 0, 0, w, h); sx != 0 || sy != h-1 {
		t.Errorf("orientation 6: upright top-left is stored (%d,%d), want (0,%d)", sx, sy, h-1)
	}
	if sx, sy := Source(8, 0, 0, w, h); sx != w-1 || sy != 0 {
		t.Errorf("orientation 8: upright top-left is stored (%d,%d), want (%d,0)", sx, sy, w-1)
	}
}

// TestUprightAndSourceRect: for every orientation, Upright shows each
// stored pixel where Source says, and SourceRect covers exactly the stored
// pixels of an upright rectangle.
func TestUprightAndSourceRect(t *testing.T) {
	const w, h = 7, 4
	stored := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			stored.Set(x, y, color.NRGBA{uint8(x), uint8(y), 0, 255})
		}
	}
	for o := 1; o <= 8; o++ {
		up := Upright(stored, o)
		uw, uh := up.Bounds().Dx(), up.Bounds().Dy()
		if (o >= 5) != (uw == h && uh == w) {
			t.Fatalf("orientation %d: upright %dx%d", o, uw, uh)
		}
		r := image.Rect(1, 2, 3, 4)
		sr := SourceRect(o, r, w, h)
		inside := map[[2]int]bool{}
		for y := 0; y < uh; y++ {
			for x := 0; x < uw; x++ {
				c := up.At(x, y).(color.NRGBA)
				sx, sy := Source(o, x, y, w, h)
				if int(c.R) != sx || int(c.G) != sy {
					t.Fatalf("orientation %d: upright (%d,%d) shows stored (%d,%d), Source says (%d,%d)", o, x, y, c.R, c.G, sx, sy)
				}
				if image.Pt(x, y).In(r) {
					inside[[2]int{sx, sy}] = true
				}
			}
		}
		if sr.Dx()*sr.Dy() != len(inside) {
			t.Errorf("orientation %d: SourceRect %v for %d pixels", o, sr, len(inside))
		}
		for p := range inside {
			if !image.Pt(p[0], p[1]).In(sr) {
				t.Errorf("orientation %d: stored %v outside %v", o, p, sr)
			}
		}
	}
	if got := JPEGOrientation([]byte{0xFF, 0xD8, 0xFF, 0xDA}); got != 0 {
		t.Errorf("no EXIF: %d", got)
	}
}

// TestPNGOrientation reads the orientation of a PNG's eXIf chunk wherever
// it is (before or after the image data, with or without an "Exif\0\0"
// prefix), and 0 for a PNG without one or a damaged file.
func TestPNGOrientation(t *testing.T) {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	const afterIHDR = 8 + 25
	insert := func(at int, chunk []byte) []byte {
		return append(append(append([]byte{}, p[:at]...), chunk...), p[at:]...)
	}
	prefixed := func(o int) []byte {
		c := PNGOrientationChunk(o)
		data := append([]byte("Exif\x00\x00"), c[8:len(c)-4]...)
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(append(out, "eXIf"...), data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
	}
	iend := len(p) - 12
	for _, c := range []struct {
		name string
		b    []byte
		want int
	}{
		{"none", p, 0},
		{"before the image data", insert(afterIHDR, PNGOrientationChunk(6)), 6},
		{"after the image data", insert(iend, PNGOrientationChunk(8)), 8},
		{"Exif prefix", insert(afterIHDR, prefixed(3)), 3},
		{"cut short", insert(afterIHDR, PNGOrientationChunk(6))[:afterIHDR+10], 0},
		{"not a PNG", []byte("GIF89a......"), 0},
	} {
		if got := PNGOrientation(bytes.NewReader(c.b), int64(len(c.b))); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if _, err := png.Decode(bytes.NewReader(insert(afterIHDR, PNGOrientationChunk(6)))); err != nil {
		t.Errorf("the chunk breaks the PNG: %v", err)
	}
}
