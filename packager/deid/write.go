package deid

import (
	"context"
	"errors"
	"fmt"
	"io"

	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
	"dossier/packager/slidedeid"
)

// ErrNotWritten is returned by Write for decisions that write nothing.
var ErrNotWritten = errors.New("this item is not part of the export")

// Write writes one item as the decision says (a copy, or a de-identified
// copy at p's level) to dst, reading the original once. The original is
// never modified. It returns intake.ErrChanged when the file changed since
// it was added. An item of several files (MultiFile) is written with Parts
// instead.
func Write(ctx context.Context, dst io.Writer, d Decision, p privacy.Params, opts intake.Options) error {
	if !d.Writes() {
		return ErrNotWritten
	}
	if MultiFile(d.Item) {
		return ErrMultiFile
	}
	f, err := intake.Open(d.Item, opts)
	if err != nil {
		return err
	}
	defer f.Close()
	return writeFile(ctx, dst, f, d, p)
}

// WriteChecked is Write for a caller that planned with
// Options.CheckDICOMOnWrite and writes each item as soon as it is planned
// (a bundle): a DICOM file whose check was left to the writing, and that
// cannot be opened again or that the de-identifier refuses before writing
// a byte, gives the reason to leave it out (the reason Plan would have
// given) instead of an error, and nothing is written to dst. Otherwise it
// is Write.
func WriteChecked(ctx context.Context, dst io.Writer, d Decision, p privacy.Params, opts intake.Options) (left i18n.Text, err error) {
	if !d.checkOnWrite {
		return i18n.Text{}, Write(ctx, dst, d, p, opts)
	}
	f, err := intake.Open(d.Item, opts)
	if err != nil {
		return reopenReason(err), nil
	}
	defer f.Close()
	sw := &startWriter{w: dst}
	if err := writeFile(ctx, sw, f, d, p); err != nil {
		if !sw.started && ctx.Err() == nil {
			return refusedReason(err), nil
		}
		return i18n.Text{}, err
	}
	return i18n.Text{}, nil
}

// startWriter notes whether anything was written through it.
type startWriter struct {
	w       io.Writer
	started bool
}

func (s *startWriter) Write(p []byte) (int, error) {
	s.started = s.started || len(p) > 0
	return s.w.Write(p)
}

// writeFile is Write of the item's file, opened.
func writeFile(ctx context.Context, dst io.Writer, f intake.File, d Decision, p privacy.Params) (err error) {
	if d.Action == Copy || p.Level == privacy.Identified {
		_, err := io.Copy(dst, contextReader{ctx, f})
		return err
	}
	it := d.Item
	switch it.Kind {
	case intake.KindDICOM:
		err = writeDICOM(ctx, dst, f, d, p)
	case intake.KindSlide:
		_, err = slidedeid.Deidentify(ctx, dst, f, f.Size(), p)
	case intake.KindPDF:
		if d.Action == Redact || d.redact != nil {
			err = writeRedactedPDF(ctx, dst, f, d, p.Identity)
		} else {
			err = StripPDF(dst, f)
		}
	case intake.KindImage:
		switch it.Format {
		case "jpeg":
			if d.Redactions != nil && len(d.Redactions.Pixels) > 0 {
				err = MaskJPEG(dst, f, d.Redactions.Pixels)
			} else {
				err = StripJPEG(dst, f)
			}
		case "png":
			if d.Redactions != nil && len(d.Redactions.Pixels) > 0 {
				err = MaskPNG(dst, f, d.Redactions.Pixels)
			} else {
				err = StripPNG(dst, f)
			}
		case "tiff":
			var boxes []pixelmask.Box
			if d.Redactions != nil {
				boxes = d.Redactions.Pixels
			}
			err = MaskTIFF(dst, contextReader{ctx, f}, boxes)
		case "bmp":
			_, err = io.Copy(dst, f) // BMP has no metadata
		case "heic":
			if d.Convert {
				err = ConvertHEIC(ctx, dst, contextReader{ctx, io.NewSectionReader(f, 0, f.Size())})
			} else {
				err = StripHEIC(dst, f, f.Size())
			}
		default:
			err = fmt.Errorf("no way to remove metadata from %s pictures", it.Format)
		}
	case intake.KindDocument:
		switch it.Format {
		case "docx", "xlsx", "pptx":
			if d.Action == Redact {
				err = writeRedactedText(ctx, dst, f, d, p.Identity)
			} else {
				err = StripOOXML(dst, f, f.Size())
			}
		case "odf":
			err = StripODF(dst, f, f.Size())
		case "rtf":
			if d.Action == Redact {
				err = writeRedactedText(ctx, dst, f, d, p.Identity)
			} else {
				err = StripRTF(dst, contextReader{ctx, f})
			}
		case "txt":
			if d.Action == Redact {
				err = writeRedactedText(ctx, dst, f, d, p.Identity)
			} else {
				_, err = io.Copy(dst, contextReader{ctx, f})
			}
		default:
			_, err = io.Copy(dst, contextReader{ctx, f})
		}
	default:
		err = fmt.Errorf("no transform for %s items", it.Kind)
	}
	return err
}

// WithIdentity returns p carrying the spellings of the inventory's
// identity, so that transforms also clean the case's identity (found in
// other records) out of the text they keep.
func WithIdentity(p privacy.Params, inv *intake.Inventory) privacy.Params {
	if inv == nil || inv.Identity == nil {
		return p
	}
	return WithSpellings(p, inv.Identity.Needles())
}

// WithSpellings is WithIdentity for spellings already worked out.
func WithSpellings(p privacy.Params, needles []identity.Needle) privacy.Params {
	if p.Level == privacy.Identified {
		return p
	}
	p.Identity = nil
	for _, n := range needles {
		p.Identity = append(p.Identity, n.Text)
	}
	return p
}

// contextReader stops a copy when ctx is cancelled.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
