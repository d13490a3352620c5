package pixelmask

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/jpegfix"
	"dossier/packager/dicomwire"
)

func TestDecodedWideJPEG(t *testing.T) {
	grey := Format{Rows: 4, Columns: 4, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 16, BitsStored: 12, Photometric: "MONOCHROME1", BigEndian: true}
	rgb := Format{Rows: 4, Columns: 4, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "RGB", Planar: 1}
	for _, c := range []struct {
		ts    string
		f     Format
		photo string
		lossy bool
	}{
		{JPEGExtendedUID, grey, "MONOCHROME1", true},
		{JPEGLosslessUID, grey, "MONOCHROME1", false},
		{JPEGLosslessSV1UID, rgb, "RGB", false},
	} {
		out, err := Decoded(c.ts, c.f)
		if err != nil || out.Photometric != c.photo || out.BigEndian || out.Planar != 0 || out.BitsAllocated != c.f.BitsAllocated {
			t.Errorf("%s: %+v, %v", c.ts, out, err)
		}
		if Lossy(c.ts) != c.lossy {
			t.Errorf("%s: lossy %v", c.ts, Lossy(c.ts))
		}
	}
	// 12-bit colour JPEG decodes to RGB.
	c := grey
	c.SamplesPerPixel, c.Photometric = 3, "YBR_FULL_422"
	if out, err := Decoded(JPEGExtendedUID, c); err != nil || out.Photometric != "RGB" {
		t.Errorf("12-bit colour JPEG: %+v, %v", out, err)
	}
}

// TestEachFrameLossless masks a two-frame 16-bit lossless JPEG: samples
// outside the box as encoded, inside zero; a frame of another size is an
// error.
func TestEachFrameLossless(t *testing.T) {
	p := dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "XA", Rows: 9, Cols: 11}, Encoding: "jpeg-lossless", BitsAllocated: 16, BitsStored: 16, Predictor: 5, Frames: 2}
	file := dcmfix.PixelInstance(p)
	f, l, err := ReadFormat(context.Background(), bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	e := Encapsulated{Src: dicomwire.Bytes{B: file}, Off: l.Header.PixelData.Offset, End: l.PixelElementEnd, Size: int64(len(file))}
	box := Box{X: 2, Y: 3, Width: 4, Height: 2}
	native := p.Native()
	res, err := EachFrame(context.Background(), e, l.Header.TransferSyntaxUID, f, []Box{box}, func(n int, b []byte) error {
		for y := 0; y < 9; y++ {
			for x := 0; x < 11; x++ {
				i := 2 * (y*11 + x)
				want := binary.LittleEndian.Uint16(native[(n-1)*2*99+i:])
				if x >= 2 && x < 6 && y >= 3 && y < 5 {
					want = 0
				}
				if got := binary.LittleEndian.Uint16(b[i:]); got != want {
					t.Fatalf("frame %d (%d,%d) = %d, want %d", n, x, y, got, want)
				}
			}
		}
		return nil
	})
	if err != nil || res.Frames != 2 || res.FramesMasked != 2 || res.Pixels != 16 {
		t.Fatalf("%+v, %v", res, err)
	}
	frame := jpegfix.Lossless(make([]uint16, 12), jpegfix.LosslessOptions{W: 4, H: 3, NC: 1, P: 16, Pred: 1})
	if _, err := DecodeWideJPEG(frame, f); err == nil {
		t.Error("a 4x3 frame in a 11x9 image decoded")
	}
	if _, err := DecodeWideJPEG(frame[:20], Format{Rows: 3, Columns: 4, SamplesPerPixel: 1, BitsAllocated: 16}); !errors.Is(err, ErrCannotDecode) {
		t.Errorf("a cut frame: %v", err)
	}
}
