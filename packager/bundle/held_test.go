package bundle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"unsafe"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/privacy"
)

// What a pack keeps of each file it has written, until the end (the file list, the DICOMDIR's
// entries), stays at a few hundred bytes (over a kilobyte before it was made compact): a pack of
// 30,000 images holds it all while it writes the rest. The live heap is measured after a
// collection at the middle and at the end of the records, so what is kept once (buffers, the
// plan) does not count; the bundle is written as a folder, whose files are written in turn,
// without the encrypted bundle's buffers in flight (and the ZIP's directory).
func TestPackHoldsLittleOfEachFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and packs 2,000 files")
	}
	if n := unsafe.Sizeof(fileEntry{}); n > 96 {
		t.Errorf("a fileEntry is %d bytes, want at most 96", n)
	}
	const files = 2000
	dir := t.TempDir()
	for i := range files {
		st, se := i/1000+1, i/250+1
		p := filepath.Join(dir, fmt.Sprintf("ST%d", st), fmt.Sprintf("SE%d", se), fmt.Sprintf("IM%04d", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		data := dcmfix.Instance(dcmfix.Spec{
			PatientName: "DOE^JANE", PatientID: "PID-0042", BirthDate: "19610203", Accession: "ACC-777",
			StudyUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.7%d", st), SeriesUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.7%d.%d", st, se),
			SOPUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.7%d.%d.%d", st, se, i), Modality: "CT", StudyDate: "20260110",
			StudyDescription: "CT CHEST", SeriesNumber: se, InstanceNumber: i%250 + 1, Rows: 8, Cols: 8, Private: true,
		})
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inv := scanCase(t, dir)
	live := func() int64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.GC() // the pools' buffers are kept for one collection
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	var mid, end int64
	progress := func(p Progress) {
		switch p.Done {
		case p.Total / 2:
			mid = live()
		case p.Total:
			end = live()
		}
	}
	res, err := Pack(context.Background(), inv, Output{Dir: t.TempDir(), Name: "HELD", Folder: true},
		Options{Params: params(t, privacy.Pseudonymised), Cover: testCover, Recipient: "test", Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != files || mid == 0 || end == 0 {
		t.Fatalf("%d items written, live heap %d then %d", len(res.Items), mid, end)
	}
	per := (end - mid) / (files / 2)
	t.Logf("%d bytes held of each file written", per)
	if per > 768 {
		t.Errorf("the pack holds %d bytes of each file written, want at most 768", per)
	}
}
