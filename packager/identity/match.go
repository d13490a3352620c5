package identity

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Span is one place in a text where the case's identity is written.
type Span struct {
	// Start and End are byte offsets into the text given to FindAll:
	// text[Start:End] is the whole spelling as written there, including
	// any spacing, line breaks and accents inside it.
	Start, End int
	Kind       Kind
	// Source names the token's origin ("DICOM PatientName", ...). Reports
	// name it, never text[Start:End].
	Source string
}

// Matcher finds every spelling of a case's identity in text. It compares
// folded text (see Fold): case does not matter, accents and other marks
// are ignored, compatibility forms (full-width digits) equal the plain
// ones, and any short run of spaces, line breaks or punctuation between two
// letters or digits may be there or not ("J a n e  D o e", "Jane\nDoe",
// "JaneDoe" and "JANE-DOE" all spell "Jane Doe"). A spelling must not run
// on into a longer word or number: "Jane Doe" is not found in "Jane
// Doerr", nor "1234567" in "91234567" (names in Han, kana or Hangul need no
// such boundary, as those scripts do not separate words). A turn from a
// lower-case to an upper-case letter counts as a boundary: "letterJane
// Doe" and "Jane DoeReferral" are words run together where glyph runs or
// document parts were joined without a space.
//
// A Matcher is immutable and safe for concurrent use.
type Matcher struct {
	nodes  []acNode
	pats   []pattern
	maxLen int // the longest pattern, in folded runes
}

type acNode struct {
	next map[rune]int32
	fail int32
	out  []int32 // patterns ending here, including through fail links
}

type pattern struct {
	n           int // length in folded runes
	first, last byte
	kind        Kind
	source      string
}

// maxGap is the longest run of separators (spaces, punctuation, line
// breaks) inside a spelling that still joins its letters or digits.
const maxGap = 6

// minWeight is the least weight a folded spelling must have to be searched
// for: a rune of Han, kana or Hangul weighs 2, any other letter or digit 1.
const minWeight = 4

// NewMatcher builds a matcher for needles (see Set.Needles). Needles that
// fold to too little ("J D", a lone initial) are ignored.
func NewMatcher(needles []Needle) *Matcher {
	return newMatcher(needles, minWeight)
}

// newMatcher builds a matcher for needles of at least the given weight.
func newMatcher(needles []Needle, least int) *Matcher {
	m := &Matcher{nodes: []acNode{{next: map[rune]int32{}}}}
	type seenKey struct {
		folded string
		kind   Kind
	}
	seen := map[seenKey]bool{}
	for _, n := range needles {
		f := Fold(n.Text)
		if weight(f) < least || seen[seenKey{f, n.Kind}] {
			continue
		}
		seen[seenKey{f, n.Kind}] = true
		rs := []rune(f)
		p := pattern{n: len(rs), first: class(rs[0]), last: class(rs[len(rs)-1]), kind: n.Kind, source: n.Source}
		idx := int32(len(m.pats))
		m.pats = append(m.pats, p)
		m.maxLen = max(m.maxLen, len(rs))
		cur := int32(0)
		for _, r := range rs {
			nx, ok := m.nodes[cur].next[r]
			if !ok {
				nx = int32(len(m.nodes))
				m.nodes = append(m.nodes, acNode{next: map[rune]int32{}})
				m.nodes[cur].next[r] = nx
			}
			cur = nx
		}
		m.nodes[cur].out = append(m.nodes[cur].out, idx)
	}
	// Failure links, breadth first; outputs are merged along them.
	queue := make([]int32, 0, len(m.nodes))
	for _, c := range m.nodes[0].next {
		queue = append(queue, c)
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for r, v := range m.nodes[u].next {
			f := m.nodes[u].fail
			for {
				if nx, ok := m.nodes[f].next[r]; ok && nx != v {
					m.nodes[v].fail = nx
					break
				}
				if f == 0 {
					m.nodes[v].fail = 0
					break
				}
				f = m.nodes[f].fail
			}
			m.nodes[v].out = append(m.nodes[v].out, m.nodes[m.nodes[v].fail].out...)
			queue = append(queue, v)
		}
	}
	return m
}

// heavyEnough reports whether a folded spelling is long enough to search
// for without matching unrelated text.
func heavyEnough(folded string) bool { return weight(folded) >= minWeight }

// weight counts a folded spelling's runes, those of Han, kana and Hangul
// twice.
func weight(folded string) int {
	w := 0
	for _, r := range folded {
		if cjk(r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// Empty reports whether the matcher has nothing to look for.
func (m *Matcher) Empty() bool { return m == nil || len(m.pats) == 0 }

// The classes of rune for word boundaries.
const (
	classOther  = 0
	classDigit  = 'd'
	classLetter = 'l' // a letter of a script that separates words
	classCJK    = 'c'
)

func class(r rune) byte {
	switch {
	case r >= '0' && r <= '9' || unicode.IsDigit(r):
		return classDigit
	case r < utf8.RuneSelf && (r|0x20 >= 'a' && r|0x20 <= 'z'):
		return classLetter
	case cjk(r):
		return classCJK
	case unicode.IsLetter(r):
		return classLetter
	}
	return classOther
}

// runsOn reports whether a spelling whose edge is of class edge would run
// on into a neighbouring rune of class nb: a letter into a letter, a digit
// into a digit.
func runsOn(edge, nb byte) bool {
	return edge != classCJK && edge != classOther && edge == nb
}

// folded is one rune of the folded text and where it came from.
type folded struct {
	start, end int // the original rune's bytes (with its combining marks)
	gap        int // separators between it and the folded rune before it
}

type pending struct {
	pat   int32
	first int // the ring index of the match's first folded rune
	last  int // the ring index of its last
}

// FindAll returns every place in text where a spelling is written, in
// order of their start; spans may overlap (a longer and a shorter
// spelling of one name). Invalid UTF-8 is read as separators.
func (m *Matcher) FindAll(text string) []Span {
	if m.Empty() {
		return nil
	}
	ringSize := m.maxLen + 1
	ring := make([]folded, ringSize)
	count := 0 // folded runes so far
	gap := 0
	state := int32(0)
	var waiting []pending
	var out []Span
	flush := func(next, orig rune, atEnd bool) {
		nb := byte(classOther)
		if !atEnd {
			nb = class(next)
		}
		for _, w := range waiting {
			p := m.pats[w.pat]
			if !atEnd && runsOn(p.last, nb) && !caseTurn(text, ring[w.last].start, orig) {
				continue
			}
			out = append(out, Span{Start: ring[w.first].start, End: ring[w.last].end, Kind: p.kind, Source: p.source})
		}
		waiting = waiting[:0]
	}
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if r >= utf8.RuneSelf && (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r)) {
			// A combining mark belongs to the rune before it.
			if count > 0 && gap == 0 {
				ring[(count-1)%ringSize].end = i + size
			}
			i += size
			continue
		}
		f := foldRune(r)
		if len(waiting) > 0 {
			if f == "" {
				flush(0, r, true) // a separator ends every waiting match
			} else {
				nr, _ := utf8.DecodeRuneInString(f)
				flush(nr, r, false)
			}
		}
		if f == "" {
			gap++
			i += size
			continue
		}
		j := 0
		for _, fr := range f {
			if j > 0 {
				// A match that ended inside an expanded letter (the "a"
				// of "æ") does not count.
				waiting = waiting[:0]
			}
			g := gap
			if j > 0 {
				g = 0
			}
			j++
			idx := count % ringSize
			ring[idx] = folded{start: i, end: i + size, gap: g}
			count++
			gap = 0
			for {
				if nx, ok := m.nodes[state].next[fr]; ok {
					state = nx
					break
				}
				if state == 0 {
					break
				}
				state = m.nodes[state].fail
			}
			for _, pi := range m.nodes[state].out {
				p := m.pats[pi]
				if m.accept(text, ring, ringSize, count, p) {
					waiting = append(waiting, pending{pat: pi, first: (count - p.n) % ringSize, last: idx})
				}
			}
		}
		i += size
	}
	flush(0, 0, true)
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Start != out[b].Start {
			return out[a].Start < out[b].Start
		}
		return out[a].End > out[b].End
	})
	return dedupe(out)
}

// accept checks a match of p that ends at the latest folded rune: no
// separator run inside it is too long, and it does not begin in the middle
// of a word or number.
func (m *Matcher) accept(text string, ring []folded, ringSize, count int, p pattern) bool {
	for k := count - p.n + 1; k < count; k++ {
		if ring[k%ringSize].gap > maxGap {
			return false
		}
	}
	first := ring[(count-p.n)%ringSize]
	if count == p.n || first.gap > 0 {
		return true // the start of the text, or a separator, before it
	}
	prev := ring[(count-p.n-1)%ringSize]
	if prev.start == first.start {
		return false // the match starts inside an expanded letter (æ → ae)
	}
	pr, _ := utf8.DecodeRuneInString(text[prev.start:])
	if fr, _ := utf8.DecodeRuneInString(text[first.start:]); unicode.IsLower(pr) && unicode.IsUpper(fr) {
		return true // "letterJane": words run together where text parts were joined
	}
	return !runsOn(p.first, class(pr))
}

// caseTurn reports whether the rune at text[at:] is a lower-case letter and
// next an upper-case one: two words run together ("DoeReferral"), as where
// a PDF's glyph runs or a document's parts were joined without a space.
func caseTurn(text string, at int, next rune) bool {
	r, _ := utf8.DecodeRuneInString(text[at:])
	return unicode.IsLower(r) && unicode.IsUpper(next)
}

// dedupe drops repeated spans (the same place found through two spellings
// of one kind).
func dedupe(spans []Span) []Span {
	if len(spans) < 2 {
		return spans
	}
	out := spans[:1]
	for _, s := range spans[1:] {
		dup := false
		for k := len(out) - 1; k >= 0 && out[k].Start == s.Start; k-- {
			if out[k].End == s.End && out[k].Kind == s.Kind {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}

// Merge returns the byte ranges the spans cover, overlapping and touching
// spans joined, in order.
func Merge(spans []Span) [][2]int {
	var out [][2]int
	for _, s := range spans {
		if n := len(out); n > 0 && s.Start <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], s.End)
			continue
		}
		out = append(out, [2]int{s.Start, s.End})
	}
	return out
}

// Replace returns text with every spelling the matcher finds replaced by
// with (overlapping finds replaced once), and how many places it replaced.
func (m *Matcher) Replace(text, with string) (string, int) {
	ranges := Merge(m.FindAll(text))
	if len(ranges) == 0 {
		return text, 0
	}
	var b strings.Builder
	last := 0
	for _, r := range ranges {
		b.WriteString(text[last:r[0]])
		b.WriteString(with)
		last = r[1]
	}
	b.WriteString(text[last:])
	return b.String(), len(ranges)
}

// NewTextMatcher builds a matcher for plain spellings (such as
// privacy.Params.Identity, which carries the case's spellings without
// their kinds); their spans have Kind Other.
//
// A Matcher is immutable, so the last few built are kept and given again
// for the same spellings in the same order: the transforms build one for
// every file of a series, from the same spellings.
func NewTextMatcher(spellings []string) *Matcher {
	var key strings.Builder
	for _, s := range spellings {
		key.WriteString(strconv.Itoa(len(s)))
		key.WriteByte(':')
		key.WriteString(s)
	}
	textMatchers.mu.Lock()
	m := textMatchers.m[key.String()]
	textMatchers.mu.Unlock()
	if m != nil {
		return m
	}
	needles := make([]Needle, 0, len(spellings))
	for _, s := range spellings {
		needles = append(needles, Needle{Text: s, Kind: Other, Source: "identity"})
	}
	m = NewMatcher(needles)
	textMatchers.mu.Lock()
	if len(textMatchers.m) >= maxTextMatchers {
		clear(textMatchers.m)
	}
	textMatchers.m[key.String()] = m
	textMatchers.mu.Unlock()
	return m
}

// textMatchers are the matchers NewTextMatcher built last, by their
// spellings; at most maxTextMatchers (then it starts again).
var textMatchers = struct {
	mu sync.Mutex
	m  map[string]*Matcher
}{m: map[string]*Matcher{}}

const maxTextMatchers = 32
