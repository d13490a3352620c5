package deid

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"

	"dossier/packager/dicomwire"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
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
			return Review, i18n.NewText(reasonEmbeddedMentions, kinds(hits))
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
		return nil, Exclude, i18n.NewText(reasonUnreadableAgain, plainError(err))
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
