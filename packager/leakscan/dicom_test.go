package leakscan

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/identity"
)

// TestExplainNamesDICOMAttributes: the leak scan of a written DICOM file
// names the attribute and its path, decodes the character set, and never
// the value.
func TestExplainNamesDICOMAttributes(t *testing.T) {
	set := identity.NewSet()
	set.Add(identity.Name, "Müller^Jürgen", "DICOM PatientName")
	set.Add(identity.Phone, "+47 912 34 567", "case details")
	sc := New(set.Needles())
	b := dcmfix.Instance(dcmfix.Spec{
		PatientName: "ANON", CharacterSet: []string{"ISO_IR 100"},
		Extra: []dcmfix.Element{
			dcmfix.Str(dcmfix.T(0x0010, 0x4000), "LT", "Call 912 34 567 after six"),
			dcmfix.Seq(dcmfix.T(0x0040, 0xA730), false, dcmfix.Item{}, dcmfix.Item{Elements: []dcmfix.Element{
				dcmfix.Str(dcmfix.T(0x0040, 0xA160), "UT", "Seen with J\xfcrgen M\xfcller today"),
			}}),
		},
	})
	hits, err := sc.Explain(context.Background(), "IM000001", bytes.NewReader(b), int64(len(b)), "dicom")
	if err != nil {
		t.Fatal(err)
	}
	var places []string
	for _, h := range hits {
		places = append(places, h.Place+" "+string(h.Kind))
	}
	for _, want := range []string{
		"Patient Comments (0010,4000) phone",
		"Text Value (0040,A160) in item 2 of Content Sequence (0040,A730) name",
	} {
		if !slices.Contains(places, want) {
			t.Errorf("%q missing from %q", want, places)
		}
	}
}

func TestExplainReadsDocumentLayers(t *testing.T) {
	set := identity.NewSet()
	set.Add(identity.Name, "Doe^Jane", "DICOM PatientName")
	sc := New(set.Needles())
	pdf := docfix.PDF("Report for Jane Doe")
	hits, err := sc.Explain(context.Background(), "DOC00001.PDF", bytes.NewReader(pdf), int64(len(pdf)), "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Place == "" || hits[0].Kind != identity.Name {
		t.Errorf("hits = %+v", hits)
	}
}
