package deid

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"dossier/packager/burnedin"
	"dossier/packager/dicomdeid"
	"dossier/packager/dicomx"
	"dossier/packager/exif"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
	"dossier/packager/redact"
)

// Redactions are the boxes the user confirmed for one item (given with
// --redactions, or drawn in the app): pixel boxes for pictures (DICOM
// images, photos, scans; Frame is the 1-based frame, 0 for every frame)
// and PDF boxes for PDF pages (passed on to packager/redact).
type Redactions struct {
	Pixels []pixelmask.Box
	PDF    []redact.Box
	// Suggested are the regions suggested for a picture with burned-in
	// risk (known header regions, OCR). A DICOM image's Burned In
	// Annotation becomes NO only when Confirmed and the boxes cover every
	// suggested region.
	Suggested []pixelmask.Box
	Confirmed bool
}

// Redaction says what was redacted in one written item: a kind and a
// count, never a value.
type Redaction struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// The kinds of Redaction that count the boxes the user confirmed: in a
// picture's pixels, and on a PDF's pages.
const (
	KindPictureBoxes = "picture boxes"
	KindBoxesMarked  = "boxes marked"
)

// RedactedOf returns what d's redactions mask in its picture.
func RedactedOf(d Decision) []Redaction {
	if d.redact != nil {
		return d.redact.counts
	}
	if d.Redactions == nil || len(d.Redactions.Pixels) == 0 {
		return nil
	}
	frames := map[int]bool{}
	for _, b := range d.Redactions.Pixels {
		frames[b.Frame] = true
	}
	out := []Redaction{{Kind: KindPictureBoxes, Count: len(d.Redactions.Pixels)}}
	if !frames[0] {
		out = append(out, Redaction{Kind: "frames", Count: len(frames)})
	}
	return out
}

// SentNamed reports whether a written item went out, at a private level,
// with the patient's identity possibly in it: the user chose to send it as
// it is (she confirmed no boxes over her details in it: a scanned page whose
// text alone was redacted may still show her name), or the leak scan still
// found identity in it. An item sent with the boxes she confirmed is a
// redacted one, not one sent as it is.
func (w Written) SentNamed() bool {
	if !w.Included || len(w.Warnings) > 0 {
		return w.Included
	}
	for _, r := range w.Redacted {
		if r.Kind == KindPictureBoxes || r.Kind == KindBoxesMarked {
			return false
		}
	}
	return true
}

// writeDICOM de-identifies a DICOM item, masking the boxes of d's
// redactions in its pixels when there are any.
func writeDICOM(ctx context.Context, dst io.Writer, f intake.File, d Decision, p privacy.Params) error {
	if d.Item.SOPClassUID == sopClassEncapsulatedPDF {
		return writeEncapsulatedPDF(ctx, dst, f, d, p)
	}
	if r := d.Redactions; r != nil && len(r.Pixels) > 0 {
		suggested := r.Suggested
		if suggested == nil {
			// The known header regions of the machine must be covered
			// too before Burned In Annotation may say NO.
			if h, err := dicomx.ReadHeader(ctx, f, f.Size()); err == nil {
				suggested = burnedin.Suggest(h)
			}
		}
		_, err := dicomdeid.DeidentifyMasked(ctx, dst, f, f.Size(), p, dicomdeid.Pixels{Boxes: r.Pixels, Suggested: suggested, Confirmed: r.Confirmed})
		return err
	}
	_, err := dicomdeid.Deidentify(ctx, dst, f, f.Size(), p)
	return err
}

// maxPhotoBytes bounds a photo read whole for masking.
const maxPhotoBytes = 256 << 20

// MaskJPEG writes the JPEG in src with the boxes (pixels from the top left
// of the picture as stored) filled with black, re-encoded at the quality
// estimated from its quantisation tables, without its metadata: as
// StripJPEG, only the orientation and the ICC colour profile are kept.
func MaskJPEG(dst io.Writer, src io.Reader, boxes []pixelmask.Box) error {
	var clean bytes.Buffer
	if err := StripJPEG(&clean, io.LimitReader(src, maxPhotoBytes)); err != nil {
		return err
	}
	q, err := pixelmask.JPEGQuality(bytes.NewReader(clean.Bytes()))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDamagedPicture, err)
	}
	m, err := jpeg.Decode(bytes.NewReader(clean.Bytes()))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDamagedPicture, err)
	}
	if m, _, err = pixelmask.MaskImage(m, boxes); err != nil {
		return err
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, m, &jpeg.Options{Quality: q}); err != nil {
		return err
	}
	out := enc.Bytes()
	if _, err := dst.Write(out[:2]); err != nil { // SOI
		return err
	}
	for _, seg := range keptSegments(clean.Bytes()) {
		if _, err := dst.Write(seg); err != nil {
			return err
		}
	}
	_, err = dst.Write(out[2:])
	return err
}

// keptSegments returns the APP1 (orientation only, after StripJPEG) and
// APP2 (ICC profile) segments of a stripped JPEG, markers included.
func keptSegments(b []byte) [][]byte {
	var out [][]byte
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		m := b[i+1]
		if m == 0xDA || m == 0xD9 {
			break
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			break
		}
		if m == 0xE1 || m == 0xE2 {
			out = append(out, b[i:i+2+n])
		}
		i += 2 + n
	}
	return out
}

// MaskPNG writes the PNG in src with the boxes (pixels from the top left of
// the picture as stored) filled with black, encoded losslessly in the same
// colour model (pixels outside the boxes decode to the same values) and
// without any metadata chunk: as StripPNG, only the orientation of its eXIf
// chunk is kept, so it shows the right way up as before.
func MaskPNG(dst io.Writer, src io.Reader, boxes []pixelmask.Box) error {
	b, err := io.ReadAll(io.LimitReader(src, maxPhotoBytes))
	if err != nil {
		return err
	}
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDamagedPicture, err)
	}
	var masked image.Image
	if masked, _, err = pixelmask.MaskImage(m, boxes); err != nil {
		return err
	}
	var enc bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&enc, masked); err != nil {
		return err
	}
	out := enc.Bytes()
	o := exif.PNGOrientation(bytes.NewReader(b), int64(len(b)))
	if o <= 1 {
		_, err = dst.Write(out)
		return err
	}
	// The eXIf chunk goes after IHDR (signature, then IHDR's 25 bytes).
	const afterIHDR = 8 + 8 + 13 + 4
	if _, err := dst.Write(out[:afterIHDR]); err != nil {
		return err
	}
	if _, err := dst.Write(exif.PNGOrientationChunk(o)); err != nil {
		return err
	}
	_, err = dst.Write(out[afterIHDR:])
	return err
}
