package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"dossier/internal/testtool"
	"dossier/packager/envelope"
	"dossier/packager/i18n"
)

// dossierOnPath puts a program named dossier on PATH that is this test binary acting as the dossier
// program (see TestMain), so commands written for people run exactly as written.
func dossierOnPath(t *testing.T) []string {
	t.Helper()
	bin := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\nDOSSIER_TEST_CLI=1 exec '%s' \"$@\"\n", self)
	if err := os.WriteFile(filepath.Join(bin, "dossier"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"DOSSIER_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "LANG=en_US.UTF-8")
}

// howToCommands returns the commands of a HOW-TO-OPEN.txt, by section ("dossier", "age", "check"):
// the indented lines, less the remarks in brackets and the Windows-only copy line. The sections are
// found by their English headings.
func howToCommands(text string) map[string][]string {
	return howToCommandsIn(i18n.English, text)
}

// howToCommandsIn is howToCommands with the headings in language lang.
func howToCommandsIn(lang, text string) map[string][]string {
	c := i18n.MustLoad(lang)
	got := map[string][]string{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, c.Sprintf("Open it with Dossier")):
			section = "dossier"
		case strings.HasPrefix(line, c.Sprintf("Open it with standard tools (age, from %v)", "https://age-encryption.org")):
			section = "age"
		case strings.HasPrefix(line, c.Sprintf("Check that nothing is missing or changed")):
			section = "check"
		case strings.HasPrefix(line, "    ") && section != "":
			cmd := strings.TrimSpace(line)
			if strings.HasPrefix(cmd, "(") || strings.HasPrefix(cmd, "copy /b") {
				continue
			}
			got[section] = append(got[section], cmd)
		}
	}
	return got
}

// shell runs command with sh in dir; with pass set, under script(1), typing pass at each
// passphrase prompt (age reads passphrases from a terminal only).
func shell(t *testing.T, env []string, dir, command, pass string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if pass == "" {
		cmd := exec.CommandContext(ctx, "sh", "-c", command)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", command, err, out)
		}
		return
	}
	script := testtool.Look(t, "script", "bsdutils")
	cmd := exec.CommandContext(ctx, script, "-qec", command, "/dev/null")
	cmd.Dir, cmd.Env = dir, env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// stderr is copied by exec's own goroutine while this one reads stdout: one lock for both.
	var transcript lockedBuffer
	cmd.Stderr = &transcript
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
		t.Fatalf("%s: %v\n%s", command, err, transcript.String())
	}
}

// TestHowToOpenCommandsRunAsWritten packs a case with the dossier program (a passphrase or a key;
// one file, one numbered part, several parts), then, in a folder holding only the bundle, its
// HOW-TO-OPEN.txt and the secret the text names (PASSPHRASE.txt or key.txt), runs every command of
// the text exactly as written: dossier open and verify, age and unzip, and sha256sum -c.
func TestHowToOpenCommandsRunAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("packs and opens bundles with the dossier program and age")
	}
	testtool.Look(t, "age", "age")
	testtool.Look(t, "unzip", "unzip")
	testtool.Look(t, "sha256sum", "coreutils")
	env := dossierOnPath(t)
	records := caseFolder(t)
	// A photo of noise (about 5 MB that do not compress) makes the bundle large enough to be split
	// into three parts of more than the 1 MB that --split accepts.
	if err := os.WriteFile(filepath.Join(records, "photo-of-letter.jpg"), noisePhoto(t), 0o644); err != nil {
		t.Fatal(err)
	}
	pass, err := envelope.NewPassphrase()
	if err != nil {
		t.Fatal(err)
	}
	key, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	secrets := t.TempDir()
	passFile, keyFile := filepath.Join(secrets, "PASSPHRASE.txt"), filepath.Join(secrets, "key.txt")
	os.WriteFile(passFile, []byte(pass+"\n"), 0o600)
	os.WriteFile(keyFile, []byte(key.String()+"\n"), 0o600)
	for _, c := range []struct {
		name       string
		passphrase bool
		split      string
		parts      int
		lang       string // the cover's language (English when empty)
	}{
		{"passphrase, one file", true, "", 0, ""},
		{"key, one file", false, "", 0, ""},
		{"passphrase, one part", true, "100M", 1, ""},
		{"key, three parts", false, "", 3, ""},
		{"passphrase, one file, Chinese cover", true, "", 0, i18n.ChineseSimplified},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			args := []string{"pack", "--out", filepath.Join(out, "second-opinion.age")}
			if c.passphrase {
				args = append(args, "--passphrase-file", passFile)
			} else {
				args = append(args, "--recipient", key.Recipient().String())
			}
			split := c.split
			if c.parts > 1 {
				// One pack without a split tells the size; then split into c.parts parts.
				probe := t.TempDir()
				shell(t, env, probe, "dossier pack --out "+filepath.Join(probe, "p.age")+" --recipient "+key.Recipient().String()+" "+records, "")
				fi, err := os.Stat(filepath.Join(probe, "p.age"))
				if err != nil {
					t.Fatal(err)
				}
				split = fmt.Sprint(fi.Size()/int64(c.parts) + 1 + 4096)
			}
			if split != "" {
				args = append(args, "--split", split)
			}
			if c.lang != "" {
				args = append(args, "--lang", c.lang)
			}
			args = append(args, records)
			shell(t, env, out, "dossier "+strings.Join(args, " "), "")
			how, err := os.ReadFile(filepath.Join(out, "second-opinion.HOW-TO-OPEN.txt"))
			if err != nil {
				t.Fatal(err)
			}
			text := string(how)
			entries, _ := filepath.Glob(filepath.Join(out, "second-opinion.age*"))
			wantParts := c.parts
			if wantParts == 0 {
				wantParts = 1
			}
			if len(entries) < wantParts || (c.parts > 1 && len(entries) < 2) {
				t.Fatalf("%d bundle files, want %d", len(entries), wantParts)
			}
			if c.parts == 0 && (strings.Contains(text, ".001") || strings.Contains(text, "part(s)") || strings.Contains(text, " part")) {
				t.Errorf("an unsplit bundle's instructions speak of parts:\n%s", text)
			}
			if c.parts > 1 && !strings.Contains(text, fmt.Sprintf("(%d parts)", len(entries))) {
				t.Errorf("instructions do not name the %d parts:\n%s", len(entries), text)
			}
			if c.lang != "" {
				howToInLanguage(t, c.lang, text)
			}
			cmds := howToCommands(text)
			if len(cmds["dossier"]) < 2 || len(cmds["age"]) < 2 || len(cmds["check"]) != 1 {
				t.Fatalf("commands found: %q\n%s", cmds, text)
			}
			for _, section := range []string{"dossier", "age"} {
				dir := t.TempDir()
				for _, e := range entries {
					copyFile(t, e, filepath.Join(dir, filepath.Base(e)))
				}
				copyFile(t, passFile, filepath.Join(dir, "PASSPHRASE.txt"))
				copyFile(t, keyFile, filepath.Join(dir, "key.txt"))
				for _, command := range append(cmds[section], cmds["check"]...) {
					typed := ""
					if section == "age" && c.passphrase && strings.Contains(command, "age -d") {
						typed = pass
					}
					shell(t, env, dir, command, typed)
				}
				if _, err := os.Stat(filepath.Join(dir, "bundle", "COVER.PDF")); err != nil {
					t.Errorf("%s commands: no bundle/COVER.PDF: %v", section, err)
				}
			}
		})
	}
}

// howToInLanguage checks the instructions beside a bundle whose cover is in lang (not English): they
// are in lang first, every sentence (no English line before the English copy), read as UTF-8 by
// any Notepad (a byte order mark), with the very commands of the English copy that follows (which
// the caller runs as written).
func howToInLanguage(t *testing.T, lang, text string) {
	t.Helper()
	c := i18n.MustLoad(lang)
	local, english, ok := strings.Cut(text, "\nHOW TO OPEN second-opinion.age\n")
	if !ok || !strings.HasPrefix(local, "\ufeff"+c.Sprintf("HOW TO OPEN %v", "second-opinion.age")+"\n") {
		t.Fatalf("the instructions do not start in %s with a byte order mark, then English:\n%s", lang, text)
	}
	for _, line := range strings.Split(local, "\n") {
		if strings.HasPrefix(line, "    ") || strings.Trim(line, "=-\ufeff ") == "" {
			continue // a command, a rule
		}
		words := 0
		for _, w := range strings.Fields(line) {
			if strings.IndexFunc(w, func(r rune) bool { return r > 0x2e80 }) < 0 && strings.IndexFunc(w, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0 && !strings.ContainsAny(w, ".-/~") {
				words++
			}
		}
		if words > 2 {
			t.Errorf("an English line in the %s instructions: %q", lang, line)
		}
	}
	for _, s := range []string{"What this is", "What you need to open it", "Please keep the records confidential and delete them when no longer needed."} {
		if !strings.Contains(local, c.Sprintf(s)) || c.Sprintf(s) == s {
			t.Errorf("the %s instructions lack %q in %s", lang, s, lang)
		}
	}
	if got, want := howToCommandsIn(lang, local), howToCommands(english); fmt.Sprint(got) != fmt.Sprint(want) || len(want["dossier"]) < 2 {
		t.Errorf("the %s instructions' commands %q differ from the English ones %q", lang, got, want)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer is a bytes.Buffer that two goroutines may write to.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) WriteString(s string) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.WriteString(s)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// noisePhoto returns a JPEG of random pixels, which no compression shrinks.
func noisePhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2000, 2000))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Uint32())
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
