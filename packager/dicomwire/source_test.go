package dicomwire_test

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"testing"
	"unsafe"

	"dossier/packager/dicomwire"
)

// TestWindowSpare: a window given a spare array serves the same bytes as
// one without, for spares smaller and larger than the file and reads
// anywhere in it, uses the spare's array, and Release hands back a buffer
// for the next window.
func TestWindowSpare(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, size := range []int{100, 20 << 10, 300 << 10, 5 << 20} {
		data := make([]byte, size)
		rng.Read(data)
		for _, spareCap := range []int{0, 1 << 10, 64 << 10, 1 << 20} {
			spare := make([]byte, 0, spareCap)
			w := dicomwire.NewWindowSpare(bytes.NewReader(data), int64(size), spare)
			plain := dicomwire.NewWindow(bytes.NewReader(data), int64(size))
			for i := range 200 {
				off := int64(rng.Intn(size))
				if i%3 == 0 { // mostly forwards, as a walker reads
					off = int64(i) * int64(size) / 200
				}
				n := rng.Intn(min(size-int(off), 70<<10) + 1)
				got, err := w.At(off, n)
				if err != nil {
					t.Fatalf("size %d spare %d: At(%d, %d): %v", size, spareCap, off, n, err)
				}
				want, err := plain.At(off, n)
				if err != nil || !bytes.Equal(got, want) || !bytes.Equal(got, data[off:off+int64(n)]) {
					t.Fatalf("size %d spare %d: At(%d, %d) differs", size, spareCap, off, n)
				}
			}
			if _, err := w.At(int64(size)-1, 2); err != dicomwire.ErrShort {
				t.Fatalf("past the end: %v", err)
			}
			back := w.Release()
			if len(back) != 0 || cap(back) < spareCap {
				t.Errorf("size %d spare %d: Release gave len %d cap %d", size, spareCap, len(back), cap(back))
			}
			// A spare that holds the whole file is the window's only buffer.
			if spareCap >= 16<<10 && size <= spareCap && unsafe.SliceData(back) != unsafe.SliceData(spare) {
				t.Errorf("size %d spare %d: the spare's array was not used", size, spareCap)
			}
		}
	}
}

// TestPart10ReleaseLeavesNothingBehind: a released Part10's buffer serves
// the next OpenPart10 (with a prefix in memory or without), whose walk
// reads its own file, not what the buffer held before.
func TestPart10ReleaseLeavesNothingBehind(t *testing.T) {
	files := [][]byte{part10File(t, 40<<10, 'a'), part10File(t, 3<<10, 'b'), part10File(t, 90<<10, 'c'), part10File(t, 3<<10, 'd')}
	for round := range 3 {
		for i, f := range files {
			var r io.ReaderAt = bytes.NewReader(f)
			if (i+round)%2 == 1 { // the first bytes held in memory already
				r = prefixed{bytes.NewReader(f), f[:1000]}
			}
			p, err := dicomwire.OpenPart10(r, int64(len(f)))
			if err != nil {
				t.Fatal(err)
			}
			w := p.Walker(context.Background())
			var values []byte
			w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
				if e.Tag == dicomwire.NewTag(0x0010, 0x4000) {
					v, err := p.Src.At(e.ValueOffset(), int(e.Length))
					values = append(values, v...)
					return dicomwire.Continue, err
				}
				return dicomwire.Continue, nil
			}
			if _, err := w.Walk(p.Meta.End, p.Size); err != nil {
				t.Fatal(err)
			}
			if want := bytes.Repeat([]byte{"abcd"[i]}, len(values)); len(values) < 1000 || !bytes.Equal(values, want) {
				t.Fatalf("round %d, file %d: read %d bytes of another file", round, i, len(values))
			}
			p.Release()
		}
	}
}

// part10File is a Part 10 file whose Patient Comments (an LT) is n bytes
// of c, followed by an OB of n bytes (like pixel data) and a last element.
func part10File(t *testing.T, n int, c byte) []byte {
	t.Helper()
	b := dicomwire.AppendMeta(dicomwire.AppendPreamble(nil), dicomwire.Meta{
		MediaStorageSOPClassUID: "1.2.840.10008.5.1.4.1.1.7", MediaStorageSOPInstanceUID: "1.2.3.4",
		TransferSyntaxUID: dicomwire.ExplicitVRLittleEndianUID, ImplementationClassUID: "1.2.3", ImplementationVersionName: "TEST",
	}, true)
	b, err := dicomwire.AppendElement(b, dicomwire.ExplicitLE, dicomwire.NewTag(0x0010, 0x4000), "UT", bytes.Repeat([]byte{c}, n))
	if err == nil {
		b, err = dicomwire.AppendElement(b, dicomwire.ExplicitLE, dicomwire.NewTag(0x0011, 0x1010), "OB", bytes.Repeat([]byte{c + 1}, n))
	}
	if err == nil {
		b, err = dicomwire.AppendString(b, dicomwire.ExplicitLE, dicomwire.NewTag(0x0020, 0x4000), "LT", "end")
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// prefixed is a reader that holds its first bytes in memory.
type prefixed struct {
	*bytes.Reader
	p []byte
}

func (p prefixed) Prefix() []byte { return p.p }
