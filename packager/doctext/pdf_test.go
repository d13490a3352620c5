package doctext

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
)

func TestPDFPages(t *testing.T) {
	ctx := context.Background()
	data := docfix.PDFCompressed([]string{"Pathology report"}, []string{"Final diagnosis"}, []string{"Signed"})
	pages, err := PDFPages(ctx, bytes.NewReader(data), int64(len(data)), Options{MaxPages: 2})
	if err != nil || len(pages) != 2 {
		t.Fatalf("%d pages, %v", len(pages), err)
	}
	if pages[1].Number != 2 || pages[1].Text != "Final diagnosis\n" || !pages[1].Reliable {
		t.Errorf("page 2: %+v", pages[1])
	}
	t3 := docfix.PDFType3("Secret")
	pages, err = PDFPages(ctx, bytes.NewReader(t3), int64(len(t3)), Options{})
	if err != nil || len(pages) != 1 || pages[0].Reliable {
		t.Errorf("Type3 page: %+v, %v", pages, err)
	}
	img := docfix.PDFImageOnly()
	pages, err = PDFPages(ctx, bytes.NewReader(img), int64(len(img)), Options{})
	if err != nil || len(pages) != 1 || pages[0].Images != 1 || pages[0].Text != "" {
		t.Errorf("image page: %+v, %v", pages, err)
	}
}

func TestExtractPDFClasses(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"cjk", docfix.PDFCJK("病理诊断：浸润性导管癌", "免疫组化：ER(+，约80%)"), "免疫组化：ER(+，约80%)"},
		{"truetype subset", docfix.PDFTrueTypeSubset("Discharge summary"), "Discharge summary"},
		{"glyph per Tj", docfix.PDFGlyphPerTj("Patient Jane Doe"), "Patient Jane Doe"},
		{"kerned", docfix.PDFKerned("Patient Jane Doe"), "Patient Jane Doe"},
		{"form", docfix.PDFForm("Header", "Jane Doe"), "Jane Doe"},
		{"rotated", docfix.PDFRotated("Jane Doe"), "Jane Doe"},
		{"form field", docfix.PDFFormField("Patient:", "name", "Jane Doe"), "Patient: Jane Doe"},
	}
	for _, c := range cases {
		got, err := extract(t, c.data, "pdf", Options{})
		if err != nil || !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, %v", c.name, got, err)
		}
	}
	if _, err := extract(t, docfix.PDFImageOnly(), "pdf", Options{}); !errors.Is(err, ErrNoText) {
		t.Errorf("image-only: %v", err)
	}
}

func TestExtractHostilePDF(t *testing.T) {
	if _, err := extract(t, docfix.PDFPageTreeCycle(), "pdf", Options{}); !errors.Is(err, ErrNoText) {
		t.Errorf("page tree cycle: %v", err)
	}
	got, err := extract(t, docfix.PDFGlyphBomb(6_000_000), "pdf", Options{MaxText: 4096})
	if err != nil || len(got) > 4096 {
		t.Errorf("glyph bomb: %d bytes, %v", len(got), err)
	}
}
