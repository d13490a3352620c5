package redactview

import (
	"context"
	"errors"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/identity"
	"dossier/packager/intake"
)

// TestDocumentTextBeforeAndAfter: a Word, an RTF and a text file that name
// the patient are shown as their text reads now, with each spelling of her
// name marked, and as the export's own writer makes it, with each
// placeholder marked and the name gone; the rest of the text is the same.
func TestDocumentTextBeforeAndAfter(t *testing.T) {
	ctx := context.Background()
	for name, data := range map[string][]byte{
		"letter.docx": docfix.DOCX("Dear colleague, I saw Jane Doe today.", "Her scan shows no change; Jane Doe is well."),
		"letter.rtf":  docfix.RTF(1252, nil, "Dear colleague, I saw Jane Doe today.", "Her scan shows no change; Jane Doe is well."),
		"letter.txt":  []byte("Dear colleague, I saw Jane Doe today.\nHer scan shows no change; Jane Doe is well.\n"),
	} {
		it := scanOne(t, name, data)
		if !TextPreviewable(it) {
			t.Fatalf("%s: not previewable", name)
		}
		d, err := OpenText(ctx, it, janeDoe(), "", intake.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(d.BeforeMarks) != 2 || len(d.AfterMarks) != 2 || d.Placeholder != "[name removed]" || d.Truncated {
			t.Fatalf("%s: %+v", name, d)
		}
		for _, r := range d.BeforeMarks {
			if got := d.Before[r[0]:r[1]]; got != "Jane Doe" {
				t.Errorf("%s: marked %q before", name, got)
			}
		}
		for _, r := range d.AfterMarks {
			if got := d.After[r[0]:r[1]]; got != "[name removed]" {
				t.Errorf("%s: marked %q after", name, got)
			}
		}
		if strings.Contains(d.After, "Jane") || strings.ReplaceAll(d.Before, "Jane Doe", "[name removed]") != d.After {
			t.Errorf("%s: after %q, before %q", name, d.After, d.Before)
		}
	}
	// In a Chinese export the placeholder is Chinese, as the export writes it.
	it := scanOne(t, "note.txt", []byte("Seen: Jane Doe\n"))
	d, err := OpenText(ctx, it, janeDoe(), "zh-Hans", intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Placeholder == "[name removed]" || !strings.Contains(d.After, d.Placeholder) {
		t.Errorf("Chinese placeholder %q in %q", d.Placeholder, d.After)
	}
	// Another kind of identity than a name: "[removed]".
	s := identity.NewSet()
	s.Add(identity.ID, "4471902", "test")
	if d, err := OpenText(ctx, scanOne(t, "id.txt", []byte("MRN 4471902\n")), s.Matcher(), "", intake.Options{}); err != nil || strings.TrimSpace(d.After) != "MRN [removed]" {
		t.Errorf("an ID: %+v %v", d, err)
	}
	if _, err := OpenText(ctx, scanOne(t, "a.pdf", docfix.PDF("Jane Doe")), janeDoe(), "", intake.Options{}); !errors.Is(err, ErrNotSupported) {
		t.Errorf("a PDF: %v", err)
	}
}
