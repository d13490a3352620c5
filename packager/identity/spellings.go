package identity

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"dossier/assets"
)

// Needle is one spelling of a token to search for.
type Needle struct {
	// Text is one way the token is written. The leak scan of raw bytes
	// matches it case-insensitively (ASCII letters fold; other characters
	// must match exactly, in UTF-8 or Latin-1); the Matcher compares it
	// folded (accents, case and spacing ignored).
	Text string
	// Kind and Source say which token it spells, for reports. Reports never
	// show Text itself.
	Kind   Kind
	Source string
}

// minNeedle is the shortest spelling searched for, in bytes: shorter ones
// match by chance in binary data.
const minNeedle = 5

// Needles returns the spellings of every token: names as DICOM writes them
// and as people do (with and without middle names, family name first,
// initials with the family name, "FAMILY, Given"), in plain ASCII too
// ("Jorgen", "Joergen" for "Jørgen"); birth dates in numeric formats and
// with month names in English, German, French, Spanish, Italian, Dutch and
// the Nordic languages, and as 1970年5月9日; IDs, accession and specimen
// numbers with and without separators; phone numbers in their international
// and national forms; the street line and postcode with city of addresses.
// Lone given or family names and initials are not included: they match
// unrelated words. The Matcher built from the needles also finds them with
// other spacing, case and accents.
func (s *Set) Needles() []Needle {
	seen := map[string]bool{}
	var out []Needle
	add := func(t Token, text string) {
		text = strings.TrimSpace(text)
		if len(text) < minNeedle || !heavyEnough(Fold(text)) {
			return
		}
		key := string(t.Kind) + "\x00" + strings.ToLower(text)
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, Needle{Text: text, Kind: t.Kind, Source: t.Source})
	}
	for _, t := range s.Tokens() {
		var spellings []string
		switch t.Kind {
		case Name:
			spellings = NameSpellings(t.Value)
		case BirthDate:
			spellings = DateSpellings(t.Value)
		case Phone:
			spellings = PhoneSpellings(t.Value)
		case Address:
			spellings = AddressSpellings(t.Value)
		case ID, Accession, Specimen:
			spellings = IDSpellings(t.Value)
		default:
			spellings = []string{t.Value}
		}
		for _, v := range spellings {
			add(t, v)
			for _, a := range ASCIIForms(v) {
				add(t, a)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Text != out[j].Text {
			return out[i].Text < out[j].Text
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// Matcher returns a matcher for every spelling of the set's tokens.
func (s *Set) Matcher() *Matcher { return NewMatcher(s.Needles()) }

// person is one written form of a person's name.
type person struct {
	family, given string
	middle        []string
}

// parseName splits a DICOM person name ("FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX",
// with ideographic and phonetic groups after "="), "Family, Given Middle"
// or "Given Middle Family" into its groups.
func parseName(name string) []person {
	var out []person
	for _, group := range strings.Split(name, "=") {
		group = strings.TrimSpace(strings.TrimRight(group, "^ "))
		if group == "" {
			continue
		}
		var p person
		switch {
		case strings.Contains(group, "^"):
			parts := strings.Split(group, "^")
			p.family = strings.TrimSpace(parts[0])
			if len(parts) > 1 {
				p.given = strings.TrimSpace(parts[1])
			}
			if len(parts) > 2 {
				p.middle = strings.Fields(parts[2])
			}
			if gw := strings.Fields(p.given); len(gw) > 1 {
				p.given, p.middle = gw[0], append(gw[1:], p.middle...)
			}
		case strings.Contains(group, ","):
			f, g, _ := strings.Cut(group, ",")
			p.family = strings.TrimSpace(f)
			gw := strings.Fields(g)
			if len(gw) > 0 {
				p.given, p.middle = gw[0], gw[1:]
			}
		default:
			words := strings.Fields(group)
			switch len(words) {
			case 0:
				continue
			case 1:
				p.family = words[0]
			default:
				p.given, p.family, p.middle = words[0], words[len(words)-1], words[1:len(words)-1]
			}
		}
		out = append(out, p)
	}
	return out
}

// initial returns the first letter of a name, or "" for names in scripts
// without initials.
func initial(name string) string {
	for _, r := range name {
		if !unicode.IsLetter(r) || cjk(r) {
			return ""
		}
		return string(r)
	}
	return ""
}

// NameSpellings returns the ways a person's name is commonly written, from
// a DICOM person name (every component group: alphabetic, ideographic and
// phonetic) or a plain one: as given, "FAMILY^GIVEN", "Given Family" with
// and without middle names, "Family Given", "FAMILY, Given" (with the middle
// names too), and initials with the family name ("J. Doe", "J Doe",
// "J. M. Doe", "Doe, J."). Family and given name written together without a
// space are included for scripts that do not separate words ("山田太郎").
func NameSpellings(name string) []string {
	name = Normalize(name)
	if name == "" {
		return nil
	}
	out := []string{name}
	for _, p := range parseName(name) {
		if p.given == "" || p.family == "" {
			out = append(out, p.family+p.given)
			continue
		}
		f, g := p.family, p.given
		mid := strings.Join(p.middle, " ")
		out = append(out,
			f+"^"+g,
			g+" "+f,
			f+" "+g,
			f+", "+g,
			f+","+g,
			f+g,
		)
		if mid != "" {
			out = append(out,
				f+"^"+g+"^"+mid,
				g+" "+mid+" "+f,
				f+", "+g+" "+mid,
				f+" "+g+" "+mid,
			)
		}
		if gi := initial(g); gi != "" {
			out = append(out, gi+". "+f, gi+" "+f, f+", "+gi+".", f+" "+gi+".", f+" "+gi)
			var mi []string
			for _, m := range p.middle {
				if i := initial(m); i != "" {
					mi = append(mi, i+".")
				}
			}
			if len(mi) > 0 {
				out = append(out, gi+". "+strings.Join(mi, " ")+" "+f, g+" "+strings.Join(mi, " ")+" "+f)
			}
		}
	}
	return out
}

// monthTable is one language's month names and date formats
// (assets/identity/months.json).
type monthTable struct {
	Months  []string `json:"months"`
	Short   []string `json:"short"`
	Formats []string `json:"formats"`
}

var (
	monthsOnce sync.Once
	months     map[string]monthTable
)

// monthNames returns the month tables by language code.
func monthNames() map[string]monthTable {
	monthsOnce.Do(func() {
		b, err := assets.Identity.ReadFile("identity/months.json")
		if err != nil {
			panic(fmt.Sprintf("identity: the month names are missing: %v", err))
		}
		raw := map[string]json.RawMessage{}
		if err := json.Unmarshal(b, &raw); err != nil {
			panic(fmt.Sprintf("identity: the month names do not parse: %v", err))
		}
		months = map[string]monthTable{}
		for lang, v := range raw {
			if strings.HasPrefix(lang, "_") {
				continue
			}
			var t monthTable
			if err := json.Unmarshal(v, &t); err != nil || len(t.Months) != 12 || len(t.Short) != 12 {
				panic(fmt.Sprintf("identity: the month names of %s are not 12", lang))
			}
			months[lang] = t
		}
	})
	return months
}

// ParseDate reads a date written as YYYYMMDD or YYYY-MM-DD (and the other
// ISO-like forms with / or .), returning it as a time in UTC.
func ParseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"20060102", "2006-01-02", "2006/01/02", "2006.01.02", "2006-1-2"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func englishOrdinal(d int) string {
	switch {
	case d%100 >= 11 && d%100 <= 13:
		return strconv.Itoa(d) + "th"
	case d%10 == 1:
		return strconv.Itoa(d) + "st"
	case d%10 == 2:
		return strconv.Itoa(d) + "nd"
	case d%10 == 3:
		return strconv.Itoa(d) + "rd"
	}
	return strconv.Itoa(d) + "th"
}

// DateSpellings returns the spellings of a date given as YYYYMMDD or
// YYYY-MM-DD: numeric ("19610203", "1961-02-03", "03.02.1961", "03/02/1961"
// day first and "02/03/1961" month first, "3.2.1961", "03.02.61"), with the
// month's name in English, German, French, Spanish, Italian, Dutch, Danish,
// Norwegian and Swedish ("3 February 1961", "3. Februar 1961", "3 février
// 1961", "3 de febrero de 1961", ...), and in Chinese and Japanese
// ("1961年2月3日", "1961年02月03日"). Anything else is returned as given.
func DateSpellings(v string) []string {
	t, ok := ParseDate(v)
	if !ok {
		return []string{strings.TrimSpace(v)}
	}
	d, m, y := t.Day(), int(t.Month()), t.Year()
	out := []string{
		t.Format("20060102"),
		t.Format("2006-01-02"),
		t.Format("2006/01/02"),
		t.Format("2006.01.02"),
		fmt.Sprintf("%02d/%02d/%d", d, m, y), // day first
		fmt.Sprintf("%02d/%02d/%d", m, d, y), // month first
		fmt.Sprintf("%d/%d/%d", d, m, y),
		fmt.Sprintf("%d/%d/%d", m, d, y),
		fmt.Sprintf("%02d.%02d.%d", d, m, y),
		fmt.Sprintf("%d.%d.%d", d, m, y),
		fmt.Sprintf("%02d.%02d.%02d", d, m, y%100),
		fmt.Sprintf("%02d-%02d-%d", d, m, y),
		fmt.Sprintf("%02d-%02d-%d", m, d, y),
		fmt.Sprintf("%d年%d月%d日", y, m, d),
		fmt.Sprintf("%d年%02d月%02d日", y, m, d),
	}
	langs := make([]string, 0, len(monthNames()))
	for l := range monthNames() {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		tb := monthNames()[l]
		d1 := strconv.Itoa(d)
		if d == 1 && l == "fr" {
			d1 = "1er"
		}
		r := strings.NewReplacer(
			"{dd}", fmt.Sprintf("%02d", d),
			"{d1}", d1,
			"{do}", englishOrdinal(d),
			"{d}", strconv.Itoa(d),
			"{month}", tb.Months[m-1],
			"{mon}", tb.Short[m-1],
			"{yyyy}", strconv.Itoa(y),
		)
		for _, f := range tb.Formats {
			out = append(out, r.Replace(f))
			if strings.Contains(f, "{d1}") && d == 1 {
				out = append(out, strings.NewReplacer("{d1}", "1", "{month}", tb.Months[m-1], "{mon}", tb.Short[m-1], "{yyyy}", strconv.Itoa(y), "{dd}", "01").Replace(f))
			}
		}
	}
	return out
}

// phoneTable maps calling codes to trunk prefixes
// (assets/identity/phone.json).
var (
	phoneOnce  sync.Once
	trunkOf    map[string]string
	longestCCs int
)

func callingCodes() map[string]string {
	phoneOnce.Do(func() {
		b, err := assets.Identity.ReadFile("identity/phone.json")
		if err != nil {
			panic(fmt.Sprintf("identity: the calling codes are missing: %v", err))
		}
		var v struct {
			Codes map[string]string `json:"codes"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			panic(fmt.Sprintf("identity: the calling codes do not parse: %v", err))
		}
		trunkOf = v.Codes
		for c := range trunkOf {
			longestCCs = max(longestCCs, len(c))
		}
	})
	return trunkOf
}

// SplitPhone reads a phone number: for an international one ("+47 912 34
// 567", "0047 91234567") its calling code, the national number and the
// country's trunk prefix; for a national one ("020 7946 0000") just its
// digits as national number (the trunk prefix is not known then).
func SplitPhone(v string) (cc, national, trunk string) {
	v = strings.TrimSpace(v)
	d := digits(v)
	intl := strings.HasPrefix(v, "+")
	if !intl && strings.HasPrefix(d, "00") {
		intl, d = true, d[2:]
	}
	if !intl {
		return "", d, ""
	}
	codes := callingCodes()
	for n := min(longestCCs, len(d)-1); n >= 1; n-- {
		if tr, ok := codes[d[:n]]; ok {
			rest := d[n:]
			if tr != "" && strings.HasPrefix(rest, tr) && len(rest) > 8 {
				rest = rest[len(tr):] // "+44 (0)20 ..." wrote the trunk prefix too
			}
			return d[:n], rest, tr
		}
	}
	return "", d, ""
}

// PhoneSpellings returns a phone number's spellings: as given, its digits,
// the international forms (+47 91234567, 004791234567, +44 (0)20...), the
// national forms (912 34 567 grouped as given, with the country's trunk
// prefix where it has one: 020 7946 0000), and the local number without
// area code (its last 7 digits).
func PhoneSpellings(v string) []string {
	v = strings.TrimSpace(v)
	out := []string{v}
	cc, nat, trunk := SplitPhone(v)
	if d := digits(v); d != "" {
		out = append(out, d)
	}
	if cc != "" {
		out = append(out, "+"+cc+nat, "+"+cc+" "+nat, "00"+cc+nat, cc+nat, nat)
		if trunk != "" {
			out = append(out, trunk+nat, "+"+cc+trunk+nat, "+"+cc+" ("+trunk+") "+nat)
		}
		// The national part as the user grouped it: everything after the
		// calling code.
		if i := strings.Index(v, cc); i >= 0 {
			grouped := strings.TrimLeft(v[i+len(cc):], " -.()/")
			out = append(out, grouped)
			if trunk != "" && !strings.HasPrefix(digits(grouped), trunk) {
				out = append(out, trunk+grouped, trunk+" "+grouped)
			}
		}
	} else if strings.HasPrefix(nat, "0") && len(nat) >= 8 {
		out = append(out, nat[1:]) // without the trunk prefix
	}
	if len(nat) > 7 {
		out = append(out, nat[len(nat)-7:])
	}
	return out
}

// IDSpellings returns an ID's spellings: as given, without its separators
// ("PID-0042", "PID0042"), with spaces for separators, and its digits alone
// when they are long enough to identify: 6 or more after leading zeros, so
// "ACC000003" is not searched for as "000003", which Dossier's own numbered
// file names (IM000003) and any counter hold.
func IDSpellings(v string) []string {
	v = strings.TrimSpace(v)
	out := []string{v}
	compact := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, v)
	out = append(out, compact)
	spaced := strings.Join(strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
	out = append(out, spaced)
	if d := digits(v); len(strings.TrimLeft(d, "0")) >= 6 && d != compact {
		out = append(out, d)
	}
	return out
}

// AddressSpellings returns the identifying parts of an address: the whole,
// the street line (a part with a house number), and the postcode with the
// city in either order. A city alone is not included: it names thousands of
// people, and hospitals in reports.
func AddressSpellings(v string) []string {
	v = strings.TrimSpace(v)
	out := []string{v}
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '^' || r == '\n' || r == ';' || r == '\r' })
	var postcodes, cities []string
	for i, part := range parts {
		p := strings.TrimSpace(part)
		if p == "" {
			continue
		}
		hasLetter := strings.ContainsFunc(p, unicode.IsLetter)
		hasDigit := strings.ContainsFunc(p, unicode.IsDigit)
		switch {
		case hasLetter && hasDigit:
			out = append(out, p) // "12 Elm Street", "0123 Oslo", "Elm Street 12"
			if w := strings.Fields(p); len(w) >= 2 && postcode(w[0]) && !strings.ContainsFunc(strings.Join(w[1:], ""), unicode.IsDigit) {
				postcodes, cities = append(postcodes, w[0]), append(cities, strings.Join(w[1:], " "))
			}
		case hasDigit && postcode(p):
			postcodes = append(postcodes, p)
		case hasLetter:
			if i == 0 && len(strings.Fields(p)) >= 2 {
				out = append(out, p) // a street line without a number
			}
			cities = append(cities, p)
		}
	}
	for _, pc := range postcodes {
		for _, c := range cities {
			out = append(out, pc+" "+c, c+" "+pc, c+", "+pc)
		}
	}
	return out
}

// postcode reports whether s looks like a postcode: 3 to 10 characters of
// digits, letters, a space or a dash, with a digit.
func postcode(s string) bool {
	if len(s) < 3 || len(s) > 10 || !strings.ContainsFunc(s, unicode.IsDigit) {
		return false
	}
	for _, r := range s {
		if !(r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == ' ' || r == '-') {
			return false
		}
	}
	return true
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
