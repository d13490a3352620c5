package pixelmask

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"
)

func TestMaskValues(t *testing.T) {
	cases := []struct {
		f    Format
		want []uint16
	}{
		{Format{Photometric: "MONOCHROME2", BitsAllocated: 8}, []uint16{0}},
		{Format{Photometric: "MONOCHROME1", BitsAllocated: 8}, []uint16{255}},
		{Format{Photometric: "MONOCHROME1", BitsAllocated: 16, BitsStored: 12}, []uint16{4095}},
		{Format{Photometric: "MONOCHROME2", BitsAllocated: 16, BitsStored: 12, PixelRepresentation: 1}, []uint16{0xF800}},
		{Format{Photometric: "MONOCHROME1", BitsAllocated: 16, BitsStored: 16, PixelRepresentation: 1}, []uint16{0x7FFF}},
		{Format{Photometric: "MONOCHROME2", BitsAllocated: 8, PixelRepresentation: 1}, []uint16{0x80}},
		{Format{Photometric: "RGB", BitsAllocated: 8}, []uint16{0, 0, 0}},
		{Format{Photometric: "YBR_FULL", BitsAllocated: 8}, []uint16{0, 128, 128}},
	}
	for _, c := range cases {
		if got := c.f.MaskValues(); !equal(got, c.want) {
			t.Errorf("%+v: %v, want %v", c.f, got, c.want)
		}
	}
}

func equal(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMaskFrameLayouts checks every sample of small frames against the
// layout rules written out here: inside a box the mask value, outside the
// original byte.
func TestMaskFrameLayouts(t *testing.T) {
	formats := []Format{
		{Rows: 5, Columns: 7, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 8, Photometric: "MONOCHROME2"},
		{Rows: 5, Columns: 7, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 16, BitsStored: 12, Photometric: "MONOCHROME1"},
		{Rows: 5, Columns: 7, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 16, Photometric: "MONOCHROME2", BigEndian: true, PixelRepresentation: 1},
		{Rows: 5, Columns: 7, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "RGB"},
		{Rows: 5, Columns: 7, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "RGB", Planar: 1},
		{Rows: 5, Columns: 7, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "YBR_FULL", Planar: 1},
		{Rows: 5, Columns: 7, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 16, Photometric: "RGB"},
	}
	boxes := []Box{{X: 1, Y: 1, Width: 2, Height: 3}, {X: 5, Y: 4, Width: 10, Height: 10}, {Frame: 2, X: 0, Y: 0, Width: 7, Height: 5}}
	in := func(x, y int) bool {
		return x >= 1 && x < 3 && y >= 1 && y < 4 || x >= 5 && y >= 4
	}
	for _, f := range formats {
		if err := f.Check(); err != nil {
			t.Fatal(err)
		}
		orig := make([]byte, f.FrameSize())
		for i := range orig {
			orig[i] = byte(i*37 + 11)
		}
		fr := bytes.Clone(orig)
		if n := MaskFrame(fr, f, 1, boxes); n != 6+2 {
			t.Errorf("%+v: %d pixels filled", f, n)
		}
		bps := f.BitsAllocated / 8
		vals := f.MaskValues()
		for y := 0; y < f.Rows; y++ {
			for x := 0; x < f.Columns; x++ {
				for s := 0; s < f.SamplesPerPixel; s++ {
					i := (y*f.Columns+x)*f.SamplesPerPixel + s
					if f.Planar == 1 {
						i = s*f.Rows*f.Columns + y*f.Columns + x
					}
					got := fr[i*bps : (i+1)*bps]
					want := orig[i*bps : (i+1)*bps]
					if in(x, y) {
						v := vals[s]
						switch {
						case bps == 1:
							want = []byte{byte(v)}
						case f.BigEndian:
							want = []byte{byte(v >> 8), byte(v)}
						default:
							want = []byte{byte(v), byte(v >> 8)}
						}
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("%+v: (%d,%d) sample %d = % x, want % x", f, x, y, s, got, want)
					}
				}
			}
		}
	}
}

func TestCopyFrames(t *testing.T) {
	f := Format{Rows: 4, Columns: 3, Frames: 3, SamplesPerPixel: 1, BitsAllocated: 8, Photometric: "MONOCHROME2"}
	src := make([]byte, f.Size()+1) // odd length: a pad byte follows
	for i := range src {
		src[i] = 0xAA
	}
	var out bytes.Buffer
	res, err := Copy(context.Background(), &out, bytes.NewReader(src), 0, int64(len(src)), f, []Box{{Frame: 2, X: 0, Y: 0, Width: 1, Height: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Frames != 3 || res.FramesMasked != 1 || res.Pixels != 1 {
		t.Errorf("result %+v", res)
	}
	want := bytes.Clone(src)
	want[12] = 0
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("output % x", out.Bytes())
	}
	if _, err := Copy(context.Background(), &out, bytes.NewReader(src[:20]), 0, 20, f, nil); err == nil {
		t.Error("short pixel data accepted")
	}
}

// failingReader fails reading at fail and after, and records reads made
// after closed is set.
type failingReader struct {
	src        []byte
	fail       int64
	closed     atomic.Bool
	readsAfter atomic.Int32
}

func (r *failingReader) ReadAt(p []byte, off int64) (int, error) {
	if r.closed.Load() {
		r.readsAfter.Add(1)
	}
	if off >= r.fail {
		return 0, errors.New("read failed")
	}
	return bytes.NewReader(r.src).ReadAt(p, off)
}

type failingWriter struct {
	n, fail int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n++; w.n >= w.fail {
		return 0, errors.New("write failed")
	}
	return len(p), nil
}

// TestCopyStops: Copy reads the next frame while it writes one; a read
// error, a write error and a cancelled context each end it with an error,
// frames in order up to there, and r is never read once Copy has
// returned.
func TestCopyStops(t *testing.T) {
	f := Format{Rows: 8, Columns: 8, Frames: 20, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "RGB"}
	src := make([]byte, f.Size())
	for i := range src {
		src[i] = byte(i / f.FrameSize())
	}
	r := &failingReader{src: src, fail: 5 * int64(f.FrameSize())}
	var out bytes.Buffer
	res, err := Copy(context.Background(), &out, r, 0, f.Size(), f, nil)
	r.closed.Store(true)
	if err == nil || res.Frames != 5 || !bytes.Equal(out.Bytes(), src[:5*f.FrameSize()]) {
		t.Errorf("read error: %+v, %v, %d bytes", res, err, out.Len())
	}

	r = &failingReader{src: src, fail: f.Size()}
	res, err = Copy(context.Background(), &failingWriter{fail: 3}, r, 0, f.Size(), f, nil)
	r.closed.Store(true)
	if err == nil || res.Frames != 2 {
		t.Errorf("write error: %+v, %v", res, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = &failingReader{src: src, fail: f.Size()}
	if _, err := Copy(ctx, io.Discard, r, 0, f.Size(), f, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	r.closed.Store(true)
	time.Sleep(10 * time.Millisecond)
	if r.readsAfter.Load() > 0 {
		t.Error("r was read after Copy returned")
	}
}

func TestCheckRejects(t *testing.T) {
	bad := []Format{
		{Rows: 4, Columns: 4, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 1, Photometric: "MONOCHROME2"},
		{Rows: 4, Columns: 4, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "PALETTE COLOR"},
		{Rows: 4, Columns: 4, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "MONOCHROME2"},
		{Rows: 0, Columns: 4, Frames: 1, SamplesPerPixel: 1, BitsAllocated: 8, Photometric: "MONOCHROME2"},
		{Rows: 4, Columns: 4, Frames: 1, SamplesPerPixel: 3, BitsAllocated: 8, Photometric: "RGB", Planar: 2},
	}
	for _, f := range bad {
		if err := f.Check(); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%+v: %v", f, err)
		}
	}
}

func TestCovered(t *testing.T) {
	region := Box{X: 10, Y: 0, Width: 20, Height: 10}
	halves := []Box{{X: 10, Y: 0, Width: 10, Height: 10}, {X: 20, Y: 0, Width: 10, Height: 10}}
	if !Covered(region, halves, 100, 100, 1) {
		t.Error("two halves do not cover")
	}
	if Covered(region, halves[:1], 100, 100, 1) {
		t.Error("one half covers")
	}
	if Covered(region, []Box{{Frame: 2, X: 0, Y: 0, Width: 100, Height: 100}}, 100, 100, 5) {
		t.Error("a box on frame 2 covers every frame")
	}
	if !Covered(region, []Box{{Frame: 1, X: 0, Y: 0, Width: 100, Height: 100}}, 100, 100, 1) {
		t.Error("a box on the only frame does not cover")
	}
}
