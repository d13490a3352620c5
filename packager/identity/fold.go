package identity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldSpecial maps letters that Unicode does not decompose to their usual
// plain-letter spelling.
var foldSpecial = map[rune]string{
	'ø': "o", 'Ø': "o", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ß': "ss", 'ẞ': "ss",
	'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'ł': "l", 'Ł': "l", 'þ': "th", 'Þ': "th",
	'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŀ': "l", 'Ŀ': "l", 'ĸ': "k", 'ŉ': "n",
}

// foldRune returns the folded spelling of r: lower case, accents and other
// combining marks dropped, compatibility forms (full-width letters and
// digits, ligatures) spelled out, and letters such as ø, æ and ß written in
// plain letters. Separators (anything not a letter or digit) fold to "".
func foldRune(r rune) string {
	if r < utf8.RuneSelf {
		return asciiFolded[r]
	}
	if s, ok := foldSpecial[r]; ok {
		return s
	}
	var b strings.Builder
	for _, d := range norm.NFKD.String(string(r)) {
		if s, ok := foldSpecial[d]; ok {
			b.WriteString(s)
			continue
		}
		if unicode.IsLetter(d) || unicode.IsDigit(d) {
			b.WriteRune(unicode.ToLower(d))
		}
	}
	return b.String()
}

// asciiFolded is foldRune of each ASCII rune, made once: the matcher folds
// every rune of every text it reads.
var asciiFolded = func() (t [utf8.RuneSelf]string) {
	for r := range rune(utf8.RuneSelf) {
		switch {
		case r >= 'A' && r <= 'Z':
			t[r] = string(r + 'a' - 'A')
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			t[r] = string(r)
		}
	}
	return t
}()

// Fold returns s as the matcher compares it: lower case, without accents
// or separators ("Jørgen  Müller-Smith" → "jorgenmullersmith").
func Fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(foldRune(r))
	}
	return b.String()
}

// asciiVariants maps letters to the other ways they are written in plain
// ASCII (ø as "oe", å as "aa", ü as "ue"); Fold already gives the first way.
var asciiVariants = map[rune][]string{
	'ø': {"oe"}, 'Ø': {"OE"}, 'å': {"aa"}, 'Å': {"AA"}, 'ü': {"ue"}, 'Ü': {"UE"},
	'ö': {"oe"}, 'Ö': {"OE"}, 'ä': {"ae"}, 'Ä': {"AE"},
}

// ASCIIForms returns the plain-ASCII spellings of s people write when their
// keyboard lacks a letter: accents dropped, ø→o or oe, å→a or aa, æ→ae,
// ü→u or ue, ö→o or oe, ä→a or ae, ß→ss. Separators and case are kept. The
// result holds at most a handful of spellings (one per way of writing all
// such letters at once), and none equal to s.
func ASCIIForms(s string) []string {
	var plain, alt strings.Builder
	hasAlt := false
	for _, r := range s {
		if r < utf8.RuneSelf {
			plain.WriteRune(r)
			alt.WriteRune(r)
			continue
		}
		f := foldRune(r)
		if f == "" && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			plain.WriteRune(r) // a non-ASCII separator: keep it
			alt.WriteRune(r)
			continue
		}
		if unicode.IsUpper(r) {
			f = strings.ToUpper(f)
		}
		if !isASCII(f) {
			// A letter of another script (Han, Cyrillic): no ASCII form.
			return nil
		}
		plain.WriteString(f)
		if v, ok := asciiVariants[r]; ok {
			alt.WriteString(v[0])
			hasAlt = true
		} else {
			alt.WriteString(f)
		}
	}
	var out []string
	if p := plain.String(); p != s {
		out = append(out, p)
	}
	if a := alt.String(); hasAlt && a != s {
		out = append(out, a)
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// cjk reports whether r belongs to a script written without spaces between
// words (Han, kana, Hangul), where a name needs no word boundary around it.
func cjk(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}
