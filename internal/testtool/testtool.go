// Package testtool finds the independent programs that tests check
// Dossier's output with (dcmdump, openslide-show-properties, qpdf, pydicom,
// ...) and the shared sample files beside the repository.
//
// Where one is missing the test is skipped on a developer's machine, but it
// fails under CI (CI=true) or with DOSSIER_REQUIRE_TOOLS=1: CI installs
// every tool, so a skip there would silently hide a check.
package testtool

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Required reports whether missing tools fail tests instead of skipping them.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("DOSSIER_REQUIRE_TOOLS") == "1"
}

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("required check unavailable: "+format, args...)
	}
	t.Skipf("check unavailable: "+format, args...)
}

// Look returns the path of program name, or skips (fails under CI).
func Look(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s is not installed (Debian package %s)", name, debianPackage)
	}
	return p
}

// Baseline returns the path of a program a benchmark compares Dossier with
// (gdcmscanner, gdcmanon, tar, age, cp), and whether it is there. Where it
// is missing the benchmark logs that the ratio is left out; under CI (see
// Required) it fails instead, so a comparison is never dropped silently.
func Baseline(t testing.TB, name, debianPackage string) (string, bool) {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if Required() {
			t.Fatalf("baseline %s is not installed (Debian package %s): its ratio cannot be measured", name, debianPackage)
		}
		t.Logf("baseline %s is not installed (Debian package %s): no ratio", name, debianPackage)
		return "", false
	}
	return p, true
}

// BaselineFailed reports a baseline program that ran and failed: logged,
// the ratio left out; under CI the benchmark fails.
func BaselineFailed(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("baseline failed: "+format, args...)
	}
	t.Logf("baseline failed, no ratio: "+format, args...)
}

// Python returns a Python 3 interpreter that can import every module, or
// skips (fails under CI). Debian's /usr/bin/python3 is tried first because
// a python3 earlier on PATH (pyenv, a virtualenv) does not see Debian's
// python3-* packages.
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	check := "import " + strings.Join(modules, ", ")
	if len(modules) == 0 {
		check = "pass"
	}
	for _, py := range candidates {
		if exec.Command(py, "-c", check).Run() == nil {
			return py
		}
	}
	missing(t, "no python3 that can import %s (Debian packages python3-*)", strings.Join(modules, ", "))
	return ""
}

// Shared returns the path of rel inside ../shared beside the repository (the
// project's shared sample files), or skips (fails under CI).
func Shared(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(dir), "shared", filepath.FromSlash(rel))
			if _, err := os.Stat(p); err != nil {
				missing(t, "%s is not beside the repository", filepath.Join("..", "shared", rel))
			}
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testtool: go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// PydicomData returns pydicom's bundled data folder (holding test_files and
// charset_files: a corpus of odd DICOM), or skips (fails under CI).
func PydicomData(t testing.TB) string {
	t.Helper()
	py := Python(t, "pydicom")
	out, err := exec.Command(py, "-c", "import os, pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), 'data'))").Output()
	if err != nil {
		missing(t, "pydicom's data folder: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(dir, "test_files")); err != nil {
		missing(t, "pydicom's test_files are not installed")
	}
	return dir
}

// SmallDisk mounts a tmpfs of size bytes on a new temporary folder, for
// tests of a full disk, and unmounts it when the test ends. Mounting needs
// root (CI runs as root); where it is not allowed the test is skipped with
// the reason, even under CI, since that is the machine's rule, not a
// missing tool.
func SmallDisk(t testing.TB, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	opt := "size=" + strconv.FormatInt(size, 10)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opt, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// WriteTree writes files (slash-separated relative path -> bytes) below
// dir, creating the folders, and returns dir.
func WriteTree(t testing.TB, dir string, files map[string][]byte) string {
	t.Helper()
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// PeakHeap runs fn while sampling the heap in use every interval, and
// returns the most seen (a benchmark's memory use, without a profiler).
func PeakHeap(interval time.Duration, fn func()) uint64 {
	var peak uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	go func() {
		defer close(sampled)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	<-sampled
	sample()
	return peak
}
