package checklist

import (
	"context"
	"errors"
	"slices"

	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/intake"
)

// Document is one report or letter of a case, with its category.
type Document struct {
	Path       string           `json:"path"`
	Category   doctext.Category `json:"category"`
	Confidence float64          `json:"confidence"`
	// Source says how the category was found: "text", "name" or "user".
	Source   string   `json:"source"`
	Evidence []string `json:"evidence,omitempty"`
	// Also lists other categories the text is clearly a report of too (a
	// pathology report with its immunohistochemistry): it counts for their
	// checklist items as well. Empty when the user chose the category.
	Also []doctext.Category `json:"also,omitempty"`
	// HasText is true when the document's text could be read.
	HasText bool `json:"hasText"`
	// Problem says, in plain words, why the text could not be read.
	Problem string `json:"problem,omitempty"`

	// normalized is the document's text as doctext.Normalize gives it.
	normalized string
}

// NewDocument builds a Document from text already extracted (text may be
// empty: the category then comes from the name).
func NewDocument(path, text string) Document {
	c := doctext.ClassifyDocument(path, text)
	d := Document{Path: path, Category: c.Category, Confidence: c.Confidence, Evidence: c.Evidence, Source: "name", Also: c.Also}
	if text != "" {
		d.HasText = true
		d.normalized = doctext.Normalize(text)
	}
	if c.FromText {
		d.Source = "text"
	}
	return d
}

// is reports whether the document is a report of one of the categories:
// its own, or one its text is clearly a report of too.
func (d *Document) is(categories []doctext.Category) bool {
	return slices.Contains(categories, d.Category) || slices.ContainsFunc(d.Also, func(c doctext.Category) bool {
		return slices.Contains(categories, c)
	})
}

// mentions reports whether the document's text mentions any of the alternatives
// ("A|B|C").
func (d *Document) mentions(alternatives string) bool {
	_, ok := doctext.HasAny(d.normalized, alternatives)
	return ok
}

// Documents reads the text of every report and letter in the inventory
// (bounded by opts), classifies it, and applies the user's corrections
// (path -> category). Photos of letters are classified by name only. A
// document whose text cannot be read is still returned, with a Problem.
func Documents(ctx context.Context, inv *intake.Inventory, corrections map[string]doctext.Category, opts doctext.Options) ([]Document, error) {
	var out []Document
	for _, it := range inv.Items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var d Document
		switch it.Kind {
		case intake.KindPDF, intake.KindDocument:
			text, err := doctext.ExtractFile(ctx, it.Path, it.Format, opts)
			if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
				return nil, err
			}
			d = NewDocument(it.Path, text)
			switch {
			case errors.Is(err, doctext.ErrNoText):
				d.Problem = i18n.Msg("no readable text (perhaps a scan); sorted by its file name")
			case errors.Is(err, doctext.ErrUnsupported):
				d.Problem = i18n.Msg("Dossier cannot read the text of this kind of file; sorted by its file name")
			case err != nil:
				d.Problem = i18n.Msg("the text could not be read; sorted by its file name")
			}
		case intake.KindImage:
			d = NewDocument(it.Path, "")
			if d.Category == doctext.CategoryOther {
				continue // a photo with a name that says nothing: not a document
			}
			d.Problem = i18n.Msg("a photo or scan: sorted by its file name only")
		default:
			continue
		}
		if c, ok := corrections[it.Path]; ok && c.Valid() {
			d.Category, d.Confidence, d.Source, d.Evidence, d.Also = c, 1, "user", nil, nil
		}
		out = append(out, d)
	}
	return out, nil
}
