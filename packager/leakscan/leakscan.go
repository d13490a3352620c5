// Package leakscan searches written bytes for a case's identity: every
// spelling of every name, ID, birth date, accession number, phone number and
// address line (identity.Needles, with their plain-ASCII forms),
// case-insensitively, in one pass over the data with an Aho-Corasick
// automaton. Text (extracted document text, entry names) is searched with
// identity.Matcher instead, which also ignores accents and spacing. It reads
// what was actually written (file contents, archive entry names, extracted
// document text) because that, not what a transform meant to do, is what
// leaves the computer.
//
// Hits say where and which kind of fact matched, never the matched text.
package leakscan

import (
	"context"
	"fmt"
	"io"
	"unicode/utf8"

	"dossier/packager/dicomwire"
	"dossier/packager/identity"
)

// Hit is one match in scanned data.
type Hit struct {
	// Where names what was scanned: a file or entry name, "entry name", ...
	Where string `json:"where"`
	// Place says where in it, when the reader of that layer knows: "page
	// 2, annotation", "word/header1.xml", "Patient Comments (0010,4000)".
	Place string `json:"place,omitempty"`
	// Offset is the byte offset of the end of the match within Where (or
	// within the scanned text). It is for tests and tools, never for
	// reports: it tells the user nothing.
	Offset int64         `json:"-"`
	Kind   identity.Kind `json:"kind"`
	// Source names where the identity came from ("DICOM PatientName",
	// "case details").
	Source string `json:"source"`
}

// String describes the hit without the identifying text itself.
func (h Hit) String() string {
	where := h.Where
	if h.Place != "" {
		where += ", " + h.Place
	}
	return fmt.Sprintf("%s: a %s (from %s)", where, h.Kind, h.Source)
}

// Scanner finds needles in bytes. It is immutable and safe for concurrent
// use; each scan keeps its own state.
type Scanner struct {
	flat    []uint32  // transitions of the DFA: state*256+byte -> state<<1 | has-output
	start   [256]bool // bytes that leave the root state (can begin a needle)
	out     [][]int32 // needle indexes ending at each state
	needles []identity.Needle
	// number is, for a needle of digits only, its length (0 for others):
	// such a needle counts only where no digit runs on before or after it,
	// as a birth date or an ID does not hide in the middle of a UID's
	// digits.
	number []int
	maxLen int
	text   *identity.Matcher

	// A Wu-Manber skip (nil when a needle is shorter than 3 bytes): at the
	// root state, the two bytes at the end of a window of minLen bytes,
	// mapped to classes (class 0: a byte in no needle's first minLen
	// bytes), give how far no needle can start (skip).
	minLen  int
	classes [256]uint8
	nClass  int
	skip    []uint8 // [class of the last-but-one byte * nClass + class of the last]
	// absent holds the bytes found nowhere in any needle (either case): a
	// window ending on one moves on by minLen, past it.
	absent [256]bool
	// maybe is a bit for each pair of bytes (first<<8 | second): set when
	// the pair, as the last two bytes of a window, moves it on by less than
	// the longest skip (a needle may begin in the window or just after).
	// Feed tests four windows at once with it: their lookups do not depend
	// on each other, and on binary data the four nearly always move on.
	maybe *[1 << 16]uint8
}

// New builds a scanner for needles. Each needle is searched for in UTF-8
// and, where it has non-ASCII letters, also in Latin-1 (as older DICOM and
// PDF files store text); ASCII letters match in either case.
func New(needles []identity.Needle) *Scanner {
	s := &Scanner{needles: needles, text: identity.NewMatcher(needles), number: make([]int, len(needles))}
	for i, n := range needles {
		if allDigits(n.Text) {
			s.number[i] = len(n.Text)
		}
	}
	// A node's children by byte (0: none; the root is no one's child).
	type node struct {
		children [256]int32
	}
	most := 1 // nodes at most: one for each byte of each spelling
	for _, n := range needles {
		most += 2 * len(n.Text)
	}
	nodes := make([]node, 1, most)
	s.out = [][]int32{nil}
	var patterns [][]byte
	addPattern := func(p []byte, idx int32) {
		patterns = append(patterns, p)
		cur := int32(0)
		for _, c := range p {
			c = fold(c)
			nx := nodes[cur].children[c]
			if nx == 0 {
				nx = int32(len(nodes))
				nodes = append(nodes, node{})
				s.out = append(s.out, nil)
				nodes[cur].children[c] = nx
			}
			cur = nx
		}
		s.out[cur] = append(s.out[cur], idx)
		s.maxLen = max(s.maxLen, len(p))
	}
	for i, n := range needles {
		if n.Text == "" {
			continue
		}
		addPattern([]byte(n.Text), int32(i))
		if l1, ok := latin1(n.Text); ok && l1 != n.Text {
			addPattern([]byte(l1), int32(i))
		}
	}
	// Breadth-first: failure links, then the full transition table.
	next := make([][256]int32, len(nodes))
	fail := make([]int32, len(nodes))
	queue := []int32{}
	for c := 0; c < 256; c++ {
		b := byte(c)
		if nx := nodes[0].children[fold(b)]; nx != 0 {
			next[0][c] = nx
			fail[nx] = 0
			queue = append(queue, nx)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		s.out[u] = append(s.out[u], s.out[fail[u]]...)
		for c := 0; c < 256; c++ {
			b := byte(c)
			if nx := nodes[u].children[fold(b)]; nx != 0 {
				next[u][c] = nx
				if fold(b) == b { // visit each child once
					fail[nx] = next[fail[u]][c]
					queue = append(queue, nx)
				}
			} else {
				next[u][c] = next[fail[u]][c]
			}
		}
	}
	for c := 0; c < 256; c++ {
		s.start[c] = next[0][c] != 0
	}
	s.buildSkip(patterns)
	s.flat = make([]uint32, len(next)*256)
	for u := range next {
		for c, v := range next[u] {
			e := uint32(v) << 1
			if len(s.out[v]) > 0 {
				e |= 1
			}
			s.flat[u*256+c] = e
		}
	}
	return s
}

// buildSkip builds the Wu-Manber skip table over blocks of two bytes: a
// block found at the end of a window of minLen bytes can be the block
// ending at position q (1 <= q < minLen) of a needle's first minLen bytes
// only if the needle starts minLen-1-q bytes into the window, so the
// window may move on by the least such distance over every needle and
// every place of the block in it (minLen-1 for a block in none).
func (s *Scanner) buildSkip(patterns [][]byte) {
	m := 0
	for _, p := range patterns {
		if m == 0 || len(p) < m {
			m = len(p)
		}
	}
	if m < 3 || m > 255 {
		return
	}
	var class [256]uint8
	n := 1
	for _, p := range patterns {
		for _, c := range p[:m] {
			if c = fold(c); class[c] == 0 {
				class[c] = uint8(n)
				n++
			}
		}
	}
	skip := make([]uint8, n*n)
	for i := range skip {
		skip[i] = uint8(m - 1)
	}
	for _, p := range patterns {
		for q := 1; q < m; q++ {
			k := int(class[fold(p[q-1])])*n + int(class[fold(p[q])])
			skip[k] = min(skip[k], uint8(m-1-q))
		}
	}
	var present [256]bool
	for _, p := range patterns {
		for _, c := range p {
			present[fold(c)] = true
		}
	}
	for c := range 256 {
		s.classes[c] = class[fold(byte(c))]
		s.absent[c] = !present[fold(byte(c))]
	}
	s.minLen, s.nClass, s.skip = m, n, skip
	s.maybe = new([1 << 16]uint8)
	for b := range 1 << 16 {
		if skip[int(s.classes[b>>8])*n+int(s.classes[b&0xFF])] < uint8(m-1) {
			s.maybe[b] = 1
		}
	}
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// fold maps ASCII upper-case letters to lower case.
func fold(c byte) byte {
	if isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}

// latin1 converts s to ISO 8859-1 bytes when every rune fits.
func latin1(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r == utf8.RuneError || r > 0xFF {
			return "", false
		}
		b = append(b, byte(r))
	}
	return string(b), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// runsOnDigits reports whether the match p[first:last+1] of a number has a
// digit right before or after it within p. Where the neighbour lies in
// another chunk it is not known, and the match counts.
func runsOnDigits(p []byte, first, last int) bool {
	return first > 0 && first <= len(p) && isDigit(p[first-1]) || last+1 < len(p) && isDigit(p[last+1])
}

// Empty reports whether the scanner has nothing to look for.
func (s *Scanner) Empty() bool { return len(s.out) <= 1 }

// Matcher is the text matcher of the scanner's needles.
func (s *Scanner) Matcher() *identity.Matcher { return s.text }

// State is the position of an ongoing scan; the zero value starts one.
type State struct {
	node int32
	off  int64
	// Loose finds numbers even where digits run on around them: for text
	// a layer reader joined from separate parts (an XML file's elements),
	// where two numbers may meet without a separator.
	Loose bool
}

// Feed scans p as the continuation of st, appending hits for where.
func (s *Scanner) Feed(st *State, where string, p []byte, hits []Hit) []Hit {
	node := uint32(st.node)
	flat := s.flat
	start := &s.start
	classes, skip, nClass, last := &s.classes, s.skip, s.nClass, s.minLen-1
	absent := &s.absent
	maybe := s.maybe
	for i := 0; i < len(p); i++ {
		if node == 0 {
			// At the root no needle is under way: move on by the skip
			// table while no needle can start in the window (buildSkip).
			// The root state after a skip is the automaton's state there,
			// as nothing skipped could begin a needle, so hits and the
			// state carried to the next chunk stay exactly as without.
			// Nearly every window of binary data allows the longest move,
			// so four windows a move apart are tested at once (maybe), with
			// lookups that do not wait for each other and one branch that
			// is nearly always taken the same way; a stepwise loop waited
			// on a mispredicted branch every few windows. Where one of the
			// four may not move that far, windows are moved one at a time:
			// a window whose last byte is in no needle moves past that
			// byte (no needle starts in it or ends after it), any other by
			// the skip table.
			if skip != nil {
				e := i + last
				for e < len(p) {
					// Four windows at a time while none of their last
					// two bytes can be in a needle: each moves on by
					// the longest skip (last).
					// The usual shortest spelling is 5 bytes
					// (identity's minNeedle): with constant offsets
					// one bounds check covers the four windows.
					if last == 4 {
						for e+12 < len(p) {
							q := p[e-1 : e+13 : e+13]
							if maybe[uint(q[0])<<8|uint(q[1])]|maybe[uint(q[4])<<8|uint(q[5])]|maybe[uint(q[8])<<8|uint(q[9])]|maybe[uint(q[12])<<8|uint(q[13])] != 0 {
								break
							}
							e += 16
						}
					}
					for e+3*last < len(p) {
						b0 := uint(p[e-1])<<8 | uint(p[e])
						b1 := uint(p[e+last-1])<<8 | uint(p[e+last])
						b2 := uint(p[e+2*last-1])<<8 | uint(p[e+2*last])
						b3 := uint(p[e+3*last-1])<<8 | uint(p[e+3*last])
						if maybe[uint16(b0)]|maybe[uint16(b1)]|maybe[uint16(b2)]|maybe[uint16(b3)] != 0 {
							break
						}
						e += 4 * last
					}
					if e >= len(p) {
						break
					}
					if absent[p[e]] {
						e += last + 1
						continue
					}
					d := skip[int(classes[p[e-1]])*nClass+int(classes[p[e]])]
					if d == 0 {
						break
					}
					e += int(d)
				}
				i = e - last
			}
			// Most bytes cannot begin a needle either: skip them with an
			// independent table lookup instead of the automaton's chain.
			for i < len(p) && !start[p[i]] {
				i++
			}
			if i == len(p) {
				break
			}
		}
		e := flat[node<<8|uint32(p[i])]
		node = e >> 1
		if e&1 != 0 {
			for _, idx := range s.out[node] {
				n := s.needles[idx]
				if l := s.number[idx]; l > 0 && !st.Loose && runsOnDigits(p, i-l+1, i) {
					continue
				}
				hits = append(hits, Hit{Where: where, Offset: st.off + int64(i) + 1, Kind: n.Kind, Source: n.Source})
			}
		}
	}
	st.node = int32(node)
	st.off += int64(len(p))
	return hits
}

// String scans one text (an entry name, extracted document text) with the
// Matcher: case, accents and spacing do not matter, and a spelling split
// over lines or glyph runs is found. Offsets are those of the ends of the
// spans in text.
func (s *Scanner) String(where, text string) []Hit {
	return s.Text(where, "", text)
}

// Text is String for a text that comes from a known place in Where (a PDF
// page, a DOCX part).
func (s *Scanner) Text(where, place, text string) []Hit {
	var hits []Hit
	for _, sp := range s.text.FindAll(text) {
		hits = append(hits, Hit{Where: where, Place: place, Offset: int64(sp.End), Kind: sp.Kind, Source: sp.Source})
	}
	return hits
}

// Bytes scans one byte slice.
func (s *Scanner) Bytes(where string, b []byte) []Hit {
	var st State
	return s.Feed(&st, where, b, nil)
}

// Reader scans everything r yields, checking ctx between chunks.
func (s *Scanner) Reader(ctx context.Context, where string, r io.Reader) ([]Hit, error) {
	var st State
	var hits []Hit
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return hits, err
		}
		n, err := r.Read(buf)
		hits = s.Feed(&st, where, buf[:n], hits)
		if err == io.EOF {
			return hits, nil
		}
		if err != nil {
			return hits, fmt.Errorf("leakscan: %s: %w", where, err)
		}
	}
}

// Writer passes writes on to w and scans them on the way, so the bytes an
// export writes are scanned in the same pass. Hits are collected in the
// returned *Tap.
func (s *Scanner) Writer(where string, w io.Writer) *Tap {
	return &Tap{s: s, where: where, w: w}
}

// Tap is an io.Writer that scans what passes through it.
type Tap struct {
	s     *Scanner
	where string
	w     io.Writer
	st    State
	Hits  []Hit
}

// Write scans p and writes it to the underlying writer. A large p is
// scanned on another goroutine while it is written (both only read it), so
// the scan and the write system call run on two cores at once; Write
// returns when both are done.
func (t *Tap) Write(p []byte) (int, error) {
	if len(p) < parallelScan || t.w == io.Discard {
		n, err := t.w.Write(p)
		t.Hits = t.s.Feed(&t.st, t.where, p[:n], t.Hits)
		return n, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Hits = t.s.Feed(&t.st, t.where, p, t.Hits)
	}()
	n, err := t.w.Write(p)
	<-done
	// Bytes after n were scanned but not written; the error says so.
	return n, err
}

// parallelScan is the size from which Tap scans a write while it is being
// written: below it, starting a goroutine costs more than it saves.
const parallelScan = 256 << 10

// Explain reads a written file layer by layer (the parts of a PDF, DOCX,
// ODT, RTF or text file and the metadata of a picture, see Layers; every
// text value of a DICOM file, see DICOMLayers) and scans each, as bytes
// and, where it is text, with the Matcher. Hits carry the layer's place
// ("page 2 content", "word/comments.xml", "Patient Comments (0010,4000)").
// A format without layers gives ErrNoLayers; a file the layer readers
// cannot read gives their error with the hits found so far.
func (s *Scanner) Explain(ctx context.Context, where string, r io.ReaderAt, size int64, format string) ([]Hit, error) {
	var hits []Hit
	// place is called only for a layer with hits.
	scan := func(place func() string, data []byte) {
		st := State{Loose: format != "dicom"}
		found := s.Feed(&st, where, data, nil)
		if utf8.Valid(data) {
			found = append(found, s.Text(where, "", string(data))...)
		}
		if len(found) == 0 {
			return
		}
		p := place()
		for _, h := range found {
			h.Place = p
			hits = append(hits, h)
		}
	}
	var err error
	if format == "dicom" {
		err = dicomLayers(ctx, r, size, func(e *dicomwire.Element, data []byte) error {
			scan(func() string { return attributePlace(e) }, data)
			return nil
		})
	} else {
		err = Layers(ctx, r, size, format, LayerLimits{}, func(l Layer) error {
			scan(func() string { return l.Place }, l.Data)
			return nil
		})
	}
	return dedupeHits(hits), err
}

// dedupeHits keeps one hit per place, kind and source.
func dedupeHits(hits []Hit) []Hit {
	type key struct {
		where, place, source string
		kind                 identity.Kind
	}
	seen := map[key]bool{}
	out := hits[:0]
	for _, h := range hits {
		k := key{h.Where, h.Place, h.Source, h.Kind}
		if !seen[k] {
			seen[k] = true
			out = append(out, h)
		}
	}
	return out
}
