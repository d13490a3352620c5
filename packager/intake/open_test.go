package intake

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dossier/internal/fixture/docfix"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	pdf := docfix.PDF("report")
	inner := docfix.Zip(docfix.ZipEntry{Name: "deep/r.pdf", Data: pdf})
	writeFile(t, dir, "a.pdf", pdf)
	writeFile(t, dir, "dl.zip", docfix.Zip(docfix.ZipEntry{Name: "r.pdf", Data: pdf}, docfix.ZipEntry{Name: "in.zip", Data: inner}))
	for _, opts := range []Options{{}, {MemoryEntryBytes: 16}} {
		inv := scan(t, opts, dir)
		for _, suffix := range []string{"/a.pdf", "dl.zip!/r.pdf", "dl.zip!/in.zip!/deep/r.pdf"} {
			it := itemAt(t, inv, suffix)
			f, err := Open(it, opts)
			if err != nil {
				t.Fatalf("%s: %v", suffix, err)
			}
			got, _ := io.ReadAll(f)
			if !bytes.Equal(got, pdf) || f.Size() != int64(len(pdf)) {
				t.Errorf("%s: read %d bytes, size %d", suffix, len(got), f.Size())
			}
			if err := f.Close(); err != nil {
				t.Error(err)
			}
		}
	}
	inv := scan(t, Options{}, dir)
	it := itemAt(t, inv, "/a.pdf")
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "a.pdf"), later, later)
	if _, err := Open(it, Options{}); !errors.Is(err, ErrChanged) {
		t.Errorf("changed file: %v", err)
	}
	missing := &Item{Path: filepath.Join(dir, "dl.zip") + "!/nope.pdf"}
	if _, err := Open(missing, Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing entry: %v", err)
	}
}
