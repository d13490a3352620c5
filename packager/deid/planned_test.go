package deid

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
	"dossier/packager/redact"
)

// plannedPDF plans the export of one PDF naming Jane Doe.
func plannedPDF(t *testing.T, opts Options) (*intake.Inventory, Decision) {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "report.pdf", docfix.PDF("Patient: Jane Marie Doe, born 1970", "Final diagnosis: benign"))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Doe^Jane^Marie", "the test")
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Action != Redact {
		t.Fatalf("plan: %+v, want one redact", ds)
	}
	return inv, ds[0]
}

// TestPlannedRedactionIsWritten: the redacted copy Plan made and read back
// is what Write writes, byte for byte, each time (a second redaction would
// give the PDF a new /ID), with what was removed counted; its read-back
// text is kept for the leak scan. Boxes changed after the plan are never
// ignored: the PDF is then redacted again with them.
func TestPlannedRedactionIsWritten(t *testing.T) {
	inv, d := plannedPDF(t, Options{})
	rp := d.redact
	if rp.planned == nil || len(rp.planned.data) == 0 {
		t.Fatal("the plan kept no redacted copy")
	}
	if strings.Contains(rp.planned.text, "Jane") || !strings.Contains(rp.planned.text, "Final diagnosis") {
		t.Errorf("the kept read-back text is %q", rp.planned.text)
	}
	p := WithIdentity(privacy.Params{Level: privacy.Pseudonymised, Secret: make([]byte, privacy.SecretSize)}, inv)
	for i := range 2 {
		var out bytes.Buffer
		if err := Write(context.Background(), &out, d, p, intake.Options{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), rp.planned.data) {
			t.Fatalf("write %d: not the planned copy", i+1)
		}
		if rp.written == nil || *rp.written != rp.planned.text {
			t.Errorf("write %d: the read-back text is not passed on", i+1)
		}
		if got := RedactedOf(d); len(got) == 0 {
			t.Errorf("write %d: nothing counted as redacted", i+1)
		}
	}

	d.Redactions = &Redactions{PDF: []redact.Box{{Page: 1, X: 0, Y: 0, Width: 200, Height: 200}}}
	var out bytes.Buffer
	if err := Write(context.Background(), &out, d, p, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(out.Bytes(), rp.planned.data) || rp.written != nil {
		t.Fatal("boxes given after the plan were ignored")
	}
	var userBoxes bool
	for _, r := range RedactedOf(d) {
		userBoxes = userBoxes || r.Kind == "boxes" && r.Count >= 2
	}
	if !userBoxes {
		t.Errorf("redacted %+v: want the user's box counted", RedactedOf(d))
	}
}

// TestPlannedTextIsLeakScanned: the final leak scan of a redacted PDF
// written as planned reads the text its read-back found: a spelling there
// holds the file back.
func TestPlannedTextIsLeakScanned(t *testing.T) {
	inv, d := plannedPDF(t, Options{})
	d.redact.planned.text += "\nJane Doe\n" // as if the read-back had found it
	p := WithIdentity(privacy.Params{Level: privacy.Pseudonymised, Secret: make([]byte, privacy.SecretSize)}, inv)
	res, err := WriteTree(context.Background(), t.TempDir(), inv, []Decision{d}, p, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 0 || len(res.LeftOut) != 1 || res.LeftOut[0].Action != Held {
		t.Fatalf("written %+v, left out %+v: want it held", res.Written, res.LeftOut)
	}
	var text bool
	for _, l := range res.LeftOut[0].Leaks {
		text = text || l.Place == placeText && l.Kind == identity.Name
	}
	if !text {
		t.Errorf("leaks %+v: want the name in the document's text", res.LeftOut[0].Leaks)
	}
}

// TestPlannedRedactionBudget: Plan keeps redacted copies only within its
// budget; one it did not keep is redacted again when written, the same
// way.
func TestPlannedRedactionBudget(t *testing.T) {
	k := &keepBudget{left: 100}
	if !k.keep(60, 10) || k.keep(20, 20) || !k.keep(20, 10) || k.left != 0 {
		t.Errorf("budget: %+v", k)
	}
	if (*keepBudget)(nil).keep(1, 0) || (&keepBudget{left: keepTotal}).keep(keepPerItem, 1) {
		t.Error("kept over the budget")
	}

	inv, d := plannedPDF(t, Options{})
	planned := d.redact.planned
	d.redact.planned = nil
	p := WithIdentity(privacy.Params{Level: privacy.Pseudonymised, Secret: make([]byte, privacy.SecretSize)}, inv)
	var out bytes.Buffer
	if err := Write(context.Background(), &out, d, p, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	if d.redact.written != nil {
		t.Error("a read-back text passed on for a copy redacted again")
	}
	sc := leakscan.New(inv.Identity.Needles())
	if hits, _ := sc.Explain(context.Background(), "report", bytes.NewReader(out.Bytes()), int64(out.Len()), "pdf"); len(hits) > 0 {
		t.Errorf("the copy redacted again names the patient: %v", hits)
	}
	text, err := spellingsLeft(context.Background(), out.Bytes(), inv.Identity.Matcher())
	if err != nil || text != planned.text {
		t.Errorf("redacted again: text %q (%v), planned %q", text, err, planned.text)
	}
}

// TestPlannedLabelInLanguage: the copy Plan keeps has its boxes labelled
// in the export's language, as a copy redacted when written would.
func TestPlannedLabelInLanguage(t *testing.T) {
	_, en := plannedPDF(t, Options{})
	_, zh := plannedPDF(t, Options{Language: "zh-Hans"})
	if en.redact.label == zh.redact.label {
		t.Fatalf("labels %q and %q: want the Chinese one to differ", en.redact.label, zh.redact.label)
	}
	if !bytes.Contains(layersOf(t, en.redact.planned.data), []byte("(name removed) Tj")) {
		t.Error("the English copy's boxes do not say 'name removed'")
	}
	if bytes.Contains(layersOf(t, zh.redact.planned.data), []byte("removed")) {
		t.Error("the Chinese copy's boxes are labelled in English")
	}
}

// layersOf is every layer of a PDF (its streams inflated), joined.
func layersOf(t *testing.T, pdf []byte) []byte {
	t.Helper()
	var all []byte
	err := leakscan.Layers(context.Background(), bytes.NewReader(pdf), int64(len(pdf)), "pdf", leakscan.LayerLimits{}, func(l leakscan.Layer) error {
		all = append(all, l.Data...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}
