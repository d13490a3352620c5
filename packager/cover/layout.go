// Package cover writes Dossier's PDFs with pdfcpu: the records-request
// letter to a hospital, and the cover summary of a bundle. Both use
// the same machinery: a Doc of blocks (headings, paragraphs, numbered items,
// label/value fields) flowed onto A4 pages with word wrapping, page breaks
// and page numbers.
//
// Text is set in TrueType fonts embedded in the binary (assets.Fonts) and,
// as subsets with a ToUnicode map, in each PDF: names in Latin, Greek,
// Cyrillic, Chinese, Japanese and Korean scripts render and can be copied
// or extracted (pdftotext) as the same Unicode text. Each line is split
// into runs by the font that has its characters (see FontRegular).
package cover

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"dossier/packager/intake"
)

// A4 portrait in points, and the margins used.
const (
	pageWidth  = 595.28
	pageHeight = 841.89
	marginX    = 64.0
	marginTop  = 64.0
	marginBot  = 64.0
)

// Style is the font and size of a block.
type Style struct {
	Font string
	Size float64
	// Gray is the text's gray level, 0 (black) to 1 (white).
	Gray float64
}

// Styles used by the blocks.
var (
	StyleTitle   = Style{Font: FontBold, Size: 16}
	StyleHeading = Style{Font: FontBold, Size: 12}
	StyleBody    = Style{Font: FontRegular, Size: 10.5}
	StyleSmall   = Style{Font: FontRegular, Size: 8.5, Gray: 0.35}
	StyleLabel   = Style{Font: FontBold, Size: 10.5}
	StyleLarge   = Style{Font: FontBold, Size: 13}
)

type blockKind int

const (
	blockText blockKind = iota
	blockSpace
	blockItem
	blockField
	blockPageBreak
)

type block struct {
	kind   blockKind
	style  Style
	text   string
	label  string // item number or field label
	indent float64
	space  float64 // extra space after
	// keepNext keeps the block on the same page as the start of the next
	// (a heading).
	keepNext bool
}

// Doc is a document being built: blocks are added in reading order, then
// Render flows them onto pages.
type Doc struct {
	// Title goes into the PDF's metadata.
	Title string
	// Footer is printed at the foot of every page, before "page N of M".
	Footer string
	// FieldSep goes between a field's label and its value (default ": ";
	// "：" in Chinese).
	FieldSep string
	// PageFormat numbers the pages in the footer: a fmt format of the page
	// and the page count (default "page %[1]d of %[2]d").
	PageFormat string
	blocks     []block
}

// NewDoc starts a document.
func NewDoc(title string) *Doc { return &Doc{Title: title} }

// Heading1 adds a large title heading.
func (d *Doc) Heading1(text string) {
	d.blocks = append(d.blocks, block{kind: blockText, style: StyleTitle, text: text, space: 8, keepNext: true})
}

// Heading adds a section heading.
func (d *Doc) Heading(text string) {
	d.blocks = append(d.blocks, block{kind: blockSpace, space: 6}, block{kind: blockText, style: StyleHeading, text: text, space: 4, keepNext: true})
}

// Subheading adds a heading within a section, in bold body text.
func (d *Doc) Subheading(text string) {
	d.blocks = append(d.blocks, block{kind: blockSpace, space: 3}, block{kind: blockText, style: StyleLabel, text: text, space: 2, keepNext: true})
}

// Large adds a line of large bold text (a fingerprint to read aloud).
func (d *Doc) Large(text string) {
	d.blocks = append(d.blocks, block{kind: blockText, style: StyleLarge, text: text, space: 4})
}

// Paragraph adds wrapped body text. A "\n" starts a new line.
func (d *Doc) Paragraph(text string) {
	d.blocks = append(d.blocks, block{kind: blockText, style: StyleBody, text: text, space: 6})
}

// Lines adds body lines without space between them (an address, say).
func (d *Doc) Lines(lines ...string) {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			d.blocks = append(d.blocks, block{kind: blockText, style: StyleBody, text: l})
		}
	}
	d.blocks = append(d.blocks, block{kind: blockSpace, space: 6})
}

// Small adds small gray text.
func (d *Doc) Small(text string) {
	d.blocks = append(d.blocks, block{kind: blockText, style: StyleSmall, text: text, space: 4})
}

// Item adds a numbered or bulleted item: the label ("1.", "-") comes first,
// the text wraps under itself.
func (d *Doc) Item(label, text string) {
	d.blocks = append(d.blocks, block{kind: blockItem, style: StyleBody, label: label, text: text, indent: 14, space: 4})
}

// SubItem adds an indented line under an item, in small text.
func (d *Doc) SubItem(text string) {
	d.blocks = append(d.blocks, block{kind: blockText, style: Style{Font: FontItalic, Size: 9.5, Gray: 0.25}, text: text, indent: 14, space: 4})
}

// Field adds "label: value" with the label in bold, on one line so that
// text extraction keeps the two together; a long value wraps under itself.
// An empty value adds nothing.
func (d *Doc) Field(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	d.blocks = append(d.blocks, block{kind: blockField, style: StyleBody, label: label, text: value, indent: 14, space: 2})
}

// Space adds vertical space in points.
func (d *Doc) Space(points float64) {
	d.blocks = append(d.blocks, block{kind: blockSpace, space: points})
}

// PageBreak starts a new page.
func (d *Doc) PageBreak() { d.blocks = append(d.blocks, block{kind: blockPageBreak}) }

// line is one laid-out line of text.
type line struct {
	x, y  float64
	style Style
	text  string
}

// layout flows the blocks onto pages.
func (d *Doc) layout() [][]line {
	var pages [][]line
	var cur []line
	y := pageHeight - marginTop
	newPage := func() {
		pages = append(pages, cur)
		cur = nil
		y = pageHeight - marginTop
	}
	width := pageWidth - 2*marginX
	put := func(x float64, st Style, text string) {
		lh := st.Size * 1.35
		if y-lh < marginBot {
			newPage()
		}
		y -= lh
		cur = append(cur, line{x: x, y: y, style: st, text: text})
	}
	// fit starts a new page unless n lines of style st (and, for a block
	// kept with the next, two body lines) fit on this one. A block taller
	// than a page is split.
	fit := func(n int, st Style, b block, next []block) {
		need := float64(n) * st.Size * 1.35
		if b.keepNext {
			// Count the headings that follow too, then two body lines.
			need += b.space
		chain:
			for _, nb := range next {
				switch {
				case nb.kind == blockSpace:
					need += nb.space
				case nb.kind == blockText && nb.keepNext:
					need += float64(len(wrap(nb.text, nb.style, width-nb.indent)))*nb.style.Size*1.35 + nb.space
				default:
					break chain
				}
			}
			need += 2 * StyleBody.Size * 1.35
		}
		if need <= pageHeight-marginTop-marginBot && y-need < marginBot {
			newPage()
		}
	}
	for bi, b := range d.blocks {
		next := d.blocks[bi+1:]
		switch b.kind {
		case blockPageBreak:
			newPage()
			continue
		case blockSpace:
			y -= b.space
			continue
		case blockText:
			lines := wrap(b.text, b.style, width-b.indent)
			fit(len(lines), b.style, b, next)
			for _, l := range lines {
				put(marginX+b.indent, b.style, l)
			}
		case blockItem:
			// The label ("1.", "-") is followed by the text at one space's
			// distance, so that text extraction keeps them on one line;
			// further lines hang under the text.
			label := b.label + " "
			lw := textWidth(label, b.style)
			lines := wrap(b.text, b.style, width-lw)
			fit(len(lines), b.style, b, next)
			for i, l := range lines {
				put(marginX+lw, b.style, l)
				if i == 0 {
					cur = append(cur, line{x: marginX, y: y, style: b.style, text: b.label})
				}
			}
		case blockField:
			sep := d.FieldSep
			if sep == "" {
				sep = ": "
			}
			label := b.label + sep
			lw := textWidth(label, StyleLabel)
			first := wrapFirst(b.text, b.style, width-lw, width-b.indent)
			fit(len(first), b.style, b, next)
			for i, l := range first {
				if i == 0 {
					put(marginX+lw, b.style, l)
					cur = append(cur, line{x: marginX, y: y, style: StyleLabel, text: label})
					continue
				}
				put(marginX+b.indent, b.style, l)
			}
		}
		y -= b.space
	}
	pages = append(pages, cur)
	return pages
}

// wrapFirst wraps text whose first line is firstWidth wide and the others
// restWidth.
func wrapFirst(text string, st Style, firstWidth, restWidth float64) []string {
	paras := strings.Split(text, "\n")
	first := wrap(paras[0], st, firstWidth)
	var rest []string
	if remainder := strings.TrimSpace(strings.TrimPrefix(strings.Join(strings.Fields(paras[0]), " "), first[0])); remainder != "" {
		rest = append(rest, remainder)
	}
	rest = append(rest, paras[1:]...)
	if len(rest) == 0 {
		return first[:1]
	}
	return append(first[:1], wrap(strings.Join(rest, "\n"), st, restWidth)...)
}

// wrap breaks text into lines no wider than width, at spaces and, in
// Chinese and Japanese text, between characters (see pieces); a word
// longer than a line is cut.
func wrap(text string, st Style, width float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		words, glued := pieces(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		cur := ""
		for i, w := range words {
			for textWidth(w, st) > width {
				// Cut a very long word (a path, a URL) to fit.
				n := len(w)
				for n > 1 && textWidth(w[:n], st) > width {
					_, size := utf8.DecodeLastRuneInString(w[:n])
					n -= size
				}
				if cur != "" {
					out = append(out, cur)
					cur = ""
				}
				out = append(out, w[:n])
				w = w[n:]
			}
			try := w
			if cur != "" {
				if glued[i] {
					try = cur + w
				} else {
					try = cur + " " + w
				}
			}
			if textWidth(try, st) <= width || cur == "" {
				cur = try
			} else {
				out = append(out, cur)
				cur = w
			}
		}
		out = append(out, cur)
	}
	return out
}

// pieces splits a paragraph into what a line may break between: the words
// between spaces and, as Chinese and Japanese are written without spaces,
// each of their characters, keeping closing punctuation ("，。）") with the
// character before it and opening punctuation ("（“") with the one after.
// glued[i] is true when piece i follows the one before it without a space.
func pieces(para string) (words []string, glued []bool) {
	for _, field := range strings.Fields(para) {
		start, first := 0, true
		var prev rune
		for i, r := range field {
			if i > 0 && (isIdeographic(prev) || isIdeographic(r)) && !strings.ContainsRune(noBreakBefore, r) && !strings.ContainsRune(noBreakAfter, prev) {
				words, glued = append(words, field[start:i]), append(glued, !first)
				start, first = i, false
			}
			prev = r
		}
		words, glued = append(words, field[start:]), append(glued, !first)
	}
	return words, glued
}

// Punctuation a line must not start with, or end with.
const (
	noBreakBefore = "，。、；：！？）］｝〕〉》」』】〗’”…‥·・ー々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.;:!?)]}%"
	noBreakAfter  = "（［｛〔〈《「『【〖‘“([{"
)

// isIdeographic reports whether r is written without spaces around it: Han
// characters, kana, and CJK and full-width punctuation.
func isIdeographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF
}

// printable replaces what a PDF line cannot hold: tabs become spaces, other
// control characters are dropped. Characters no embedded font has are
// replaced later, when the line is split into runs (see runs).
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n' || !unicode.IsControl(r) && r != utf8.RuneError:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Render writes the document as a PDF to w. Text is set in the embedded
// fonts (see FontRegular), so names in any script the fonts cover render
// and can be copied out of the PDF.
func (d *Doc) Render(ctx context.Context, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := loadMetrics(); err != nil {
		return fmt.Errorf("writing the PDF: %w", err)
	}
	pages := d.layout()
	type jfont struct {
		Name string  `json:"name"`
		Size float64 `json:"size"`
		Col  string  `json:"col,omitempty"`
	}
	type jtext struct {
		Value string     `json:"value"`
		Pos   [2]float64 `json:"pos"`
		Font  jfont      `json:"font"`
	}
	type jcontent struct {
		Text []jtext `json:"text"`
	}
	type jpage struct {
		Content jcontent `json:"content"`
	}
	spec := struct {
		Paper  string           `json:"paper"`
		Origin string           `json:"origin"`
		Pages  map[string]jpage `json:"pages"`
	}{Paper: "A4P", Origin: "LowerLeft", Pages: map[string]jpage{}}
	used := map[string]bool{}
	chars := map[string]map[rune]bool{}
	for i, pg := range pages {
		var texts []jtext
		add := func(l line) {
			text := printable(l.text)
			if strings.TrimSpace(text) == "" {
				return
			}
			col := ""
			if l.style.Gray > 0 {
				g := int(l.style.Gray * 255)
				col = fmt.Sprintf("#%02X%02X%02X", g, g, g)
			}
			// One text object per run of one font, each placed after the
			// one before it.
			x := l.x
			for _, r := range runs(text, l.style.Font) {
				used[r.font] = true
				if chars[r.font] == nil {
					chars[r.font] = map[rune]bool{}
				}
				for _, c := range r.text {
					chars[r.font][c] = true
				}
				for _, p := range percentSafe(r.text) {
					if strings.TrimSpace(p) != "" {
						texts = append(texts, jtext{Value: escapePercent(p), Pos: [2]float64{round(x), round(l.y + baselineShift(r.font, l.style.Font, l.style.Size))}, Font: jfont{Name: r.font, Size: l.style.Size, Col: col}})
					}
					x += runWidth(run{font: r.font, text: p}, l.style.Size)
				}
			}
		}
		for _, l := range pg {
			add(l)
		}
		pageFormat := d.PageFormat
		if pageFormat == "" {
			pageFormat = "page %[1]d of %[2]d"
		}
		foot := fmt.Sprintf(pageFormat, i+1, len(pages))
		if d.Footer != "" {
			foot = d.Footer + "  -  " + foot
		}
		add(line{x: marginX, y: marginBot / 2, style: StyleSmall, text: foot})
		spec.Pages[strconv.Itoa(i+1)] = jpage{Content: jcontent{Text: texts}}
	}
	js, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("laying out the PDF: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var buf bytes.Buffer
	err = withFonts(slices.Sorted(maps.Keys(used)), func() error {
		conf := model.NewDefaultConfiguration()
		if err := api.Create(nil, bytes.NewReader(js), &buf, conf); err != nil {
			return err
		}
		// Marked as Dossier's own, so that a scan never reads it back as a record.
		props := map[string]string{"Creator": "Dossier", intake.MarkKey: intake.MarkValue}
		if d.Title != "" {
			props["Title"] = printable(d.Title)
		}
		var out bytes.Buffer
		if err := api.AddProperties(bytes.NewReader(buf.Bytes()), &out, props, conf); err != nil {
			return fmt.Errorf("marking the PDF as Dossier's: %w", err)
		}
		buf = out
		fixed, err := fixToUnicode(buf.Bytes(), chars, conf)
		if err != nil {
			return fmt.Errorf("completing the fonts' character maps: %w", err)
		}
		buf = *bytes.NewBuffer(fixed)
		return nil
	})
	if err != nil {
		return fmt.Errorf("writing the PDF: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the PDF: %w", err)
	}
	return nil
}

// percentSafe splits s after every "%" followed by another "%" or by a
// letter pdfcpu would read as a placeholder ("%p" page number, "%P" page
// count, "%t" time, "%v" version), so that, once escaped (escapePercent),
// every piece prints as written.
func percentSafe(s string) []string {
	var out []string
	start := 0
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' && strings.IndexByte("pPtv%", s[i+1]) >= 0 {
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// escapePercent writes each run of n "%" as n+1, which pdfcpu prints as n.
func escapePercent(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && (i == 0 || s[i-1] != '%') {
			b.WriteByte('%')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func round(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
