package summary

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"dossier/packager/dicomwire"
	"dossier/packager/doctext"
	"dossier/packager/leakscan"
)

// SOP classes whose text the summary reads.
const (
	sopEncapsulatedPDF = "1.2.840.10008.5.1.4.1.1.104.1"
	sopSRPrefix        = "1.2.840.10008.5.1.4.1.1.88."
)

// maxEncapsulated bounds the PDF read out of a DICOM file.
const maxEncapsulated = 64 << 20

// isDICOMReport reports whether a DICOM SOP class is a report the summary
// reads: a structured report or an Encapsulated PDF.
func isDICOMReport(sopClass string) bool {
	return sopClass == sopEncapsulatedPDF || strings.HasPrefix(sopClass, sopSRPrefix)
}

// LoadDICOM reads the text of a DICOM report: the PDF inside an
// Encapsulated PDF page by page, or the text values of a structured report
// (one page). Other SOP classes have no pages.
func LoadDICOM(ctx context.Context, path, sopClass string, opts doctext.Options) (Document, error) {
	doc := Document{Path: path}
	if !isDICOMReport(sopClass) || strings.Contains(path, "!/") {
		return doc, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return doc, fmt.Errorf("opening a DICOM report: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return doc, fmt.Errorf("opening a DICOM report: %w", err)
	}
	if sopClass == sopEncapsulatedPDF {
		pdf, err := encapsulatedDocument(ctx, f, st.Size())
		if err != nil || len(pdf) == 0 {
			return doc, err
		}
		pages, err := doctext.PDFPages(ctx, bytes.NewReader(pdf), int64(len(pdf)), opts)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return doc, err
			}
			return doc, nil
		}
		for _, p := range pages {
			doc.Pages = append(doc.Pages, p.Text)
		}
		return doc, nil
	}
	var b strings.Builder
	last := ""
	err = leakscan.DICOMLayers(ctx, f, st.Size(), func(l leakscan.Layer) error {
		if !strings.HasPrefix(l.Place, "Text Value (0040,A160)") || l.Place == last {
			last = l.Place // the raw bytes of a value decoded above
			return nil
		}
		last = l.Place
		if t := strings.TrimSpace(strings.TrimRight(string(l.Data), "\x00 ")); t != "" {
			b.WriteString(t)
			b.WriteString("\n")
		}
		return nil
	})
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return doc, err
	}
	if b.Len() > 0 {
		doc.Pages = []string{b.String()}
	}
	return doc, nil
}

// encapsulatedDocument returns the Encapsulated Document (0042,0011) of a
// DICOM file (nil when it is not a Part 10 file, is deflated, or the
// document is larger than maxEncapsulated).
func encapsulatedDocument(ctx context.Context, f *os.File, size int64) ([]byte, error) {
	p10, err := dicomwire.OpenPart10(f, size)
	if err != nil {
		return nil, nil // not a Part 10 file we can walk: nothing to read
	}
	doc, err := p10.EncapsulatedDocument(ctx, maxEncapsulated)
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return nil, err
	}
	return doc, nil
}
