package deid

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/dicomwire"
	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

// TestEncapsulatedPDFIsADocument: at the private levels an Encapsulated
// PDF DICOM file whose PDF names the patient is redacted (with
// --no-redact: held for review with a plain reason, and a warning when the
// user includes it); one whose PDF is clean is sent, not held as a
// picture with burned-in annotation.
func TestEncapsulatedPDFIsADocument(t *testing.T) {
	dir := t.TempDir()
	named := write(t, dir, "named.dcm", dcmfix.Instance(dcmfix.Spec{PatientName: "Ødegård^Kåre", PatientID: "NO-4471", Modality: "DOC",
		SOPUID: "2.25.1001", Document: docfix.PDF("Discharge letter", "Kare Odegard was seen on Monday.")}))
	clean := write(t, dir, "clean.dcm", dcmfix.Instance(dcmfix.Spec{PatientName: "Ødegård^Kåre", PatientID: "NO-4471", Modality: "DOC",
		SOPUID: "2.25.1002", Document: docfix.PDF("Discharge letter", "The patient did well."),
		Extra: []dcmfix.Element{dcmfix.Str(dcmfix.W(dicomwire.BurnedInAnnotation), "CS", "YES")}}))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Kåre Ødegård", "the test")
	for _, level := range []privacy.Level{privacy.Pseudonymised, privacy.Anonymised} {
		for _, noRedact := range []bool{false, true} {
			for _, include := range []bool{false, true} {
				ds, err := Plan(context.Background(), inv, level, Options{Include: map[string]bool{named: include}, NoRedact: noRedact})
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range ds {
					switch d.Path {
					case named:
						if !noRedact {
							if d.Action != Redact || d.Warning != "" {
								t.Errorf("%s: %s (%s) %q, want redact", level, d.Action, d.Reason, d.Warning)
							}
							continue
						}
						if d.Action != Review || !strings.Contains(d.Reason.String(), "inside this DICOM file mentions the patient") {
							t.Errorf("%s include=%v: %s (%s), want review naming the embedded PDF", level, include, d.Action, d.Reason)
						}
						if include != (d.Warning == warnEmbeddedIdentity) || d.Included != include {
							t.Errorf("%s include=%v: included %v, warning %q", level, include, d.Included, d.Warning)
						}
					case clean:
						if d.Action != Transform || d.Warning != "" {
							t.Errorf("%s: clean embedded PDF: %s (%s) %q, want transform", level, d.Action, d.Reason, d.Warning)
						}
					default:
						t.Errorf("unexpected item %s", filepath.Base(d.Path))
					}
				}
				if !include || !noRedact {
					continue
				}
				res, err := WriteTree(context.Background(), t.TempDir(), inv, ds, privacy.Params{Level: level, Secret: make([]byte, privacy.SecretSize), Pseudonym: "DOSSIER-7KQ2-M4XD"}, TreeOptions{})
				if err != nil {
					t.Fatalf("%s: WriteTree: %v", level, err)
				}
				warned := false
				for _, w := range res.Written {
					if w.Path == named && slices.ContainsFunc(w.Warnings, func(t i18n.Text) bool { return t.Format == warnEmbeddedIdentity }) {
						warned = true
					}
				}
				if !warned {
					t.Errorf("%s: the included embedded PDF was written without its warning: %+v", level, res.Written)
				}
			}
		}
	}
}

// TestEncapsulatedCDAIsADocument: an Encapsulated CDA DICOM file is decided
// by the XML document inside it, like an Encapsulated PDF: held at the
// private levels when the CDA names the patient (in text or in an
// attribute, in a folded spelling), with a warning when included; a CDA
// that does not name the patient is sent (not held as a burned-in picture).
func TestEncapsulatedCDAIsADocument(t *testing.T) {
	dir := t.TempDir()
	cda := func(body string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>Discharge summary</title>` + body + `</ClinicalDocument>`)
	}
	named := write(t, dir, "named.dcm", dcmfix.Instance(dcmfix.Spec{PatientName: "Ødegård^Kåre", PatientID: "NO-4471", Modality: "DOC",
		SOPClassUID: dcmfix.SOPClassCDA, SOPUID: "2.25.2001",
		Document: cda(`<recordTarget><patientRole><patient><name><given>Kare</given> <family>Odegard</family></name></patient></patientRole></recordTarget><component><text>Seen on Monday.</text></component>`)}))
	inAttr := write(t, dir, "attr.dcm", dcmfix.Instance(dcmfix.Spec{PatientName: "Ødegård^Kåre", PatientID: "NO-4471", Modality: "DOC",
		SOPClassUID: dcmfix.SOPClassCDA, SOPUID: "2.25.2002",
		Document: cda(`<author><assignedAuthor><code displayName="Kåre Ødegård"/></assignedAuthor></author><component><text>Seen on Monday.</text></component>`)}))
	clean := write(t, dir, "clean.dcm", dcmfix.Instance(dcmfix.Spec{PatientName: "Ødegård^Kåre", PatientID: "NO-4471", Modality: "DOC",
		SOPClassUID: dcmfix.SOPClassCDA, SOPUID: "2.25.2003",
		Document: cda(`<component><text>The patient did well after surgery.</text></component>`)}))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Kåre Ødegård", "the test")
	for _, level := range []privacy.Level{privacy.Pseudonymised, privacy.Anonymised} {
		ds, err := Plan(context.Background(), inv, level, Options{Include: map[string]bool{named: true}})
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, d := range ds {
			switch d.Path {
			case named, inAttr:
				seen++
				if d.Action != Review || !strings.Contains(d.Reason.String(), "clinical document (CDA) inside this DICOM file mentions the patient") {
					t.Errorf("%s %s: %s (%s), want review naming the CDA", level, filepath.Base(d.Path), d.Action, d.Reason)
				}
				if included := d.Path == named; d.Included != included || (d.Warning == warnEmbeddedCDAIdentity) != included {
					t.Errorf("%s %s: included %v, warning %q", level, filepath.Base(d.Path), d.Included, d.Warning)
				}
			case clean:
				seen++
				if d.Action != Transform || d.Warning != "" {
					t.Errorf("%s: clean CDA: %s (%s) %q, want transform (a document, not a burned-in picture)", level, d.Action, d.Reason, d.Warning)
				}
			}
		}
		if seen != 3 {
			t.Errorf("%s: %d of the 3 CDA files planned", level, seen)
		}
	}
}
