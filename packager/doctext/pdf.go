package doctext

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"dossier/packager/pdftext"
)

// ErrTooComplex is returned for a PDF that needs more work or time than a
// document is allowed (a page tree or content built to exhaust a reader):
// report that the document is too complex to read.
var ErrTooComplex = pdftext.ErrBudget

// PDFPage is the text of one PDF page.
type PDFPage struct {
	// Number counts from 1.
	Number int
	Text   string
	// Reliable is false when some of the page's text could not be read
	// for certain (a font without a usable encoding, a Type3 font without
	// ToUnicode, writing drawn as outlines, or more glyphs than allowed):
	// the page may say more than Text shows.
	Reliable bool
	// Drawn is set when some writing on the page is drawn as vector
	// outlines instead of text (pdftext.ProblemTextAsPaths): no text
	// reader sees it.
	Drawn bool
	// Images counts the pictures drawn on the page.
	Images int
}

var errEnough = errors.New("doctext: enough pages")

// PDFPages returns the text of the first pages of a PDF (Options.MaxPages),
// page by page, the total bounded by Options.MaxText.
func PDFPages(ctx context.Context, r io.ReaderAt, size int64, opts Options) ([]PDFPage, error) {
	opts = opts.withDefaults()
	var pages []PDFPage
	total := 0
	err := pdftext.Read(ctx, r, size, pdftext.Options{MaxPageText: opts.MaxText, ReuseGlyphs: true}, func(p *pdftext.Page) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		text := truncate(p.Text, opts.MaxText-total)
		total += len(text)
		drawn := false
		for _, q := range p.Problems {
			drawn = drawn || q.Kind == pdftext.ProblemTextAsPaths
		}
		pages = append(pages, PDFPage{Number: p.Number, Text: text, Reliable: p.Reliable(), Drawn: drawn, Images: p.Images})
		if len(pages) >= opts.MaxPages || total >= opts.MaxText {
			return errEnough
		}
		return nil
	})
	switch {
	case err == nil, errors.Is(err, errEnough):
		return pages, nil
	case errors.Is(err, pdftext.ErrBudget):
		return nil, ErrTooComplex
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, err
	}
	return nil, fmt.Errorf("doctext: reading PDF text: %w", err)
}

// pdfText reads the text of the first pages of a PDF, line by line, the
// way pdftotext lays it out.
func pdfText(ctx context.Context, r io.ReaderAt, size int64, opts Options) (string, error) {
	pages, err := PDFPages(ctx, r, size, opts)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range pages {
		b.WriteString(p.Text)
	}
	if b.Len() == 0 {
		return "", ErrNoText
	}
	return b.String(), nil
}
