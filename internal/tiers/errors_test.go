package tiers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// prefixed are the packages whose errors start with their name ("envelope:
// ..."): the format packages and primitives (tiers 3 and 4), and preview,
// which reports only what it could not decode. The other packages return
// sentences a person reads (see packager/export's package doc).
func prefixed() []string {
	out := []string{"preview"}
	for name, t := range tier {
		if t >= 3 {
			out = append(out, name)
		}
	}
	return out
}

// TestErrorPrefixes: in the packages of prefixed, every error made with
// errors.New or fmt.Errorf starts with "name: " exactly once. Exempt are
// sentences marked with i18n.Msg (findings a person reads, translated) and
// an error that wraps, first, one the package made ("%w: ..."): one of its
// variables, what one of its functions returns, or an error held in a
// variable, which carries the prefix already. What another package made
// (io.EOF, dicomwire.ErrShort) is wrapped after the prefix. A format that
// starts with the prefix and wraps one of the package's own variables is a
// doubled prefix.
func TestErrorPrefixes(t *testing.T) {
	checked := 0
	for _, name := range prefixed() {
		dir := filepath.Join("..", "..", "packager", name)
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		var parsed []*ast.File
		own := map[string]bool{} // the package's top-level variables
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			parsed = append(parsed, af)
			for _, d := range af.Decls {
				if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
					for _, s := range g.Specs {
						for _, n := range s.(*ast.ValueSpec).Names {
							own[n.Name] = true
						}
					}
				}
			}
		}
		for _, af := range parsed {
			ast.Inspect(af, func(n ast.Node) bool {
				c, ok := n.(*ast.CallExpr)
				if !ok || len(c.Args) == 0 {
					return true
				}
				fn := callName(c.Fun)
				if fn != "errors.New" && fn != "fmt.Errorf" {
					return true
				}
				checked++
				if msg := prefixProblem(name, c, own); msg != "" {
					t.Errorf("%s: %s: %s", fset.Position(c.Pos()), fn, msg)
				}
				return true
			})
		}
	}
	if checked < 100 {
		t.Errorf("only %d errors found: is the check still reading the packages?", checked)
	}
}

// prefixProblem says what is wrong with the error made by c in package
// name, or "".
func prefixProblem(name string, c *ast.CallExpr, own map[string]bool) string {
	if call, ok := c.Args[0].(*ast.CallExpr); ok && callName(call.Fun) == "i18n.Msg" {
		return "" // a sentence a person reads
	}
	lit, ok := c.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "the message is not a string literal, so its prefix cannot be checked"
	}
	format, err := strconv.Unquote(lit.Value)
	if err != nil {
		return err.Error()
	}
	prefix := name + ": "
	wrapped := wrappedArgs(format, c.Args[1:])
	if strings.HasPrefix(format, "%w") {
		if len(wrapped) > 0 && madeHere(wrapped[0]) {
			return ""
		}
		return "starts with an error another package made: start with " + strconv.Quote(prefix)
	}
	if !strings.HasPrefix(format, prefix) {
		return strconv.Quote(format) + " does not start with " + strconv.Quote(prefix)
	}
	if strings.Contains(format[len(prefix):], prefix) {
		return strconv.Quote(format) + " holds its prefix twice"
	}
	for _, a := range wrapped {
		if isOwn(a, own) {
			return strconv.Quote(format) + " wraps one of the package's own errors, which has the prefix already: write \"%w: ...\""
		}
	}
	return ""
}

// wrappedArgs returns the arguments of format's %w verbs.
func wrappedArgs(format string, args []ast.Expr) []ast.Expr {
	var out []ast.Expr
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			break
		}
		if format[j] == '%' {
			i = j
			continue
		}
		if format[j] == 'w' && n < len(args) {
			out = append(out, args[n])
		}
		n++
		i = j
	}
	return out
}

// isOwn reports whether e names one of the package's top-level variables.
func isOwn(e ast.Expr, own map[string]bool) bool {
	id, ok := e.(*ast.Ident)
	return ok && own[id.Name]
}

// madeHere reports whether e is an error of the package itself: a
// variable, or what a function of the package returns (not another
// package's variable or function).
func madeHere(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return true
	case *ast.CallExpr:
		_, ok := e.Fun.(*ast.Ident)
		return ok
	}
	return false
}

// callName returns "pkg.Func" for a call of a package's function.
func callName(fun ast.Expr) string {
	sel, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	return id.Name + "." + sel.Sel.Name
}

// TestPlainErrorKnowsThePrefixes: i18n.PlainError, which intake and deid use
// to tell a person why a file cannot be read or sent, drops the prefixes of
// exactly these packages (lowLevel in packager/i18n/plainerr.go).
func TestPlainErrorKnowsThePrefixes(t *testing.T) {
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, filepath.Join("..", "..", "packager", "i18n", "plainerr.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range af.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if vs.Names[0].Name != "lowLevel" {
				continue
			}
			for _, e := range vs.Values[0].(*ast.CompositeLit).Elts {
				v, _ := strconv.Unquote(e.(*ast.BasicLit).Value)
				got = append(got, v)
			}
		}
	}
	want := prefixed()
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("i18n's lowLevel is %v, the prefixed packages are %v", got, want)
	}
}
