package intake

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/identity"
)

// TestDocumentLabelsAddIdentity: a case of reports alone still tells
// Dossier who the patient is, through the labelled fields of the reports,
// each recorded with the document it came from.
func TestDocumentLabelsAddIdentity(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "report.pdf"), docfix.PDF("Surgical pathology report", "Patient name: Jane Marie Doe", "DOB: 1961-02-03", "MRN: RX448812"), 0o644)
	os.WriteFile(filepath.Join(dir, "note.txt"), []byte("姓名：张伟性别：男年龄：45岁\n住院号：ZY2023001\n"), 0o644)
	inv := scan(t, Options{}, dir)
	var got []identity.Token
	got = inv.Identity.Tokens()
	want := []identity.Token{
		{Kind: identity.Name, Value: "Jane Marie Doe", Source: "document label 'Patient name' in report.pdf"},
		{Kind: identity.BirthDate, Value: "19610203", Source: "document label 'DOB' in report.pdf"},
		{Kind: identity.ID, Value: "RX448812", Source: "document label 'MRN' in report.pdf"},
		{Kind: identity.Name, Value: "张伟", Source: "document label '姓名' in note.txt"},
		{Kind: identity.ID, Value: "ZY2023001", Source: "document label '住院号' in note.txt"},
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%+v missing from %+v", w, got)
		}
	}
}

// TestOtherPatientNamesAreIdentity: a name the patient had before (or
// another spelling of it) in OtherPatientNames is looked for too.
func TestOtherPatientNamesAreIdentity(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "IM1"), dcmfix.Instance(dcmfix.Spec{PatientName: "Doe^Jane", Extra: []dcmfix.Element{
		dcmfix.Str(dcmfix.T(0x0010, 0x1001), "PN", "Smith^Jane", "Yamada^Hanako=山田^花子"),
	}}), 0o644)
	inv := scan(t, Options{}, dir)
	got := inv.Identity.Tokens()
	for _, want := range []string{"Smith^Jane", "Yamada^Hanako=山田^花子"} {
		if !slices.Contains(got, identity.Token{Kind: identity.Name, Value: want, Source: "DICOM OtherPatientNames"}) {
			t.Errorf("%q missing from %+v", want, got)
		}
	}
}
