package startup

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/testtool"
)

// TestRunsBeforeFyne: in the dossier binary, this package's init runs
// before any Fyne package initialises. Nothing in the language ties that
// order down except the import paths' sort order ("dossier/..." before
// "fyne.io/..." and "github.com/fyne-io/..."), so the built binary is
// asked (GODEBUG=inittrace=1 prints every package init in order).
func TestRunsBeforeFyne(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dossier binary")
	}
	goTool := testtool.Look(t, "go", "golang-go")
	bin := filepath.Join(t.TempDir(), "dossier")
	build := exec.Command(goTool, "build", "-o", bin, "dossier")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := exec.Command(bin, "--help")
	run.Env = append(os.Environ(), "GODEBUG=inittrace=1", "LANG=C")
	out, _ := run.CombinedOutput() // the exit status of --help does not matter here
	startup, firstFyne := -1, -1
	for i, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "init" {
			continue
		}
		switch {
		case f[1] == "dossier/internal/startup":
			startup = i
		case firstFyne < 0 && (strings.HasPrefix(f[1], "fyne.io/") || strings.HasPrefix(f[1], "github.com/fyne-io/")):
			firstFyne = i
		}
	}
	if startup < 0 || firstFyne < 0 {
		t.Fatalf("inittrace lists startup at %d and Fyne at %d:\n%s", startup, firstFyne, out)
	}
	if startup > firstFyne {
		t.Errorf("dossier/internal/startup initialises after a Fyne package (line %d, Fyne at %d)", startup, firstFyne)
	}
}
