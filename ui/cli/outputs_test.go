//go:build unix

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"dossier/packager/envelope"
	"dossier/packager/store"
)

// noStore asserts that a command stopped before opening the case store
// (and so before scanning and any key derivation).
func noStore(t *testing.T, home string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(home, store.FileName)); err == nil {
		t.Error("the case store was opened: the check came too late")
	}
}

// Every file option takes only a regular file within its size limit.
func TestFileOptionsTakeOnlySmallRegularFiles(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 5<<10), 0o600)
	huge := filepath.Join(dir, "huge")
	os.WriteFile(huge, make([]byte, 65<<10), 0o600)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "b.age")
	os.WriteFile(bundle, []byte("age-encryption.org/v1\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--passphrase-file", "/dev/zero", bundle}, "not a regular file (a character device)"},
		{[]string{"verify", "--passphrase-file", fifo, bundle}, "not a regular file (a named pipe)"},
		{[]string{"verify", "--passphrase-file", dir, bundle}, "not a regular file (a folder)"},
		{[]string{"verify", "--passphrase-file", big, bundle}, "larger than the 4.0 KB"},
		{[]string{"open", "--identity", "/dev/zero", "--to", dir, bundle}, "not a regular file"},
		{[]string{"open", "--identity", huge, "--to", dir, bundle}, "larger than the 64.0 KB"},
		{[]string{"pack", "--passphrase-file", "/dev/zero", "--out", filepath.Join(t.TempDir(), "x.age"), dir}, "not a regular file"},
		{[]string{"pack", "--recipients-file", "/dev/urandom", "--out", filepath.Join(t.TempDir(), "x.age"), dir}, "not a regular file"},
		{[]string{"pack", "--recipients-file", huge, "--out", filepath.Join(t.TempDir(), "x.age"), dir}, "larger than the 64.0 KB"},
	} {
		t.Setenv("DOSSIER_HOME", t.TempDir())
		code, _, errOut := run(t, tc.args...)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "hint: ") {
			t.Errorf("%v: exit %d, %q", tc.args, code, errOut)
		}
	}
	// A symbolic link to a small regular file is fine.
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("correct horse battery staple\n"), 0o600)
	link := filepath.Join(dir, "pass-link")
	os.Symlink(pass, link)
	if got, err := readSecretFile(link); err != nil || got != "correct horse battery staple" {
		t.Errorf("readSecretFile(link) = %q, %v", got, err)
	}
}

// pack refuses a taken --out, a --folder that exists, outputs inside the
// records, an unknown --include and a silly --split before any work.
func TestPackChecksItsOutputFirst(t *testing.T) {
	src := deidCase(t)
	dir := t.TempDir()
	taken := filepath.Join(dir, "taken.age")
	os.WriteFile(taken, []byte("x"), 0o600)
	os.WriteFile(filepath.Join(dir, "split.age.001"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(dir, "how.HOW-TO-OPEN.txt"), []byte("x"), 0o600)
	os.Symlink("/dev/null", filepath.Join(dir, "link.age"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", taken}, "a file of that name already exists"},
		{[]string{"--out", filepath.Join(dir, "split.age")}, "split.age.001: a file of that name already exists"},
		{[]string{"--out", filepath.Join(dir, "how.age")}, "HOW-TO-OPEN.txt: a file of that name already exists"},
		{[]string{"--out", filepath.Join(dir, "link.age")}, "a symbolic link of that name already exists"},
		{[]string{"--out", dir}, "is a folder"},
		{[]string{"--out", filepath.Join(dir, "none", "x.age")}, "does not exist"},
		{[]string{"--folder", dir}, "already exists"},
		{[]string{"--out", filepath.Join(src, "x.age")}, "is inside the records"},
		{[]string{"--folder", filepath.Join(src, "cd", "copy")}, "is inside the records"},
		{[]string{"--folder", src}, "already exists"},
		{[]string{"--out", filepath.Join(dir, "n.age"), "--include", "/etc/passwd"}, "is not among the files and folders given"},
		{[]string{"--out", filepath.Join(dir, "n.age"), "--split", "10"}, "too small"},
		{[]string{"--out", filepath.Join(dir, "n.age"), "--split", "-5M"}, "--split"},
	} {
		home := t.TempDir()
		t.Setenv("DOSSIER_HOME", home)
		code, _, errOut := run(t, append(append([]string{"pack"}, tc.args...), src)...)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errOut)
		}
		noStore(t, home)
	}
	if b, _ := os.ReadFile(taken); string(b) != "x" {
		t.Error("the existing file was changed")
	}
}

// An --include inside an input (a file in a folder given, or an entry of a
// ZIP given) is accepted; the check is on the path, not the spelling.
func TestIncludeAmongInputs(t *testing.T) {
	src := deidCase(t)
	for _, inc := range []string{filepath.Join(src, "report.pdf"), src + "/cd/../report.pdf", filepath.Join(src, "x.zip") + "!/a/b.pdf"} {
		if err := checkIncludes([]string{inc}, []string{src}); err != nil {
			t.Errorf("%s: %v", inc, err)
		}
	}
	if err := checkIncludes([]string{filepath.Join(filepath.Dir(src), "other.pdf")}, []string{src}); err == nil {
		t.Error("a path beside the input was accepted")
	}
}

// letter --out refuses existing files, symbolic links, special files and
// places inside the records, like pack.
func TestLetterOutRefusesWhatExists(t *testing.T) {
	src := lungDir(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "letter.pdf")
	os.WriteFile(existing, []byte("mine"), 0o600)
	link := filepath.Join(dir, "link.pdf")
	os.Symlink(filepath.Join(dir, "target.pdf"), link)
	fifo := filepath.Join(dir, "fifo.pdf")
	syscall.Mkfifo(fifo, 0o600)
	for out, want := range map[string]string{
		existing:                          "a file of that name already exists",
		link:                              "a symbolic link of that name already exists",
		fifo:                              "a named pipe of that name already exists",
		"/dev/null":                       "a character device of that name already exists",
		filepath.Join(src, "request.pdf"): "is inside the records",
	} {
		code, _, errOut := run(t, "letter", "--out", out, src)
		if code != ExitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, %q", out, code, errOut)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "mine" {
		t.Error("the existing file was replaced")
	}
	if _, err := os.Lstat(filepath.Join(dir, "target.pdf")); err == nil {
		t.Error("written through the link")
	}
}

// deidentify refuses an --out inside the records or holding files, before
// any work.
func TestDeidentifyOutChecks(t *testing.T) {
	src := deidCase(t)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o600)
	for out, want := range map[string]string{
		src:                         "the folder is not empty",
		filepath.Join(src, "clean"): "is inside the records",
		full:                        "the folder is not empty",
	} {
		home := t.TempDir()
		t.Setenv("DOSSIER_HOME", home)
		code, _, errOut := run(t, "deidentify", "--privacy", "anonymised", "--out", out, src)
		if code != ExitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, %q", out, code, errOut)
		}
		noStore(t, home)
	}
}

// Two exports into one folder at once: exactly one succeeds, and the
// folder holds its complete, correct files; nothing else is left.
func TestConcurrentExportsIntoOneFolder(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := deidCase(t)
	for _, cmd := range [][]string{{"deidentify", "--privacy", "anonymised"}, {"pack", "--privacy", "anonymised"}} {
		for round := 0; round < 3; round++ {
			parent := t.TempDir()
			out := filepath.Join(parent, "export")
			flag := "--out"
			if cmd[0] == "pack" {
				flag = "--folder"
			}
			codes := make([]int, 2)
			errs, outs := make([]string, 2), make([]string, 2)
			var wg sync.WaitGroup
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes[i], outs[i], errs[i] = run(t, append(append(append([]string{}, cmd...), flag, out), src)...)
				}()
			}
			wg.Wait()
			ok, stdout := 0, ""
			for i, c := range codes {
				if c == ExitOK {
					ok++
					stdout = outs[i]
				} else if !strings.Contains(errs[i], "exists") && !strings.Contains(errs[i], "not empty") && !strings.Contains(errs[i], "got there first") {
					t.Fatalf("%s: unexpected failure: %s", cmd[0], errs[i])
				}
			}
			if ok != 1 {
				t.Fatalf("%s round %d: %d succeeded: %q", cmd[0], round, ok, errs)
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 1 || entries[0].Name() != "export" {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Fatalf("%s: left beside the export: %v", cmd[0], names)
			}
			if cmd[0] == "deidentify" {
				n := 0
				filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
					if err == nil && fi.Mode().IsRegular() {
						n++
						if strings.HasPrefix(fi.Name(), envelope.PartialPrefix) {
							t.Errorf("staging left: %s", p)
						}
					}
					return nil
				})
				if want := fmt.Sprintf("Wrote %d files", n); n == 0 || !strings.Contains(stdout, want) {
					t.Fatalf("the folder holds %d files; the run said %q", n, stdout)
				}
			} else if code, _, errOut := run(t, "verify", out); code != ExitOK {
				t.Fatalf("the folder export does not verify: %s", errOut)
			}
		}
	}
}
