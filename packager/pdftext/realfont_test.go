package pdftext_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/testtool"
	"dossier/packager/cover"
	"dossier/packager/pdftext"
)

// realFontPDF writes a PDF with embedded TrueType subsets (DejaVu Sans and
// Droid Sans Fallback, with ToUnicode, as pdfcpu writes them) through the
// cover's layout: an ordinary writer's output, Latin and Chinese.
func realFontPDF(t testing.TB) []byte {
	t.Helper()
	d := cover.NewDoc("Report")
	d.Heading1("Pathology report")
	d.Field("Patient", "Jane Doe")
	d.Paragraph("Invasive ductal carcinoma, Nottingham grade 2. ER positive (95%), PR positive (40%), HER2 1+ (negative). Ki-67: 20%.")
	d.Paragraph("病理诊断：（左乳）浸润性导管癌，II级。免疫组化：ER(+，约80%)，PR(+，约40%)，HER2(1+)。")
	d.Field("姓名", "张三")
	var b bytes.Buffer
	if err := d.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func words(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			out = append(out, strings.Join(f, " "))
		}
	}
	return strings.Join(out, "\n")
}

func TestRealEmbeddedFontsMatchPdftotext(t *testing.T) {
	data := realFontPDF(t)
	var text strings.Builder
	err := pdftext.Read(context.Background(), bytes.NewReader(data), int64(len(data)), pdftext.Options{}, func(p *pdftext.Page) error {
		if !p.Reliable() {
			t.Errorf("page %d: %v", p.Number, p.Problems)
		}
		text.WriteString(p.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bin := testtool.Look(t, "pdftotext", "poppler-utils")
	path := filepath.Join(t.TempDir(), "r.pdf")
	os.WriteFile(path, data, 0o600)
	want, err := exec.Command(bin, "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := words(text.String()); got != words(string(want)) {
		t.Errorf("text differs from pdftotext -layout\n got %q\nwant %q", got, words(string(want)))
	}
	for _, w := range []string{"Jane Doe", "浸润性导管癌", "张三", "ER(+，约80%)"} {
		if !strings.Contains(text.String(), w) {
			t.Errorf("%q missing from %q", w, text.String())
		}
	}
}
