package summary

import (
	"regexp"
	"strings"
)

// reYear is a year written alone ("(2019, ER 90%)", "2019年").
var reYear = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)`)

// history reports whether the words [start, end) of a page make its results
// earlier ones, which a report quotes rather than gives: a history cue
// ("previously", "at diagnosis", "既往") or a year written alone before the
// document's own year ("the primary tumour (2019, ER 90%)"). It returns the
// earlier date the words give (YYYY-MM-DD, YYYY-MM or YYYY; empty when they
// give none). A full date alone ("biopsy on 2 July 2026") does not make a
// result an earlier one.
func (st *docState) history(p *page, start, end int) (bool, string) {
	text := p.text[start:end]
	cue := len(st.v.historyM.find(text, p.folded[start:end])) > 0
	docYear := ""
	if len(st.date) >= 4 {
		docYear = st.date[:4]
	}
	earlier := func(iso string) bool { return st.date == "" || iso < st.date && iso[:4] <= docYear }
	date := ""
	var full []dateHit
	if p.n-1 < len(st.dates) {
		for _, d := range st.dates[p.n-1] {
			if d.start >= start && d.end <= end {
				full = append(full, d)
				if date == "" && earlier(d.iso) {
					date = d.iso
				}
			}
		}
	}
	year := ""
	for _, m := range reYear.FindAllStringSubmatchIndex(text, -1) {
		s, e := start+m[2], start+m[3]
		inDate := false
		for _, d := range full {
			if s >= d.start && e <= d.end {
				inDate = true
			}
		}
		if y := p.text[s:e]; !inDate && (docYear != "" && y < docYear || docYear == "" && cue) {
			year = y
			break
		}
	}
	if year != "" && (date == "" || !strings.HasPrefix(date, year)) {
		date = year
	}
	return cue || year != "" && docYear != "", date
}
