package intake

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// The scan's own file reader and its prefix read what os.File reads, and
// end the same way: io.EOF when a read runs past the end.
func TestReadFileLikeOSFile(t *testing.T) {
	data := make([]byte, 40000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := openRaw(p)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	std, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer std.Close()
	pre := bytes.Clone(data[:prefixSize])
	for name, r := range map[string]io.ReaderAt{"raw": raw, "prefixed": &prefixed{pre: pre, ra: raw}} {
		for _, c := range []struct{ off, n int }{{0, 10}, {100, prefixSize}, {prefixSize - 3, 10}, {prefixSize, 100}, {39990, 10}, {39990, 20}, {40000, 1}, {50000, 4}} {
			got, want := make([]byte, c.n), make([]byte, c.n)
			gn, gerr := r.ReadAt(got, int64(c.off))
			wn, werr := std.ReadAt(want, int64(c.off))
			if gn != wn || !bytes.Equal(got[:gn], want[:wn]) || errors.Is(gerr, io.EOF) != errors.Is(werr, io.EOF) || (gerr == nil) != (werr == nil) {
				t.Errorf("%s at %d+%d: %d, %v; os.File: %d, %v", name, c.off, c.n, gn, gerr, wn, werr)
			}
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err == nil {
		t.Error("closed twice without an error")
	}
	if _, err := openRaw(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
