package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPatientScreensSpeakPlainly: no sentence the patient's screens can show (the English of every
// lang.X and i18n.Msg in the desktop app and in the packages whose reasons and problems it shows)
// uses the standards' jargon: IHE_XDM or IHE_PDI, SOP, UID, pseudonymised or anonymised. The
// receiving side's screen (open_screen.go) is for the centre and may name the level as it is.
func TestPatientScreensSpeakPlainly(t *testing.T) {
	jargon := regexp.MustCompile(`\bSOP\b|\bUIDs?\b|IHE_|[Pp]seudonymi|[Aa]nonymi`)
	var files []string
	for _, g := range []string{"*.go", "export/*.go", "internal/kit/*.go", "redactbox/*.go", "../packager/intake/*.go",
		"../packager/deid/*.go", "../packager/checklist/*.go", "../packager/doctext/*.go", "../packager/summary/*.go"} {
		m, err := filepath.Glob(g)
		if err != nil || len(m) == 0 {
			t.Fatalf("%s: %v %v", g, m, err)
		}
		files = append(files, m...)
	}
	sentences := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "open_screen.go" {
			continue
		}
		fs := token.NewFileSet()
		af, err := parser.ParseFile(fs, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := c.Fun.(type) {
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			case *ast.Ident:
				name = fn.Name
			}
			var arg ast.Expr
			switch {
			case name == "X" && len(c.Args) >= 2: // lang.X(key, English, ...)
				arg = c.Args[1]
			case name == "Msg" && len(c.Args) == 1: // i18n.Msg(English)
				arg = c.Args[0]
			default:
				return true
			}
			lit, ok := arg.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			sentences++
			if jargon.MatchString(s) {
				t.Errorf("%s: jargon on the patient's screens: %q", fs.Position(c.Pos()), s)
			}
			return true
		})
	}
	if sentences < 500 {
		t.Errorf("only %d sentences read: the test no longer finds them", sentences)
	}
}
