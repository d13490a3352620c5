package summary

import (
	"regexp"
	"strings"
)

// DocInfo is what a document says about itself: its date and its title.
type DocInfo struct {
	// Date is the document's own date (YYYY-MM-DD): the procedure,
	// collection, examination or report date it gives, else its first
	// date that is not a birth date; empty when it gives none.
	Date string
	// Title is the line near its top that names the kind of report
	// ("SURGICAL PATHOLOGY REPORT", "出院小结"), as written; empty when none
	// does. It holds no reference number or date.
	Title string
	// Institution is true when the title names an institution (a
	// hospital, a clinic): not to be shown where identity is removed.
	Institution bool
}

// DocumentInfo reads a document's date and title.
func DocumentInfo(doc Document) DocInfo {
	v, err := loadVocab()
	if err != nil {
		return DocInfo{}
	}
	st := &docState{v: v, path: doc.Path}
	for i, t := range doc.Pages {
		st.pages = append(st.pages, newPage(i+1, t))
	}
	order := resolveOrder(v, st.pages)
	for _, p := range st.pages {
		st.dates = append(st.dates, findDates(v, p, order))
	}
	info := DocInfo{Date: st.docDate()}
	if len(info.Date) != 10 {
		info.Date = ""
	}
	info.Title, info.Institution = st.docTitle()
	return info
}

// reLongNumber finds a number a title may not hold: a reference, a date (a
// marker's name such as HER2 or Ki-67 is fine).
var reLongNumber = regexp.MustCompile(`\d{3,}|\d+\s*[/.\-年月]\s*\d+`)

// maxTitleLines is how far down the first page a title is looked for.
const maxTitleLines = 6

// docTitle finds the title among the first lines of the first page.
func (st *docState) docTitle() (string, bool) {
	if len(st.pages) == 0 {
		return "", false
	}
	lines := strings.Split(st.pages[0].text, "\n")
	seen := 0
	for _, line := range lines {
		line = clean(line)
		if line == "" {
			continue
		}
		if seen++; seen > maxTitleLines {
			break
		}
		if len([]rune(line)) > 80 || reLongNumber.MatchString(line) || strings.ContainsAny(line, ":：@") {
			continue
		}
		if !hasWord(line, st.v.words.Titles.Words) {
			continue
		}
		return line, hasWord(line, st.v.words.Titles.Institutions)
	}
	return "", false
}

// hasWord reports whether text holds one of the words: English ones as
// whole words, case-folded; others anywhere.
func hasWord(text string, words []string) bool {
	folded := strings.ToLower(text)
	for _, w := range words {
		if !isASCII(w) {
			if strings.Contains(text, w) {
				return true
			}
			continue
		}
		at := 0
		for {
			i := strings.Index(folded[at:], w)
			if i < 0 {
				break
			}
			s, e := at+i, at+i+len(w)
			if (s == 0 || !isWordByte(folded[s-1])) && (e == len(folded) || !isWordByte(folded[e])) {
				return true
			}
			at = e
		}
	}
	return false
}
