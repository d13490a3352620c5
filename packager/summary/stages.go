package summary

import (
	"regexp"
	"strings"
)

var (
	// reQuickT is a cheap look for a T category before the TNM patterns.
	reQuickT  = regexp.MustCompile(`T(?:is|[0-4xX])`)
	reTNM     = regexp.MustCompile(`(?:^|[^A-Za-z0-9])((?:yp|yc|rp|rc|[pcray])?T(?:is|[0-4][a-d]?[0-9]?|[xX])(?:\s*\((?:m|\d+|is)\))?)\s*[,，/]?\s*((?:yp|yc|[pcr])?N(?:[0-3][a-c]?|[xX])(?:\s*\((?:sn|i[+-]|mol[+-]|f|\d+/\d+)\))?(?:mi)?)(?:\s*[,，/]?\s*((?:yp|yc|[pcr])?M(?:[01][a-d]?|[xX])(?:\s*\([a-z+]{1,6}\))?))?(?:[^A-Za-z0-9]|$)`)
	reTOnly   = regexp.MustCompile(`(?:^|[^A-Za-z0-9(])((?:yp|yc|rp|[pcr])T(?:is|[0-4][a-d]?|x|X))(?:[^A-Za-z0-9]|$)`)
	reNOnly   = regexp.MustCompile(`(?:^|[^A-Za-z0-9(])((?:yp|yc|[pcr])N(?:[0-3][a-c]?|x|X)(?:\((?:sn|i[+-]|mol[+-])\))?(?:mi)?)(?:[^A-Za-z0-9]|$)`)
	reMOnly   = regexp.MustCompile(`(?:^|[^A-Za-z0-9(])((?:yp|yc|[pcr])M(?:[01][a-d]?|x|X))(?:[^A-Za-z0-9]|$)`)
	reGroup   = regexp.MustCompile(`(?i)(?:^|[^a-z])(?:(?:pathologic(?:al)?|clinical|prognostic|anatomic|ajcc)\s+)?stage(?:\s+group)?\s*(?:is\s*)?[:：]?\s*(0|IV|III|II|I|[ⅠⅡⅢⅣ])([A-C][1-3]?|[ABESX]{1,2})?(?:[^A-Za-z0-9]|$)`)
	reGroupZh = regexp.MustCompile(`(IV|III|II|I|[ⅠⅡⅢⅣ]|0)([A-C][1-3]?)?\s*期`)
	reAnnArb  = regexp.MustCompile(`(?i)Ann[\s-]*Arbor\s*(?:stage|分期)?\s*[:：]?\s*(IV|III|II|I|[ⅠⅡⅢⅣ])\s*([ABESX]{0,3})`)
	reFIGO    = regexp.MustCompile(`FIGO\s*(?:\(?\d{4}\)?)?\s*(?:[Ss]tage|分期)?\s*[:：]?\s*(IV|III|II|I|[ⅠⅡⅢⅣ])([A-C][1-3]?)?`)
	reBCLC    = regexp.MustCompile(`BCLC\s*(?:[Ss]tage|分期)?\s*[-:：]?\s*([0A-D])(?:[^A-Za-z0-9]|$)`)
	reISS     = regexp.MustCompile(`(?:^|[^A-Za-z0-9-])(R2-ISS|R-ISS|ISS)\s*(?:[Ss]tage|分期)?\s*[:：]?\s*(III|II|I|[ⅠⅡⅢ])(?:[^A-Za-z0-9]|$)`)
)

func roman(s string) string {
	switch s {
	case "Ⅰ":
		return "I"
	case "Ⅱ":
		return "II"
	case "Ⅲ":
		return "III"
	case "Ⅳ":
		return "IV"
	}
	return s
}

// stageAt is a stage found at a place of a page.
type stageAt struct {
	Stage
	start, end int
	tnm        bool
}

// stages reads the stages of a document: TNM (with its stage group when the
// same clause gives one), and Ann Arbor, FIGO, BCLC and ISS stages. A
// synoptic report that gives pT, pN and pM on lines of their own gives one
// TNM stage.
func (st *docState) stages() []Stage {
	var out []Stage
	seen := map[string]bool{}
	anyTNM := false
	for _, p := range st.pages {
		var found []stageAt
		hasT := reQuickT.MatchString(p.text)
		var tnm [][]int
		if hasT {
			tnm = reTNM.FindAllStringSubmatchIndex(p.text, -1)
		}
		for _, m := range tnm {
			comps := []string{}
			for g := 1; g <= 3; g++ {
				if m[2*g] >= 0 {
					comps = append(comps, strings.Join(strings.Fields(p.text[m[2*g]:m[2*g+1]]), ""))
				}
			}
			found = append(found, stageAt{Stage: Stage{Components: comps}, start: m[2], end: max(m[3], m[5], m[7]), tnm: true})
			anyTNM = true
		}
		for _, sys := range []struct {
			re   *regexp.Regexp
			name string
			hint string
		}{{reAnnArb, "Ann Arbor", "arbor"}, {reFIGO, "FIGO", "figo"}, {reBCLC, "BCLC", "bclc"}, {reISS, "", "iss"}} {
			if !strings.Contains(p.folded, sys.hint) {
				continue // a cheap look before the pattern
			}
			for _, m := range sys.re.FindAllStringSubmatchIndex(p.text, -1) {
				name, val := sys.name, ""
				switch sys.name {
				case "":
					name, val = p.text[m[2]:m[3]], roman(p.text[m[4]:m[5]])
				case "BCLC":
					val = p.text[m[2]:m[3]]
				default:
					val = roman(p.text[m[2]:m[3]])
					if m[4] >= 0 {
						val += p.text[m[4]:m[5]]
					}
				}
				start := m[0]
				if sys.name == "" {
					start = m[2]
				}
				found = append(found, stageAt{Stage: Stage{Text: name + " " + val, Components: []string{val}}, start: start, end: m[1]})
			}
		}
		// Stage groups join the TNM of their clause, or stand alone.
		for i, re := range []*regexp.Regexp{reGroup, reGroupZh} {
			if i == 0 && !strings.Contains(p.folded, "stage") || i == 1 && !strings.Contains(p.text, "期") {
				continue
			}
			for _, m := range re.FindAllStringSubmatchIndex(p.text, -1) {
				if st.otherSystem(p.text, m[0], m[1], found) {
					continue
				}
				g := "Stage " + roman(p.text[m[2]:m[3]])
				if m[4] >= 0 {
					g += p.text[m[4]:m[5]]
				}
				ci := p.clauseAt(m[2])
				joined := false
				for i := range found {
					f := &found[i]
					if f.tnm && ci >= 0 && p.unitAt(f.start) == p.clauses[ci].unit && len(f.Components) <= 3 {
						f.Components = append(f.Components, g)
						f.end = max(f.end, m[1])
						joined = true
						break
					}
				}
				if !joined {
					found = append(found, stageAt{Stage: Stage{Text: g, Components: []string{g}}, start: m[2], end: m[1]})
				}
			}
		}
		for _, f := range found {
			if f.tnm {
				f.Text = strings.Join(f.Components, " ")
			}
			ci := p.clauseAt(f.start)
			if ci < 0 || seen[f.Text] {
				continue
			}
			u := p.units[p.clauses[ci].unit]
			if st.skipLabelled(p.text[u.start:u.end]) {
				continue
			}
			seen[f.Text] = true
			c := p.clauses[ci]
			f.Source = st.source(p, c.start, max(c.end, min(f.end, u.end)))
			out = append(out, f.Stage)
		}
	}
	if !anyTNM {
		if s, ok := st.synopticTNM(); ok {
			out = append([]Stage{s}, out...)
		}
	}
	return out
}

// otherSystem reports whether a "stage II" match belongs to a named system
// already read (Ann Arbor, FIGO, ISS) or sits inside one.
func (st *docState) otherSystem(text string, start, end int, found []stageAt) bool {
	for _, f := range found {
		if !f.tnm && start < f.end && end > f.start {
			return true
		}
	}
	before := foldASCII(text[max(0, start-16):start])
	return strings.Contains(before, "ann arbor") || strings.Contains(before, "figo") || strings.Contains(before, "iss") || strings.Contains(before, "bclc")
}

// synopticTNM joins pT, pN and pM written on lines of their own, within a
// few lines of each other.
func (st *docState) synopticTNM() (Stage, bool) {
	for _, p := range st.pages {
		if !reQuickT.MatchString(p.text) {
			continue
		}
		for ui, u := range p.units {
			line := p.text[u.start:u.end]
			t := reTOnly.FindStringSubmatch(line)
			if t == nil {
				continue
			}
			comps := []string{t[1]}
			end := u.end
			for _, re := range []*regexp.Regexp{reNOnly, reMOnly} {
				for uj := ui; uj < len(p.units) && uj <= ui+6; uj++ {
					l := p.text[p.units[uj].start:p.units[uj].end]
					if m := re.FindStringSubmatch(l); m != nil {
						comps = append(comps, m[1])
						end = max(end, p.units[uj].end)
						break
					}
				}
			}
			if len(comps) < 2 {
				continue
			}
			return Stage{Text: strings.Join(comps, " "), Components: comps, Source: st.source(p, u.start, end)}, true
		}
	}
	return Stage{}, false
}
