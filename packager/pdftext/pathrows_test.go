package pdftext

import (
	"testing"

	"dossier/internal/fixture/docfix"
)

// TestDrawnWriting: the row of writing drawn as outlines is found as one
// box around its glyphs, on its baseline (600 points up, 14 points high);
// an ordinary text page has none.
func TestDrawnWriting(t *testing.T) {
	pages, err := readAll(t, docfix.PDFPathText([]string{"Patient: Jane Doe"}, "Signed for Jane Doe"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := DrawnWriting(pages[0])
	if len(rows) != 1 {
		t.Fatalf("rows %v: want one", rows)
	}
	r := rows[0]
	if r[1] < 590 || r[3] > 620 || r[3]-r[1] < 10 || r[2]-r[0] < 100 {
		t.Errorf("row %v: want the drawn line around 600 points up", r)
	}
	for _, p := range pages[0].Paths {
		if p.glyphLike() && (p.Box[0] < r[0] || p.Box[1] < r[1] || p.Box[2] > r[2] || p.Box[3] > r[3]) {
			t.Errorf("outline %v outside the row %v", p.Box, r)
		}
	}
	plain, err := readAll(t, docfix.PDF("Patient: Jane Doe"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rows := DrawnWriting(plain[0]); len(rows) != 0 {
		t.Errorf("a text page: rows %v", rows)
	}
}
