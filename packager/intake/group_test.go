package intake

import (
	"fmt"
	"testing"
)

// TestNameGroupsAreOnePatient (issue 11): the alphabetic, ideographic and
// phonetic groups of one person's name are one patient, not several.
func TestNameGroupsAreOnePatient(t *testing.T) {
	cases := []struct {
		names    []string
		patients int // with the same ID and birth date, in the order seen
		people   int
	}{
		{[]string{"Yamada^Tarou", "Yamada^Tarou=山田^太郎"}, 1, 1},
		{[]string{"Yamada^Tarou=山田^太郎=やまだ^たろう", "Yamada^Tarou", "=山田^太郎"}, 1, 1},
		{[]string{"=山田^太郎", "Yamada^Tarou=山田^太郎"}, 1, 1},
		{[]string{"YAMADA^TAROU^^", "Yamada^Tarou=山田^太郎"}, 1, 1},
		// The full name, seen last, joins two that share no group.
		{[]string{"=山田^太郎", "Yamada^Tarou", "Yamada^Tarou=山田^太郎"}, 2, 1},
		// The alphabetic group decides when both have one.
		{[]string{"Yamada^Tarou=山田^太郎", "Yamada^Tarou=山田^太朗"}, 1, 1},
		{[]string{"Yamada^Tarou=山田^太郎", "Yamada^Hanako=山田^太郎"}, 2, 2},
		// Without a shared group, two names are two people.
		{[]string{"=山田^太郎", "=田中^花子"}, 2, 2},
		{[]string{"=山田^太郎", "Tanaka^Hanako"}, 2, 2},
		{[]string{"", "Yamada^Tarou"}, 2, 2},
	}
	for _, c := range cases {
		var items []*Item
		for i, n := range c.names {
			items = append(items, &Item{Path: fmt.Sprintf("/IM%d", i), Kind: KindDICOM, StudyInstanceUID: "1.2.3", SOPInstanceUID: fmt.Sprintf("1.2.3.%d", i),
				DICOM: &DICOMDetail{PatientName: n, PatientID: "P1", PatientBirthDate: "19700101"}})
		}
		inv := Group(items, nil)
		if len(inv.Patients) != c.patients {
			t.Errorf("%q: %d patients, want %d", c.names, len(inv.Patients), c.patients)
		}
		several := hasProblem(inv, ProblemSeveralPatients) != nil
		if several != (c.people > 1) {
			t.Errorf("%q: several-patients warning %v, want %v", c.names, several, c.people > 1)
		}
		if got := distinctPeople(inv.Patients); got != c.people {
			t.Errorf("%q: %d people, want %d", c.names, got, c.people)
		}
	}
	// The patient keeps the fullest form of the name.
	inv := Group([]*Item{
		{Path: "/a", Kind: KindDICOM, DICOM: &DICOMDetail{PatientName: "Yamada^Tarou", PatientID: "P1"}},
		{Path: "/b", Kind: KindDICOM, DICOM: &DICOMDetail{PatientName: "Yamada^Tarou=山田^太郎", PatientID: "P1"}},
	}, nil)
	if len(inv.Patients) != 1 || inv.Patients[0].Name != "Yamada^Tarou=山田^太郎" {
		t.Errorf("patients %+v", inv.Patients)
	}
}
