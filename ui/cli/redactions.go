package cli

import (
	"context"
	"encoding/json"
	"errors"
	_ "image/jpeg" // photos for OCR suggestions
	_ "image/png"
	"io"
	"math"
	"path/filepath"
	"slices"

	"dossier/packager/atomicfile"
	"dossier/packager/burnedin"
	"dossier/packager/deid"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
	"dossier/packager/redact"
	"dossier/packager/redactview"
)

// maxRedactionsFile bounds the --redactions file.
const maxRedactionsFile = 4 << 20

// redactionBox is one entry of a --redactions file. Page is the 1-based
// page (PDF) or frame (picture); for pictures the box is in the image's
// pixels from the top left, for PDF pages in PDF points from the top left
// of the page as shown.
type redactionBox struct {
	Path   string   `json:"path"`
	Page   int      `json:"page,omitempty"`
	X      *float64 `json:"x"`
	Y      *float64 `json:"y"`
	Width  float64  `json:"width"`
	Height float64  `json:"height"`
}

// readRedactions reads a --redactions file into the boxes of each path
// (the path as given and made absolute, as --include is matched). The
// boxes count as confirmed: the user wrote them.
func readRedactions(file string, lv privacy.Level) (map[string]*deid.Redactions, error) {
	if file == "" {
		return nil, nil
	}
	if lv == privacy.Identified {
		return nil, usagef("--redactions applies at the pseudonymised and anonymised levels; at the identified level files are sent as they are")
	}
	b, err := readOptionFile("--redactions", file, maxRedactionsFile)
	if err != nil {
		return nil, err
	}
	var boxes []redactionBox
	if err := json.Unmarshal(b, &boxes); err != nil {
		return nil, usagef("--redactions %s: not a JSON list of boxes: %v", file, err)
	}
	out := map[string]*deid.Redactions{}
	for i, bx := range boxes {
		switch {
		case bx.Path == "":
			return nil, usagef("--redactions %s: box %d has no path", file, i+1)
		case bx.X == nil || bx.Y == nil || bx.Width <= 0 || bx.Height <= 0 || *bx.X < 0 || *bx.Y < 0:
			return nil, usagef("--redactions %s: box %d needs x, y (0 or more), width and height (above 0)", file, i+1)
		case bx.Page < 0:
			return nil, usagef("--redactions %s: box %d: page counts from 1", file, i+1)
		}
		abs, err := filepath.Abs(bx.Path)
		if err != nil {
			return nil, usagef("--redactions %s: box %d: %v", file, i+1, err)
		}
		r := out[abs]
		if r == nil {
			r = &deid.Redactions{Confirmed: true}
			out[abs], out[bx.Path] = r, r
		}
		page := max(bx.Page, 1)
		r.PDF = append(r.PDF, redact.Box{Page: page, X: *bx.X, Y: *bx.Y, Width: bx.Width, Height: bx.Height})
		// Pixel boxes cover every pixel the box touches.
		x0, y0 := int(math.Floor(*bx.X)), int(math.Floor(*bx.Y))
		x1, y1 := int(math.Ceil(*bx.X+bx.Width)), int(math.Ceil(*bx.Y+bx.Height))
		r.Pixels = append(r.Pixels, pixelmask.Box{Frame: bx.Page, X: x0, Y: y0, Width: x1 - x0, Height: y1 - y0})
	}
	return out, nil
}

// checkRedactionsKnown fails when a --redactions path is not an item of
// the inventory (pack plans inside the bundle writer).
func checkRedactionsKnown(red map[string]*deid.Redactions, inv *intake.Inventory) error {
	var ds []deid.Decision
	for _, it := range inv.Items {
		if r := red[it.Path]; r != nil {
			ds = append(ds, deid.Decision{Item: it, Path: it.Path, Redactions: r})
		}
	}
	return checkRedactionsUsed(red, ds)
}

// checkRedactionsUsed fails when a --redactions path is not among the
// files planned, so a mistyped path does not send a picture unmasked.
func checkRedactionsUsed(red map[string]*deid.Redactions, ds []deid.Decision) error {
	used := map[*deid.Redactions]bool{}
	for _, d := range ds {
		if d.Redactions == nil {
			continue
		}
		used[d.Redactions] = true
		if d.Item != nil && !maskable(d.Item) {
			// Never let a file the user wanted blacked out go unmasked.
			return usagef("--redactions: %s: Dossier cannot black out boxes in this kind of file yet (DICOM images, PDF pages, JPEG, PNG and TIFF pictures only)", d.Path)
		}
	}
	var unused []string
	for p, r := range red {
		if !used[r] {
			unused = append(unused, p)
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		return usagef("--redactions: %s is not among the files given", unused[0])
	}
	return nil
}

// writeSuggestions writes to file, as a --redactions list, the boxes
// suggested for the pictures and scanned PDFs held for review: the known
// header regions of ultrasound machines and, where tesseract is installed,
// the places in the pixels (or a scanned PDF page's pictures) where OCR
// reads the patient's identity. The user checks the
// list and passes it back with --redactions (and --include). It returns
// whether OCR could run.
func writeSuggestions(ctx context.Context, file string, inv *intake.Inventory, ds []deid.Decision) (bool, error) {
	var m *identity.Matcher
	if inv.Identity != nil {
		m = inv.Identity.Matcher()
	}
	ocr := true
	out := []redactionBox{}
	for _, d := range ds {
		if d.Action != deid.Review || d.Item == nil {
			continue
		}
		var boxes []pixelmask.Box
		switch {
		case d.Item.Kind == intake.KindDICOM && d.Item.BurnedIn:
			f, err := intake.Open(d.Item, intake.Options{})
			if err != nil {
				return ocr, err
			}
			s, err := burnedin.SuggestDICOM(ctx, f, f.Size(), m)
			f.Close()
			if err != nil && !errors.Is(err, pixelmask.ErrUnsupported) && !errors.Is(err, pixelmask.ErrCannotDecode) {
				return ocr, err
			}
			ocr = ocr && !s.OCRMissing
			boxes = s.All()
		case d.Item.Kind == intake.KindPDF:
			// A scanned PDF: the name's places in its pages' pictures, in
			// page points from the top left.
			f, err := intake.Open(d.Item, intake.Options{})
			if err != nil {
				return ocr, err
			}
			pb, err := burnedin.SuggestPDF(ctx, io.NewSectionReader(f, 0, f.Size()), m)
			f.Close()
			if errors.Is(err, burnedin.ErrNoOCR) {
				ocr = false
			}
			for _, b := range pb {
				x, y := b.X, b.Y
				out = append(out, redactionBox{Path: d.Path, Page: b.Page, X: &x, Y: &y, Width: b.Width, Height: b.Height})
			}
			continue // a PDF whose pictures cannot be read gets no suggestion
		case d.Item.Kind == intake.KindImage && (d.Item.Format == "jpeg" || d.Item.Format == "png" || d.Item.Format == "tiff"):
			// Read upright (a phone photo turned by its orientation tag, a
			// TIFF page by page, as step 2 shows them), written back as
			// the pixels as stored (a TIFF's page in "page").
			v, err := redactview.Open(ctx, d.Item, m, "", intake.Options{})
			if err != nil {
				continue // a picture Go cannot decode gets no suggestion
			}
			ocr = ocr && !v.OCRMissing
			boxes = v.Redactions(v.Suggested, false).Pixels
		}
		for _, b := range boxes {
			x, y := float64(b.X), float64(b.Y)
			out = append(out, redactionBox{Path: d.Path, Page: b.Frame, X: &x, Y: &y, Width: float64(b.Width), Height: float64(b.Height)})
		}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return ocr, err
	}
	return ocr, atomicfile.Write(file, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// maskable reports the items whose pixels Write masks with boxes (a PDF:
// its pages, text and pictures; one whose boxes cannot be applied is left
// out, never sent without them).
func maskable(it *intake.Item) bool {
	switch it.Kind {
	case intake.KindDICOM, intake.KindPDF:
		return true
	case intake.KindImage:
		return it.Format == "jpeg" || it.Format == "png" || it.Format == "tiff"
	}
	return false
}
