package deid

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"dossier/packager/burnedin"
	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/pdftext"
	"dossier/packager/redact"
)

// redactPlan is what Plan worked out for an item it redacts: the matcher
// of the case's identity (with kinds), the label drawn in the boxes, and,
// once written, what was removed.
type redactPlan struct {
	matcher *identity.Matcher
	label   string
	// planned is the redacted PDF Plan made and read back, kept (within
	// keepBudget) so that Write writes it instead of redacting again.
	planned *redactedPDF
	// counts is filled by Write: kinds and counts, never values.
	counts []Redaction
	// written is the text of the PDF Write wrote, when it wrote planned:
	// the read-back of those very bytes, which the leak scan reads
	// instead of reading them a second time.
	written *string
}

// redactedPDF is a PDF redacted and read back.
type redactedPDF struct {
	data []byte
	// text is the text of every page of data, read back, joined as
	// doctext joins it.
	text   string
	counts []Redaction
	// boxes are the user's boxes it was made with, and reviewed whether
	// they were confirmed.
	boxes    []redact.Box
	reviewed bool
}

// keepBudget bounds the redacted PDFs one Plan keeps for Write: a larger
// one is redacted again when written.
type keepBudget struct{ left int }

// The most of a redacted PDF kept by Plan, per item and in all.
const (
	keepPerItem = 8 << 20
	keepTotal   = 32 << 20
)

// keep reports whether a redacted PDF of n bytes (and its text, t) may be
// kept, and takes it from the budget.
func (k *keepBudget) keep(n, t int) bool {
	if k == nil || n+t > keepPerItem || n+t > k.left {
		return false
	}
	k.left -= n + t
	return true
}

// errSpellingLeft is returned when a redacted PDF, read back, still spells
// the patient's identity: it must be held, never sent.
var errSpellingLeft = errors.New(i18n.Msg("after redaction the document's text still names the patient"))

// The labels drawn in redaction boxes.
var (
	labelName    = i18n.Msg("name removed")
	labelRemoved = i18n.Msg("removed")
)

// RedactPDF writes to dst a copy of the PDF src with its structure cleaned
// (StripPDF) and every spelling m finds in its page text removed for
// real (packager/redact), with an opaque box labelled label over each
// place, and the user's boxes redacted too. The copy is read back before a
// byte reaches dst: if its text still spells the identity, it fails with
// errSpellingLeft. It returns what was removed, by kind of identity
// ("name", "id", "birthDate", ...), plus "glyphs" and "boxes": counts,
// never values. redact.ErrNotLocatable and redact.ErrImage mean the
// document must be held for review.
func RedactPDF(ctx context.Context, dst io.Writer, src io.ReadSeeker, m *identity.Matcher, boxes []redact.Box, label string) ([]Redaction, error) {
	return redactPDF(ctx, dst, src, m, boxes, label, false)
}

// RedactReviewedPDF is RedactPDF for a PDF whose pages the user has looked
// at and covered with boxes: a page whose text cannot be located (writing
// drawn as glyph outlines, a Type3 font without ToUnicode) is redacted by
// the boxes alone (what is drawn under them goes) instead of failing.
func RedactReviewedPDF(ctx context.Context, dst io.Writer, src io.ReadSeeker, m *identity.Matcher, boxes []redact.Box, label string) ([]Redaction, error) {
	return redactPDF(ctx, dst, src, m, boxes, label, len(boxes) > 0)
}

// reviewedBoxes returns the PDF boxes of r and whether the user confirmed
// them (looked at the pages: see RedactReviewedPDF).
func (r *Redactions) reviewedBoxes() ([]redact.Box, bool) {
	if r == nil {
		return nil, false
	}
	return r.PDF, r.Confirmed && len(r.PDF) > 0
}

func redactPDF(ctx context.Context, dst io.Writer, src io.ReadSeeker, m *identity.Matcher, boxes []redact.Box, label string, reviewed bool) ([]Redaction, error) {
	r, err := redactCopy(ctx, src, m, boxes, func(map[string]int) string { return label }, reviewed)
	if err != nil {
		return nil, err
	}
	if _, err := dst.Write(r.data); err != nil {
		return nil, err
	}
	return r.counts, nil
}

// redactCopy is redactPDF, the label chosen by label from the kinds of
// identity found once every page is read. It returns the redacted copy,
// its text as read back, and what was removed.
func redactCopy(ctx context.Context, src io.ReadSeeker, m *identity.Matcher, boxes []redact.Box, label func(kinds map[string]int) string, reviewed bool) (*redactedPDF, error) {
	var clean bytes.Buffer
	if err := StripPDF(&clean, src); err != nil {
		return nil, err
	}
	kinds := map[string]int{}
	find := func(p *pdftext.Page) [][]int {
		spans := m.FindAll(p.Text)
		for _, s := range spans {
			kinds[string(s.Kind)]++
		}
		return redact.TextSpans(p, identity.Merge(spans))
	}
	var out bytes.Buffer
	res, err := redact.PDF(ctx, bytes.NewReader(clean.Bytes()), &out, find, redact.Options{LabelOf: func() string { return label(kinds) }, Boxes: boxes, Reviewed: reviewed})
	if err != nil {
		return nil, err
	}
	text, err := spellingsLeft(ctx, out.Bytes(), m)
	if err != nil {
		return nil, err
	}
	counts := make([]Redaction, 0, len(kinds)+2)
	for k, n := range kinds {
		counts = append(counts, Redaction{Kind: k, Count: n})
	}
	sort.Slice(counts, func(i, j int) bool { return counts[i].Kind < counts[j].Kind })
	if res.Glyphs > 0 {
		counts = append(counts, Redaction{Kind: "glyphs", Count: res.Glyphs})
	}
	if res.Boxes > 0 {
		counts = append(counts, Redaction{Kind: "boxes", Count: res.Boxes})
	}
	if res.Images > 0 {
		counts = append(counts, Redaction{Kind: "pictures masked", Count: res.Images})
	}
	if len(boxes) > 0 {
		counts = append(counts, Redaction{Kind: KindBoxesMarked, Count: len(boxes)})
	}
	return &redactedPDF{data: out.Bytes(), text: text, counts: counts, boxes: boxes, reviewed: reviewed}, nil
}

// spellingsLeft reads a written PDF back and fails when its text still
// spells the identity, or cannot all be read. It returns the text of its
// pages, joined as doctext joins them.
func spellingsLeft(ctx context.Context, pdf []byte, m *identity.Matcher) (string, error) {
	var text strings.Builder
	err := pdftext.Read(ctx, bytes.NewReader(pdf), int64(len(pdf)), pdftext.Options{ReuseGlyphs: true}, func(p *pdftext.Page) error {
		if p.Truncated {
			return fmt.Errorf("page %d: %w", p.Number, redact.ErrNotLocatable)
		}
		if len(m.FindAll(p.Text)) > 0 {
			return errSpellingLeft
		}
		text.WriteString(p.Text)
		return nil
	})
	if err != nil && !errors.Is(err, errSpellingLeft) && !errors.Is(err, redact.ErrNotLocatable) {
		return "", fmt.Errorf("reading the redacted PDF back: %w", err)
	}
	return text.String(), err
}

// redactReason is the plain reason a PDF that names the patient is held
// for review when it cannot be redacted.
func redactReason(err error) i18n.Text {
	switch {
	case errors.Is(err, redact.ErrNotLocatable):
		return i18n.NewText(i18n.Msg("its text names the patient, and Dossier cannot locate that text on the page exactly enough to remove it"))
	case errors.Is(err, redact.ErrImage):
		return i18n.NewText(i18n.Msg("its text names the patient, and a picture on the page is stored in a way Dossier cannot mask"))
	case errors.Is(err, errEncoding):
		return i18n.NewText(errEncoding.Error())
	case errors.Is(err, errSpellingLeft):
		return i18n.NewText(i18n.Msg("its text names the patient, and Dossier could not remove every mention"))
	}
	return i18n.NewText(i18n.Msg("its text names the patient, and Dossier could not redact it"))
}

// planRedaction tries the redaction of a PDF that names the patient, as
// the export will do it, so that the plan says truly whether it is sent
// redacted or held for review. It returns the plan, or the reason to hold.
// The label in the boxes is fixed, or, when fixed is "", "name removed"
// when only names were found; it is in lang's language. A redacted PDF is
// kept in the plan for Write while keep allows.
func planRedaction(ctx context.Context, it *intake.Item, m *identity.Matcher, r *Redactions, opts intake.Options, fixed, lang string, keep *keepBudget) (*redactPlan, i18n.Text) {
	boxes, reviewed := r.reviewedBoxes()
	labelOf := func(kinds map[string]int) string {
		label := fixed
		if label == "" {
			label = labelName
			for k := range kinds {
				switch k {
				case string(identity.Name), "glyphs", "boxes", "pictures masked":
				default:
					label = labelRemoved
				}
			}
		}
		if lang != "" {
			if c, err := i18n.Load(lang); err == nil {
				label = c.Message(label)
			}
		}
		return label
	}
	f, err := intake.Open(it, opts)
	if err != nil {
		if errors.Is(err, intake.ErrChanged) {
			return nil, i18n.NewText(reasonChanged)
		}
		return nil, i18n.NewText(reasonUnreadableAgain, i18n.PlainError(err))
	}
	defer f.Close()
	var counts []Redaction
	var kept *redactedPDF
	switch it.Format {
	case "txt":
		counts, err = RedactText(ctx, io.Discard, io.NewSectionReader(f, 0, f.Size()), m, labelRemoved)
	case "docx":
		counts, err = RedactDOCX(ctx, io.Discard, f, f.Size(), m, labelRemoved)
	case "rtf":
		counts, err = RedactRTF(ctx, io.Discard, io.NewSectionReader(f, 0, f.Size()), m, labelRemoved)
	default:
		if it.Kind == intake.KindDICOM {
			var doc []byte
			doc, err = embeddedDocument(ctx, f, f.Size())
			if err == nil && len(doc) == 0 {
				return nil, i18n.NewText(reasonEmbeddedUnread)
			}
			if err == nil {
				counts, err = redactPDF(ctx, io.Discard, bytes.NewReader(doc), m, boxes, "", reviewed)
			}
			break
		}
		var planned *redactedPDF
		planned, err = redactCopy(ctx, io.NewSectionReader(f, 0, f.Size()), m, boxes, labelOf, reviewed)
		if err == nil {
			counts = planned.counts
			if keep.keep(len(planned.data), len(planned.text)) {
				kept = planned
			}
		}
	}
	if err != nil {
		return nil, redactReason(err)
	}
	kinds := map[string]int{}
	for _, c := range counts {
		kinds[c.Kind] += c.Count
	}
	return &redactPlan{matcher: m, label: labelOf(kinds), planned: kept}, i18n.Text{}
}

// writeRedactedText writes a plain-text, Word or RTF item with its identity
// replaced (see RedactText, RedactDOCX, RedactRTF), recording what was replaced in d's plan.
func writeRedactedText(ctx context.Context, dst io.Writer, f intake.File, d Decision, spellings []string) error {
	rp := d.redact
	if rp == nil {
		rp = &redactPlan{matcher: identity.NewTextMatcher(spellings), label: labelRemoved}
	}
	var counts []Redaction
	var err error
	switch d.Item.Format {
	case "docx":
		counts, err = RedactDOCX(ctx, dst, f, f.Size(), rp.matcher, rp.label)
	case "rtf":
		counts, err = RedactRTF(ctx, dst, io.NewSectionReader(f, 0, f.Size()), rp.matcher, rp.label)
	default:
		counts, err = RedactText(ctx, dst, io.NewSectionReader(f, 0, f.Size()), rp.matcher, rp.label)
	}
	if err != nil {
		return err
	}
	if d.redact != nil {
		d.redact.counts = counts
	}
	return nil
}

// writeRedactedPDF writes a PDF item with its identity redacted (see
// RedactPDF), recording what was removed in d's plan. The copy Plan made
// and read back is written as it is when it was made with the same boxes
// (the item is unchanged: f was opened).
func writeRedactedPDF(ctx context.Context, dst io.Writer, f intake.File, d Decision, spellings []string) error {
	rp := d.redact
	if rp == nil {
		rp = &redactPlan{matcher: identity.NewTextMatcher(spellings), label: labelRemoved}
	}
	boxes, reviewed := d.Redactions.reviewedBoxes()
	if p := rp.planned; p != nil && slices.Equal(p.boxes, boxes) && p.reviewed == reviewed {
		if _, err := dst.Write(p.data); err != nil {
			return err
		}
		rp.counts, rp.written = p.counts, &p.text
		return nil
	}
	rp.written = nil
	counts, err := redactPDF(ctx, dst, io.NewSectionReader(f, 0, f.Size()), rp.matcher, boxes, rp.label, reviewed)
	if err != nil {
		return err
	}
	if d.redact != nil {
		d.redact.counts = counts
	}
	return nil
}

// The reasons a PDF without text (a scan) is held for review.
var (
	reasonNoText = i18n.Msg("no readable text (perhaps a scan): its pages may show names or other details")
	// reasonScanNoOCR: OCR cannot suggest boxes.
	reasonScanNoOCR = i18n.Msg("no readable text (perhaps a scan): its pages may show names or other details, and without tesseract (Debian package tesseract-ocr) Dossier cannot look for them; mark the boxes yourself")
	// reasonScanUnmaskable: the pictures can be neither read nor masked.
	reasonScanUnmaskable = i18n.Msg("no readable text (perhaps a scan), and its pictures are stored in a way Dossier cannot read or black out, so it cannot be redacted")
)

// scanReason says why a PDF without text is held for review: its pages'
// pictures cannot be decoded (so neither OCR nor masking can work on
// them), tesseract is missing (no boxes can be suggested), or, as for any
// scan, its pages may show names (boxes are suggested by
// burnedin.SuggestPDF and applied when the user includes it).
func scanReason(ctx context.Context, f intake.File) string {
	_, err := redact.ScannedPictures(ctx, io.NewSectionReader(f, 0, f.Size()), pdftext.Options{MaxPages: maxCheckedPages})
	switch {
	case errors.Is(err, redact.ErrImage):
		return reasonScanUnmaskable
	case err != nil:
		return reasonNoText
	}
	if _, err := burnedin.Tesseract(); err != nil {
		return reasonScanNoOCR
	}
	return reasonNoText
}
