package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"dossier/packager/envelope"
)

// innerZip builds a bundle's inner ZIP holding files (names as given), with
// the MANIFEST.SHA256 and an empty METADATA.XML that make it verify.
func innerZip(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	all := map[string][]byte{NameMetadata: []byte(`<SubmitObjectsRequest><RegistryObjectList></RegistryObjectList></SubmitObjectsRequest>`)}
	for n, b := range files {
		all[n] = b
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	var manifest strings.Builder
	for _, n := range names {
		s := sha256.Sum256(all[n])
		fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(s[:]), n)
	}
	all[NameManifest] = []byte(manifest.String())
	names = append(names, NameManifest)
	var b bytes.Buffer
	z := newZipWriter(&b)
	for _, n := range names {
		w, err := z.create(n, true)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(all[n])
	}
	if err := z.close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func TestOpenExtractsAGoodBundle(t *testing.T) {
	data := innerZip(t, map[string][]byte{"README.TXT": []byte("hi"), "DICOM/ST000001/SE000001/IM000001": []byte("dicom")})
	dir := filepath.Join(t.TempDir(), "out")
	rep, err := OpenWith(context.Background(), bytes.NewReader(data), dir, OpenOptions{PackedSize: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 4 {
		t.Errorf("files %d", rep.Files)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "DICOM/ST000001/SE000001/IM000001")); string(b) != "dicom" {
		t.Errorf("content %q", b)
	}
	for _, n := range listTree(t, dir) {
		if strings.HasPrefix(n, ".") {
			t.Errorf("left behind: %s", n)
		}
	}
}

// Names the layout never writes are refused by Verify and Open alike, and
// nothing is extracted.
func TestNamesOutsideTheLayoutAreRefused(t *testing.T) {
	for _, bad := range [][]string{
		{".hidden"}, {"DICOM/.x"}, {"CON"}, {"aux.txt"}, {"IHE_XDM/COM1.PDF"}, {"lpt9"}, {"a:b"}, {"IM 1"},
		{"trailing."}, {"DICOM/ST1/\u202eFDP.EXE"}, {"a/b/c/d/e/f/g"}, {"README.TXT", "readme.txt"},
		{"DICOM", "DICOM/IM1"}, {"bad\\name"},
	} {
		files := map[string][]byte{}
		for _, n := range bad {
			files[n] = []byte("x")
		}
		data := innerZip(t, files)
		if _, err := Verify(context.Background(), bytes.NewReader(data), VerifyOptions{}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%q: Verify said %v", bad, err)
		}
		dir := t.TempDir()
		if _, err := Open(context.Background(), bytes.NewReader(data), dir, false, nil); err == nil {
			t.Errorf("%q: opened", bad)
		}
		if left := listTree(t, dir); len(left) != 0 {
			t.Errorf("%q: left %v", bad, left)
		}
	}
}

// A symbolic link to a folder outside DIR is never written through.
func TestOpenStaysInsideDir(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "DICOM")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	os.Symlink(filepath.Join(outside, "readme"), filepath.Join(dir, "README.TXT"))
	data := innerZip(t, map[string][]byte{"DICOM/ST000001/IM000001": []byte("dicom")})
	if _, err := Open(context.Background(), bytes.NewReader(data), dir, true, nil); err == nil {
		t.Fatal("opened through a link")
	}
	data = innerZip(t, map[string][]byte{"README.TXT": []byte("hi")})
	if _, err := Open(context.Background(), bytes.NewReader(data), dir, true, nil); err == nil {
		t.Fatal("opened through a link")
	}
	if left := listTree(t, outside); len(left) != 0 {
		t.Fatalf("written outside DIR: %v", left)
	}
}

// A bundle that unpacks to more than MaxExpansion times its size is refused
// unless allowed; nothing is left.
func TestOpenRefusesWildExpansion(t *testing.T) {
	defer func(s int64) { expansionSlack = s }(expansionSlack)
	expansionSlack = 1 << 20
	data := innerZip(t, map[string][]byte{"DICOM/ST000001/SE000001/IM000001": make([]byte, 8<<20)})
	dir := t.TempDir()
	_, err := OpenWith(context.Background(), bytes.NewReader(data), dir, OpenOptions{PackedSize: int64(len(data))})
	if !errors.Is(err, ErrExpands) {
		t.Fatalf("got %v", err)
	}
	if left := listTree(t, dir); len(left) != 0 {
		t.Errorf("left %v", left)
	}
	if _, err := OpenWith(context.Background(), bytes.NewReader(data), dir, OpenOptions{PackedSize: int64(len(data)), AllowExpansion: true}); err != nil {
		t.Fatalf("allowed: %v", err)
	}
}

// A bundle larger than the free space is refused before anything is read.
func TestOpenChecksFreeSpaceFirst(t *testing.T) {
	data := innerZip(t, map[string][]byte{"README.TXT": []byte("hi")})
	_, err := OpenWith(context.Background(), bytes.NewReader(data), t.TempDir(), OpenOptions{PackedSize: 1 << 60})
	if !errors.Is(err, ErrNoRoom) {
		t.Fatalf("got %v", err)
	}
}

// Two extractions of one bundle into one folder: exactly one succeeds, the
// other changes nothing.
func TestConcurrentOpensIntoOneFolder(t *testing.T) {
	files := map[string][]byte{"README.TXT": []byte("hi")}
	for i := 1; i <= 40; i++ {
		files[fmt.Sprintf("DICOM/ST000001/SE000001/IM%06d", i)] = bytes.Repeat([]byte{byte(i)}, 20000)
	}
	data := innerZip(t, files)
	for round := 0; round < 5; round++ {
		dir := t.TempDir()
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = Open(context.Background(), bytes.NewReader(data), dir, false, nil)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !errors.Is(err, ErrExists) {
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d succeeded (%v)", round, ok, errs)
		}
		if _, err := VerifyFolder(context.Background(), dir); err != nil {
			t.Fatalf("the folder does not verify: %v", err)
		}
	}
}

// A swapped volume is named by Verify as such, not as an entry that
// "cannot be decompressed".
func TestVerifyNamesASwappedVolume(t *testing.T) {
	files := map[string][]byte{}
	for i := 1; i <= 8; i++ {
		b := make([]byte, 60_000)
		rand.New(rand.NewSource(int64(i))).Read(b)
		files[fmt.Sprintf("DICOM/ST000001/SE000001/IM%06d", i)] = b
	}
	data := innerZip(t, files)
	idStr, recStr := envelope.GenerateX25519()
	rec, _, _ := envelope.ParseRecipient(recStr)
	ids, _ := envelope.ParseIdentities(strings.NewReader(idStr))
	dir := t.TempDir()
	out, _ := envelope.NewAtomicFiles(dir, false)
	vw, _ := envelope.NewVolumeWriter(out, "b.age", 100_000)
	w, _ := envelope.Encrypt(vw, rec)
	w.Write(data)
	w.Close()
	vw.Close()
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(vw.Names()) < 4 {
		t.Fatalf("only %d volumes", len(vw.Names()))
	}
	v := func(n int) string { return filepath.Join(dir, envelope.VolumeName("b.age", n)) }
	os.Rename(v(2), v(2)+".x")
	os.Rename(v(3), v(2))
	os.Rename(v(2)+".x", v(3))
	rc, _, err := envelope.OpenVolumes(v(1))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	r, err := envelope.Decrypt(rc, ids...)
	if err == nil {
		_, err = Verify(context.Background(), r, VerifyOptions{})
	}
	if !errors.Is(err, envelope.ErrDamaged) || !strings.Contains(err.Error(), "volume b.age.002 does not fit after b.age.001") {
		t.Fatalf("got %v", err)
	}
}

type failReader struct{ t *testing.T }

func (f failReader) Read([]byte) (int, error) {
	f.t.Error("the bundle was read although its declared size was refused")
	return 0, errors.New("read")
}

// What the bundle's directory declares is checked before anything is read,
// and the files may not exceed it.
func TestOpenChecksTheDeclaredSizeFirst(t *testing.T) {
	if _, err := OpenWith(context.Background(), failReader{t}, t.TempDir(), OpenOptions{Declared: 1 << 60}); !errors.Is(err, ErrNoRoom) {
		t.Errorf("declared beyond the free space: %v", err)
	}
	if _, err := OpenWith(context.Background(), failReader{t}, t.TempDir(), OpenOptions{Declared: 10 << 30, PackedSize: 1 << 20}); !errors.Is(err, ErrExpands) {
		t.Errorf("declared 10 GB in 1 MB: %v", err)
	}
	files := map[string][]byte{"DICOM/ST000001/SE000001/IM000001": bytes.Repeat([]byte("x"), 100_000)}
	data := innerZip(t, files)
	declared, err := DeclaredSize(bytes.NewReader(data), int64(len(data)))
	if err != nil || declared < 100_000 {
		t.Fatalf("DeclaredSize = %d, %v", declared, err)
	}
	dir := t.TempDir()
	if _, err := OpenWith(context.Background(), bytes.NewReader(data), dir, OpenOptions{Declared: 50_000}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("more than declared: %v", err)
	}
	if left := listTree(t, dir); len(left) != 0 {
		t.Errorf("left %v", left)
	}
	if _, err := OpenWith(context.Background(), bytes.NewReader(data), dir, OpenOptions{Declared: declared, PackedSize: int64(len(data))}); err != nil {
		t.Errorf("as declared: %v", err)
	}
}
