package burnedin

import (
	"context"
	"io"

	"dossier/packager/identity"
	"dossier/packager/pdftext"
	"dossier/packager/redact"
)

// SuggestPDF suggests redaction boxes for the scanned pages of the PDF in
// r (pages without text, only pictures): where OCR reads a spelling m
// finds in a page's picture, a box in PDF points from the top left of the
// page as displayed (as redact.Options.Boxes and --redactions take them).
// Apply them with redact.PDF and Options{Boxes, Reviewed: true}, which
// masks the picture's pixels under each box and embeds it again
// losslessly. It returns ErrNoOCR when tesseract is missing and the PDF has
// scanned pages, and redact.ErrImage when a picture on such a page cannot
// be decoded (neither can it be masked): the document must then be held
// for review. A PDF whose every page has text gives no boxes.
func SuggestPDF(ctx context.Context, r io.ReadSeeker, m *identity.Matcher) ([]redact.Box, error) {
	pics, err := redact.ScannedPictures(ctx, r, pdftext.Options{})
	if err != nil || len(pics) == 0 {
		return nil, err
	}
	if _, err := Tesseract(); err != nil {
		return nil, err
	}
	var out []redact.Box
	for _, p := range pics {
		boxes, err := SuggestOCR(ctx, p.Image, m, 0)
		if err != nil {
			return nil, err
		}
		for _, b := range boxes {
			out = append(out, p.ToPage(b.X, b.Y, b.Width, b.Height))
		}
	}
	return out, nil
}
