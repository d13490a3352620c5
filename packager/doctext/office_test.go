package doctext

import (
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
)

// TestOfficeTextEveryPart checks that a name anywhere a reader or author
// of a DOCX or ODT can put it is in the extracted text, which decides
// whether the document mentions the patient.
func TestOfficeTextEveryPart(t *testing.T) {
	n := docfix.PlantedName
	body := []string{"Discharge letter", "The patient did well."}
	docx := map[string]docfix.DOCXParts{
		"header": {Header: n}, "footer": {Footer: n}, "comment": {Comment: n}, "comment author": {Comment: "ok", CommentAuthor: n},
		"footnote": {Footnote: n}, "endnote": {Endnote: n}, "hidden": {Hidden: n}, "hidden by style": {HiddenStyled: n}, "hidden paragraph": {HiddenParagraph: n},
		"inserted": {Inserted: n}, "deleted": {Deleted: n}, "revision author": {Inserted: "x", RevisionAuthor: n},
		"core properties": {Core: n}, "app properties": {App: n}, "custom properties": {Custom: n}, "custom xml": {CustomXML: n},
		"alt text": {AltText: n}, "picture name": {PictureName: n + ".jpg"}, "split runs": {Body: []string{"Patient: " + n}, SplitRuns: true},
	}
	for label, p := range docx {
		if p.Body == nil {
			p.Body = body
		}
		text, err := extract(t, docfix.DOCXWithParts(p), "docx", Options{})
		if err != nil {
			t.Errorf("docx %s: %v", label, err)
			continue
		}
		if !docfix.HasPlanted(text) {
			t.Errorf("docx %s: the name is not in the text %q", label, text)
		}
		if p.Body[0] == body[0] && !strings.HasPrefix(text, "Discharge letter\nThe patient did well.") {
			t.Errorf("docx %s: the body does not come first: %q", label, text)
		}
	}
	odt := map[string]docfix.ODTParts{
		"header": {Header: n}, "footer": {Footer: n}, "annotation": {Annotation: n}, "annotation author": {Annotation: "ok", AnnotationAuthor: n},
		"meta": {Meta: n}, "hidden": {Hidden: n}, "deleted": {Deleted: n}, "alt text": {AltText: n},
	}
	for label, p := range odt {
		p.Body = body
		text, err := extract(t, docfix.ODT(p), "odf", Options{})
		if err != nil {
			t.Errorf("odt %s: %v", label, err)
			continue
		}
		if !docfix.HasPlanted(text) {
			t.Errorf("odt %s: the name is not in the text %q", label, text)
		}
		if label == "annotation" && !strings.Contains(text, "\n"+n) {
			t.Errorf("odt annotation: its text runs on from its author or date: %q", text)
		}
	}
}

// TestOfficeTextBudget checks that a long body cannot push a comment out of
// the text that is checked.
func TestOfficeTextBudget(t *testing.T) {
	long := make([]string, 3000)
	for i := range long {
		long[i] = "A long paragraph of the letter that fills the text budget."
	}
	text, err := extract(t, docfix.DOCXWithParts(docfix.DOCXParts{Body: long, Comment: docfix.PlantedName}), "docx", Options{MaxText: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(text) > 64<<10 || !docfix.HasPlanted(text) {
		t.Errorf("%d bytes, name found %v", len(text), docfix.HasPlanted(text))
	}
}

func TestRTFText(t *testing.T) {
	cases := []struct {
		name string
		rtf  []byte
		want []string
	}{
		{"cp1252 \\'xx", docfix.RTF(1252, nil, "Pasient: "+docfix.PlantedName), []string{"Pasient: Kåre Ødegård"}},
		{"\\uN outside the code page", docfix.RTF(1252, nil, "Łukasz Żółć"), []string{"Łukasz Żółć"}},
		{"cp936 double-byte \\'xx", docfix.RTF(936, nil, "姓名：张伟"), []string{"姓名：张伟"}},
		{"info group", docfix.RTF(1252, map[string]string{"author": docfix.PlantedName, "title": "Brev", "operator": "Op", "company": "Sykehus"}, "Body"),
			[]string{"Kåre Ødegård\n", "Brev\n", "Sykehus\n", "Body"}},
		{"uc0", []byte(`{\rtf1\ansi\uc0 K\u229re}`), []string{"Kåre"}},
		{"uc2 skips two", []byte(`{\rtf1\ansi\uc2 K\u229\'e5?re}`), []string{"Kåre"}},
		{"negative \\u", []byte(`{\rtf1\ansi \u-10179?\u-8704?}`), []string{"\U0001F600"}},
		{"annotation", []byte(`{\rtf1\ansi Text{\*\atnauthor Kåre}{\*\annotation note about \'d8deg\'e5rd}}`), []string{"note about Ødegård"}},
		{"binary skipped", []byte("{\\rtf1\\ansi {\\pict\\bin4 \x00}{\x01}after}"), []string{"after"}},
	}
	for _, c := range cases {
		got := RTFText(c.rtf)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
		if strings.Contains(got, "Arial") || strings.Contains(got, "creatim") {
			t.Errorf("%s: machine data in %q", c.name, got)
		}
	}
}

// The author in an HTML page's meta tags and a picture's description are
// read too (after the page's text).
func TestHTMLAttributes(t *testing.T) {
	page := []byte(`<html><head><meta name="author" content="Kåre Ødegård"><title>Letter</title></head><body><p>Dear colleague</p><img src="x.png" alt='photo of O. Kaare'></body></html>`)
	text, err := extract(t, page, "html", Options{})
	if err != nil || !strings.HasPrefix(strings.TrimSpace(text), "Letter") || !strings.Contains(text, "Kåre Ødegård\n") || !strings.Contains(text, "photo of O. Kaare") {
		t.Errorf("%q %v", text, err)
	}
}

func TestTextEncodings(t *testing.T) {
	for _, c := range textEncodingCases(t) {
		got, err := extract(t, c.data, "txt", Options{})
		if err != nil || !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, %v", c.name, got, err)
		}
	}
}

func TestSpreadsheetAndPresentationText(t *testing.T) {
	n := docfix.PlantedName
	for label, c := range map[string]struct {
		data   []byte
		format string
		body   string
	}{
		"xlsx cell":           {docfix.XLSX([]string{"Haemoglobin 120", "Patient " + n}, "", ""), "xlsx", "Haemoglobin 120"},
		"xlsx comment":        {docfix.XLSX([]string{"Haemoglobin 120"}, n, "Reviewer"), "xlsx", "Haemoglobin 120"},
		"xlsx comment author": {docfix.XLSX([]string{"Haemoglobin 120"}, "ok", n), "xlsx", "Haemoglobin 120"},
		"pptx slide":          {docfix.PPTX([]string{"Tumour board", "Case of " + n}, "", "", ""), "pptx", "Tumour board"},
		"pptx notes":          {docfix.PPTX([]string{"Tumour board"}, n, "", ""), "pptx", "Tumour board"},
		"pptx comment author": {docfix.PPTX([]string{"Tumour board"}, "", "ok", n), "pptx", "Tumour board"},
	} {
		text, err := extract(t, c.data, c.format, Options{})
		if err != nil || !docfix.HasPlanted(text) || !strings.HasPrefix(text, c.body) {
			t.Errorf("%s: %q %v", label, text, err)
		}
	}
}
