package deid

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/pdftext"
	"dossier/packager/privacy"
	"dossier/packager/redact"
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

// TestConfirmedBoxesReleaseTextDrawnAsPaths: a PDF held because writing on
// its page is drawn as glyph outlines is written, once the user covered
// that writing with boxes, confirmed them and chose to send it: the
// outlines under the boxes are taken out of the page (not merely covered),
// the name in its text is redacted as usual, and the copy passes qpdf.
// Boxes the user did not confirm cannot release it.
func TestConfirmedBoxesReleaseTextDrawnAsPaths(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "IM1", dcmfix.Instance(dcmfix.Spec{PatientName: patientName, PatientID: patientID}))
	named := write(t, dir, "named.pdf", docfix.PDFPathText([]string{"Patient: Jane Doe", "Invasive ductal carcinoma"}, "Signed for Jane Doe"))
	inv := scanCase(t, dir)
	// The outlines sit on the baseline 600 pt up, 14 pt high: 192 pt from
	// the top of the page.
	box := []redact.Box{{Page: 1, X: 66, Y: 176, Width: 220, Height: 24}}
	params := privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}

	ds, err := Plan(context.Background(), inv, privacy.Anonymised, Options{Redactions: map[string]*Redactions{named: {PDF: box}}, Include: map[string]bool{named: true}})
	if err != nil {
		t.Fatal(err)
	}
	if d := decision(t, ds, "named.pdf"); d.Action != Exclude {
		t.Errorf("unconfirmed boxes: %s %q, want left out", d.Action, d.Reason)
	}

	red := map[string]*Redactions{named: {PDF: box, Confirmed: true}}
	ds, err = Plan(context.Background(), inv, privacy.Anonymised, Options{Redactions: red})
	if err != nil {
		t.Fatal(err)
	}
	if d := decision(t, ds, "named.pdf"); d.Action != Review || d.Included {
		t.Errorf("confirmed boxes, not chosen: %s included=%v, want held until chosen", d.Action, d.Included)
	}
	ds, err = Plan(context.Background(), inv, privacy.Anonymised, Options{Redactions: red, Include: map[string]bool{named: true}})
	if err != nil {
		t.Fatal(err)
	}
	if d := decision(t, ds, "named.pdf"); d.Action != Review || !d.Included || d.redact == nil {
		t.Fatalf("confirmed boxes, chosen: %s included=%v redact=%v (%q), want included and redacted", d.Action, d.Included, d.redact != nil, d.Reason)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, params, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var w *Written
	for i := range res.Written {
		if res.Written[i].Path == named {
			w = &res.Written[i]
		}
	}
	if w == nil {
		t.Fatalf("the PDF was not written: left out %+v", res.LeftOut)
	}
	got := map[string]int{}
	for _, r := range w.Redacted {
		got[r.Kind] = r.Count
	}
	if got["boxes"] < 2 || got["name"] < 1 {
		t.Errorf("redacted %v: want the name's box and the user's", got)
	}
	data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(w.Name)))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := pdftext.Open(context.Background(), bytes.NewReader(data), pdftext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := doc.Page(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range p.Problems {
		if q.Kind == pdftext.ProblemTextAsPaths {
			t.Errorf("the written page still shows writing drawn as paths")
		}
	}
	if strings.Contains(p.Text, "Jane") || strings.Contains(p.Text, "Doe") || !strings.Contains(p.Text, "carcinoma") {
		t.Errorf("written text %q: want the name gone and the rest kept", p.Text)
	}
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	if msg, err := exec.Command(qpdf, "--check", filepath.Join(out, filepath.FromSlash(w.Name))).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, msg)
	}
}
