package deid

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/doctext"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

func rtfIdentity() *identity.Set {
	set := identity.NewSet()
	set.Add(identity.Name, "Ødegård^Kåre", "the test")
	set.Add(identity.Name, "张三", "the test")
	return set
}

// TestRedactRTF: in Windows-1252 and GBK documents, the patient's name in
// the body (plain, split over groups and control words, as \uN characters,
// as double-byte \'xx pairs split over groups), header, footer, footnote
// and field result is replaced by the placeholder; comments, hidden text
// and the document information go; the rest of the text and the code page
// stay; neither the text read back nor the leak scan finds the name.
func TestRedactRTF(t *testing.T) {
	m := rtfIdentity().Matcher()
	for _, cp := range []int{1252, 936} {
		in := docfix.RTFParts(cp)
		if !docfix.HasPlanted(doctext.RTFText(in)) || len(m.FindAll(doctext.RTFText(in))) < 8 {
			t.Fatalf("cp%d: the fixture does not name the patient enough: %q", cp, doctext.RTFText(in))
		}
		var out bytes.Buffer
		counts, err := RedactRTF(context.Background(), &out, bytes.NewReader(in), m, "removed")
		if err != nil {
			t.Fatalf("cp%d: %v", cp, err)
		}
		text := doctext.RTFText(out.Bytes())
		if docfix.HasPlanted(text) || strings.Contains(text, "张") || strings.Contains(text, "三") || len(m.FindAll(text)) > 0 {
			t.Errorf("cp%d: the name is left: %q", cp, text)
		}
		if places := layersWithPlanted(t, out.Bytes(), "rtf"); len(places) > 0 {
			t.Errorf("cp%d: the leak scan finds the name in %v", cp, places)
		}
		for _, want := range []string{"Patient: [removed]", "Seen: [removed] today", "Name: [removed]", "Diagnosis: benign", "Referred by the GP for [removed].", "Hidden  after", "[removed] clinic copy", "Page footer for [removed]", "病理诊断", "Link to [removed]"} {
			if !strings.Contains(text, want) {
				t.Errorf("cp%d: the text lacks %q: %q", cp, want, text)
			}
		}
		if !bytes.Contains(out.Bytes(), []byte(`\ansicpg`+map[int]string{1252: "1252", 936: "936"}[cp])) {
			t.Errorf("cp%d: the code page changed", cp)
		}
		if cp == 936 && !bytes.Contains(out.Bytes(), []byte(`\'b2\'a1\'c0\'ed\'d5\'ef\'b6\'cf`)) {
			t.Errorf("cp936: the kept GBK text was rewritten")
		}
		if bytes.ContainsFunc(out.Bytes(), func(r rune) bool { return r > 0x7f }) {
			t.Errorf("cp%d: the output is not 7-bit RTF", cp)
		}
		n := 0
		for _, c := range counts {
			if c.Kind == string(identity.Name) {
				n = c.Count
			}
		}
		if want := map[int]int{1252: 8, 936: 9}[cp]; n < want {
			t.Errorf("cp%d: %+v, want at least %d names", cp, counts, want)
		}
	}
}

// TestRedactRTFLabel: a Chinese label is written as \uN characters with
// the fallbacks \uc asks for, so it reads back as itself in any code page.
func TestRedactRTFLabel(t *testing.T) {
	in := []byte(`{\rtf1\ansi\ansicpg1252\uc2 Patient K\'e5re \'d8deg\'e5rd\b0\par}`)
	var out bytes.Buffer
	if _, err := RedactRTF(context.Background(), &out, bytes.NewReader(in), rtfIdentity().Matcher(), "姓名已删除"); err != nil {
		t.Fatal(err)
	}
	if got := doctext.RTFText(out.Bytes()); got != "Patient [姓名已删除]\n" {
		t.Errorf("read back %q from %q", got, out.String())
	}
	if !strings.Contains(out.String(), `\u22995??`) {
		t.Errorf("the label is not written as \\uN with two fallbacks: %q", out.String())
	}
}

// TestRTFDocumentsAreRedacted: at a private level an RTF letter naming the
// patient is redacted, not held for review, and written without the name.
func TestRTFDocumentsAreRedacted(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "letter.rtf", docfix.RTFParts(1252))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = rtfIdentity()
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Action != Redact {
		t.Fatalf("%+v, want redact", ds)
	}
	noRedact, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{NoRedact: true})
	if err != nil || noRedact[0].Action != Review {
		t.Fatalf("with --no-redact: %+v, %v", noRedact, err)
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
	text, err := doctext.ExtractFile(context.Background(), p, "rtf", doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if docfix.HasPlanted(text) || len(inv.Identity.Matcher().FindAll(text)) > 0 {
		t.Errorf("the name is left: %q", text)
	}
	if !strings.Contains(text, "Patient: [name removed]") || !strings.Contains(text, "Diagnosis: benign") {
		t.Errorf("the redacted text: %q", text)
	}
	if r := res.Written[0].Redacted; len(r) != 1 || r[0].Kind != "name" || r[0].Count < 8 {
		t.Errorf("redacted %+v", r)
	}
}
