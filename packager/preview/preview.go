// Package preview draws small pictures and text excerpts of what a patient
// brings, for the inventory screen: the middle image of a DICOM series
// (native and JPEG Baseline pixel data, RLE too), photos and scans, the
// thumbnail of a whole-slide image, and the first lines of a document.
//
// Everything is bounded: pixel data is read one frame at a time and never
// beyond MaxPixelBytes, pictures larger than MaxPixels are refused, and the
// DICOM header is walked by a small reader of its own (the full dataset is
// never parsed). When a file cannot be shown the error wraps ErrNoPreview
// with a plain reason, and never carries patient values.
package preview

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"sort"
	"strings"

	"dossier/packager/doctext"
	"dossier/packager/exif"
	"dossier/packager/intake"
	"dossier/packager/slide"
)

// ErrNoPreview reports a file that has no picture Dossier can show (yet).
// Errors wrapping it say why in plain words, for example "compressed with
// JPEG 2000, which Dossier cannot show yet".
var ErrNoPreview = errors.New("preview: no preview")

// Limits that keep previews bounded on large or hostile input.
const (
	// MaxPixelBytes is the largest amount of pixel data read for one preview
	// (one DICOM frame, one slide thumbnail).
	MaxPixelBytes = 256 << 20
	// MaxPixels is the largest picture (width x height) decoded.
	MaxPixels = 120_000_000
	// MaxSlideSide is the longest side of a slide level used as a preview
	// when the slide has no thumbnail.
	MaxSlideSide = 2048
)

// DefaultMaxSide is the longest side of a preview when Options.MaxSide is 0.
const DefaultMaxSide = 512

// Options controls a preview.
type Options struct {
	// MaxSide is the longest side of the returned image (default 512).
	// Smaller pictures are returned at their own size.
	MaxSide int
	// Intake bounds the opening of items inside archives.
	Intake intake.Options
}

func (o Options) maxSide() int {
	if o.MaxSide <= 0 {
		return DefaultMaxSide
	}
	return o.MaxSide
}

// noPreview returns an error wrapping ErrNoPreview with a plain reason.
func noPreview(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNoPreview, fmt.Sprintf(format, args...))
}

// Image returns a preview of one item, scaled so that its longest side is
// at most opts.MaxSide: a photo or scan (JPEG, PNG, GIF, BMP, WebP, TIFF),
// a DICOM instance (its middle frame), or a whole-slide image's thumbnail.
// Items that have no picture (documents, damaged files, unsupported
// compression) return an error wrapping ErrNoPreview.
func Image(ctx context.Context, it *intake.Item, opts Options) (img image.Image, err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	if it == nil {
		return nil, noPreview("no item")
	}
	switch it.Kind {
	case intake.KindDICOM, intake.KindImage, intake.KindSlide:
	case intake.KindPDF, intake.KindDocument:
		return nil, noPreview("a document: its text is shown instead")
	case intake.KindUnreadable:
		return nil, noPreview("the file is damaged or could not be read")
	default:
		return nil, noPreview("not a picture")
	}
	if it.Kind == intake.KindSlide && it.Slide != nil && it.Slide.Vendor == slide.VendorMirax {
		return nil, noPreview("MIRAX slides cannot be shown yet")
	}
	if it.Kind == intake.KindImage && it.Format == "heic" {
		return nil, noPreview("HEIC photos cannot be shown yet")
	}
	f, err := openItem(it, opts.Intake)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, noPreview("the picture could not be decoded (internal error)")
		}
	}()
	orientation := 0
	switch it.Kind {
	case intake.KindDICOM:
		img, err = dicomImage(ctx, f, f.Size())
	case intake.KindSlide:
		img, err = slideImage(ctx, f, f.Size())
	default:
		img, orientation, err = photo(f, f.Size(), it.Format)
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	img = Scale(img, opts.maxSide())
	if orientation > 1 {
		img = exif.Upright(img, orientation)
	}
	return img, nil
}

// SeriesImage returns a preview of a DICOM series: the middle instance by
// Instance Number (then path). For a whole-slide series (VL Whole Slide
// Microscopy) it is the THUMBNAIL instance, or a single-frame level; never
// the label or overview.
func SeriesImage(ctx context.Context, inv *intake.Inventory, study, series string, opts Options) (image.Image, error) {
	if inv == nil {
		return nil, noPreview("no inventory")
	}
	var items []*intake.Item
	for _, it := range inv.Items {
		if it.Kind == intake.KindDICOM && it.SeriesInstanceUID == series && (study == "" || it.StudyInstanceUID == study) {
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		return nil, noPreview("the series has no readable images")
	}
	if it := wsiPick(items); it != nil {
		return Image(ctx, it, opts)
	} else if isWSI(items[0]) {
		return nil, noPreview("the slide has no thumbnail image")
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := instanceNumber(items[i]), instanceNumber(items[j])
		if a != b {
			return a < b
		}
		return items[i].Path < items[j].Path
	})
	return Image(ctx, items[(len(items)-1)/2], opts)
}

// SlideImage returns a preview of a whole-slide image of the inventory: the
// thumbnail of a TIFF-based slide, or the THUMBNAIL instance of a DICOM
// slide.
func SlideImage(ctx context.Context, inv *intake.Inventory, s *intake.Slide, opts Options) (image.Image, error) {
	if inv == nil || s == nil {
		return nil, noPreview("no slide")
	}
	if s.Vendor == "dicom" {
		files := map[string]bool{}
		for _, p := range s.Files {
			files[p] = true
		}
		var items []*intake.Item
		for _, it := range inv.Items {
			if it.Kind == intake.KindDICOM && files[it.Path] {
				items = append(items, it)
			}
		}
		if it := wsiPick(items); it != nil {
			return Image(ctx, it, opts)
		}
		return nil, noPreview("the slide has no thumbnail image")
	}
	for _, it := range inv.Items {
		if it.Path == s.Path {
			return Image(ctx, it, opts)
		}
	}
	return nil, noPreview("the slide's file is not in the inventory")
}

func instanceNumber(it *intake.Item) int {
	if it.DICOM == nil {
		return 0
	}
	return int(it.InstanceNumber)
}

func isWSI(it *intake.Item) bool {
	return it.Format == "dicom-wsi" || it.SOPClassUID == "1.2.840.10008.5.1.4.1.1.77.1.6"
}

// wsiImageKind returns the third value of Image Type (THUMBNAIL, VOLUME,
// LABEL, OVERVIEW) in upper case.
func wsiImageKind(it *intake.Item) string {
	if it.DICOM == nil || len(it.DICOM.ImageType) < 3 {
		return ""
	}
	return strings.ToUpper(strings.TrimSpace(it.DICOM.ImageType[2]))
}

// wsiPick chooses the instance of a DICOM slide to show: the THUMBNAIL,
// else the smallest single-frame VOLUME level. It returns nil when items are
// not a slide or none fits.
func wsiPick(items []*intake.Item) *intake.Item {
	var best *intake.Item
	bestArea := int64(-1)
	for _, it := range items {
		if !isWSI(it) {
			continue
		}
		switch wsiImageKind(it) {
		case "THUMBNAIL":
			return it
		case "VOLUME":
			if it.DICOM.Frames > 1 {
				continue
			}
			a := int64(it.DICOM.Rows) * int64(it.DICOM.Columns)
			if bestArea < 0 || a < bestArea {
				best, bestArea = it, a
			}
		}
	}
	return best
}

// DefaultTextLines is the number of lines Text returns when lines is 0.
const DefaultTextLines = 12

// Text returns the first lines (default 12) of a document's text (PDF,
// DOCX, OpenDocument, plain text, HTML, RTF), each trimmed, blank lines
// left out. A document without text returns an error wrapping
// doctext.ErrNoText (a scanned PDF); other items wrap ErrNoPreview.
func Text(ctx context.Context, it *intake.Item, lines int) (string, error) {
	if lines <= 0 {
		lines = DefaultTextLines
	}
	if it == nil {
		return "", noPreview("no item")
	}
	format := ""
	switch {
	case it.Kind == intake.KindPDF:
		format = "pdf"
	case it.Kind == intake.KindDocument:
		switch it.Format {
		case "docx", "txt", "html", "rtf", "odf":
			format = it.Format
		case "odt", "ods", "odp":
			format = "odf"
		}
	default:
		return "", noPreview("not a document")
	}
	f, err := openItem(it, intake.Options{})
	if err != nil {
		return "", err
	}
	defer f.Close()
	text, err := doctext.Extract(ctx, f, f.Size(), format, doctext.Options{MaxPages: 2, MaxText: 64 << 10})
	if errors.Is(err, doctext.ErrUnsupported) {
		return "", fmt.Errorf("%w: %w", ErrNoPreview, err)
	}
	if err != nil {
		return "", fmt.Errorf("preview: %w", err)
	}
	return firstLines(text, lines), nil
}

// firstLines returns the first n non-blank lines of s, trimmed.
func firstLines(s string, n int) string {
	var out []string
	for line := range strings.Lines(s) {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			continue
		}
		out = append(out, line)
		if len(out) == n {
			break
		}
	}
	return strings.Join(out, "\n")
}

// openItem opens an item's content. Errors carry no path (paths may hold
// patient names).
func openItem(it *intake.Item, opts intake.Options) (intake.File, error) {
	f, err := intake.Open(it, opts)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("preview: %s: %w", pe.Op, pe.Err)
		}
		return nil, fmt.Errorf("preview: open: %w", err)
	}
	return f, nil
}

// readAt reads exactly n bytes at off, refusing reads beyond size or
// larger than MaxPixelBytes.
func readAt(r io.ReaderAt, size, off, n int64) ([]byte, error) {
	if n < 0 || off < 0 || off > size || n > size-off {
		return nil, noPreview("the image data lies beyond the end of the file")
	}
	if n > MaxPixelBytes {
		return nil, noPreview("the image is too large to preview (%d MB)", n>>20)
	}
	b := make([]byte, n)
	if k, err := r.ReadAt(b, off); k < len(b) {
		if err == nil || errors.Is(err, io.EOF) {
			return nil, noPreview("the image data is cut short")
		}
		return nil, fmt.Errorf("preview: read: %w", err)
	}
	return b, nil
}
