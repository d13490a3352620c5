package deid

import "testing"

func TestDropMarkedContentText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/Span << /MCID 1 /ActualText (Kaare \\(K\\)) >> BDC (x) Tj EMC", "/Span << /MCID 1  >> BDC (x) Tj EMC"},
		{"/Span <</ActualText<FEFF004B>/Alt (a)/E (e)>>BDC EMC", "/Span <<>>BDC EMC"},
		{"/P << /Alt [(a) (b)] /Lang (nb) >> BDC EMC", "/P <<  /Lang (nb) >> BDC EMC"},
		{"/P << /Alt << /X (a) >> >> BDC EMC", "/P <<  >> BDC EMC"},
		// Outside a property list the names are left alone (a name operand
		// of another operator), and inline images are not read as syntax.
		{"/Alt gs BI /W 1 /H 1 /BPC 8 /CS /G ID <</Alt (x)>> EI (t) Tj", "/Alt gs BI /W 1 /H 1 /BPC 8 /CS /G ID <</Alt (x)>> EI (t) Tj"},
		{"/P << /Alt >> BDC", "/P << /Alt >> BDC"}, // no value: left as it is
		{"BT (plain) Tj ET", "BT (plain) Tj ET"},
	}
	for _, c := range cases {
		got, changed := dropMarkedContentText([]byte(c.in))
		if string(got) != c.want || changed != (c.in != c.want) {
			t.Errorf("%q: got %q (changed %v), want %q", c.in, got, changed, c.want)
		}
	}
}
