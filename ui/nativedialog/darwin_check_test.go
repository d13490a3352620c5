package nativedialog

import (
	"errors"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestDarwinTypeChecks type-checks this package as it is built for macOS with cgo (darwin.go, on
// NSOpenPanel and NSSavePanel through github.com/sqweek/dialog), against that library's own macOS
// files. `GOOS=darwin go vet` cannot run off a Mac: cgo needs Apple's compiler and headers. go/types
// with FakeImportC checks everything but the C calls: the names and types of the library's API as
// darwin.go uses them, and that darwin.go is the file a Mac builds.
func TestDarwinTypeChecks(t *testing.T) {
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goCmd, "list", "-m", "-f", "{{.Dir}}", "github.com/sqweek/dialog").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	libDir := strings.TrimSpace(string(out))
	const lib = "github.com/sqweek/dialog"

	mac := build.Default
	mac.GOOS, mac.GOARCH, mac.CgoEnabled = "darwin", "arm64", true
	fset := token.NewFileSet()
	std := importer.ForCompiler(fset, "source", nil)
	done := map[string]*types.Package{}
	var problems []string
	var load func(path, dir string) (*types.Package, []string, error)
	imp := importerFunc(func(path string) (*types.Package, error) {
		if p, ok := done[path]; ok {
			return p, nil
		}
		if path == lib || strings.HasPrefix(path, lib+"/") {
			p, _, err := load(path, filepath.Join(libDir, strings.TrimPrefix(path, lib)))
			return p, err
		}
		return std.Import(path)
	})
	load = func(path, dir string) (*types.Package, []string, error) {
		bp, err := mac.ImportDir(dir, 0)
		if err != nil {
			return nil, nil, err
		}
		names := append(slices.Clone(bp.GoFiles), bp.CgoFiles...)
		var files []*ast.File
		for _, n := range names {
			f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
			if err != nil {
				return nil, nil, err
			}
			files = append(files, f)
		}
		conf := types.Config{Importer: imp, FakeImportC: true, Error: func(err error) {
			problems = append(problems, err.Error())
		}}
		p, _ := conf.Check(path, fset, files, nil)
		done[path] = p
		return p, names, nil
	}
	_, names, err := load("dossier/ui/nativedialog", ".")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, "darwin.go") || slices.Contains(names, "none.go") || slices.Contains(names, "portal.go") {
		t.Errorf("a Mac builds %q; want darwin.go and not none.go or portal.go", names)
	}
	if _, ok := done[lib]; !ok {
		t.Error("sqweek/dialog was not checked")
	}
	for _, p := range problems {
		t.Error(p)
	}
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// TestSystemResult: the macOS dialog's answers (darwin.go): a closed dialog is no choice and no
// error, a failure to show it is ErrUnavailable (the app then shows its own), a path is the path.
func TestSystemResult(t *testing.T) {
	if p, err := systemResult("", errors.New("cancelled"), true); p != "" || err != nil {
		t.Errorf("cancelled: %q, %v", p, err)
	}
	if p, err := systemResult("", errors.New("no window server"), false); p != "" || !errors.Is(err, ErrUnavailable) {
		t.Errorf("failed: %q, %v", p, err)
	}
	if p, err := systemResult("/Volumes/HOSPITAL CD", nil, false); p != "/Volumes/HOSPITAL CD" || err != nil {
		t.Errorf("chosen: %q, %v", p, err)
	}
}
