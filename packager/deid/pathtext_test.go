package deid

import (
	"context"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/privacy"
)

// TestPlanHoldsTextDrawnAsPaths: a PDF page that shows writing drawn as
// glyph outlines is never sent as clean, nor redacted by its text alone,
// at a private level: it is held for review, and the reason says that the
// writing is drawn, not text. That holds whether its ordinary text names
// the patient too or is clean.
func TestPlanHoldsTextDrawnAsPaths(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "IM1", dcmfix.Instance(dcmfix.Spec{PatientName: patientName, PatientID: patientID}))
	write(t, dir, "named.pdf", docfix.PDFPathText([]string{"Patient: Jane Doe", "Invasive ductal carcinoma"}, "Signed for Jane Doe"))
	write(t, dir, "clean.pdf", docfix.PDFPathText([]string{"Invasive ductal carcinoma, grade 2"}, "Jane Doe"))
	inv := scanCase(t, dir)
	for _, level := range []privacy.Level{privacy.Pseudonymised, privacy.Anonymised} {
		ds, err := Plan(context.Background(), inv, level, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"named.pdf", "clean.pdf"} {
			if d := decision(t, ds, name); d.Action != Review || !strings.Contains(d.Reason.String(), "drawn as shapes") {
				t.Errorf("%s, %s: %s %q, want review because writing is drawn as shapes", level, name, d.Action, d.Reason)
			}
		}
	}
	// At the identified level nothing is checked: the file is sent as it is.
	ds, err := Plan(context.Background(), inv, privacy.Identified, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := decision(t, ds, "named.pdf"); d.Action != Copy && d.Action != Transform {
		t.Errorf("identified: %s", d.Action)
	}
}
