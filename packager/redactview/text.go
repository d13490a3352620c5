package redactview

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"dossier/packager/deid"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/intake"
)

// labelRemoved is the placeholder's label when more than names go (deid's).
var labelRemoved = i18n.Msg("removed")

// MaxText bounds the text of each side of a Document, in bytes.
const MaxText = 256 << 10

// Document is a document redacted with placeholders (a Word, RTF or text
// file) as its text reads before and as the export writes it. Marks are
// byte ranges: in Before, the spellings of the patient's identity that
// are replaced; in After, the placeholders that replace them.
type Document struct {
	Before, After           string
	BeforeMarks, AfterMarks [][2]int
	// Placeholder is what each spelling becomes ("[name removed]").
	Placeholder string
	// Truncated is set when a side was longer than MaxText and is cut.
	Truncated bool
}

// TextPreviewable reports whether OpenText shows the item: a Word (DOCX),
// RTF or plain-text document.
func TextPreviewable(it *intake.Item) bool {
	if it == nil || it.Kind != intake.KindDocument {
		return false
	}
	switch it.Format {
	case "docx", "rtf", "txt":
		return true
	}
	return false
}

// OpenText reads a Word, RTF or text document for the preview: its text as
// it is, and the text of the copy that the export's own writer
// (deid.RedactDOCX, RedactRTF, RedactText) makes with every spelling m
// finds replaced, read back. The placeholder reads "[name removed]" when
// only names are found, "[removed]" otherwise, in language (a tag of
// packager/i18n; "" for English), as the export writes it. It returns
// ErrNotSupported for any other record.
func OpenText(ctx context.Context, it *intake.Item, m *identity.Matcher, language string, opts intake.Options) (*Document, error) {
	if !TextPreviewable(it) {
		return nil, ErrNotSupported
	}
	if m == nil {
		m = identity.NewTextMatcher(nil)
	}
	f, err := intake.Open(it, opts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	before, err := doctext.Extract(ctx, f, f.Size(), it.Format, doctext.Options{})
	if err != nil && !errors.Is(err, doctext.ErrNoText) {
		return nil, err
	}
	spans := m.FindAll(before)
	label := labelName
	for _, s := range spans {
		if s.Kind != identity.Name {
			label = labelRemoved
		}
	}
	if language != "" {
		if c, err := i18n.Load(language); err == nil {
			label = c.Message(label)
		}
	}
	var out bytes.Buffer
	switch it.Format {
	case "docx":
		_, err = deid.RedactDOCX(ctx, &out, f, f.Size(), m, label)
	case "rtf":
		_, err = deid.RedactRTF(ctx, &out, io.NewSectionReader(f, 0, f.Size()), m, label)
	default:
		_, err = deid.RedactText(ctx, &out, io.NewSectionReader(f, 0, f.Size()), m, label)
	}
	if err != nil {
		return nil, err
	}
	after, err := doctext.Extract(ctx, bytes.NewReader(out.Bytes()), int64(out.Len()), it.Format, doctext.Options{})
	if err != nil && !errors.Is(err, doctext.ErrNoText) {
		return nil, err
	}
	t := &Document{Placeholder: "[" + label + "]"}
	t.Before, t.BeforeMarks = cut(before, identity.Merge(spans), &t.Truncated)
	t.After, t.AfterMarks = cut(after, occurrences(after, t.Placeholder), &t.Truncated)
	return t, nil
}

// occurrences returns the byte ranges of s in text.
func occurrences(text, s string) [][2]int {
	var out [][2]int
	for i := 0; s != ""; {
		j := strings.Index(text[i:], s)
		if j < 0 {
			break
		}
		out = append(out, [2]int{i + j, i + j + len(s)})
		i += j + len(s)
	}
	return out
}

// cut shortens text to MaxText bytes (at a character boundary), keeping
// the marks that lie wholly inside it, and sets *truncated when it cut.
func cut(text string, marks [][2]int, truncated *bool) (string, [][2]int) {
	if len(text) <= MaxText {
		return text, marks
	}
	*truncated = true
	n := MaxText
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	var kept [][2]int
	for _, r := range marks {
		if r[1] <= n {
			kept = append(kept, r)
		}
	}
	return text[:n], kept
}
