package tiers

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// tier of every package under packager/, as the README's Layout section
// draws it: 2 workflow, 3 format packages, 4 primitives (1, the front
// ends, is main.go, ui and ui/cli, which may import anything).
var tier = map[string]int{
	"intake": 2, "checklist": 2, "summary": 2, "store": 2, "preview": 2, "cover": 2, "deid": 2, "bundle": 2, "export": 2, "redactview": 2,

	"dicomx": 3, "dicomdeid": 3, "dicomdir": 3, "pixelmask": 3, "burnedin": 3, "slide": 3, "slidedeid": 3,
	"pdftext": 3, "redact": 3, "doctext": 3, "textenc": 3, "exif": 3, "leakscan": 3, "envelope": 3,

	"dicomwire": 4, "rtflex": 4, "identity": 4, "privacy": 4, "i18n": 4, "atomicfile": 4, "jpegdec": 4, "jpegls": 4,
}

// TestTiers: every package under packager/ has a tier, and imports (outside
// its tests) only packages of its own tier or a lower one (a higher
// number).
func TestTiers(t *testing.T) {
	root := filepath.Join("..", "..", "packager")
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		own, ok := tier[name]
		if !ok {
			t.Errorf("packager/%s has no tier: add it to the README's Layout section and to this test", name)
			continue
		}
		seen++
		for _, imp := range imports(t, filepath.Join(root, name)) {
			dep, ok := strings.CutPrefix(imp, "dossier/packager/")
			if !ok {
				if strings.HasPrefix(imp, "dossier/") && imp != "dossier/assets" {
					t.Errorf("packager/%s imports %s", name, imp)
				}
				continue
			}
			dep, _, _ = strings.Cut(dep, "/")
			if tier[dep] < own {
				t.Errorf("packager/%s (tier %d) imports packager/%s (tier %d): a lower tier may not import a higher one", name, own, dep, tier[dep])
			}
		}
	}
	if seen < len(tier) {
		t.Errorf("%d packages under packager/, %d in the table: remove the ones that are gone", seen, len(tier))
	}
}

// imports lists the imports of the non-test Go files of dir.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range af.Imports {
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// TestFileLength: no Go file outside tests runs past 800 lines (issue 17:
// a file that long holds more than one thing; split it where the things
// part).
func TestFileLength(t *testing.T) {
	root := filepath.Join("..", "..")
	seen := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "dist") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		seen++
		if n := strings.Count(string(b), "\n"); n > 800 {
			t.Errorf("%s has %d lines, more than 800", path, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 100 {
		t.Errorf("only %d Go files read: is the walk still at the repository's root?", seen)
	}
}
