package i18n_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"dossier/packager/checklist"
	"dossier/packager/i18n"
)

// markedFormats finds every i18n.Msg("...") in the module's Go source
// (tests aside), with the file it is in.
func markedFormats(t *testing.T) map[string]string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || strings.HasPrefix(n, ".") && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Msg" {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "i18n" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: i18n.Msg needs a string literal", fset.Position(call.Pos()))
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			out[s] = rel
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dataTexts are the English texts from data files that the message files
// translate: the checklist's guidance.
func dataTexts(t *testing.T) []string {
	t.Helper()
	rs, err := checklist.Default()
	if err != nil {
		t.Fatal(err)
	}
	out := []string{rs.Guidance.Routine, rs.Guidance.Remote, rs.Guidance.InPerson}
	for _, c := range rs.Cancers {
		for _, s := range []string{c.UrgencyNote, c.InPerson} {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// keywords are the first spellings of the checklist's keywords: what a
// note names as not found. A message file may translate them.
func keywords(t *testing.T) []string {
	rs, err := checklist.Default()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs.Rules {
		for _, k := range r.Check.Keywords {
			out = append(out, strings.Split(k, "|")[0])
		}
	}
	return out
}

var verbs = regexp.MustCompile(`%(\[\d+\])?[sdqv]`)

// sentinels are values for a format's verbs, each recognisable in the
// text written: numbers for %d, words for the others.
func sentinels(format string) []any {
	var args []any
	for i, v := range verbs.FindAllString(format, -1) {
		if strings.HasSuffix(v, "d") {
			args = append(args, 9000+i)
		} else {
			args = append(args, fmt.Sprintf("ZQ%dQZ", i))
		}
	}
	return args
}

// TestMessageFiles checks every message file against the formats marked in
// the source: each is there, with as many values, and the file has nothing
// else but the checklist's guidance and keywords.
func TestMessageFiles(t *testing.T) {
	marked := markedFormats(t)
	if len(marked) < 100 {
		t.Fatalf("only %d formats marked with i18n.Msg; the source walk is broken", len(marked))
	}
	for f, file := range marked {
		if strings.TrimSpace(verbs.ReplaceAllString(f, "")) == "" {
			t.Errorf("%s: format %q has no words", file, f)
		}
	}
	data := dataTexts(t)
	kw := keywords(t)
	for _, lang := range i18n.Languages() {
		if lang == i18n.English {
			continue
		}
		msgs, err := i18n.MessageFile(lang)
		if err != nil || msgs == nil {
			t.Fatalf("%s: no message file (%v)", lang, err)
		}
		for f, file := range marked {
			tr, ok := msgs[f]
			if !ok {
				t.Errorf("%s: no translation of %q (%s)", lang, f, file)
				continue
			}
			// Each value appears exactly once in the translation, of the right kind.
			args := sentinels(f)
			got := fmt.Sprintf(tr, args...)
			if strings.Contains(got, "%!") {
				t.Errorf("%s: %q: its translation %q does not take its values: %q", lang, f, tr, got)
			}
			for _, a := range args {
				if n := strings.Count(got, fmt.Sprint(a)); n != 1 {
					t.Errorf("%s: %q: value %v appears %d times in %q", lang, f, a, n, got)
				}
			}
		}
		for _, s := range data {
			if _, ok := msgs[s]; !ok {
				t.Errorf("%s: no translation of the checklist's guidance %q", lang, s)
			}
		}
		for k, v := range msgs {
			if _, ok := marked[k]; !ok && !slices.Contains(data, k) && !slices.Contains(kw, k) {
				t.Errorf("%s: %q is no marked format, guidance or keyword", lang, k)
			}
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %q is translated as nothing", lang, k)
			}
		}
	}
}

func TestMessage(t *testing.T) {
	zh := i18n.MustLoad(i18n.ChineseSimplified)
	en := i18n.MustLoad(i18n.English)
	for _, c := range []struct{ in, want string }{
		// A format with values: the number is kept, the text value too.
		{"3 of 10 images are missing (numbers run from 1 to 10)", "10 张影像中缺少 3 张（编号从 1 到 10）"},
		{"1 of 10 images is missing (numbers run from 1 to 10)", "10 张影像中缺少 1 张（编号从 1 到 10）"},
		// A value that is a message itself is translated too.
		{"skipped when reading: system folder, not a record", "读取时已跳过：系统文件夹，不是病历"},
		// A list of messages, item by item.
		{"its text mentions the patient (date of birth, name)", "其文字提到了患者（出生日期、姓名）"},
		// Details no format knows stay as they are.
		{"could not be read again: open /x/y: no such file", "无法再次读取：open /x/y: no such file"},
		{"something no one wrote", "something no one wrote"},
		{"", ""},
	} {
		if got := zh.Message(c.in); got != c.want {
			t.Errorf("Message(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := en.Message(c.in); got != c.in {
			t.Errorf("English Message(%q) = %q", c.in, got)
		}
	}
	if got := zh.Sprintf(i18n.Msg("Not found in the reports here: %s."), i18n.List{"EGFR", "bone marrow"}); got != "现有报告中未找到：EGFR、骨髓。" {
		t.Errorf("Sprintf = %q", got)
	}
	if got := en.Sprintf(i18n.Msg("Not found in the reports here: %s."), i18n.List{"EGFR", "bone marrow"}); got != "Not found in the reports here: EGFR, bone marrow." {
		t.Errorf("English Sprintf = %q", got)
	}
}

// Both ends of the pattern matching, on a table of their own.
func TestMessagePatterns(t *testing.T) {
	fsys := fstest.MapFS{"m/xx.json": {Data: []byte(`{
		"could not be read: %s": "R:%s",
		"could not be read again: %s": "RA:%s",
		"mentions (%s)": "M(%s)",
		"%d of %d": "%[2]d>%[1]d",
		"named %q here": "N[%s]",
		"shipped by %v": "S<%s>",
		"the index lists %d files; %d of them were not found": "I%d/%d",
		"thing": "T",
		"other": "O"
	}`)}}
	c := i18n.NewTestCatalog(t, fsys, "m", "xx")
	for _, tc := range []struct{ in, want string }{
		{"could not be read again: thing", "RA:T"},
		// Findings joined by "; " are split into as many messages as cover them.
		{"could not be read: thing; thing", "R:T;T"},
		{"could not be read: a; thing", "R:a;T"},
		{"thing; the index lists 5 files; 2 of them were not found", "T;I5/2"},
		{"the index lists 5 files; 2 of them were not found", "I5/2"},
		// A list inside a value, item by item; a list with an unknown item stays.
		{"mentions (thing, other)", "M(T,O)"},
		{"mentions (thing, MRN)", "M(thing, MRN)"},
		{"3 of 7", "7>3"},
		{"x of 7", "x of 7"},
		{`named "thing" here`, "N[T]"},
		// A %v value is shown as it is, even when it looks like a message.
		{"shipped by other", "S<other>"},
		// Values may hold line breaks.
		{"could not be read: line one\nline two", "R:line one\nline two"},
		{"thing, thing", "T,T"},
	} {
		if got := c.Message(tc.in); got != tc.want {
			t.Errorf("Message(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Sprintf translates the values at %s only.
	if got := c.Sprintf("shipped by %v", "other"); got != "S<other>" {
		t.Errorf("Sprintf %%v = %q", got)
	}
	if got := c.Sprintf("could not be read: %s", "other"); got != "R:O" {
		t.Errorf("Sprintf %%s = %q", got)
	}
}
