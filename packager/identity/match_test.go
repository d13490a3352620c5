package identity

import (
	"slices"
	"strings"
	"testing"
)

func janeSet() *Set {
	s := NewSet()
	s.Add(Name, "Doe^Jane^Marie", "DICOM PatientName")
	s.Add(Name, "Østberg^Åse", "case details")
	s.Add(Name, "Müller^Jürgen", "DICOM PatientName")
	s.Add(Name, "Yamada^Tarou=山田^太郎=やまだ^たろう", "DICOM PatientName")
	s.Add(ID, "PID-0042", "DICOM PatientID")
	s.Add(BirthDate, "19700509", "DICOM PatientBirthDate")
	s.Add(Phone, "+47 912 34 567", "DICOM PatientTelephoneNumbers")
	s.Add(Address, "12 Elm Street, 0123 Oslo", "DICOM PatientAddress")
	return s
}

// find reports the kinds the matcher finds in text and checks each span
// is exactly the written spelling.
func find(t *testing.T, m *Matcher, text, want string) []Kind {
	t.Helper()
	var kinds []Kind
	for _, sp := range m.FindAll(text) {
		if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
			t.Fatalf("span %+v out of %q", sp, text)
		}
		if want != "" && text[sp.Start:sp.End] == want {
			kinds = append(kinds, sp.Kind)
		} else if want == "" {
			kinds = append(kinds, sp.Kind)
		}
	}
	return kinds
}

func TestMatcherPartialAndFoldedNames(t *testing.T) {
	m := janeSet().Matcher()
	for _, spelling := range []string{
		"Jane Doe", "Jane Marie Doe", "JANE M. DOE", "Doe, Jane", "DOE^JANE", "Doe Jane", "J. Doe", "J Doe", "Doe, J.",
		"J. M. Doe", "J a n e  D o e", "Jane\nDoe", "JaneDoe", "jane-doe", "Jane\r\n   Doe",
		"Åse Østberg", "Ase Ostberg", "Aase Oestberg", "ÅSE ØSTBERG", "Østberg, Åse", "A. Østberg", "A Ostberg",
		"Jürgen Müller", "Jurgen Muller", "Juergen Mueller", "Ju\u0308rgen Mu\u0308ller", "Müller, Jürgen",
		"山田太郎", "山田 太郎", "Tarou Yamada", "やまだたろう", "ＹＡＭＡＤＡ　ＴＡＲＯＵ",
	} {
		text := "Seen today: " + spelling + ", for review."
		if got := find(t, m, text, strings.TrimRight(spelling, ".")); !slices.Contains(got, Name) {
			t.Errorf("%q: no name span covering exactly it (all spans: %v)", spelling, m.FindAll(text))
		}
	}
	for _, clean := range []string{
		"Jane", "Doe", "Jane Dorian", "Jane Doerr", "a Jane Doesburg note", "Dr. J. Dorian", "Marie Curie",
		"Ostbergen", "Müllerstraße", "山田", "JD", "Doe Jones", "Judoe",
	} {
		if got := find(t, m, "text: "+clean+" end", ""); len(got) != 0 {
			t.Errorf("%q matched: %v", clean, m.FindAll("text: "+clean+" end"))
		}
	}
}

func TestMatcherCJKNeedsNoBoundary(t *testing.T) {
	m := janeSet().Matcher()
	text := "姓名：山田太郎性别：男"
	got := m.FindAll(text)
	if len(got) == 0 || text[got[0].Start:got[0].End] != "山田太郎" {
		t.Errorf("spans = %+v", got)
	}
}

func TestMatcherPhoneNationalAndInternational(t *testing.T) {
	m := janeSet().Matcher()
	for _, p := range []string{"+47 912 34 567", "0047 91234567", "912 34 567", "91234567", "912-34-567", "(+47) 912.34.567", "+4791234567"} {
		if got := find(t, m, "Tel. "+p+" (mobile)", ""); !slices.Contains(got, Phone) {
			t.Errorf("%q not found", p)
		}
	}
	s := NewSet()
	s.Add(Phone, "+44 20 7946 0000", "case details")
	m = s.Matcher()
	for _, p := range []string{"020 7946 0000", "+44 (0)20 7946 0000", "0044 20 7946 0000", "(020) 7946-0000"} {
		if got := find(t, m, "call "+p, ""); !slices.Contains(got, Phone) {
			t.Errorf("%q not found", p)
		}
	}
	for _, clean := range []string{"91234567 8", "1912345678", "020 7946 0001"} {
		if got := find(t, m, "n "+clean, ""); len(got) != 0 && clean != "91234567 8" {
			t.Errorf("%q matched", clean)
		}
	}
}

func TestMatcherDatesPerLanguage(t *testing.T) {
	m := janeSet().Matcher()
	for _, d := range []string{
		"1970-05-09", "19700509", "09.05.1970", "9.5.1970", "09/05/1970", "05/09/1970", "1970/05/09", "09.05.70",
		"9 May 1970", "May 9, 1970", "9th May 1970", "09-May-1970", // English
		"9. Mai 1970", "09. Mai 1970", // German
		"9 mai 1970",        // French (and Norwegian without the dot)
		"9 de mayo de 1970", // Spanish
		"9 maggio 1970",     // Italian
		"9 mei 1970",        // Dutch
		"9. maj 1970",       // Danish
		"9 maj 1970",        // Swedish
		"1970年5月9日", "1970年05月09日",
	} {
		if got := find(t, m, "born "+d+".", ""); !slices.Contains(got, BirthDate) {
			t.Errorf("%q not found", d)
		}
	}
	for _, clean := range []string{"19 May 1970", "9 May 1971", "1970-05-19", "29.05.1970", "1970年5月19日"} {
		if got := find(t, m, "seen "+clean+".", ""); slices.Contains(got, BirthDate) {
			t.Errorf("%q matched", clean)
		}
	}
}

func TestMatcherIDsAndAddresses(t *testing.T) {
	m := janeSet().Matcher()
	for _, v := range []string{"PID-0042", "PID0042", "pid 0042", "12 Elm Street", "0123 Oslo", "Oslo 0123"} {
		if got := find(t, m, "x "+v+" y", ""); len(got) == 0 {
			t.Errorf("%q not found", v)
		}
	}
	if got := find(t, m, "Oslo University Hospital", ""); len(got) != 0 {
		t.Errorf("a city alone matched: %v", got)
	}
}

func TestSpansAreExact(t *testing.T) {
	m := janeSet().Matcher()
	text := "Patient: Ju\u0308rgen  Mu\u0308ller\u0301; seen"
	spans := m.FindAll(text)
	if len(spans) == 0 {
		t.Fatal("not found")
	}
	got := text[spans[0].Start:spans[0].End]
	if got != "Ju\u0308rgen  Mu\u0308ller\u0301" {
		t.Errorf("span text = %q", got)
	}
}

func TestFoldAndASCIIForms(t *testing.T) {
	if got := Fold("Jørgen  Müller-Smith"); got != "jorgenmullersmith" {
		t.Errorf("Fold = %q", got)
	}
	got := ASCIIForms("Østberg Åse Jürgen Weiß")
	if !slices.Contains(got, "Ostberg Ase Jurgen Weiss") || !slices.Contains(got, "OEstberg AAse Juergen Weiss") {
		t.Errorf("ASCIIForms = %q", got)
	}
	if ASCIIForms("山田") != nil || ASCIIForms("Doe") != nil {
		t.Error("forms for names without such letters")
	}
}

func TestNeedlesNeverTooShort(t *testing.T) {
	for _, n := range janeSet().Needles() {
		if len(n.Text) < minNeedle || !heavyEnough(Fold(n.Text)) {
			t.Errorf("needle %q is too short", n.Text)
		}
		if strings.EqualFold(n.Text, "Jane") || strings.EqualFold(n.Text, "Doe") || n.Text == "山田" {
			t.Errorf("a lone name part %q", n.Text)
		}
	}
}

func TestReplace(t *testing.T) {
	m := janeSet().Matcher()
	got, n := m.Replace("Dear Dr Smith, I saw Jane Marie Doe (DOB 09.05.1970, tel. 912 34 567) with J. Doe's sister.", "***")
	if n != 4 || got != "Dear Dr Smith, I saw *** (DOB ***, tel. ***) with ***'s sister." {
		t.Errorf("Replace = %q, %d", got, n)
	}
	tm := NewTextMatcher(nil)
	if !tm.Empty() {
		t.Error("a matcher of nothing is not empty")
	}
	var texts []string
	for _, n := range janeSet().Needles() {
		texts = append(texts, n.Text)
	}
	if out, n := NewTextMatcher(texts).Replace("Ase Ostberg", "X"); n != 1 || out != "X" {
		t.Errorf("text matcher: %q %d", out, n)
	}
}

func TestMatcherWordsRunTogether(t *testing.T) {
	m := janeSet().Matcher()
	for _, text := range []string{"Referral letterJane Doe", "Patient:Jane DoeReferral", "seenJ. Doe"} {
		if len(m.FindAll(text)) == 0 {
			t.Errorf("%q: not found", text)
		}
	}
	for _, clean := range []string{"JANE DOERR", "Jane Doerr", "ajane doe"} {
		if got := m.FindAll(clean); len(got) != 0 {
			t.Errorf("%q matched: %v", clean, got)
		}
	}
}
