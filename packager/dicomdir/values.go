package dicomdir

// Value normalisation: what a header holds, made fit for a directory
// record (UIDs checked, texts cut to their VR's length, names, codes,
// dates and times in the forms PS3.5 allows).

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

func trimUID(s string) string { return strings.TrimRight(strings.TrimSpace(s), "\x00 ") }

// validUID reports whether s is a UID: 1 to 64 characters of digits and
// dots, no empty component.
func validUID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range strings.Split(s, ".") {
		if c == "" {
			return false
		}
		for i := 0; i < len(c); i++ {
			if c[i] < '0' || c[i] > '9' {
				return false
			}
		}
	}
	return true
}

// text returns s as a single value of at most max characters: valid UTF-8,
// control characters and backslashes replaced by spaces, surrounding spaces
// trimmed.
func text(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F || r == '\\' {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
		s = strings.TrimRight(s, " ")
	}
	return s
}

// personName normalises a PN value: at most three component groups of at
// most 64 characters each.
func personName(s string) string {
	groups := strings.Split(s, "=")
	if len(groups) > 3 {
		groups = groups[:3]
	}
	for i, g := range groups {
		groups[i] = text(g, 64)
	}
	return strings.TrimRight(strings.Join(groups, "="), "=")
}

// nameKey returns the first non-empty component group of a PN value:
// names that differ only in their ideographic or phonetic groups
// ("Yamada^Tarou" and "Yamada^Tarou=山田^太郎") are one patient.
func nameKey(pn string) string {
	for _, g := range strings.Split(pn, "=") {
		if strings.Trim(g, "^ ") != "" {
			return g
		}
	}
	return ""
}

// groups counts the non-empty component groups of a PN value.
func groups(pn string) int {
	n := 0
	for _, g := range strings.Split(pn, "=") {
		if strings.Trim(g, "^ ") != "" {
			n++
		}
	}
	return n
}

// codeString returns a Modality value: upper case [A-Z0-9_ ], at most 16
// characters, or "OT" when nothing is left.
func codeString(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(strings.TrimSpace(s)) {
		if b.Len() == 16 {
			break
		}
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_' || r == ' ' {
			b.WriteRune(r)
		}
	}
	v := strings.TrimSpace(b.String())
	if v == "" {
		return placeholderModality
	}
	return v
}

// date returns s when it is a DA value (YYYYMMDD), else the placeholder.
func date(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 8 || !digits(s) {
		return placeholderDate
	}
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:8])
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return placeholderDate
	}
	return s
}

// timeOfDay returns s when it is a TM value (HH[MM[SS[.F{1,6}]]], colons of
// the old ACR-NEMA form removed), else the placeholder.
func timeOfDay(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), ":", "")
	main, frac, hasFrac := strings.Cut(s, ".")
	if !digits(main) || (len(main) != 2 && len(main) != 4 && len(main) != 6) {
		return placeholderTime
	}
	if hasFrac && (len(main) != 6 || len(frac) < 1 || len(frac) > 6 || !digits(frac)) {
		return placeholderTime
	}
	hh, _ := strconv.Atoi(main[0:2])
	if hh > 23 {
		return placeholderTime
	}
	if len(main) >= 4 {
		if mm, _ := strconv.Atoi(main[2:4]); mm > 59 {
			return placeholderTime
		}
	}
	if len(main) == 6 {
		if ss, _ := strconv.Atoi(main[4:6]); ss > 60 {
			return placeholderTime
		}
	}
	return s
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clampIS keeps an IS value within its range (-2^31 .. 2^31-1).
func clampIS(v int) int {
	return min(max(v, math.MinInt32), math.MaxInt32)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
