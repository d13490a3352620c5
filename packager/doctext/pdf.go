package doctext

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/ledongthuc/pdf"
)

// pdfText reads the text of the first pages of a PDF, line by line. The PDF
// library may panic on damaged files; that becomes an error.
func pdfText(ctx context.Context, r io.ReaderAt, size int64, opts Options) (text string, err error) {
	defer func() {
		if p := recover(); p != nil {
			text, err = "", fmt.Errorf("reading PDF text: the file is damaged or uses features Dossier cannot read (%v)", p)
		}
	}()
	rd, err := pdf.NewReader(r, size)
	if err != nil {
		return "", fmt.Errorf("reading PDF text: %w", err)
	}
	n := rd.NumPage()
	if n <= 0 || n > 100000 {
		return "", ErrNoText
	}
	var b strings.Builder
	for i := 1; i <= min(n, opts.MaxPages) && b.Len() < opts.MaxText; i++ {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		pageText(&b, rd.Page(i))
	}
	return b.String(), nil
}

// pageText writes one page's text, glyphs grouped into lines by position.
func pageText(b *strings.Builder, p pdf.Page) {
	if p.V.IsNull() {
		return
	}
	glyphs := p.Content().Text
	if len(glyphs) == 0 {
		return
	}
	sort.SliceStable(glyphs, func(i, j int) bool {
		gi, gj := glyphs[i], glyphs[j]
		tol := math.Max(math.Max(gi.FontSize, gj.FontSize)*0.4, 1)
		if math.Abs(gi.Y-gj.Y) > tol {
			return gi.Y > gj.Y
		}
		return gi.X < gj.X
	})
	lineY, end := glyphs[0].Y, glyphs[0].X
	for i, g := range glyphs {
		tol := math.Max(g.FontSize*0.4, 1)
		switch {
		case i == 0:
		case math.Abs(g.Y-lineY) > tol:
			b.WriteByte('\n')
			lineY = g.Y
		case g.X-end > math.Max(g.FontSize*0.2, 0.5):
			b.WriteByte(' ')
		}
		b.WriteString(g.S)
		end = g.X + g.W
	}
	b.WriteByte('\n')
}
