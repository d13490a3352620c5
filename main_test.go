package main

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// fyneAppVersion reads [Details] Version from FyneApp.toml, the version's single source.
func fyneAppVersion(t *testing.T) string {
	t.Helper()
	f, err := os.Open("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			section = line
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if ok && section == "[Details]" && strings.TrimSpace(key) == "Version" {
			return strings.Trim(strings.TrimSpace(val), `"`)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatal("FyneApp.toml has no [Details] Version")
	return ""
}

// TestVersionMatchesFyneApp keeps main.go's default version (used by a plain `go build`) equal to
// FyneApp.toml's; the Makefile stamps FyneApp.toml's into release builds with -ldflags -X.
func TestVersionMatchesFyneApp(t *testing.T) {
	want := fyneAppVersion(t)
	if version != want {
		t.Fatalf("main.version = %q, FyneApp.toml [Details] Version = %q: change main.go to match", version, want)
	}
}
