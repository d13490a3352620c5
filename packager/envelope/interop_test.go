package envelope

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dossier/internal/testtool"
	"filippo.io/age"
)

type ageRecipient = age.Recipient

// These tests check the envelope against the age command line of Debian
// (age 1.1.1 on Debian 12), the tool a receiving centre is most likely to
// have: what Dossier writes by default must open there, and what age writes
// must open in Dossier.

func ageTool(t *testing.T) string {
	t.Helper()
	return testtool.Look(t, "age", "age")
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func mustRecipient(t *testing.T, s string) ageRecipient {
	t.Helper()
	r, _, err := ParseRecipient(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// writeEncrypted encrypts plain into dir as base split at size, the way
// Dossier writes a bundle, and returns the volume names.
func writeEncrypted(t *testing.T, dir, base string, size int64, plain []byte, r ageRecipient) []string {
	t.Helper()
	out, err := NewAtomicFiles(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Abort()
	vw, err := NewVolumeWriter(out, base, size)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Encrypt(vw, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	return vw.Names()
}

func TestInteropAgeDecryptsX25519Volumes(t *testing.T) {
	ageCmd := ageTool(t)
	dir := t.TempDir()
	id, rec := GenerateX25519()
	os.WriteFile(filepath.Join(dir, "key.txt"), []byte("# test key\n"+id+"\n"), 0o600)
	plain := payload(300_000)
	names := writeEncrypted(t, dir, "bundle.age", 100_000, plain, mustRecipient(t, rec))
	if len(names) != 4 {
		t.Fatalf("volumes %v", names)
	}
	// Exactly the command in HOW-TO-OPEN.txt.
	run(t, dir, "sh", "-c", "cat bundle.age.[0-9][0-9][0-9] | "+ageCmd+" -d -i key.txt -o out.bin")
	if got, _ := os.ReadFile(filepath.Join(dir, "out.bin")); !bytes.Equal(got, plain) {
		t.Fatal("age 1.1.1 decrypted something else")
	}
}

func TestInteropAgeDecryptsSSH(t *testing.T) {
	ageCmd := ageTool(t)
	for _, kind := range []string{"ed25519", "rsa"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			priv, pub := sshKeys(t, kind)
			os.WriteFile(filepath.Join(dir, "id"), priv, 0o600)
			plain := payload(70_000)
			writeEncrypted(t, dir, "b.age", 0, plain, mustRecipient(t, pub))
			run(t, dir, ageCmd, "-d", "-i", "id", "-o", "out.bin", "b.age")
			if got, _ := os.ReadFile(filepath.Join(dir, "out.bin")); !bytes.Equal(got, plain) {
				t.Fatal("age decrypted something else")
			}
		})
	}
}

func TestInteropDossierDecryptsAge(t *testing.T) {
	ageCmd := ageTool(t)
	dir := t.TempDir()
	plain := payload(200_000)
	os.WriteFile(filepath.Join(dir, "in.bin"), plain, 0o600)
	id, rec := GenerateX25519()
	_, edPub := sshKeys(t, "ed25519")
	os.WriteFile(filepath.Join(dir, "recipients.txt"), []byte("# centre\n"+rec+"\n"+edPub+"\n"), 0o600)
	run(t, dir, ageCmd, "-R", "recipients.txt", "-o", "x.age", "in.bin")
	run(t, dir, ageCmd, "-r", rec, "-a", "-o", "armored.age", "in.bin")

	ids, err := ParseIdentities(strings.NewReader(id))
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := os.ReadFile(filepath.Join(dir, "x.age"))
	if got, err := open(ct, ids...); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("age -R file: %v", err)
	}
	// Our recipients-file parser reads the same file age did.
	f, _ := os.Open(filepath.Join(dir, "recipients.txt"))
	defer f.Close()
	if recs, _, err := ParseRecipientsFile(f); err != nil || len(recs) != 2 {
		t.Fatalf("recipients file: %d, %v", len(recs), err)
	}
	// Split with split(1) and joined by OpenVolumes.
	run(t, dir, "split", "-b", "50000", "-a", "3", "--numeric-suffixes=1", "x.age", "split.age.")
	r, paths, err := OpenVolumes(filepath.Join(dir, "split.age.002"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pr, err := Decrypt(r, ids...)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(pr); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("split(1) volumes (%d): %v", len(paths), err)
	}
	// Armored files are not what Dossier writes; Decrypt says damaged, not
	// wrong key.
	arm, _ := os.ReadFile(filepath.Join(dir, "armored.age"))
	if _, err := open(arm, ids...); !errors.Is(err, ErrDamaged) {
		t.Errorf("armored: %v", err)
	}
}

// ttyRun runs command under script(1), which gives it a terminal, and types
// pass at each passphrase prompt: age reads passphrases from the terminal
// only, with no flag or variable for them in age 1.1.1.
func ttyRun(t *testing.T, dir, command, pass string) {
	t.Helper()
	script := testtool.Look(t, "script", "bsdutils")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-qec", command, "/dev/null")
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var transcript, stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(stdout)
	for {
		s, err := br.ReadString(':')
		transcript.WriteString(s)
		if strings.Contains(strings.ToLower(s), "passphrase") {
			io.WriteString(stdin, pass+"\n")
		}
		if err != nil {
			break
		}
	}
	err = cmd.Wait()
	stdin.Close()
	if err != nil {
		t.Fatalf("%s: %v\n%s%s", command, err, transcript.String(), stderr.String())
	}
}

func TestInteropPassphrase(t *testing.T) {
	ageCmd := ageTool(t)
	pass, err := NewPassphrase()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("age decrypts Dossier", func(t *testing.T) {
		dir := t.TempDir()
		plain := payload(100_000)
		rp, err := PassphraseRecipient(pass)
		if err != nil {
			t.Fatal(err)
		}
		writeEncrypted(t, dir, "p.age", 40_000, plain, rp)
		ttyRun(t, dir, "cat p.age.0* | "+ageCmd+" -d -o out.bin", pass)
		if got, _ := os.ReadFile(filepath.Join(dir, "out.bin")); !bytes.Equal(got, plain) {
			t.Fatal("age decrypted something else")
		}
	})
	t.Run("Dossier decrypts age", func(t *testing.T) {
		// age -p always uses scrypt work factor 18, which takes about 10 s
		// under the race detector: let it overlap with the other tests.
		t.Parallel()
		dir := t.TempDir()
		plain := payload(100_000)
		os.WriteFile(filepath.Join(dir, "in.bin"), plain, 0o600)
		ttyRun(t, dir, ageCmd+" -p -o p.age in.bin", pass)
		ct, _ := os.ReadFile(filepath.Join(dir, "p.age"))
		id, _ := PassphraseIdentity(pass)
		if got, err := open(ct, id); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("age -p file: %v", err)
		}
	})
}
