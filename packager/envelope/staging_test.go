package envelope

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A staging folder in use is never swept; one left by a killed process
// (its lock released by the system) is swept at once, content and all.
func TestStagingDirSweptOnlyWhenItsOwnerIsGone(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no advisory locks: staging is swept by age there (TestCleanStale)")
	}
	if dir := os.Getenv("DOSSIER_STAGING_CRASH_DIR"); dir != "" {
		s, err := NewStagingDir(dir)
		if err != nil {
			os.Exit(3)
		}
		os.WriteFile(filepath.Join(s.Path(), "IM000001"), []byte("plaintext record"), 0o600)
		os.WriteFile(filepath.Join(dir, "ready"), nil, 0o600)
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	dir := t.TempDir()
	live, err := NewStagingDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Release()
	os.WriteFile(filepath.Join(live.Path(), "x"), []byte("x"), 0o600)

	cmd := exec.Command(os.Args[0], "-test.run=^TestStagingDirSweptOnlyWhenItsOwnerIsGone$")
	cmd.Env = append(os.Environ(), "DOSSIER_STAGING_CRASH_DIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the staging process did not start")
		}
	}
	if removed, _ := CleanStale(dir); len(removed) != 0 {
		t.Fatalf("swept while its owner runs: %v", removed)
	}
	cmd.Process.Kill()
	cmd.Wait()
	removed, err := CleanStale(dir)
	if err != nil || len(removed) != 2 {
		t.Fatalf("after the kill removed %v, %v", removed, err)
	}
	for _, r := range removed {
		if strings.HasPrefix(r, filepath.Base(live.Path())) {
			t.Fatalf("the live staging folder was swept")
		}
	}
	if _, err := os.Stat(filepath.Join(live.Path(), "x")); err != nil {
		t.Fatalf("live staging lost its file: %v", err)
	}
	live.Release()
	if left := listDir(t, dir); strings.Join(left, " ") != "ready" {
		t.Fatalf("after Release: %v", left)
	}
}

// Places remembers export folders and sweeps them, forgetting clean ones.
func TestPlacesSweep(t *testing.T) {
	home := t.TempDir()
	p := Places{File: filepath.Join(home, "staging-places")}
	a, b := t.TempDir(), t.TempDir()
	p.Add(a)
	p.Add(b)
	p.Add(a)
	old := time.Now().Add(-2 * time.Hour)
	stale := filepath.Join(a, PartialPrefix+"0badf00d-dir")
	os.MkdirAll(filepath.Join(stale, "sub"), 0o700)
	os.WriteFile(filepath.Join(stale, "sub", "rec"), []byte("x"), 0o600)
	os.Chtimes(stale, old, old)
	if n := p.Sweep(); n != 1 {
		t.Fatalf("swept %d", n)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale staging still there: %v", err)
	}
	if got := p.read(); len(got) != 0 {
		t.Fatalf("clean folders still remembered: %v", got)
	}
}
