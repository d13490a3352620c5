//go:build unix

package intake

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestPipeInAFolderIsSkipped(t *testing.T) {
	// A pipe is told from its folder's list and never opened (opening it
	// would wait for a writer).
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", []byte("a letter"))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Skipf("no pipes here: %v", err)
	}
	inv := scan(t, Options{}, dir)
	if it := itemAt(t, inv, "/pipe"); it.Kind != KindSkipped || !strings.Contains(it.Reason.String(), "not a regular file") {
		t.Errorf("pipe: %+v", it)
	}
	if it := itemAt(t, inv, "a.txt"); it.Kind == KindSkipped || it.Size != 8 {
		t.Errorf("a.txt: %+v", it)
	}
}

func TestOpenRawDoesNotWaitForAPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("no pipes here: %v", err)
	}
	f, err := openRaw(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.info()
	if err != nil || fi.regular {
		t.Errorf("a pipe's info = %+v, %v", fi, err)
	}
}
