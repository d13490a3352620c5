package pixelmask

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"testing"

	"dossier/packager/dicomwire"
	"dossier/packager/jpegls"
)

// encapsulate returns pixel data items (an empty Basic Offset Table, then
// one fragment per frame) and the Encapsulated that reads them.
func encapsulate(frames ...[]byte) Encapsulated {
	item := func(b []byte, v []byte) []byte {
		b = binary.LittleEndian.AppendUint16(b, 0xFFFE)
		b = binary.LittleEndian.AppendUint16(b, 0xE000)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(v)+len(v)%2))
		b = append(b, v...)
		if len(v)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	b := item(nil, nil)
	for _, f := range frames {
		b = item(b, f)
	}
	b = append(b, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0)
	return Encapsulated{Src: dicomwire.Bytes{B: b}, Off: 0, End: int64(len(b)), Size: int64(len(b))}
}

// TestJPEGLSFramesMasked: JPEG-LS frames (lossless and near-lossless, 8
// and 12 bits, grey and RGB) decode to native frames whose samples outside
// the boxes are the original ones (within NEAR) and inside are the mask.
func TestJPEGLSFramesMasked(t *testing.T) {
	for _, c := range []struct {
		ts         string
		f          Format
		bits, near int
	}{
		{JPEGLSLosslessUID, Format{Rows: 13, Columns: 17, Frames: 2, SamplesPerPixel: 1, BitsAllocated: 8, Photometric: "MONOCHROME2"}, 8, 0},
		{JPEGLSLosslessUID, Format{Rows: 13, Columns: 17, Frames: 2, SamplesPerPixel: 1, BitsAllocated: 16, BitsStored: 12, Photometric: "MONOCHROME1"}, 12, 0},
		{JPEGLSLosslessUID, Format{Rows: 9, Columns: 11, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "RGB", Planar: 1}, 8, 0},
		{JPEGLSNearLosslessUID, Format{Rows: 13, Columns: 17, Frames: 2, SamplesPerPixel: 1, BitsAllocated: 16, BitsStored: 12, Photometric: "MONOCHROME2"}, 12, 3},
	} {
		if !Lossy(c.ts) != (c.near == 0) {
			t.Errorf("%s: Lossy %v", c.ts, Lossy(c.ts))
		}
		out, err := Decoded(c.ts, c.f)
		if err != nil || out.Planar != 0 || out.Photometric != c.f.Photometric {
			t.Fatalf("Decoded %+v, %v", out, err)
		}
		spp, n := c.f.SamplesPerPixel, c.f.Rows*c.f.Columns
		var frames [][]byte
		var orig [][]uint16
		for fr := 0; fr < c.f.Frames; fr++ {
			pix := make([]uint16, n*spp)
			for i := range pix {
				pix[i] = uint16((i*7 + fr*31 + i*i%13) % (1 << c.bits))
				if i%17 < 6 {
					pix[i] = 5 // runs
				}
			}
			ilv := 0
			if spp == 3 {
				ilv = 2
			}
			b, err := jpegls.Encode(pix, c.f.Columns, c.f.Rows, spp, c.bits, jpegls.EncodeOptions{Near: c.near, Interleave: ilv})
			if err != nil {
				t.Fatal(err)
			}
			frames, orig = append(frames, b), append(orig, pix)
		}
		box := Box{Frame: 0, X: 2, Y: 3, Width: 5, Height: 4}
		mask := out.MaskValues()
		res, err := EachFrame(context.Background(), encapsulate(frames...), c.ts, c.f, []Box{box}, func(k int, native []byte) error {
			bps := c.f.BitsAllocated / 8
			for i := 0; i < n*spp; i++ {
				x, y, s := i/spp%c.f.Columns, i/spp/c.f.Columns, i%spp
				v := uint16(native[i*bps])
				if bps == 2 {
					v = binary.LittleEndian.Uint16(native[i*bps:])
				}
				if x >= box.X && x < box.X+box.Width && y >= box.Y && y < box.Y+box.Height {
					if v != mask[s%len(mask)] {
						t.Fatalf("%s frame %d (%d,%d): %d inside the box", c.ts, k, x, y, v)
					}
				} else if d := int(v) - int(orig[k-1][i]); d > c.near || d < -c.near {
					t.Fatalf("%s frame %d (%d,%d): %d, original %d", c.ts, k, x, y, v, orig[k-1][i])
				}
			}
			return nil
		})
		if err != nil || res.Frames != c.f.Frames || res.FramesMasked != c.f.Frames {
			t.Fatalf("%s: %+v, %v", c.ts, res, err)
		}
	}
}

// TestJPEGLSRefused: a frame of another size, or damaged, is an error
// wrapping ErrCannotDecode or saying the sizes differ, never a panic.
func TestJPEGLSRefused(t *testing.T) {
	f := Format{Rows: 4, Columns: 4, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 8, Photometric: "MONOCHROME2"}
	good, err := jpegls.Encode(make([]uint16, 16), 4, 4, 1, 8, jpegls.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeJPEGLS(good, f); err != nil {
		t.Fatal(err)
	}
	other := f
	other.Rows = 5
	if _, err := DecodeJPEGLS(good, other); err == nil {
		t.Error("a 4x4 frame accepted in a 4x5 image")
	}
	if _, err := DecodeJPEGLS(good[:8], f); !errors.Is(err, ErrCannotDecode) {
		t.Errorf("truncated: %v", err)
	}
	if _, err := DecodeJPEGLS(bytes.Repeat([]byte{0xFF}, 40), f); !errors.Is(err, ErrCannotDecode) {
		t.Errorf("garbage: %v", err)
	}
}

// TestJPEGLSSigned: signed samples coded in fewer bits than allocated are
// sign-extended, as native signed pixel data holds them.
func TestJPEGLSSigned(t *testing.T) {
	f := Format{Rows: 1, Columns: 3, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 16, BitsStored: 12, PixelRepresentation: 1, Photometric: "MONOCHROME2"}
	b, err := jpegls.Encode([]uint16{0xFFB, 5, 0x800}, 3, 1, 1, 12, jpegls.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeJPEGLS(b, f)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xFB, 0xFF, 5, 0, 0x00, 0xF8}
	if !bytes.Equal(got, want) {
		t.Errorf("% x, want % x", got, want)
	}
	f.PixelRepresentation = 0
	if got, _ = DecodeJPEGLS(b, f); !bytes.Equal(got, []byte{0xFB, 0x0F, 5, 0, 0, 0x08}) {
		t.Errorf("unsigned % x", got)
	}
}
