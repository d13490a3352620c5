package redact

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/pdftext"
)

// TestRedactChineseLabel: a Chinese label ("姓名已删除") is drawn in the box
// as glyph outlines, so it shows when the page is rendered (pdftoppm: light
// strokes inside the black box, on an upright and a rotated page), while
// pdftotext finds neither the removed name nor the label, and qpdf --check
// passes, and pdftext reads the page as reliable (one filled path is no
// writing drawn as outlines). The rendered pages are kept in DOSSIER_LABEL_PNG when it is set.
func TestRedactChineseLabel(t *testing.T) {
	pdftoppm := testtool.Look(t, "pdftoppm", "poppler-utils")
	for name, c := range map[string]struct {
		data []byte
		word string
	}{
		"upright": {docfix.PDFCJK("姓名：张三丰先生 性别：女", "病理诊断：浸润性导管癌"), "张三丰先生"},
		"rotated": {docfix.PDFRotated("Rotated Jane Doe Smith-Jones line", "Another line"), "Jane Doe Smith-Jones"},
	} {
		box := viewBox(t, c.data, c.word)
		out, res, err := redact(t, c.data, words(c.word), Options{Label: "姓名已删除"})
		if err != nil || res.Boxes == 0 {
			t.Fatalf("%s: %+v, %v", name, res, err)
		}
		// The label is one filled path, not a row of glyph outlines: the
		// written page reads as reliable (not as text drawn as paths).
		err = pdftext.Read(context.Background(), bytes.NewReader(out), int64(len(out)), pdftext.Options{}, func(p *pdftext.Page) error {
			if !p.Reliable() {
				t.Errorf("%s: page %d of the redacted PDF has problems %v", name, p.Number, p.Problems)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if msg, err := tool(t, "qpdf", out, "--check"); err != nil {
			t.Errorf("%s: qpdf --check: %v\n%s", name, err, msg)
		}
		text, err := tool(t, "pdftotext", out, "-enc", "UTF-8")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"张", "三", "Jane", "Doe", "姓名已删除", "删除"} {
			if strings.Contains(text, s) {
				t.Errorf("%s: pdftotext finds %q: %q", name, s, text)
			}
		}
		dir := t.TempDir()
		if keep := os.Getenv("DOSSIER_LABEL_PNG"); keep != "" {
			dir = keep
		}
		in := filepath.Join(dir, name+".pdf")
		os.WriteFile(in, out, 0o600)
		const dpi = 144
		if o, err := exec.Command(pdftoppm, "-r", "144", "-png", "-singlefile", in, filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, o)
		}
		f, err := os.Open(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		// The box in pixels, shrunk a little to stay inside it.
		k := float64(dpi) / 72
		r := image.Rect(int((box.X+1.5)*k), int((box.Y+1.5)*k), int((box.X+box.Width-1.5)*k), int((box.Y+box.Height-1.5)*k))
		light, dark := 0, 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				cr, cg, cb, _ := img.At(x, y).RGBA()
				switch l := (cr + cg + cb) / 3 >> 8; {
				case l > 160:
					light++
				case l < 60:
					dark++
				}
			}
		}
		total := r.Dx() * r.Dy()
		if total == 0 || light < total/25 || dark < total/2 {
			t.Errorf("%s: in the box %v: %d light and %d dark pixels of %d: no label drawn", name, r, light, dark, total)
		}
	}
}
