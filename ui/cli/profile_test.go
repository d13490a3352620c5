package cli

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// DOSSIER_CPUPROFILE and DOSSIER_TRACE write a CPU profile (gzipped protobuf, as go tool pprof
// reads it) and a runtime trace of the whole command, and the command still does its work.
func TestProfileSwitches(t *testing.T) {
	dir := fixtureDir(t)
	work := t.TempDir()
	prof, tr := filepath.Join(work, "cpu.pprof"), filepath.Join(work, "run.trace")
	t.Setenv(envCPUProfile, prof)
	t.Setenv(envTrace, tr)
	code, out, errOut := run(t, "scan", "--json", dir)
	if code != ExitOK || !strings.Contains(out, "pathology.pdf") {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	f, err := os.Open(prof)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("the CPU profile is not gzipped: %v", err)
	}
	if b, err := io.ReadAll(zr); err != nil || len(b) < 50 {
		t.Fatalf("the CPU profile: %d bytes, %v", len(b), err)
	}
	b, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("go 1.")) || len(b) < 100 {
		t.Fatalf("the trace starts %q (%d bytes)", b[:min(len(b), 16)], len(b))
	}
}

// A profile that cannot be written stops the command before it starts, naming the switch.
func TestProfileSwitchBadPath(t *testing.T) {
	t.Setenv(envCPUProfile, filepath.Join(t.TempDir(), "missing", "cpu.pprof"))
	code, out, errOut := run(t, "version")
	if code != ExitFailure || out != "" || !strings.Contains(errOut, envCPUProfile) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// DOSSIER_MEMPROFILE writes a heap profile (gzipped protobuf) of the command.
func TestMemProfileSwitch(t *testing.T) {
	dir := fixtureDir(t)
	prof := filepath.Join(t.TempDir(), "heap.pprof")
	t.Setenv(envMemProfile, prof)
	code, out, errOut := run(t, "scan", "--json", dir)
	if code != ExitOK || !strings.Contains(out, "pathology.pdf") {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	f, err := os.Open(prof)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("the heap profile is not gzipped: %v", err)
	}
	if b, err := io.ReadAll(zr); err != nil || !bytes.Contains(b, []byte("inuse_space")) {
		t.Fatalf("the heap profile: %d bytes, %v", len(b), err)
	}
}
