package dicomx

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"dossier/internal/testtool"
)

// TestASCIIFastPathMatchesLibrary reads every file of pydicom's corpus with
// and without the library's decoding: where the fast path skips the library
// (plain ASCII values), the headers must be identical.
func TestASCIIFastPathMatchesLibrary(t *testing.T) {
	data := testtool.PydicomData(t)
	compared := 0
	filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		fast, err1 := ReadHeaderFile(context.Background(), p)
		forceLibrary = true
		slow, err2 := ReadHeaderFile(context.Background(), p)
		forceLibrary = false
		if (err1 == nil) != (err2 == nil) {
			t.Errorf("%s: errors differ: %v / %v", filepath.Base(p), err1, err2)
			return nil
		}
		if fast == nil || slow == nil {
			return nil
		}
		compared++
		f, s := *fast, *slow
		f.Warnings, s.Warnings = nil, nil
		if !reflect.DeepEqual(f, s) {
			t.Errorf("%s: fast path %+v\nlibrary   %+v", filepath.Base(p), f, s)
		}
		return nil
	})
	if compared < 100 {
		t.Errorf("only %d files compared", compared)
	}
}

// prefixReader is a Prefixed reader whose prefix is the first n bytes.
type prefixReader struct {
	*bytes.Reader
	pre []byte
}

func (p prefixReader) Prefix() []byte { return p.pre }

// TestPrefixedReadsTheSame reads every file of pydicom's corpus plainly
// and through a Prefixed reader with prefixes of several sizes (cutting
// the header anywhere): headers, errors and warnings are the same, and the
// prefix is left as it was.
func TestPrefixedReadsTheSame(t *testing.T) {
	data := testtool.PydicomData(t)
	compared := 0
	filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			return nil
		}
		want, werr := ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
		for _, n := range []int{0, 7, 132, 300, 1 << 10, 16 << 10, len(b)} {
			pre := bytes.Clone(b[:min(n, len(b))])
			got, gerr := ReadHeader(context.Background(), prefixReader{bytes.NewReader(b), pre}, int64(len(b)))
			if fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(want, got) {
				t.Errorf("%s, prefix %d: %+v, %v\nplain: %+v, %v", filepath.Base(p), n, got, gerr, want, werr)
			}
			if !bytes.Equal(pre, b[:len(pre)]) {
				t.Errorf("%s: prefix changed", filepath.Base(p))
			}
		}
		compared++
		return nil
	})
	if compared < 100 {
		t.Errorf("only %d files compared", compared)
	}
}
