package pdftext

import (
	"bytes"
	"strconv"
)

// Kind is the kind of a content-stream token.
type Kind uint8

// The token kinds of a content stream (and of a CMap, which uses the same
// PostScript-like syntax).
const (
	KindEOF         Kind = iota
	KindNumber           // 12, -3.5, .5
	KindString           // (literal string), escapes still in place
	KindHexString        // <48656C6C6F>
	KindName             // /Name, #xx escapes still in place
	KindArrayBegin       // [
	KindArrayEnd         // ]
	KindDictBegin        // <<
	KindDictEnd          // >>
	KindOperator         // Tj, BT, true, null, begincodespacerange ...
	KindComment          // % to the end of the line
	KindInlineImage      // the bytes of an inline image after ID, up to and including EI
	KindBrace            // { or } (PostScript procedures in CMaps)
	KindJunk             // a byte that starts no token (a stray ')' or '>')
)

// Token is one token of a content stream: its kind and its byte range in the
// stream. Writing the stream's bytes between tokens and each token's bytes in
// order gives back the stream exactly, so a rewriter can drop or replace
// single tokens and keep everything else as it was.
type Token struct {
	Kind       Kind
	Start, End int
}

// Bytes returns the token's raw bytes in src.
func (t Token) Bytes(src []byte) []byte { return src[t.Start:t.End] }

// Lexer splits a content stream into tokens. It never fails: malformed input
// gives KindJunk tokens or a string cut short at the end of the stream, so
// it can be run on anything.
type Lexer struct {
	src     []byte
	pos     int
	afterID bool
}

// NewLexer returns a lexer over src.
func NewLexer(src []byte) *Lexer { return &Lexer{src: src} }

// Pos is the offset of the next byte to be read.
func (l *Lexer) Pos() int { return l.pos }

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// Next returns the next token, KindEOF at the end.
func (l *Lexer) Next() Token {
	if l.afterID {
		l.afterID = false
		return l.inlineImage()
	}
	src := l.src
	for l.pos < len(src) && isSpace(src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(src) {
		return Token{Kind: KindEOF, Start: start, End: start}
	}
	c := src[l.pos]
	switch {
	case c == '%':
		for l.pos < len(src) && src[l.pos] != '\n' && src[l.pos] != '\r' {
			l.pos++
		}
		return Token{KindComment, start, l.pos}
	case c == '(':
		depth := 0
		for l.pos < len(src) {
			switch src[l.pos] {
			case '\\':
				l.pos++
			case '(':
				depth++
			case ')':
				depth--
			}
			l.pos++
			if depth == 0 {
				break
			}
		}
		l.pos = min(l.pos, len(src))
		return Token{KindString, start, l.pos}
	case c == '<':
		if l.pos+1 < len(src) && src[l.pos+1] == '<' {
			l.pos += 2
			return Token{KindDictBegin, start, l.pos}
		}
		l.pos++
		for l.pos < len(src) && src[l.pos] != '>' {
			l.pos++
		}
		l.pos = min(l.pos+1, len(src))
		return Token{KindHexString, start, l.pos}
	case c == '>':
		if l.pos+1 < len(src) && src[l.pos+1] == '>' {
			l.pos += 2
			return Token{KindDictEnd, start, l.pos}
		}
		l.pos++
		return Token{KindJunk, start, l.pos}
	case c == '[':
		l.pos++
		return Token{KindArrayBegin, start, l.pos}
	case c == ']':
		l.pos++
		return Token{KindArrayEnd, start, l.pos}
	case c == '{' || c == '}':
		l.pos++
		return Token{KindBrace, start, l.pos}
	case c == ')':
		l.pos++
		return Token{KindJunk, start, l.pos}
	case c == '/':
		l.pos++
		for l.pos < len(src) && !isSpace(src[l.pos]) && !isDelim(src[l.pos]) {
			l.pos++
		}
		return Token{KindName, start, l.pos}
	}
	for l.pos < len(src) && !isSpace(src[l.pos]) && !isDelim(src[l.pos]) {
		l.pos++
	}
	tok := Token{KindOperator, start, l.pos}
	if isNumber(src[start:l.pos]) {
		tok.Kind = KindNumber
	} else if l.pos-start == 2 && src[start] == 'I' && src[start+1] == 'D' {
		l.afterID = true
	}
	return tok
}

func isNumber(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	digits := 0
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case (c == '+' || c == '-') && i == 0:
		case c == '.':
		default:
			return false
		}
	}
	return digits > 0
}

// inlineImage reads the data of an inline image: after the single white
// space that follows ID, up to the EI operator that stands alone between
// white space (or the end of the stream).
func (l *Lexer) inlineImage() Token {
	src := l.src
	start := l.pos
	if l.pos < len(src) && isSpace(src[l.pos]) {
		l.pos++
	}
	for i := l.pos; i+1 < len(src); i++ {
		if src[i] == 'E' && src[i+1] == 'I' && (i == 0 || isSpace(src[i-1])) && (i+2 == len(src) || isSpace(src[i+2])) {
			l.pos = i + 2
			return Token{KindInlineImage, start, l.pos}
		}
	}
	l.pos = len(src)
	return Token{KindInlineImage, start, l.pos}
}

// Number returns the value of a number token.
func Number(raw []byte) float64 {
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		// Forms such as "--5" or "5." from careless writers.
		s := bytes.TrimLeft(raw, "+-")
		f, _ = strconv.ParseFloat(string(bytes.TrimSuffix(s, []byte("."))), 64)
		if len(raw) > 0 && raw[0] == '-' {
			f = -f
		}
	}
	return f
}

// DecodeString returns the bytes of a literal (…) or hex <…> string token.
func DecodeString(raw []byte) []byte {
	if len(raw) == 0 {
		return nil
	}
	if raw[0] == '<' {
		return decodeHex(raw[1:])
	}
	if raw[0] != '(' {
		return nil
	}
	s := raw[1:]
	if len(s) > 0 && s[len(s)-1] == ')' {
		s = s[:len(s)-1]
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' { // end-of-line markers in a literal read as \n
			out = append(out, '\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			continue
		}
		if c != '\\' || i+1 >= len(s) {
			out = append(out, c)
			continue
		}
		i++
		c = s[i]
		switch c {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case '\n':
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 0; k < 2 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; k++ {
				i++
				v = v*8 + int(s[i]-'0')
			}
			out = append(out, byte(v))
		default:
			out = append(out, c)
		}
	}
	return out
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func decodeHex(s []byte) []byte {
	out := make([]byte, 0, len(s)/2)
	var hi byte
	half := false
	for _, c := range s {
		v, ok := hexVal(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out
}

// EncodeHex writes b as a hex string token, <…>.
func EncodeHex(b []byte) []byte {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, 2*len(b)+2)
	out = append(out, '<')
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return append(out, '>')
}

// NameValue returns a name token's value without the slash and with #xx
// escapes decoded.
func NameValue(raw []byte) string {
	if len(raw) > 0 && raw[0] == '/' {
		raw = raw[1:]
	}
	if bytes.IndexByte(raw, '#') < 0 {
		return string(raw)
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] == '#' && i+2 < len(raw) {
			h, ok1 := hexVal(raw[i+1])
			lo, ok2 := hexVal(raw[i+2])
			if ok1 && ok2 {
				out = append(out, h<<4|lo)
				i += 2
				continue
			}
		}
		out = append(out, raw[i])
	}
	return string(out)
}
