package doctext

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/pdftext"
)

func extract(t *testing.T, data []byte, format string, opts Options) (string, error) {
	t.Helper()
	return Extract(context.Background(), bytes.NewReader(data), int64(len(data)), format, opts)
}

func TestExtractFormats(t *testing.T) {
	cases := []struct {
		name, format string
		data         []byte
		want         []string
	}{
		{"pdf", "pdf", docfix.PDF("SURGICAL PATHOLOGY REPORT", "ER positive (Allred 8)"), []string{"SURGICAL PATHOLOGY REPORT\nER positive (Allred 8)"}},
		{"pdf sniffed", "", docfix.PDF("Hello (world)"), []string{"Hello (world)"}},
		{"docx", "docx", docfix.DOCX("Treatment summary", "6 cycles & more"), []string{"Treatment summary\n6 cycles & more"}},
		{"txt", "txt", []byte("Reference range\r\nHaemoglobin 120 g/L"), []string{"Reference range", "Haemoglobin"}},
		{"latin1", "txt", []byte("R\xe9sum\xe9 du traitement"), []string{"Résumé du traitement"}},
		{"html", "html", []byte("<html><style>p{}</style><body><p>Discharge&nbsp;summary</p><script>x()</script><p>Ward 5</p></body></html>"), []string{"Discharge\u00a0summary", "Ward 5"}},
		{"rtf", "rtf", []byte(`{\rtf1\ansi{\fonttbl\f0 Arial;}\f0 Operative report\par Procedure performed: caf\'e9}`), []string{"Operative report", "Procedure performed: café"}},
	}
	for _, c := range cases {
		got, err := extract(t, c.data, c.format, Options{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
		if strings.Contains(got, "x()") || strings.Contains(got, "p{}") || strings.Contains(got, "fonttbl") {
			t.Errorf("%s: markup left in %q", c.name, got)
		}
	}
}

func TestExtractBounds(t *testing.T) {
	long := bytes.Repeat([]byte("word "), 100000)
	got, err := extract(t, long, "txt", Options{MaxText: 1000})
	if err != nil || len(got) > 1000 {
		t.Errorf("MaxText: %d bytes, %v", len(got), err)
	}
	if _, err := extract(t, []byte("   \n  "), "txt", Options{}); !errors.Is(err, ErrNoText) {
		t.Errorf("blank text: %v", err)
	}
	if _, err := extract(t, docfix.JPEG(8, 8), "jpeg", Options{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("jpeg: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pdf := docfix.PDF("x")
	if _, err := Extract(ctx, bytes.NewReader(pdf), int64(len(pdf)), "pdf", Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestExtractDamagedPDF: a damaged PDF gives a clear error (damaged, or no
// readable text), or, where part of it reads, only text that is in the
// document, never more than the input's size.
func TestExtractDamagedPDF(t *testing.T) {
	pdf := docfix.PDF("Pathology report", "Final diagnosis")
	cases := []struct {
		name string
		data []byte
		// damaged: the error must be pdftext.ErrDamaged; otherwise
		// ErrNoText, ErrDamaged or part of the text are all right.
		damaged bool
	}{
		{"truncated", pdf[:len(pdf)/2], false},
		{"garbage after header", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0xff}, 500)...), true},
		{"no objects", []byte("%PDF-1.7\ntrailer<</Root 1 0 R>>\n%%EOF"), true},
	}
	for _, c := range cases {
		got, err := extract(t, c.data, "pdf", Options{})
		switch {
		case c.damaged && !errors.Is(err, pdftext.ErrDamaged):
			t.Errorf("%s: got %q, %v; want ErrDamaged", c.name, got, err)
		case errors.Is(err, pdftext.ErrDamaged), errors.Is(err, ErrNoText):
			if got != "" {
				t.Errorf("%s: text %q with error %v", c.name, got, err)
			}
		case err != nil:
			t.Errorf("%s: unclear error %v", c.name, err)
		default:
			if len(got) > len(c.data) {
				t.Errorf("%s: %d bytes of text from %d bytes", c.name, len(got), len(c.data))
			}
			for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
				if line != "" && !strings.Contains("Pathology report\nFinal diagnosis", line) {
					t.Errorf("%s: text not in the document: %q", c.name, line)
				}
			}
		}
	}
}

func TestExtractFileInZip(t *testing.T) {
	dir := t.TempDir()
	inner := docfix.Zip(docfix.ZipEntry{Name: "deep/notes.docx", Data: docfix.DOCX("Discharge summary")})
	outer := docfix.Zip(docfix.ZipEntry{Name: "portal/report.pdf", Data: docfix.PDF("Radiology report")}, docfix.ZipEntry{Name: "inner.zip", Data: inner})
	p := filepath.Join(dir, "download.zip")
	if err := os.WriteFile(p, outer, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got, err := ExtractFile(ctx, p+"!/portal/report.pdf", "pdf", Options{}); err != nil || !strings.Contains(got, "Radiology report") {
		t.Errorf("zip entry: %q %v", got, err)
	}
	if got, err := ExtractFile(ctx, p+"!/inner.zip!/deep/notes.docx", "docx", Options{}); err != nil || !strings.Contains(got, "Discharge summary") {
		t.Errorf("nested zip entry: %q %v", got, err)
	}
	if _, err := ExtractFile(ctx, p+"!/nothing.pdf", "pdf", Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing entry: %v", err)
	}
	if _, err := ExtractFile(ctx, p+"!/portal/report.pdf", "pdf", Options{MaxInput: 10}); err == nil {
		t.Error("entry over MaxInput read")
	}
	if _, err := ExtractFile(ctx, filepath.Join(dir, "gone.pdf"), "pdf", Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestClassifyFromText(t *testing.T) {
	cases := []struct {
		text string
		want Category
	}{
		{"SURGICAL PATHOLOGY REPORT\nFinal diagnosis: invasive ductal carcinoma. Margins clear.", CategoryPathology},
		{"Immunohistochemistry: estrogen receptor positive, progesterone receptor positive, HER2 0. Ki-67 10%.", CategoryIHC},
		{"Next-generation sequencing. EGFR exon 19 deletion. Variant allele frequency 31%. Tumor mutational burden 4.", CategoryMolecular},
		{"CT chest with contrast. Technique: axial images. Comparison: none. Findings: 2 cm nodule. Impression: suspicious.", CategoryRadiology},
		{"OPERATIVE REPORT. Preoperative diagnosis: rectal cancer. Procedure performed: anterior resection. Estimated blood loss 200 ml.", CategoryOperative},
		{"Treatment summary: 6 cycles of FOLFOX, then radiotherapy 50 Gy in 25 fractions. Partial response.", CategoryTreatment},
		{"Discharge summary. Date of admission 3 May. Date of discharge 9 May. Discharge medications: none.", CategoryDischarge},
		{"Complete blood count. Haemoglobin 98 g/L (reference range 120-160). Platelets 150. CEA 12 ng/mL.", CategoryLab},
	}
	for _, c := range cases {
		cat, conf, ev := Classify("scan0001.pdf", c.text)
		if cat != c.want {
			t.Errorf("%q: got %s (%v), want %s", c.text[:30], cat, ev, c.want)
		}
		if conf <= MaxNameConfidence || conf > MaxTextConfidence || len(ev) == 0 {
			t.Errorf("%s: confidence %v, evidence %v", c.want, conf, ev)
		}
	}
}

func TestClassifyFromName(t *testing.T) {
	cases := map[string]Category{
		"/cd/Pathology_Report_2026.pdf":   CategoryPathology,
		"CT_chest_report.pdf":             CategoryRadiology,
		"portal.zip!/labs/bloods-may.pdf": CategoryLab,
		"Discharge Letter.docx":           CategoryDischarge,
		"NGS_results.pdf":                 CategoryMolecular,
		"IMG_2041.jpg":                    CategoryOther,
		"scan0001.pdf":                    CategoryOther,
		"op_note.pdf":                     CategoryOperative,
		"chemo-summary.pdf":               CategoryTreatment,
	}
	for name, want := range cases {
		cat, conf, _ := Classify(name, "")
		if cat != want {
			t.Errorf("%s: %s, want %s", name, cat, want)
		}
		if conf > MaxNameConfidence {
			t.Errorf("%s: confidence %v from a name", name, conf)
		}
	}
	// Too little text falls back to the name.
	if cat, _, _ := Classify("pathology.pdf", "Page 1"); cat != CategoryPathology {
		t.Errorf("short text: %s", cat)
	}
}

func TestTerms(t *testing.T) {
	n := Normalize("PD-L1 (22C3): TPS 80%; HER2/neu 1+; Ki-67 ≥ 20%")
	for _, term := range []string{"PD-L1", "pd l1", "22c3", "HER2", "neu", "Ki-67"} {
		if !HasTerm(n, term) {
			t.Errorf("%q not found in %q", term, n)
		}
	}
	for _, term := range []string{"HER", "PD-L2", "TPS 8"} {
		if HasTerm(n, term) {
			t.Errorf("%q found as a word", term)
		}
	}
	if HasTerm(Normalize("Kerala"), "ER") {
		t.Error("ER matched inside a word")
	}
	if got, ok := HasAny(n, "PDL1|PD-L1"); !ok || got != "PD-L1" {
		t.Errorf("HasAny: %q %v", got, ok)
	}
	for _, c := range Categories() {
		if !c.Valid() || c.Name() == "" {
			t.Errorf("category %s", c)
		}
	}
}

func TestKeywordDataValidated(t *testing.T) {
	if err := CheckKeywords(); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		`{"categories":[{"id":"pathologyy","name":"x","strong":["a"],"names":["a"]}]}`,
		`{"categories":[{"id":"pathology","name":"x","strong":["a"],"names":["a"]},{"id":"pathology","name":"y","strong":["a"],"names":["a"]}]}`,
		`{"categories":[{"id":"lab-results","name":"","strong":["a"],"names":["a"]}]}`,
		`{"categories":[{"id":"other","name":"x","strong":["a"],"names":["a"]}]}`,
		`not json`,
	}
	for _, b := range bad {
		if _, err := parseTerms([]byte(b)); err == nil {
			t.Errorf("accepted %s", b)
		}
	}
}

// A surgical pathology report with its immunohistochemistry is a pathology
// report first and an immunohistochemistry report too; a letter that quotes
// the pathology is neither.
func TestClassifyAlso(t *testing.T) {
	path := "SURGICAL PATHOLOGY REPORT\nFinal diagnosis: invasive ductal carcinoma, left breast\n" +
		"Immunohistochemistry: ER positive (Allred 8), PR positive (Allred 6),\nHER2 negative (IHC 1+). Ki-67 15%."
	c := ClassifyDocument("report.pdf", path)
	if c.Category != CategoryPathology || !slices.Contains(c.Also, CategoryIHC) {
		t.Errorf("pathology report with IHC: %s, also %v", c.Category, c.Also)
	}
	letter := "DISCHARGE SUMMARY\nDate of admission: 3 March. Date of discharge: 6 March.\nDear Dr Smith,\n" +
		"Hospital course: wide local excision. The pathology report gives a final diagnosis of invasive carcinoma.\n" +
		"Discharge medications: paracetamol. Yours sincerely"
	if c := ClassifyDocument("letter.pdf", letter); c.Category != CategoryDischarge || len(c.Also) != 0 {
		t.Errorf("a letter quoting the pathology: %s, also %v", c.Category, c.Also)
	}
}
