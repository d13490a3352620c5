package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// WriteNew never replaces or writes through anything that has the name.
func TestWriteNewRefusesWhatExists(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "a.pdf")
	os.WriteFile(existing, []byte("mine"), 0o600)
	dangling := filepath.Join(dir, "b.pdf")
	os.Symlink(filepath.Join(dir, "target"), dangling)
	for _, p := range []string{existing, dangling, dir} {
		err := WriteNew(p, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err })
		if !errors.Is(err, ErrExists) {
			t.Errorf("%s: %v", p, err)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "mine" {
		t.Error("replaced")
	}
	if _, err := os.Lstat(filepath.Join(dir, "target")); err == nil {
		t.Error("written through the link")
	}
	if err := WriteNew(filepath.Join(dir, "c.pdf"), func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("left: %v", entries)
	}
}

// Of writers racing for one name, exactly one wins, with its whole content.
func TestWriteNewRace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "letter.pdf")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = WriteNew(p, func(w io.Writer) error { _, err := w.Write([]byte{byte('a' + i)}); return err })
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		if err == nil {
			if won >= 0 {
				t.Fatalf("two winners: %d and %d", won, i)
			}
			won = i
		} else if !errors.Is(err, ErrExists) {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(p); won < 0 || string(b) != string(rune('a'+won)) {
		t.Fatalf("winner %d, content %q", won, b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// PlaceDir names a finished folder only where nothing else is.
func TestPlaceDir(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(p, 0o700)
		os.WriteFile(filepath.Join(p, "f"), []byte(name), 0o600)
		return p
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if err := PlaceDir(mk("s1"), empty); err != nil {
		t.Fatalf("onto an empty folder: %v", err)
	}
	if err := PlaceDir(mk("s2"), empty); !errors.Is(err, ErrExists) {
		t.Fatalf("onto a full folder: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(empty, "f")); string(b) != "s1" {
		t.Errorf("content %q", b)
	}
	if err := PlaceDir(mk("s3"), filepath.Join(dir, "new")); err != nil {
		t.Fatal(err)
	}
}
