package envelope

import (
	"dossier/internal/testtool"

	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	if names := listDir(t, dir); len(names) > 0 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestAtomicCommit(t *testing.T) {
	dir := t.TempDir()
	out, err := NewAtomicFiles(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Abort()
	vw, _ := NewVolumeWriter(out, "smith-records.age", 100)
	vw.Write(payload(250))
	vw.Close()
	w, err := out.Create(HowToName("smith-records.age"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, HowToOpen("smith-records.age", true, vw.Volumes()))
	w.Close()

	// Before Commit only neutral temporary names exist.
	for _, n := range listDir(t, dir) {
		if !strings.HasPrefix(n, PartialPrefix) || strings.Contains(n, "smith") {
			t.Fatalf("before commit: %q", n)
		}
	}
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(listDir(t, dir), " ")
	want := "smith-records.HOW-TO-OPEN.txt smith-records.age.001 smith-records.age.002 smith-records.age.003"
	if got != want {
		t.Fatalf("after commit: %s\nwant %s", got, want)
	}
	if err := out.Abort(); err != nil || len(listDir(t, dir)) != 4 {
		t.Fatal("Abort after Commit removed files")
	}
	// Open after Commit reads the final file.
	r, err := out.Open("smith-records.age.003")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if len(b) != 50 {
		t.Fatalf("last volume %d bytes", len(b))
	}
}

func TestAtomicAbort(t *testing.T) {
	dir := t.TempDir()
	out, err := NewAtomicFiles(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	vw, _ := NewVolumeWriter(out, "b.age", 1000)
	vw.Write(payload(5500))
	// Abort with a volume still open, as a cancel would.
	if err := out.Abort(); err != nil {
		t.Fatal(err)
	}
	assertEmpty(t, dir)
	if _, err := out.Create("x"); err == nil {
		t.Error("Create after Abort accepted")
	}
	if err := out.Commit(); err == nil {
		t.Error("Commit after Abort accepted")
	}
}

// failWriter fails every write.
type failCreator struct {
	inner Creator
	after int
}

type failingFile struct {
	io.WriteCloser
	left *int
}

func (f failingFile) Write(p []byte) (int, error) {
	if *f.left <= 0 {
		return 0, errors.New("simulated write failure")
	}
	*f.left -= len(p)
	return f.WriteCloser.Write(p)
}

func (c *failCreator) Create(name string) (io.WriteCloser, error) {
	w, err := c.inner.Create(name)
	if err != nil {
		return nil, err
	}
	return failingFile{w, &c.after}, nil
}

func TestAtomicWriteErrorLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	out, err := NewAtomicFiles(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	vw, _ := NewVolumeWriter(&failCreator{inner: out, after: 2500}, "b.age", 1000)
	_, xRec := GenerateX25519()
	rx, _, _ := ParseRecipient(xRec)
	w, _ := Encrypt(vw, rx)
	_, err = w.Write(payload(200_000))
	if err == nil {
		err = w.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "simulated") {
		t.Fatalf("got %v", err)
	}
	vw.Close()
	out.Abort()
	assertEmpty(t, dir)
}

func TestAtomicRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "b.age"), []byte("old"), 0o644)
	out, _ := NewAtomicFiles(dir, false)
	if _, err := out.Create("b.age"); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over an existing file: %v", err)
	}
	// A file appearing between Create and Commit is not replaced either.
	w, err := out.Create("c.age")
	if err != nil {
		t.Fatal(err)
	}
	w2, _ := out.Create("c.HOW-TO-OPEN.txt")
	io.WriteString(w, "new")
	io.WriteString(w2, "new")
	os.WriteFile(filepath.Join(dir, "c.HOW-TO-OPEN.txt"), []byte("other"), 0o644)
	if err := out.Commit(); !errors.Is(err, ErrExists) {
		t.Fatalf("Commit over a new file: %v", err)
	}
	// Nothing of ours stays under a final name, the others' files are intact.
	got := strings.Join(listDir(t, dir), " ")
	if got != "b.age c.HOW-TO-OPEN.txt" {
		t.Fatalf("left: %s", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "c.HOW-TO-OPEN.txt")); string(b) != "other" {
		t.Fatal("existing file replaced")
	}

	out2, _ := NewAtomicFiles(dir, true)
	w, err = out2.Create("b.age")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "new")
	if err := out2.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "b.age")); string(b) != "new" {
		t.Fatal("overwrite did not replace")
	}
	for _, bad := range []string{"", "../x", "a/b", ".dossier-partial-x"} {
		if _, err := out2.Create(bad); err == nil {
			t.Errorf("Create(%q) accepted", bad)
		}
	}
}

func TestCleanStale(t *testing.T) {
	dir := t.TempDir()
	// A recent crash is kept (it may still be running on a system without locks).
	recent := filepath.Join(dir, PartialPrefix+"cafe0000-001")
	os.WriteFile(recent, []byte("x"), 0o600)
	os.WriteFile(filepath.Join(dir, "keep.age"), []byte("x"), 0o600)
	// A running export with old files is kept while its lock is held.
	out, err := NewAtomicFiles(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := out.Create("live.age")
	io.WriteString(w, "x")
	w.Close()
	// A crashed export (after the running one started, which would have
	// swept it): partial files and an unlocked lock file, old.
	old := time.Now().Add(-2 * time.Hour)
	for _, n := range []string{PartialPrefix + "deadbeef-001", PartialPrefix + "deadbeef-002", PartialPrefix + "deadbeef.lock"} {
		p := filepath.Join(dir, n)
		os.WriteFile(p, []byte("x"), 0o600)
		os.Chtimes(p, old, old)
	}
	for _, n := range listDir(t, dir) {
		if strings.HasPrefix(n, PartialPrefix) {
			os.Chtimes(filepath.Join(dir, n), old, old)
		}
	}
	os.Chtimes(recent, time.Now(), time.Now())

	removed, err := CleanStale(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 3 {
		t.Fatalf("removed %v", removed)
	}
	if err := out.Commit(); err != nil {
		t.Fatalf("the running export lost its files: %v", err)
	}
	got := strings.Join(listDir(t, dir), " ")
	if got != PartialPrefix+"cafe0000-001 keep.age live.age" {
		t.Fatalf("left: %s", got)
	}
}

// TestAtomicDiskFull fills a 1 MiB tmpfs. It needs root to mount; elsewhere
// it is skipped.
func TestAtomicDiskFull(t *testing.T) {
	dir := testtool.SmallDisk(t, 1<<20)

	out, err := NewAtomicFiles(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	vw, _ := NewVolumeWriter(out, "big.age", 300_000)
	_, xRec := GenerateX25519()
	rx, _, _ := ParseRecipient(xRec)
	w, _ := Encrypt(vw, rx)
	data := payload(1 << 20)
	for i := 0; i < 4 && err == nil; i++ {
		_, err = w.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = vw.Close()
	}
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("got %v, want ErrDiskFull", err)
	}
	if !strings.Contains(err.Error(), "disk is full") {
		t.Errorf("message %q is not plain", err)
	}
	vw.Close()
	if err := out.Commit(); !errors.Is(err, ErrDiskFull) {
		t.Errorf("Commit after a full disk: %v", err)
	}
	assertEmpty(t, dir)
}

// TestCrashLeavesOnlyPartials kills an export mid-write (SIGKILL, no chance
// to clean up): only neutral partial files may be left, and CleanStale
// (checking their lock) removes them at once.
func TestCrashLeavesOnlyPartials(t *testing.T) {
	if dir := os.Getenv("DOSSIER_ENVELOPE_CRASH_DIR"); dir != "" {
		// The export that gets killed: write until killed.
		out, err := NewAtomicFiles(dir, false)
		if err != nil {
			os.Exit(3)
		}
		vw, _ := NewVolumeWriter(out, "patient-name.age", 50_000)
		_, xRec := GenerateX25519()
		rx, _, _ := ParseRecipient(xRec)
		w, _ := Encrypt(vw, rx)
		data := payload(10_000)
		for {
			if _, err := w.Write(data); err != nil {
				os.Exit(4)
			}
			time.Sleep(time.Millisecond)
		}
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLeavesOnlyPartials$")
	cmd.Env = append(os.Environ(), "DOSSIER_ENVELOPE_CRASH_DIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := 0
		for _, name := range listDir(t, dir) {
			if strings.HasSuffix(name, "-003") {
				n++
			}
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the export did not start writing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	names := listDir(t, dir)
	for _, n := range names {
		if !strings.HasPrefix(n, PartialPrefix) || strings.Contains(n, "patient") || strings.Contains(n, ".age") {
			t.Fatalf("after a crash: %v", names)
		}
	}
	// The killed export's lock was taken and is not held any more: its
	// files are stale at once, however fresh.
	removed, err := CleanStale(dir)
	if err != nil || len(removed) != len(names) {
		t.Fatalf("removed %v of %v: %v", removed, names, err)
	}
	assertEmpty(t, dir)
}

// A file larger than writeBackEvery, written in pieces of odd sizes (so
// the early write-backs start mid-piece), commits with every byte in place.
func TestAtomicLargeFileWrittenBackEarly(t *testing.T) {
	dir := t.TempDir()
	a, err := NewAtomicFiles(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	w, err := a.Create("big.age")
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 2*writeBackEvery+12345)
	for i := range want {
		want[i] = byte(i*31 + i>>12)
	}
	for b := want; len(b) > 0; {
		k := min(len(b), 777777)
		if _, err := w.Write(b[:k]); err != nil {
			t.Fatal(err)
		}
		b = b[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "big.age"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("read back %d bytes, not the %d written", len(got), len(want))
	}
}

// A file that no longer holds what was written to it when it is read back
// (here changed behind the writer's back, as a failing disk would) fails
// Close with ErrReadBack, and Commit then leaves nothing behind; so does a
// file cut short.
func TestAtomicReadBackFindsChanges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		size   int
		change func(path string) error
	}{
		{"a byte changed in the tail", 2*writeBackEvery + 4321, func(p string) error {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte{0x5a}, 2*writeBackEvery+100)
			return err
		}},
		{"a small file changed", 1000, func(p string) error {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte("xyz"), 10)
			return err
		}},
		{"cut short", writeBackEvery + 999, func(p string) error { return os.Truncate(p, writeBackEvery+10) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			a, err := NewAtomicFiles(dir, false)
			if err != nil {
				t.Fatal(err)
			}
			w, err := a.Create("case.age")
			if err != nil {
				t.Fatal(err)
			}
			data := payload(tc.size)
			data[10], data[(2*writeBackEvery+100)%len(data)] = 0, 0 // never the changed values
			// The change is in the last piece, which is read back only
			// after Close's Sync (the earlier ones may be read already).
			last := tc.size % writeBackEvery
			for _, piece := range [][]byte{data[:len(data)-last], data[len(data)-last:]} {
				if _, err := w.Write(piece); err != nil {
					t.Fatal(err)
				}
			}
			var temp string
			for _, n := range listDir(t, dir) {
				if !strings.HasSuffix(n, ".lock") {
					temp = filepath.Join(dir, n)
				}
			}
			if err := tc.change(temp); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); !errors.Is(err, ErrReadBack) {
				t.Fatalf("Close: %v, want ErrReadBack", err)
			}
			if err := a.Commit(); !errors.Is(err, ErrReadBack) {
				t.Fatalf("Commit: %v, want ErrReadBack", err)
			}
			assertEmpty(t, dir)
		})
	}
}
