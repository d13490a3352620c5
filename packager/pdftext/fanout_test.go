package pdftext

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
)

// TestFormFanOut: forms that each draw the next one 100 times, five deep
// (10^10 draws), run out of the step budget instead of running for hours.
func TestFormFanOut(t *testing.T) {
	b := &docfix.PDFBuilder{Compress: true}
	next := b.Stream("/Type /XObject /Subtype /Form /BBox [0 0 1 1]", []byte("0 0 m 1 1 l S"))
	for i := 0; i < 5; i++ {
		next = b.Stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /N %d 0 R >> >>", next), []byte(strings.Repeat("/N Do ", 100)))
	}
	data := b.Pages(docfix.PDFPage{Content: "/N Do", Resources: fmt.Sprintf("<< /XObject << /N %d 0 R >> >>", next)})
	if _, err := readAll(t, data, Options{}); !errors.Is(err, ErrBudget) {
		t.Errorf("fan-out: %v", err)
	}
}
