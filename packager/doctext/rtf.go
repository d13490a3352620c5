package doctext

import (
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"

	"dossier/packager/textenc"
)

// rtfSkipDestinations are RTF groups that hold no text a person wrote:
// font, colour, style and list tables, pictures and embedded object data,
// and the program's bookkeeping.
var rtfSkipDestinations = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "listtable": true, "listoverridetable": true,
	"pict": true, "objdata": true, "themedata": true, "colorschememapping": true, "datastore": true,
	"latentstyles": true, "rsidtbl": true, "xmlnstbl": true, "mmathPr": true, "generator": true,
	"filetbl": true, "pgdsctbl": true, "wgrffmtfilter": true, "defchp": true, "defpap": true,
	"listpicture": true, "panose": true, "blipuid": true, "fchars": true, "lchars": true,
	"passwordhash": true, "protusertbl": true, "nonshppict": true,
}

// rtfInfoFields are the groups of the \info group (and document comments)
// whose text ends a line, so each property reads as its own line.
var rtfInfoFields = map[string]bool{
	"title": true, "subject": true, "author": true, "manager": true, "company": true, "operator": true,
	"category": true, "keywords": true, "comment": true, "doccomm": true, "hlinkbase": true,
	"atnauthor": true, "atnid": true, "annotation": true, "propname": true, "staticval": true,
}

// rtfState is what a group inherits from its parent.
type rtfState struct {
	skip bool // inside a destination whose text is not read
	uc   int  // characters that follow \uN as its fallback
	info bool // inside an \info property: end the line at its end
}

// RTFText returns the text of an RTF document: body text with its escapes
// decoded (\'xx bytes in the document's code page, \uN characters), and the
// text of the \info group (title, author, operator, company, ...), of
// comments (annotations) and of other groups a person wrote, each property
// on its own line. Font tables, pictures and other machine data are left out.
func RTFText(b []byte) string {
	var out strings.Builder
	var pending []byte // bytes waiting to be decoded in the code page
	dec := charmap.Windows1252.NewDecoder()
	flush := func() {
		if len(pending) == 0 {
			return
		}
		s, err := dec.Bytes(pending)
		if err != nil {
			s = []byte(strings.ToValidUTF8(string(pending), "\uFFFD"))
		}
		out.Write(s)
		pending = pending[:0]
	}
	st := rtfState{uc: 1}
	var stack []rtfState
	groupStart := false // the next control word opens the group
	star := false       // the group began with \*
	skipChars := 0      // fallback characters still to skip after \uN
	var high rune       // a UTF-16 high surrogate waiting for its pair
	emit := func(c byte) {
		if st.skip {
			return
		}
		if skipChars > 0 {
			skipChars--
			return
		}
		pending = append(pending, c)
	}
	emitText := func(s string) {
		if st.skip {
			return
		}
		flush()
		out.WriteString(s)
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '{':
			if len(stack) > 4096 {
				return out.String() // absurd nesting: stop reading
			}
			stack = append(stack, st)
			st.info = false
			groupStart, star = true, false
			continue
		case '}':
			if st.info {
				emitText("\n")
			}
			if len(stack) > 0 {
				st, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
			groupStart, star, skipChars = false, false, 0
			continue
		case '\r', '\n':
			continue
		case '\\':
		default:
			groupStart = false
			emit(c)
			continue
		}
		// A control symbol or word.
		if i+1 >= len(b) {
			break
		}
		n := b[i+1]
		switch {
		case n == '\'':
			if i+3 < len(b) {
				if v, ok := hexByte(b[i+2], b[i+3]); ok {
					emit(v)
				}
			}
			i += 3
			groupStart = false
			continue
		case n == '*':
			star = true
			i++
			continue
		case n == '\\' || n == '{' || n == '}':
			emit(n)
			i++
			groupStart = false
			continue
		case n == '~':
			emitText(" ")
			i++
			continue
		case n == '_':
			emitText("-")
			i++
			continue
		case n == '\r' || n == '\n':
			emitText("\n")
			i++
			continue
		case !isASCIILetter(n):
			i++ // \-, \:, \| and others carry no text
			continue
		}
		j := i + 1
		for j < len(b) && isASCIILetter(b[j]) && j-i < 32 {
			j++
		}
		word := string(b[i+1 : j])
		param, hasParam := 0, false
		neg := false
		if j < len(b) && b[j] == '-' {
			neg = true
			j++
		}
		for j < len(b) && b[j] >= '0' && b[j] <= '9' && j-i < 48 {
			param = param*10 + int(b[j]-'0')
			hasParam = true
			j++
		}
		if neg {
			param = -param
		}
		if j < len(b) && b[j] == ' ' {
			j++
		}
		i = j - 1
		opening := groupStart
		groupStart = false
		if opening && (rtfSkipDestinations[word] || star && word == "bkmkend") {
			st.skip = true
			continue
		}
		if opening && rtfInfoFields[word] {
			st.info = true
		}
		switch word {
		case "ansicpg":
			if hasParam {
				flush()
				dec = textenc.CodePage(param).NewDecoder()
			}
		case "uc":
			if hasParam && param >= 0 && param < 16 {
				st.uc = param
			}
		case "u":
			if hasParam {
				r := param
				if r < 0 {
					r += 65536
				}
				if !st.skip {
					flush()
					switch {
					case r >= 0xD800 && r < 0xDC00:
						high = rune(r) // the first half of a pair
					case r >= 0xDC00 && r < 0xE000 && high != 0:
						out.WriteRune(utf16.DecodeRune(high, rune(r)))
						high = 0
					default:
						out.WriteRune(rune(r))
					}
					skipChars = st.uc
				}
			}
			continue
		case "bin":
			if hasParam && param > 0 {
				i += min(param, len(b)-i-1)
			}
		case "par", "line", "row", "sect", "page", "cell":
			emitText("\n")
		case "tab":
			emitText("\t")
		case "emdash":
			emitText("—")
		case "endash":
			emitText("–")
		case "bullet":
			emitText("•")
		case "lquote":
			emitText("‘")
		case "rquote":
			emitText("’")
		case "ldblquote":
			emitText("“")
		case "rdblquote":
			emitText("”")
		}
		if skipChars > 0 {
			skipChars-- // a control word counts as one fallback character
		}
	}
	flush()
	return out.String()
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func hexByte(a, b byte) (byte, bool) {
	h, ok1 := hexDigit(a)
	l, ok2 := hexDigit(b)
	return h<<4 | l, ok1 && ok2
}

func hexDigit(c byte) (byte, bool) {
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
