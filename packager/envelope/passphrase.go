package envelope

import (
	"crypto/rand"
	"fmt"
	"math"
	"math/big"
	"strings"
	"sync"
	"unicode"

	"dossier/assets"
	"dossier/packager/i18n"
)

// MinPassphraseBits is the least estimated strength PassphraseStrength
// accepts for a typed passphrase.
const MinPassphraseBits = 60

// GeneratedPassphraseBits is the least entropy of a NewPassphrase result.
const GeneratedPassphraseBits = 100

var (
	wordsOnce sync.Once
	wordList  []string
	wordSet   map[string]bool
)

// Words returns the embedded passphrase word list (assets.Words), in order.
// The caller must not change it.
func Words() []string {
	wordsOnce.Do(func() {
		wordList = strings.Fields(assets.Words)
		wordSet = make(map[string]bool, len(wordList))
		for _, w := range wordList {
			wordSet[w] = true
		}
	})
	return wordList
}

// PassphraseWords returns how many words NewPassphrase draws: the fewest
// that give at least GeneratedPassphraseBits bits with the embedded list.
func PassphraseWords() int {
	return int(math.Ceil(GeneratedPassphraseBits / math.Log2(float64(len(Words())))))
}

// NewPassphrase returns a new random passphrase of PassphraseWords words
// (8 with the 7576-word list, about 103 bits) drawn uniformly with
// crypto/rand from the embedded list and joined by "-", easy to read aloud
// and to type.
func NewPassphrase() (string, error) {
	words := Words()
	n := PassphraseWords()
	max := big.NewInt(int64(len(words)))
	out := make([]string, n)
	for i := range out {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("envelope: generating a passphrase: %w", err)
		}
		out[i] = words[k.Int64()]
	}
	return strings.Join(out, "-"), nil
}

// commonWords are frequent password pieces; a token containing one gets
// little credit for it.
var commonWords = []string{
	"password", "passwort", "qwerty", "azerty", "letmein", "welcome", "admin",
	"iloveyou", "monkey", "dragon", "master", "sunshine", "princess", "football",
	"baseball", "shadow", "secret", "abc123", "123456", "654321", "111111",
	"000000", "qwertz", "asdf", "zxcv", "love", "hello", "dossier", "cancer",
}

// PassphraseStrength estimates the strength in bits of a passphrase typed by
// a person and gives plain advice when it is too weak (bits below
// MinPassphraseBits); advice is empty when the passphrase is acceptable.
//
// The estimate is simple and conservative: each distinct word of the
// embedded list counts log2(list size) bits, other pieces count per
// character from the kinds of characters used, discounted because people do
// not choose characters at random, with repeats, runs like "abc" or "123"
// and common password words counted as almost nothing; other plain words
// count at most 10 bits (5 when shorter than 5 letters).
func PassphraseStrength(s string) (bits float64, advice string) {
	bits, t := PassphraseAdvice(s)
	if t.Format == "" {
		return bits, ""
	}
	return bits, t.String()
}

// PassphraseAdvice is PassphraseStrength with the advice kept as a text, to
// be written in the reader's language (i18n.Catalog.Text); its Format is
// empty when the passphrase is acceptable.
func PassphraseAdvice(s string) (bits float64, advice i18n.Text) {
	Words()
	perWord := math.Log2(float64(len(wordList)))
	seen := map[string]bool{}
	tokens := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' || r == ','
	})
	for _, tok := range tokens {
		low := strings.ToLower(tok)
		if seen[low] {
			bits += 1
			continue
		}
		seen[low] = true
		if wordSet[low] {
			bits += perWord
			continue
		}
		b := tokenBits(tok)
		if isAlpha(tok) {
			// Probably an ordinary word a person chose: a few thousand
			// likely ones, fewer for short words.
			limit := 10.0
			if len(tok) < 5 {
				limit = 5
			}
			b = math.Min(b, limit)
		}
		bits += b
	}
	// Separators other than the usual one add a little.
	if len(tokens) > 1 {
		bits += 1
	}
	bits = math.Round(bits*10) / 10
	switch {
	case len(s) == 0:
		return 0, i18n.NewText(i18n.Msg("Type a passphrase, or let Dossier make one."))
	case bits < MinPassphraseBits:
		return bits, i18n.NewText(i18n.Msg("This passphrase is too easy to guess (about %d bits; at least %d needed). Use the passphrase Dossier makes for you, or type 6 or more unrelated words."),
			int(math.Round(bits)), MinPassphraseBits)
	}
	return bits, i18n.Text{}
}

// isAlpha reports whether s is letters only.
func isAlpha(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// tokenBits estimates a piece that is not a list word.
func tokenBits(tok string) float64 {
	low := strings.ToLower(tok)
	var pool float64
	var lower, upper, digit, other, nonASCII bool
	for _, r := range tok {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		case r > unicode.MaxASCII:
			nonASCII = true
		default:
			other = true
		}
	}
	if lower {
		pool += 26
	}
	if upper {
		pool += 26
	}
	if digit {
		pool += 10
	}
	if other {
		pool += 33
	}
	if nonASCII {
		pool += 100
	}
	if pool == 0 {
		return 0
	}
	// Mark the characters covered by a common word.
	runes := []rune(low)
	common := make([]bool, len(runes))
	for _, w := range commonWords {
		for i := 0; i+len(w) <= len(runes); i++ {
			if string(runes[i:i+len(w)]) == w {
				for j := i; j < i+len(w); j++ {
					common[j] = true
				}
			}
		}
	}
	per := math.Log2(pool)
	var bits float64
	seen := map[rune]bool{}
	for i, r := range runes {
		switch {
		case common[i]:
			if i == 0 || !common[i-1] {
				bits += 4 // the choice of which common word
			}
		case i > 0 && (r == runes[i-1] || r == runes[i-1]+1 || r == runes[i-1]-1):
			bits += 1
		case seen[r]:
			bits += per * 0.3
		default:
			bits += per * 0.6
		}
		seen[r] = true
	}
	return bits
}
