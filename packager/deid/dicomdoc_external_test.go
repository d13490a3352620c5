package deid

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/dicomwire"
	"dossier/packager/doctext"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
	"dossier/packager/redact"
)

// TestEncapsulatedPDFIsRedacted writes an Encapsulated PDF DICOM file whose
// PDF (of odd length, with an Encapsulated Document Length) names the
// patient, and checks it with independent tools: dcmdump reads it without
// complaint, dciodvfy finds no error the original did not have, the
// header carries the pseudonym; the PDF taken out of it (its length
// element even, padded with one zero byte, the length element saying the
// true length) passes qpdf --check, and pdftotext finds the rest of the
// text but no spelling of the name, nor does the leak scan in any layer of
// the file.
func TestEncapsulatedPDFIsRedacted(t *testing.T) {
	dcmdump := testtool.Look(t, "dcmdump", "dcmtk")
	dciodvfy := testtool.Look(t, "dciodvfy", "dicom3tools")
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	pdftotext := testtool.Look(t, "pdftotext", "poppler-utils")
	doc := docfix.PDF("Discharge letter", "Kare Odegard was seen on Monday.", "Final diagnosis: benign")
	if len(doc)%2 == 0 {
		doc = append(doc, '\n')
	}
	dir := t.TempDir()
	src := write(t, dir, "named.dcm", dcmfix.Instance(dcmfix.Spec{PatientName: "Ødegård^Kåre", PatientID: "NO-4471", Modality: "DOC",
		SOPUID: "2.25.1001", Document: doc,
		Extra: []dcmfix.Element{
			dcmfix.Str(dcmfix.W(dicomwire.BurnedInAnnotation), "CS", "YES"),
			dcmfix.UL(dcmfix.W(encapsulatedDocumentLength), uint32(len(doc))),
		}}))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Ødegård^Kåre", "the test")
	inv.Identity.Add(identity.ID, "NO-4471", "the test")
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Action != Redact {
		t.Fatalf("%+v, want redact", ds)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, WithIdentity(privacy.Params{Level: privacy.Pseudonymised, Secret: make([]byte, privacy.SecretSize), Pseudonym: "DOSSIER-7KQ2-M4XD"}, inv), TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 1 {
		t.Fatalf("written %+v, left out %+v", res.Written, res.LeftOut)
	}
	if r := res.Written[0].Redacted; !slices.Contains(r, Redaction{Kind: "name", Count: 1}) {
		t.Errorf("redacted %+v", r)
	}
	dst := filepath.Join(out, filepath.FromSlash(res.Written[0].Name))
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}

	dump, err := exec.Command(dcmdump, "-q", "+E", dst).CombinedOutput()
	if err != nil || strings.Contains(string(dump), "E: ") || strings.Contains(string(dump), "W: ") {
		t.Errorf("dcmdump: %v\n%s", err, dump)
	}
	if !strings.Contains(string(dump), "DOSSIER-7KQ2-M4XD") || docfix.HasPlanted(string(dump)) || strings.Contains(string(dump), "NO-4471") {
		t.Errorf("the header: %s", dump)
	}
	before, after := dciodvfyErrs(t, dciodvfy, src), dciodvfyErrs(t, dciodvfy, dst)
	for _, e := range after {
		if !slices.Contains(before, e) {
			t.Errorf("dciodvfy: a new error: %s", e)
		}
	}

	// The element: even length, one zero pad byte, the length element true.
	var value []byte
	var docLen uint32
	p10, err := dicomwire.OpenPart10(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	w := p10.Walker(context.Background())
	w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
		if e.Depth == 0 && e.Tag == dicomwire.EncapsulatedDocument {
			value = b[e.ValueOffset() : e.ValueOffset()+int64(e.Length)]
		}
		if e.Depth == 0 && e.Tag == encapsulatedDocumentLength {
			docLen = binary.LittleEndian.Uint32(b[e.ValueOffset():])
		}
		return dicomwire.Continue, nil
	}
	if _, err := w.Walk(p10.Meta.End, p10.Size); err != nil {
		t.Fatal(err)
	}
	if len(value) == 0 || len(value)%2 != 0 || !bytes.HasPrefix(value, []byte("%PDF-")) {
		t.Fatalf("the Encapsulated Document: %d bytes", len(value))
	}
	if docLen != 0 {
		if int(docLen) != len(value) && !(int(docLen) == len(value)-1 && value[docLen] == 0) {
			t.Errorf("Encapsulated Document Length %d for a value of %d bytes", docLen, len(value))
		}
		value = value[:docLen]
	}
	pdf := filepath.Join(t.TempDir(), "inside.pdf")
	os.WriteFile(pdf, value, 0o600)
	if o, err := exec.Command(qpdf, "--check", pdf).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, o)
	}
	txt, err := exec.Command(pdftotext, "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(txt)
	if docfix.HasPlanted(text) || strings.Contains(text, "Kare") || strings.Contains(text, "Odegard") {
		t.Errorf("pdftotext finds the name: %q", text)
	}
	for _, want := range []string{"Discharge letter", "was seen on Monday.", "Final diagnosis: benign"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q: %q", want, text)
		}
	}
	var places []string
	err = leakscan.DICOMLayers(context.Background(), bytes.NewReader(b), int64(len(b)), func(l leakscan.Layer) error {
		if docfix.HasPlanted(string(l.Data)) || bytes.Contains(l.Data, []byte("NO-4471")) {
			places = append(places, l.Place)
		}
		return nil
	})
	if err != nil || len(places) > 0 {
		t.Errorf("the leak scan finds the identity in %v (%v)", places, err)
	}
}

var dciodvfyValueRE = regexp.MustCompile(`= <[^>]*>`)

// dciodvfyErrs returns dciodvfy's error lines for path, values blanked.
func dciodvfyErrs(t *testing.T, tool, path string) []string {
	t.Helper()
	o, err := exec.Command(tool, path).CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.Exited()) {
		t.Fatalf("dciodvfy: %v", err)
	}
	var errs []string
	for _, l := range strings.Split(string(o), "\n") {
		if l = strings.TrimSpace(dciodvfyValueRE.ReplaceAllString(l, "= <>")); strings.HasPrefix(l, "Error") {
			errs = append(errs, l)
		}
	}
	return errs
}

// TestReplaceEncapsulatedDocument: an odd-length document is padded with
// one zero byte to an even element length, and the Encapsulated Document
// Length says the true length; a file without the element is refused.
func TestReplaceEncapsulatedDocument(t *testing.T) {
	in := dcmfix.Instance(dcmfix.Spec{PatientName: "A^B", Modality: "DOC", SOPUID: "2.25.9",
		Document: docfix.PDF("x"), Extra: []dcmfix.Element{dcmfix.UL(dcmfix.W(encapsulatedDocumentLength), 1)}})
	for _, doc := range [][]byte{[]byte("%PDF-1.4 odd"), []byte("%PDF-1.4 even")} {
		out, err := replaceEncapsulatedDocument(context.Background(), in, doc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := embeddedDocument(context.Background(), bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		want := doc
		if len(doc)%2 == 1 {
			want = append(append([]byte(nil), doc...), 0)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the element holds %q, want %q", got, want)
		}
		if n := bytes.Index(out, []byte{0x42, 0x00, 0x15, 0x00, 'U', 'L', 4, 0}); n < 0 || binary.LittleEndian.Uint32(out[n+8:]) != uint32(len(doc)) {
			t.Errorf("Encapsulated Document Length not set to %d", len(doc))
		}
	}
	if _, err := replaceEncapsulatedDocument(context.Background(), dcmfix.Instance(dcmfix.Spec{Modality: "CT", SOPUID: "2.25.10"}), []byte("%PDF")); err == nil {
		t.Error("a file without a document was accepted")
	}
}

// TestEncapsulatedPDFBoxes: the user's boxes on an Encapsulated PDF's page
// are applied to the PDF inside (never ignored): a box over the whole page
// leaves no text.
func TestEncapsulatedPDFBoxes(t *testing.T) {
	dir := t.TempDir()
	src := write(t, dir, "doc.dcm", dcmfix.Instance(dcmfix.Spec{PatientName: "Ødegård^Kåre", PatientID: "NO-4471", Modality: "DOC",
		SOPUID: "2.25.1003", Document: docfix.PDF("Discharge letter", "Final diagnosis: benign")}))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Ødegård^Kåre", "the test")
	red := map[string]*Redactions{src: {PDF: []redact.Box{{Page: 1, X: 0, Y: 0, Width: 2000, Height: 2000}}, Confirmed: true}}
	ds, err := Plan(context.Background(), inv, privacy.Anonymised, Options{Redactions: red})
	if err != nil || len(ds) != 1 || !ds[0].Writes() {
		t.Fatalf("%+v, %v", ds, err)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}, TreeOptions{})
	if err != nil || len(res.Written) != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	b, _ := os.ReadFile(filepath.Join(out, filepath.FromSlash(res.Written[0].Name)))
	doc, err := embeddedDocument(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := doctext.PDFPages(context.Background(), bytes.NewReader(doc), int64(len(doc)), doctext.Options{})
	if err != nil && !errors.Is(err, doctext.ErrNoText) {
		t.Fatal(err)
	}
	for _, p := range pages {
		if strings.Contains(p.Text, "benign") || strings.Contains(p.Text, "Discharge") {
			t.Errorf("page %d keeps its text under the box: %q", p.Number, p.Text)
		}
	}
}
