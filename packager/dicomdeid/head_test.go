package dicomdeid

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/privacy"
)

// TestHeadReaderReadsTheSame compares reads through a headReader with reads
// of the data itself, across the edge of the head, past the end, and for
// data shorter than the size given (a file that shrank).
func TestHeadReaderReadsTheSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 100, headSize - 1, headSize, headSize + 1, 3 * headSize} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		for _, claimed := range []int64{int64(n), int64(n) + 10} {
			src := bytes.NewReader(data)
			h := newHeadReader(src, claimed)
			for range 2000 {
				off := int64(rng.IntN(n + 20))
				p1 := make([]byte, rng.IntN(2*headSize))
				p2 := make([]byte, len(p1))
				n1, err1 := src.ReadAt(p1, off)
				n2, err2 := h.ReadAt(p2, off)
				if n1 != n2 || !bytes.Equal(p1[:n1], p2[:n2]) || (err1 == nil) != (err2 == nil) || err1 != nil && !errors.Is(err2, io.EOF) {
					t.Fatalf("size %d (claimed %d): ReadAt(%d bytes, %d) = %d, %v; want %d, %v", n, claimed, len(p1), off, n2, err2, n1, err1)
				}
			}
			h.release()
		}
	}
}

// countingReader counts the reads that reach the file.
type countingReader struct {
	io.ReaderAt
	n int
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.n++
	return c.ReaderAt.ReadAt(p, off)
}

// TestDeidentifyReadsHeaderOnce checks that a file whose header fits the
// head is read by two reads: the head and the rest of its pixel data.
func TestDeidentifyReadsHeaderOnce(t *testing.T) {
	spec := richSpec(1, "")
	spec.Rows, spec.Cols = 256, 256 // pixel data beyond the head
	src := dcmfix.Instance(spec)
	cr := &countingReader{ReaderAt: bytes.NewReader(src)}
	var out bytes.Buffer
	if _, err := Deidentify(t.Context(), &out, cr, int64(len(src)), pseudoParams()); err != nil {
		t.Fatal(err)
	}
	if cr.n > 2 {
		t.Errorf("the file was read %d times, want at most 2 (its head, then the rest of its pixel data)", cr.n)
	}
	var plain bytes.Buffer
	if _, err := Deidentify(t.Context(), &plain, bytes.NewReader(src), int64(len(src)), pseudoParams()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), plain.Bytes()) {
		t.Error("the output differs between the two readers")
	}
}

// TestCachedRemapsAndTokens de-identifies files of two patients in turn,
// with the caches of UID remaps and identity tokens filled or empty, and
// with two secrets: every output is the one an empty cache gives.
func TestCachedRemapsAndTokens(t *testing.T) {
	a := dcmfix.Instance(richSpec(1, ""))
	other := richSpec(2, "")
	other.PatientName, other.PatientID = "ROE^RICHARD", "PID-9"
	other.StudyDescription = "CT CHEST Roe^Richard and Doe^Jane"
	b := dcmfix.Instance(other)
	p1, p2 := pseudoParams(), pseudoParams()
	p2.Secret = bytes.Repeat([]byte{7}, len(p1.Secret))
	p1.Identity = []string{"Jane Doe"}
	p2.Identity = []string{"Richard Roe"}
	fresh := func(in []byte, p privacy.Params) []byte {
		uidCache.mu.Lock()
		uidCache.secret, uidCache.m = "", nil
		uidCache.mu.Unlock()
		tokenCache.mu.Lock()
		tokenCache.m = nil
		tokenCache.mu.Unlock()
		out, _ := run(t, in, p)
		return out
	}
	want := map[string][]byte{}
	for _, in := range []struct {
		name string
		b    []byte
	}{{"a", a}, {"b", b}} {
		for i, p := range []privacy.Params{p1, p2} {
			want[fmt.Sprint(in.name, i)] = fresh(in.b, p)
		}
	}
	if bytes.Equal(want["a0"], want["a1"]) || bytes.Equal(want["a0"], want["b0"]) {
		t.Fatal("the fixtures do not tell the cases apart")
	}
	for round := range 3 {
		for _, name := range []string{"a0", "b0", "a1", "b1", "a0", "a0", "b1"} {
			in, p := a, p1
			if name[0] == 'b' {
				in = b
			}
			if name[1] == '1' {
				p = p2
			}
			if out, _ := run(t, in, p); !bytes.Equal(out, want[name]) {
				t.Fatalf("round %d, %s: the output differs from an empty cache's", round, name)
			}
		}
	}
}
