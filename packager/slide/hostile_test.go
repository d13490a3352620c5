package slide

import (
	"dossier/internal/testtool"

	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"dossier/internal/fixture/tifffix"
)

var knownErrs = []error{ErrNotTIFF, ErrTruncated, ErrIFDLoop, ErrTooManyIFDs, ErrBadIFD, ErrBadValue, ErrBadMetadata, ErrNotSlide}

func checkSpecific(t *testing.T, err error, what string) {
	t.Helper()
	if err == nil {
		return
	}
	ok := false
	for _, k := range knownErrs {
		ok = ok || errors.Is(err, k)
	}
	if !ok {
		t.Errorf("%s: unspecific error %v", what, err)
	}
	msg := err.Error()
	for _, s := range []string{"DOE", "S26-12345", tifffix.FakeUser, tifffix.FakeSerial} {
		if strings.Contains(msg, s) {
			t.Errorf("%s: error leaks a metadata value: %q", what, msg)
		}
	}
}

func seedFiles() map[string][]byte {
	m := map[string][]byte{}
	for _, c := range builderCases() {
		m[c.name] = c.data
	}
	m["flat"] = tifffix.FlatTIFF()
	return m
}

func TestTruncated(t *testing.T) {
	files := seedFiles()
	if b, err := os.ReadFile(filepath.Join(testtool.Shared(t, "testdata/wsi"), "openslide-python-fixtures/small.svs")); err == nil {
		files["small.svs"] = b
	}
	for name, b := range files {
		step := 1
		if len(b) > 4096 {
			step = len(b) / 2000
		}
		okCount := 0
		f := mustOpen(t, b)
		last := f.IFDs[len(f.IFDs)-1]
		for n := 0; n < len(b); n += step {
			_, err := detectBytes(b[:n])
			checkSpecific(t, err, name)
			// Small NDPI files need no high-bits array after the last IFD.
			if err == nil && !(f.NDPI && int64(n) >= last.NextPtrOffset+8) {
				okCount++
			}
		}
		// The structures come after the payloads, so almost every cut fails.
		if okCount > 0 && name != "small.svs" {
			t.Errorf("%s: %d truncated versions detected without error", name, okCount)
		}
		if _, err := detectBytes(b); err != nil && name != "flat" {
			t.Errorf("%s: full file: %v", name, err)
		}
	}
}

func TestTruncatedRealTail(t *testing.T) {
	// The synthetic SVS keeps its IFDs between the payloads: cut at every
	// IFD boundary and inside every IFD.
	b, err := os.ReadFile(filepath.Join(testtool.Shared(t, "testdata/wsi"), "synthetic-aperio-bigtiff.svs"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := OpenTIFF(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.IFDs {
		for n := d.Offset - 1; n <= d.End+1; n++ {
			_, err := detectBytes(b[:n])
			if err == nil {
				t.Errorf("cut at %d: no error", n)
			}
			checkSpecific(t, err, "cut")
		}
	}
}

func mustOpen(t *testing.T, b []byte) *File {
	t.Helper()
	f, err := OpenTIFF(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func putPtr(f *File, b []byte, at int64, width int, v uint64) {
	if width == 8 {
		f.ByteOrder.PutUint64(b[at:], v)
	} else {
		f.ByteOrder.PutUint32(b[at:], uint32(v))
	}
}

func TestIFDLoop(t *testing.T) {
	for _, big := range []bool{false, true} {
		b := tifffix.SVS(tifffix.SVSOptions{BigTIFF: big})
		f := mustOpen(t, b)
		last := f.IFDs[len(f.IFDs)-1]
		for _, target := range []*IFD{f.IFDs[0], last, f.IFDs[2]} {
			c := bytes.Clone(b)
			putPtr(f, c, last.NextPtrOffset, last.NextPtrWidth, uint64(target.Offset))
			_, err := OpenTIFF(bytes.NewReader(c), int64(len(c)))
			if !errors.Is(err, ErrIFDLoop) {
				t.Errorf("bigtiff=%v loop to %d: err = %v", big, target.Offset, err)
			}
		}
	}
	// NDPI: 8-byte next pointers in a classic TIFF.
	b := tifffix.NDPI(tifffix.NDPIOptions{})
	f := mustOpen(t, b)
	last := f.IFDs[len(f.IFDs)-1]
	if last.NextPtrWidth != 8 {
		t.Fatalf("NDPI next pointer width %d", last.NextPtrWidth)
	}
	putPtr(f, b, last.NextPtrOffset, 8, uint64(f.IFDs[0].Offset))
	if _, err := OpenTIFF(bytes.NewReader(b), int64(len(b))); !errors.Is(err, ErrIFDLoop) {
		t.Errorf("NDPI loop: err = %v", err)
	}
}

func TestTooManyIFDs(t *testing.T) {
	// A chain of MaxIFDs+1 minimal IFDs.
	var ifds []tifffix.IFD
	for i := 0; i <= MaxIFDs; i++ {
		ifds = append(ifds, tifffix.IFD{Tags: []tifffix.Tag{tifffix.LongTag(TagImageWidth, 1)}})
	}
	b := tifffix.Build(tifffix.Options{}, ifds)
	_, err := OpenTIFF(bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, ErrTooManyIFDs) {
		t.Errorf("err = %v", err)
	}
	b = tifffix.Build(tifffix.Options{}, ifds[:MaxIFDs])
	if f, err := OpenTIFF(bytes.NewReader(b), int64(len(b))); err != nil || len(f.IFDs) != MaxIFDs {
		t.Errorf("MaxIFDs chain: %v", err)
	}
}

func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

func TestHugeCounts(t *testing.T) {
	b := tifffix.SVS(tifffix.SVSOptions{BigTIFF: true})
	f := mustOpen(t, b)
	d0 := f.IFDs[0]
	cases := map[string]func(c []byte){
		"tile-offsets-count-2^40": func(c []byte) {
			e, _ := d0.Entry(TagTileOffsets)
			f.ByteOrder.PutUint64(c[e.CountOffset:], 1<<40)
		},
		"tile-bytecounts-count-2^63": func(c []byte) {
			e, _ := d0.Entry(TagTileByteCounts)
			f.ByteOrder.PutUint64(c[e.CountOffset:], 1<<63)
		},
		"description-count-max": func(c []byte) {
			e, _ := d0.Entry(TagImageDescription)
			f.ByteOrder.PutUint64(c[e.CountOffset:], ^uint64(0))
		},
		"ifd-entry-count-2^40": func(c []byte) {
			f.ByteOrder.PutUint64(c[d0.Offset:], 1<<40)
		},
		"ifd-entry-count-60000": func(c []byte) {
			f.ByteOrder.PutUint64(c[d0.Offset:], 60000)
		},
		"value-offset-max": func(c []byte) {
			e, _ := d0.Entry(TagImageDescription)
			f.ByteOrder.PutUint64(c[e.FieldOffset:], ^uint64(0))
		},
		"first-ifd-past-eof": func(c []byte) {
			f.ByteOrder.PutUint64(c[8:], uint64(len(c))+100)
		},
		"next-ifd-past-eof": func(c []byte) {
			f.ByteOrder.PutUint64(c[d0.NextPtrOffset:], 1<<62)
		},
		"tile-offset-past-eof": func(c []byte) {
			e, _ := d0.Entry(TagTileOffsets)
			f.ByteOrder.PutUint64(c[e.ValueOffset:], uint64(len(c))-10)
		},
	}
	for name, mutate := range cases {
		c := bytes.Clone(b)
		mutate(c)
		var err error
		n := allocated(func() { _, err = detectBytes(c) })
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		checkSpecific(t, err, name)
		if n > 4<<20 {
			t.Errorf("%s: allocated %d bytes", name, n)
		}
	}
	// Classic TIFF: LONG count 0xFFFFFFFF for the tile offsets.
	b = tifffix.SVS(tifffix.SVSOptions{})
	f = mustOpen(t, b)
	e, _ := f.IFDs[0].Entry(TagTileOffsets)
	binary.LittleEndian.PutUint32(b[e.CountOffset:], 0xFFFFFFFF)
	_, err := detectBytes(b)
	if !errors.Is(err, ErrTruncated) {
		t.Errorf("classic huge count: %v", err)
	}
}

func TestNDPIHighBits(t *testing.T) {
	b := tifffix.NDPI(tifffix.NDPIOptions{})
	f := mustOpen(t, b)
	if !f.NDPI || f.BigTIFF {
		t.Fatalf("NDPI=%v BigTIFF=%v", f.NDPI, f.BigTIFF)
	}
	d := f.IFDs[0]
	if d.NDPIHighOffset != d.NextPtrOffset+8 {
		t.Errorf("high offset %d end %d next at %d", d.NDPIHighOffset, d.End, d.NextPtrOffset)
	}
	e, _ := d.Entry(TagNDPIReference)
	if e.Inline || e.NDPIHighOffset != d.NDPIHighOffset+4*int64(slicesIndex(d, e.Tag)) {
		t.Fatal("reference entry should be out of line with a high-bits word")
	}
	// Small file: the high words are not read.
	if d.End != d.NextPtrOffset+8 {
		t.Errorf("small NDPI: End %d, want %d", d.End, d.NextPtrOffset+8)
	}
	f.ByteOrder.PutUint32(b[e.NDPIHighOffset:], 1)
	f2 := mustOpen(t, b)
	if e2, _ := f2.IFDs[0].Entry(TagNDPIReference); e2.ValueOffset != e.ValueOffset {
		t.Errorf("small NDPI: high bits applied")
	}
	// The same file seen as 5 GiB (zeros after the real bytes): the high word
	// moves the value 4 GiB further.
	big := int64(5) << 30
	f3, err := OpenTIFF(zeroTail{b}, big)
	if err != nil {
		t.Fatal(err)
	}
	d3 := f3.IFDs[0]
	if d3.End != d3.NDPIHighOffset+4*int64(len(d3.Entries)) {
		t.Errorf("large NDPI: End %d", d3.End)
	}
	e3, _ := d3.Entry(TagNDPIReference)
	if e3.ValueOffset != e.ValueOffset+1<<32 {
		t.Errorf("value offset %d, want %d", e3.ValueOffset, e.ValueOffset+1<<32)
	}
	if v, err := f3.ASCII(e3); err != nil || v != "" {
		t.Errorf("ASCII = %q, %v", v, err)
	}
}

func slicesIndex(d *IFD, tag uint16) int {
	for i, e := range d.Entries {
		if e.Tag == tag {
			return i
		}
	}
	return -1
}

// zeroTail reads b followed by zeros.
type zeroTail struct{ b []byte }

func (z zeroTail) ReadAt(p []byte, off int64) (int, error) {
	clear(p)
	if off < int64(len(z.b)) {
		copy(p, z.b[off:])
	}
	return len(p), nil
}

func TestPatchModel(t *testing.T) {
	for _, c := range builderCases() {
		f := mustOpen(t, c.data)
		b := c.data
		readPtr := func(at int64, w int) int64 {
			if w == 8 {
				return int64(f.ByteOrder.Uint64(b[at:]))
			}
			return int64(f.ByteOrder.Uint32(b[at:]))
		}
		if readPtr(f.FirstPtrOffset, f.FirstPtrWidth) != f.IFDs[0].Offset {
			t.Errorf("%s: header pointer", c.name)
		}
		for i, d := range f.IFDs {
			next := int64(0)
			if i+1 < len(f.IFDs) {
				next = f.IFDs[i+1].Offset
			}
			if d.NextOffset != next || readPtr(d.NextPtrOffset, d.NextPtrWidth) != next {
				t.Errorf("%s: IFD %d next pointer", c.name, i)
			}
			for _, e := range d.Entries {
				if f.ByteOrder.Uint16(b[e.EntryOffset:]) != e.Tag || e.FieldOffset != e.CountOffset+int64(e.CountWidth) {
					t.Errorf("%s: IFD %d tag %d: entry offsets", c.name, i, e.Tag)
				}
				if !e.Inline && readPtr(e.FieldOffset, e.FieldWidth) != e.ValueOffset {
					t.Errorf("%s: IFD %d tag %d: value offset", c.name, i, e.Tag)
				}
			}
		}
	}
}

func TestDeclaredTypes(t *testing.T) {
	long := mustOpen(t, tifffix.SVS(tifffix.SVSOptions{BigTIFF: true, LongCounts: true}))
	long8 := mustOpen(t, tifffix.SVS(tifffix.SVSOptions{BigTIFF: true}))
	e, _ := long.IFDs[0].Entry(TagTileByteCounts)
	e8, _ := long8.IFDs[0].Entry(TagTileByteCounts)
	if e.Type != TypeLong || e8.Type != TypeLong8 {
		t.Fatalf("types %d %d", e.Type, e8.Type)
	}
	for i := range long.IFDs {
		r, err := long.DataRanges(long.IFDs[i])
		r8, err8 := long8.DataRanges(long8.IFDs[i])
		if err != nil || err8 != nil || len(r) != len(r8) {
			t.Fatalf("IFD %d: %v %v", i, err, err8)
		}
		for j := range r {
			if r[j].Length != r8[j].Length {
				t.Errorf("IFD %d block %d: %d vs %d", i, j, r[j].Length, r8[j].Length)
			}
		}
	}
}

func FuzzOpenTIFF(f *testing.F) {
	for _, b := range seedFiles() {
		f.Add(b)
	}
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Add([]byte("II+\x00\x08\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tf, err := OpenTIFF(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			checkSpecific(t, err, "OpenTIFF")
			return
		}
		for _, d := range tf.IFDs {
			tf.DataRanges(d)
			for i := range d.Entries {
				tf.Bytes(&d.Entries[i])
				tf.Float(&d.Entries[i])
			}
		}
		_, err = tf.Detect()
		checkSpecific(t, err, "Detect")
	})
}
