package dicomdeid

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/privacy"
)

var (
	ctSeriesOnce sync.Once
	ctSeriesDir  string
	ctSeriesSize int64
	ctSeriesErr  error
	benchRoot    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchRoot != "" {
		os.RemoveAll(benchRoot)
	}
	os.Exit(code)
}

// ctSeries writes a 300-slice 512x512 16-bit CT series (explicit VR little
// endian, with identity and private tags) once per test binary run.
func ctSeries(b *testing.B) (string, int64) {
	ctSeriesOnce.Do(func() {
		benchRoot, ctSeriesErr = os.MkdirTemp("", "dicomdeid-bench-")
		if ctSeriesErr != nil {
			return
		}
		ctSeriesDir = filepath.Join(benchRoot, "ct")
		if ctSeriesErr = os.Mkdir(ctSeriesDir, 0o755); ctSeriesErr != nil {
			return
		}
		for i := 1; i <= 300; i++ {
			s := richSpec(i, "")
			s.Rows, s.Cols = 512, 512
			data := dcmfix.Instance(s)
			ctSeriesSize += int64(len(data))
			if ctSeriesErr = os.WriteFile(filepath.Join(ctSeriesDir, fmt.Sprintf("IM%06d", i)), data, 0o644); ctSeriesErr != nil {
				return
			}
		}
	})
	if ctSeriesErr != nil {
		b.Fatal(ctSeriesErr)
	}
	return ctSeriesDir, ctSeriesSize
}

// deidentifyDir de-identifies every file of in into out with workers
// goroutines.
func deidentifyDir(ctx context.Context, in, out string, p privacy.Params, workers int) error {
	ents, err := os.ReadDir(in)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	jobs := make(chan string)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range jobs {
				if err := deidentifyFile(ctx, filepath.Join(in, name), filepath.Join(out, name), p); err != nil {
					errs <- err
					for range jobs {
					}
					return
				}
			}
		}()
	}
	for _, e := range ents {
		jobs <- e.Name()
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return <-errs
}

func deidentifyFile(ctx context.Context, in, out string, p privacy.Params) error {
	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return err
	}
	dst, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := Deidentify(ctx, dst, src, st.Size(), p); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// timeCmd runs a command and returns its wall time.
func timeCmd(b *testing.B, name string, args ...string) (time.Duration, bool) {
	start := time.Now()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		testtool.BaselineFailed(b, "%s: %v\n%s", name, err, lastLines(string(out), 5))
		return 0, false
	}
	return time.Since(start), true
}

// BenchmarkDeidentifyCT300 de-identifies a 300-slice CT series
// (pseudonymised, two goroutines) and reports its time against cp -r and
// gdcmanon -e measured in the same run: x-cp (target <= 3) and x-gdcmanon
// (target < 1).
func BenchmarkDeidentifyCT300(b *testing.B) {
	in, size := ctSeries(b)
	work := b.TempDir()
	p := pseudoParams()
	ctx := context.Background()
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := deidentifyDir(ctx, in, filepath.Join(work, fmt.Sprintf("out%d", i)), p, 2); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	ours := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(ours.Milliseconds()), "ms/series")

	best := func(n int, f func(k int) (time.Duration, bool)) (time.Duration, bool) {
		var min time.Duration
		for k := 0; k < n; k++ {
			d, ok := f(k)
			if !ok {
				return 0, false
			}
			if min == 0 || d < min {
				min = d
			}
		}
		return min, true
	}
	if cp, ok := testtool.Baseline(b, "cp", "coreutils"); ok {
		if d, ok := best(3, func(k int) (time.Duration, bool) {
			return timeCmd(b, cp, "-r", in, filepath.Join(work, fmt.Sprintf("cp%d", k)))
		}); ok {
			b.ReportMetric(float64(ours)/float64(d), "x-cp")
		}
	}
	gdcmanon, ok1 := testtool.Baseline(b, "gdcmanon", "libgdcm-tools")
	openssl, ok2 := testtool.Baseline(b, "openssl", "openssl")
	if ok1 && ok2 {
		key, cert := filepath.Join(work, "k.pem"), filepath.Join(work, "cert.pem")
		if _, ok := timeCmd(b, openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=x", "-keyout", key, "-out", cert); ok {
			if d, ok := best(2, func(k int) (time.Duration, bool) {
				out := filepath.Join(work, fmt.Sprintf("gdcm%d", k))
				os.MkdirAll(out, 0o755)
				return timeCmd(b, gdcmanon, "-e", "-c", cert, "-i", in, "-o", out)
			}); ok {
				b.ReportMetric(float64(ours)/float64(d), "x-gdcmanon")
			}
		}
	}
}

// BenchmarkDeidentifyMemory measures the transform of one 512x512 CT
// slice in memory (no file system).
func BenchmarkDeidentifyMemory(b *testing.B) {
	s := richSpec(1, "")
	s.Rows, s.Cols = 512, 512
	in := dcmfix.Instance(s)
	r := bytesReader(in)
	var out bytesBuffer
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if _, err := Deidentify(context.Background(), &out, r, int64(len(in)), pseudoParams()); err != nil {
			b.Fatal(err)
		}
	}
}
