package summary

import (
	"regexp"
	"slices"
	"strings"
)

// Value patterns by kind (the kinds a marker takes are data).
var valueRes = map[string]*regexp.Regexp{
	"percent": regexp.MustCompile(`(?i)(?:(?:approximately|approx\.?|about|around|~|约|約|大约)\s*)?[<>≤≥]?\s*\d{1,3}(?:\.\d+)?\s*(?:[-–~至]\s*\d{1,3}(?:\.\d+)?\s*)?%`),
	"allred":  regexp.MustCompile(`(?i)allred(?:\s+score)?\s*[:：]?\s*\d(?:\s*/\s*8)?`),
	"score":   regexp.MustCompile(`(?i)(?:\b|^)[0-3]\+|[(（]\s*0\s*[)）]|score\s*[:：]?\s*0\b|^\s*[:：]?\s*0(?:\.?(?:\s|$)|[,;)，；])`),
	"ratio":   regexp.MustCompile(`(?i)(?:ratio|比值)\s*(?:of|=|:|：|为|為|is)?\s*\d+(?:\.\d+)?`),
	"copies":  regexp.MustCompile(`(?i)(?:average|mean)?\s*(?:HER2\s+)?(?:gene\s+)?copy\s+number\s*(?:of|=|:|：|is)?\s*\d+(?:\.\d+)?|\d+(?:\.\d+)?\s*(?:copies|signals)(?:\s*(?:/|per)\s*(?:cell|nucleus))?`),
	"tps":     regexp.MustCompile(`(?i)(?:\bTPS|\bTC|tumou?r proportion score)\s*(?:\([^)]{0,12}\))?\s*[:：=]?\s*(?:(?:of|approximately|about|约|約)\s*)?[<>≤≥]?\s*\d{1,3}(?:\.\d+)?\s*%`),
	"cps":     regexp.MustCompile(`(?i)(?:\bCPS|combined positive score)\s*(?:\([^)]{0,12}\))?\s*[:：=]?\s*(?:(?:of|approximately|about|约|約)\s*)?[<>≤≥]?\s*\d{1,3}(?:\.\d+)?`),
	"variant": regexp.MustCompile(`(?i:exon\s*\d+\s*(?:deletion|insertion|skipping|del|ins|duplication))|(?i:exon\s*\d+\s+)?\b[A-Z]\d{2,4}(?:[A-Z]|fs|del|dup|\*)(?:\b|$)|\bc\.[0-9_+*-]+(?:[ACGT]>[ACGT]|del[ACGT]*|dup[ACGT]*|ins[ACGT]+)|\bp\.\([^()]{2,30}\)|\bp\.[A-Z][a-z]{0,2}\d+[A-Za-z_*]*(?:\d+[A-Za-z]*)?|第?\d+\s*(?:号)?外[显顯]子\s*(?:[A-Z]\d+[A-Z])?\s*(?:缺失|插入|跳跃|跳躍)?\s*(?:点|點)?(?:突变|突變)|第?\d+\s*(?:号)?外[显顯]子\s*(?:缺失|插入|跳跃|跳躍)|外[显顯]子\s*\d+\s*(?:缺失|插入|跳跃|跳躍)?\s*(?:突变|突變)`),
	"gleason": regexp.MustCompile(`\d\s*\+\s*\d(?:\s*=\s*\d{1,2})?`),
	"serum":   regexp.MustCompile(`(?i)\d+(?:\.\d+)?\s*(?:ng/ml|ug/l|μg/l|µg/l)`),
	"tmb":     regexp.MustCompile(`(?i)\d+(?:\.\d+)?\s*(?:mut(?:ation)?s?\s*/\s*mb|个突变\s*/\s*mb|/\s*mb)`),
}

var reSign = regexp.MustCompile(`^[\s:：]*(?:[(（][A-Za-z0-9 -]{2,12}[)）])?\s*[(（]?\s*(\+{1,4}|[-−－](?:$|[\s)）,，;；、]))`)

// mention is a biomarker named in a clause.
type mention struct {
	start, end int
	m          int    // index into vocab.markers
	implied    string // a result the words carry ("MSS")
}

// bioFact is a biomarker fact with where it was read.
type bioFact struct {
	Biomarker
	page       *page
	unit       int
	qs, qe     int // quote bytes in the page
	mmr, whole bool
	// history is set for an earlier result the report quotes (see
	// docState.history), histDate to the date it gives.
	history  bool
	histDate string
}

func (st *docState) biomarkers() []Biomarker {
	v := st.v
	var facts []bioFact
	var methodsBefore []methodAt // method words seen so far, in document order
	for _, p := range st.pages {
		hits := markerHits(v, p)
		mhits := v.methodM.find(p.text, p.folded)
		ci := 0
		for _, c := range p.clauses {
			// Method words before this clause are context for it.
			for ci < len(mhits) && mhits[ci].start < c.start {
				methodsBefore = append(methodsBefore, methodAt{v.methods[mhits[ci].payload]})
				ci++
			}
			hs := hitsIn(hits, c.span)
			if len(hs) == 0 {
				continue
			}
			u := p.units[c.unit]
			line := p.text[u.start:u.end]
			if slices.Contains(v.testLabels, labelOf(line)) {
				continue
			}
			got := st.readClause(p, c, hs, methodsBefore)
			if st.skipLabelled(line) {
				// A history line's results are earlier ones, taken only
				// when it dates them before the document.
				var kept []bioFact
				for _, f := range got {
					if f.history && f.histDate != "" {
						kept = append(kept, f)
					}
				}
				got = kept
			}
			facts = append(facts, got...)
		}
	}
	facts = st.mergeMMR(facts)
	facts = mergeNear(facts)
	var out []Biomarker
	for _, f := range facts {
		f.Source = st.source(f.page, f.qs, f.qe)
		f.Date, f.History = st.date, f.history
		if f.history {
			f.Date = f.histDate
		}
		if i := sameFact(out, f.Biomarker); i >= 0 {
			if out[i].Value == "" && f.Value != "" {
				out[i].Value = f.Value
			}
			continue
		}
		if i := sameHistory(out, f.Biomarker); i >= 0 {
			// "(2019), ER positive" and "(2019, ER 90%)": one earlier result.
			if out[i].Result == "" {
				out[i].Result = f.Result
			}
			if out[i].Value == "" {
				out[i].Value = f.Value
			}
			continue
		}
		out = append(out, f.Biomarker)
	}
	return out
}

// sameHistory returns the index of an earlier result of the same marker and
// date that b completes (one gives the result, the other the value).
func sameHistory(facts []Biomarker, b Biomarker) int {
	if !b.History {
		return -1
	}
	for i, f := range facts {
		if f.History && f.Name == b.Name && f.Date == b.Date &&
			(f.Result == "" || b.Result == "" || f.Result == b.Result) && (f.Value == "" || b.Value == "" || normValue(f.Value) == normValue(b.Value)) {
			return i
		}
	}
	return -1
}

// mergeNear joins a fact that gives only a result with the next one of the
// same marker that gives only a value, a few lines on ("HER2/CEP17 ratio:
// 3.2" then "Result: HER2 gene AMPLIFIED").
func mergeNear(facts []bioFact) []bioFact {
	var out []bioFact
	for _, f := range facts {
		if n := len(out); n > 0 {
			o := &out[n-1]
			if o.Name == f.Name && o.page == f.page && f.unit-o.unit <= 3 && (o.Result == "") != (f.Result == "") && (o.Value == "") != (f.Value == "") {
				if o.Result == "" {
					o.Result = f.Result
				} else {
					o.Value = f.Value
				}
				if o.Method == "" {
					o.Method = f.Method
				}
				o.qs, o.qe = min(o.qs, f.qs), max(o.qe, f.qe)
				o.unit = f.unit
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// sameFact returns the index of a fact that says the same as b: the same
// marker and result, and values equal, one missing, or one holding the
// other ("exon 19 deletion" and "Exon 19 deletion (p.E746_A750del)").
func sameFact(facts []Biomarker, b Biomarker) int {
	nb := normValue(b.Value)
	for i, f := range facts {
		if f.Name != b.Name || f.Result != b.Result || f.History != b.History || f.History && f.Date != b.Date {
			continue
		}
		nf := normValue(f.Value)
		if nf == nb || nf == "" || nb == "" && f.Result != "" || nf != "" && nb != "" && (strings.Contains(nf, nb) || strings.Contains(nb, nf)) {
			return i
		}
	}
	return -1
}

// markerHits finds the biomarkers named in a page, without the words that
// only look like one ("free PSA", "anti-EGFR").
func markerHits(v *vocab, p *page) []hit {
	if p.markers != nil {
		return *p.markers
	}
	hs := v.markerM.find(p.text, p.folded)
	out := hs[:0]
	for _, h := range hs {
		if h.payload >= 0 {
			out = append(out, h)
		}
	}
	p.markers = &out
	return out
}

type methodAt struct{ name string }

// readClause reads the biomarker facts of one clause.
func (st *docState) readClause(p *page, c clause, hs []hit, methodsBefore []methodAt) []bioFact {
	v := st.v
	// Mentions: the same marker named twice in a row ("Estrogen receptor
	// (ER)") is one mention.
	var ms []mention
	for _, h := range hs {
		if n := len(ms); n > 0 && v.markers[ms[n-1].m].Name == v.markers[h.payload].Name && !v.markers[h.payload].Protein &&
			strings.Trim(p.text[ms[n-1].end:h.start], " \t()（）:：-/") == "" {
			ms[n-1].end = h.end
			if im := v.markers[h.payload].Implied; im != "" {
				ms[n-1].implied = im
			}
			continue
		}
		ms = append(ms, mention{h.start, h.end, h.payload, v.markers[h.payload].Implied})
	}
	// Groups: mentions joined by list separators only ("ALK, ROS1 or RET").
	var groups [][]mention
	for i, m := range ms {
		if i > 0 && st.onlySeparators(p.folded[ms[i-1].end:m.start]) {
			groups[len(groups)-1] = append(groups[len(groups)-1], m)
			continue
		}
		groups = append(groups, []mention{m})
	}
	// Each group's prefix cue, and where the previous group's tail ends.
	type bounds struct {
		cue                  string // "neg", "pos", "loss", "mention" or ""
		prefixStart, tailEnd int
	}
	b := make([]bounds, len(groups))
	for gi, g := range groups {
		regionStart := c.start
		if gi > 0 {
			regionStart = groups[gi-1][len(groups[gi-1])-1].end
		}
		cue, at := st.prefixCue(p.folded[regionStart:g[0].start])
		b[gi].cue = cue
		b[gi].prefixStart = regionStart + at
		if gi > 0 {
			b[gi-1].tailEnd = b[gi].prefixStart
		}
	}
	if len(groups) > 0 {
		b[len(groups)-1].tailEnd = c.end
	}
	var out []bioFact
	for gi, g := range groups {
		last := g[len(g)-1]
		tailEnd := min(b[gi].tailEnd, last.end+200)
		tail, ftail := p.text[last.end:tailEnd], p.folded[last.end:tailEnd]
		for _, m := range g {
			mk := v.markers[m.m]
			name, class, values := mk.Name, mk.Class, mk.Values
			res, kind, pos := st.scanWindow(tail, ftail, class)
			_, vat := firstValueAt(tail, values)
			if mk.Promote != nil {
				limit := len(ftail)
				if kind != "" {
					limit = min(limit, pos)
				}
				if vat >= 0 {
					limit = min(limit, vat)
				}
				region := p.folded[b[gi].prefixStart:m.start] + " " + ftail[:limit]
				for _, cue := range mk.Promote.Cues {
					if strings.Contains(region, cue) {
						for _, other := range v.markers {
							if other.Name == mk.Promote.To {
								name, class, values = other.Name, other.Class, other.Values
								res, kind, pos = st.scanWindow(tail, ftail, class)
								_, vat = firstValueAt(tail, values)
								break
							}
						}
						break
					}
				}
			}
			if kind == "mention" && vat >= 0 && vat < pos {
				kind = "" // "HER2 2+, FISH pending": the score is a fact
			}
			switch b[gi].cue {
			case "mention":
				continue
			case "neg":
				res, kind = v.classes[class].Negated, "neg"
			case "pos":
				res, kind = v.signResult(class, "+"), "pos"
			case "loss":
				res, kind = "deficient", "loss"
				if class != "mmr" && class != "mmrprotein" {
					res = v.classes[class].Negated
				}
			}
			if kind == "mention" {
				continue
			}
			if m.implied != "" {
				res = m.implied
			}
			value := ""
			if m == last && b[gi].cue != "neg" {
				value = firstValue(tail, values)
			}
			if value == "" && slices.Contains(values, "variant") && b[gi].cue != "neg" && res != v.classes[class].Negated {
				// A name that holds its variant ("IDH1 R132H mutant").
				value = strings.TrimSpace(valueRes["variant"].FindString(p.text[m.start:m.end]))
			}
			if (class == "mutation" || class == "fusion") && res == v.classes[class].Negated && kind != "" && vat > pos {
				value = "" // "no mutation detected (V600E negative)": the variant after the cue was only looked for
			}
			if class == "mutation" && res == "" && value != "" && kind == "" {
				res = "mutated" // a variant listed in the findings is the result
			}
			if res == "" && value == "" {
				continue
			}
			f := bioFact{Biomarker: Biomarker{Name: name, Result: Result(res), Value: value}, page: p, unit: c.unit, qs: c.start, qe: c.end,
				mmr: class == "mmr" || class == "mmrprotein"}
			f.Method = st.method(p, name, p.text[b[gi].prefixStart:tailEnd], p.folded[b[gi].prefixStart:tailEnd], methodsBefore)
			if f.Value == "" && len(values) > 0 && m == last && c.end == p.units[c.unit].end {
				st.continuation(p, &f, values)
			}
			out = append(out, f)
			if mk.Promote != nil && name == mk.Name && m == last {
				// "HER2: 2+, FISH not amplified (ratio 1.3)": the test the
				// score led to, read after it, is a result of its own.
				after := max(pos, vat, 0)
				if g, ok := st.promotedAfter(p, mk, tail[after:], ftail[after:], last.end+after, tailEnd, methodsBefore); ok {
					g.unit, g.qs, g.qe = c.unit, c.start, c.end
					out = append(out, g)
				}
			}
		}
	}
	// A marker named twice in one clause ("HER2 FISH: amplified, HER2/CEP17
	// ratio 2.6") is one fact.
	var merged []bioFact
	for _, f := range out {
		if n := len(merged); n > 0 && merged[n-1].Name == f.Name && !f.mmr && (merged[n-1].Result == "" || f.Result == "" || merged[n-1].Result == f.Result) && (merged[n-1].Value == "" || f.Value == "") {
			if merged[n-1].Result == "" {
				merged[n-1].Result = f.Result
			}
			if merged[n-1].Value == "" {
				merged[n-1].Value = f.Value
			}
			if merged[n-1].Method == "" {
				merged[n-1].Method = f.Method
			}
			continue
		}
		merged = append(merged, f)
	}
	if hist, date := st.history(p, c.start, c.end); hist {
		for i := range merged {
			merged[i].history, merged[i].histDate = true, date
		}
	}
	return merged
}

// promotedAfter reads the result of the test a marker's result leads to
// (HER2 ISH after the HER2 score), when the words after the score name that
// test and give its result or value.
func (st *docState) promotedAfter(p *page, mk marker, text, folded string, start, end int, methodsBefore []methodAt) (bioFact, bool) {
	v := st.v
	at := -1
	for _, cue := range mk.Promote.Cues {
		if i := strings.Index(folded, cue); i >= 0 && (at < 0 || i < at) {
			if isWordByte(cue[0]) && i > 0 && isWordByte(folded[i-1]) {
				continue // "fish" in "finish", "ish" in "fish"
			}
			at = i
		}
	}
	if at < 0 {
		return bioFact{}, false
	}
	var to marker
	for _, o := range v.markers {
		if o.Name == mk.Promote.To {
			to = o
		}
	}
	if to.Name == "" {
		return bioFact{}, false
	}
	res, kind, _ := st.scanWindow(text[at:], folded[at:], to.Class)
	value := firstValue(text[at:], to.Values)
	if kind == "mention" || res == "" && value == "" {
		return bioFact{}, false
	}
	f := bioFact{Biomarker: Biomarker{Name: to.Name, Result: Result(res), Value: value}, page: p}
	f.Method = st.method(p, to.Name, p.text[start:end], p.folded[start:end], methodsBefore)
	return f, true
}

// onlySeparators reports whether folded text between two mentions is a list
// separator (", ", " or ", "、", "/").
func (st *docState) onlySeparators(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return true
	}
	for s != "" {
		found := false
		for _, sep := range st.v.separators {
			if strings.HasPrefix(s, sep) {
				rest := s[len(sep):]
				if isWordByte(sep[len(sep)-1]) && rest != "" && isWordByte(rest[0]) {
					continue
				}
				s = strings.TrimSpace(rest)
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// prefixCue finds a cue at the end of folded text before a marker ("no",
// "negative for", "loss of", "recommend"), skipping filler words, and
// returns its kind and where it starts.
func (st *docState) prefixCue(s string) (string, int) {
	end := len(s)
	trim := func() {
		for end > 0 && strings.ContainsRune(" \t\n(（:：", rune(s[end-1])) {
			end--
		}
	}
	trim()
	for changed := true; changed; {
		changed = false
		for _, f := range st.v.filler {
			if strings.HasSuffix(s[:end], f) && (end-len(f) == 0 || !isWordByte(s[end-len(f)-1]) || !isWordByte(f[0])) {
				end -= len(f)
				trim()
				changed = true
			}
		}
	}
	best, bestKind := -1, ""
	try := func(cues []string, kind string) {
		for _, c := range cues {
			if !strings.HasSuffix(s[:end], c) {
				continue
			}
			at := end - len(c)
			if at > 0 && isWordByte(c[0]) && isWordByte(s[at-1]) {
				continue
			}
			if best < 0 || at < best {
				best, bestKind = at, kind
			}
		}
	}
	try(st.v.menPrefix, "mention")
	try(st.v.lossPrefix, "loss")
	try(st.v.posPrefix, "pos")
	try(st.v.negPrefix, "neg")
	if best < 0 {
		return "", len(s)
	}
	return bestKind, best
}

// scanWindow finds the result a window gives: the earliest cue wins (at one
// place the longest). kind is "result", "neg", "mention", or "" when the
// window gives none; pos is where the cue starts.
func (st *docState) scanWindow(text, folded, class string) (res, kind string, pos int) {
	v := st.v
	if m := reSign.FindStringSubmatch(text); m != nil {
		if r := v.signResult(class, m[1]); r != "" {
			return r, "result", 0
		}
	}
	pos = -1
	var end int
	consider := func(hs []hit, k string, rf func(hit) string) {
		for _, h := range hs {
			if k == "result" && labelAfter(text, h.end) {
				continue // "ALK 融合：陰性": the word is the label of the result
			}
			if pos < 0 || h.start < pos || h.start == pos && h.end > end {
				pos, end, kind, res = h.start, h.end, k, rf(h)
			}
			break
		}
	}
	c := v.classes[class]
	if cm := v.classCues[class]; cm != nil {
		consider(cm.find(text, folded), "result", func(h hit) string { return c.Cues[h.payload][1] })
	}
	if c.Negated != "" {
		consider(v.negWindow.find(text, folded), "neg", func(hit) string { return c.Negated })
	}
	consider(v.mentionWin.find(text, folded), "mention", func(hit) string { return "" })
	if kind == "mention" {
		res = ""
	}
	return res, kind, pos
}

// labelAfter reports whether a word at text[:end] is followed by a colon:
// a label, not a result.
func labelAfter(text string, end int) bool {
	rest := strings.TrimLeft(text[end:], " \t")
	return strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "：")
}

// signResult is the result a sign gives in a class: "+" reads as the class's
// "positive", "-" as its "negative".
func (v *vocab) signResult(class, sign string) string {
	word := "positive"
	if !strings.HasPrefix(sign, "+") {
		word = "negative"
	}
	for _, c := range v.classes[class].Cues {
		if c[0] == word {
			return c[1]
		}
	}
	return ""
}

// firstValue returns the earliest value of the given kinds in text, as
// written.
func firstValue(text string, kinds []string) string {
	v, _ := firstValueAt(text, kinds)
	return v
}

// firstValueAt is firstValue with where the value starts (-1 when none).
func firstValueAt(text string, kinds []string) (string, int) {
	best, bestAt := "", -1
	for _, k := range kinds {
		re := valueRes[k]
		if re == nil {
			continue
		}
		if loc := re.FindStringIndex(text); loc != nil && (bestAt < 0 || loc[0] < bestAt) {
			best, bestAt = text[loc[0]:loc[1]], loc[0]
		}
	}
	return strings.Trim(strings.Join(strings.Fields(best), " "), " :：,.;"), bestAt
}

var reValueWords = regexp.MustCompile(`(?i)percent|proportion|%|ratio|score|copy|intensity|阳性率|陽性率|比例|比值|评分`)

// continuation takes a value from the next line when a synoptic report puts
// it there ("Estrogen Receptor (ER) Status: Positive" then "Percentage of
// cells with nuclear positivity: 91-100%").
func (st *docState) continuation(p *page, f *bioFact, kinds []string) {
	hits := markerHits(st.v, p)
	for u := f.unit + 1; u < len(p.units) && u <= f.unit+2; u++ {
		s := p.units[u]
		if len(hitsIn(hits, s)) > 0 {
			return
		}
		line := p.text[s.start:s.end]
		if !reValueWords.MatchString(line) {
			return
		}
		if val := firstValue(line, kinds); val != "" {
			f.Value = val
			f.qe = s.end
			return
		}
	}
}

// method is how a marker was tested: a method word or clone in its own
// words, else the nearest earlier method word in the document that fits it.
func (st *docState) method(p *page, name, words, folded string, before []methodAt) string {
	v := st.v
	fits := func(m string) bool { return v.methodsFor[name][m] }
	meth := ""
	for _, h := range v.methodM.find(words, folded) {
		if fits(v.methods[h.payload]) {
			meth = v.methods[h.payload]
			break
		}
	}
	clone := ""
	if h, ok := v.cloneM.first(words); ok && (meth == "" || meth == "IHC") && fits("IHC") {
		clone = words[h.start:h.end]
		meth = "IHC"
	}
	if meth == "" {
		for i := len(before) - 1; i >= 0; i-- {
			if fits(before[i].name) {
				meth = before[i].name
				break
			}
		}
	}
	if clone != "" {
		return meth + " (" + clone + ")"
	}
	return meth
}

// mergeMMR joins the mismatch repair results of one place (four proteins
// on four lines, or "MLH1, PMS2, MSH2 and MSH6 retained") into one MMR fact:
// deficient when any protein is lost, proficient otherwise.
func (st *docState) mergeMMR(facts []bioFact) []bioFact {
	var out []bioFact
	open := -1
	for _, f := range facts {
		if !f.mmr {
			out = append(out, f)
			continue
		}
		f.Name = "MMR"
		if f.Result == "intact" {
			f.Result = "proficient"
		}
		f.Value = ""
		if open >= 0 && out[open].page == f.page && f.unit-out[open].unit <= 3 {
			o := &out[open]
			if f.Result == "deficient" {
				o.Result = "deficient"
			}
			o.qe = max(o.qe, f.qe)
			o.unit = f.unit
			if o.Method == "" {
				o.Method = f.Method
			}
			continue
		}
		out = append(out, f)
		open = len(out) - 1
	}
	return out
}
