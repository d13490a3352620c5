// Package redactview shows what redaction hides in one record before it is
// sent: the picture or PDF page as it is, the boxes suggested for it (the
// known header regions of ultrasound machines, text OCR read in the pixels,
// identity found in a PDF's text) and the same page as the export would
// write it with the boxes the user chose. The "after" picture is made by
// the export's own writers (packager/dicomdeid, packager/deid) and read
// back, so what is shown is what is sent.
//
// Boxes are in the record's own units: pixels from the top left of the
// picture as it is shown (a photo turned upright by its EXIF orientation;
// Redactions maps them to the pixels as stored), or PDF points from the
// top left of the page as displayed. Nothing here keeps or logs identity
// values.
package redactview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decoders for the photos shown
	_ "image/png"
	"io"
	"math"

	"dossier/packager/burnedin"
	"dossier/packager/deid"
	"dossier/packager/dicomdeid"
	"dossier/packager/exif"
	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
	"dossier/packager/redact"
)

// Origin says where a box came from.
type Origin string

// The origins of boxes.
const (
	// Drawn is a box the user drew.
	Drawn Origin = "drawn"
	// Header is a known header region of the machine (ultrasound).
	Header Origin = "header"
	// OCR is where text recognition read the patient's identity in the
	// pixels.
	OCR Origin = "ocr"
	// Text is where the patient's identity was found in a PDF's text.
	Text Origin = "text"
	// Outlined is writing drawn as vector outlines on a PDF page (which
	// no text reader reads): a box over it takes the drawing out.
	Outlined Origin = "outlined"
)

// Box is one region to hide. Page is the 1-based PDF page (1 for a
// picture: a DICOM image's boxes apply to every one of its Frames).
type Box struct {
	Page                int
	X, Y, Width, Height float64
	Origin              Origin
}

// Unit is what a View's coordinates count.
type Unit int

// The units.
const (
	Pixels Unit = iota
	Points
)

// ErrNotSupported is returned by Open for a record that is not redacted
// with boxes (a Word, RTF or text file: see OpenText; a slide).
var ErrNotSupported = errors.New(i18n.Msg("this kind of file cannot be shown with boxes"))

// View is one record opened for the redaction preview. It is safe for use
// by one goroutine at a time.
type View struct {
	Item *intake.Item
	// Pages counts the pages shown (1 for a picture).
	Pages int
	// Frames counts the frames of a DICOM image (1 for any other record):
	// its boxes apply to every frame; BeforeFrame and AfterFrame show one.
	Frames int
	// Orientation is a JPEG photo's EXIF orientation (a PNG's, in its
	// eXIf chunk), or a TIFF's first page's orientation tag (0 or 1:
	// none). The photo is shown upright, and its boxes count from the
	// upright top left.
	Orientation int
	Unit        Unit
	// Suggested are the boxes suggested for it.
	Suggested []Box
	// OCRMissing is set when text recognition (tesseract) is not
	// installed: pictures were not read for text.
	OCRMissing bool
	// Unread are the PDF pages (1-based) with writing Dossier cannot read
	// (drawn as glyph outlines, or in a font it cannot map to text): the
	// patient's identity there is not found, so only her boxes hide it.
	Unread []int

	m     *identity.Matcher
	opts  intake.Options
	sizes [][2]float64 // per page
	// orients are the orientations of a photo's pages (a TIFF's pages).
	orients []int
	// label is written in a PDF's boxes.
	label string
}

// labelName is the label of a PDF's boxes when none is given (deid's).
var labelName = i18n.Msg("name removed")

// PageScale is how many pixels a PDF point is drawn with.
const PageScale = 2

// Open reads an item for the preview: a DICOM image, a JPEG or PNG photo,
// or a PDF. m finds the patient's identity (the case's matcher); label is
// written in a PDF's redaction boxes ("name removed", in the cover's
// language).
func Open(ctx context.Context, it *intake.Item, m *identity.Matcher, label string, opts intake.Options) (*View, error) {
	if m == nil {
		m = identity.NewTextMatcher(nil)
	}
	if label == "" {
		label = labelName
	}
	v := &View{Item: it, m: m, opts: opts, label: label, Frames: 1}
	switch {
	case it.Kind == intake.KindDICOM:
		return v, v.openDICOM(ctx)
	case it.Kind == intake.KindImage && (it.Format == "jpeg" || it.Format == "png"):
		return v, v.openPhoto(ctx)
	case it.Kind == intake.KindImage && it.Format == "tiff":
		return v, v.openTIFF(ctx)
	case it.Kind == intake.KindPDF || it.Kind == intake.KindDocument && it.Format == "pdf":
		v.Unit = Points
		return v, v.openPDF(ctx)
	}
	return nil, ErrNotSupported
}

// Size returns the size of page n (1-based) in the view's units.
func (v *View) Size(n int) (w, h float64) {
	if n < 1 || n > len(v.sizes) {
		return 0, 0
	}
	return v.sizes[n-1][0], v.sizes[n-1][1]
}

// SuggestedOn returns the suggested boxes of page n.
func (v *View) SuggestedOn(n int) []Box {
	var out []Box
	for _, b := range v.Suggested {
		if b.Page == n {
			out = append(out, b)
		}
	}
	return out
}

func (v *View) open() (intake.File, error) { return intake.Open(v.Item, v.opts) }

func (v *View) openDICOM(ctx context.Context) error {
	f, err := v.open()
	if err != nil {
		return err
	}
	defer f.Close()
	fm, _, err := pixelmask.ReadFormat(ctx, f, f.Size())
	if err != nil {
		return err
	}
	img, err := pixelmask.DICOMFrame(ctx, f, f.Size(), 1)
	if err != nil {
		return err
	}
	b := img.Bounds()
	v.Pages, v.Frames, v.sizes = 1, max(fm.Frames, 1), [][2]float64{{float64(b.Dx()), float64(b.Dy())}}
	s, err := burnedin.SuggestDICOM(ctx, f, f.Size(), v.m)
	if err != nil {
		return err
	}
	v.OCRMissing = s.OCRMissing
	v.Suggested = append(fromPixels(s.Known, Header), fromPixels(s.OCR, OCR)...)
	return nil
}

func (v *View) openPhoto(ctx context.Context) error {
	if v.Item.Format == "jpeg" {
		f, err := v.open()
		if err != nil {
			return err
		}
		head := make([]byte, min(f.Size(), 256<<10))
		n, _ := f.ReadAt(head, 0)
		f.Close()
		v.Orientation = exif.JPEGOrientation(head[:n])
		v.orients = []int{v.Orientation}
	}
	if v.Item.Format == "png" {
		f, err := v.open()
		if err != nil {
			return err
		}
		v.Orientation = exif.PNGOrientation(f, f.Size())
		v.orients = []int{v.Orientation}
		f.Close()
	}
	img, err := v.Before(ctx, 1)
	if err != nil {
		return err
	}
	b := img.Bounds()
	v.Pages, v.sizes = 1, [][2]float64{{float64(b.Dx()), float64(b.Dy())}}
	boxes, err := burnedin.SuggestOCR(ctx, img, v.m, 0)
	switch {
	case errors.Is(err, burnedin.ErrNoOCR):
		v.OCRMissing = true
	case err != nil:
		return err
	}
	v.Suggested = fromPixels(boxes, OCR)
	return nil
}

// maxOCRPages bounds the pages of a TIFF read by OCR for suggestions.
const maxOCRPages = 10

// openTIFF opens a TIFF photo or scan of one or more pages, each shown
// upright; OCR suggests boxes on its first pages.
func (v *View) openTIFF(ctx context.Context) error {
	f, err := v.open()
	if err != nil {
		return err
	}
	pages, err := deid.TIFFPages(io.NewSectionReader(f, 0, f.Size()))
	f.Close()
	if err != nil {
		return err
	}
	for _, p := range pages {
		w, h := p.Width, p.Height
		if p.Orientation >= 5 && p.Orientation <= 8 {
			w, h = h, w
		}
		v.sizes = append(v.sizes, [2]float64{float64(w), float64(h)})
		v.orients = append(v.orients, p.Orientation)
	}
	v.Pages, v.Orientation = len(pages), v.orients[0]
	for n := 1; n <= min(v.Pages, maxOCRPages); n++ {
		img, err := v.Before(ctx, n)
		if err != nil {
			return err
		}
		boxes, err := burnedin.SuggestOCR(ctx, img, v.m, 0)
		switch {
		case errors.Is(err, burnedin.ErrNoOCR):
			v.OCRMissing = true
			return nil
		case err != nil:
			return err
		}
		for _, b := range fromPixels(boxes, OCR) {
			b.Page = n
			v.Suggested = append(v.Suggested, b)
		}
	}
	return nil
}

// tiff reports whether the view is of a TIFF photo or scan.
func (v *View) tiff() bool { return v.Item.Kind == intake.KindImage && v.Item.Format == "tiff" }

func fromPixels(bs []pixelmask.Box, o Origin) []Box {
	out := make([]Box, 0, len(bs))
	for _, b := range bs {
		out = append(out, Box{Page: 1, X: float64(b.X), Y: float64(b.Y), Width: float64(b.Width), Height: float64(b.Height), Origin: o})
	}
	return out
}

// Before returns page n as it is: the DICOM image's first frame, the photo
// upright (turned by its orientation tag, as a viewer shows it), or a
// drawing of the PDF page at PageScale.
func (v *View) Before(ctx context.Context, n int) (image.Image, error) {
	return v.before(ctx, n, 1)
}

// BeforeFrame returns frame n (1-based) of a DICOM image as it is; for
// any other record, page 1.
func (v *View) BeforeFrame(ctx context.Context, n int) (image.Image, error) {
	return v.before(ctx, 1, n)
}

func (v *View) before(ctx context.Context, n, frame int) (image.Image, error) {
	f, err := v.open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	switch v.Unit {
	case Points:
		img, _, err := drawPage(ctx, f, f.Size(), n, nil)
		return img, err
	}
	if v.Item.Kind == intake.KindDICOM {
		return pixelmask.DICOMFrame(ctx, f, f.Size(), frame)
	}
	if v.tiff() {
		img, _, o, err := deid.TIFFPage(io.NewSectionReader(f, 0, f.Size()), n)
		if err != nil {
			return nil, err
		}
		return exif.Upright(img, o), nil
	}
	img, _, err := image.Decode(io.LimitReader(f, maxPhoto))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", deid.ErrDamagedPicture, err)
	}
	return exif.Upright(img, v.Orientation), nil
}

// maxPhoto bounds a photo read whole.
const maxPhoto = 256 << 20

// previewSecret keys the throw-away UID remap of a preview's DICOM copy.
var previewSecret = make([]byte, privacy.SecretSize)

// After returns page n as the export writes it with boxes hidden: the
// record is written by the export's writer into memory and read back (a
// DICOM image's first frame; a photo upright).
func (v *View) After(ctx context.Context, n int, boxes []Box) (image.Image, error) {
	return v.after(ctx, n, 1, boxes)
}

// AfterFrame returns frame n (1-based) of a DICOM image as the export
// writes it with boxes hidden; for any other record, page 1.
func (v *View) AfterFrame(ctx context.Context, n int, boxes []Box) (image.Image, error) {
	return v.after(ctx, 1, n, boxes)
}

func (v *View) after(ctx context.Context, n, frame int, boxes []Box) (image.Image, error) {
	f, err := v.open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out bytes.Buffer
	switch {
	case v.Unit == Points:
		if _, err := deid.RedactReviewedPDF(ctx, &out, io.NewSectionReader(f, 0, f.Size()), v.m, v.PDFBoxes(boxes), v.label); err != nil {
			return nil, err
		}
		img, _, err := drawPage(ctx, bytes.NewReader(out.Bytes()), int64(out.Len()), n, append(v.SuggestedOn(n), boxes...))
		return img, err
	case v.Item.Kind == intake.KindDICOM:
		p := privacy.Params{Level: privacy.Anonymised, Secret: previewSecret}
		if _, err := dicomdeid.DeidentifyMasked(ctx, &out, f, f.Size(), p, dicomdeid.Pixels{Boxes: v.PixelBoxes(boxes)}); err != nil {
			return nil, err
		}
		return pixelmask.DICOMFrame(ctx, bytes.NewReader(out.Bytes()), int64(out.Len()), frame)
	case v.tiff():
		// Written upright, without its orientation tag.
		if err := deid.MaskTIFF(&out, io.NewSectionReader(f, 0, f.Size()), v.PixelBoxes(boxes)); err != nil {
			return nil, err
		}
		img, _, _, err := deid.TIFFPage(&out, n)
		return img, err
	case v.Item.Format == "jpeg":
		if err := deid.MaskJPEG(&out, f, v.PixelBoxes(boxes)); err != nil {
			return nil, err
		}
	default:
		if err := deid.MaskPNG(&out, f, v.PixelBoxes(boxes)); err != nil {
			return nil, err
		}
	}
	img, _, err := image.Decode(&out)
	if err != nil {
		return nil, err
	}
	return exif.Upright(img, v.Orientation), nil
}

// PixelBoxes turns boxes into pixel boxes of the picture as stored (every
// frame of a DICOM image; a TIFF's page), rounded outwards: a photo's
// boxes, drawn on it upright, are turned back by its page's orientation.
func (v *View) PixelBoxes(boxes []Box) []pixelmask.Box {
	out := make([]pixelmask.Box, 0, len(boxes))
	for _, b := range boxes {
		x0, y0 := int(math.Floor(b.X)), int(math.Floor(b.Y))
		x1, y1 := int(math.Ceil(b.X+b.Width)), int(math.Ceil(b.Y+b.Height))
		if x1 <= x0 || y1 <= y0 {
			continue
		}
		r := image.Rect(x0, y0, x1, y1)
		page := max(b.Page, 1)
		if page <= len(v.orients) && page <= len(v.sizes) && v.orients[page-1] > 1 && v.orients[page-1] <= 8 {
			// The stored picture is the upright one turned back.
			o := v.orients[page-1]
			w, h := int(v.sizes[page-1][0]), int(v.sizes[page-1][1])
			if o >= 5 {
				w, h = h, w
			}
			if r = exif.SourceRect(o, r, w, h); r.Empty() {
				continue
			}
		}
		pb := pixelmask.Box{X: r.Min.X, Y: r.Min.Y, Width: r.Dx(), Height: r.Dy()}
		if v.tiff() {
			pb.Frame = page
		}
		out = append(out, pb)
	}
	return out
}

// PDFBoxes turns boxes into PDF boxes (points from the top left). Boxes of
// text found need not be given: the export finds that text itself.
func (v *View) PDFBoxes(boxes []Box) []redact.Box {
	var out []redact.Box
	for _, b := range boxes {
		if b.Origin == Text || b.Width <= 0 || b.Height <= 0 {
			continue
		}
		out = append(out, redact.Box{Page: b.Page, X: b.X, Y: b.Y, Width: b.Width, Height: b.Height})
	}
	return out
}

// Redactions are the boxes as the export takes them for this record;
// confirmed says the user looked at them and accepted.
func (v *View) Redactions(boxes []Box, confirmed bool) *deid.Redactions {
	r := &deid.Redactions{Confirmed: confirmed}
	if v.Unit == Points {
		r.PDF = v.PDFBoxes(boxes)
		return r
	}
	r.Pixels = v.PixelBoxes(boxes)
	var sug []Box
	for _, b := range v.Suggested {
		sug = append(sug, b)
	}
	r.Suggested = v.PixelBoxes(sug)
	if r.Suggested == nil {
		r.Suggested = []pixelmask.Box{}
	}
	return r
}
