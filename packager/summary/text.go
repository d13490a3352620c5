package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a part of a page's text, bytes [start, end).
type span struct{ start, end int }

// clause is a sentence or clause of a unit: the words a fact is read from.
type clause struct {
	span
	unit int
}

// page is one page's text cut into units (lines, with lines of wrapped
// prose joined) and clauses.
type page struct {
	n            int
	text, folded string
	units        []span
	clauses      []clause
	markers      *[]hit // the biomarkers named on the page, once found
}

func newPage(n int, text string) *page {
	// The folded text has white space as plain spaces (same offsets), so
	// that cues match across wrapped lines.
	f := []byte(foldASCII(text))
	for i, c := range f {
		if c == '\n' || c == '\t' || c == '\r' || c == '\f' {
			f[i] = ' '
		}
	}
	p := &page{n: n, text: text, folded: string(f)}
	p.units = units(text)
	for i, u := range p.units {
		for _, c := range clauses(text, u) {
			p.clauses = append(p.clauses, clause{span: c, unit: i})
		}
	}
	return p
}

// units cuts text into non-blank lines; a line of prose that does not end a
// sentence is joined with the next when that one goes on in lower case.
func units(text string) []span {
	var lines []span
	start := 0
	for i := 0; i <= len(text); i++ {
		if i == len(text) || text[i] == '\n' {
			s := trimSpan(text, span{start, i})
			if s.end > s.start {
				lines = append(lines, s)
			}
			start = i + 1
		}
	}
	var out []span
	for i := 0; i < len(lines); i++ {
		u := lines[i]
		for i+1 < len(lines) && continues(text[u.start:u.end], text[lines[i+1].start:lines[i+1].end]) {
			i++
			u.end = lines[i].end
		}
		out = append(out, u)
	}
	return out
}

// continues reports whether line b goes on with the sentence of line a.
func continues(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(a)
	if strings.ContainsRune(".。:：;；!?！？", last) {
		return false
	}
	first, _ := utf8.DecodeRuneInString(b)
	return first >= 'a' && first <= 'z' && len(a) > 40
}

func trimSpan(text string, s span) span {
	for s.start < s.end {
		r, n := utf8.DecodeRuneInString(text[s.start:s.end])
		if !unicode.IsSpace(r) && r != '\f' {
			break
		}
		s.start += n
	}
	for s.end > s.start {
		r, n := utf8.DecodeLastRuneInString(text[s.start:s.end])
		if !unicode.IsSpace(r) && r != '\f' {
			break
		}
		s.end -= n
	}
	return s
}

// clauses cuts a unit at sentence ends: 。；;！？ and a full stop followed by
// a space and a capital letter or a CJK character.
func clauses(text string, u span) []span {
	var out []span
	start := u.start
	cut := func(end, next int) {
		if s := trimSpan(text, span{start, end}); s.end > s.start {
			out = append(out, s)
		}
		start = next
	}
	for i := u.start; i < u.end; {
		r, n := utf8.DecodeRuneInString(text[i:u.end])
		switch {
		case r == '。' || r == '；' || r == ';' || r == '！' || r == '？':
			cut(i+n, i+n)
		case r == '.' && sentenceStop(text, i, u.end):
			cut(i+1, i+1)
		}
		i += n
	}
	cut(u.end, u.end)
	return out
}

// sentenceStop reports whether the full stop at i ends a sentence.
func sentenceStop(text string, i, end int) bool {
	if i == 0 || i+2 > end {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(text[:i])
	if !(unicode.IsLower(prev) || prev == ')' || prev == '%' || unicode.IsDigit(prev) || unicode.Is(unicode.Han, prev)) {
		return false
	}
	// Abbreviations: "approx.", "e.g.", "vs.", "no.", "Dr.".
	w := i
	for w > 0 && isWordByte(text[w-1]) {
		w--
	}
	switch strings.ToLower(text[w:i]) {
	case "approx", "e.g", "i.e", "vs", "no", "dr", "mr", "mrs", "ms", "prof", "st", "fig", "ca", "cf", "incl", "etc":
		return false
	}
	j := i + 1
	if j >= end || (text[j] != ' ' && text[j] != '\t') {
		return false
	}
	for j < end && (text[j] == ' ' || text[j] == '\t') {
		j++
	}
	if j >= end {
		return false
	}
	next, _ := utf8.DecodeRuneInString(text[j:end])
	return unicode.IsUpper(next) || unicode.Is(unicode.Han, next)
}

// clauseAt returns the index of the clause holding byte offset off, or -1.
func (p *page) clauseAt(off int) int {
	lo, hi := 0, len(p.clauses)
	for lo < hi {
		m := (lo + hi) / 2
		if p.clauses[m].end <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(p.clauses) && p.clauses[lo].start <= off {
		return lo
	}
	return -1
}

// unitAt returns the index of the unit holding byte offset off, or -1.
func (p *page) unitAt(off int) int {
	lo, hi := 0, len(p.units)
	for lo < hi {
		m := (lo + hi) / 2
		if p.units[m].end <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(p.units) && p.units[lo].start <= off {
		return lo
	}
	return -1
}

// hitsIn returns the hits that lie inside s (hits are sorted by start).
func hitsIn(hs []hit, s span) []hit {
	lo, hi := 0, len(hs)
	for lo < hi {
		m := (lo + hi) / 2
		if hs[m].start < s.start {
			lo = m + 1
		} else {
			hi = m
		}
	}
	j := lo
	for j < len(hs) && hs[j].end <= s.end {
		j++
	}
	return hs[lo:j]
}

// clean collapses runs of white space and trims separators, for text shown
// in a summary (never for quotes, which stay verbatim).
func clean(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Trim(s, " ,;:-–—|/()（），；：、.。")
	// A bracket opened at the start and closed inside stays ("（左肺下叶）CT引导下穿刺").
	for _, p := range [][2]string{{"(", ")"}, {"（", "）"}} {
		if i := strings.Index(s, p[1]); i >= 0 && !strings.Contains(s[:i], p[0]) {
			s = p[0] + s
		}
	}
	return s
}

// labelOf returns the lower-cased label that starts a unit ("specimen" in
// "Specimen: left breast"), or empty.
func labelOf(s string) string {
	i := strings.IndexAny(s, ":：")
	if i < 0 || i > 60 {
		return ""
	}
	return strings.TrimSpace(foldASCII(s[:i]))
}
