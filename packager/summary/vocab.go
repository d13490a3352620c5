package summary

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"dossier/assets"
)

// marker is one biomarker vocabulary entry.
type marker struct {
	Name    string   `json:"name"`
	Class   string   `json:"class"`
	Implied string   `json:"implied"`
	Protein bool     `json:"protein"`
	Aliases []string `json:"aliases"`
	Exact   []string `json:"exact"`
	Values  []string `json:"values"`
	Promote *struct {
		To   string   `json:"to"`
		Cues []string `json:"cues"`
	} `json:"promote"`
}

type resultClass struct {
	Negated string      `json:"negated"`
	Cues    [][2]string `json:"cues"`
}

type biomarkerFile struct {
	Markers  []marker                   `json:"markers"`
	Classes  map[string]json.RawMessage `json:"classes"`
	Negation struct {
		Prefix []string `json:"prefix"`
		Window []string `json:"window"`
		Filler []string `json:"filler"`
	} `json:"negation"`
	PositivePrefix []string `json:"positivePrefix"`
	LossPrefix     []string `json:"lossPrefix"`
	Mention        struct {
		Window []string `json:"window"`
		Prefix []string `json:"prefix"`
	} `json:"mention"`
	Separators []string `json:"separators"`
	NotMarkers []string `json:"notMarkers"`
	TestLabels []string `json:"testLabels"`
	// HistoryCues are words that make a result an earlier one ("previously
	// ER positive", "既往").
	HistoryCues []string `json:"historyCues"`
	Methods     []struct {
		Name  string   `json:"name"`
		Terms []string `json:"terms"`
	} `json:"methods"`
	MethodsFor map[string]json.RawMessage `json:"methodsFor"`
	Clones     []string                   `json:"clones"`
}

type histology struct {
	Name    string   `json:"name"`
	Zh      string   `json:"zh"`
	Cancers []string `json:"cancers"`
	Aliases []string `json:"aliases"`
	// InSitu is set for a non-invasive type (DCIS), which a report of an
	// invasive one gives as its component.
	InSitu bool `json:"inSitu"`
}

type site struct {
	Name    string   `json:"name"`
	Zh      string   `json:"zh"`
	Cancer  string   `json:"cancer"`
	Aliases []string `json:"aliases"`
}

type diagnosisFile struct {
	Histologies     []histology         `json:"histologies"`
	Sites           []site              `json:"sites"`
	Laterality      map[string][]string `json:"laterality"`
	Differentiation map[string][]string `json:"differentiation"`
	SkipLabels      []string            `json:"skipLabels"`
	Hedges          []string            `json:"hedges"`
	HedgesAfter     []string            `json:"hedgesAfter"`
}

type eventFile struct {
	Kinds []struct {
		Kind  string   `json:"kind"`
		Terms []string `json:"terms"`
	} `json:"kinds"`
	Skip         []string            `json:"skip"`
	FutureLabels []string            `json:"futureLabels"`
	SpanLabels   []string            `json:"spanLabels"`
	Future       []string            `json:"future"`
	ReportDate   []string            `json:"reportDate"`
	Months       map[string][]string `json:"months"`
	MDYHints     []string            `json:"mdyHints"`
	DMYHints     []string            `json:"dmyHints"`
}

type wordsFile struct {
	Results    map[string]map[string]string `json:"results"`
	Kinds      map[string]map[string]string `json:"kinds"`
	Laterality map[string]map[string]string `json:"laterality"`
	Values     struct {
		Pairs []struct {
			En   string `json:"en"`
			Zh   string `json:"zh-Hans"`
			ToEn string `json:"toEn"`
			ToZh string `json:"toZh"`
		} `json:"pairs"`
		Words []struct {
			En     string   `json:"en"`
			Zh     string   `json:"zh-Hans"`
			AlsoEn []string `json:"alsoEn"`
			AlsoZh []string `json:"alsoZh"`
		} `json:"words"`
	} `json:"values"`
	Titles struct {
		Words        []string `json:"words"`
		Institutions []string `json:"institutions"`
	} `json:"titles"`
}

// vocab is every vocabulary, compiled for matching.
type vocab struct {
	markers    []marker
	markerM    *matcher // payload: index into markers
	classes    map[string]resultClass
	classCues  map[string]*matcher // payload: index into classes[c].Cues
	negWindow  *matcher
	mentionWin *matcher
	negPrefix  []string
	posPrefix  []string
	lossPrefix []string
	menPrefix  []string
	filler     []string
	separators []string
	testLabels []string
	historyM   *matcher
	methods    []string
	methodM    *matcher // payload: index into methods
	methodsFor map[string]map[string]bool
	cloneM     *matcher

	histologies []histology
	histM       *matcher
	sites       []site
	siteM       *matcher
	lateral     []string
	lateralM    *matcher
	diffGrade   []string
	diffM       *matcher
	skipLabels  []string
	hedges      []string
	hedgesAfter []string

	kinds      []string
	kindM      *matcher // payload: index into kinds
	skipM      *matcher
	futureLbl  []string
	spanLbl    []string
	futureM    *matcher
	reportM    *matcher // payload: rank
	months     map[string]int
	mdyM, dmyM *matcher

	words      wordsFile
	valuePairs []valuePair
}

type valuePair struct {
	en, zh     *regexp.Regexp
	toEn, toZh string
}

var (
	vocabOnce sync.Once
	theVocab  *vocab
	vocabErr  error
)

// loadVocab reads and compiles the embedded vocabularies once.
func loadVocab() (*vocab, error) {
	vocabOnce.Do(func() { theVocab, vocabErr = buildVocab() })
	return theVocab, vocabErr
}

// CheckVocabularies validates the embedded vocabularies, so that a broken
// data file fails loudly at start-up rather than silently reading nothing.
func CheckVocabularies() error {
	_, err := loadVocab()
	return err
}

func readJSON(name string, v any) error {
	data, err := assets.Summary.ReadFile("summary/" + name)
	if err != nil {
		return fmt.Errorf("reading the summary vocabulary %s: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("reading the summary vocabulary %s: %w", name, err)
	}
	return nil
}

func buildVocab() (*vocab, error) {
	var bf biomarkerFile
	var df diagnosisFile
	var ef eventFile
	var wf wordsFile
	for name, v := range map[string]any{"biomarkers.json": &bf, "diagnoses.json": &df, "events.json": &ef, "words.json": &wf} {
		if err := readJSON(name, v); err != nil {
			return nil, err
		}
	}
	v := &vocab{markers: bf.Markers, classes: map[string]resultClass{}, classCues: map[string]*matcher{}, methodsFor: map[string]map[string]bool{}}
	v.markerM = newMatcher()
	for i, m := range bf.Markers {
		if m.Name == "" || len(m.Aliases)+len(m.Exact) == 0 {
			return nil, fmt.Errorf("summary vocabulary: marker %d needs a name and aliases", i)
		}
		for _, a := range m.Aliases {
			v.markerM.add(a, false, i)
		}
		for _, a := range m.Exact {
			v.markerM.add(a, true, i)
		}
	}
	for name, raw := range bf.Classes {
		if name == "comment" {
			continue
		}
		var c resultClass
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("summary vocabulary: class %s: %w", name, err)
		}
		v.classes[name] = c
		m := newMatcher()
		for j, cue := range c.Cues {
			if !validResult(cue[1]) {
				return nil, fmt.Errorf("summary vocabulary: class %s gives unknown result %q", name, cue[1])
			}
			m.add(cue[0], false, j)
		}
		v.classCues[name] = m
	}
	for _, m := range bf.Markers {
		if _, ok := v.classes[m.Class]; !ok {
			return nil, fmt.Errorf("summary vocabulary: marker %s has unknown class %q", m.Name, m.Class)
		}
		if m.Implied != "" && !validResult(m.Implied) {
			return nil, fmt.Errorf("summary vocabulary: marker %s implies unknown result %q", m.Name, m.Implied)
		}
	}
	for _, a := range bf.NotMarkers {
		v.markerM.add(a, false, -1)
	}
	v.testLabels = lowerAll(bf.TestLabels)
	v.historyM = newMatcher()
	for _, c := range bf.HistoryCues {
		v.historyM.add(c, false, 0)
	}
	v.negWindow = newMatcher()
	for _, c := range bf.Negation.Window {
		v.negWindow.add(c, false, 0)
	}
	v.mentionWin = newMatcher()
	for _, c := range bf.Mention.Window {
		v.mentionWin.add(c, false, 0)
	}
	v.negPrefix, v.posPrefix, v.lossPrefix, v.menPrefix = lowerAll(bf.Negation.Prefix), lowerAll(bf.PositivePrefix), lowerAll(bf.LossPrefix), lowerAll(bf.Mention.Prefix)
	v.filler, v.separators = lowerAll(bf.Negation.Filler), lowerAll(bf.Separators)
	v.methodM = newMatcher()
	for i, m := range bf.Methods {
		v.methods = append(v.methods, m.Name)
		for _, t := range m.Terms {
			v.methodM.add(t, false, i)
		}
	}
	for meth, raw := range bf.MethodsFor {
		if meth == "comment" {
			continue
		}
		var names []string
		if err := json.Unmarshal(raw, &names); err != nil {
			return nil, fmt.Errorf("summary vocabulary: methodsFor %s: %w", meth, err)
		}
		for _, n := range names {
			if v.methodsFor[n] == nil {
				v.methodsFor[n] = map[string]bool{}
			}
			v.methodsFor[n][meth] = true
		}
	}
	v.cloneM = newMatcher()
	for i, c := range bf.Clones {
		v.cloneM.add(c, true, i)
	}

	v.histologies, v.sites = df.Histologies, df.Sites
	v.histM, v.siteM = newMatcher(), newMatcher()
	for i, h := range df.Histologies {
		if h.Name == "" || h.Zh == "" || len(h.Cancers) == 0 {
			return nil, fmt.Errorf("summary vocabulary: histology %d needs a name, a Chinese name and cancer types", i)
		}
		for _, a := range h.Aliases {
			v.histM.add(a, false, i)
		}
	}
	for i, s := range df.Sites {
		for _, a := range s.Aliases {
			v.siteM.add(a, false, i)
		}
	}
	v.lateralM = newMatcher()
	for _, side := range []string{"left", "right", "bilateral"} {
		v.lateral = append(v.lateral, side)
		for _, a := range df.Laterality[side] {
			v.lateralM.add(a, false, len(v.lateral)-1)
		}
	}
	v.diffM = newMatcher()
	for _, g := range []string{"G1", "G2", "G3"} {
		v.diffGrade = append(v.diffGrade, g)
		for _, a := range df.Differentiation[g] {
			v.diffM.add(a, false, len(v.diffGrade)-1)
		}
	}
	v.skipLabels, v.hedges, v.hedgesAfter = lowerAll(df.SkipLabels), lowerAll(df.Hedges), lowerAll(df.HedgesAfter)

	v.kindM = newMatcher()
	for i, k := range ef.Kinds {
		if !validKind(k.Kind) {
			return nil, fmt.Errorf("summary vocabulary: unknown event kind %q", k.Kind)
		}
		v.kinds = append(v.kinds, k.Kind)
		for _, t := range k.Terms {
			v.kindM.add(t, false, i)
		}
	}
	v.futureLbl, v.spanLbl = lowerAll(ef.FutureLabels), lowerAll(ef.SpanLabels)
	v.skipM, v.futureM, v.reportM = newMatcher(), newMatcher(), newMatcher()
	for _, t := range ef.Skip {
		v.skipM.add(t, false, 0)
	}
	for _, t := range ef.Future {
		v.futureM.add(t, false, 0)
	}
	for i, t := range ef.ReportDate {
		v.reportM.add(t, false, i)
	}
	v.months = map[string]int{}
	for k, names := range ef.Months {
		n, err := strconv.Atoi(k)
		if err != nil || n < 1 || n > 12 {
			return nil, fmt.Errorf("summary vocabulary: month %q", k)
		}
		for _, name := range names {
			v.months[strings.TrimSuffix(strings.ToLower(name), ".")] = n
		}
	}
	v.mdyM, v.dmyM = newMatcher(), newMatcher()
	for _, t := range ef.MDYHints {
		v.mdyM.add(strings.TrimSpace(t), true, 0)
	}
	for _, t := range ef.DMYHints {
		v.dmyM.add(strings.TrimSpace(t), true, 0)
	}

	v.words = wf
	for _, p := range wf.Values.Pairs {
		en, err1 := regexp.Compile(p.En)
		zh, err2 := regexp.Compile(p.Zh)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("summary vocabulary: value pattern %q / %q does not compile", p.En, p.Zh)
		}
		v.valuePairs = append(v.valuePairs, valuePair{en: en, zh: zh, toEn: p.ToEn, toZh: p.ToZh})
	}
	for _, r := range Results() {
		if wf.Results[r]["en"] == "" || wf.Results[r]["zh-Hans"] == "" {
			return nil, fmt.Errorf("summary vocabulary: result %q needs words in every language", r)
		}
	}
	for _, k := range Kinds() {
		if wf.Kinds[k]["en"] == "" || wf.Kinds[k]["zh-Hans"] == "" {
			return nil, fmt.Errorf("summary vocabulary: event kind %q needs words in every language", k)
		}
	}
	for _, m := range []*matcher{v.markerM, v.histM, v.siteM, v.lateralM, v.diffM, v.kindM, v.skipM, v.futureM, v.reportM, v.historyM, v.methodM, v.cloneM, v.negWindow, v.mentionWin, v.mdyM, v.dmyM} {
		m.finish()
	}
	for _, m := range v.classCues {
		m.finish()
	}
	return v, nil
}

func lowerAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = foldASCII(x)
	}
	return out
}

// foldASCII lowers ASCII letters only, so that byte offsets stay those of
// the original text.
func foldASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// matcher finds whole-word terms in text. Terms in capitals of up to four
// characters (ER, PR, CT, MSS) and those added as exact match case; the
// others ignore ASCII case.
type matcher struct {
	terms []term
}

type term struct {
	text    string
	exact   bool
	payload int
	// wordStart and wordEnd say whether the term begins and ends with an
	// ASCII letter or digit, which must then not touch another one.
	wordStart, wordEnd bool
}

// hit is a term found in a text: bytes [start, end).
type hit struct {
	start, end int
	payload    int
}

func newMatcher() *matcher { return &matcher{} }

func (m *matcher) add(t string, exact bool, payload int) {
	if t == "" {
		return
	}
	if !exact && len(t) <= 4 && strings.ToUpper(t) == t && strings.ToLower(t) != t {
		exact = true
	}
	if !exact {
		t = foldASCII(t)
	}
	m.terms = append(m.terms, term{text: t, exact: exact, payload: payload, wordStart: isWordByte(t[0]), wordEnd: isWordByte(t[len(t)-1])})
}

// finish orders the terms longest first, so that the longest term at a
// place wins.
func (m *matcher) finish() {
	sort.SliceStable(m.terms, func(i, j int) bool { return len(m.terms[i].text) > len(m.terms[j].text) })
}

// find returns the non-overlapping hits in text (folded is foldASCII(text)),
// leftmost first and, at one place, longest first.
func (m *matcher) find(text, folded string) []hit {
	var all []hit
	for _, t := range m.terms {
		s := folded
		if t.exact {
			s = text
		}
		off := 0
		for {
			i := strings.Index(s[off:], t.text)
			if i < 0 {
				break
			}
			start := off + i
			end := start + len(t.text)
			off = start + 1
			if t.wordStart && start > 0 && isWordByte(s[start-1]) {
				continue
			}
			if t.wordEnd && end < len(s) && isWordByte(s[end]) {
				continue
			}
			all = append(all, hit{start: start, end: end, payload: t.payload})
		}
	}
	if len(all) == 0 {
		return nil
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].start != all[j].start {
			return all[i].start < all[j].start
		}
		return all[i].end > all[j].end
	})
	out := all[:0]
	last := -1
	for _, h := range all {
		if h.start >= last {
			out = append(out, h)
			last = h.end
		}
	}
	return out
}

// first returns the first hit in text, if any.
func (m *matcher) first(text string) (hit, bool) {
	hs := m.find(text, foldASCII(text))
	if len(hs) == 0 {
		return hit{}, false
	}
	return hs[0], true
}
