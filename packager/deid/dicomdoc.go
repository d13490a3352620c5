package deid

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"

	"dossier/packager/dicomdeid"
	"dossier/packager/dicomwire"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

// sopClassEncapsulatedPDF is Encapsulated PDF Storage and
// sopClassEncapsulatedCDA Encapsulated CDA Storage (an HL7 clinical
// document in XML).
const (
	sopClassEncapsulatedPDF = "1.2.840.10008.5.1.4.1.1.104.1"
	sopClassEncapsulatedCDA = "1.2.840.10008.5.1.4.1.1.104.2"
)

// encapsulatedDocument reports whether a DICOM SOP class carries a document
// (PDF or CDA) rather than a picture.
func encapsulatedDocument(sopClass string) bool {
	return sopClass == sopClassEncapsulatedPDF || sopClass == sopClassEncapsulatedCDA
}

// The reasons and warning for an Encapsulated PDF DICOM file: a document,
// decided by its text like a PDF of its own.
var (
	reasonEmbeddedMentions = i18n.Msg("the PDF document inside this DICOM file mentions the patient (%s)")
	reasonEmbeddedUnread   = i18n.Msg("the PDF document inside this DICOM file has no text Dossier can read (perhaps a scan), so it cannot be checked for names and other details")
	warnEmbeddedIdentity   = i18n.Msg("the PDF document inside this DICOM file still carries the patient's identity")

	reasonEmbeddedCDAMentions = i18n.Msg("the clinical document (CDA) inside this DICOM file mentions the patient (%s)")
	reasonEmbeddedCDAUnread   = i18n.Msg("the clinical document (CDA) inside this DICOM file has no text Dossier can read, so it cannot be checked for names and other details")
	warnEmbeddedCDAIdentity   = i18n.Msg("the clinical document (CDA) inside this DICOM file still carries the patient's identity")
)

// embeddedWarning is the warning for an included Encapsulated PDF or CDA
// file held because of its document ("" for other SOP classes).
func embeddedWarning(sopClass string) string {
	switch sopClass {
	case sopClassEncapsulatedPDF:
		return warnEmbeddedIdentity
	case sopClassEncapsulatedCDA:
		return warnEmbeddedCDAIdentity
	}
	return ""
}

// decideEmbedded decides an Encapsulated PDF or CDA DICOM file by the text
// of the document inside it, like a document of its own.
func decideEmbedded(ctx context.Context, it *intake.Item, sc *leakscan.Scanner, opts intake.Options) (Action, i18n.Text) {
	if it.SOPClassUID == sopClassEncapsulatedCDA {
		return decideEmbeddedCDA(ctx, it, sc, opts)
	}
	return decideEmbeddedPDF(ctx, it, sc, opts)
}

// decideEmbeddedCDA reads the text of the CDA (XML) inside an Encapsulated
// CDA DICOM file, its element text and attribute values alike, and returns
// Review with a reason when it names the patient or cannot be checked.
// (A CDA's header names the patient by design: recordTarget/patient/name.)
func decideEmbeddedCDA(ctx context.Context, it *intake.Item, sc *leakscan.Scanner, opts intake.Options) (Action, i18n.Text) {
	doc, act, reason := openEmbedded(ctx, it, opts, reasonEmbeddedCDAUnread)
	if act != "" {
		return act, reason
	}
	if sc != nil {
		// The raw XML too: names in attributes and in character references
		// the text extraction may not give back as written.
		if hits := sc.Bytes(it.Path, doc); len(hits) > 0 {
			return Review, i18n.NewText(reasonEmbeddedCDAMentions, kinds(hits))
		}
	}
	text, err := doctext.Extract(ctx, bytes.NewReader(doc), int64(len(doc)), "html", doctext.Options{MaxText: maxCheckedText})
	if err != nil || strings.TrimSpace(text) == "" || len(text) >= maxCheckedText {
		return Review, i18n.NewText(reasonEmbeddedCDAUnread)
	}
	if sc != nil {
		if hits := sc.String(it.Path, text); len(hits) > 0 {
			return Review, i18n.NewText(reasonEmbeddedCDAMentions, kinds(hits))
		}
	}
	return "", i18n.Text{}
}

// decideEmbeddedPDF reads the text of the PDF inside an Encapsulated PDF
// DICOM file and returns Review with a reason when it names the patient
// or cannot be checked; "" when the document's text is clean.
func decideEmbeddedPDF(ctx context.Context, it *intake.Item, sc *leakscan.Scanner, opts intake.Options) (Action, i18n.Text) {
	doc, act, reason := openEmbedded(ctx, it, opts, reasonEmbeddedUnread)
	if act != "" {
		return act, reason
	}
	pages, err := doctext.PDFPages(ctx, bytes.NewReader(doc), int64(len(doc)), doctext.Options{MaxPages: maxCheckedPages, MaxText: maxCheckedText})
	var b strings.Builder
	for _, p := range pages {
		if !p.Reliable {
			return Review, i18n.NewText(reasonEmbeddedUnread)
		}
		b.WriteString(p.Text)
	}
	text := b.String()
	if err != nil || strings.TrimSpace(text) == "" || len(pages) >= maxCheckedPages || len(text) >= maxCheckedText {
		return Review, i18n.NewText(reasonEmbeddedUnread)
	}
	if sc != nil {
		if hits := sc.String(it.Path, text); len(hits) > 0 {
			// Redacted like a PDF of its own (planRedact), or held.
			return Redact, i18n.NewText(reasonEmbeddedMentions, kinds(hits))
		}
	}
	return "", i18n.Text{}
}

// openEmbedded reads the document inside an Encapsulated PDF or CDA file;
// when it cannot, it returns the action and reason to plan instead
// (unread when the file has no document Dossier can take out).
func openEmbedded(ctx context.Context, it *intake.Item, opts intake.Options, unread string) ([]byte, Action, i18n.Text) {
	f, err := intake.Open(it, opts)
	if err != nil {
		if errors.Is(err, intake.ErrChanged) {
			return nil, Exclude, i18n.NewText(reasonChanged)
		}
		return nil, Exclude, i18n.NewText(reasonUnreadableAgain, i18n.PlainError(err))
	}
	defer f.Close()
	doc, err := embeddedDocument(ctx, f, f.Size())
	if err != nil || len(doc) == 0 {
		return nil, Review, i18n.NewText(unread)
	}
	return doc, "", i18n.Text{}
}

// embeddedDocument returns the Encapsulated Document (0042,0011) value of
// a DICOM file, read with dicomwire (nil when larger than maxEmbedded).
func embeddedDocument(ctx context.Context, r io.ReaderAt, size int64) ([]byte, error) {
	p10, err := dicomwire.OpenPart10(r, size)
	if err != nil {
		return nil, err
	}
	return p10.EncapsulatedDocument(ctx, maxEmbedded)
}

// maxEmbedded bounds the document read out of an Encapsulated PDF or CDA file.
const maxEmbedded = 64 << 20

// encapsulatedDocumentLength is (0042,0015) Encapsulated Document Length:
// the document's length without the padding byte.
const encapsulatedDocumentLength dicomwire.Tag = 0x00420015

// writeEncapsulatedPDF writes an Encapsulated PDF DICOM file: the header
// through the DICOM profile (dicomdeid), and the PDF inside cleaned as a
// PDF of its own is (StripPDF: no document information, XMP, forms,
// annotations, attachments) or, for a Redact decision or with the user's
// boxes (Redactions.PDF, page points), redacted (RedactPDF) with the plan's
// matcher and label. The new document replaces the old
// one in the written file, padded to an even length, and (0042,0015)
// Encapsulated Document Length, when present, says its length.
func writeEncapsulatedPDF(ctx context.Context, dst io.Writer, f intake.File, d Decision, p privacy.Params) error {
	var head bytes.Buffer
	if _, err := dicomdeid.Deidentify(ctx, &head, f, f.Size(), p); err != nil {
		return err
	}
	doc, err := embeddedDocument(ctx, bytes.NewReader(head.Bytes()), int64(head.Len()))
	if err != nil {
		return err
	}
	if len(doc) == 0 {
		return errors.New(i18n.Msg("the PDF document inside this DICOM file cannot be taken out to clean it"))
	}
	var pdf bytes.Buffer
	boxes, reviewed := d.Redactions.reviewedBoxes() // the user's boxes on its pages: never ignored
	if d.Action == Redact || d.redact != nil || len(boxes) > 0 {
		rp := d.redact
		if rp == nil {
			rp = &redactPlan{matcher: identity.NewTextMatcher(p.Identity), label: labelRemoved}
		}
		counts, err := redactPDF(ctx, &pdf, bytes.NewReader(doc), rp.matcher, boxes, rp.label, reviewed)
		if err != nil {
			return err
		}
		if d.redact != nil {
			d.redact.counts = counts
		}
	} else if err := StripPDF(&pdf, bytes.NewReader(doc)); err != nil {
		return err
	}
	out, err := replaceEncapsulatedDocument(ctx, head.Bytes(), pdf.Bytes())
	if err != nil {
		return err
	}
	_, err = dst.Write(out)
	return err
}

// replaceEncapsulatedDocument returns the Part 10 file b with its top-level
// Encapsulated Document (0042,0011) value replaced by doc (padded with a
// zero byte to an even length) and its Encapsulated Document Length
// (0042,0015), when present, set to len(doc). A group length (0042,0000)
// would be wrong afterwards: such a file is refused.
func replaceEncapsulatedDocument(ctx context.Context, b, doc []byte) ([]byte, error) {
	p10, err := dicomwire.OpenPart10(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var docEl, lenEl *dicomwire.Element
	groupLength := false
	w := p10.Walker(ctx)
	w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
		if e.Depth != 0 {
			return dicomwire.Continue, nil
		}
		switch e.Tag {
		case dicomwire.EncapsulatedDocument:
			c := *e
			docEl = &c
		case encapsulatedDocumentLength:
			c := *e
			lenEl = &c
		case 0x00420000:
			groupLength = true
		}
		return dicomwire.Continue, nil
	}
	if _, err := w.Walk(p10.Meta.End, p10.Size); err != nil {
		return nil, err
	}
	if docEl == nil || docEl.Undefined() || groupLength || lenEl != nil && lenEl.Length != 4 {
		return nil, errors.New(i18n.Msg("the PDF document inside this DICOM file is stored in a way Dossier cannot replace"))
	}
	if len(doc) >= 1<<32-2 {
		return nil, errors.New(i18n.Msg("the PDF document inside this DICOM file is too large"))
	}
	padded := doc
	if len(doc)%2 == 1 {
		padded = append(append([]byte(nil), doc...), 0)
	}
	value, err := dicomwire.AppendHeader(nil, p10.Syntax, dicomwire.EncapsulatedDocument, docEl.VR, uint32(len(padded)))
	if err != nil {
		return nil, err
	}
	type splice struct {
		from, to int64
		with     []byte
	}
	edits := []splice{{docEl.Offset, docEl.ValueOffset() + int64(docEl.Length), append(value, padded...)}}
	if lenEl != nil {
		n := make([]byte, 4)
		p10.Syntax.ByteOrder().PutUint32(n, uint32(len(doc)))
		edits = append(edits, splice{lenEl.ValueOffset(), lenEl.ValueOffset() + 4, n})
		if edits[1].from < edits[0].from {
			edits[0], edits[1] = edits[1], edits[0]
		}
	}
	out := make([]byte, 0, len(b)-int(docEl.Length)+len(padded)+16)
	last := int64(0)
	for _, e := range edits {
		out = append(out, b[last:e.from]...)
		out = append(out, e.with...)
		last = e.to
	}
	return append(out, b[last:]...), nil
}
