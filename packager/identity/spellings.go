package identity

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Needle is one spelling of a token to search written bytes for.
type Needle struct {
	// Text is matched case-insensitively (ASCII letters fold; other
	// characters must match exactly, in UTF-8 or Latin-1).
	Text string
	// Kind and Source say which token it spells, for reports. Reports never
	// show Text itself.
	Kind   Kind
	Source string
}

// minNeedle is the shortest spelling searched for: shorter ones match by
// chance in binary data.
const minNeedle = 5

// Needles returns the usual spellings of every token: names as DICOM writes
// them and as people do ("DOE^JANE", "Jane Doe", "DOE, JANE"), birth dates
// in the common date formats, IDs, accession and phone numbers with and
// without separators, and address lines. Single given or family names are
// not included (they match unrelated words); the full names are.
func (s *Set) Needles() []Needle {
	seen := map[string]bool{}
	var out []Needle
	add := func(t Token, text string) {
		text = strings.TrimSpace(text)
		key := strings.ToLower(text)
		if len(text) < minNeedle || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, Needle{Text: text, Kind: t.Kind, Source: t.Source})
	}
	for _, t := range s.Tokens() {
		switch t.Kind {
		case Name:
			for _, v := range NameSpellings(t.Value) {
				add(t, v)
			}
		case BirthDate:
			for _, v := range DateSpellings(t.Value) {
				add(t, v)
			}
		case Phone:
			add(t, t.Value)
			if d := digits(t.Value); len(d) >= 7 {
				add(t, d)
				add(t, d[len(d)-7:]) // the local number without area or country code
			}
		case Address:
			add(t, t.Value)
			for _, part := range strings.FieldsFunc(t.Value, func(r rune) bool { return r == ',' || r == '^' || r == '\n' || r == ';' }) {
				if p := strings.TrimSpace(part); strings.ContainsFunc(p, unicode.IsLetter) {
					add(t, p)
				}
			}
		default:
			add(t, t.Value)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Text < out[j].Text })
	return out
}

// NameSpellings returns the ways a person's name is commonly written, from
// a DICOM person name ("FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX") or a plain one.
func NameSpellings(name string) []string {
	name = Normalize(name)
	if name == "" {
		return nil
	}
	var family, given, middle string
	if strings.Contains(name, "^") {
		parts := strings.Split(strings.SplitN(name, "=", 2)[0], "^")
		family = strings.TrimSpace(parts[0])
		if len(parts) > 1 {
			given = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			middle = strings.TrimSpace(parts[2])
		}
	} else if f, g, ok := strings.Cut(name, ","); ok {
		family, given = strings.TrimSpace(f), strings.TrimSpace(g)
	} else {
		words := strings.Fields(name)
		if len(words) < 2 {
			return []string{name}
		}
		given, family = strings.Join(words[:len(words)-1], " "), words[len(words)-1]
	}
	out := []string{name}
	if family == "" || given == "" {
		return append(out, family+given)
	}
	out = append(out,
		family+"^"+given,
		given+" "+family,
		family+", "+given,
		family+","+given,
		family+" "+given,
	)
	if middle != "" {
		out = append(out, given+" "+middle+" "+family, family+", "+given+" "+middle)
	}
	return out
}

// DateSpellings returns the common spellings of a date given as YYYYMMDD or
// YYYY-MM-DD: "19610203", "1961-02-03", "03/02/1961", "02/03/1961",
// "03.02.1961", "3 Feb 1961", "3 February 1961", "February 3, 1961", ...
func DateSpellings(v string) []string {
	v = strings.TrimSpace(v)
	var t time.Time
	var err error
	switch {
	case len(v) == 8:
		t, err = time.Parse("20060102", v)
	case len(v) == 10:
		t, err = time.Parse("2006-01-02", v)
	default:
		return []string{v}
	}
	if err != nil {
		return []string{v}
	}
	d, m, y := t.Day(), int(t.Month()), t.Year()
	return []string{
		t.Format("20060102"),
		t.Format("2006-01-02"),
		fmt.Sprintf("%02d/%02d/%d", d, m, y), // day first
		fmt.Sprintf("%02d/%02d/%d", m, d, y), // month first
		fmt.Sprintf("%d/%d/%d", d, m, y),
		fmt.Sprintf("%d/%d/%d", m, d, y),
		fmt.Sprintf("%02d.%02d.%d", d, m, y),
		fmt.Sprintf("%02d-%02d-%d", d, m, y),
		t.Format("2 Jan 2006"),
		t.Format("02 Jan 2006"),
		t.Format("2 January 2006"),
		t.Format("January 2, 2006"),
		t.Format("Jan 2, 2006"),
		t.Format("2-Jan-2006"),
		t.Format("02-Jan-2006"),
	}
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
