package bundle

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"dossier/internal/testtool"
)

func sampleZip(t *testing.T, entries map[string][]byte, order []string) []byte {
	var b bytes.Buffer
	z := newZipWriter(&b)
	for i, name := range order {
		w, err := z.create(name, i%2 == 0)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(entries[name])
	}
	if err := z.close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestStreamRoundTrip(t *testing.T) {
	random := make([]byte, 3<<20)
	rand.New(rand.NewSource(1)).Read(random)
	entries := map[string][]byte{
		"README.TXT":             []byte("hello\r\n"),
		"DICOM/ST000001/IM1":     random,
		"IHE_XDM/SUBSET01/A.PDF": bytes.Repeat([]byte("pdf "), 100000),
		"EMPTY":                  nil,
	}
	order := []string{"README.TXT", "DICOM/ST000001/IM1", "IHE_XDM/SUBSET01/A.PDF", "EMPTY"}
	data := sampleZip(t, entries, order)
	sr := newStreamReader(bytes.NewReader(data))
	var got []string
	for {
		name, r, err := sr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(b, entries[name]) {
			t.Errorf("%s: content differs", name)
		}
		got = append(got, name)
	}
	if len(got) != len(order) {
		t.Errorf("read %v", got)
	}
	// unzip -t agrees that it is a valid ZIP.
	p := filepath.Join(t.TempDir(), "b.zip")
	os.WriteFile(p, data, 0o644)
	if out, err := exec.Command(testtool.Look(t, "unzip", "unzip"), "-t", p).CombinedOutput(); err != nil {
		t.Errorf("unzip -t: %v\n%s", err, out)
	}
}

func TestStreamDetectsDamage(t *testing.T) {
	entries := map[string][]byte{"A": bytes.Repeat([]byte("abc"), 5000), "B": []byte("second")}
	data := sampleZip(t, entries, []string{"A", "B"})
	readAll := func(b []byte) error {
		sr := newStreamReader(bytes.NewReader(b))
		for {
			_, r, err := sr.next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				return err
			}
		}
	}
	if err := readAll(data); err != nil {
		t.Fatal(err)
	}
	// Every byte matters, but Deflate leaves a few padding bits unused in
	// block headers: flip the lowest bit, which is never padding.
	for at := range data {
		bad := append([]byte(nil), data...)
		bad[at] ^= 0x01
		if err := readAll(bad); err == nil {
			t.Errorf("flipped byte at %d of %d not detected", at, len(data))
		}
	}
	if err := readAll(data[:len(data)/2]); err == nil {
		t.Error("truncated ZIP not detected")
	}
	if err := readAll([]byte("not a zip at all")); !errors.Is(err, ErrNotBundle) {
		t.Errorf("not a zip: %v", err)
	}
}

func TestUnsafeNames(t *testing.T) {
	for _, n := range []string{"../x", "/etc/passwd", "a/../../b", `a\b`, "C:/x", "", "./a"} {
		if !unsafeName(n) {
			t.Errorf("%q accepted", n)
		}
	}
	for _, n := range []string{"DICOM/ST000001/IM1", "README.TXT", "SLIDES/S1.SVS"} {
		if unsafeName(n) {
			t.Errorf("%q refused", n)
		}
	}
}

// storedWriter's blocks inflate to exactly what was written, whatever the
// sizes of the writes (none, single bytes, around a block's 65535 bytes,
// several blocks at once), and gathered small writes cost no more than a
// block header per 64 KiB.
func TestStoredWriter(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	data := make([]byte, 5*maxStored+1234)
	rng.Read(data)
	for _, sizes := range [][]int{
		nil,
		{1, 1, 1, 1},
		{maxStored},
		{maxStored - 1, 2, maxStored + 1},
		{3, 4*maxStored + 17, 100},
		{len(data)},
		{-1}, // random sizes up to 3000
	} {
		var out bytes.Buffer
		s := newStoredWriter(&out)
		if len(sizes) == 1 && sizes[0] == -1 {
			sizes = nil
			for left := len(data); left > 0; {
				k := min(left, rng.Intn(3000))
				sizes = append(sizes, k)
				left -= k
			}
		}
		var want []byte
		rest := data
		for _, k := range sizes {
			k = min(k, len(rest))
			if n, err := s.Write(rest[:k]); n != k || err != nil {
				t.Fatalf("wrote %d of %d: %v", n, k, err)
			}
			want = append(want, rest[:k]...)
			rest = rest[k:]
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(flate.NewReader(bytes.NewReader(out.Bytes())))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%d writes: inflated %d bytes (%v), want %d", len(sizes), len(got), err, len(want))
		}
		if blocks := len(want)/maxStored + 1; out.Len() > len(want)+5*(blocks+1) {
			t.Errorf("%d writes: %d bytes for %d", len(sizes), out.Len(), len(want))
		}
	}
}
