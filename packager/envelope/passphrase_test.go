package envelope

import (
	"math"
	"strings"
	"testing"
)

func TestWordListHygiene(t *testing.T) {
	words := Words()
	if len(words) < 2048 {
		t.Fatalf("only %d words", len(words))
	}
	seen := map[string]bool{}
	for i, w := range words {
		if len(w) < 3 || len(w) > 9 {
			t.Errorf("word %d %q is not 3 to 9 letters", i, w)
		}
		for _, r := range w {
			if r < 'a' || r > 'z' {
				t.Errorf("word %d %q is not lower-case ASCII", i, w)
				break
			}
		}
		if seen[w] {
			t.Errorf("word %q is there twice", w)
		}
		seen[w] = true
	}
	// Words a patient with cancer should not be asked to read aloud.
	for _, w := range []string{"cancer", "tumor", "death", "dying", "coffin", "casket", "chemo", "relapse", "grief", "biopsy", "poison", "zombie"} {
		if seen[w] {
			t.Errorf("the list holds %q", w)
		}
	}
}

func TestNewPassphrase(t *testing.T) {
	n := PassphraseWords()
	bits := float64(n) * math.Log2(float64(len(Words())))
	if bits < GeneratedPassphraseBits {
		t.Fatalf("%d words of %d give %.1f bits, want >= %d", n, len(Words()), bits, GeneratedPassphraseBits)
	}
	if n > 10 {
		t.Errorf("%d words is too many to read aloud", n)
	}
	inList := map[string]bool{}
	for _, w := range Words() {
		inList[w] = true
	}
	seen := map[string]bool{}
	for range 200 {
		p, err := NewPassphrase()
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] {
			t.Fatalf("passphrase %q came twice", p)
		}
		seen[p] = true
		parts := strings.Split(p, "-")
		if len(parts) != n {
			t.Fatalf("%q has %d words, want %d", p, len(parts), n)
		}
		for _, w := range parts {
			if !inList[w] {
				t.Fatalf("%q is not in the list", w)
			}
		}
		if b, advice := PassphraseStrength(p); b < MinPassphraseBits || advice != "" {
			t.Errorf("generated %q rated %.1f bits, %q", p, b, advice)
		}
	}
}

func TestPassphraseStrength(t *testing.T) {
	weak := []string{"", "password", "Password123!", "Tr0ub4dor&3", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"abcdefghijklmnopqrstuvwxyz", "12345678901234567890", "correct horse battery staple",
		"my dog is called rex", "qwertyqwertyqwerty"}
	for _, s := range weak {
		bits, advice := PassphraseStrength(s)
		if bits >= MinPassphraseBits || advice == "" {
			t.Errorf("%q rated %.1f bits, advice %q; want refused", s, bits, advice)
		}
	}
	strong := []string{"x8Kq2mPz9LwR4tYbQ7nV3", "tulip-gravel-ocean-banjo-lantern-pebble",
		"Wx7#pL2!qZ9@mN4$vB6^", "orbit velvet canyon mosaic thistle harbor"}
	for _, s := range strong {
		bits, advice := PassphraseStrength(s)
		if bits < MinPassphraseBits || advice != "" {
			t.Errorf("%q rated %.1f bits, advice %q; want accepted", s, bits, advice)
		}
	}
	if _, advice := PassphraseStrength("short"); !strings.Contains(advice, "too easy to guess") {
		t.Errorf("advice %q is not plain", advice)
	}
}
