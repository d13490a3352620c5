package rtflex

import (
	"strings"
	"testing"
)

// tokens returns every token of s.
func tokens(s string) []Token {
	var out []Token
	lx := New([]byte(s))
	for {
		t, ok := lx.Next()
		if !ok {
			return out
		}
		out = append(out, t)
	}
}

func TestTokens(t *testing.T) {
	src := "{\\rtf1\\ansicpg1252 {\\*\\bkmkend x}{\\fonttbl\\f0 A;}\\'e9\\'zz\\{\\~\\uc2\\u-3913 ??\\bin3 {}\\par\r\nB\\"
	got := tokens(src)
	type want struct {
		kind        Kind
		text        string // src[Start:End]
		name        string
		param       int
		opens, star bool
		b           byte
	}
	wants := []want{
		{kind: GroupStart, text: "{"},
		{kind: Word, text: "\\rtf1", name: "rtf", param: 1, opens: true},
		{kind: Word, text: "\\ansicpg1252 ", name: "ansicpg", param: 1252},
		{kind: GroupStart, text: "{"},
		{kind: Symbol, text: "\\*", b: '*'},
		{kind: Word, text: "\\bkmkend ", name: "bkmkend", opens: true, star: true},
		{kind: Char, text: "x", b: 'x'},
		{kind: GroupEnd, text: "}"},
		{kind: GroupStart, text: "{"},
		{kind: Word, text: "\\fonttbl", name: "fonttbl", opens: true},
		{kind: Word, text: "\\f0 ", name: "f"},
		{kind: Char, text: "A", b: 'A'},
		{kind: Char, text: ";", b: ';'},
		{kind: GroupEnd, text: "}"},
		{kind: Char, text: "\\'e9", b: 0xE9},
		{kind: BadHex, text: "\\'"},
		{kind: Char, text: "z", b: 'z'},
		{kind: Char, text: "z", b: 'z'},
		{kind: Char, text: "\\{", b: '{'},
		{kind: Symbol, text: "\\~", b: '~'},
		{kind: Word, text: "\\uc2", name: "uc", param: 2},
		{kind: Word, text: "\\u-3913 ", name: "u", param: -3913},
		{kind: Char, text: "?", b: '?'},
		{kind: Char, text: "?", b: '?'},
		// \bin3 takes the three bytes after it as data, "{}\", so "par"
		// is text.
		{kind: Word, text: "\\bin3 {}\\", name: "bin", param: 3},
		{kind: Char, text: "p", b: 'p'}, {kind: Char, text: "a", b: 'a'}, {kind: Char, text: "r", b: 'r'},
		{kind: Break, text: "\r", b: '\r'},
		{kind: Break, text: "\n", b: '\n'},
		{kind: Char, text: "B", b: 'B'},
	}
	if len(got) != len(wants) {
		for _, g := range got {
			t.Logf("%d %q %q", g.Kind, src[g.Start:g.End], g.Name)
		}
		t.Fatalf("%d tokens, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		g := got[i]
		if g.Kind != w.kind || src[g.Start:g.End] != w.text || g.Name != w.name || g.Param != w.param ||
			g.Opens != w.opens || g.Starred != w.star || g.Byte != w.b {
			t.Errorf("token %d = %+v (%q), want %+v", i, g, src[g.Start:g.End], w)
		}
	}
	if !got[5].Textless() || !got[9].Textless() || got[10].Textless() || got[1].Textless() {
		t.Error("Textless: \\*\\bkmkend and \\fonttbl open textless groups, \\f0 and \\rtf1 do not")
	}
	if s, ok := got[19].Stands(); !ok || s != " " {
		t.Errorf("\\~ stands for %q", s)
	}
	if Unicode(got[21].Param) != 0xF0B7 {
		t.Errorf("Unicode(-3913) = %x", Unicode(got[21].Param))
	}
}

// TestBadHex: a \' without two hexadecimal digits takes only itself, so
// a brace after it still opens a group.
func TestBadHex(t *testing.T) {
	got := tokens(`\'{\info x}`)
	if len(got) < 3 || got[0].Kind != BadHex || got[0].End != 2 || got[1].Kind != GroupStart || got[2].Name != "info" || !got[2].Opens {
		t.Errorf("tokens %+v", got)
	}
}

func TestStands(t *testing.T) {
	for src, want := range map[string]string{
		"\\par": "\n", "\\line": "\n", "\\cell ": "\n", "\\tab": "\t", "\\emdash": "—", "\\ldblquote": "“",
		"\\_": "-", "\\\n": "\n",
	} {
		got := tokens(src)
		if s, ok := got[0].Stands(); !ok || s != want {
			t.Errorf("%q stands for %q, %v; want %q", src, s, ok, want)
		}
	}
	if _, ok := tokens("\\b")[0].Stands(); ok {
		t.Error("\\b stands for text")
	}
}

// FuzzLexer: the tokens tile the document from its start, each at least
// one byte long, and a document ends early only at a final backslash.
func FuzzLexer(f *testing.F) {
	for _, s := range []string{
		"{\\rtf1\\ansi{\\fonttbl\\f0 Arial;}\\f0\\fs24 Hello\\par}",
		"{\\*\\bkmkend x}\\'e9\\'z\\u-3913?\\uc0\\u8364 \\bin4 ab}c",
		"\\", "{\\rtf1 " + strings.Repeat("a", 40) + "\\" + strings.Repeat("x", 40) + "123456789012345678901234567890123456789012345678901234567890}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lx := New(b)
		end := 0
		for {
			tok, ok := lx.Next()
			if !ok {
				break
			}
			if tok.Start != end || tok.End <= tok.Start || tok.End > len(b) {
				t.Fatalf("token %+v after byte %d of %d", tok, end, len(b))
			}
			end = tok.End
		}
		if end != len(b) && !(end == len(b)-1 && b[end] == '\\') {
			t.Fatalf("stopped at %d of %d", end, len(b))
		}
	})
}
