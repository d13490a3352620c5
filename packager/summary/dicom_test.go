package summary

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/doctext"
	"dossier/packager/intake"
)

func dicomReport(sopClass, uid string, extra ...dcmfix.Element) []byte {
	elems := []dcmfix.Element{
		dcmfix.Str(dcmfix.T(0x0008, 0x0016), "UI", sopClass),
		dcmfix.Str(dcmfix.T(0x0008, 0x0018), "UI", uid),
		dcmfix.Str(dcmfix.T(0x0008, 0x0060), "CS", "DOC"),
		dcmfix.Str(dcmfix.T(0x0010, 0x0010), "PN", "DOE^JANE"),
		dcmfix.Str(dcmfix.T(0x0020, 0x000D), "UI", uid+".1"),
		dcmfix.Str(dcmfix.T(0x0020, 0x000E), "UI", uid+".2"),
	}
	return dcmfix.File(append(elems, extra...), dcmfix.FileOptions{Syntax: dcmfix.ExplicitLE})
}

// TestDICOMReports reads a structured report's text values and the PDF
// inside an Encapsulated PDF, found by intake among a case's files.
func TestDICOMReports(t *testing.T) {
	dir := t.TempDir()
	text := func(s string) dcmfix.Item {
		return dcmfix.Item{Elements: []dcmfix.Element{dcmfix.Str(dcmfix.T(0x0040, 0xA040), "CS", "TEXT"), dcmfix.Str(dcmfix.T(0x0040, 0xA160), "UT", s)}}
	}
	sr := dicomReport("1.2.840.10008.5.1.4.1.1.88.11", "1.2.826.0.1.3680043.10.1999.51",
		dcmfix.Str(dcmfix.T(0x0040, 0xA010), "CS", "CONTAINS"),
		dcmfix.Seq(dcmfix.T(0x0040, 0xA730), false, text("Date of examination: 2026-05-02"), text("Impression: Right upper lobe mass, cT2a N2 M0."),
			text("EGFR exon 19 deletion detected.")))
	pdf := docfix.PDF("MOLECULAR PATHOLOGY REPORT", "Report date: 2026-05-10", "ALK (D5F3): negative. PD-L1 (22C3): TPS 60%.")
	enc := dicomReport("1.2.840.10008.5.1.4.1.1.104.1", "1.2.826.0.1.3680043.10.1999.52",
		dcmfix.Str(dcmfix.T(0x0042, 0x0012), "LO", "application/pdf"),
		dcmfix.Bytes(dcmfix.T(0x0042, 0x0011), "OB", pdf))
	for name, b := range map[string][]byte{"SR0001": sr, "EPDF0001": enc} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, docs, err := FromInventory(context.Background(), inv, doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("%d documents read", len(docs))
	}
	got := strings.Join(bioKeys(s), " ")
	for _, want := range []string{"EGFR|mutated|exon 19 deletion", "ALK|negative|", "PD-L1||TPS 60%"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %s in %s", want, got)
		}
	}
	if len(s.Stages) != 1 || s.Stages[0].Text != "cT2a N2 M0" || !strings.HasSuffix(s.Stages[0].Source.Path, "SR0001") {
		t.Errorf("stages: %+v", s.Stages)
	}
	for _, b := range s.Biomarkers {
		if b.Name == "ALK" && (!strings.HasSuffix(b.Source.Path, "EPDF0001") || b.Source.Page != 1 || b.Date != "2026-05-10") {
			t.Errorf("ALK source: %+v", b)
		}
	}
}
