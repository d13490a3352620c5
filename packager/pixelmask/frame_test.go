package pixelmask_test

import (
	"bytes"
	"context"
	"image"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/pixelmask"
)

func TestDICOMFrame(t *testing.T) {
	us := dcmfix.Spec{Modality: "US", Rows: 12, Cols: 20}
	for name, p := range map[string]dcmfix.Pixels{
		"rgb-planar1": {Spec: us, Photometric: "RGB", Planar: 1, Frames: 3},
		"rgb-rle":     {Spec: us, Photometric: "RGB", Encoding: "rle", Frames: 3},
		"rgb-bigend":  {Spec: dcmfix.Spec{Modality: "US", Rows: 12, Cols: 20, Syntax: dcmfix.ExplicitBE}, Photometric: "RGB", Frames: 3},
	} {
		in := dcmfix.PixelInstance(p)
		m, err := pixelmask.DICOMFrame(context.Background(), bytes.NewReader(in), int64(len(in)), 3)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rgba := m.(*image.RGBA)
		for y := 0; y < 12; y++ {
			for x := 0; x < 20; x++ {
				for s := 0; s < 3; s++ {
					if got, want := rgba.Pix[rgba.PixOffset(x, y)+s], byte(p.Sample(2, x, y, s)); got != want {
						t.Fatalf("%s: (%d,%d) sample %d = %d, want %d", name, x, y, s, got, want)
					}
				}
			}
		}
	}
	// Grey: the frame's range spread over 0..255; MONOCHROME1 inverted.
	for _, photo := range []string{"MONOCHROME2", "MONOCHROME1"} {
		p := dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "MR", Rows: 12, Cols: 20}, Photometric: photo, BitsAllocated: 16, BitsStored: 12}
		in := dcmfix.PixelInstance(p)
		m, err := pixelmask.DICOMFrame(context.Background(), bytes.NewReader(in), int64(len(in)), 1)
		if err != nil {
			t.Fatal(err)
		}
		g := m.(*image.Gray)
		lo, hi := g.GrayAt(0, 0).Y, g.GrayAt(19, 11).Y // the pattern grows with x and y
		if photo == "MONOCHROME2" && (lo != 0 || hi != 255) || photo == "MONOCHROME1" && (lo != 255 || hi != 0) {
			t.Errorf("%s: corners %d and %d", photo, lo, hi)
		}
	}
	in := dcmfix.PixelInstance(dcmfix.Pixels{Spec: us, Frames: 2})
	if _, err := pixelmask.DICOMFrame(context.Background(), bytes.NewReader(in), int64(len(in)), 3); err == nil {
		t.Error("frame 3 of 2 read")
	}
}
