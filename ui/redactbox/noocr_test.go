package redactbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/redactview"
)

// TestSaysWhenOCRIsMissing: without tesseract the preview of a photo says
// plainly that Dossier could not read the text in it and why, and asks the
// patient to draw the boxes herself; with tesseract there is no such note.
func TestSaysWhenOCRIsMissing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "scan.png"), docfix.PNG(120, 80), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := intake.Scan(ctx, []string{dir}, intake.Options{}, nil)
	if err != nil || len(inv.Items) != 1 {
		t.Fatalf("scan: %v", err)
	}
	s := identity.NewSet()
	s.Add(identity.Name, "Jane Doe", "test")
	test.NewTempApp(t)
	path := os.Getenv("PATH")
	for _, missing := range []bool{true, false} {
		if missing {
			t.Setenv("PATH", t.TempDir())
		} else {
			os.Setenv("PATH", path) // t.Setenv puts it back at the end too
			testtool.Look(t, "tesseract", "tesseract-ocr")
		}
		v, err := redactview.Open(ctx, inv.Items[0], s.Matcher(), "name removed", intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if v.OCRMissing != missing {
			t.Fatalf("tesseract missing %v: OCRMissing %v", missing, v.OCRMissing)
		}
		pump := newPump()
		p := NewPreview(v, nil, pump.run)
		w := test.NewWindow(p.Content())
		w.Resize(fyne.NewSize(900, 600))
		pump.until(t, "the page as sent", func() bool { return p.AfterShown == 1 })
		said := p.note.Visible() && strings.Contains(p.note.Text, "tesseract") && strings.Contains(p.note.Text, "draw a box")
		if said != missing {
			t.Errorf("tesseract missing %v: the note (shown %v) says %q", missing, p.note.Visible(), p.note.Text)
		}
		p.Close()
		w.Close()
	}
}
