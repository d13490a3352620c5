package privacy

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]Level{"": Identified, "identified": Identified, "Pseudonymized": Pseudonymised, "anonymised": Anonymised, " ANONYMIZED ": Anonymised} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseLevel("secret"); err == nil {
		t.Error("unknown level accepted")
	}
}

var uidRE = regexp.MustCompile(`^2\.25\.(0|[1-9][0-9]*)$`)

func TestUIDIsKeyedAndDeterministic(t *testing.T) {
	a := Params{Secret: bytes.Repeat([]byte{1}, 32)}
	b := Params{Secret: bytes.Repeat([]byte{2}, 32)}
	in := "1.2.840.113619.2.55.3.604688119.971.1234567890.123"
	if a.UID(in) != a.UID(in) {
		t.Error("same secret, different UIDs")
	}
	if a.UID(in) == b.UID(in) {
		t.Error("different secrets, same UID")
	}
	if a.UID(in) == a.UID(in+"4") {
		t.Error("different inputs, same UID")
	}
	if a.UID(in) != a.UID(in+"\x00") {
		t.Error("padding changed the UID")
	}
	for i := 0; i < 1000; i++ {
		u := a.UID(strings.Repeat("9", i%60) + ".1")
		if !uidRE.MatchString(u) || len(u) > 64 {
			t.Fatalf("UID %q is not a valid DICOM UID", u)
		}
	}
	if a.UID("") != "" {
		t.Error("empty UID mapped to a value")
	}
}

func TestNewParams(t *testing.T) {
	if _, err := NewParams(Pseudonymised, nil, ""); err == nil {
		t.Error("pseudonymised without a secret accepted")
	}
	secret, _ := NewSecret()
	p, err := NewParams(Pseudonymised, secret, "DOSSIER-AAAA-BBBB")
	if err != nil || p.DateShift != 0 || p.Pseudonym != "DOSSIER-AAAA-BBBB" {
		t.Errorf("pseudonymised params = %+v, %v", p, err)
	}
	a1, _ := NewParams(Anonymised, nil, "")
	a2, _ := NewParams(Anonymised, nil, "")
	if bytes.Equal(a1.Secret, a2.Secret) || a1.Pseudonym != AnonymousName {
		t.Error("anonymised exports share a secret")
	}
	if a1.DateShift > -365 || a1.DateShift < -3*365 {
		t.Errorf("date shift %d out of range", a1.DateShift)
	}
	if d, ok := (Params{DateShift: -1}).ShiftDate("20260301"); !ok || d != "20260228" {
		t.Errorf("ShiftDate = %q %v", d, ok)
	}
	if _, ok := (Params{}).ShiftDate("2026"); ok {
		t.Error("invalid date shifted")
	}
}

func TestNewPseudonym(t *testing.T) {
	seen := map[string]bool{}
	re := regexp.MustCompile(`^DOSSIER-[` + pseudonymAlphabet + `]{4}-[` + pseudonymAlphabet + `]{4}$`)
	for i := 0; i < 200; i++ {
		p, err := NewPseudonym()
		if err != nil || !re.MatchString(p) {
			t.Fatalf("pseudonym %q, %v", p, err)
		}
		seen[p] = true
	}
	if len(seen) < 199 {
		t.Errorf("pseudonyms repeat: %d distinct of 200", len(seen))
	}
}
