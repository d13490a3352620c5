package intake

import (
	"bytes"
	"context"
	"hash/crc32"
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

// FuzzSniff checks that content detection never panics on any prefix.
func FuzzSniff(f *testing.F) {
	f.Add([]byte("%PDF-1.7"), "a.pdf")
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE0}, "x")
	f.Add([]byte("[autorun]\r\n"), "AUTORUN.INF;1")
	f.Add([]byte{0, 0, 1, 0, 1, 0}, "i.ico")
	f.Fuzz(func(t *testing.T, head []byte, name string) {
		s := sniff(head, name)
		if s.kind == "" {
			t.Fatal("no kind")
		}
		if s.kind == KindSkipped && s.reason == "" {
			t.Fatal("skipped without a reason")
		}
	})
}
