package leakscan

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"dossier/packager/identity"
)

func caseSet() *identity.Set {
	s := identity.NewSet()
	s.Add(identity.Name, "DOE^JANE", "DICOM PatientName")
	s.Add(identity.Name, "Müller^Jürgen", "DICOM PatientName")
	s.Add(identity.ID, "PID-0042", "DICOM PatientID")
	s.Add(identity.BirthDate, "19610203", "DICOM PatientBirthDate")
	s.Add(identity.Accession, "ACC-777", "DICOM AccessionNumber")
	s.Add(identity.Phone, "+1 (555) 010-0199", "DICOM PatientTelephoneNumbers")
	s.Add(identity.Address, "12 Elm Street, 12345 Springfield", "DICOM PatientAddress")
	return s
}

func TestFindsEverySpelling(t *testing.T) {
	sc := New(caseSet().Needles())
	for _, text := range []string{
		"DOE^JANE", "Jane Doe", "JANE DOE", "Doe, Jane", "DOE,JANE", "doe jane",
		"19610203", "1961-02-03", "03/02/1961", "02/03/1961", "3 Feb 1961", "February 3, 1961", "03.02.1961",
		"PID-0042", "pid-0042", "ACC-777", "+1 (555) 010-0199", "5550100199", "0100199",
		"12 Elm Street", "Springfield 12345", "12345 Springfield",
		"Jürgen Müller", "Müller^Jürgen", "Juergen Mueller", "Jurgen Muller",
		"J\xfcrgen M\xfcller", // Latin-1
	} {
		hits := sc.Bytes("x", []byte("report: "+text+" end"))
		if utf8.ValidString(text) {
			hits = append(hits, sc.String("x", "report: "+text+" end")...)
		}
		if len(hits) == 0 {
			t.Errorf("%q not found", text)
		}
		for _, h := range hits {
			if strings.Contains(h.String(), text) || strings.Contains(h.String(), "byte") {
				t.Errorf("hit description quotes the identity or an offset: %s", h)
			}
		}
	}
	for _, clean := range []string{"Jane", "Doe", "1961", "Elm", "0042", "a Jane Dorian note", "DOSSIER-7KQ2-M4XD", "Springfield"} {
		if hits := sc.String("x", clean); len(hits) != 0 {
			t.Errorf("%q matched: %v", clean, hits)
		}
		if hits := sc.Bytes("x", []byte(clean)); len(hits) != 0 {
			t.Errorf("%q matched in bytes: %v", clean, hits)
		}
	}
}

// TestBytesAndTextAgree checks that the byte scanner and the text matcher
// find every spelling, with its kind, in text: the two are fed the same
// needles, folded forms included.
func TestBytesAndTextAgree(t *testing.T) {
	set := caseSet()
	set.Add(identity.Name, "Østberg^Åse^Marie", "case details")
	set.Add(identity.Name, "Yamada^Tarou=山田^太郎", "DICOM PatientName")
	set.Add(identity.Phone, "+47 912 34 567", "case details")
	needles := set.Needles()
	sc := New(needles)
	for _, n := range needles {
		text := "Seen on the ward: " + n.Text + ". End."
		kinds := func(hits []Hit) map[identity.Kind]bool {
			m := map[identity.Kind]bool{}
			for _, h := range hits {
				m[h.Kind] = true
			}
			return m
		}
		b, s := kinds(sc.Bytes("x", []byte(text))), kinds(sc.String("x", text))
		if !b[n.Kind] || !s[n.Kind] {
			t.Errorf("%s spelling %q: bytes found %v, text found %v", n.Kind, n.Text, b, s)
		}
	}
}

func TestStreamingAcrossChunkBoundaries(t *testing.T) {
	sc := New(caseSet().Needles())
	data := make([]byte, 3<<20)
	rand.New(rand.NewSource(1)).Read(data)
	for i := range data {
		data[i] = 'a' + data[i]%26 // letters only: no accidental needle with digits
	}
	at := (1 << 20) - 3 // straddles the reader's 1 MiB chunk
	copy(data[at:], "DOE^JANE")
	hits, err := sc.Reader(context.Background(), "big", io.MultiReader(bytes.NewReader(data[:at+2]), bytes.NewReader(data[at+2:])))
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Offset != int64(at+len("DOE^JANE")) {
		t.Errorf("hits = %v", hits)
	}
	var out bytes.Buffer
	tap := sc.Writer("tap", &out)
	for i := 0; i < len(data); i += 4097 {
		tap.Write(data[i:min(i+4097, len(data))])
	}
	if len(tap.Hits) != 1 || !bytes.Equal(out.Bytes(), data) {
		t.Errorf("tap hits = %v", tap.Hits)
	}
	// Writes large enough to be scanned while they are written, a
	// spelling across two of them and one inside the last.
	copy(data[len(data)-100:], "DOE^JANE")
	out.Reset()
	tap = sc.Writer("tap", &out)
	for _, cut := range [][2]int{{0, 700 << 10}, {700 << 10, at + 2}, {at + 2, len(data)}} {
		if n, err := tap.Write(data[cut[0]:cut[1]]); err != nil || n != cut[1]-cut[0] {
			t.Fatal(n, err)
		}
	}
	if want := sc.Bytes("tap", data); !reflect.DeepEqual(tap.Hits, want) || len(want) != 2 || !bytes.Equal(out.Bytes(), data) {
		t.Errorf("large writes: hits = %v, want %v", tap.Hits, want)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(caseSet().Needles()).Reader(ctx, "x", strings.NewReader("abc")); err == nil {
		t.Error("cancelled scan returned no error")
	}
}

func BenchmarkScan(b *testing.B) {
	sc := New(caseSet().Needles())
	data := make([]byte, 64<<20)
	rand.New(rand.NewSource(1)).Read(data)
	b.SetBytes(int64(len(data)))
	for range b.N {
		sc.Bytes("x", data)
	}
}

// TestNumbersDoNotHideInLongerNumbers: an ID, phone or date written as
// digits alone is not found inside a longer run of digits (a UID), but is
// found with anything else around it.
func TestNumbersDoNotHideInLongerNumbers(t *testing.T) {
	set := identity.NewSet()
	set.Add(identity.ID, "436937", "DICOM PatientID")
	set.Add(identity.BirthDate, "19610203", "DICOM PatientBirthDate")
	sc := New(set.Needles())
	for _, clean := range []string{"2.25.9143693712345", "2.25.1196102030", "1.2.840.436937999"} {
		if hits := sc.Bytes("uid", []byte(clean)); len(hits) != 0 {
			t.Errorf("%q: %v", clean, hits)
		}
	}
	for _, leak := range []string{"ID 436937.", "MRN:436937", "x436937y", "b19610203\x00", "436937"} {
		if hits := sc.Bytes("v", []byte(leak)); len(hits) == 0 {
			t.Errorf("%q not found", leak)
		}
	}
}

// BenchmarkScanPixels scans 16-bit pixels of 12 bits (a CT's noise) with a
// case's identity, its birth date spelled with month names too.
func BenchmarkScanPixels(b *testing.B) {
	set := identity.NewSet()
	set.Add(identity.Name, "BENCH^PATIENT^A", "DICOM PatientName")
	set.Add(identity.ID, "BENCH-0001", "DICOM PatientID")
	set.Add(identity.BirthDate, "19500101", "DICOM PatientBirthDate")
	set.Add(identity.Accession, "A71000977", "DICOM AccessionNumber")
	sc := New(set.Needles())
	data := make([]byte, 64<<20)
	rand.New(rand.NewSource(1)).Read(data)
	for i := 1; i < len(data); i += 2 {
		data[i] &= 0x0F
	}
	b.SetBytes(int64(len(data)))
	for range b.N {
		sc.Bytes("x", data)
	}
}
