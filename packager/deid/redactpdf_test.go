package deid

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/doctext"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/privacy"
	"dossier/packager/redact"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestPathologyPDFIsRedacted: at the pseudonymised level a pathology
// report whose text names the patient is sent redacted, not held: the
// written copy passes qpdf --check, pdftotext finds no spelling of the
// name in it but the rest of the text, the leak scan finds nothing, and
// the written item says what was removed by kind and count. With
// NoRedact it is held for review as before.
func TestPathologyPDFIsRedacted(t *testing.T) {
	pdftotext := testtool.Look(t, "pdftotext", "poppler-utils")
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	files := map[string][]byte{
		"path1.pdf": docfix.PDFGlyphPerTj("Patient Jane Doe, seen 2024", "Final diagnosis: benign"),
		"path2.pdf": docfix.PDFKerned("Patient DOE, Jane here", "Final diagnosis: benign"),
		"path3.pdf": docfix.PDFForm("Final diagnosis: benign", "Form text for Jane Marie Doe", "Second form line"),
	}
	dir := t.TempDir()
	for name, data := range files {
		write(t, dir, name, data)
	}
	plan := func(noRedact bool) (*intake.Inventory, []Decision) {
		inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		inv.Identity = identity.NewSet()
		inv.Identity.Add(identity.Name, "Doe^Jane^Marie", "the test")
		ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{NoRedact: noRedact})
		if err != nil {
			t.Fatal(err)
		}
		return inv, ds
	}

	_, held := plan(true)
	for _, d := range held {
		if d.Action != Review || !strings.Contains(d.Reason.String(), "mentions the patient") {
			t.Errorf("no redaction: %s: %s (%s), want review", filepath.Base(d.Path), d.Action, d.Reason)
		}
	}

	inv, ds := plan(false)
	for _, d := range ds {
		if d.Action != Redact {
			t.Fatalf("%s: %s (%s), want redact", filepath.Base(d.Path), d.Action, d.Reason)
		}
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, WithIdentity(privacy.Params{Level: privacy.Pseudonymised, Secret: make([]byte, privacy.SecretSize)}, inv), TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.LeftOut) != 0 {
		t.Fatalf("left out: %+v", res.LeftOut)
	}
	if len(res.Written) != len(files) {
		t.Fatalf("%d written, want %d", len(res.Written), len(files))
	}
	m := inv.Identity.Matcher()
	for _, w := range res.Written {
		name := filepath.Base(w.Path)
		p := filepath.Join(out, filepath.FromSlash(w.Name))
		if b, err := exec.Command(qpdf, "--check", p).CombinedOutput(); err != nil {
			t.Errorf("%s: qpdf --check: %v\n%s", name, err, b)
		}
		txt, err := exec.Command(pdftotext, p, "-").Output()
		if err != nil {
			t.Fatalf("%s: pdftotext: %v", name, err)
		}
		if n := len(m.FindAll(string(txt))); n != 0 {
			t.Errorf("%s: pdftotext finds %d spellings of the name", name, n)
		}
		if !strings.Contains(string(txt), "Final diagnosis") {
			t.Errorf("%s: the rest of the text is gone: %q", name, txt)
		}
		if raw, _ := os.ReadFile(p); strings.Contains(strings.ToLower(string(raw)), "jane") {
			t.Errorf("%s: the name is in the written bytes", name)
		}
		got := map[string]int{}
		for _, r := range w.Redacted {
			got[r.Kind] = r.Count
		}
		if w.Action != Redact || got["name"] == 0 || got["boxes"] == 0 || got["glyphs"] == 0 {
			t.Errorf("%s: %s, redacted %+v: want redact with name, glyphs and boxes counted", name, w.Action, w.Redacted)
		}
	}
}

// TestUnlocatablePDFIsHeld: a PDF naming the patient in a Type3 font
// without ToUnicode cannot be redacted and is held for review with a plain
// reason.
func TestUnlocatablePDFIsHeld(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "t3.pdf", docfix.PDFType3("Jane Doe"))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Doe^Jane", "the test")
	ds, err := Plan(context.Background(), inv, privacy.Anonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Action != Review || ds[0].Reason.IsZero() {
		t.Fatalf("%+v, want one review with a reason", ds)
	}
	// Redaction itself refuses such a file, and the reason says so plainly.
	_, err = RedactPDF(context.Background(), io.Discard, bytes.NewReader(docfix.PDFType3("Jane Doe")), inv.Identity.Matcher(), nil, "")
	if !errors.Is(err, redact.ErrNotLocatable) || !strings.Contains(redactReason(err).String(), "cannot locate") {
		t.Fatalf("RedactPDF of a Type3 font without ToUnicode: %v (%s), want ErrNotLocatable", err, redactReason(err))
	}
}

// TestTextFilesAreRedactedInTheirEncoding: a plain-text note naming the
// patient is written with each spelling replaced by a placeholder, in the
// file's own encoding (UTF-8, Windows-1252, GB18030), the rest unchanged.
func TestTextFilesAreRedactedInTheirEncoding(t *testing.T) {
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("病理：张三，女。诊断：浸润性导管癌\n")
	cp, _ := charmap.Windows1252.NewEncoder().String("Patientin: Jane Müller-Doe\nBefund: gutartig\n")
	files := map[string]string{
		"utf8.txt":   "Note about Jane Doe (DOE, JANE), seen today.\n",
		"gb.txt":     gb,
		"cp1252.txt": cp,
	}
	dir := t.TempDir()
	for n, s := range files {
		write(t, dir, n, []byte(s))
	}
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Doe^Jane", "the test")
	inv.Identity.Add(identity.Name, "Müller-Doe^Jane", "the test")
	inv.Identity.Add(identity.Name, "Zhang^San=张^三", "the test")
	ds, err := Plan(context.Background(), inv, privacy.Anonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Action != Redact {
			t.Fatalf("%s: %s (%s), want redact", filepath.Base(d.Path), d.Action, d.Reason)
		}
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, WithIdentity(privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}, inv), TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"utf8.txt":   "Note about [name removed] ([name removed]), seen today.\n",
		"gb.txt":     "病理：[name removed]，女。诊断：浸润性导管癌\n",
		"cp1252.txt": "Patientin: [name removed]\nBefund: gutartig\n",
	}
	if len(res.Written) != 3 {
		t.Fatalf("written %+v, left out %+v", res.Written, res.LeftOut)
	}
	for _, w := range res.Written {
		n := filepath.Base(w.Path)
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(w.Name)))
		if err != nil {
			t.Fatal(err)
		}
		var got string
		switch n {
		case "gb.txt":
			got, _ = simplifiedchinese.GB18030.NewDecoder().String(string(b))
		case "cp1252.txt":
			got, _ = charmap.Windows1252.NewDecoder().String(string(b))
		default:
			got = string(b)
		}
		if got != want[n] {
			t.Errorf("%s: %q, want %q", n, got, want[n])
		}
		if len(w.Redacted) != 1 || w.Redacted[0].Kind != "name" {
			t.Errorf("%s: redacted %+v", n, w.Redacted)
		}
	}
}

// TestWordDocumentsAreRedacted: a DOCX naming the patient in its body
// (one character per run, so each spelling spans many w:t), footnote,
// endnote and a tracked insertion is written with every spelling
// replaced, the rest of the text kept; its header and footer are emptied
// and its comment, hidden run and tracked deletion removed, so no part of
// the package holds the name.
func TestWordDocumentsAreRedacted(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "letter.docx", docfix.DOCXWithParts(docfix.DOCXParts{
		Body: []string{"Patient: Jane Doe", "Diagnosis: benign"}, SplitRuns: true,
		Header: "Jane Doe clinic", Footnote: "Seen by DOE, Jane", Inserted: "for J. Doe",
		Footer: "Page 1 of the letter for Jane Doe", Endnote: "Copy to Jane Doe", Comment: "Ask Jane Doe again",
		Hidden: "hidden note on Jane Doe", Deleted: "Jane Doe (deleted)",
	}))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Doe^Jane", "the test")
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Action != Redact {
		t.Fatalf("%+v, want redact", ds)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, WithIdentity(privacy.Params{Level: privacy.Pseudonymised, Secret: make([]byte, privacy.SecretSize)}, inv), TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 1 {
		t.Fatalf("written %+v, left out %+v", res.Written, res.LeftOut)
	}
	p := filepath.Join(out, filepath.FromSlash(res.Written[0].Name))
	text, err := doctext.ExtractFile(context.Background(), p, "docx", doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(inv.Identity.Matcher().FindAll(text)); n != 0 {
		t.Errorf("%d spellings left: %q", n, text)
	}
	for _, want := range []string{"Patient: [name removed]", "Diagnosis: benign", "for [name removed]", "Seen by [name removed]", "Copy to [name removed]"} {
		if !strings.Contains(text, want) {
			t.Errorf("the redacted text lacks %q: %q", want, text)
		}
	}
	// The spelling split over one run per character became one
	// placeholder: the runs are merged where it was.
	if first, _, _ := strings.Cut(text, "\n"); first != "Patient: [name removed]" {
		t.Errorf("the split spelling became %q", first)
	}
	// No part of the package holds the name: the comment, the hidden run
	// and the deleted text are gone, every other part has the placeholder.
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var all strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		all.Write(b)
		if low := strings.ToLower(string(b)); strings.Contains(low, "jane") || strings.Contains(low, ">doe") || strings.Contains(low, "doe<") || strings.Contains(low, "doe,") {
			t.Errorf("%s still holds the name", f.Name)
		}
	}
	// The header and footer are emptied (StripOOXML: they repeat the
	// patient's label on every page), not merely redacted.
	for _, gone := range []string{"clinic", "Page 1 of the letter"} {
		if strings.Contains(all.String(), gone) {
			t.Errorf("a header or footer is still there: %q", gone)
		}
	}
	if r := res.Written[0].Redacted; len(r) != 1 || r[0].Kind != "name" || r[0].Count < 3 {
		t.Errorf("redacted %+v", r)
	}
}

// TestPDFBoxesAreApplied: --redactions boxes on a PDF page are applied: a
// scanned page (a picture) stays for review and, included, is written with
// the picture masked under the box; a clean text PDF with a box is redacted.
func TestPDFBoxesAreApplied(t *testing.T) {
	dir := t.TempDir()
	scan := write(t, dir, "scan.pdf", docfix.PDFImageOnly())
	clean := write(t, dir, "clean.pdf", docfix.PDF("Final diagnosis: benign", "Signed by the pathologist"))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Doe^Jane", "the test")
	box := []redact.Box{{Page: 1, X: 100, Y: 300, Width: 200, Height: 100}}
	red := map[string]*Redactions{scan: {PDF: box, Confirmed: true}, clean: {PDF: []redact.Box{{Page: 1, X: 60, Y: 60, Width: 200, Height: 30}}, Confirmed: true}}
	ds, err := Plan(context.Background(), inv, privacy.Anonymised, Options{Redactions: red, Include: map[string]bool{scan: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		want := Redact
		if d.Path == scan {
			want = Review
		}
		if d.Action != want {
			t.Fatalf("%s: %s (%s), want %s", filepath.Base(d.Path), d.Action, d.Reason, want)
		}
	}
	res, err := WriteTree(context.Background(), t.TempDir(), inv, ds, privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 2 {
		t.Fatalf("written %+v, left out %+v", res.Written, res.LeftOut)
	}
	for _, w := range res.Written {
		got := map[string]int{}
		for _, r := range w.Redacted {
			got[r.Kind] = r.Count
		}
		if got["boxes"] != 1 || w.Path == scan && got["pictures masked"] != 1 {
			t.Errorf("%s: redacted %v", filepath.Base(w.Path), got)
		}
	}
}

// TestRedactedPDFLosesItsHiddenParts: a report whose page names the
// patient and whose form field, note, bookmark, attachment, JavaScript,
// alternative text, authoring data, document information and XMP name her
// too is sent redacted: the page text keeps everything but the name, and
// neither qpdf's uncompressed copy nor any layer the leak scan reads holds
// the name.
func TestRedactedPDFLosesItsHiddenParts(t *testing.T) {
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	pdftotext := testtool.Look(t, "pdftotext", "poppler-utils")
	name := docfix.PlantedName
	in := docfix.PDFWithParts(docfix.PDFParts{
		// The page's Helvetica has no encoding for å and ø: the name is
		// written as the ASCII spelling the matcher folds it to.
		Lines: []string{"Surgical pathology report", "Patient: Kare Odegard", "ER positive"},
		Field: name, Note: name, Outline: name, Attachment: name, JavaScript: name, Alt: name, PieceInfo: name,
		Info: map[string]string{"Author": name}, XMP: `<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>` + name + `</dc:creator></x:xmpmeta>`,
	})
	dir := t.TempDir()
	write(t, dir, "report.pdf", in)
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Ødegård^Kåre", "the test")
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Action != Redact {
		t.Fatalf("decisions %+v", ds)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, WithIdentity(privacy.Params{Level: privacy.Pseudonymised, Secret: make([]byte, privacy.SecretSize)}, inv), TreeOptions{})
	if err != nil || len(res.Written) != 1 {
		t.Fatalf("written %+v, left out %+v: %v", res.Written, res.LeftOut, err)
	}
	p := filepath.Join(out, filepath.FromSlash(res.Written[0].Name))
	if b, err := exec.Command(qpdf, "--check", p).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, b)
	}
	if docfix.HasPlanted(qdfText(t, qpdf, p)) {
		t.Error("qpdf --qdf still shows the name")
	}
	data, _ := os.ReadFile(p)
	if pdfLayersHavePlanted(t, data) {
		t.Error("a layer of the redacted PDF still holds the name")
	}
	txt, err := exec.Command(pdftotext, p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if docfix.HasPlanted(string(txt)) || strings.Contains(string(txt), "Kare") || strings.Contains(string(txt), "Odegard") || !strings.Contains(string(txt), "Surgical pathology report") || !strings.Contains(string(txt), "ER positive") || !strings.Contains(string(txt), "Patient:") {
		t.Errorf("page text after redaction: %q", txt)
	}
}
