package deid

import (
	"bytes"
	"context"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/identity"
	"dossier/packager/pdftext"
	"dossier/packager/redact"
)

// TestMatcherSpansDriveRedaction: the matcher's spans are exact byte
// offsets in pdftext's page text, so redaction can take them as they are:
// in every class of text PDF (glyph per Tj, kerned, Form XObject, rotated,
// CJK, compressed) the name spelled in any of its forms is found, removed,
// and not found again when the redacted file is read back.
func TestMatcherSpansDriveRedaction(t *testing.T) {
	set := identity.NewSet()
	set.Add(identity.Name, "Doe^Jane^Marie", "DICOM PatientName")
	set.Add(identity.Name, "Zhang^San=张^三", "DICOM PatientName")
	m := set.Matcher()
	finder := func(p *pdftext.Page) [][]int {
		return redact.TextSpans(p, identity.Merge(m.FindAll(p.Text)))
	}
	find := func(data []byte) int {
		n := 0
		err := pdftext.Read(context.Background(), bytes.NewReader(data), int64(len(data)), pdftext.Options{}, func(p *pdftext.Page) error {
			n += len(m.FindAll(p.Text))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for name, pdf := range map[string][]byte{
		"glyph per Tj": docfix.PDFGlyphPerTj("Patient Jane Doe, born 1970", "Final diagnosis"),
		"kerned":       docfix.PDFKerned("Patient Jane Doe here", "Final diagnosis"),
		"form":         docfix.PDFForm("Header line", "Form text for DOE, Jane", "Second form line"),
		"rotated":      docfix.PDFRotated("Rotated J. Doe line", "Another line"),
		"cjk":          docfix.PDFCJK("姓名：张三 性别：女", "病理诊断：浸润性导管癌"),
		"compressed":   docfix.PDFCompressed([]string{"Patient: Jane Marie Doe", "Pathology report"}, []string{"Dear Dr Smith,", "Jane Doe was seen."}),
	} {
		if find(pdf) == 0 {
			t.Errorf("%s: the matcher does not find the name in the original", name)
			continue
		}
		var out bytes.Buffer
		res, err := redact.PDF(context.Background(), bytes.NewReader(pdf), &out, finder, redact.Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if res.Boxes == 0 {
			t.Errorf("%s: nothing redacted", name)
		}
		if n := find(out.Bytes()); n != 0 {
			t.Errorf("%s: %d spellings left after redaction", name, n)
		}
	}
}
