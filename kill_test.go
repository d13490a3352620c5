//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/envelope"
)

var (
	builtOnce sync.Once
	builtPath string
	builtErr  error
	builtDir  string
)

// dossierBinary builds the dossier program once for the tests that run it
// as users do (go build into a temporary folder).
func dossierBinary(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		builtDir, builtErr = os.MkdirTemp("", "dossier-bin-")
		if builtErr != nil {
			return
		}
		builtPath = filepath.Join(builtDir, "dossier")
		out, err := exec.Command("go", "build", "-o", builtPath, ".").CombinedOutput()
		if err != nil {
			builtErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if builtErr != nil {
		t.Fatal(builtErr)
	}
	return builtPath
}

// sandbox is a run's private TMPDIR and DOSSIER_HOME.
type sandbox struct{ tmp, home string }

func newSandbox(t *testing.T) sandbox {
	return sandbox{tmp: t.TempDir(), home: t.TempDir()}
}

func (s sandbox) command(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(dossierBinary(t), args...)
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "TMPDIR=") && !strings.HasPrefix(e, "DOSSIER_HOME=") {
			env = append(env, e)
		}
	}
	cmd.Env = append(env, "TMPDIR="+s.tmp, "DOSSIER_HOME="+s.home)
	return cmd
}

// killCase writes a case big enough that each command runs for a moment:
// 24 CT images of 512 KiB, a report, and a ZIP whose 34 MB entry is staged
// on disk while scanned.
func killCase(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "records")
	files := map[string][]byte{
		"reports/pathology.pdf": docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: adenocarcinoma of the lung"),
	}
	for i := 1; i <= 24; i++ {
		files[fmt.Sprintf("CD/DICOM/IM%02d", i)] = dcmfix.Instance(dcmfix.Spec{Modality: "CT", StudyUID: "1.2.826.0.1.3680043.10.1999.77",
			SeriesUID: "1.2.826.0.1.3680043.10.1999.77.1", InstanceNumber: i, Rows: 512, Cols: 512,
			PatientName: "Doe^Jane", PatientID: "PID0001", BirthDate: "19610203"})
	}
	big := bytes.Repeat([]byte("Doe^Jane PID0001 plaintext record line\n"), 34<<20/40)
	files["portal.zip"] = docfix.Zip(docfix.ZipEntry{Name: "notes.txt", Data: big, Store: true})
	return testtool.WriteTree(t, dir, files)
}

// waitFor polls until cond holds or the process ends; it reports whether
// cond held while the process ran.
func waitFor(cmd *exec.Cmd, done <-chan struct{}, cond func() bool) bool {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return false
		default:
		}
		if cond() {
			return true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return false
}

func names(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func hasPartial(dir string) bool {
	for _, n := range names(dir) {
		// The lock file does not count: its name may contain "-0" too (a group such as
		// "011bd380"), and the kill must come after the export has taken and marked it.
		if !strings.HasPrefix(n, ".dossier-partial-") || strings.HasSuffix(n, ".lock") {
			continue
		}
		if strings.HasSuffix(n, "-dir") || strings.Contains(strings.TrimPrefix(n, ".dossier-partial-"), "-0") {
			return true
		}
	}
	return false
}

// stagingEntry reports whether the process holds a deleted (nameless) file
// in the sandbox's TMPDIR open: an archive entry being staged.
func stagingEntry(pid int, tmp string) bool {
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && strings.HasPrefix(l, tmp+"/") {
			return true
		}
	}
	return false
}

// TestKilledCommandsLeaveNoPlaintext kills scan, deidentify, pack (bundle and
// folder) and open with SIGKILL and SIGTERM while they write, and checks
// that no temporary file holds plaintext afterwards (SIGTERM cleans up at
// once; after SIGKILL the next start sweeps the locked staging) and that
// nothing half-written has a final name.
func TestKilledCommandsLeaveNoPlaintext(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	src := killCase(t)
	sb := newSandbox(t)
	// A bundle to open, to a key (no scrypt: the test stays fast).
	identity, recipient := envelope.GenerateX25519()
	idFile := filepath.Join(t.TempDir(), "key.txt")
	os.WriteFile(idFile, []byte(identity+"\n"), 0o600)
	bundleDir := t.TempDir()
	if out, err := sb.command(t, "pack", "--recipient", recipient, "--out", filepath.Join(bundleDir, "b.age"), src).CombinedOutput(); err != nil {
		t.Fatalf("pack: %v\n%s", err, out)
	}

	type step struct {
		name  string
		args  func(out string) []string
		final string                               // the final name, inside out's parent
		ready func(pid int, outParent string) bool // when to kill
	}
	steps := []step{
		{"scan", func(string) []string { return []string{"scan", src} }, "",
			func(pid int, _ string) bool { return stagingEntry(pid, sb.tmp) }},
		{"deidentify", func(out string) []string {
			return []string{"deidentify", "--privacy", "anonymised", "--out", out, src}
		}, "out", func(_ int, p string) bool { return hasPartial(p) }},
		{"pack", func(out string) []string {
			return []string{"pack", "--recipient", recipient, "--out", out + ".age", src}
		}, "out.age", func(_ int, p string) bool { return hasPartial(p) }},
		{"pack --folder", func(out string) []string {
			return []string{"pack", "--privacy", "anonymised", "--folder", out, src}
		}, "out", func(_ int, p string) bool { return hasPartial(p) }},
		{"open", func(out string) []string {
			return []string{"open", "--identity", idFile, "--to", out, filepath.Join(bundleDir, "b.age")}
		}, "out/COVER.PDF", func(_ int, p string) bool { return hasPartial(filepath.Join(p, "out")) }},
	}
	for _, st := range steps {
		for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
			t.Run(fmt.Sprintf("%s/%v", st.name, sig), func(t *testing.T) {
				parent := t.TempDir()
				out := filepath.Join(parent, "out")
				if st.name == "open" {
					os.Mkdir(out, 0o755)
				}
				cmd := st.args(out)
				c := sb.command(t, cmd...)
				if err := c.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan struct{})
				var waitErr error
				go func() { waitErr = c.Wait(); close(done) }()
				hit := waitFor(c, done, func() bool { return st.ready(c.Process.Pid, parent) })
				if hit {
					if st.name == "scan" {
						if n := names(sb.tmp); len(n) != 0 {
							t.Errorf("while staging, TMPDIR shows %v", n)
						}
					}
					c.Process.Signal(sig)
				}
				<-done
				if !hit {
					t.Logf("finished before the kill point (%v)", waitErr)
				}
				killed := hit
				if killed && sig == syscall.SIGTERM {
					if ee, ok := waitErr.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
						t.Errorf("SIGTERM: %v (want a clean exit 1)", waitErr)
					}
				}
				// Nothing half-written under a final name.
				if st.final != "" && killed {
					if _, err := os.Lstat(filepath.Join(parent, st.final)); err == nil {
						t.Errorf("a final name exists after the kill: %v", names(parent))
					}
				}
				// SIGTERM cleans up at once; after SIGKILL the next start does.
				if sig == syscall.SIGKILL {
					if out, err := sb.command(t, "scan", bundleDir).CombinedOutput(); err != nil {
						t.Fatalf("next start: %v\n%s", err, out)
					}
				}
				if n := names(sb.tmp); len(n) != 0 {
					t.Errorf("TMPDIR holds %v", n)
				}
				for _, dir := range []string{parent, out} {
					for _, n := range names(dir) {
						if strings.HasPrefix(n, ".dossier-partial-") {
							t.Errorf("staging left in %s: %s", dir, n)
						}
					}
				}
			})
		}
	}
}

// Without a display, an unknown word or a path gives a clear exit 2, not a
// GLFW panic.
func TestNoDisplayIsNotACrash(t *testing.T) {
	sb := newSandbox(t)
	for args, want := range map[string]string{
		"frobnicate":  `unknown command "frobnicate"`,
		t.TempDir():   "no display: use one of the commands",
		"":            "no display: use one of the commands",
		"/no/such/cd": "does not exist",
	} {
		var argv []string
		if args != "" {
			argv = []string{args}
		}
		c := sb.command(t, argv...)
		var env []string
		for _, e := range c.Env {
			if !strings.HasPrefix(e, "DISPLAY=") && !strings.HasPrefix(e, "WAYLAND_DISPLAY=") {
				env = append(env, e)
			}
		}
		c.Env = env
		out, err := c.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), want) || strings.Contains(string(out), "goroutine") || strings.Contains(string(out), "panic") {
			t.Errorf("dossier %s: %v\n%s", args, err, out)
		}
	}
}
