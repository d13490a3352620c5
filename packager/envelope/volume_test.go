package envelope

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/testtool"
)

// writeVolumes writes data as base into dir split at size, through
// AtomicFiles, and commits.
func writeVolumes(t *testing.T, dir, base string, size int64, data []byte, chunk int) *VolumeWriter {
	t.Helper()
	out, err := NewAtomicFiles(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Abort()
	vw, err := NewVolumeWriter(out, base, size)
	if err != nil {
		t.Fatal(err)
	}
	for p := data; len(p) > 0; {
		n := min(chunk, len(p))
		if _, err := vw.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	return vw
}

func TestVolumesSplitAndJoin(t *testing.T) {
	data := payload(10_000)
	for _, c := range []struct {
		size  int64
		want  int // volumes
		chunk int
	}{
		{0, 1, 777},
		{1000, 10, 777},    // exact multiple
		{1000, 10, 10_000}, // one big write
		{3000, 4, 1},       // byte by byte
		{3333, 4, 4096},
		{2500, 4, 2500}, // exact multiple, aligned writes
		{9999, 2, 333},
		{10_000, 1, 4096}, // exactly one volume
		{20_000, 1, 4096},
		{1, 10_000, 4096},
	} {
		t.Run(fmt.Sprintf("size%d_chunk%d", c.size, c.chunk), func(t *testing.T) {
			if c.size == 1 && testing.Short() {
				t.Skip("many files")
			}
			dir := t.TempDir()
			if c.size == 1 {
				// More than MaxVolumes volumes must be refused.
				out, _ := NewAtomicFiles(dir, false)
				vw, _ := NewVolumeWriter(out, "b.age", 1)
				_, err := vw.Write(data)
				if err == nil || !strings.Contains(err.Error(), "more than 999 volumes") {
					t.Fatalf("got %v", err)
				}
				out.Abort()
				assertEmpty(t, dir)
				return
			}
			vw := writeVolumes(t, dir, "b.age", c.size, data, c.chunk)
			names := vw.Names()
			if len(names) != c.want {
				t.Fatalf("%d volumes %v, want %d", len(names), names, c.want)
			}
			if c.size == 0 && (names[0] != "b.age" || vw.Volumes() != 0) {
				t.Fatalf("unsplit bundle named %v, Volumes %d", names, vw.Volumes())
			}
			var total int64
			for i, s := range vw.Sizes() {
				if s > c.size && c.size > 0 || s == 0 {
					t.Errorf("volume %d is %d bytes", i+1, s)
				}
				if i < len(names)-1 && s != c.size {
					t.Errorf("volume %d is %d bytes, want %d", i+1, s, c.size)
				}
				total += s
			}
			if total != int64(len(data)) || vw.Written() != total {
				t.Errorf("wrote %d bytes, want %d", total, len(data))
			}
			// Every volume, and the name without suffix, opens the whole series.
			tries := []string{filepath.Join(dir, names[len(names)-1]), filepath.Join(dir, names[0])}
			if c.size > 0 {
				tries = append(tries, filepath.Join(dir, "b.age"))
			}
			for _, p := range tries {
				r, paths, err := OpenVolumes(p)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(r)
				r.Close()
				if err != nil || !bytes.Equal(got, data) || len(paths) != len(names) {
					t.Fatalf("joined %d bytes from %s (%v), want %d", len(got), p, err, len(data))
				}
			}
			// cat joins them too.
			if c.size > 0 {
				testtool.Look(t, "cat", "coreutils")
				cmd := exec.Command(testtool.Look(t, "sh", "dash"), "-c", "cat b.age.*")
				cmd.Dir = dir
				out, err := cmd.Output()
				if err != nil {
					t.Fatal("cat of the volumes:", err)
				}
				if !bytes.Equal(out, data) {
					t.Fatal("cat of the volumes differs")
				}
			}
		})
	}
}

func TestVolumesEmptyStream(t *testing.T) {
	dir := t.TempDir()
	vw := writeVolumes(t, dir, "e.age", 100, nil, 1)
	if n := vw.Names(); len(n) != 1 || n[0] != "e.age.001" {
		t.Fatalf("names %v", n)
	}
	r, _, err := OpenVolumes(filepath.Join(dir, "e.age"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(r); len(b) != 0 {
		t.Fatal("not empty")
	}
}

func TestVolumesEncryptedCatEqualsUnsplit(t *testing.T) {
	// Encrypt once into volumes and once unsplit with the same key: both must
	// decrypt, and the volumes joined by cat must be one valid age file.
	xID, xRec := GenerateX25519()
	rx, _, _ := ParseRecipient(xRec)
	ids, _ := ParseIdentities(strings.NewReader(xID))
	plain := payload(250_000)
	dir := t.TempDir()
	out, err := NewAtomicFiles(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	vw, _ := NewVolumeWriter(out, "c.age", 64_000)
	w, err := Encrypt(vw, rx)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}
	// Verify before commit, through the temporary files.
	r, err := out.Reader(vw.Names()...)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := Decrypt(r, ids...)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(pr); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("verify before commit: %v", err)
	}
	r.Close()
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	testtool.Look(t, "cat", "coreutils")
	joined, err := exec.Command(testtool.Look(t, "sh", "dash"), "-c", "cd "+dir+" && cat c.age.0*").Output()
	if err != nil {
		t.Fatal("cat of the volumes:", err)
	}
	if got, err := open(joined, ids...); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("cat-joined volumes do not decrypt: %v", err)
	}
	// Dropping the last volume is seen as damage when decrypting.
	last := vw.Names()[len(vw.Names())-1]
	os.Remove(filepath.Join(dir, last))
	r2, _, err := OpenVolumes(filepath.Join(dir, "c.age.001"))
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	pr, err = Decrypt(r2, ids...)
	if err == nil {
		_, err = io.ReadAll(pr)
	}
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("missing last volume: %v", err)
	}
}

func TestVolumesMissingMiddle(t *testing.T) {
	dir := t.TempDir()
	writeVolumes(t, dir, "m.age", 100, payload(1000), 64)
	os.Remove(filepath.Join(dir, "m.age.004"))
	os.Remove(filepath.Join(dir, "m.age.007"))
	for _, p := range []string{"m.age", "m.age.001", "m.age.010"} {
		_, _, err := OpenVolumes(filepath.Join(dir, p))
		if err == nil || !strings.Contains(err.Error(), "m.age.004, .007 is missing") || !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: %v", p, err)
		}
	}
	os.Remove(filepath.Join(dir, "m.age.001"))
	if _, _, err := OpenVolumes(filepath.Join(dir, "m.age.002")); err == nil || !strings.Contains(err.Error(), "m.age.001") {
		t.Errorf("missing first: %v", err)
	}
}

func TestVolumesShortMiddle(t *testing.T) {
	dir := t.TempDir()
	writeVolumes(t, dir, "s.age", 100, payload(1000), 64)
	os.Truncate(filepath.Join(dir, "s.age.003"), 50)
	_, _, err := OpenVolumes(filepath.Join(dir, "s.age.001"))
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "s.age.003") {
		t.Errorf("short volume: %v", err)
	}
}

func TestOpenVolumesSingleAndMissing(t *testing.T) {
	dir := t.TempDir()
	writeVolumes(t, dir, "one.age", 0, payload(500), 100)
	r, paths, err := OpenVolumes(filepath.Join(dir, "one.age"))
	if err != nil || len(paths) != 1 {
		t.Fatal(paths, err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(b, payload(500)) {
		t.Fatal("single file differs")
	}
	if _, _, err := OpenVolumes(filepath.Join(dir, "none.age")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing bundle: %v", err)
	}
}

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"0": 0, "1": 1, "500M": 500_000_000, "25MB": 25_000_000, "2G": 2_000_000_000, "2g": 2_000_000_000,
		"1.5GiB": 1_610_612_736, "700k": 700_000, "64KiB": 65_536, "1.5 GB": 1_500_000_000,
		"100b": 100, " 10MiB ": 10 << 20, "1T": 1e12,
	}
	for in, want := range good {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "M", "-5M", "5X", "1.2.3G", "0.1", "99999999999T", "five"} {
		if v, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, v)
		}
	}
}
