package identity

import (
	"slices"
	"testing"
)

func labelled(text string) map[Kind][]string {
	out := map[Kind][]string{}
	for _, l := range ReadLabels(text) {
		out[l.Kind] = append(out[l.Kind], l.Value)
	}
	return out
}

func TestReadLabelsEnglish(t *testing.T) {
	got := labelled("ST ELSEWHERE HOSPITAL\nPatient name: Mrs Jane Marie Doe   DOB: 09/05/1970\nMRN: RX-448812\nNHS number 943 476 5919\nTel: +44 20 7946 0000\nAddress: 12 Elm Street, Springfield\nClinical history: Dobson's sign negative. Name of the procedure: biopsy.")
	if !slices.Contains(got[Name], "Jane Marie Doe") {
		t.Errorf("names = %q", got[Name])
	}
	if !slices.Contains(got[BirthDate], "19700509") || !slices.Contains(got[BirthDate], "19700905") {
		t.Errorf("birth dates = %q (want both readings of 09/05)", got[BirthDate])
	}
	if !slices.Contains(got[ID], "RX-448812") || !slices.Contains(got[ID], "943 476 5919") {
		t.Errorf("ids = %q", got[ID])
	}
	if !slices.Contains(got[Phone], "+44 20 7946 0000") {
		t.Errorf("phones = %q", got[Phone])
	}
	if !slices.Contains(got[Address], "12 Elm Street, Springfield") {
		t.Errorf("addresses = %q", got[Address])
	}
	if len(got[Name]) != 1 {
		t.Errorf("running text read as a name: %q", got[Name])
	}
	got = labelled("Date of birth\n9th May 1970\nHospital number: 0012345")
	if !slices.Equal(got[BirthDate], []string{"19700509"}) || !slices.Contains(got[ID], "0012345") {
		t.Errorf("next-line value: %v", got)
	}
}

func TestReadLabelsGerman(t *testing.T) {
	got := labelled("Universitätsklinikum\nName, Vorname: Müller, Jürgen\nGeburtsdatum: 9. Mai 1970\nFallnummer: 20231234\nAnschrift: Hauptstraße 5, 10115 Berlin")
	if !slices.Contains(got[Name], "Müller, Jürgen") {
		t.Errorf("names = %q", got[Name])
	}
	if !slices.Equal(got[BirthDate], []string{"19700509"}) {
		t.Errorf("birth dates = %q", got[BirthDate])
	}
	if !slices.Contains(got[ID], "20231234") {
		t.Errorf("ids = %q", got[ID])
	}
	got = labelled("Nachname: Müller\nVorname: Jürgen\ngeb.: 09.05.1970")
	if !slices.Contains(got[Name], "Müller^Jürgen") {
		t.Errorf("separate fields: %q", got[Name])
	}
}

func TestReadLabelsFrench(t *testing.T) {
	got := labelled("Nom : DUPONT   Prénom : Marie\nNé(e) le : 1er mai 1970\nN° de dossier : 7788-12\nTéléphone : 06 12 34 56 78")
	if !slices.Contains(got[Name], "DUPONT^Marie") {
		t.Errorf("names = %q", got[Name])
	}
	if !slices.Equal(got[BirthDate], []string{"19700501"}) {
		t.Errorf("birth dates = %q", got[BirthDate])
	}
	if !slices.Contains(got[ID], "7788-12") || !slices.Contains(got[Phone], "06 12 34 56 78") {
		t.Errorf("got %v", got)
	}
}

func TestReadLabelsSpanish(t *testing.T) {
	got := labelled("Nombre: Ana García López\nFecha de nacimiento: 9 de mayo de 1970\nNHC: 554433")
	if !slices.Contains(got[Name], "Ana García López") || !slices.Equal(got[BirthDate], []string{"19700509"}) || !slices.Contains(got[ID], "554433") {
		t.Errorf("got %v", got)
	}
}

func TestReadLabelsChinese(t *testing.T) {
	got := labelled("某某医院病理诊断报告\n姓名：张伟性别：男年龄：45岁\n住院号：ZY2023001 病理号：P23-04567\n门诊号：MZ778899\n病案号：BA123456\n出生日期：1970年5月9日")
	if !slices.Equal(got[Name], []string{"张伟"}) {
		t.Errorf("names = %q", got[Name])
	}
	for _, id := range []string{"ZY2023001", "P23-04567", "MZ778899", "BA123456"} {
		if !slices.Contains(got[ID], id) {
			t.Errorf("%s missing from %q", id, got[ID])
		}
	}
	if !slices.Equal(got[BirthDate], []string{"19700509"}) {
		t.Errorf("birth dates = %q", got[BirthDate])
	}
}

func TestAddLabelledNamesTheSource(t *testing.T) {
	s := NewSet()
	toks := s.AddLabelled("DOB: 1970-05-09", "report.pdf")
	if len(toks) != 1 || toks[0].Source != "document label 'DOB' in report.pdf" || toks[0].Value != "19700509" {
		t.Errorf("tokens = %+v", toks)
	}
}

func TestReadLabelsNameFollowedByMore(t *testing.T) {
	for text, want := range map[string]string{
		"Patient: Jane Doe, 45 years, female":    "Jane Doe",
		"Patient: Mrs Jane Doe (DOB 09.05.1970)": "Jane Doe",
		"Patient name: DOE, Jane / 1970":         "DOE, Jane",
		"Name: Doe, Jane Marie, Ward 4":          "Doe, Jane Marie",
		"姓名： 张 伟    性别：男":                        "张伟",
		"Patient: Åse Østberg-Hansen – referred": "Åse Østberg-Hansen",
	} {
		if got := labelled(text)[Name]; !slices.Equal(got, []string{want}) {
			t.Errorf("%q: names %q, want %q", text, got, want)
		}
	}
}
