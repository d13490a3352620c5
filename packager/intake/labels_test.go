package intake

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

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
