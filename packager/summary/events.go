package summary

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// events reads the dated events of a document: a clause with a date and an
// event word (the word nearest the date decides the kind). Dates of birth,
// printing and signing are not events, nor are planned ones ("next cycle due
// 2026-03-15"). A date after an exam, surgery or procedure label ("Date of
// exam: 03/02/2026") is the event the document's title or specimen names.
func (st *docState) events() []Event {
	v := st.v
	var out []Event
	seen := map[string]bool{}
	for pi, p := range st.pages {
		kinds := v.kindM.find(p.text, p.folded)
		for _, d := range st.dates[pi] {
			ci := p.clauseAt(d.start)
			if ci < 0 {
				continue
			}
			c := p.clauses[ci]
			u := p.units[c.unit]
			_ = u
			lineBefore := st.lineBefore(p, pi, d)
			if st.isBirth(lineBefore) {
				continue
			}
			if _, skip := v.skipM.first(p.text[max(c.start, d.start-40):d.start]); skip {
				continue
			}
			clauseText := p.text[c.start:c.end]
			if _, future := v.futureM.first(clauseText); future {
				continue
			}
			if slices.Contains(v.futureLbl, labelOf(p.text[u.start:u.end])) {
				continue // "Plan: ... MRI brain 2026-09-08"
			}
			kind, ok := nearestKind(v, p, hitsIn(kinds, c.span), d)
			text := ""
			if !ok && c.unit > 0 && st.spanLabel(lineBefore) {
				// "Start date: ... End date: ..." under the treatment's line.
				prev := p.units[c.unit-1]
				if hs := hitsIn(kinds, prev); len(hs) > 0 {
					kind, text, ok = v.kinds[hs[0].payload], shorten(clean(p.text[prev.start:prev.end])), true
				}
			}
			if !ok {
				kind, text, ok = st.labelledEvent(lineBefore)
			}
			if !ok {
				continue
			}
			if text == "" {
				text = eventText(clauseText, st.dates[pi], c.start)
				if l := clean(lineBefore); l != "" && strings.Count(clauseText, "\n") == 0 && multipleDates(st.dates[pi], c.span) && utf8.RuneCountInString(l) <= 30 &&
					(strings.HasSuffix(strings.TrimSpace(lineBefore), ":") || strings.HasSuffix(strings.TrimSpace(lineBefore), "：")) {
					text = l // "Date of admission: ... Date of discharge: ...": each date's own label
				}
			}
			if !isASCII(text) {
				if t := tidyEvent(v, text); t != "" {
					text = t // a Chinese form's fields
				}
			}
			key := d.iso + "|" + kind
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, Event{Date: d.iso, Kind: kind, Text: text, Source: st.source(p, c.start, c.end)})
		}
	}
	return out
}

// nearestKind returns the kind of the event word nearest a date.
func nearestKind(v *vocab, p *page, hs []hit, d dateHit) (string, bool) {
	best, bestDist := -1, 1<<30
	for _, h := range hs {
		after := p.folded[h.end:min(len(p.folded), h.end+10)]
		if v.kinds[h.payload] == KindImaging && (strings.Contains(after, "guided") || strings.Contains(after, "引导") || strings.Contains(after, "導引")) {
			continue // "CT-guided biopsy" is a biopsy
		}
		dist := d.start - h.end
		if h.start >= d.end {
			dist = h.start - d.end
		}
		if dist < 0 {
			dist = 0
		}
		if dist < bestDist || dist == bestDist && h.payload < best {
			best, bestDist = h.payload, dist
		}
	}
	if best < 0 {
		return "", false
	}
	if v.kinds[best] == KindBiopsy {
		for _, h := range hs {
			if v.kinds[h.payload] == KindSurgery {
				return KindSurgery, true // "mastectomy and sentinel node biopsy"
			}
		}
	}
	return v.kinds[best], true
}

// labelledEvent reads "Date of exam:", "Date of surgery:" and the like: the
// kind from the label, the words from the document's first line that names
// such an event.
func (st *docState) labelledEvent(lineBefore string) (string, string, bool) {
	l := foldASCII(lineBefore)
	kind := ""
	switch {
	case containsAny(l, "meeting", "mdt", "tumour board", "tumor board", "会诊日期", "會診日期"):
		return KindOther, st.title(), true
	case containsAny(l, "exam", "study date", "scan", "检查日期", "檢查日期"):
		kind = KindImaging
	case containsAny(l, "surgery", "operation", "手术日期", "手術日期"):
		kind = KindSurgery
	case containsAny(l, "procedure", "collect", "biopsy", "取材", "采样", "送检日期", "採檢", "采检"):
		kind = ""
	case strings.TrimSpace(strings.Trim(strings.TrimSpace(l), ":：")) == "date" || strings.TrimSpace(strings.Trim(strings.TrimSpace(l), ":：")) == "日期":
		// A bare "Date:" is the date of what the title names.
		p := st.pages[0]
		if len(p.units) == 0 {
			return "", "", false
		}
		u := p.units[0]
		if hs := st.v.kindM.find(p.text[u.start:u.end], p.folded[u.start:u.end]); len(hs) > 0 {
			return st.v.kinds[hs[0].payload], shorten(clean(p.text[u.start:u.end])), true
		}
		return "", "", false
	default:
		return "", "", false
	}
	v := st.v
	for _, pass := range []int{0, 1} {
		for _, p := range st.pages {
			hs := v.kindM.find(p.text, p.folded)
			for _, h := range hs {
				k := v.kinds[h.payload]
				if kind != "" && k != kind || kind == "" && k != KindSurgery && k != KindBiopsy {
					continue
				}
				u := p.units[p.unitAt(h.start)]
				line := p.text[u.start:u.end]
				if st.skipLabelled(line) || pass == 0 && !specimenLabel(labelOf(line)) {
					continue
				}
				if i := strings.IndexAny(line, ":："); i >= 0 && i < 40 && i+1 < len(line) {
					_, n := utf8.DecodeRuneInString(line[i:])
					line = line[i+n:] // after the colon, whole ("：" is three bytes)
				}
				return k, shorten(clean(line)), true
			}
		}
	}
	return "", "", false
}

// specimenLabel reports whether a label names the specimen or procedure.
func specimenLabel(l string) bool {
	return containsAny(l, "specimen", "procedure", "sample", "标本", "送检", "檢體", "标本名称", "送檢", "手术名称", "术式")
}

// title is the document's first line.
func (st *docState) title() string {
	if len(st.pages) == 0 || len(st.pages[0].units) == 0 {
		return ""
	}
	u := st.pages[0].units[0]
	return shorten(clean(st.pages[0].text[u.start:u.end]))
}

// spanLabel reports whether the words before a date are a start or end
// label.
func (st *docState) spanLabel(before string) bool {
	l := strings.Trim(strings.TrimSpace(foldASCII(before)), ":：")
	return slices.Contains(st.v.spanLbl, strings.TrimSpace(l))
}

// multipleDates reports whether a clause holds more than one date.
func multipleDates(ds []dateHit, s span) bool {
	n := 0
	for _, d := range ds {
		if d.start >= s.start && d.end <= s.end {
			n++
		}
	}
	return n > 1
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// reDangling is a preposition left before punctuation when its date is
// taken out ("Staging CT on : no metastases").
var reDangling = regexp.MustCompile(`(?i)\s+(?:on|dated|of|in|于|於)\s*([:：,，;；.。])`)

// reSpanWords are the words of a span left without its dates ("from  to",
// "between  and", "自  至").
var reSpanWords = regexp.MustCompile(`(?i)\s(?:from|between|since)\s+(?:to|until|till|and|-|–)\s*(?:$|[\s,.;:])|\s(?:from|since|until|till|to)\s*$|(?:自|从|從)\s*(?:至|到|~|-)\s*`)

// eventText is a clause without its dates, cleaned, and kept short.
func eventText(clause string, dates []dateHit, offset int) string {
	var b strings.Builder
	at := 0
	for _, d := range dates {
		s, e := d.start-offset, d.end-offset
		if s < at || e > len(clause) {
			continue
		}
		b.WriteString(clause[at:s])
		b.WriteByte(' ')
		at = e
	}
	b.WriteString(clause[at:])
	t := clean(reDangling.ReplaceAllString(reSpanWords.ReplaceAllString(b.String(), " "), "$1"))
	for _, w := range []string{"on", "in", "dated", "of", "date", "于", "於"} {
		t = clean(strings.TrimSuffix(t, " "+w))
		t = clean(strings.TrimPrefix(t, w+" "))
	}
	return shorten(t)
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= 140 {
		return s
	}
	r := []rune(s)
	return string(r[:139]) + "…"
}

// reFieldLabel is a label of a labelled field ("检查项目：", "Procedure:").
var reFieldLabel = regexp.MustCompile(`([^\s:：，,。；;]{1,20}(?: [^\s:：，,。；;]{1,12}){0,3})\s*[:：]`)

// reTrailingDateLabel is a date's label left at the end of a field once its
// date is taken out ("胸部CT增强扫描    检查日期", "S2026-08812 手术日期").
var reTrailingDateLabel = regexp.MustCompile(`(?i)\s+(\S*(?:日期|时间|時間)|date of \S+|\S+ date)$`)

// tidyEvent makes an event's words a short clean phrase when they are a
// line of labelled fields: the value of the field that says what was done
// ("检查项目：胸部CT增强扫描" is "胸部CT增强扫描"), else the date's own label
// without its date word ("入院日期" is "入院", "手术日期" is "手术"). Fields
// that hold a reference number are left out. Other words are kept as they
// are ("" is returned).
func tidyEvent(v *vocab, text string) string {
	text = strings.TrimSpace(text)
	var dateLabels []string
	pull := func(s string) string {
		for {
			m := reTrailingDateLabel.FindStringSubmatchIndex(s)
			if m == nil {
				return strings.TrimSpace(s)
			}
			dateLabels = append(dateLabels, s[m[2]:m[3]])
			s = s[:m[0]]
		}
	}
	locs := reFieldLabel.FindAllStringSubmatchIndex(text, -1)
	if len(locs) == 0 {
		if w := dateWord(text); w != text {
			return w
		}
		return ""
	}
	lead := pull(text[:locs[0][0]])
	var values []string
	ids := false
	for i, l := range locs {
		label := text[l[2]:l[3]]
		end := len(text)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		value := clean(pull(text[l[1]:end]))
		switch {
		case referenceLabel(label):
			ids = true
		case value == "":
			dateLabels = append(dateLabels, label)
		case dateWord(label) != label:
			// a date label with words left after it: the words
			values = append(values, value)
		case len(v.kindM.find(label, foldASCII(label))) > 0:
			values = append(values, label+"："+value) // "PET-CT评估：完全缓解": the label is the event
		default:
			values = append(values, value)
		}
	}
	switch {
	case lead != "" && len(values) == 0:
		return shorten(clean(lead))
	case len(values) > 0:
		if lead != "" {
			values = append([]string{lead}, values...)
		}
		return shorten(clean(strings.Join(values, "；")))
	case len(dateLabels) > 0:
		return dateWord(clean(dateLabels[0]))
	case ids:
		return "-"
	}
	return ""
}

// dateWord is a date's label without its date word: "入院日期" is "入院",
// "Date of surgery" is "surgery", "Meeting date" is "Meeting".
func dateWord(l string) string {
	l = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(l), ":："))
	for _, suf := range []string{"开始日期", "開始日期", "日期", "时间", "時間"} {
		if w, ok := strings.CutSuffix(l, suf); ok && w != "" {
			if suf == "开始日期" || suf == "開始日期" {
				return w + suf[:len(suf)-len("日期")]
			}
			return w
		}
	}
	low := strings.ToLower(l)
	if w, ok := strings.CutPrefix(low, "date of "); ok && w != "" {
		return l[len(l)-len(w):]
	}
	if w, ok := strings.CutSuffix(low, " date"); ok && w != "" {
		return l[:len(w)]
	}
	return l
}

// referenceLabel reports whether a field's label names a reference number
// (a pathology or hospital number), whose value is no event.
func referenceLabel(l string) bool {
	f := strings.ToLower(l)
	for _, w := range []string{"号", "號", "编号", "編號", "no.", "number", "mrn", "accession", "lab no", "id"} {
		if strings.HasSuffix(f, w) || strings.Contains(f, w+" ") {
			return true
		}
	}
	return false
}
