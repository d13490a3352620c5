package deid

import (
	"bytes"
	"context"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"dossier/packager/doctext"
	"dossier/packager/identity"
	"dossier/packager/rtflex"
	"dossier/packager/textenc"
)

// RedactRTF writes to dst the RTF document src with its hidden parts
// cleaned (StripRTF: document information, comments, revision authors and
// hidden text go) and every spelling m finds in the rest of its text (body,
// headers, footers, footnotes, fields, text boxes) replaced by "[label]".
// Characters are read as Word writes them: plain bytes and \'xx escapes in
// the document's code page (\ansicpg, single- or double-byte), \uN
// characters with their fallbacks, escaped symbols. A spelling split over
// control words or groups ("Jo{\b hn}") loses every character it is made
// of, while the formatting between them stays; the placeholder goes where
// its first character was, written as ASCII and \uN characters, so the
// file keeps its code page. The copy is read back (doctext.RTFText): if its
// text still names the patient it fails with errSpellingLeft. It returns
// the places replaced by kind of identity.
func RedactRTF(ctx context.Context, dst io.Writer, src io.Reader, m *identity.Matcher, label string) ([]Redaction, error) {
	var clean bytes.Buffer
	if err := StripRTF(&clean, contextReader{ctx, src}); err != nil {
		return nil, err
	}
	out, kinds := redactRTFBytes(clean.Bytes(), m, "["+label+"]")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(out, []byte(`{\rtf`)) || len(m.FindAll(doctext.RTFText(out))) > 0 {
		return nil, errSpellingLeft
	}
	if _, err := dst.Write(out); err != nil {
		return nil, err
	}
	counts := make([]Redaction, 0, len(kinds))
	for k, n := range kinds {
		counts = append(counts, Redaction{Kind: k, Count: n})
	}
	sort.Slice(counts, func(i, j int) bool { return counts[i].Kind < counts[j].Kind })
	return counts, nil
}

// rtfUnit is one piece of an RTF document's text: a character with the
// source bytes that make it (removed when it is redacted), or text a
// control word stands for (\par, \tab: kept).
type rtfUnit struct {
	text  string
	bytes [][2]int // source ranges of a character; nil for a control word
	uc    int      // the \uc in effect there
}

// rtfReader turns an RTF document into text units.
type rtfReader struct {
	b       []byte
	units   []rtfUnit
	enc     encoding.Encoding
	pending []rtfUnit // bytes in the code page waiting to be decoded
}

func (r *rtfReader) flush() {
	p := r.pending
	r.pending = nil
	dec := r.enc.NewDecoder()
	for i := 0; i < len(p); {
		n, s := 1, "\uFFFD"
		for l := 1; l <= 4 && i+l <= len(p); l++ {
			raw := make([]byte, l)
			for k := range l {
				raw[k] = p[i+k].text[0]
			}
			got, err := dec.Bytes(raw)
			if err == nil && utf8.RuneCount(got) == 1 {
				if c, _ := utf8.DecodeRune(got); c != utf8.RuneError || string(raw) == "\uFFFD" {
					n, s = l, string(got)
					break
				}
			}
		}
		u := rtfUnit{text: s, uc: p[i].uc}
		for k := range n {
			u.bytes = append(u.bytes, p[i+k].bytes...)
		}
		r.units = append(r.units, u)
		i += n
	}
}

// read walks the document's tokens (rtflex) as doctext.RTFText does,
// recording the units.
func (r *rtfReader) read() {
	type state struct {
		skip bool
		uc   int
	}
	st := state{uc: 1}
	var stack []state
	skipChars := 0
	var fallbackOf = -1   // the unit a \uN fallback belongs to
	var high, highVal int // the unit holding a UTF-16 high surrogate (+1), and its value
	char := func(c byte, from, to int) {
		if st.skip {
			return
		}
		if skipChars > 0 {
			skipChars--
			if fallbackOf >= 0 {
				u := &r.units[fallbackOf]
				u.bytes = append(u.bytes, [2]int{from, to})
			}
			return
		}
		r.pending = append(r.pending, rtfUnit{text: string([]byte{c}), bytes: [][2]int{{from, to}}, uc: st.uc})
	}
	word := func(s string) {
		if st.skip {
			return
		}
		r.flush()
		r.units = append(r.units, rtfUnit{text: s, uc: st.uc})
	}
	for t := range rtflex.Tokens(r.b) {
		switch t.Kind {
		case rtflex.GroupStart:
			if len(stack) > 4096 {
				r.flush()
				return
			}
			stack = append(stack, st)
			continue
		case rtflex.GroupEnd:
			if len(stack) > 0 {
				st, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
			skipChars = 0
			continue
		case rtflex.Char:
			char(t.Byte, t.Start, t.End)
			continue
		case rtflex.Symbol:
			if s, ok := t.Stands(); ok {
				word(s)
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
		switch t.Name {
		case "ansicpg":
			if t.HasParam {
				r.flush()
				r.enc = textenc.CodePage(t.Param)
			}
		case "uc":
			if t.HasParam && t.Param >= 0 && t.Param < 16 {
				st.uc = t.Param
			}
		case "u":
			if t.HasParam && !st.skip {
				v := rtflex.Unicode(t.Param)
				r.flush()
				switch {
				case v >= 0xD800 && v < 0xDC00:
					r.units = append(r.units, rtfUnit{bytes: [][2]int{{t.Start, t.End}}, uc: st.uc})
					high, highVal = len(r.units), v
				case v >= 0xDC00 && v < 0xE000 && high > 0:
					u := &r.units[high-1]
					u.text = string(utf16.DecodeRune(rune(highVal), rune(v)))
					u.bytes = append(u.bytes, [2]int{t.Start, t.End})
					high = 0
				default:
					r.units = append(r.units, rtfUnit{text: string(rune(v)), bytes: [][2]int{{t.Start, t.End}}, uc: st.uc})
				}
				fallbackOf = len(r.units) - 1
				skipChars = st.uc
			}
			continue
		default:
			if s, ok := t.Stands(); ok {
				word(s)
			}
		}
		if skipChars > 0 {
			skipChars--
		}
	}
	r.flush()
}

// redactRTFBytes replaces every spelling m finds in the RTF document b by
// with, and returns the new document and the places replaced by kind.
func redactRTFBytes(b []byte, m *identity.Matcher, with string) ([]byte, map[string]int) {
	r := &rtfReader{b: b, enc: charmap.Windows1252}
	r.read()
	var text strings.Builder
	starts := make([]int, len(r.units)+1)
	for i, u := range r.units {
		starts[i] = text.Len()
		text.WriteString(u.text)
	}
	starts[len(r.units)] = text.Len()
	spans := m.FindAll(text.String())
	kinds := map[string]int{}
	type edit struct {
		from, to int
		with     string
	}
	var edits []edit
	u := 0
	for _, span := range identity.Merge(spans) {
		for _, s := range spans {
			if s.Start >= span[0] && s.End <= span[1] {
				kinds[string(s.Kind)]++
				break
			}
		}
		for u < len(r.units) && starts[u+1] <= span[0] {
			u++
		}
		first := true
		for ; u < len(r.units) && starts[u] < span[1]; u++ {
			unit := r.units[u]
			if unit.bytes == nil {
				continue // \par, \tab: the formatting stays
			}
			for k, rg := range unit.bytes {
				e := edit{from: rg[0], to: rg[1]}
				if first && k == 0 {
					e.with = rtfEncode(with, unit.uc)
					first = false
				}
				edits = append(edits, e)
			}
		}
	}
	if len(edits) == 0 {
		return b, kinds
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].from < edits[j].from })
	// Touching removals are one: where a run removed follows a control
	// word and text follows it, a space keeps the word apart.
	var runs []edit
	for _, e := range edits {
		if n := len(runs); n > 0 && e.from <= runs[n-1].to {
			runs[n-1].to = max(runs[n-1].to, e.to)
			runs[n-1].with += e.with
			continue
		}
		runs = append(runs, e)
	}
	out := make([]byte, 0, len(b)+len(runs)*8)
	last := 0
	for _, e := range runs {
		out = append(out, b[last:e.from]...)
		if e.with == "" && rtfWordBefore(b, e.from) && e.to < len(b) && rtfJoins(b[e.to]) {
			e.with = " "
		}
		out = append(out, e.with...)
		last = e.to
	}
	return append(out, b[last:]...), kinds
}

// rtfWordBefore reports whether a control word (with or without a
// parameter) ends at b[i] with no space after it.
func rtfWordBefore(b []byte, i int) bool {
	j := i
	for j > 0 && (b[j-1] >= '0' && b[j-1] <= '9' || b[j-1] == '-') {
		j--
	}
	k := j
	for k > 0 && (b[k-1] >= 'a' && b[k-1] <= 'z' || b[k-1] >= 'A' && b[k-1] <= 'Z') {
		k--
	}
	if k == j {
		return false
	}
	n := 0
	for k > 0 && b[k-1] == '\\' {
		n++
		k--
	}
	return n%2 == 1
}

// rtfJoins reports whether c, written right after a control word, would be
// read as part of it (or as its delimiter).
func rtfJoins(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == ' '
}

// rtfEncode writes s as RTF text in any code page: ASCII as it is (with
// \, { and } escaped), other characters as \uN followed by uc '?'
// fallback characters.
func rtfEncode(s string, uc int) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\\' || c == '{' || c == '}':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteRune(c)
		default:
			units := utf16.Encode([]rune{c})
			for _, v := range units {
				n := int(v)
				if n > 32767 {
					n -= 65536
				}
				b.WriteString(`\u` + strconv.Itoa(n))
				if uc == 0 {
					b.WriteByte(' ')
				}
				b.WriteString(strings.Repeat("?", uc))
			}
		}
	}
	return b.String()
}
