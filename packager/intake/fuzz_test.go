package intake

import (
	"bytes"
	"context"
	"hash/crc32"
	"reflect"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/identity"
)

// FuzzZipWalker feeds arbitrary bytes to the archive walker as if they were
// a ZIP download: it must never panic, never report an entry outside the
// archive as read, and always account for the archive itself.
func FuzzZipWalker(f *testing.F) {
	f.Add(docfix.Zip(docfix.ZipEntry{Name: "a.pdf", Data: docfix.PDF("x")}))
	f.Add(docfix.Zip(docfix.ZipEntry{Name: "../../evil", Data: []byte("x")}, docfix.ZipEntry{Name: "/abs", Data: nil}))
	f.Add(docfix.Zip(docfix.ZipEntry{Name: "in.zip", Data: docfix.Zip(docfix.ZipEntry{Name: "IM1", Data: dcmfix.Instance(dcmfix.Spec{})})}))
	f.Add(docfix.Zip(docfix.ZipEntry{Name: "z.bin", Data: make([]byte, 1<<16)}))
	f.Add(docfix.DOCX("hello"))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	// Entries sharing one stream, a locked entry, a stored PDF first.
	zeros := make([]byte, 1<<16)
	f.Add(craftZip(deflate(zeros), 0, 8, 0, crc32.ChecksumIEEE(zeros), 1<<16, "a", "b", "c"))
	f.Add(craftZip([]byte("locked bytes"), 0, 8, 1, 1, 100, "secret.pdf"))
	f.Add(craftZip([]byte("aes bytes"), 0, 99, 1, 0, 100, "secret.pdf"))
	f.Add(docfix.Zip(docfix.ZipEntry{Name: "r.pdf", Data: docfix.PDF("x"), Store: true}, docfix.ZipEntry{Name: "IM1", Data: dcmfix.Instance(dcmfix.Spec{})}))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &scanner{opts: Options{MaxArchiveBytes: 8 << 20, MemoryEntryBytes: 1 << 20}.withDefaults(), ids: identity.NewSet()}
		it := &Item{Path: "f.zip", Size: int64(len(data))}
		items := s.zip(context.Background(), it, "f.zip", bytes.NewReader(data), int64(len(data)), 0, nil)
		if len(items) == 0 || items[0] != it {
			t.Fatal("the archive itself is not the first item")
		}
		for _, x := range items[1:] {
			if !strings.HasPrefix(x.Path, "f.zip!/") {
				t.Fatalf("entry path %q outside the archive", x.Path)
			}
			rest := strings.TrimPrefix(x.Path, "f.zip!/")
			if x.Kind != KindSkipped && x.Kind != KindUnreadable {
				if _, ok := safeEntryName(rest); !ok {
					t.Fatalf("unsafe entry %q was read as %s", rest, x.Kind)
				}
			}
		}
	})
}

// FuzzSniff checks content detection on any prefix and name: it never
// panics, always names a kind (and a reason when it skips), is a pure
// function of its input (same answer twice, head untouched), ignores the
// case of the name, and lets a file's signature win over its name: a PDF,
// JPEG, PNG or ZIP header is detected as such whatever the name says.
func FuzzSniff(f *testing.F) {
	f.Add([]byte("%PDF-1.7"), "a.pdf")
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE0}, "x")
	f.Add([]byte("[autorun]\r\n"), "AUTORUN.INF;1")
	f.Add([]byte{0, 0, 1, 0, 1, 0}, "i.ico")
	f.Add([]byte("MZ\x90\x00"), "viewer.exe")
	f.Add([]byte("Patient: report text\n"), "Notes.TXT")
	signatures := []struct {
		prefix, format string
		kind           Kind
	}{
		{"%PDF-1.4\n", "pdf", KindPDF},
		{"\xFF\xD8\xFF\xE0", "jpeg", KindImage},
		{"\x89PNG\r\n\x1a\n", "png", KindImage},
		{"PK\x03\x04", "zip", KindArchive},
	}
	upperASCII := func(s string) string {
		b := []byte(s)
		for i, c := range b {
			if 'a' <= c && c <= 'z' {
				b[i] = c - 'a' + 'A'
			}
		}
		return string(b)
	}
	f.Fuzz(func(t *testing.T, head []byte, name string) {
		orig := bytes.Clone(head)
		s := sniff(head, name)
		if s.kind == "" {
			t.Fatal("no kind")
		}
		if s.kind == KindSkipped && s.reason.IsZero() {
			t.Fatal("skipped without a reason")
		}
		if !bytes.Equal(head, orig) {
			t.Fatal("sniff changed the bytes it was given")
		}
		if again := sniff(head, name); !reflect.DeepEqual(again, s) {
			t.Fatalf("sniff is not repeatable: %+v then %+v", s, again)
		}
		if up := sniff(head, upperASCII(name)); !reflect.DeepEqual(up, s) {
			t.Fatalf("the name's case changes detection: %+v, upper-case %+v", s, up)
		}
		for _, sig := range signatures {
			got := sniff(append([]byte(sig.prefix), head...), name)
			if got.kind != sig.kind || got.format != sig.format {
				t.Fatalf("%q header named %q detected as %s/%s", sig.format, name, got.kind, got.format)
			}
		}
	})
}
