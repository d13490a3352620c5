package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every command's -h, -help and --help prints its usage and options on
// stdout and exits 0; `dossier help COMMAND` does the same.
func TestEveryCommandPrintsItsHelp(t *testing.T) {
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "-h"}, {c.name, "--help"}, {c.name, "-help"}, {"help", c.name}, {c.name, "somewhere", "--help"}} {
			code, out, errOut := run(t, args...)
			if code != ExitOK {
				t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
			}
			if !strings.HasPrefix(out, "usage: "+c.usage+"\n") || !strings.Contains(out, "Options:\n") || !strings.Contains(out, "  -") {
				t.Errorf("%v printed %q", args, out)
			}
		}
	}
	code, out, _ := run(t, "help")
	if code != ExitOK || !strings.Contains(out, "Commands:") {
		t.Errorf("dossier help: exit %d, %q", code, out)
	}
	// version, listed among the commands, has its help too.
	for _, args := range [][]string{{"help", "version"}, {"version", "--help"}, {"version", "-h"}} {
		code, out, errOut := run(t, args...)
		if code != ExitOK || !strings.HasPrefix(out, "usage: dossier version\n") {
			t.Errorf("%v: exit %d, %q, stderr %q", args, code, out, errOut)
		}
	}
}

// An unknown command, for help too, is exit 2 with a hint.
func TestUnknownCommandHasAHint(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"help", "frobnicate"}} {
		code, _, errOut := run(t, args...)
		if code != ExitUsage || !strings.Contains(errOut, `unknown command "frobnicate"`) || !strings.Contains(errOut, "hint: ") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

// A path that does not exist is a usage error (exit 2) with a hint, for
// every command that reads paths.
func TestMissingPathIsAUsageError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-cd")
	for _, args := range [][]string{
		{"scan", missing},
		{"check", missing},
		{"letter", "--out", filepath.Join(t.TempDir(), "l.pdf"), missing},
		{"deidentify", "--privacy", "anonymised", "--out", filepath.Join(t.TempDir(), "o"), missing},
	} {
		code, _, errOut := run(t, args...)
		if code != ExitUsage || !strings.Contains(errOut, "does not exist") || !strings.Contains(errOut, "hint: check the path") {
			t.Errorf("%v: exit %d, %q", args[0], code, errOut)
		}
	}
}

// Without a command, unknown words, options and missing paths are refused
// before the app starts, and so is a run with no display.
func TestCheckDesktop(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args    []string
		display bool
		code    int
		want    string
	}{
		{[]string{"frobnicate"}, false, ExitUsage, `unknown command "frobnicate"`},
		{[]string{"frobnicate"}, true, ExitUsage, `unknown command "frobnicate"`},
		{[]string{"--frob"}, true, ExitUsage, `unknown command or option "--frob"`},
		{[]string{filepath.Join(dir, "nope")}, true, ExitUsage, "does not exist"},
		{[]string{dir}, false, ExitUsage, "no display: use one of the commands"},
		{nil, false, ExitUsage, "no display: use one of the commands"},
		{[]string{dir}, true, -1, ""},
		{nil, true, -1, ""},
	}
	for _, c := range cases {
		var errb bytes.Buffer
		code := CheckDesktop(&Env{Stdout: os.Stdout, Stderr: &errb}, c.args, c.display)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("CheckDesktop(%q, display %v) = %d, %q", c.args, c.display, code, errb.String())
		}
		if c.code == ExitUsage && !strings.Contains(errb.String(), "hint: ") {
			t.Errorf("CheckDesktop(%q): no hint", c.args)
		}
	}
}

func TestPrintableEscapesControlsAndBidi(t *testing.T) {
	cases := map[string]string{
		"report.pdf":                "report.pdf",
		`C:\Users\x\scan.dcm`:       `C:\Users\x\scan.dcm`,
		"李雷 报告.pdf":                 "李雷 报告.pdf",
		"evil\x1b[2Jname":           `evil\x1b[2Jname`,
		"line\nbreak\r\t":           `line\x0abreak\x0d\x09`,
		"invoice\u202efdp.exe":      `invoice\u202efdp.exe`,
		"iso\u2066late\u2069\u200f": `iso\u2066late\u2069\u200f`,
		"latin1-\xe9t\xe9":          `latin1-\xe9t\xe9`,
		"c1-\u0085-del\x7f":         `c1-\x85-del\x7f`,
		"zero\u200bwidth\ufeff":     `zero\u200bwidth\ufeff`,
		"para\u2029sep":             `para\u2029sep`,
	}
	for in, want := range cases {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// Names with control characters or bidi overrides are escaped wherever
// the command line prints them.
func TestPrintedNamesAreEscaped(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	dir := t.TempDir()
	evil := "report\x1b[2J\u202efdp.exe\n.txt"
	if err := os.WriteFile(filepath.Join(dir, evil), []byte("Pathology report\nDiagnosis: adenocarcinoma\n"), 0o600); err != nil {
		t.Skip(err)
	}
	os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("Notes\n"), 0o600)
	for _, args := range [][]string{
		{"scan", dir},
		{"check", dir},
		{"summary", dir},
		{"deidentify", "--privacy", "anonymised", "--patient-name", "Jane Doe", "--out", filepath.Join(t.TempDir(), "o"), dir},
	} {
		code, out, errOut := run(t, args...)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", args[0], code, errOut)
		}
		for _, bad := range []string{"\x1b", "\u202e", "fdp.exe\n"} {
			if strings.Contains(out+errOut, bad) {
				t.Errorf("%s printed %q raw:\n%s", args[0], bad, out)
			}
		}
		if (args[0] == "scan" || args[0] == "check") && !strings.Contains(out, `report\x1b[2J\u202efdp.exe\x0a.txt`) {
			t.Errorf("scan did not print the escaped name:\n%s", out)
		}
	}
}
