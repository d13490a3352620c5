package redact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/cover"
	"dossier/packager/pdftext"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// words finds every occurrence of the words in the page text.
func words(ws ...string) Finder {
	return func(p *pdftext.Page) [][]int {
		var ranges [][2]int
		for _, w := range ws {
			for off := 0; ; {
				i := strings.Index(p.Text[off:], w)
				if i < 0 {
					break
				}
				ranges = append(ranges, [2]int{off + i, off + i + len(w)})
				off += i + len(w)
			}
		}
		return TextSpans(p, ranges)
	}
}

func redact(t *testing.T, data []byte, find Finder, opts Options) ([]byte, Result, error) {
	t.Helper()
	var out bytes.Buffer
	res, err := PDF(context.Background(), bytes.NewReader(data), &out, find, opts)
	return out.Bytes(), res, err
}

func tool(t *testing.T, name string, data []byte, args ...string) (string, error) {
	t.Helper()
	bin := testtool.Look(t, name, map[string]string{"pdftotext": "poppler-utils", "qpdf": "qpdf"}[name])
	p := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if name == "pdftotext" {
		args = append(args, p, "-")
	} else {
		args = append(args, p)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}

func normalize(s string, drop ...string) string {
	for _, d := range drop {
		s = strings.ReplaceAll(s, d, " ")
	}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			out = append(out, strings.Join(f, " "))
		}
	}
	return strings.Join(out, "\n")
}

type glyphPos struct {
	text string
	x, y float64
}

func positions(t *testing.T, data []byte) []glyphPos {
	t.Helper()
	var out []glyphPos
	err := pdftext.Read(context.Background(), bytes.NewReader(data), int64(len(data)), pdftext.Options{}, func(p *pdftext.Page) error {
		for _, g := range p.Glyphs {
			if g.Font != labelFont && strings.TrimSpace(g.Text) != "" {
				out = append(out, glyphPos{g.Text, g.X, g.Y})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRedactClasses redacts a name from every class of text PDF and checks
// what pdftotext, qpdf and pdftext see afterwards.
func TestRedactClasses(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		remove []string
	}{
		{"compressed pages", docfix.PDFCompressed([]string{"Patient: Jane Doe", "Pathology report"}, []string{"Dear Dr Smith,", "Jane Doe was seen (Jane Doe)."}), []string{"Jane Doe"}},
		{"truetype subset", docfix.PDFTrueTypeSubsetPages([]string{"Patient: Jane Doe", "Invasive ductal carcinoma"}, []string{"Signed for Jane Doe, 2 pages"}), []string{"Jane Doe"}},
		{"cjk", docfix.PDFCJKPages([]string{"姓名：张三 性别：女", "病理诊断：浸润性导管癌"}, []string{"患者张三，ER(+，约80%)"}), []string{"张三"}},
		{"glyph per Tj", docfix.PDFGlyphPerTj("Patient Jane Doe, born 1970", "Final diagnosis"), []string{"Jane Doe"}},
		{"kerned", docfix.PDFKerned("Patient Jane Doe here", "Final diagnosis"), []string{"Jane", "Doe"}},
		{"form", docfix.PDFForm("Header line", "Form text for Jane Doe", "Second form line"), []string{"Jane Doe"}},
		{"rotated", docfix.PDFRotated("Rotated Jane Doe line", "Another line"), []string{"Jane Doe"}},
		{"form field appearance", docfix.PDFFormField("Patient:", "name", "Jane Doe"), []string{"Jane Doe"}},
		{"spacing, scaling, rise, inline image", (&docfix.PDFBuilder{}).Pages(docfix.PDFPage{
			Content: "BT /F1 12 Tf 2 Tc 5 Tw 80 Tz 72 700 Td (Patient Jane Doe here) Tj ET\n" +
				"q 10 0 0 10 72 600 cm BI /W 2 /H 1 /BPC 8 /CS /G ID \x00\xff EI Q\n" +
				"BT /F1 12 Tf 3 Ts 72 650 Td 14 TL (Dear Jane Doe,) ' 1 0 (Jane Doe again) \" ET\n",
			Resources: "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >>",
		}), []string{"Jane Doe"}},
	}
	for _, c := range cases {
		out, res, err := redact(t, c.data, words(c.remove...), Options{Label: "name removed"})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if res.Glyphs == 0 || res.Boxes == 0 {
			t.Errorf("%s: %+v", c.name, res)
		}
		if msg, err := tool(t, "qpdf", out, "--check"); err != nil {
			t.Errorf("%s: qpdf --check: %v\n%s", c.name, err, msg)
		}
		before, err := tool(t, "pdftotext", c.data, "-layout")
		if err != nil {
			t.Fatal(err)
		}
		after, err := tool(t, "pdftotext", out, "-layout")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.remove {
			for _, part := range strings.Fields(w) {
				if strings.Contains(after, part) {
					t.Errorf("%s: %q still in pdftotext output:\n%s", c.name, part, after)
				}
			}
		}
		if want, got := normalize(before, c.remove...), normalize(after, "name removed"); want != got {
			t.Errorf("%s: text differs beyond the removed spans\nwant %q\n got %q", c.name, want, got)
		}
		// Every glyph left is where it was.
		orig, left := positions(t, c.data), positions(t, out)
		j := 0
		for _, g := range left {
			for j < len(orig) && (orig[j].text != g.text || math.Abs(orig[j].x-g.x) > 0.01 || math.Abs(orig[j].y-g.y) > 0.01) {
				j++
			}
			if j == len(orig) {
				t.Errorf("%s: glyph %q at %.2f,%.2f was not there before", c.name, g.text, g.x, g.y)
				break
			}
			j++
		}
		if len(left) >= len(orig) {
			t.Errorf("%s: %d glyphs before, %d after", c.name, len(orig), len(left))
		}
	}
}

func TestRedactRefusesUnlocatableText(t *testing.T) {
	_, _, err := redact(t, docfix.PDFType3("Secret"), words("S"), Options{})
	if !errors.Is(err, ErrNotLocatable) || !strings.Contains(err.Error(), pdftext.ProblemType3NoToUnicode) {
		t.Errorf("Type3: %v", err)
	}
	_, _, err = redact(t, docfix.PDFGlyphBomb(200_000), words("A"), Options{})
	if !errors.Is(err, ErrNotLocatable) {
		t.Errorf("glyph bomb: %v", err)
	}
}

func TestRedactNothingAndActualText(t *testing.T) {
	data := docfix.PDFCompressed([]string{"Nothing to see"})
	out, res, err := redact(t, data, words("absent"), Options{})
	if err != nil || res.Glyphs != 0 || res.Boxes != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	if got, _ := tool(t, "pdftotext", out); normalize(got) != "Nothing to see" {
		t.Errorf("text %q", got)
	}
	// Marked content carrying the name as ActualText loses it too.
	b := &docfix.PDFBuilder{}
	page := docfix.PDFPage{
		Content:   "/Span << /ActualText (Jane Doe) >> BDC BT /F1 12 Tf 72 700 Td (Jane Doe) Tj ET EMC",
		Resources: "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
	}
	out, _, err = redact(t, b.Pages(page), words("Jane Doe"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	p := filepath.Join(t.TempDir(), "r.pdf")
	os.WriteFile(p, out, 0o600)
	plain, err := exec.Command(qpdf, "--qdf", "--object-streams=disable", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(plain, []byte("Jane")) || bytes.Contains(plain, []byte("Doe")) {
		t.Errorf("the name is still in the file:\n%s", plain)
	}
}

// TestRedactSharedForm removes a name drawn by a Form XObject that two
// pages use, found on the first page only: both pages get their box.
func TestRedactSharedForm(t *testing.T) {
	b := &docfix.PDFBuilder{Compress: true}
	font := "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >>"
	form := b.Stream("/Type /XObject /Subtype /Form /BBox [0 0 612 100] /Resources "+font, []byte("BT /F1 10 Tf 72 50 Td (Patient: Jane Doe) Tj ET"))
	res := fmt.Sprintf("<< /XObject << /Hdr %d 0 R >> /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>", form)
	data := b.Pages(
		docfix.PDFPage{Content: "q 1 0 0 1 0 700 cm /Hdr Do Q BT /F1 12 Tf 72 600 Td (First page) Tj ET", Resources: res},
		docfix.PDFPage{Content: "q 1 0 0 1 0 700 cm /Hdr Do Q BT /F1 12 Tf 72 600 Td (Second page) Tj ET", Resources: res},
	)
	first := func(p *pdftext.Page) [][]int {
		if p.Number != 1 {
			return nil
		}
		return words("Jane Doe")(p)
	}
	out, r, err := redact(t, data, first, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Pages != 2 || r.Boxes != 2 || r.Glyphs != 7 {
		t.Errorf("result %+v", r)
	}
	text, _ := tool(t, "pdftotext", out)
	if strings.Contains(text, "Jane") || strings.Contains(text, "Doe") || !strings.Contains(text, "Second page") {
		t.Errorf("text after redaction: %q", text)
	}
	if msg, err := tool(t, "qpdf", out, "--check"); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, msg)
	}
}

// TestRedactRealFonts redacts a PDF written with embedded TrueType subsets
// (DejaVu Sans, Droid Sans Fallback) by the cover's layout.
func TestRedactRealFonts(t *testing.T) {
	d := cover.NewDoc("Report")
	d.Field("Patient", "Jane Doe")
	d.Paragraph("Invasive ductal carcinoma. Jane Doe was seen in clinic.")
	d.Field("姓名", "张三")
	d.Paragraph("病理诊断：浸润性导管癌。患者张三，女。")
	var b bytes.Buffer
	if err := d.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	remove := []string{"Jane Doe", "张三"}
	out, r, err := redact(t, b.Bytes(), words(remove...), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Glyphs != 2*7+2*2 {
		t.Errorf("result %+v", r)
	}
	before, err := tool(t, "pdftotext", b.Bytes(), "-layout")
	if err != nil {
		t.Fatal(err)
	}
	after, err := tool(t, "pdftotext", out, "-layout")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Jane", "Doe", "张三"} {
		if strings.Contains(after, w) {
			t.Errorf("%q left in %q", w, after)
		}
	}
	if want, got := normalize(before, remove...), normalize(after, "removed"); want != got {
		t.Errorf("text differs beyond the removed spans\nwant %q\n got %q", want, got)
	}
	if msg, err := tool(t, "qpdf", out, "--check"); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, msg)
	}
}

// BenchmarkRedact20Pages redacts a name from every page of a 20-page text
// PDF (issue 13 asks for under 200 ms).
func BenchmarkRedact20Pages(b *testing.B) {
	pages := make([][]string, 20)
	for i := range pages {
		pages[i] = append(pages[i], "Patient: Jane Doe, born 09.05.1970")
		for l := 0; l < 44; l++ {
			pages[i] = append(pages[i], fmt.Sprintf("Line %d of page %d: invasive ductal carcinoma, ER positive (95%%), HER2 1+.", l, i))
		}
	}
	data := docfix.PDFCompressed(pages...)
	find := words("Jane Doe")
	b.ReportAllocs()
	for b.Loop() {
		var out bytes.Buffer
		if _, err := PDF(context.Background(), bytes.NewReader(data), &out, find, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRedactEncrypted redacts a PDF encrypted with an empty user password
// (permissions only, as portals write them) and writes it decrypted; a
// PDF that needs a password is refused.
func TestRedactEncrypted(t *testing.T) {
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.pdf")
	os.WriteFile(plain, docfix.PDFCompressed([]string{"Patient: Jane Doe", "Report"}), 0o600)
	for _, c := range []struct{ name, user string }{{"empty", ""}, {"locked", "secret"}} {
		enc := filepath.Join(dir, c.name+".pdf")
		if out, err := exec.Command(qpdf, "--encrypt", c.user, "owner", "256", "--", plain, enc).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v\n%s", err, out)
		}
		data, _ := os.ReadFile(enc)
		out, res, err := redact(t, data, words("Jane Doe"), Options{})
		if c.user != "" {
			if !errors.Is(err, pdftext.ErrEncrypted) {
				t.Errorf("locked PDF: %v", err)
			}
			continue
		}
		if err != nil || res.Glyphs != 7 {
			t.Fatalf("%+v, %v", res, err)
		}
		if msg, err := tool(t, "qpdf", out, "--show-encryption"); err != nil || !strings.Contains(msg, "not encrypted") {
			t.Errorf("encryption after redaction: %v\n%s", err, msg)
		}
		if text, _ := tool(t, "pdftotext", out); strings.Contains(text, "Jane") || !strings.Contains(text, "Report") {
			t.Errorf("text %q", text)
		}
	}
}

// TestStreamEditsKeepInlineImages: the data of an inline image right
// before a rewritten string stays in the stream.
func TestStreamEditsKeepInlineImages(t *testing.T) {
	src := []byte("BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI (AB) Tj")
	start := bytes.Index(src, []byte("(AB)"))
	edits := streamEdits(src, func(s int) []removal {
		if s == start {
			return []removal{{code: 0, n: 1, kern: -600}}
		}
		return nil
	})
	if len(edits) != 1 || edits[0].start != start || string(edits[0].text) != "[-600 <42> ] TJ" {
		t.Errorf("edits %+v", edits)
	}
}

// scanPDF returns a page like an OCR'd scan: a picture (gray Flate, or a
// JPEG) with invisible text (3 Tr) over it spelling a name, and a visible
// line beside it.
func scanPDF(jpegImage bool) []byte {
	b := &docfix.PDFBuilder{}
	var img int
	if jpegImage {
		img = b.Stream("/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", docfix.JPEG(64, 64))
	} else {
		px := make([]byte, 64*64)
		for i := range px {
			px[i] = byte(128 + i%97)
		}
		b.Compress = true
		alpha := b.Stream("/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8", bytes.Repeat([]byte{255}, 64*64))
		img = b.Stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8 /SMask %d 0 R", alpha), px)
	}
	return b.Pages(docfix.PDFPage{
		Content:   "q 400 0 0 400 100 200 cm /Im1 Do Q BT 3 Tr /F1 24 Tf 150 400 Td (Jane Doe) Tj 0 Tr /F1 12 Tf 0 -300 Td (Visible line) Tj ET",
		Resources: fmt.Sprintf("<< /XObject << /Im1 %d 0 R >> /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>", img),
	})
}

// imageSamples decodes the page's image after redaction.
func imageSamples(t *testing.T, data []byte) (pix []byte, comps int) {
	t.Helper()
	d, err := pdftext.Open(context.Background(), bytes.NewReader(data), pdftext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.Page(1)
	if err != nil || len(p.Pictures) != 1 {
		t.Fatalf("pictures: %v", err)
	}
	sd, ok := d.Model().XRefTable.Table[p.Pictures[0].Obj].Object.(types.StreamDict)
	if !ok {
		t.Fatal("no image stream")
	}
	if f := sd.FilterPipeline; len(f) != 1 || f[0].Name != "FlateDecode" {
		t.Fatalf("image filters %v", f)
	}
	pix, err = sd.DecodeLengthWithLimit(-1, 1<<24)
	if err != nil {
		t.Fatal(err)
	}
	return pix, len(pix) / (64 * 64)
}

// smaskSamples decodes the soft mask of the page's image after redaction.
func smaskSamples(t *testing.T, data []byte) []byte {
	t.Helper()
	d, err := pdftext.Open(context.Background(), bytes.NewReader(data), pdftext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := d.Page(1)
	xr := d.Model().XRefTable
	sd := xr.Table[p.Pictures[0].Obj].Object.(types.StreamDict)
	ref, ok := sd.Dict["SMask"].(types.IndirectRef)
	if !ok {
		t.Fatal("no soft mask")
	}
	alpha := xr.Table[int(ref.ObjectNumber)].Object.(types.StreamDict)
	pix, err := alpha.DecodeLengthWithLimit(-1, 1<<20)
	if err != nil || len(pix) != 64*64 {
		t.Fatalf("soft mask: %d bytes, %v", len(pix), err)
	}
	return pix
}

func TestRedactMasksPictures(t *testing.T) {
	for _, jpg := range []bool{false, true} {
		data := scanPDF(jpg)
		out, res, err := redact(t, data, words("Jane Doe"), Options{})
		if err != nil || res.Images != 1 || res.Glyphs != 7 {
			t.Fatalf("jpeg %v: %+v, %v", jpg, res, err)
		}
		if msg, err := tool(t, "qpdf", out, "--check"); err != nil {
			t.Errorf("qpdf --check: %v\n%s", err, msg)
		}
		pix, comps := imageSamples(t, out)
		at := func(x, y int) []byte { return pix[(y*64+x)*comps : (y*64+x+1)*comps] }
		// "Jane Doe" at 24 pt from (150, 400): pixels x 8..25, rows 28..33.
		for _, p := range [][2]int{{9, 29}, {20, 31}, {24, 32}} {
			if !bytes.Equal(at(p[0], p[1]), make([]byte, comps)) {
				t.Errorf("jpeg %v: pixel %v not masked: %v", jpg, p, at(p[0], p[1]))
			}
		}
		// Every other pixel is the picture's own, after decoding (the
		// masked picture is embedded again losslessly), and the masked
		// ones form one rectangle around the name.
		orig := make([]byte, 0, 64*64*comps)
		if jpg {
			m, err := jpeg.Decode(bytes.NewReader(docfix.JPEG(64, 64)))
			if err != nil {
				t.Fatal(err)
			}
			for y := 0; y < 64; y++ {
				for x := 0; x < 64; x++ {
					c := color.RGBAModel.Convert(m.At(x, y)).(color.RGBA)
					orig = append(orig, c.R, c.G, c.B)
				}
			}
		} else {
			for i := 0; i < 64*64; i++ {
				orig = append(orig, byte(128+i%97))
			}
		}
		if len(orig) != len(pix) {
			t.Fatalf("jpeg %v: %d samples, want %d", jpg, len(pix), len(orig))
		}
		masked := image.Rectangle{}
		for y := 0; y < 64; y++ {
			for x := 0; x < 64; x++ {
				i := (y*64 + x) * comps
				if bytes.Equal(pix[i:i+comps], orig[i:i+comps]) {
					continue
				}
				if !bytes.Equal(pix[i:i+comps], make([]byte, comps)) {
					t.Fatalf("jpeg %v: pixel (%d,%d) is %v, neither the picture's %v nor black", jpg, x, y, pix[i:i+comps], orig[i:i+comps])
				}
				masked = masked.Union(image.Rect(x, y, x+1, y+1))
			}
		}
		if !masked.In(image.Rect(6, 26, 28, 36)) {
			t.Errorf("jpeg %v: pixels masked in %v, beyond the name's place", jpg, masked)
		}
		for y := masked.Min.Y; y < masked.Max.Y; y++ {
			for x := masked.Min.X; x < masked.Max.X; x++ {
				if !bytes.Equal(at(x, y), make([]byte, comps)) {
					t.Errorf("jpeg %v: pixel (%d,%d) inside the masked %v kept", jpg, x, y, masked)
				}
			}
		}
		if !jpg {
			if alpha := smaskSamples(t, out); alpha[30*64+9] != 0 || alpha[50*64+50] != 255 {
				t.Errorf("soft mask under the box: %d, outside: %d", alpha[30*64+9], alpha[50*64+50])
			}
			for _, p := range [][2]int{{50, 50}, {9, 10}, {40, 30}, {2, 31}} {
				if got, want := at(p[0], p[1])[0], byte(128+(p[1]*64+p[0])%97); got != want {
					t.Errorf("pixel %v changed outside the box: %d, want %d", p, got, want)
				}
			}
		}
		if text, _ := tool(t, "pdftotext", out); strings.Contains(text, "Jane") || !strings.Contains(text, "Visible line") {
			t.Errorf("text after redaction: %q", text)
		}
	}
	// An inline image under the box cannot be masked: the document is held.
	b := &docfix.PDFBuilder{}
	inline := b.Pages(docfix.PDFPage{
		Content:   "q 400 0 0 400 100 200 cm BI /W 2 /H 2 /BPC 8 /CS /G ID \x10\x20\x30\x40 EI Q BT 3 Tr /F1 24 Tf 150 400 Td (Jane Doe) Tj ET",
		Resources: "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
	})
	if _, _, err := redact(t, inline, words("Jane Doe"), Options{}); !errors.Is(err, ErrImage) {
		t.Errorf("inline image: %v", err)
	}
}

// viewBox returns a Box (top-left page coordinates) around the glyphs of
// word on page 1, as a user would draw it on the displayed page.
func viewBox(t *testing.T, data []byte, word string) Box {
	t.Helper()
	d, err := pdftext.Open(context.Background(), bytes.NewReader(data), pdftext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.Page(1)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(p.Text, word)
	if i < 0 {
		t.Fatalf("%q not on the page", word)
	}
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, gi := range p.GlyphsIn(i, i+len(word)) {
		g := p.Glyphs[gi]
		for _, c := range [][2]float64{{g.Box[0], g.Box[1]}, {g.Box[2], g.Box[3]}} {
			x, y := p.ToView(c[0], c[1])
			x0, y0, x1, y1 = math.Min(x0, x), math.Min(y0, y), math.Max(x1, x), math.Max(y1, y)
		}
	}
	return Box{Page: 1, X: x0 - 1, Y: y0 - 1, Width: x1 - x0 + 2, Height: y1 - y0 + 2}
}

// TestRedactUserBoxes redacts regions a user marked: over text (glyphs
// under the box go, the rest stays), on a rotated page, over a picture
// (its pixels go), and on a page whose text cannot be located, once the
// user has reviewed it.
func TestRedactUserBoxes(t *testing.T) {
	none := func(*pdftext.Page) [][]int { return nil }
	for name, data := range map[string][]byte{
		"kerned":  docfix.PDFKerned("Patient Jane Doe here"),
		"rotated": docfix.PDFRotated("Rotated Jane Doe line"),
		"form":    docfix.PDFForm("Header", "Form Jane Doe"),
	} {
		out, res, err := redact(t, data, none, Options{Boxes: []Box{viewBox(t, data, "Jane")}})
		if err != nil || res.Glyphs != 4 || res.Boxes < 1 {
			t.Errorf("%s: %+v, %v", name, res, err)
			continue
		}
		text, _ := tool(t, "pdftotext", out)
		if strings.Contains(text, "Jane") || !strings.Contains(text, "Doe") {
			t.Errorf("%s: text after redaction %q", name, text)
		}
	}
	// A scanned page: the top-left corner of the picture.
	img := docfix.PDFImageOnly()
	out, res, err := redact(t, img, none, Options{Boxes: []Box{{Page: 1, X: 100, Y: 192, Width: 100, Height: 100}}})
	if err != nil || res.Images != 1 || res.Boxes != 1 {
		t.Fatalf("image page: %+v, %v", res, err)
	}
	d, err := pdftext.Open(context.Background(), bytes.NewReader(out), pdftext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := d.Page(1)
	sd := d.Model().XRefTable.Table[p.Pictures[0].Obj].Object.(types.StreamDict)
	pix, err := sd.DecodeLengthWithLimit(-1, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if pix[5*64+5] != 0 || pix[15*64+15] != 0 || pix[40*64+40] != byte((40*64+40)%256) || pix[5*64+40] != byte((5*64+40)%256) {
		t.Errorf("image page pixels: %d %d %d %d", pix[5*64+5], pix[15*64+15], pix[40*64+40], pix[5*64+40])
	}
	// A Type3 page: refused unless reviewed; then its glyphs under the box go.
	t3 := docfix.PDFType3("Secret")
	whole := Box{Page: 1, X: 60, Y: 50, Width: 200, Height: 40}
	if _, _, err := redact(t, t3, none, Options{Boxes: []Box{whole}}); !errors.Is(err, ErrNotLocatable) {
		t.Errorf("unreviewed Type3 page: %v", err)
	}
	if _, res, err := redact(t, t3, none, Options{Boxes: []Box{whole}, Reviewed: true}); err != nil || res.Glyphs != 6 {
		t.Errorf("reviewed Type3 page: %+v, %v", res, err)
	}
}

// TestRedactMasksFaxScan masks a CCITT Group 4 picture (a fax or scanner
// page, 1 bit a pixel): white 64 x 8, one '1' bit (vertical mode 0) a row.
func TestRedactMasksFaxScan(t *testing.T) {
	b := &docfix.PDFBuilder{}
	img := b.Stream("/Type /XObject /Subtype /Image /Width 64 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 64 /Rows 8 >>", []byte{0xFF, 0x00, 0x10, 0x01})
	data := b.Pages(docfix.PDFPage{Content: "q 640 0 0 80 0 712 cm /Im1 Do Q", Resources: fmt.Sprintf("<< /XObject << /Im1 %d 0 R >> >>", img)})
	// The left half of the picture, as displayed: x 0..320, y 0..80 from the top.
	out, res, err := redact(t, data, func(*pdftext.Page) [][]int { return nil }, Options{Boxes: []Box{{Page: 1, X: 0, Y: 0, Width: 320, Height: 80}}})
	if err != nil || res.Images != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	if msg, err := tool(t, "qpdf", out, "--check"); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, msg)
	}
	d, err := pdftext.Open(context.Background(), bytes.NewReader(out), pdftext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := d.Page(1)
	sd := d.Model().XRefTable.Table[p.Pictures[0].Obj].Object.(types.StreamDict)
	pix, err := sd.DecodeLengthWithLimit(-1, 1<<20)
	if err != nil || len(pix) != 64 {
		t.Fatalf("%d bytes, %v", len(pix), err)
	}
	for row := 0; row < 8; row++ {
		if got := pix[row*8 : row*8+8]; !bytes.Equal(got, []byte{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}) {
			t.Errorf("row %d: % x", row, got)
		}
	}
}

// TestRedactRemovesPathsUnderBox: a signature drawn as curves under the
// user's box goes; a frame that only crosses the box, and a clip, stay.
func TestRedactRemovesPathsUnderBox(t *testing.T) {
	b := &docfix.PDFBuilder{}
	content := "q 1 0 0 1 100 100 cm 10 10 m 20 40 30 0 40 30 c 50 10 l S Q\n" + // signature at 110..150, 100..140
		"50 50 500 600 re S\n" + // frame
		"q 105 105 10 10 re W n 0 0 1 rg 0 0 612 792 re f Q\n" + // clip inside the box, fill of the whole page
		"BT /F1 12 Tf 72 700 Td (Signed above) Tj ET"
	data := b.Pages(docfix.PDFPage{Content: content, Resources: "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"})
	paths := func(data []byte) int {
		d, err := pdftext.Open(context.Background(), bytes.NewReader(data), pdftext.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := d.Page(1)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Paths)
	}
	if n := paths(data); n != 3 {
		t.Fatalf("%d painted paths in the fixture", n)
	}
	// The signature's region, displayed: x 100..160, y from the top 792-145..792-95.
	out, res, err := redact(t, data, func(*pdftext.Page) [][]int { return nil }, Options{Boxes: []Box{{Page: 1, X: 100, Y: 647, Width: 60, Height: 50}}})
	if err != nil || res.Paths != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	// Left: the frame, the page fill and the box drawn over the region.
	if n := paths(out); n != 3 {
		t.Errorf("%d painted paths after redaction, want frame, fill and box", n)
	}
	if msg, err := tool(t, "qpdf", out, "--check"); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, msg)
	}
	if text, _ := tool(t, "pdftotext", out); !strings.Contains(text, "Signed above") {
		t.Errorf("text after redaction: %q", text)
	}
}

// TestRedactRemovesPathsUnderTheName: a line drawn under the name found in
// the text (an underline, wholly inside the name's box) goes with it; a
// rule across the page, crossing the box, stays.
func TestRedactRemovesPathsUnderTheName(t *testing.T) {
	b := &docfix.PDFBuilder{}
	// "Patient Jane Doe" in 12 pt Helvetica at (72, 700): "Jane Doe" runs
	// from about x 115 to 163; the underline is 1 pt below the baseline.
	content := "BT /F1 12 Tf 72 700 Td (Patient Jane Doe) Tj ET\n" +
		"0.5 w 117 699 m 160 699 l S\n" + // the name's underline
		"0.5 w 50 690 m 560 690 l S\n" // a rule across the page
	data := b.Pages(docfix.PDFPage{Content: content, Resources: "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"})
	paths := func(data []byte) [][4]float64 {
		d, err := pdftext.Open(context.Background(), bytes.NewReader(data), pdftext.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := d.Page(1)
		if err != nil {
			t.Fatal(err)
		}
		var out [][4]float64
		for _, path := range p.Paths {
			out = append(out, path.Box)
		}
		return out
	}
	if n := len(paths(data)); n != 2 {
		t.Fatalf("%d painted paths in the fixture", n)
	}
	out, res, err := redact(t, data, words("Jane Doe"), Options{})
	if err != nil || res.Paths != 1 || res.Glyphs != 7 {
		t.Fatalf("%+v, %v", res, err)
	}
	// Left: the rule and the box drawn over the name.
	left := paths(out)
	rule := false
	for _, p := range left {
		if p[1] > 698 && p[3] < 700 && p[2]-p[0] < 50 {
			t.Errorf("the underline is still there: %v", p)
		}
		rule = rule || p[0] <= 51 && p[2] >= 559
	}
	if !rule || len(left) != 2 {
		t.Errorf("paths after redaction %v: want the rule and the box", left)
	}
	if msg, err := tool(t, "qpdf", out, "--check"); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, msg)
	}
}
