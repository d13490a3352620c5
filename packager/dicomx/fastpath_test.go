package dicomx

import (
	"context"
	"io/fs"
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
