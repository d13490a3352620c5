package pdftext

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"unicode/utf8"

	"dossier/internal/fixture/docfix"
)

// reemit writes a stream back token by token, as a rewriter does.
func reemit(src []byte) ([]byte, []Token) {
	var out bytes.Buffer
	var toks []Token
	lx := NewLexer(src)
	prev := 0
	for {
		t := lx.Next()
		if t.Kind == KindEOF {
			break
		}
		out.Write(src[prev:t.Start])
		out.Write(t.Bytes(src))
		toks = append(toks, t)
		prev = t.End
	}
	out.Write(src[prev:])
	return out.Bytes(), toks
}

func TestLexerRoundTrip(t *testing.T) {
	src := []byte("% comment\nq 1 0 0 1 -2.5 .5 cm BT /F1#20x 12 Tf [(a\\)b) -120 <41 42>] TJ (nested (paren) \\101) ' ET\n" +
		"BI /W 2 /H 2 /BPC 8 /CS /G ID \x00\xffEI\x01 EI Q << /K [true null] >> BDC { } ) > /Do")
	out, toks := reemit(src)
	if !bytes.Equal(out, src) {
		t.Fatalf("re-emitted stream differs:\n%q\n%q", out, src)
	}
	var kinds []Kind
	for _, tk := range toks {
		kinds = append(kinds, tk.Kind)
	}
	want := []Kind{KindComment, KindOperator, KindNumber, KindNumber, KindNumber, KindNumber, KindNumber, KindNumber, KindOperator, KindOperator,
		KindName, KindNumber, KindOperator, KindArrayBegin, KindString, KindNumber, KindHexString, KindArrayEnd, KindOperator, KindString, KindOperator, KindOperator,
		KindOperator, KindName, KindNumber, KindName, KindNumber, KindName, KindNumber, KindName, KindName, KindOperator, KindInlineImage, KindOperator,
		KindDictBegin, KindName, KindArrayBegin, KindOperator, KindOperator, KindArrayEnd, KindDictEnd, KindOperator, KindBrace, KindBrace, KindJunk, KindJunk, KindName}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("kinds\n%v\nwant\n%v", kinds, want)
	}
	if got := string(DecodeString([]byte(`(a\)b\101\n\
c)`))); got != "a)bA\nc" {
		t.Errorf("literal: %q", got)
	}
	if got := string(DecodeString([]byte("<48 65 6c6C 6>"))); got != "Hel\x6c\x60" {
		t.Errorf("hex: %q", got)
	}
	if got := NameValue([]byte("/F1#20x")); got != "F1 x" {
		t.Errorf("name: %q", got)
	}
	if Number([]byte("-.5")) != -0.5 || Number([]byte("3.")) != 3 {
		t.Error("numbers")
	}
	if got := string(EncodeHex([]byte{0, 0xab})); got != "<00AB>" {
		t.Errorf("hex out: %q", got)
	}
}

func TestCMap(t *testing.T) {
	src := []byte(`/CIDInit /ProcSet findresource begin 12 dict begin begincmap
2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange
2 beginbfchar <41> <0041> <8141> <4E2D> endbfchar
2 beginbfrange <10> <12> <0061> <8150> <8151> [<6587> <D83DDE00>] endbfrange
1 beginbfchar <20> /space endbfchar
endcmap end end`)
	cm := parseCMap(src, func(int) bool { return true })
	for code, want := range map[uint32]string{0x41: "A", 0x8141: "中", 0x11: "b", 0x12: "c", 0x8150: "文", 0x8151: "😀", 0x20: " "} {
		if got, ok := cm.lookup(code); !ok || got != want {
			t.Errorf("code %X: %q, want %q", code, got, want)
		}
	}
	if _, ok := cm.lookup(0x13); ok {
		t.Error("code past a range mapped")
	}
	s := []byte{0x41, 0x81, 0x41, 0x10, 0xff}
	var lens []int
	for i := 0; i < len(s); {
		n := splitCode(cm.space, s[i:], 2)
		lens = append(lens, n)
		i += n
	}
	if fmt.Sprint(lens) != "[1 2 1 1]" {
		t.Errorf("code lengths %v", lens)
	}
	// Four-byte codes.
	cm4 := parseCMap([]byte("1 begincodespacerange <00000000> <FFFFFFFF> endcodespacerange 1 beginbfchar <00010203> <0058> endbfchar"), func(int) bool { return true })
	if n := splitCode(cm4.space, []byte{0, 1, 2, 3}, 1); n != 4 {
		t.Errorf("4-byte code split as %d", n)
	}
	if got, _ := cm4.lookup(0x00010203); got != "X" {
		t.Errorf("4-byte code: %q", got)
	}
}

func TestGlyphNames(t *testing.T) {
	for name, want := range map[string]string{"A": "A", "eacute": "é", "germandbls": "ß", "uni4E2D": "中", "u1F600": "😀", "f_i": "fi", "uni00660069": "fi", "a.sc": "a", "oslash": "ø", "aring": "å", "g17": ""} {
		if got := glyphText(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if standard['A'] != "A" || standard[0xe1] != "Æ" || winAnsi[0x80] != "€" || macRoman[0x8a] != "ä" {
		t.Error("encodings")
	}
}

// TestDifferencesAndEncodings reads a simple font with /Differences over
// MacRomanEncoding, and a Type0 font in a predefined UCS-2 CMap.
func TestDifferencesAndEncodings(t *testing.T) {
	b := &docfix.PDFBuilder{}
	f1 := b.Add("<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding << /BaseEncoding /MacRomanEncoding /Differences [65 /oslash /aring 200 /uni4E2D] >> >>")
	f2 := b.Add("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>] >>")
	content := "BT /A 12 Tf 72 700 Td (AB\\212\\310) Tj /B 12 Tf 0 -20 Td <4E2D6587> Tj ET"
	data := b.Pages(docfix.PDFPage{Content: content, Resources: fmt.Sprintf("<< /Font << /A %d 0 R /B %d 0 R >> >>", f1, f2)})
	pages, err := readAll(t, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := pages[0].Text; got != "øåä中\n中文\n" {
		t.Errorf("text %q", got)
	}
}

// FuzzPageText runs arbitrary bytes as a page's content stream (with a
// simple font, a CID font and a form at hand) or, when they start with
// %PDF, as a whole file. Nothing may panic, hang or produce invalid text.
func FuzzPageText(f *testing.F) {
	f.Add([]byte("BT /F1 12 Tf 72 700 Td (Hello) Tj [(W) -120 (orld)] TJ T* (x) ' 1 2 (y) \" ET"))
	f.Add([]byte("BT /C1 10 Tf <00010002> Tj ET /Fm Do q q Q Q Q BI /W 1 ID x EI"))
	f.Add(docfix.PDFPageTreeCycle())
	f.Add(docfix.PDFCJK("姓名：张三"))
	f.Add(docfix.PDFKerned("Jane Doe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var pdf []byte
		if bytes.HasPrefix(data, []byte("%PDF")) {
			pdf = data
		} else {
			pdf = fuzzPage(data)
		}
		opts := Options{MaxSteps: 200_000, MaxGlyphsPerPage: 5_000, MaxPageText: 1 << 16}
		err := Read(context.Background(), bytes.NewReader(pdf), int64(len(pdf)), opts, func(p *Page) error {
			if !utf8.ValidString(p.Text) || len(p.TextGlyph) != len(p.Text) || len(p.Glyphs) > 5_000 {
				t.Fatalf("bad page: %d text bytes, %d map entries, %d glyphs", len(p.Text), len(p.TextGlyph), len(p.Glyphs))
			}
			for _, g := range p.TextGlyph {
				if int(g) >= len(p.Glyphs) {
					t.Fatalf("text maps to glyph %d of %d", g, len(p.Glyphs))
				}
			}
			return nil
		})
		_ = err
		out, _ := reemit(data)
		if !bytes.Equal(out, data) {
			t.Fatal("lexer does not re-emit its input")
		}
	})
}

func fuzzPage(content []byte) []byte {
	b := &docfix.PDFBuilder{}
	cmap := b.Stream("", []byte("1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfrange <0001> <00FF> <4E00> endbfrange"))
	cid := b.Add("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /W [1 [500 600] 10 20 700] >>")
	c1 := b.Add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", cid, cmap))
	form := b.Reserve()
	b.SetStream(form, fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Matrix [0 1 -1 0 5 5] /Resources << /XObject << /Fm %d 0 R >> >>", form), []byte("BT (form) Tj ET /Fm Do"))
	res := fmt.Sprintf("<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> /C1 %d 0 R >> /XObject << /Fm %d 0 R >> >>", c1, form)
	return b.Pages(docfix.PDFPage{Content: string(content), Resources: res})
}

// TestDeclaredEmptyGlyph: a code that ToUnicode maps to nothing (a .notdef
// box) is known to carry no text; a code that neither ToUnicode nor the
// encoding knows is a problem for the page.
func TestDeclaredEmptyGlyph(t *testing.T) {
	for content, reliable := range map[string]bool{"(AH)": true, "(AH\\001)": false} {
		b := &docfix.PDFBuilder{}
		tu := b.Stream("", []byte("1 begincodespacerange <00> <FF> endcodespacerange 2 beginbfchar <41> <0041> <48> <0000> endbfchar"))
		font := b.Add(fmt.Sprintf("<< /Type /Font /Subtype /TrueType /BaseFont /ABCDEF+X /FirstChar 1 /LastChar 73 /MissingWidth 500 /FontDescriptor << /Type /FontDescriptor /FontName /ABCDEF+X /Flags 4 >> /ToUnicode %d 0 R >>", tu))
		data := b.Pages(docfix.PDFPage{Content: "BT /F1 12 Tf 72 700 Td " + content + " Tj ET", Resources: fmt.Sprintf("<< /Font << /F1 %d 0 R >> >>", font)})
		pages, err := readAll(t, data, Options{})
		if err != nil || pages[0].Reliable() != reliable || pages[0].Text != "A\n" {
			t.Errorf("%s: reliable %v, text %q, problems %v, %v", content, pages[0].Reliable(), pages[0].Text, pages[0].Problems, err)
		}
	}
}

// TestSymbolFont reads the standard Symbol font by its own encoding, as
// reports write "≥", "±" and Greek letters with it.
func TestSymbolFont(t *testing.T) {
	data := (&docfix.PDFBuilder{}).Pages(docfix.PDFPage{
		Content:   "BT /S 12 Tf 72 700 Td (\\263 20% \\261 5 m) Tj ET",
		Resources: "<< /Font << /S << /Type /Font /Subtype /Type1 /BaseFont /Symbol >> >> >>",
	})
	pages, err := readAll(t, data, Options{})
	if err != nil || pages[0].Text != "≥ 20% ± 5 µ\n" || !pages[0].Reliable() {
		t.Errorf("text %q, %v", pages[0].Text, err)
	}
	if want := normalize(pdftotext(t, data)); normalize(pages[0].Text) != want {
		t.Errorf("text %q, pdftotext %q", pages[0].Text, want)
	}
}
