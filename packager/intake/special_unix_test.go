//go:build unix

package intake

import (
	"context"
	"errors"
	"fmt"
	"os"
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
	f.Close()
	d, _, err := openDir(filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	defer d.release()
	f, err = openAt(d.fd, "pipe", p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.info()
	if err != nil || fi.regular {
		t.Errorf("a pipe's info = %+v, %v", fi, err)
	}
}

// openFDs counts this process's open files, or skips the test where the
// system does not list them.
func openFDs(t *testing.T) int {
	t.Helper()
	for _, d := range []string{"/proc/self/fd", "/dev/fd"} {
		if es, err := os.ReadDir(d); err == nil {
			return len(es)
		}
	}
	t.Skip("the open files cannot be listed here")
	return 0
}

func TestScanLeavesNoFolderOpen(t *testing.T) {
	// The walker holds each folder open while its files are read; every
	// folder is closed when Scan returns, cancelled or not.
	dir := t.TempDir()
	for i := range 200 {
		writeFile(t, dir, fmt.Sprintf("d%d/e%d/f%03d.txt", i%4, i%3, i), []byte("a note"))
	}
	before := openFDs(t)
	if inv := scan(t, Options{Workers: 3}, dir); len(inv.Items) != 200 {
		t.Fatalf("%d items", len(inv.Items))
	}
	if n := openFDs(t); n != before {
		t.Errorf("%d files open after a scan, %d before", n, before)
	}
	for range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		_, err := Scan(ctx, []string{dir}, Options{Workers: 2}, func(Progress) { cancel() })
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled scan: %v", err)
		}
		if n := openFDs(t); n != before {
			t.Errorf("%d files open after a cancelled scan, %d before", n, before)
		}
	}
}
