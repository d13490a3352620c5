package bundle

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/fixture/tifffix"
	"dossier/internal/testtool"
	"dossier/packager/envelope"
	"dossier/packager/privacy"
)

// mixedCase writes a case of about 1 GB: a 300-slice 512x512 CT series, a
// CD of 400 smaller MR images, a large BigTIFF slide, and reports.
func mixedCase(b *testing.B, dir string) int64 {
	var total int64
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(len(data))
	}
	for i := 1; i <= 300; i++ {
		write(fmt.Sprintf("ct/IM%04d", i), dcmfix.Instance(dcmfix.Spec{PatientName: "BENCH^PATIENT", PatientID: "B-0001", BirthDate: "19500101",
			StudyUID: "1.2.826.0.1.3680043.10.1999.80", SeriesUID: "1.2.826.0.1.3680043.10.1999.80.1", SOPUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.80.1.%d", i),
			Modality: "CT", InstanceNumber: i, Rows: 512, Cols: 512, Private: true}))
	}
	for i := 1; i <= 400; i++ {
		write(fmt.Sprintf("cd/DICOM/SE%d/IM%04d", i/100, i), dcmfix.Instance(dcmfix.Spec{PatientName: "BENCH^PATIENT", PatientID: "B-0001", BirthDate: "19500101",
			StudyUID: "1.2.826.0.1.3680043.10.1999.81", SeriesUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.81.%d", i/100), SOPUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.81.%d.%d", i/100, i),
			Modality: "MR", InstanceNumber: i, Rows: 256, Cols: 256}))
	}
	for i := 1; i <= 20; i++ {
		write(fmt.Sprintf("reports/r%02d.pdf", i), docfix.PDF("Treatment summary", "cycle "+strconv.Itoa(i)))
	}
	slideBytes := int64(1<<30) - total
	size, err := tifffix.LargeSVS(filepath.Join(dir, "slides", "big.svs"), slideBytes)
	if err != nil {
		os.MkdirAll(filepath.Join(dir, "slides"), 0o755)
		if size, err = tifffix.LargeSVS(filepath.Join(dir, "slides", "big.svs"), slideBytes); err != nil {
			b.Fatal(err)
		}
	}
	return total + size
}

// peakRSS returns the process's peak resident memory (VmHWM) in bytes, or 0
// where /proc is not available.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkPack1GB packs a 1 GB mixed case (pseudonymised, ZIP, age to an
// X25519 key) and, in the same run, `tar -c | age -r` of the same files.
// It reports x-tar-age (Dossier's time over tar|age's; the target is at
// most 2, i.e. at least half the throughput), the peak heap during the
// pack, and the process's peak resident memory (target under 256 MB).
func BenchmarkPack1GB(b *testing.B) {
	src, err := os.MkdirTemp("", "dossier-bench-case-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(src)
	out, err := os.MkdirTemp("", "dossier-bench-out-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(out)
	size := mixedCase(b, src)
	inv := scanCase(b, src)
	_, recipient := envelope.GenerateX25519()
	rec, _, err := envelope.ParseRecipient(recipient)
	if err != nil {
		b.Fatal(err)
	}
	p, _ := privacy.NewParams(privacy.Pseudonymised, make([]byte, 32), "DOSSIER-BENC-HMRK")

	b.SetBytes(size)
	b.ResetTimer()
	var ours time.Duration
	peakHeap := testtool.PeakHeap(20*time.Millisecond, func() {
		for i := range b.N {
			name := fmt.Sprintf("b%d", i)
			t0 := time.Now()
			res, err := Pack(context.Background(), inv, Output{Dir: out, Name: name, Recipients: []age.Recipient{rec}},
				Options{Params: p, Cover: testCover, Include: map[string]bool{}})
			if err != nil {
				b.Fatal(err)
			}
			ours += time.Since(t0)
			for _, f := range res.Files {
				os.Remove(f)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak-rss-MB")

	ageBin, ok1 := testtool.Baseline(b, "age", "age")
	_, ok2 := testtool.Baseline(b, "tar", "tar")
	if !ok1 || !ok2 {
		return
	}
	var theirs time.Duration
	for i := range b.N {
		dst := filepath.Join(out, fmt.Sprintf("t%d.tar.age", i))
		cmd := exec.Command("sh", "-c", `tar -c -C "$1" . | "$2" -r "$3" > "$4"`, "sh", src, ageBin, recipient, dst)
		t0 := time.Now()
		if o, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("tar | age: %v\n%s", err, o)
		}
		theirs += time.Since(t0)
		os.Remove(dst)
	}
	b.ReportMetric(float64(ours)/float64(theirs), "x-tar-age")
}
