package identity

import (
	"slices"
	"testing"
)

// TestIDSpellingsDigits: an ID is searched for as given, without separators and spaced; its digits
// alone only when they identify (6 or more after leading zeros), so an accession number such as
// ACC000003 is not searched for as "000003", which numbered file names like IM000003 hold.
func TestIDSpellingsDigits(t *testing.T) {
	for _, c := range []struct {
		id         string
		digitsOnly string // "" when the digits alone must not be a spelling
	}{
		{"MRN-00123456", "00123456"},
		{"NO-4471", ""},
		{"ACC000003", ""},
		{"ACC-0001234567", "0001234567"},
		{"12345678", ""}, // already digits: the compact form is the same
	} {
		got := IDSpellings(c.id)
		for _, want := range []string{c.id} {
			if !slices.Contains(got, want) {
				t.Errorf("%s: %q lacks %q", c.id, got, want)
			}
		}
		d := digits(c.id)
		has := slices.Contains(got, d) && d != c.id
		if c.digitsOnly == "" && has {
			t.Errorf("%s: searched for as its digits alone %q: %q", c.id, d, got)
		}
		if c.digitsOnly != "" && !slices.Contains(got, c.digitsOnly) {
			t.Errorf("%s: %q lacks the digits %q", c.id, got, c.digitsOnly)
		}
	}
	var s Set
	s.Add(Accession, "ACC000003", "the test")
	for _, n := range s.Needles() {
		if n.Text == "000003" {
			t.Errorf("needle %q from ACC000003", n.Text)
		}
	}
}
