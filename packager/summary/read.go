package summary

import (
	"regexp"
	"strings"
)

// docState is one document being read.
type docState struct {
	v     *vocab
	path  string
	pages []*page
	dates [][]dateHit // per page
	// date is the document's own date: the procedure, collection or report
	// date it gives, or its first date that is not a birth date.
	date string
}

func readDoc(v *vocab, d Document) *Summary {
	st := &docState{v: v, path: d.Path}
	for i, t := range d.Pages {
		st.pages = append(st.pages, newPage(i+1, t))
	}
	order := resolveOrder(v, st.pages)
	for _, p := range st.pages {
		st.dates = append(st.dates, findDates(v, p, order))
	}
	st.date = st.docDate()
	s := &Summary{}
	s.Diagnoses = st.diagnoses()
	s.Stages = st.stages()
	s.Biomarkers = st.biomarkers()
	s.Events = st.events()
	sortEvents(s.Events)
	s.Conflicts = conflicts(v, s.Biomarkers)
	return s
}

// source returns the source of words [start, end) of a page.
func (st *docState) source(p *page, start, end int) Source {
	s := trimSpan(p.text, span{start, end})
	return Source{Path: st.path, Page: p.n, Quote: p.text[s.start:s.end]}
}

// docDate picks the document's date: a date after a label (procedure,
// collection, exam, report date; the label listed first wins), else the first
// date that is not on a line about birth, printing or signing.
func (st *docState) docDate() string {
	best, bestRank, first := "", 1<<30, ""
	for pi, p := range st.pages {
		for _, d := range st.dates[pi] {
			if len(d.iso) < 10 {
				continue
			}
			u := p.unitAt(d.start)
			if u < 0 {
				continue
			}
			before := st.lineBefore(p, pi, d)
			if st.isBirth(before) {
				continue
			}
			if hs := st.v.reportM.find(before, foldASCII(before)); len(hs) > 0 {
				// The label closest to the date names it.
				h := hs[len(hs)-1]
				if h.payload < bestRank {
					best, bestRank = d.iso, h.payload
				}
				continue
			}
			if first == "" {
				if _, skip := st.v.skipM.first(before); !skip {
					first = d.iso
				}
			}
		}
	}
	if best != "" {
		return best
	}
	return first
}

// reBirth finds the words of a birth date (or age) label, as whole words:
// "stage" and "image" hold no "age".
var reBirth = regexp.MustCompile(`(?i)\b(?:birth|dob|d\.o\.b|born|age|aged)\b|出生|生日|年龄|年齡`)

func (st *docState) isBirth(before string) bool {
	return reBirth.MatchString(before)
}

// skipLabelled reports whether a unit starts with a label whose facts are
// not the document's own (clinical history, indication).
func (st *docState) skipLabelled(unit string) bool {
	l := labelOf(unit)
	if l == "" {
		return false
	}
	for _, s := range st.v.skipLabels {
		if l == s || strings.HasSuffix(l, " "+s) || strings.HasPrefix(l, s+" ") || strings.HasSuffix(l, s) && !isASCII(s) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// lineBefore returns the words of a date's line between the previous date on
// that line (or the line's start) and the date: its label.
func (st *docState) lineBefore(p *page, pi int, d dateHit) string {
	u := p.units[p.unitAt(d.start)]
	from := u.start
	for _, o := range st.dates[pi] {
		if o.end <= d.start && o.end > from {
			from = o.end
		}
	}
	return p.text[from:d.start]
}
