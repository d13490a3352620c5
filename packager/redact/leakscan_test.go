package redact_test

import (
	"bytes"
	"context"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/identity"
	"dossier/packager/leakscan"
	"dossier/packager/pdftext"
	"dossier/packager/redact"
)

// TestRedactedClassesPassTheLeakScan: after redaction, the project's leak
// scan (every layer of the PDF: content streams, strings, metadata) and the
// page text read back find no spelling of the name in any class of text
// PDF.
func TestRedactedClassesPassTheLeakScan(t *testing.T) {
	s := identity.NewSet()
	s.Add(identity.Name, "Doe^Jane", "the test")
	s.Add(identity.Name, "Zhang^San=张^三", "the test")
	m := s.Matcher()
	scan := leakscan.New(s.Needles())
	find := func(p *pdftext.Page) [][]int { return redact.TextSpans(p, identity.Merge(m.FindAll(p.Text))) }
	for name, data := range map[string][]byte{
		"compressed pages": docfix.PDFCompressed([]string{"Patient: Jane Doe", "Pathology report"}, []string{"Dear Dr Smith,", "Jane Doe was seen (DOE, Jane)."}),
		"truetype subset":  docfix.PDFTrueTypeSubsetPages([]string{"Patient: Jane Doe", "Invasive ductal carcinoma"}, []string{"Signed for Jane Doe, 2 pages"}),
		"cid font":         docfix.PDFCJKPages([]string{"姓名：张三 性别：女", "病理诊断：浸润性导管癌"}, []string{"患者张三，ER(+，约80%)"}),
		"glyph per Tj":     docfix.PDFGlyphPerTj("Patient Jane Doe, born 1970", "Final diagnosis"),
		"kerned":           docfix.PDFKerned("Patient Jane Doe here", "Final diagnosis"),
		"form":             docfix.PDFForm("Header line", "Form text for Jane Doe", "Second form line"),
		"rotated":          docfix.PDFRotated("Rotated Jane Doe line", "Another line"),
	} {
		hits, err := scan.Layers(context.Background(), name, bytes.NewReader(data), int64(len(data)), "pdf", leakscan.LayerLimits{})
		if err != nil {
			t.Fatal(err)
		}
		// The layers hold the name as bytes where the font's codes are
		// the letters; other fonts' codes are read through the page text.
		if raw := name == "compressed pages" || name == "form" || name == "rotated"; raw && len(hits) == 0 {
			t.Fatalf("%s: the leak scan finds nothing in the fixture", name)
		}
		var out bytes.Buffer
		if _, err := redact.PDF(context.Background(), bytes.NewReader(data), &out, find, redact.Options{Label: "name removed"}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		hits, err = scan.Layers(context.Background(), name, bytes.NewReader(out.Bytes()), int64(out.Len()), "pdf", leakscan.LayerLimits{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, h := range hits {
			t.Errorf("%s: the leak scan finds %s in %s", name, h.Kind, h.Where)
		}
		// The page text, as the export's check reads it back.
		err = pdftext.Read(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()), pdftext.Options{}, func(p *pdftext.Page) error {
			if n := len(m.FindAll(p.Text)); n > 0 {
				t.Errorf("%s: page %d still spells the name %d times", name, p.Number, n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
