package pixelmask

import (
	"bytes"
	"math/rand"
	"testing"
)

func TestRLERoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	formats := []Format{
		{Rows: 7, Columns: 9, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 8, Photometric: "MONOCHROME2"},
		{Rows: 7, Columns: 300, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 16, Photometric: "MONOCHROME2"},
		{Rows: 5, Columns: 5, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "RGB"},
	}
	for _, f := range formats {
		for _, fill := range []string{"random", "runs", "constant"} {
			native := make([]byte, f.FrameSize())
			for i := range native {
				switch fill {
				case "random":
					native[i] = byte(rng.Intn(256))
				case "runs":
					native[i] = byte(i / 131)
				}
			}
			enc := EncodeRLE(native, f)
			if len(enc)%2 != 0 {
				t.Errorf("%+v %s: odd frame", f, fill)
			}
			dec, err := DecodeRLE(enc, f)
			if err != nil {
				t.Fatalf("%+v %s: %v", f, fill, err)
			}
			if !bytes.Equal(dec, native) {
				t.Errorf("%+v %s: round trip differs", f, fill)
			}
		}
	}
}

func TestDecodeRLERejects(t *testing.T) {
	f := Format{Rows: 4, Columns: 4, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 8, Photometric: "MONOCHROME2"}
	good := EncodeRLE(make([]byte, 16), f)
	bad := map[string][]byte{
		"short":             good[:10],
		"two segments":      append([]byte{2}, good[1:]...),
		"offset past end":   append(append([]byte{}, good[:4]...), append([]byte{0xFF, 0, 0, 0}, good[8:]...)...),
		"too few bytes":     append(append([]byte{}, good[:64]...), 0x02, 1, 2, 3),
		"replicate overrun": append(append([]byte{}, good[:64]...), 0x81, 7),
	}
	for name, b := range bad {
		if _, err := DecodeRLE(b, f); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzDecodeRLE(f *testing.F) {
	fm := Format{Rows: 3, Columns: 5, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "RGB"}
	f.Add(EncodeRLE(make([]byte, fm.FrameSize()), fm))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := DecodeRLE(b, fm)
		if err == nil && len(out) != fm.FrameSize() {
			t.Fatalf("%d bytes decoded", len(out))
		}
	})
}
