package bundle

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// FuzzBundleReader feeds arbitrary inner ZIPs to the bundle reader: Verify
// must return (never panic, hang or hold more than the data allows), and a
// bundle Verify calls intact must open, into an empty folder, with exactly
// the files Verify listed. `go test` runs the seeds; `go test -fuzz
// FuzzBundleReader` explores further.
func FuzzBundleReader(f *testing.F) {
	good := innerZip(f, map[string][]byte{
		"README.TXT":                       []byte("Privacy level: identified\r\n"),
		"DICOM/ST000001/SE000001/IM000001": bytes.Repeat([]byte("DICM"), 500),
		"IHE_XDM/SUBSET01/DOC00001.PDF":    []byte("%PDF-1.4\n%%EOF\n"),
	})
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(innerZip(f, map[string][]byte{".hidden": []byte("x")}))
	f.Add(innerZip(f, map[string][]byte{"CON": []byte("x")}))
	f.Add(innerZip(f, map[string][]byte{"README.TXT": []byte("a"), "readme.txt": []byte("b")}))
	f.Add(innerZip(f, map[string][]byte{"DICOM": []byte("a"), "DICOM/IM1": []byte("b")}))
	flipped := bytes.Clone(good)
	flipped[len(flipped)/3] ^= 0x40
	f.Add(flipped)
	f.Add([]byte{})
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		rep, err := Verify(ctx, bytes.NewReader(data), VerifyOptions{})
		if err != nil {
			return
		}
		dir := t.TempDir()
		rep2, err := OpenWith(ctx, bytes.NewReader(data), dir, OpenOptions{PackedSize: int64(len(data))})
		if err != nil {
			t.Fatalf("Verify said intact, Open failed: %v", err)
		}
		if rep2.Files != rep.Files {
			t.Fatalf("Open extracted %d files, Verify saw %d", rep2.Files, rep.Files)
		}
		for _, n := range rep.Names {
			if _, err := os.Stat(dir + "/" + n); err != nil {
				t.Fatalf("%s not extracted: %v", n, err)
			}
		}
	})
}
