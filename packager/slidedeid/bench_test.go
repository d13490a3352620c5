package slidedeid

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"dossier/internal/fixture/tifffix"
	"dossier/internal/testtool"
)

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func bytesReader(b []byte) io.ReaderAt { return bytesReaderAt(b) }

// peakHeap samples HeapInuse while fn runs and returns the peak.
func peakHeap(fn func()) uint64 { return testtool.PeakHeap(20*time.Millisecond, fn) }

// BenchmarkDeidentifyLargeSVS de-identifies a 2.5 GB BigTIFF SVS into a file
// and, in the same run, copies the same file with cp and with io.Copy. It
// reports the ratio of times (x-cp: Deidentify / cp; the target is <= 2,
// at least half cp's throughput; x-cp-stream: the same through a plain
// io.Writer, without the kernel copy; x-iocopy: against io.Copy) and the
// peak heap during Deidentify. Each ratio uses the fastest of the b.N runs
// of each contender (write-back makes single runs noisy); use -benchtime 5x.
// DOSSIER_BENCH_SLIDE_MB changes the size.
func BenchmarkDeidentifyLargeSVS(b *testing.B) {
	mb := int64(2560) // the 2.5 GB slide of the target
	if s := os.Getenv("DOSSIER_BENCH_SLIDE_MB"); s != "" {
		if v, err := parseInt(s); err == nil && v > 0 {
			mb = v
		}
	}
	dir, err := os.MkdirTemp(os.TempDir(), "slidedeid-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "large.svs")
	size, err := tifffix.LargeSVS(src, mb<<20)
	if err != nil {
		b.Fatal(err)
	}
	cp, haveCp := testtool.Baseline(b, "cp", "coreutils")
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	// Outputs go beside the source, or into DOSSIER_BENCH_OUT (e.g. a tmpfs,
	// to keep disk write-back out of the comparison).
	outDir := dir
	if d := os.Getenv("DOSSIER_BENCH_OUT"); d != "" {
		outDir = d
	}
	out := filepath.Join(outDir, "slidedeid-bench-out.svs")
	p := testParams()
	// Warm the page cache so every contender reads from the same state.
	if _, err := io.Copy(io.Discard, io.NewSectionReader(in, 0, size)); err != nil {
		b.Fatal(err)
	}
	var tDeid, tCp, tCopy, tStream time.Duration
	var peak uint64
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		var derr error
		peak = max(peak, peakHeap(func() {
			fh, err := os.Create(out)
			if err != nil {
				derr = err
				return
			}
			if _, err := Deidentify(context.Background(), fh, in, size, p); err != nil {
				derr = err
			}
			if err := fh.Close(); err != nil && derr == nil {
				derr = err
			}
		}))
		if derr != nil {
			b.Fatal(derr)
		}
		tDeid = minDur(tDeid, time.Since(t0))
		b.StopTimer()
		os.Remove(out)
		// The same through a plain io.Writer (no kernel copy), as when the
		// output goes into an encrypted bundle.
		t3 := time.Now()
		sf, err := os.Create(out)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Deidentify(context.Background(), struct{ io.Writer }{sf}, in, size, p); err != nil {
			b.Fatal(err)
		}
		sf.Close()
		tStream = minDur(tStream, time.Since(t3))
		os.Remove(out)
		if haveCp {
			t1 := time.Now()
			if err := exec.Command(cp, src, out).Run(); err != nil {
				b.Fatal(err)
			}
			tCp = minDur(tCp, time.Since(t1))
			os.Remove(out)
		}
		t2 := time.Now()
		fh, err := os.Create(out)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(fh, io.NewSectionReader(in, 0, size)); err != nil {
			b.Fatal(err)
		}
		fh.Close()
		tCopy = minDur(tCopy, time.Since(t2))
		os.Remove(out)
		b.StartTimer()
	}
	b.StopTimer()
	if haveCp {
		b.ReportMetric(float64(tDeid)/float64(tCp), "x-cp")
		b.ReportMetric(float64(tStream)/float64(tCp), "x-cp-stream")
	}
	b.ReportMetric(float64(tDeid)/float64(tCopy), "x-iocopy")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
}

func minDur(a, b time.Duration) time.Duration {
	if a == 0 || b < a {
		return b
	}
	return a
}

func parseInt(s string) (int64, error) {
	var v int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, io.ErrUnexpectedEOF
		}
		v = v*10 + int64(c-'0')
	}
	return v, nil
}
