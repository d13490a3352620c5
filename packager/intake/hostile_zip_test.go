package intake

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"hash/crc32"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/i18n"
	"dossier/packager/identity"
)

// craftZip writes a ZIP by hand: one local entry (data as packed, plus
// padding counted in its packed size), and a central directory in which
// every name points at that one entry.
func craftZip(packed []byte, padding int, method, flags uint16, crc uint32, usize uint32, names ...string) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	csize := uint32(len(packed) + padding)
	local := names[0]
	le(uint32(0x04034b50))
	le(uint16(20))
	le(flags)
	le(method)
	le(uint32(0)) // time, date
	le(crc)
	le(csize)
	le(usize)
	le(uint16(len(local)))
	le(uint16(0))
	b.WriteString(local)
	b.Write(packed)
	b.Write(make([]byte, padding))
	dir := b.Len()
	for _, n := range names {
		le(uint32(0x02014b50))
		le(uint16(20))
		le(uint16(20))
		le(flags)
		le(method)
		le(uint32(0))
		le(crc)
		le(csize)
		le(usize)
		le(uint16(len(n)))
		le(uint16(0)) // extra
		le(uint16(0)) // comment
		le(uint16(0)) // disk
		le(uint16(0)) // internal attributes
		le(uint32(0)) // external attributes
		le(uint32(0)) // offset of the local header
		b.WriteString(n)
	}
	size := b.Len() - dir
	le(uint32(0x06054b50))
	le(uint32(0))
	le(uint16(len(names)))
	le(uint16(len(names)))
	le(uint32(size))
	le(uint32(dir))
	le(uint16(0))
	return b.Bytes()
}

func deflate(data []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func scanZipBytes(t *testing.T, opts Options, data []byte) *Inventory {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "download.zip")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return scan(t, opts, p)
}

func problems(inv *Inventory) string {
	var all []string
	for _, it := range inv.Items {
		all = append(all, i18n.Strings(it.Problems)...)
	}
	return strings.Join(all, " | ")
}

// A portal download made with `zip -n .pdf` or `zip -0`: a stored PDF
// first. The ZIP signature at offset 0 wins over the "%PDF" after it, and
// the images inside are listed.
func TestPortalZipWithAStoredPDFFirst(t *testing.T) {
	im := func(n string) []byte {
		return dcmfix.Instance(dcmfix.Spec{PatientName: "DOE^JANE", PatientID: "P1", StudyUID: "1.2.3.4", SeriesUID: "1.2.3.4.1", SOPUID: "1.2.3.4.1." + n, Modality: "CT"})
	}
	for _, storeAll := range []bool{false, true} {
		data := docfix.Zip(
			docfix.ZipEntry{Name: "report.pdf", Data: docfix.PDF("Radiology report"), Store: true},
			docfix.ZipEntry{Name: "IMAGES/IM1", Data: im("1"), Store: storeAll},
			docfix.ZipEntry{Name: "IMAGES/IM2", Data: im("2"), Store: storeAll},
		)
		if !bytes.Contains(data[:1024], []byte("%PDF-")) {
			t.Fatal("the fixture does not have %PDF near the start")
		}
		inv := scanZipBytes(t, Options{}, data)
		z := itemAt(t, inv, "download.zip")
		if z.Kind != KindArchive {
			t.Fatalf("the ZIP was read as %s", z.Kind)
		}
		if it := itemAt(t, inv, "IMAGES/IM2"); it.Kind != KindDICOM {
			t.Errorf("stored %v: IM2 is %s", storeAll, it.Kind)
		}
		if it := itemAt(t, inv, "report.pdf"); it.Kind != KindPDF {
			t.Errorf("report.pdf is %s", it.Kind)
		}
		if len(inv.Studies) != 1 || inv.Studies[0].Instances != 2 {
			t.Errorf("studies: %+v", inv.Studies)
		}
	}
}

// A password-protected ZIP, classic or AES, says so.
func TestLockedZipSaysSo(t *testing.T) {
	body := []byte("encrypted bytes that are not a deflate stream at all......")
	for name, data := range map[string][]byte{
		"classic": craftZip(body, 0, zip.Deflate, 0x1, 0x12345678, 4000, "report.pdf"),
		"aes":     craftZip(body, 0, 99, 0x1, 0, 4000, "report.pdf"),
	} {
		inv := scanZipBytes(t, Options{}, data)
		z := itemAt(t, inv, "download.zip")
		if got := strings.Join(i18n.Strings(z.Problems), " "); !strings.Contains(got, "this ZIP is locked with a password: unpack it first") {
			t.Errorf("%s: archive problems %q", name, got)
		}
		if strings.Contains(problems(inv), "flate") {
			t.Errorf("%s: %s", name, problems(inv))
		}
	}
}

// 64 names pointing at one stream: refused before anything is unpacked.
func TestZipEntriesSharingDataAreRefused(t *testing.T) {
	zeros := make([]byte, 4<<20)
	packed := deflate(zeros)
	var names []string
	for i := 0; i < 64; i++ {
		names = append(names, "IM"+strings.Repeat("0", 3)+string(rune('A'+i%26))+string(rune('a'+i/26)))
	}
	data := craftZip(packed, 0, zip.Deflate, 0, crc32.ChecksumIEEE(zeros), uint32(len(zeros)), names...)
	inv := scanZipBytes(t, Options{}, data)
	z := itemAt(t, inv, "download.zip")
	if got := strings.Join(i18n.Strings(z.Problems), " "); !strings.Contains(got, "share their data") {
		t.Fatalf("problems %q", got)
	}
	if len(inv.Items) != 1 {
		t.Errorf("%d items: entries were read", len(inv.Items))
	}
	// Data running into the directory: one entry whose packed size claims
	// the directory too.
	data = craftZip(packed, 0, zip.Deflate, 0, crc32.ChecksumIEEE(zeros), uint32(len(zeros)), "IM1")
	binary.LittleEndian.PutUint32(data[18:], uint32(len(packed)+40)) // local header
	dir := bytes.LastIndex(data, []byte("PK\x01\x02"))
	binary.LittleEndian.PutUint32(data[dir+20:], uint32(len(packed)+40))
	z = itemAt(t, scanZipBytes(t, Options{}, data), "download.zip")
	if got := strings.Join(i18n.Strings(z.Problems), " "); !strings.Contains(got, "runs into the archive's directory") {
		t.Fatalf("problems %q", got)
	}
}

// The ratio is measured on the packed bytes really consumed: padding
// declared as part of an entry does not buy room.
func TestZipRatioOnBytesConsumed(t *testing.T) {
	defer func(a, e int64) { archiveSlack, entrySlack = a, e }(archiveSlack, entrySlack)
	archiveSlack, entrySlack = 0, 64<<10
	zeros := make([]byte, 8<<20)
	packed := deflate(zeros) // about 8 KB
	data := craftZip(packed, 200<<10, zip.Deflate, 0, crc32.ChecksumIEEE(zeros), uint32(len(zeros)), "IM1")
	inv := scanZipBytes(t, Options{MaxArchiveRatio: 100}, data)
	if got := problems(inv); !strings.Contains(got, "zip bomb") {
		t.Fatalf("problems %q", got)
	}
}

// Nested archives share the top-level archive's budget: nesting does not
// multiply what a download may unpack to.
func TestNestedArchivesShareOneBudget(t *testing.T) {
	defer func(a, e int64) { archiveSlack, entrySlack = a, e }(archiveSlack, entrySlack)
	archiveSlack, entrySlack = 0, 0
	// Low-entropy data (two bits a byte) packs about 4:1, within a ratio of
	// 5 for each entry.
	rng := rand.New(rand.NewSource(1))
	low := make([]byte, 400<<10)
	for i := range low {
		low[i] = "ACGT"[rng.Intn(4)]
	}
	inner := docfix.Zip(docfix.ZipEntry{Name: "a.txt", Data: low}, docfix.ZipEntry{Name: "b.txt", Data: low[:300<<10]})
	mid := docfix.Zip(docfix.ZipEntry{Name: "inner.zip", Data: inner, Store: true})
	outer := docfix.Zip(docfix.ZipEntry{Name: "mid.zip", Data: mid, Store: true})
	// Each archive alone is within its ratio; all of them together are not.
	s := &scanner{opts: Options{MaxArchiveRatio: 5}.withDefaults(), ids: identity.NewSet()}
	it := &Item{Path: "f.zip", Size: int64(len(inner))}
	if got := s.zip(context.Background(), it, "f.zip", bytes.NewReader(inner), int64(len(inner)), 0, nil); len(got) != 3 || len(it.Problems) != 0 {
		t.Fatalf("the inner archive alone: %d items, %q", len(got), it.Problems)
	}
	inv := scanZipBytes(t, Options{MaxArchiveRatio: 5}, outer)
	if got := problems(inv); !strings.Contains(got, "more data than Dossier accepts from one download") {
		t.Fatalf("problems %q", got)
	}
}

// Large entries are staged in a file that has no name: none is ever
// visible in the temporary folder.
func TestLargeEntriesLeaveNoNamedTemporaryFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	data := docfix.Zip(docfix.ZipEntry{Name: "big.txt", Data: big})
	s := &scanner{opts: Options{MemoryEntryBytes: 64 << 10}.withDefaults(), ids: identity.NewSet()}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	src, cleanup, err := s.unpack(zr.File[0], s.newBudget(int64(len(data))))
	if err != nil {
		t.Fatal(err)
	}
	if src.size != int64(len(big)) {
		t.Fatalf("size %d", src.size)
	}
	got := make([]byte, 16)
	src.ra.ReadAt(got, int64(len(big))-16)
	if string(got) != "0123456789abcdef" {
		t.Fatalf("content %q", got)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Fatalf("named temporary files: %v", entries)
	}
	cleanup()
}
