package redact

import (
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/pdftext"
)

// TestRedactHostile: a page tree that points back to itself and a page of
// millions of glyphs end with an error, never a hang or a crash.
func TestRedactHostile(t *testing.T) {
	find := func(p *pdftext.Page) [][]int { return words("A")(p) }
	if _, _, err := redact(t, docfix.PDFPageTreeCycle(), find, Options{}); err == nil {
		t.Error("page tree cycle: no error")
	}
	if _, _, err := redact(t, docfix.PDFGlyphBomb(6_000_000), find, Options{}); err == nil {
		t.Error("glyph bomb: no error")
	}
}
