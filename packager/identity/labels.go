package identity

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"dossier/assets"
)

// Labelled is one identity value read after a label in a document's text
// ("DOB: 09.05.1970").
type Labelled struct {
	Kind Kind
	// Value is normalised for its kind: a birth date as YYYYMMDD, a name
	// as written (or "FAMILY^Given" when family and given name were
	// separate fields).
	Value string
	// Label is the label as the vocabulary spells it ("DOB", "姓名").
	Label string
}

// labelKind is what a label's value is: a Kind, or one half of a name.
type labelKind string

const (
	labelFamily labelKind = "family"
	labelGiven  labelKind = "given"
	labelStop   labelKind = "stop"
)

type labelInfo struct {
	kind       labelKind
	label      string // as in the vocabulary, without a trailing colon
	needsColon bool
}

type labelVocabulary struct {
	m       *Matcher
	byLabel map[string]labelInfo // by the label's text as its Source
}

var (
	labelsOnce sync.Once
	labels     labelVocabulary
)

// vocabulary reads assets/identity/labels.json into a Matcher over the
// labels: it finds them whatever their case, accents and spacing.
func vocabulary() labelVocabulary {
	labelsOnce.Do(func() {
		b, err := assets.Identity.ReadFile("identity/labels.json")
		if err != nil {
			panic(fmt.Sprintf("identity: the label vocabulary is missing: %v", err))
		}
		raw := map[string]json.RawMessage{}
		if err := json.Unmarshal(b, &raw); err != nil {
			panic(fmt.Sprintf("identity: the label vocabulary does not parse: %v", err))
		}
		labels.byLabel = map[string]labelInfo{}
		kinds := make([]string, 0, len(raw))
		for k := range raw {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		var needles []Needle
		for _, k := range kinds {
			if strings.HasPrefix(k, "_") {
				continue
			}
			var list []string
			if err := json.Unmarshal(raw[k], &list); err != nil {
				panic(fmt.Sprintf("identity: the labels of %s do not parse: %v", k, err))
			}
			for _, l := range list {
				info := labelInfo{kind: labelKind(k), label: strings.TrimSuffix(l, ":"), needsColon: strings.HasSuffix(l, ":")}
				if _, dup := labels.byLabel[info.label]; dup || Fold(info.label) == "" {
					continue
				}
				labels.byLabel[info.label] = info
				needles = append(needles, Needle{Text: info.label, Kind: Kind(k), Source: info.label})
			}
		}
		labels.m = newMatcher(needles, 2)
	})
	return labels
}

// labelHit is one label found in text.
type labelHit struct {
	info       labelInfo
	start, end int // the label and its colon
}

// ReadLabels finds the identity fields of a document's header in its text:
// a label from the vocabulary (assets/identity/labels.json: "Patient:",
// "Name:", "DOB", "Date of birth", "MRN", "Hospital number",
// "Geburtsdatum", "Nom", "Né(e) le", "Fecha de nacimiento", 姓名, 出生日期,
// 住院号, 病理号, 门诊号, 病案号, ...) followed by a value of its kind on
// the same line (or alone on the next line). A value ends at the line's
// end, at the next label (性别, 年龄 and other non-identity labels end it
// too) or at a wide gap between columns. Values that do not look like
// their kind (a "name" with digits, a date that is not one) are ignored.
func ReadLabels(text string) []Labelled {
	v := vocabulary()
	var hits []labelHit
	lastEnd := -1
	for _, sp := range v.m.FindAll(text) {
		if sp.End <= lastEnd {
			continue // inside a longer label found first ("name" in "Patient name")
		}
		info, ok := v.byLabel[sp.Source]
		if !ok {
			continue
		}
		s, e := sp.Start, sp.End
		// A label that ends in a dot ("Geb.") keeps it.
		if strings.HasSuffix(info.label, ".") && strings.HasPrefix(text[e:], ".") {
			e++
		}
		end := e
		k := e
		for k < len(text) && (text[k] == ' ' || text[k] == '\t') {
			k++
		}
		colon := false
		if strings.HasPrefix(text[k:], ":") {
			colon, end = true, k+1
		} else if strings.HasPrefix(text[k:], "：") {
			colon, end = true, k+len("：")
		} else if strings.HasPrefix(text[k:], "-") || strings.HasPrefix(text[k:], "–") {
			_, sz := utf8.DecodeRuneInString(text[k:])
			end = k + sz
		}
		if info.needsColon && !colon {
			continue
		}
		hits = append(hits, labelHit{info: info, start: s, end: end})
		lastEnd = e
	}
	var out []Labelled
	var family, given []Labelled
	for i, h := range hits {
		if h.info.kind == labelStop {
			continue
		}
		limit := len(text)
		if i+1 < len(hits) {
			limit = hits[i+1].start
		}
		val := fieldValue(text[h.end:limit])
		if val == "" {
			continue
		}
		switch h.info.kind {
		case labelFamily, labelGiven:
			if n, ok := nameValue(val, true); ok {
				l := Labelled{Kind: Name, Value: n, Label: h.info.label}
				if h.info.kind == labelFamily {
					family = append(family, l)
				} else {
					given = append(given, l)
				}
			}
		case labelKind(Name):
			if n, ok := nameValue(val, false); ok {
				out = append(out, Labelled{Kind: Name, Value: n, Label: h.info.label})
			}
		case labelKind(BirthDate):
			for _, d := range dateValues(val) {
				out = append(out, Labelled{Kind: BirthDate, Value: d, Label: h.info.label})
			}
		case labelKind(ID):
			if id, ok := idValue(val); ok {
				out = append(out, Labelled{Kind: ID, Value: id, Label: h.info.label})
			}
		case labelKind(Phone):
			if p, ok := phoneValue(val); ok {
				out = append(out, Labelled{Kind: Phone, Value: p, Label: h.info.label})
			}
		case labelKind(Address):
			if len(strings.Fields(val)) >= 2 && strings.ContainsFunc(val, unicode.IsLetter) && len(val) <= 120 {
				out = append(out, Labelled{Kind: Address, Value: val, Label: h.info.label})
			}
		}
	}
	// Family and given name from separate fields make one name.
	for i := range min(len(family), len(given)) {
		out = append(out, Labelled{Kind: Name, Value: family[i].Value + "^" + given[i].Value, Label: family[i].Label + " + " + given[i].Label})
	}
	for _, l := range append(family, given...) {
		if len(strings.Fields(l.Value)) >= 2 || hasCJK(l.Value) {
			out = append(out, l) // a whole name in one field after all
		}
	}
	return out
}

// fieldValue cuts a label's value from the text after it: to the end of
// the line (or of the next line, when the label ends its line), to a gap of
// three spaces or a tab between columns, or to a '|' or ';'.
func fieldValue(s string) string {
	s = strings.TrimLeft(s, " \t")
	if strings.HasPrefix(s, "\r\n") {
		s = s[2:]
	} else if strings.HasPrefix(s, "\n") {
		s = s[1:]
	}
	s = strings.TrimLeft(s, " \t")
	end := len(s)
	for _, stop := range []string{"\n", "\r", "\t", "   ", "|", ";", "　　"} {
		if i := strings.Index(s, stop); i >= 0 && i < end {
			end = i
		}
	}
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(s[:end]), ",."))
}

// titles are words before a name that are not part of it.
var titles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "dr": true, "prof": true, "herr": true, "frau": true,
	"m": true, "mme": true, "mlle": true, "sr": true, "sra": true, "srta": true, "sig": true, "sigra": true,
	"dhr": true, "mevr": true, "hr": true, "fru": true, "fr": true,
}

// nameValue checks and cleans a name read after a label: letters, spaces,
// hyphens, apostrophes and commas only, one word for a family or given
// name field and up to six otherwise, or two to four Han characters.
func nameValue(v string, part bool) (string, bool) {
	if hasCJK(v) {
		var b strings.Builder
		for _, r := range strings.TrimSpace(v) {
			if r == ' ' || r == '　' {
				continue // "张 伟": spaced out to fill the field
			}
			if !cjk(r) && r != '·' && r != '・' {
				break
			}
			b.WriteRune(r)
		}
		n := b.String()
		if c := utf8.RuneCountInString(n); c < 2 || c > 5 {
			return "", false
		}
		return n, true
	}
	// What follows the name on its line: "Jane Doe, 45 years", "Mrs Jane
	// Doe (DOB ...)", "Doe, Jane / 1970".
	if i := strings.IndexFunc(v, func(r rune) bool { return unicode.IsDigit(r) || strings.ContainsRune("([/|–—", r) }); i >= 0 {
		v = v[:i]
	}
	if i := strings.Index(v, " - "); i >= 0 {
		v = v[:i]
	}
	if parts := strings.Split(v, ","); len(parts) > 1 {
		if len(strings.Fields(parts[0])) >= 2 {
			v = parts[0]
		} else {
			v = parts[0] + ", " + strings.TrimSpace(parts[1])
		}
	}
	v = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), ",.-"))
	words := strings.Fields(v)
	for len(words) > 0 && titles[Fold(words[0])] {
		words = words[1:]
	}
	if len(words) == 0 || len(words) > 6 {
		return "", false
	}
	for _, w := range words {
		for _, r := range w {
			if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && !strings.ContainsRune("-'’.,", r) {
				return "", false
			}
		}
	}
	n := strings.Join(words, " ")
	if !part && len(words) < 2 && !strings.Contains(n, ",") {
		return "", false // a lone word after "Name:" is not a whole name
	}
	if len(Fold(n)) < 2 {
		return "", false
	}
	return n, true
}

func hasCJK(s string) bool { return strings.ContainsFunc(s, cjk) }

var (
	reISODate  = regexp.MustCompile(`^(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?:\D|$)`)
	reNumDate  = regexp.MustCompile(`^(\d{1,2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{4})(?:\D|$)`)
	reCompact  = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})(?:\D|$)`)
	reHanDate  = regexp.MustCompile(`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})`)
	reDayToken = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th|er|º|°)?$`)
)

// dateValues reads a birth date at the start of a value, in the formats
// DateSpellings writes; a numeric date whose day and month could be either
// way round gives both readings. Dates are returned as YYYYMMDD.
func dateValues(v string) []string {
	v = strings.TrimSpace(v)
	// Full-width digits, as Chinese and Japanese text has them.
	v = strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + r - '０'
		}
		return r
	}, v)
	ymd := func(y, m, d string) (string, bool) {
		yi, _ := strconv.Atoi(y)
		mi, _ := strconv.Atoi(m)
		di, _ := strconv.Atoi(d)
		if yi < 1850 || yi > 2200 || mi < 1 || mi > 12 || di < 1 || di > 31 {
			return "", false
		}
		s := fmt.Sprintf("%04d%02d%02d", yi, mi, di)
		_, ok := ParseDate(s)
		return s, ok
	}
	var out []string
	try := func(y, m, d string) {
		if s, ok := ymd(y, m, d); ok {
			out = append(out, s)
		}
	}
	if m := reHanDate.FindStringSubmatch(v); m != nil {
		try(m[1], m[2], m[3])
		return out
	}
	if m := reISODate.FindStringSubmatch(v); m != nil {
		try(m[1], m[2], m[3])
		return out
	}
	if m := reCompact.FindStringSubmatch(v); m != nil {
		try(m[1], m[2], m[3])
		return out
	}
	if m := reNumDate.FindStringSubmatch(v); m != nil {
		try(m[3], m[2], m[1]) // day first
		try(m[3], m[1], m[2]) // month first
		if len(out) == 2 && out[0] == out[1] {
			out = out[:1]
		}
		return out
	}
	// A written month: "9 May 1970", "May 9, 1970", "9. Mai 1970",
	// "9 de mayo de 1970", "1er mai 1970".
	words := strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != 'º' && r != '°' })
	day, month, year := "", 0, ""
	for i, w := range words {
		if i >= 6 {
			break
		}
		f := Fold(w)
		switch {
		case len(w) == 4 && allDigits(w) && year == "":
			year = w
		case reDayToken.MatchString(f) && day == "":
			day = reDayToken.FindStringSubmatch(f)[1]
		case month == 0:
			month = monthNumber(f)
		}
	}
	if day != "" && month != 0 && year != "" {
		try(year, strconv.Itoa(month), day)
	}
	return out
}

// monthNumber returns 1 to 12 for a folded month name or abbreviation in
// any language of the month table, or 0.
func monthNumber(folded string) int {
	if folded == "" {
		return 0
	}
	for _, t := range monthNames() {
		for i := range 12 {
			if Fold(t.Months[i]) == folded || Fold(t.Short[i]) == folded {
				return i + 1
			}
		}
	}
	return 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// idValue reads an ID at the start of a value: letters, digits and
// separators (NHS numbers are written "943 476 5919"), with a digit, at
// least four letters and digits long.
func idValue(v string) (string, bool) {
	words := strings.Fields(v)
	if len(words) == 0 {
		return "", false
	}
	id := strings.Trim(words[0], ".,:;()")
	// Digit groups that follow ("943 476 5919") are part of it.
	if allDigits(id) {
		for _, w := range words[1:] {
			if !allDigits(w) || len(w) > 4 {
				break
			}
			id += " " + w
		}
	}
	n := 0
	hasDigit := false
	for _, r := range id {
		switch {
		case unicode.IsDigit(r):
			hasDigit = true
			n++
		case unicode.IsLetter(r):
			n++
		case !strings.ContainsRune("-/. ", r):
			return "", false
		}
	}
	if !hasDigit || n < 4 {
		return "", false
	}
	return id, true
}

// phoneValue reads a phone number at the start of a value: digits with
// spaces, dashes, dots, slashes and brackets, and a leading +, with at
// least 7 digits.
func phoneValue(v string) (string, bool) {
	end := 0
	for i, r := range v {
		if !(r >= '0' && r <= '9' || strings.ContainsRune(" +-()./", r)) {
			break
		}
		end = i + utf8.RuneLen(r)
	}
	p := strings.TrimSpace(strings.TrimRight(v[:end], " -./("))
	if len(digits(p)) < 7 {
		return "", false
	}
	return p, true
}

// AddLabelled reads the labelled identity fields of a document's text (see
// ReadLabels) into s, each with the source "document label 'DOB' in
// report.pdf", and returns what it added.
func (s *Set) AddLabelled(text, document string) []Token {
	var out []Token
	for _, l := range ReadLabels(text) {
		src := fmt.Sprintf("document label '%s' in %s", l.Label, document)
		before := s.Len()
		s.Add(l.Kind, l.Value, src)
		if s.Len() > before {
			out = append(out, Token{Kind: l.Kind, Value: Normalize(l.Value), Source: src})
		}
	}
	return out
}
