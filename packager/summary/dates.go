package summary

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dateHit is a date written in a page's text.
type dateHit struct {
	span
	iso string // YYYY-MM-DD or YYYY-MM
}

var (
	reCJKDate   = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号號])?`)
	reISODate   = regexp.MustCompile(`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b`)
	reNumDate   = regexp.MustCompile(`\b(\d{1,2})([./-])(\d{1,2})([./-])(\d{4}|\d{2})\b`)
	reDMonY     = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\.?(?:\s+de|\s+of)?[\s-]+([a-zéûäç]{3,10})\.?(?:\s+de)?[\s-]+(\d{4})\b`)
	reMonDY     = regexp.MustCompile(`(?i)\b([a-zéûäç]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	reMonY      = regexp.MustCompile(`(?i)\b([a-zéûäç]{3,10})\.?\s+(\d{4})\b`)
	reMonthYear = regexp.MustCompile(`\b(\d{1,2})/(\d{4})\b`)
)

// dateOrder is how a document writes numeric dates: day first or month
// first.
type dateOrder int

const (
	dayFirst dateOrder = iota
	monthFirst
)

// resolveOrder decides whether a document writes 02/11/2026 day first or
// month first, from its dates that can only be read one way (13/02/2026,
// 02/13/2026, "11 February 2026", "February 11, 2026") and, failing those,
// from words of the countries that write dates one way or the other.
func resolveOrder(v *vocab, pages []*page) dateOrder {
	dmy, mdy := 0, 0
	for _, p := range pages {
		for _, m := range reNumDate.FindAllStringSubmatch(p.text, -1) {
			if m[2] == "." {
				dmy++
				continue
			}
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[3])
			switch {
			case a > 12 && b <= 12:
				dmy += 2
			case b > 12 && a <= 12:
				mdy += 2
			}
		}
		for _, m := range reDMonY.FindAllStringSubmatch(p.text, -1) {
			if _, ok := v.months[strings.ToLower(m[2])]; ok {
				dmy++
			}
		}
		for _, m := range reMonDY.FindAllStringSubmatch(p.text, -1) {
			if _, ok := v.months[strings.ToLower(m[1])]; ok {
				mdy++
			}
		}
	}
	if dmy == mdy {
		for _, p := range pages {
			dmy += len(v.dmyM.find(p.text, p.text))
			mdy += len(v.mdyM.find(p.text, p.text))
		}
	}
	if mdy == dmy {
		return spanOrder(pages)
	}
	if mdy > dmy {
		return monthFirst
	}
	return dayFirst
}

// spanOrder decides, when nothing else does, by how close together the
// document's dates of one year fall: a report's dates are weeks apart, so
// "Report date: 05/03/2026 ... Biopsy on 02/11/2026" is May and February,
// not March and November. Day first when it cannot tell.
func spanOrder(pages []*page) dateOrder {
	type md struct{ a, b int }
	byYear := map[string][]md{}
	for _, p := range pages {
		for _, m := range reNumDate.FindAllStringSubmatch(p.text, -1) {
			if len(m[5]) != 4 {
				continue
			}
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[3])
			byYear[m[5]] = append(byYear[m[5]], md{a, b})
		}
	}
	var dates []md
	for _, ds := range byYear {
		if len(ds) > len(dates) {
			dates = ds
		}
	}
	if len(dates) < 2 {
		return dayFirst
	}
	span := func(monthOf, dayOf func(md) int) int {
		lo, hi := 1<<30, -1
		for _, d := range dates {
			n := monthOf(d)*31 + dayOf(d)
			lo, hi = min(lo, n), max(hi, n)
		}
		return hi - lo
	}
	dm := span(func(d md) int { return d.b }, func(d md) int { return d.a })
	mdSpan := span(func(d md) int { return d.a }, func(d md) int { return d.b })
	if mdSpan+31 < dm {
		return monthFirst
	}
	return dayFirst
}

// findDates returns the dates written in a page, in order.
func findDates(v *vocab, p *page, order dateOrder) []dateHit {
	var out []dateHit
	taken := func(s, e int) bool {
		for _, d := range out {
			if s < d.end && e > d.start {
				return true
			}
		}
		return false
	}
	add := func(s, e, y, m, d int) {
		if taken(s, e) || !validDate(y, m, d) {
			return
		}
		iso := fmt.Sprintf("%04d-%02d", y, m)
		if d > 0 {
			iso += fmt.Sprintf("-%02d", d)
		}
		out = append(out, dateHit{span{s, e}, iso})
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	for _, m := range reCJKDate.FindAllStringSubmatchIndex(p.text, -1) {
		d := 0
		if m[6] >= 0 {
			d = atoi(p.text[m[6]:m[7]])
		}
		add(m[0], m[1], atoi(p.text[m[2]:m[3]]), atoi(p.text[m[4]:m[5]]), d)
	}
	for _, m := range reISODate.FindAllStringSubmatchIndex(p.text, -1) {
		add(m[0], m[1], atoi(p.text[m[2]:m[3]]), atoi(p.text[m[4]:m[5]]), atoi(p.text[m[6]:m[7]]))
	}
	for _, m := range reNumDate.FindAllStringSubmatchIndex(p.text, -1) {
		if p.text[m[4]:m[5]] != p.text[m[8]:m[9]] {
			continue // 12/03-2026 is not a date
		}
		a, b := atoi(p.text[m[2]:m[3]]), atoi(p.text[m[6]:m[7]])
		y := atoi(p.text[m[10]:m[11]])
		if m[11]-m[10] == 2 {
			y += 2000
			if y > time.Now().Year()+1 {
				y -= 100
			}
		}
		day, month := a, b
		if p.text[m[4]:m[5]] != "." && (order == monthFirst && a <= 12 || b > 12) {
			day, month = b, a
		}
		add(m[0], m[1], y, month, day)
	}
	for _, m := range reDMonY.FindAllStringSubmatchIndex(p.text, -1) {
		if mo, ok := v.months[strings.ToLower(p.text[m[4]:m[5]])]; ok {
			add(m[0], m[1], atoi(p.text[m[6]:m[7]]), mo, atoi(p.text[m[2]:m[3]]))
		}
	}
	for _, m := range reMonDY.FindAllStringSubmatchIndex(p.text, -1) {
		if mo, ok := v.months[strings.ToLower(p.text[m[2]:m[3]])]; ok {
			add(m[0], m[1], atoi(p.text[m[6]:m[7]]), mo, atoi(p.text[m[4]:m[5]]))
		}
	}
	for _, m := range reMonY.FindAllStringSubmatchIndex(p.text, -1) {
		if mo, ok := v.months[strings.ToLower(p.text[m[2]:m[3]])]; ok {
			add(m[0], m[1], atoi(p.text[m[4]:m[5]]), mo, 0)
		}
	}
	for _, m := range reMonthYear.FindAllStringSubmatchIndex(p.text, -1) {
		if m[0] > 0 && strings.ContainsRune("/.-", rune(p.text[m[0]-1])) {
			continue // the end of 31/02/2026, which is no date
		}
		add(m[0], m[1], atoi(p.text[m[4]:m[5]]), atoi(p.text[m[2]:m[3]]), 0)
	}
	sortHits(out)
	return out
}

func sortHits(ds []dateHit) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].start < ds[j-1].start; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

func validDate(y, m, d int) bool {
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 0 || d > 31 {
		return false
	}
	if d == 0 {
		return true
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d
}
