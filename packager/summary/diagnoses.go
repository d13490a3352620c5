package summary

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	reNottingham = regexp.MustCompile(`(?i)(?:nottingham|elston|bloom[- ]richardson|histologic(?:al)? grade|组织学分级|組織學分級)[^\n]{0,60}?(?:grade\s*|score\s*\d\s*\+\s*\d\s*\+\s*\d\s*=\s*\d\s*[,;]?\s*grade\s*|[:：]\s*|\(|（)?\b([1-3]|III|II|I)\b(?:\s*级)?|(?:nottingham|组织学分级)[^\n]{0,20}?([ⅠⅡⅢ]|III|II|I|[1-3])\s*级`)
	reWHOCNS     = regexp.MustCompile(`(?i)(?:CNS\s*)?WHO\s*(?:CNS\s*)?(?:grade|分级|級別|级别)?\s*[:：]?\s*(IV|III|II|I|[1-4]|[ⅠⅡⅢⅣ])\s*(?:级|級)?(?:[^A-Za-z0-9]|$)`)
	reGradeGroup = regexp.MustCompile(`(?i)grade\s+group\s*[:：]?\s*([1-5])|(?:ISUP\s*)?(?:分级分组|分級分組|预后分级分组)\s*[:：]?\s*(?:第)?([1-5])`)
	reGn         = regexp.MustCompile(`(?:^|[^A-Za-z0-9])G([1-3])(?:[^A-Za-z0-9]|$)|(?i)\bgrade\s*([1-3])\s*(?:of|/)\s*3\b`)
	reGradeWord  = regexp.MustCompile(`(?i)\bgrade\s*[:：]?\s*([1-3]|III|II|I)\b|(?:分级|分級)\s*[:：]?\s*([ⅠⅡⅢ]|III|II|I|[1-3])\s*级`)
)

// romanDigit turns I..IV (ASCII or ⅠⅡⅢⅣ) or a digit into a digit.
func romanDigit(s string) string {
	switch s {
	case "I", "Ⅰ":
		return "1"
	case "II", "Ⅱ":
		return "2"
	case "III", "Ⅲ":
		return "3"
	case "IV", "Ⅳ":
		return "4"
	}
	if _, err := strconv.Atoi(s); err == nil {
		return s
	}
	return ""
}

func firstGroup(m []string) string {
	for _, g := range m[1:] {
		if g != "" {
			return g
		}
	}
	return ""
}

// grade reads a grade in words of a given cancer type.
func (v *vocab) grade(text, cancer string) string {
	if cancer == "breast" || cancer == "" {
		if m := reNottingham.FindStringSubmatch(text); m != nil {
			if d := romanDigit(firstGroup(m)); d != "" {
				return "Nottingham grade " + d
			}
		}
	}
	if cancer == "brain" || cancer == "" {
		if m := reWHOCNS.FindStringSubmatch(text); m != nil {
			if d := romanDigit(firstGroup(m)); d != "" {
				return "CNS WHO grade " + d
			}
		}
	}
	if m := reGradeGroup.FindStringSubmatch(text); m != nil {
		return "Grade Group " + firstGroup(m)
	}
	if cancer == "prostate" {
		return ""
	}
	if m := reGn.FindStringSubmatch(text); m != nil {
		return "G" + firstGroup(m)
	}
	if h, ok := v.diffM.first(text); ok {
		return v.diffGrade[h.payload]
	}
	if cancer == "breast" {
		if m := reGradeWord.FindStringSubmatch(text); m != nil {
			if d := romanDigit(firstGroup(m)); d != "" {
				return "Nottingham grade " + d
			}
		}
	}
	return ""
}

// cancerOf gives the cancer type of a histology at a site.
func (v *vocab) cancerOf(histology, siteName string) string {
	for _, h := range v.histologies {
		if h.Name != histology {
			continue
		}
		if len(h.Cancers) == 1 {
			return h.Cancers[0]
		}
		for _, s := range v.sites {
			if s.Name == siteName && slices.Contains(h.Cancers, s.Cancer) {
				return s.Cancer
			}
		}
		return ""
	}
	return ""
}

func diagnosisText(d Diagnosis) string {
	parts := []string{d.Histology}
	where := strings.TrimSpace(d.Laterality + " " + d.Site)
	if where != "" {
		parts = append(parts, where)
	}
	if d.Grade != "" {
		parts = append(parts, d.Grade)
	}
	if d.InSitu != "" {
		parts = append(parts, "with "+strings.ToLower(d.InSitu[:1])+d.InSitu[1:])
	}
	return strings.Join(parts, ", ")
}

// foldInSitu gives an in situ diagnosis of a report that also gives an
// invasive one of the same cancer as the invasive one's component ("a small
// focus of DCIS is present" beside invasive ductal carcinoma), not as a
// diagnosis of its own.
func (v *vocab) foldInSitu(ds []Diagnosis) []Diagnosis {
	byName := map[string]histology{}
	for _, h := range v.histologies {
		byName[h.Name] = h
	}
	out := ds[:0:0]
	for _, d := range ds {
		h := byName[d.Histology]
		if !h.InSitu {
			out = append(out, d)
			continue
		}
		folded := false
		for i := range ds {
			inv := byName[ds[i].Histology]
			if inv.InSitu || ds[i].InSitu != "" || !sharesCancer(h, inv) {
				continue
			}
			for j := range out {
				if out[j].Histology == ds[i].Histology && out[j].InSitu == "" {
					out[j].InSitu = d.Histology
					out[j].Text = diagnosisText(out[j])
					folded = true
					break
				}
			}
			if !folded {
				// The invasive one comes later in the report.
				ds[i].InSitu = d.Histology
				ds[i].Text = diagnosisText(ds[i])
				folded = true
			}
			break
		}
		if !folded {
			out = append(out, d)
		}
	}
	return out
}

func (v *vocab) histologyNamed(name string) histology {
	for _, h := range v.histologies {
		if h.Name == name {
			return h
		}
	}
	return histology{}
}

func sharesCancer(a, b histology) bool {
	for _, c := range a.Cancers {
		if slices.Contains(b.Cancers, c) {
			return true
		}
	}
	return false
}

// diagnoses reads the histologic diagnoses of a document: one per unit (the
// first histologic type named there), once per type, leaving out types that
// are negated, doubted or only history ("negative for carcinoma", "history
// of", "suspicious for") and units labelled as clinical history.
func (st *docState) diagnoses() []Diagnosis {
	v := st.v
	var out []Diagnosis
	seen := map[string]bool{}
	docSite, docSiteSrc := st.specimenSite()
	for _, p := range st.pages {
		lastUnit := -1
		for _, h := range v.histM.find(p.text, p.folded) {
			u := p.unitAt(h.start)
			ci := p.clauseAt(h.start)
			if u < 0 || ci < 0 {
				continue
			}
			if u == lastUnit {
				// "浸润性导管癌，伴导管原位癌": an in situ component in the same words.
				if hist := v.histologies[h.payload]; hist.InSitu && len(out) > 0 && out[len(out)-1].InSitu == "" &&
					!st.hedged(p, p.clauses[ci].start, h.start) && !st.hedgedAfter(p, h.end, p.clauses[ci].end) {
					if d := &out[len(out)-1]; d.Histology != hist.Name && sharesCancer(hist, v.histologyNamed(d.Histology)) {
						d.InSitu = hist.Name
						d.Text = diagnosisText(*d)
					}
				}
				continue
			}
			unit := p.text[p.units[u].start:p.units[u].end]
			if st.skipLabelled(unit) || st.hedged(p, p.clauses[ci].start, h.start) || st.hedgedAfter(p, h.end, p.clauses[ci].end) {
				continue
			}
			hist := v.histologies[h.payload]
			if seen[hist.Name] {
				lastUnit = u
				continue
			}
			c := p.clauses[ci]
			d := Diagnosis{Histology: hist.Name, Date: st.date}
			// Site and side from the unit, else from the specimen line.
			us := p.units[u]
			if sh := v.siteM.find(p.text[us.start:us.end], p.folded[us.start:us.end]); len(sh) > 0 {
				d.Site = v.sites[sh[0].payload].Name
			} else {
				d.Site = docSite
			}
			d.Laterality = v.laterality(unit)
			if d.Laterality == "" && docSiteSrc != "" {
				d.Laterality = v.laterality(docSiteSrc)
			}
			cancer := v.cancerOf(d.Histology, d.Site)
			d.Grade = v.grade(p.text[c.start:c.end], cancer)
			if d.Grade == "" {
				d.Grade = st.docGrade(cancer)
			}
			if d.Site == "" || !siteFits(v, hist, d.Site) {
				if !siteFits(v, hist, d.Site) {
					d.Site = ""
				}
			}
			d.Text = diagnosisText(d)
			d.Source = st.source(p, c.start, c.end)
			seen[hist.Name] = true
			lastUnit = u
			out = append(out, d)
		}
	}
	return v.foldInSitu(out)
}

// siteFits reports whether a site can hold a histologic type (a lymph node
// holds metastases of anything; a breast holds no glioblastoma).
func siteFits(v *vocab, h histology, siteName string) bool {
	for _, s := range v.sites {
		if s.Name == siteName {
			return s.Name == "lymph node" || s.Name == "bone marrow" || s.Name == "liver" || slices.Contains(h.Cancers, s.Cancer) || slices.Contains(h.Cancers, "other")
		}
	}
	return true
}

func (v *vocab) laterality(text string) string {
	if h, ok := v.lateralM.first(text); ok {
		return v.lateral[h.payload]
	}
	return ""
}

// hedged reports whether the words before a histologic type in its clause
// negate or doubt it.
func (st *docState) hedged(p *page, clauseStart, at int) bool {
	from := max(clauseStart, at-48)
	before := p.folded[from:at]
	for _, h := range st.v.hedges {
		i := strings.LastIndex(before, h)
		if i < 0 {
			continue
		}
		if isWordByte(h[0]) && i > 0 && isWordByte(before[i-1]) {
			continue
		}
		return true
	}
	return false
}

// hedgedAfter reports whether the words right after a histologic type doubt
// it ("glioblastoma favoured", "不除外").
func (st *docState) hedgedAfter(p *page, at, clauseEnd int) bool {
	after := p.folded[at:min(clauseEnd, at+24)]
	for _, h := range st.v.hedgesAfter {
		if strings.Contains(after, h) {
			return true
		}
	}
	return false
}

// specimenSite returns the site named on the document's specimen line, and
// that line.
func (st *docState) specimenSite() (string, string) {
	for _, p := range st.pages {
		for _, u := range p.units {
			line := p.text[u.start:u.end]
			l := labelOf(line)
			if l == "" {
				continue
			}
			for _, w := range []string{"specimen", "site", "source", "location", "sample", "标本", "送检", "部位", "取材", "標本", "送檢"} {
				if strings.Contains(l, w) {
					if h, ok := st.v.siteM.first(line); ok {
						return st.v.sites[h.payload].Name, line
					}
				}
			}
		}
	}
	return "", ""
}

// docGrade finds a grade anywhere in the document (synoptic reports give it
// on its own line).
func (st *docState) docGrade(cancer string) string {
	for _, p := range st.pages {
		for _, u := range p.units {
			line := p.text[u.start:u.end]
			f := foldASCII(line)
			if !strings.Contains(f, "grade") && !strings.Contains(f, "nottingham") && !strings.Contains(line, "分级") && !strings.Contains(line, "分化") && !strings.Contains(line, "分級") && !strings.Contains(f, "differentiated") {
				continue
			}
			if st.skipLabelled(line) {
				continue
			}
			if g := st.v.grade(line, cancer); g != "" {
				return g
			}
		}
	}
	return ""
}
