package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/testtool"
	"dossier/packager/cover"
	"dossier/packager/envelope"
)

func TestPackVerifyOpen(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	envelope.ScryptWorkFactor = 12
	src := deidCase(t)
	outDir := t.TempDir()
	bundlePath := filepath.Join(outDir, "dossier-test.age")
	code, stdout, stderr := run(t, "pack", "--out", bundlePath, "--cancer", "breast", "--question", "Is surgery first right?", "--json", src)
	if code != ExitOK {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	var res struct {
		Files       []string `json:"files"`
		Fingerprint string   `json:"fingerprint"`
		Passphrase  string   `json:"passphrase"`
		Items       []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if res.Passphrase == "" || len(res.Files) != 2 || len(res.Items) != 3 {
		t.Fatalf("pack result: %s", stdout)
	}
	passFile := filepath.Join(t.TempDir(), "pass.txt")
	os.WriteFile(passFile, []byte(res.Passphrase+"\n"), 0o600)

	code, stdout, stderr = run(t, "verify", "--passphrase-file", passFile, bundlePath)
	if code != ExitOK || !strings.Contains(stdout, "intact") || !strings.Contains(stdout, cover.FingerprintGroups(res.Fingerprint)) {
		t.Errorf("verify: exit %d\n%s%s", code, stdout, stderr)
	}
	dest := t.TempDir()
	code, stdout, stderr = run(t, "open", "--passphrase-file", passFile, "--to", dest, bundlePath)
	if code != ExitOK {
		t.Fatalf("open: exit %d: %s", code, stderr)
	}
	text, err := exec.Command(testtool.Look(t, "pdftotext", "poppler-utils"), filepath.Join(dest, "COVER.PDF"), "-").Output()
	if err != nil || !strings.Contains(string(text), "Is surgery first right?") {
		t.Errorf("cover text lacks the question: %v\n%s", err, text)
	}

	// A wrong passphrase fails clearly.
	os.WriteFile(passFile, []byte("wrong wrong wrong wrong wrong wrong wrong\n"), 0o600)
	code, _, stderr = run(t, "verify", "--passphrase-file", passFile, bundlePath)
	if code != ExitFailure || !strings.Contains(stderr, "passphrase or key does not open") {
		t.Errorf("wrong passphrase: exit %d, %s", code, stderr)
	}
	// The export is in the audit trail.
	st, err := openStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ex, _ := st.Exports(t.Context(), 0)
	if len(ex) != 1 || ex[0].Fingerprint != res.Fingerprint || len(ex[0].Items) != 3 {
		t.Errorf("audit rows: %+v", ex)
	}
}

func TestPackToRecipientOpensWithDebianAge(t *testing.T) {
	ageBin := testtool.Look(t, "age", "age")
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := deidCase(t)
	identity, recipient := envelope.GenerateX25519()
	keyFile := filepath.Join(t.TempDir(), "key.txt")
	os.WriteFile(keyFile, []byte(identity+"\n"), 0o600)
	out := filepath.Join(t.TempDir(), "b.age")
	if code, _, stderr := run(t, "pack", "--out", out, "--privacy", "pseudonymised", "--recipient", recipient, src); code != ExitOK {
		t.Fatalf("pack: %s", stderr)
	}
	zipPath := filepath.Join(t.TempDir(), "b.zip")
	if o, err := exec.Command(ageBin, "-d", "-i", keyFile, "-o", zipPath, out).CombinedOutput(); err != nil {
		t.Fatalf("age -d: %v\n%s", err, o)
	}
	if o, err := exec.Command(testtool.Look(t, "unzip", "unzip"), "-t", zipPath).CombinedOutput(); err != nil {
		t.Errorf("unzip -t: %v\n%s", err, o)
	}
	if code, stdout, stderr := run(t, "verify", "--identity", keyFile, out); code != ExitOK || !strings.Contains(stdout, "pseudonymised") {
		t.Errorf("verify: %d %s %s", code, stdout, stderr)
	}
}

func TestPackFolderAndUsage(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := deidCase(t)
	stick := filepath.Join(t.TempDir(), "DOSSIER")
	if code, _, stderr := run(t, "pack", "--folder", stick, src); code != ExitOK {
		t.Fatalf("pack --folder: %s", stderr)
	}
	cmd := exec.Command(testtool.Look(t, "sha256sum", "coreutils"), "-c", "--quiet", "MANIFEST.SHA256")
	cmd.Dir = stick
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, o)
	}
	if code, _, _ := run(t, "verify", stick); code != ExitOK {
		t.Error("verify of the folder failed")
	}
	for _, args := range [][]string{
		{"pack", src},
		{"pack", "--out", "x.age", "--folder", "y", src},
		{"pack", "--folder", "y", "--recipient", "age1x", src},
		{"pack", "--out", "x.age", "--split", "lots", src},
		{"pack", "--out", "x.age", "--cancer", "unknownoma", src},
		{"open", "x.age"},
		{"verify", "--passphrase-file", "a", "--identity", "b", "x.age"},
	} {
		if code, _, _ := run(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

// TestPackSaysWhatWasSentNamed: at a private level, pack never says the
// records carry the pseudonym instead of the name about an item that
// --include sent as it is; it names those items.
func TestPackSaysWhatWasSentNamed(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := deidCase(t)
	for _, include := range []bool{false, true} {
		args := []string{"pack", "--privacy", "pseudonymised", "--folder", filepath.Join(t.TempDir(), "b")}
		if include {
			args = append(args, "--no-redact", "--include", filepath.Join(src, "report.pdf"))
		}
		code, stdout, stderr := run(t, append(args, src)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		named := strings.Contains(stdout, "Sent as they are, with your name or other details in them (--include): report.pdf.")
		others := strings.Contains(stdout, "The other records carry the pseudonym ")
		all := strings.Contains(stdout, "The records carry the pseudonym ")
		if named != include || others != include || all == include {
			t.Errorf("--include %v: sent named %v, other records %v, all records %v:\n%s", include, named, others, all, stdout)
		}
	}
}
