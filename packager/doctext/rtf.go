package doctext

import (
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"

	"dossier/packager/rtflex"
	"dossier/packager/textenc"
)

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
	skipChars := 0 // fallback characters still to skip after \uN
	var high rune  // a UTF-16 high surrogate waiting for its pair
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
	for t := range rtflex.Tokens(b) {
		switch t.Kind {
		case rtflex.GroupStart:
			if len(stack) > 4096 {
				return out.String() // absurd nesting: stop reading
			}
			stack = append(stack, st)
			st.info = false
			continue
		case rtflex.GroupEnd:
			if st.info {
				emitText("\n")
			}
			if len(stack) > 0 {
				st, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
			skipChars = 0
			continue
		case rtflex.Char:
			emit(t.Byte)
			continue
		case rtflex.Symbol:
			if s, ok := t.Stands(); ok {
				emitText(s)
			}
			continue
		case rtflex.Word:
		default:
			continue
		}
		if t.Textless() {
			st.skip = true
			continue
		}
		if t.Opens && rtfInfoFields[t.Name] {
			st.info = true
		}
		switch t.Name {
		case "ansicpg":
			if t.HasParam {
				flush()
				dec = textenc.CodePage(t.Param).NewDecoder()
			}
		case "uc":
			if t.HasParam && t.Param >= 0 && t.Param < 16 {
				st.uc = t.Param
			}
		case "u":
			if t.HasParam {
				r := rtflex.Unicode(t.Param)
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
		default:
			if s, ok := t.Stands(); ok {
				emitText(s)
			}
		}
		if skipChars > 0 {
			skipChars-- // a control word counts as one fallback character
		}
	}
	flush()
	return out.String()
}
