package deid

import (
	"bytes"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"dossier/packager/i18n"
	"dossier/packager/pixelmask"
)

func testPicture() *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			m.Set(x, y, color.NRGBA{uint8(100 + x), uint8(150 + y), 200, 255})
		}
	}
	return m
}

var photoBoxes = []pixelmask.Box{{X: 8, Y: 8, Width: 24, Height: 16}}

func inPhotoBox(x, y int) bool { return x >= 8 && x < 32 && y >= 8 && y < 24 }

// withEXIF puts an APP1 EXIF block holding orientation 6 and a camera
// comment after the SOI of a JPEG stream.
func withEXIF(b []byte) []byte {
	app1 := append([]byte{0xFF, 0xE1, 0, 0}, orientationSegment(6)[4:]...)
	app1 = append(app1, []byte("CAMERA OWNER JANE DOE")...)
	n := len(app1) - 2
	app1[2], app1[3] = byte(n>>8), byte(n)
	com := append([]byte{0xFF, 0xFE, 0, 12}, []byte("Jane Doe!!")...)
	out := append([]byte{}, b[:2]...)
	out = append(out, app1...)
	out = append(out, com...)
	return append(out, b[2:]...)
}

func TestMaskJPEGKeepsQualityAndStripsMetadata(t *testing.T) {
	for _, q := range []int{60, 85} {
		var src bytes.Buffer
		if err := jpeg.Encode(&src, testPicture(), &jpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		in := withEXIF(src.Bytes())
		var out bytes.Buffer
		if err := MaskJPEG(&out, bytes.NewReader(in), photoBoxes); err != nil {
			t.Fatal(err)
		}
		if got, err := pixelmask.JPEGQuality(bytes.NewReader(out.Bytes())); err != nil || got != q {
			t.Errorf("quality %d written as %d (%v)", q, got, err)
		}
		if bytes.Contains(out.Bytes(), []byte("JANE")) || bytes.Contains(out.Bytes(), []byte("Jane")) {
			t.Error("metadata kept")
		}
		if !bytes.Contains(out.Bytes(), orientationSegment(6)[4:]) {
			t.Error("orientation lost")
		}
		m, err := jpeg.Decode(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		orig, _ := jpeg.Decode(bytes.NewReader(src.Bytes()))
		for y := 0; y < 48; y++ {
			for x := 0; x < 64; x++ {
				r, g, b, _ := m.At(x, y).RGBA()
				if inPhotoBox(x, y) {
					// Black up to the ringing of lossy coding: nothing of
					// the picture's light remains.
					if lum := (299*(r>>8) + 587*(g>>8) + 114*(b>>8)) / 1000; lum > 12 {
						t.Fatalf("q%d (%d,%d) inside the box = %d %d %d", q, x, y, r>>8, g>>8, b>>8)
					}
					continue
				}
				// Outside: re-encoded at the same quality, so near the
				// original away from the box's edge blocks.
				if x < 8-8 || x >= 32+8 || y >= 24+8 {
					r0, g0, b0, _ := orig.At(x, y).RGBA()
					if diff(r, r0) > 12 || diff(g, g0) > 12 || diff(b, b0) > 12 {
						t.Fatalf("q%d (%d,%d) outside changed: %d %d %d vs %d %d %d", q, x, y, r>>8, g>>8, b>>8, r0>>8, g0>>8, b0>>8)
					}
				}
			}
		}
	}
}

func diff(a, b uint32) uint32 {
	a, b = a>>8, b>>8
	if a > b {
		return a - b
	}
	return b - a
}

func TestMaskPNGLossless(t *testing.T) {
	var src bytes.Buffer
	if err := png.Encode(&src, testPicture()); err != nil {
		t.Fatal(err)
	}
	// A tEXt chunk with a name, before IDAT.
	in := insertPNGChunk(src.Bytes(), "tEXt", []byte("Author\x00Jane Doe"))
	var out bytes.Buffer
	if err := MaskPNG(&out, bytes.NewReader(in), photoBoxes); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte("Jane")) || bytes.Contains(out.Bytes(), []byte("tEXt")) {
		t.Error("metadata kept")
	}
	m, err := png.Decode(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	orig := testPicture()
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			got := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
			want := orig.NRGBAAt(x, y)
			if inPhotoBox(x, y) {
				want = color.NRGBA{0, 0, 0, 255}
			}
			if got != want {
				t.Fatalf("(%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

// insertPNGChunk inserts a chunk after IHDR (CRC left zero: Go's decoder
// checks it, so it is computed).
func insertPNGChunk(b []byte, typ string, data []byte) []byte {
	const ihdrEnd = 8 + 8 + 13 + 4
	chunk := []byte{byte(len(data) >> 24), byte(len(data) >> 16), byte(len(data) >> 8), byte(len(data))}
	chunk = append(chunk, typ...)
	chunk = append(chunk, data...)
	crc := crc32IEEE(chunk[4:])
	chunk = append(chunk, byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
	out := append([]byte{}, b[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, b[ihdrEnd:]...)
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// TestSentNamed: an item the user chose to send counts as sent with her
// identity unless she confirmed boxes over her details in it (in a
// picture, or on a PDF's pages) and the leak scan found nothing; an item
// whose text alone was redacted (a scanned page's picture untouched) still
// counts.
func TestSentNamed(t *testing.T) {
	boxes := []Redaction{{Kind: KindPictureBoxes, Count: 2}}
	marked := []Redaction{{Kind: "name", Count: 1}, {Kind: "boxes", Count: 2}, {Kind: KindBoxesMarked, Count: 1}}
	textOnly := []Redaction{{Kind: "name", Count: 1}, {Kind: "glyphs", Count: 8}, {Kind: "boxes", Count: 1}}
	warned := []i18n.Text{i18n.NewText(errSpellingLeft.Error())}
	for _, c := range []struct {
		name string
		w    Written
		want bool
	}{
		{"not chosen", Written{Redacted: textOnly}, false},
		{"chosen as it is", Written{Included: true}, true},
		{"picture boxes", Written{Included: true, Redacted: boxes}, false},
		{"PDF boxes", Written{Included: true, Redacted: marked}, false},
		{"text only", Written{Included: true, Redacted: textOnly}, true},
		{"boxes, but the leak scan found", Written{Included: true, Redacted: boxes, Warnings: warned}, true},
	} {
		if got := c.w.SentNamed(); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
