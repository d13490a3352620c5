package deid

import (
	"dossier/packager/exif"

	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"dossier/internal/fixture/docfix"
)

// exifBlock builds an APP1 EXIF segment with an Artist, a GPS-ish string and
// an Orientation.
func exifBlock(orientation uint16, text string) []byte {
	var t bytes.Buffer
	t.WriteString("II*\x00")
	binary.Write(&t, binary.LittleEndian, uint32(8))
	binary.Write(&t, binary.LittleEndian, uint16(2))
	// Orientation
	binary.Write(&t, binary.LittleEndian, []uint16{0x0112, 3})
	binary.Write(&t, binary.LittleEndian, uint32(1))
	binary.Write(&t, binary.LittleEndian, []uint16{orientation, 0})
	// Artist, out of line
	binary.Write(&t, binary.LittleEndian, []uint16{0x013B, 2})
	binary.Write(&t, binary.LittleEndian, uint32(len(text)+1))
	binary.Write(&t, binary.LittleEndian, uint32(8+2+24+4))
	binary.Write(&t, binary.LittleEndian, uint32(0))
	t.WriteString(text + "\x00")
	body := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	return append(seg, body...)
}

func segment(marker byte, body string) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	return append(seg, body...)
}

func TestStripJPEG(t *testing.T) {
	plain := docfix.JPEG(64, 48)
	var in bytes.Buffer
	in.Write(plain[:2])
	in.Write(exifBlock(6, "Jane Doe GPS 51.5N 0.12W"))
	in.Write(segment(0xE1, "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>Jane Doe</x:xmpmeta>"))
	in.Write(segment(0xED, "Photoshop 3.0\x008BIM Jane Doe"))
	in.Write(segment(0xFE, "comment: Jane Doe"))
	in.Write(plain[2:])
	in.Write([]byte("trailing Jane Doe"))

	var out bytes.Buffer
	if err := StripJPEG(&out, bytes.NewReader(in.Bytes())); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte("Jane Doe")) {
		t.Error("identity left in the JPEG")
	}
	if exif.APP1Orientation(out.Bytes()[6:]) != 6 {
		t.Error("orientation not kept")
	}
	a, err1 := jpeg.Decode(bytes.NewReader(plain))
	b, err2 := jpeg.Decode(bytes.NewReader(out.Bytes()))
	if err1 != nil || err2 != nil {
		t.Fatalf("decode: %v %v", err1, err2)
	}
	if !samePixels(a, b) {
		t.Error("pixels changed")
	}
	// A clean JPEG comes out byte-identical.
	out.Reset()
	if err := StripJPEG(&out, bytes.NewReader(plain)); err != nil || !bytes.Equal(out.Bytes(), plain) {
		t.Errorf("clean JPEG changed (%v)", err)
	}
	for _, bad := range [][]byte{nil, []byte("not a jpeg"), plain[:len(plain)/2], plain[:3]} {
		if err := StripJPEG(&out, bytes.NewReader(bad)); err == nil {
			t.Errorf("damaged JPEG of %d bytes accepted", len(bad))
		}
	}
}

func pngChunk(typ, data string) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ + data)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE([]byte(typ+data)))
	return b.Bytes()
}

func TestStripPNG(t *testing.T) {
	plain := docfix.PNG(40, 30)
	var in bytes.Buffer
	in.Write(plain[:33]) // signature + IHDR
	in.Write(pngChunk("tEXt", "Author\x00Jane Doe"))
	in.Write(pngChunk("iTXt", "Comment\x00\x00\x00\x00\x00Jane Doe"))
	in.Write(pngChunk("eXIf", "MM\x00*Jane Doe"))
	in.Write(pngChunk("tIME", "\x07\xe9\x01\x02\x03\x04\x05"))
	in.Write(pngChunk("prVt", "Jane Doe"))
	in.Write(pngChunk("gAMA", "\x00\x00\xb1\x8f"))
	in.Write(plain[33:])
	var out bytes.Buffer
	if err := StripPNG(&out, bytes.NewReader(in.Bytes())); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte("Jane Doe")) || bytes.Contains(out.Bytes(), []byte("tIME")) {
		t.Error("metadata left in the PNG")
	}
	if !bytes.Contains(out.Bytes(), []byte("gAMA")) {
		t.Error("display chunk removed")
	}
	a, _ := png.Decode(bytes.NewReader(plain))
	b, err := png.Decode(bytes.NewReader(out.Bytes()))
	if err != nil || !samePixels(a, b) {
		t.Errorf("pixels changed (%v)", err)
	}
	if err := StripPNG(&out, bytes.NewReader(plain[:40])); err == nil {
		t.Error("truncated PNG accepted")
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}
