package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Version: "1.2.3"}, args)
	return code, out.String(), errb.String()
}

func fixtureDir(t *testing.T) string {
	dir := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("reports/pathology.pdf", docfix.PDF("Pathology"))
	write("photos/letter.jpg", docfix.JPEG(400, 300))
	write("AUTORUN.INF", []byte("[autorun]\nopen=x.exe\n"))
	write("empty.dcm", nil)
	return dir
}

func TestScanJSON(t *testing.T) {
	dir := fixtureDir(t)
	code, out, errOut := run(t, "scan", "--json", dir)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"items", "studies", "slides", "patients", "problems"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON has no %q", k)
		}
	}
	var items []struct{ Path, Kind, Reason string }
	json.Unmarshal(doc["items"], &items)
	kinds := map[string]string{}
	for _, it := range items {
		kinds[filepath.Base(it.Path)] = it.Kind
	}
	want := map[string]string{"pathology.pdf": "pdf", "letter.jpg": "image", "AUTORUN.INF": "skipped", "empty.dcm": "unreadable"}
	for name, kind := range want {
		if kinds[name] != kind {
			t.Errorf("%s: kind %q, want %q", name, kinds[name], kind)
		}
	}
	if errOut != "" {
		t.Errorf("stderr not empty without a terminal: %q", errOut)
	}
}

func TestScanHuman(t *testing.T) {
	dir := fixtureDir(t)
	code, out, _ := run(t, "scan", dir)
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"4 files looked at", "Reports and documents:", "pathology.pdf", "Photos and scans:", "Skipped:", "AUTORUN.INF", "Could not read:", "the file is empty"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// One file, one image: counted in the singular.
	one := t.TempDir()
	if err := os.WriteFile(filepath.Join(one, "IM1"), dcmfix.Instance(dcmfix.Spec{}), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, out, _ := run(t, "scan", one); !strings.Contains(out, "1 file looked at") || !strings.Contains(out, "(1 image)") {
		t.Errorf("one file:\n%s", out)
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, ExitUsage, "Commands:"},
		{[]string{"frobnicate"}, ExitUsage, `unknown command "frobnicate"`},
		{[]string{"scan"}, ExitUsage, "dossier: error: no files or folders given"},
		{[]string{"scan", "--bogus", "x"}, ExitUsage, "dossier: error: unknown option -bogus"},
		{[]string{"scan", "/no/such/place"}, ExitUsage, "dossier: error: /no/such/place does not exist\nhint: "},
		{[]string{"version"}, ExitOK, ""},
	} {
		code, _, errOut := run(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.stderr)
		}
	}
	if _, out, _ := run(t, "--version"); out != "dossier 1.2.3\n" {
		t.Errorf("--version printed %q", out)
	}
}

func TestFlagsAfterPaths(t *testing.T) {
	dir := fixtureDir(t)
	code, out, _ := run(t, "scan", dir, "--json")
	if code != ExitOK || !strings.HasPrefix(out, "{") {
		t.Errorf("flags after paths: exit %d, output %.40q", code, out)
	}
}

func TestScanCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := Run(ctx, &Env{Stdout: &out, Stderr: &errb}, []string{"scan", fixtureDir(t)})
	if code != ExitFailure || !strings.Contains(errb.String(), "stopped before finishing") {
		t.Errorf("cancelled scan: exit %d, stderr %q", code, errb.String())
	}
}
