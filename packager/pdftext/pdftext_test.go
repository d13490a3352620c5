package pdftext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
)

func readAll(t testing.TB, data []byte, opts Options) ([]*Page, error) {
	t.Helper()
	var pages []*Page
	err := Read(context.Background(), bytes.NewReader(data), int64(len(data)), opts, func(p *Page) error {
		pages = append(pages, p)
		return nil
	})
	return pages, err
}

// normalize keeps the words of each non-blank line, so layouts that differ
// only in spacing compare equal.
func normalize(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			out = append(out, strings.Join(f, " "))
		}
	}
	return strings.Join(out, "\n")
}

func pdftotext(t *testing.T, data []byte, args ...string) string {
	t.Helper()
	bin := testtool.Look(t, "pdftotext", "poppler-utils")
	p := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, append(args, p, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func sameWords(a, b string) bool {
	wa, wb := strings.Fields(a), strings.Fields(b)
	slices.Sort(wa)
	slices.Sort(wb)
	return slices.Equal(wa, wb)
}

func pageTexts(pages []*Page) string {
	var b strings.Builder
	for _, p := range pages {
		b.WriteString(p.Text)
	}
	return b.String()
}

type fixture struct {
	name     string
	data     []byte
	want     []string // lines expected in the text
	reliable bool
}

func fixtures() []fixture {
	return []fixture{
		{"compressed", docfix.PDFCompressed([]string{"Page one line", "Second line here"}, []string{"Page two", "Müller Straße 5, Zürich"}), []string{"Page one line", "Müller Straße 5, Zürich"}, true},
		{"plain", docfix.PDF("SURGICAL PATHOLOGY REPORT", "ER positive (Allred 8)"), []string{"ER positive (Allred 8)"}, true},
		{"truetype", docfix.PDFTrueTypeSubset("Patient: Jane Doe", "Invasive ductal carcinoma, grade 2"), []string{"Patient: Jane Doe"}, true},
		{"cjk", docfix.PDFCJK("病理诊断：浸润性导管癌", "姓名：张三 ER(+，约80%)", "HER2 1+ Ki-67 20%"), []string{"病理诊断：浸润性导管癌", "姓名：张三 ER(+，约80%)"}, true},
		{"truetype pages", docfix.PDFTrueTypeSubsetPages([]string{"Patient: Jane Doe"}, []string{"Page two: Ki-67 20%"}), []string{"Patient: Jane Doe", "Page two: Ki-67 20%"}, true},
		{"cjk pages", docfix.PDFCJKPages([]string{"姓名：张三"}, []string{"病理诊断：浸润性导管癌"}), []string{"姓名：张三", "病理诊断：浸润性导管癌"}, true},
		{"glyph per Tj", docfix.PDFGlyphPerTj("Patient Jane Doe", "born 1970-05-09"), []string{"Patient Jane Doe", "born 1970-05-09"}, true},
		{"kerned", docfix.PDFKerned("Patient Jane Doe", "Final diagnosis: carcinoma"), []string{"Patient Jane Doe", "Final diagnosis: carcinoma"}, true},
		{"form", docfix.PDFForm("Header line", "Form line one", "Jane Doe in a form"), []string{"Header line", "Jane Doe in a form"}, true},
		{"rotated", docfix.PDFRotated("Rotated line one", "Jane Doe rotated"), []string{"Rotated line one", "Jane Doe rotated"}, true},
		{"image only", docfix.PDFImageOnly(), nil, true},
		{"form field", docfix.PDFFormField("Patient:", "name", "Jane Doe"), []string{"Patient: Jane Doe"}, true},
	}
}

// TestMatchesPdftotext compares the text of every fixture class with
// poppler's pdftotext, word for word and line for line.
func TestMatchesPdftotext(t *testing.T) {
	for _, f := range fixtures() {
		pages, err := readAll(t, f.data, Options{})
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		got := normalize(pageTexts(pages))
		want := normalize(pdftotext(t, f.data, "-layout"))
		if got != want {
			t.Errorf("%s: text differs from pdftotext -layout\n got: %q\nwant: %q", f.name, got, want)
		}
		// pdftotext without -layout orders blocks its own way: the same
		// words, perhaps in other lines.
		if plain := pdftotext(t, f.data); !sameWords(got, plain) {
			t.Errorf("%s: words differ from pdftotext\n got: %q\nwant: %q", f.name, got, plain)
		}
		for _, w := range f.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", f.name, got, w)
			}
		}
		for _, p := range pages {
			if p.Reliable() != f.reliable {
				t.Errorf("%s: page %d reliable %v, problems %v", f.name, p.Number, p.Reliable(), p.Problems)
			}
		}
	}
}

func TestPagesAndImages(t *testing.T) {
	pages, err := readAll(t, docfix.PDFCompressed([]string{"one"}, []string{"two"}, []string{"three"}), Options{})
	if err != nil || len(pages) != 3 {
		t.Fatalf("%d pages, %v", len(pages), err)
	}
	for i, w := range []string{"one\n", "two\n", "three\n"} {
		if pages[i].Number != i+1 || pages[i].Text != w {
			t.Errorf("page %d: %d %q", i+1, pages[i].Number, pages[i].Text)
		}
	}
	img, err := readAll(t, docfix.PDFImageOnly(), Options{})
	if err != nil || len(img) != 1 || img[0].Images != 1 || len(img[0].Glyphs) != 0 || img[0].Text != "" {
		t.Errorf("image-only page: %+v, %v", img, err)
	}
	if pics := img[0].Pictures; len(pics) != 1 || pics[0].Obj == 0 || pics[0].Inline || pics[0].Box != [4]float64{100, 200, 500, 600} {
		t.Errorf("pictures %+v", pics)
	}
	rot, err := readAll(t, docfix.PDFRotated("x"), Options{})
	if err != nil || rot[0].Rotate != 90 {
		t.Errorf("rotated page: %v", err)
	}
}

// TestGlyphSpans finds words in the page text and checks that the glyphs
// behind them spell the word and point at the bytes that drew them.
func TestGlyphSpans(t *testing.T) {
	for _, f := range fixtures() {
		if f.name == "image only" || f.name == "compressed" || f.name == "plain" {
			continue
		}
		pages, err := readAll(t, f.data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		p := pages[0]
		word := "Jane"
		if strings.HasPrefix(f.name, "cjk") {
			word = "张三"
		}
		i := strings.Index(p.Text, word)
		if i < 0 {
			t.Errorf("%s: %q not in %q", f.name, word, p.Text)
			continue
		}
		var spelled strings.Builder
		for _, gi := range p.GlyphsIn(i, i+len(word)) {
			g := p.Glyphs[gi]
			spelled.WriteString(g.Text)
			if g.Stream < 0 || g.Stream >= len(p.Streams) || g.Start >= g.End || g.Code+g.CodeLen > g.End-g.Start {
				t.Errorf("%s: glyph %q has no usable source: %+v", f.name, g.Text, g)
			}
			if g.Box[0] >= g.Box[2] || g.Box[1] >= g.Box[3] || g.Kern == 0 {
				t.Errorf("%s: glyph %q box %v kern %v", f.name, g.Text, g.Box, g.Kern)
			}
		}
		if spelled.String() != word {
			t.Errorf("%s: glyphs spell %q, want %q", f.name, spelled.String(), word)
		}
	}
	// The form's glyphs come from the Form XObject's stream.
	pages, _ := readAll(t, docfix.PDFForm("Header", "Jane"), Options{})
	p := pages[0]
	gi := p.GlyphsIn(strings.Index(p.Text, "Jane"), len(p.Text))
	if len(gi) == 0 || !p.Streams[p.Glyphs[gi[0]].Stream].Form {
		t.Errorf("form glyphs not traced to the form: %+v", p.Streams)
	}
	if g := p.Glyphs[gi[0]]; g.X < 90 || g.X > 94 || g.Y < 300 || g.Y > 440 {
		t.Errorf("form glyph placed at %.1f,%.1f, want the form matrix and cm applied", g.X, g.Y)
	}
}

func TestType3WithoutToUnicode(t *testing.T) {
	data := docfix.PDFType3("Secret")
	pages, err := readAll(t, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := pages[0]
	if p.Reliable() || len(p.Problems) != 1 || p.Problems[0].Kind != ProblemType3NoToUnicode || p.Problems[0].Font != "T3" {
		t.Errorf("problems %v", p.Problems)
	}
	if len(p.Glyphs) != 6 {
		t.Errorf("%d glyphs located, want 6", len(p.Glyphs))
	}
	// pdftotext prints the raw codes (control characters): neither reader
	// knows the text.
	poppler := strings.Map(func(r rune) rune {
		if r < 0x20 {
			return -1
		}
		return r
	}, pdftotext(t, data))
	if normalize(poppler) != "" || p.Text != "" {
		t.Errorf("text %q, pdftotext %q", p.Text, poppler)
	}
}

func TestPageTreeCycle(t *testing.T) {
	data := docfix.PDFPageTreeCycle()
	if len(data) > 300 {
		t.Errorf("cycle fixture is %d bytes", len(data))
	}
	d, err := Open(context.Background(), bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.NumPages() != 0 {
		t.Errorf("%d pages in a tree without pages", d.NumPages())
	}
	// A tree whose second kid points back at the root, and a page listed
	// twice: each page is read once.
	b := &docfix.PDFBuilder{}
	cat := b.Reserve()
	root := b.Reserve()
	inner := b.Reserve()
	page := b.Add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /Resources << >> /Contents %d 0 R >>", inner, b.Stream("", []byte("BT /F1 12 Tf 72 700 Td (Looped) Tj ET"))))
	b.Set(inner, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R %d 0 R %d 0 R] /Count 2 >>", page, root, page))
	b.Set(root, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count 2 >>", inner, root))
	b.Set(cat, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", root))
	pages, err := readAll(t, b.Bytes(cat), Options{})
	if err != nil || len(pages) != 1 || pages[0].Text != "Looped\n" {
		t.Errorf("looped tree: %d pages, %v", len(pages), err)
	}
}

// TestFormCycle draws a Form XObject that draws itself, and forms nested
// deeper than allowed.
func TestFormCycle(t *testing.T) {
	b := &docfix.PDFBuilder{}
	form := b.Reserve()
	b.SetStream(form, fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /Me %d 0 R >> >>", form), []byte("/Me Do"))
	data := b.Pages(docfix.PDFPage{Content: "/Me Do", Resources: fmt.Sprintf("<< /XObject << /Me %d 0 R >> >>", form)})
	pages, err := readAll(t, data, Options{})
	if err != nil || len(pages) != 1 || pages[0].Reliable() || pages[0].Problems[0].Kind != ProblemFormDepth {
		t.Errorf("self-drawing form: %v, %+v", err, pages)
	}
}

// TestGlyphBomb reads a 6-million-glyph page: the page is cut at the glyph
// cap, and the memory held stays small.
func TestGlyphBomb(t *testing.T) {
	data := docfix.PDFGlyphBomb(6_000_000)
	if len(data) > 64<<10 {
		t.Errorf("bomb fixture is %d bytes", len(data))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var peak uint64
	err := Read(context.Background(), bytes.NewReader(data), int64(len(data)), Options{}, func(p *Page) error {
		if !p.Truncated || p.Reliable() || len(p.Glyphs) != 50_000 || len(p.Text) > 1<<20 {
			t.Errorf("bomb page: truncated %v, %d glyphs, %d text bytes", p.Truncated, len(p.Glyphs), len(p.Text))
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = m.HeapAlloc
		return nil
	})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if peak > before.HeapAlloc+128<<20 {
		t.Errorf("heap grew by %d MiB on the bomb", (peak-before.HeapAlloc)>>20)
	}
	if total := after.TotalAlloc - before.TotalAlloc; total > 512<<20 {
		t.Errorf("allocated %d MiB on the bomb", total>>20)
	}
	// The same glyphs in the page's own content stream (6,000 strings of
	// 1,000 glyphs, a few kilobytes compressed).
	var c strings.Builder
	c.WriteString("BT /F1 1 Tf\n")
	for i := 0; i < 6000; i++ {
		c.WriteString("(" + strings.Repeat("A", 1000) + ") Tj\n")
	}
	c.WriteString("ET")
	flat := (&docfix.PDFBuilder{Compress: true}).Pages(docfix.PDFPage{Content: c.String(), Resources: "<< >>"})
	if len(flat) > 128<<10 {
		t.Errorf("flat bomb fixture is %d bytes", len(flat))
	}
	runtime.GC()
	runtime.ReadMemStats(&before)
	pages, err := readAll(t, flat, Options{})
	runtime.ReadMemStats(&after)
	if err != nil || !pages[0].Truncated || len(pages[0].Glyphs) != 50_000 {
		t.Errorf("flat bomb: %v", err)
	}
	if total := after.TotalAlloc - before.TotalAlloc; total > 512<<20 {
		t.Errorf("allocated %d MiB on the flat bomb", total>>20)
	}
	// A smaller document budget ends with ErrBudget.
	if _, err := readAll(t, data, Options{MaxGlyphs: 10_000}); !errors.Is(err, ErrBudget) {
		t.Errorf("glyph budget: %v", err)
	}
	if _, err := readAll(t, data, Options{MaxSteps: 5_000}); !errors.Is(err, ErrBudget) {
		t.Errorf("step budget: %v", err)
	}
}

func TestBudgetAndCancel(t *testing.T) {
	data := docfix.PDFCompressed([]string{"one"}, []string{"two"})
	d, err := Open(context.Background(), bytes.NewReader(data), Options{Deadline: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	d.opts.Deadline = time.Now().Add(-time.Second)
	d.steps = 1<<12 - 1 // the next step checks the clock
	if _, err := d.Page(1); !errors.Is(err, ErrBudget) {
		t.Errorf("past deadline: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Read(ctx, bytes.NewReader(data), int64(len(data)), Options{}, func(*Page) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := readAll(t, []byte("%PDF-1.4\nnot a pdf at all"), Options{}); !errors.Is(err, ErrDamaged) {
		t.Errorf("damaged: %v", err)
	}
}

func TestTextBound(t *testing.T) {
	lines := make([]string, 50)
	for i := range lines {
		lines[i] = strings.Repeat("word ", 20)
	}
	pages, err := readAll(t, docfix.PDFCompressed(lines), Options{MaxPageText: 500})
	if err != nil || len(pages[0].Text) > 500 || !pages[0].Truncated || len(pages[0].TextGlyph) != len(pages[0].Text) {
		t.Errorf("text bound: %d bytes, truncated %v, %v", len(pages[0].Text), pages[0].Truncated, err)
	}
}

func BenchmarkExtract20Pages(b *testing.B) {
	pages := make([][]string, 20)
	for i := range pages {
		for l := 0; l < 45; l++ {
			pages[i] = append(pages[i], fmt.Sprintf("Line %d of page %d: invasive ductal carcinoma, ER positive (95%%), HER2 1+.", l, i))
		}
	}
	data := docfix.PDFCompressed(pages...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readAll(b, data, Options{ReuseGlyphs: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEncrypted reads a PDF encrypted with an empty user password and
// refuses one that needs a password, saying so.
func TestEncrypted(t *testing.T) {
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.pdf")
	os.WriteFile(plain, docfix.PDFCompressed([]string{"Pathology report"}), 0o600)
	for _, user := range []string{"", "secret"} {
		enc := filepath.Join(dir, "enc.pdf")
		if out, err := exec.Command(qpdf, "--encrypt", user, "owner", "256", "--", plain, enc).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v\n%s", err, out)
		}
		data, _ := os.ReadFile(enc)
		pages, err := readAll(t, data, Options{})
		switch {
		case user == "" && (err != nil || pageTexts(pages) != "Pathology report\n"):
			t.Errorf("empty user password: %v", err)
		case user != "" && !errors.Is(err, ErrEncrypted):
			t.Errorf("locked: %v", err)
		}
	}
}

// TestViewCoordinates: a glyph's position maps to the displayed page and
// back, on every rotation.
func TestViewCoordinates(t *testing.T) {
	for _, rot := range []int{0, 90, 180, 270} {
		p := &Page{Box: [4]float64{10, 20, 622, 812}, Rotate: rot}
		x, y := p.ToView(72, 700)
		bx, by := p.FromView(x, y)
		if math.Abs(bx-72) > 1e-9 || math.Abs(by-700) > 1e-9 {
			t.Errorf("rotate %d: %v,%v back to %v,%v", rot, x, y, bx, by)
		}
		if rot == 0 && (x != 62 || y != 112) {
			t.Errorf("unrotated view point %v,%v", x, y)
		}
		if rot == 90 && (x != 792-112 || y != 62) {
			t.Errorf("rotated view point %v,%v", x, y)
		}
	}
	// The rotated fixture's text reads upright near the top left.
	pages, _ := readAll(t, docfix.PDFRotated("Rotated line"), Options{})
	g := pages[0].Glyphs[0]
	if x, y := pages[0].ToView(g.X, g.Y); x > 100 || y > 120 {
		t.Errorf("first glyph of the rotated page displayed at %.0f,%.0f", x, y)
	}
}
