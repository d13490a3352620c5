// Package rtflex reads RTF's syntax: the tokens of a document (groups,
// control words with their parameters, control symbols, bytes of text),
// each with its place in the file, and which destinations hold no text a
// person wrote. It is the one RTF lexer: doctext reads RTF's text with it,
// and deid strips RTF's hidden parts and redacts its text with it, so they
// all see the same groups and characters.
package rtflex

import (
	"encoding/hex"
	"iter"
)

// Kind is what a token is.
type Kind uint8

// The kinds of token.
const (
	// Char is one byte of text in the document's code page (Byte): a plain
	// byte, an escaped \\, \{ or \}, or a \'xx escape.
	Char Kind = iota
	// BadHex is the \' of an escape not followed by two hexadecimal
	// digits: no character (what follows is read as the next tokens).
	BadHex
	// Symbol is a control symbol other than those Char covers (\~, \_, \-,
	// \*, \|, \: and a backslash before a line break); Byte is the
	// character after the backslash.
	Symbol
	// Word is a control word: Name, and Param when HasParam. The space that
	// ends it, and the data of \binN, are part of the token.
	Word
	// GroupStart is '{'.
	GroupStart
	// GroupEnd is '}'.
	GroupEnd
	// Break is a raw carriage return or line feed, which RTF ignores.
	Break
)

// Token is one token and where it stands in the document: b[Start:End].
type Token struct {
	Kind       Kind
	Start, End int
	// Byte is the character of Char, and of Symbol the one after the
	// backslash.
	Byte byte
	// Name, Param and HasParam are a Word's (\fs24: "fs", 24, true).
	Name     string
	Param    int
	HasParam bool
	// Opens reports that the Word is the first control word of its group
	// (after \* if any), so that it names the group's destination; Starred
	// that the group began with \* (an ignorable destination).
	Opens, Starred bool
}

// Lexer splits a document into tokens. The zero Lexer is not usable: make
// one with New.
type Lexer struct {
	b          []byte
	i          int
	groupStart bool // the next control word opens the group
	star       bool // the group began with \*
}

// New returns a Lexer over b.
func New(b []byte) *Lexer { return &Lexer{b: b} }

// Tokens returns the tokens of b in order (Lexer.Next until it ends).
func Tokens(b []byte) iter.Seq[Token] {
	return func(yield func(Token) bool) {
		l := New(b)
		for {
			t, ok := l.Next()
			if !ok || !yield(t) {
				return
			}
		}
	}
}

// Limits of a control word, counted from its backslash: the name ends
// before maxName bytes and the parameter before maxWord; what follows is
// read as the next token.
const (
	maxName = 32
	maxWord = 48
)

// Next returns the next token, or false at the end of the document (a
// backslash that is the last byte ends it too).
func (l *Lexer) Next() (Token, bool) {
	b, i := l.b, l.i
	if i >= len(b) {
		return Token{}, false
	}
	c := b[i]
	switch c {
	case '{':
		l.i = i + 1
		l.groupStart, l.star = true, false
		return Token{Kind: GroupStart, Start: i, End: i + 1}, true
	case '}':
		l.i = i + 1
		l.groupStart, l.star = false, false
		return Token{Kind: GroupEnd, Start: i, End: i + 1}, true
	case '\r', '\n':
		l.i = i + 1
		return Token{Kind: Break, Start: i, End: i + 1, Byte: c}, true
	case '\\':
	default:
		l.i = i + 1
		l.groupStart = false
		return Token{Kind: Char, Start: i, End: i + 1, Byte: c}, true
	}
	if i+1 >= len(b) {
		l.i = len(b)
		return Token{}, false
	}
	n := b[i+1]
	switch {
	case n == '\'':
		l.groupStart = false
		var v [1]byte
		if i+3 < len(b) {
			if _, err := hex.Decode(v[:], b[i+2:i+4]); err == nil {
				l.i = i + 4
				return Token{Kind: Char, Start: i, End: i + 4, Byte: v[0]}, true
			}
		}
		// Only the \' is taken: what follows is read as it is, so that a
		// brace after it still opens or closes a group.
		l.i = i + 2
		return Token{Kind: BadHex, Start: i, End: i + 2}, true
	case n == '\\' || n == '{' || n == '}':
		l.i = i + 2
		l.groupStart = false
		return Token{Kind: Char, Start: i, End: i + 2, Byte: n}, true
	case !isLetter(n):
		l.i = i + 2
		if n == '*' {
			l.star = true
		}
		return Token{Kind: Symbol, Start: i, End: i + 2, Byte: n}, true
	}
	j := i + 1
	for j < len(b) && isLetter(b[j]) && j-i < maxName {
		j++
	}
	t := Token{Kind: Word, Start: i, Name: string(b[i+1 : j])}
	neg := false
	if j < len(b) && b[j] == '-' {
		neg = true
		j++
	}
	for j < len(b) && b[j] >= '0' && b[j] <= '9' && j-i < maxWord {
		t.Param = t.Param*10 + int(b[j]-'0')
		t.HasParam = true
		j++
	}
	if neg {
		t.Param = -t.Param
	}
	if j < len(b) && b[j] == ' ' {
		j++
	}
	if t.Name == "bin" && t.HasParam && t.Param > 0 {
		j += min(t.Param, len(b)-j) // binary data, not read as RTF
	}
	t.End = j
	t.Opens, t.Starred = l.groupStart, l.star
	l.groupStart = false
	l.i = j
	return t, true
}

// Textless reports whether the Word t opens a destination whose content is
// no text a person wrote: font, colour, style and list tables, pictures
// and embedded object data, the program's bookkeeping, and the ends of
// bookmarks.
func (t Token) Textless() bool {
	return t.Kind == Word && t.Opens && (textless[t.Name] || t.Starred && t.Name == "bkmkend")
}

// textless are the destinations Textless names.
var textless = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "listtable": true, "listoverridetable": true,
	"pict": true, "objdata": true, "themedata": true, "colorschememapping": true, "datastore": true,
	"latentstyles": true, "rsidtbl": true, "xmlnstbl": true, "mmathPr": true, "generator": true,
	"filetbl": true, "pgdsctbl": true, "wgrffmtfilter": true, "defchp": true, "defpap": true,
	"listpicture": true, "panose": true, "blipuid": true, "fchars": true, "lchars": true,
	"passwordhash": true, "protusertbl": true, "nonshppict": true,
}

// Stands returns the text a control word or symbol stands for: a line
// break for \par, \line, \row, \sect, \page, \cell and a backslash before
// a line break, a tab for \tab, dashes, a bullet and quotation marks, a
// space for \~ and a hyphen for \_.
func (t Token) Stands() (string, bool) {
	switch t.Kind {
	case Symbol:
		switch t.Byte {
		case '~':
			return " ", true
		case '_':
			return "-", true
		case '\r', '\n':
			return "\n", true
		}
	case Word:
		s, ok := stands[t.Name]
		return s, ok
	}
	return "", false
}

// stands are the control words that stand for text.
var stands = map[string]string{
	"par": "\n", "line": "\n", "row": "\n", "sect": "\n", "page": "\n", "cell": "\n",
	"tab": "\t", "emdash": "—", "endash": "–", "bullet": "•",
	"lquote": "‘", "rquote": "’", "ldblquote": "“", "rdblquote": "”",
}

// Unicode returns the UTF-16 code unit of \uN's parameter, which RTF writes
// as a signed 16-bit number.
func Unicode(param int) int {
	if param < 0 {
		return param + 65536
	}
	return param
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
