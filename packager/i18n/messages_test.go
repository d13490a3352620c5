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
		// A message without values, and guidance listed as it is.
		{"system folder, not a record", "系统文件夹，不是病历"},
		// A finished sentence with values is no longer taken apart: such findings are kept as Text.
		{"could not be read again: open /x/y: no such file", "could not be read again: open /x/y: no such file"},
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
	// The same findings kept as format and values.
	for _, c := range []struct {
		in         i18n.Text
		en, zhWant string
	}{
		// The numbers are kept, in the order the translation puts them; the singular has its format.
		{i18n.Plural(3, i18n.Msg("%d of %d images is missing (numbers run from %d to %d)"), i18n.Msg("%d of %d images are missing (numbers run from %d to %d)"), 10, 1, 10),
			"3 of 10 images are missing (numbers run from 1 to 10)", "10 张影像中缺少 3 张（编号从 1 到 10）"},
		{i18n.Plural(1, i18n.Msg("%d of %d images is missing (numbers run from %d to %d)"), i18n.Msg("%d of %d images are missing (numbers run from %d to %d)"), 10, 1, 10),
			"1 of 10 images is missing (numbers run from 1 to 10)", "10 张影像中缺少 1 张（编号从 1 到 10）"},
		// A value at %s that is a message itself is translated too; a list item by item.
		{i18n.NewText(i18n.Msg("skipped when reading: %s"), "system folder, not a record"),
			"skipped when reading: system folder, not a record", "读取时已跳过：系统文件夹，不是病历"},
		{i18n.NewText(i18n.Msg("its text mentions the patient (%s)"), i18n.List{"date of birth", "name"}),
			"its text mentions the patient (date of birth, name)", "其文字提到了患者（出生日期、姓名）"},
		// Details no format knows stay as they are.
		{i18n.NewText(i18n.Msg("could not be read again: %s"), "open /x/y: no such file"),
			"could not be read again: open /x/y: no such file", "无法再次读取：open /x/y: no such file"},
	} {
		if got := zh.Text(c.in); got != c.zhWant {
			t.Errorf("Text(%q) = %q, want %q", c.en, got, c.zhWant)
		}
		if got := c.in.String(); got != c.en {
			t.Errorf("English Text = %q, want %q", got, c.en)
		}
	}
	if got := zh.Sprintf(i18n.Msg("Not found in the reports here: %s."), i18n.List{"EGFR", "bone marrow"}); got != "现有报告中未找到：EGFR、骨髓。" {
		t.Errorf("Sprintf = %q", got)
	}
	if got := en.Sprintf(i18n.Msg("Not found in the reports here: %s."), i18n.List{"EGFR", "bone marrow"}); got != "Not found in the reports here: EGFR, bone marrow." {
		t.Errorf("English Sprintf = %q", got)
	}
}

// Writing texts with values, on a table of their own.
func TestMessageValues(t *testing.T) {
	fsys := fstest.MapFS{"m/xx.json": {Data: []byte(`{
		"could not be read: %s": "R:%s",
		"mentions (%s)": "M(%s)",
		"%d of %d": "%[2]d>%[1]d",
		"shipped by %v": "S<%s>",
		"thing": "T",
		"other": "O"
	}`)}}
	c := i18n.NewTestCatalog(t, fsys, "m", "xx")
	for _, tc := range []struct {
		in   i18n.Text
		want string
	}{
		{i18n.NewText("could not be read: %s", "thing"), "R:T"},
		{i18n.NewText("could not be read: %s", "a"), "R:a"},
		// A list inside a value, item by item; an unknown item stays.
		{i18n.NewText("mentions (%s)", i18n.List{"thing", "other"}), "M(T,O)"},
		{i18n.NewText("mentions (%s)", i18n.List{"thing", "MRN"}), "M(T,MRN)"},
		{i18n.NewText("%d of %d", 3, 7), "7>3"},
		// A %v value is shown as it is, even when it is a message.
		{i18n.NewText("shipped by %v", "other"), "S<other>"},
		// Values may hold line breaks; a text inside a value is written in turn.
		{i18n.NewText("could not be read: %s", "line one\nline two"), "R:line one\nline two"},
		{i18n.NewText("could not be read: %s", i18n.NewText("mentions (%s)", i18n.List{"other"})), "R:M(O)"},
		// Without values: an exact lookup; a finished sentence stays as it is.
		{i18n.NewText("thing"), "T"},
		{i18n.NewText("could not be read: thing"), "could not be read: thing"},
	} {
		if got := c.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in.String(), got, tc.want)
		}
	}
	if got := c.Parts(i18n.Parts{i18n.NewText("thing"), i18n.NewText("%d of %d", 2, 5)}); got != "T;5>2" {
		t.Errorf("Parts = %q", got)
	}
}
