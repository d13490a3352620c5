package intake

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
)

// benchCD is a CD of 3,000 CT slices (128x128, 16-bit), written once per
// test binary run.
var benchCD struct {
	once sync.Once
	dir  string
	err  error
}

const benchFiles = 3000

func cdOf3000(b *testing.B) string {
	benchCD.once.Do(func() {
		dir, err := os.MkdirTemp("", "dossier-bench-cd-*")
		if err != nil {
			benchCD.err = err
			return
		}
		benchCD.dir = dir
		for i := range benchFiles {
			series := i / 300
			spec := dcmfix.Spec{
				PatientName: "BENCH^PATIENT", PatientID: "B-1", BirthDate: "19500101",
				StudyUID: "1.2.826.0.1.3680043.10.1999.7", SeriesUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.7.%d", series),
				SOPUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.7.%d.%d", series, i), Modality: "CT",
				StudyDate: "20260101", SeriesNumber: series + 1, InstanceNumber: i%300 + 1, Rows: 128, Cols: 128, Private: true,
			}
			p := filepath.Join(dir, "DICOM", fmt.Sprintf("SE%06d", series), fmt.Sprintf("IM%06d", i))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				benchCD.err = err
				return
			}
			if err := os.WriteFile(p, dcmfix.Instance(spec), 0o644); err != nil {
				benchCD.err = err
				return
			}
		}
	})
	if benchCD.err != nil {
		b.Fatal(benchCD.err)
	}
	return benchCD.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchCD.dir != "" {
		os.RemoveAll(benchCD.dir)
	}
	os.Exit(code)
}

// BenchmarkScanCD3000 scans a CD of 3,000 DICOM files and reports, beside
// ns/op, the ratio to gdcmscanner reading the same tags from the same files
// in the same run (x-gdcmscanner < 1 means Dossier is faster), and the heap
// in use after the scan per file.
func BenchmarkScanCD3000(b *testing.B) {
	dir := cdOf3000(b)
	// Warm the page cache for both contenders.
	if _, err := Scan(context.Background(), []string{dir}, Options{}, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		inv, err := Scan(context.Background(), []string{dir}, Options{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(inv.Items) != benchFiles || len(inv.Studies) != 1 {
			b.Fatalf("scan found %d items, %d studies", len(inv.Items), len(inv.Studies))
		}
	}
	ours := time.Since(start) / time.Duration(b.N)
	b.StopTimer()

	gdcm, ok := testtool.Baseline(b, "gdcmscanner", "libgdcm-tools")
	if !ok {
		return
	}
	args := []string{"-d", dir, "-r", "-p",
		"-t", "0010,0010", "-t", "0010,0020", "-t", "0010,0030", "-t", "0008,0050", "-t", "0008,0060",
		"-t", "0020,000d", "-t", "0020,000e", "-t", "0008,0018", "-t", "0008,0016", "-t", "0008,0020",
		"-t", "0008,1030", "-t", "0008,103e", "-t", "0018,0015", "-t", "0020,0011", "-t", "0020,0013", "-t", "0028,0301"}
	var theirs time.Duration
	for range b.N {
		cmd := exec.Command(gdcm, args...)
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("gdcmscanner: %v\n%s", err, out[:min(len(out), 500)])
		}
		theirs += time.Since(t0)
	}
	theirs /= time.Duration(b.N)
	b.ReportMetric(float64(ours)/float64(theirs), "x-gdcmscanner")
	b.ReportMetric(float64(theirs.Milliseconds()), "gdcmscanner-ms")
}

// BenchmarkScanMemory scans 300 and then 3,000 files and reports the heap
// still in use per file for each: flat memory means the two stay close.
func BenchmarkScanMemory(b *testing.B) {
	dir := cdOf3000(b)
	small := filepath.Join(dir, "DICOM", "SE000000")
	measure := func(path string, files int) float64 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var inv *Inventory
		var err error
		peak := testtool.PeakHeap(2*time.Millisecond, func() {
			inv, err = Scan(context.Background(), []string{path}, Options{}, nil)
		})
		if err != nil || len(inv.Items) != files {
			b.Fatalf("scan: %v (%d items)", err, len(inv.Items))
		}
		runtime.ReadMemStats(&after)
		peak = max(peak, after.HeapInuse)
		return float64(peak-min(peak, before.HeapInuse)) / float64(files)
	}
	var per300, per3000 float64
	for range b.N {
		per300 = measure(small, 300)
		per3000 = measure(dir, benchFiles)
	}
	b.ReportMetric(per300, "peak-heap-B/file@300")
	b.ReportMetric(per3000, "peak-heap-B/file@3000")
}
