package deid

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

// TestEncapsulatedPDFIsADocument: at the private levels an Encapsulated
// PDF DICOM file whose PDF names the patient is held for review with a
// plain reason, and carries a warning when the user includes it; one whose
// PDF is clean is not held for its document.
func TestEncapsulatedPDFIsADocument(t *testing.T) {
	dir := t.TempDir()
	named := write(t, dir, "named.dcm", dcmfix.Instance(dcmfix.Spec{PatientName: "Ødegård^Kåre", PatientID: "NO-4471", Modality: "DOC",
		SOPUID: "2.25.1001", Document: docfix.PDF("Discharge letter", "Kare Odegard was seen on Monday.")}))
	clean := write(t, dir, "clean.dcm", dcmfix.Instance(dcmfix.Spec{PatientName: "Ødegård^Kåre", PatientID: "NO-4471", Modality: "DOC",
		SOPUID: "2.25.1002", Document: docfix.PDF("Discharge letter", "The patient did well.")}))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Kåre Ødegård", "the test")
	for _, level := range []privacy.Level{privacy.Pseudonymised, privacy.Anonymised} {
		for _, include := range []bool{false, true} {
			ds, err := Plan(context.Background(), inv, level, Options{Include: map[string]bool{named: include}})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				switch d.Path {
				case named:
					if d.Action != Review || !strings.Contains(d.Reason, "inside this DICOM file mentions the patient") {
						t.Errorf("%s include=%v: %s (%s), want review naming the embedded PDF", level, include, d.Action, d.Reason)
					}
					if include != (d.Warning == warnEmbeddedIdentity) || d.Included != include {
						t.Errorf("%s include=%v: included %v, warning %q", level, include, d.Included, d.Warning)
					}
				case clean:
					if strings.Contains(d.Reason, "inside this DICOM file") || d.Warning != "" {
						t.Errorf("%s: clean embedded PDF: %s (%s) %q", level, d.Action, d.Reason, d.Warning)
					}
				default:
					t.Errorf("unexpected item %s", filepath.Base(d.Path))
				}
			}
			if !include {
				continue
			}
			res, err := WriteTree(context.Background(), t.TempDir(), inv, ds, privacy.Params{Level: level, Secret: make([]byte, privacy.SecretSize), Pseudonym: "DOSSIER-7KQ2-M4XD"}, TreeOptions{})
			if err != nil {
				t.Fatalf("%s: WriteTree: %v", level, err)
			}
			warned := false
			for _, w := range res.Written {
				if w.Path == named && slices.Contains(w.Warnings, warnEmbeddedIdentity) {
					warned = true
				}
			}
			if !warned {
				t.Errorf("%s: the included embedded PDF was written without its warning: %+v", level, res.Written)
			}
		}
	}
}
