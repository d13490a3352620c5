package pdftext

import (
	"fmt"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
)

// TestTextAsPaths: a page whose writing is drawn as glyph outlines is not
// reliable (its text cannot be located), while the vector drawings of
// ordinary reports (table rules and boxes, a chart's identical markers, a
// one-shape logo, a stroked signature line) leave a page reliable.
func TestTextAsPaths(t *testing.T) {
	drawn := docfix.PDFPathText([]string{"Patient: Jane Doe", "Invasive ductal carcinoma"}, "Signed for Jane Doe")
	pages, err := readAll(t, drawn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := pages[0]
	if p.Reliable() || len(p.Problems) != 1 || p.Problems[0].Kind != ProblemTextAsPaths {
		t.Errorf("outlined text: problems %v, want %s", p.Problems, ProblemTextAsPaths)
	}
	if !strings.Contains(p.Text, "Patient: Jane Doe") || strings.Contains(p.Text, "Signed") {
		t.Errorf("text %q: want the page text and not the outlines", p.Text)
	}
	// A short word drawn as outlines (4 letters) still counts.
	if pages, err := readAll(t, docfix.PDFPathText(nil, "Jane"), Options{}); err != nil || pages[0].Reliable() {
		t.Errorf("a four-letter outlined word: reliable %v, %v", pages[0].Reliable(), err)
	}

	var markers, table strings.Builder
	for i := range 30 {
		// A chart: 30 identical round markers along a line.
		x, y := 80+12*float64(i), 400+float64(i%3)
		fmt.Fprintf(&markers, "%.1f %.1f m %.1f %.1f %.1f %.1f %.1f %.1f c %.1f %.1f %.1f %.1f %.1f %.1f c f\n",
			x, y, x, y+3, x+4, y+3, x+4, y, x+4, y-3, x, y-3, x, y)
	}
	for i := range 10 {
		// A table: rules, filled header cells, and outlined boxes.
		fmt.Fprintf(&table, "72 %d m 540 %d l S 72 %d 90 14 re f 180 %d 90 14 re S\n", 700-20*i, 700-20*i, 680-20*i, 680-20*i)
	}
	clean := map[string]string{
		"chart markers": markers.String(),
		"table":         table.String(),
		"logo":          "72 720 m 100 760 130 760 150 720 c 120 700 l 90 700 l f\n",
		"signature":     "72 100 m 90 130 110 80 130 110 c 150 140 170 90 190 120 c S\n",
		"underline":     "BT /F1 12 Tf 72 650 Td (Dear Dr Smith) Tj ET 72 648 m 160 648 l 160 647 l 72 647 l f\n",
	}
	for name, content := range clean {
		data := (&docfix.PDFBuilder{Compress: true}).Pages(docfix.PDFPage{Content: content, Resources: "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"})
		pages, err := readAll(t, data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !pages[0].Reliable() {
			t.Errorf("%s: problems %v, want a reliable page", name, pages[0].Problems)
		}
		if len(pages[0].Paths) == 0 {
			t.Errorf("%s: no paths read", name)
		}
	}
}
