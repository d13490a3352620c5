package identity

import (
	"slices"
	"testing"
)

func TestSetNormalisesAndDeduplicates(t *testing.T) {
	s := NewSet()
	s.Add(Name, "DOE^JANE^^^", "a")
	s.Add(Name, "doe^jane", "b")
	s.Add(ID, " ", "c")
	s.Add(Name, "ANONYMOUS", "d")
	s.Add(ID, "7", "e")
	toks := s.Tokens()
	if len(toks) != 1 || toks[0].Value != "DOE^JANE" || toks[0].Source != "a" {
		t.Errorf("tokens = %+v", toks)
	}
	o := NewSet()
	o.Add(ID, "PID-1", "x")
	s.Merge(o)
	if s.Len() != 2 {
		t.Errorf("after merge: %d tokens", s.Len())
	}
}

func TestNameSpellings(t *testing.T) {
	got := NameSpellings("DOE^JANE^MARIE")
	for _, want := range []string{"DOE^JANE^MARIE", "DOE^JANE", "JANE DOE", "DOE, JANE", "JANE MARIE DOE"} {
		if !slices.Contains(got, want) {
			t.Errorf("%q missing from %q", want, got)
		}
	}
	if got := NameSpellings("Jane Doe"); !slices.Contains(got, "Doe, Jane") || !slices.Contains(got, "Doe^Jane") {
		t.Errorf("plain name spellings = %q", got)
	}
	if got := NameSpellings("Doe, Jane"); !slices.Contains(got, "Jane Doe") {
		t.Errorf("comma name spellings = %q", got)
	}
}

func TestDateSpellings(t *testing.T) {
	got := DateSpellings("19610203")
	for _, want := range []string{"19610203", "1961-02-03", "03/02/1961", "02/03/1961", "3 Feb 1961", "3 February 1961", "February 3, 1961", "03.02.1961"} {
		if !slices.Contains(got, want) {
			t.Errorf("%q missing from %q", want, got)
		}
	}
	if got := DateSpellings("1961-02-03"); !slices.Contains(got, "19610203") {
		t.Errorf("ISO input: %q", got)
	}
	if got := DateSpellings("sometime"); len(got) != 1 {
		t.Errorf("invalid date: %q", got)
	}
}

func TestNeedlesSkipShortAndSingleNames(t *testing.T) {
	s := NewSet()
	s.Add(Name, "DOE^JANE", "n")
	s.Add(ID, "1234", "short id")
	s.Add(Phone, "555-0100-99", "p")
	for _, n := range s.Needles() {
		if n.Text == "DOE" || n.Text == "JANE" || n.Text == "1234" {
			t.Errorf("needle %q would match unrelated text", n.Text)
		}
		if len(n.Text) < minNeedle {
			t.Errorf("needle %q is too short", n.Text)
		}
	}
}
