// Package cover writes Dossier's PDFs with pdfcpu: the records-request
// letter to a hospital, and (later) the cover summary of a bundle. Both use
// the same machinery: a Doc of blocks (headings, paragraphs, numbered items,
// label/value fields) flowed onto A4 pages with word wrapping, page breaks
// and page numbers.
package cover

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"golang.org/x/text/encoding/charmap"
)

// A4 portrait in points, and the margins used.
const (
	pageWidth  = 595.28
	pageHeight = 841.89
	marginX    = 64.0
	marginTop  = 64.0
	marginBot  = 64.0
)

// Fonts: the PDF core fonts, which every reader has. They cover Western
// European text; other scripts need an embedded font (see Style).
const (
	FontRegular = "Helvetica"
	FontBold    = "Helvetica-Bold"
	FontItalic  = "Helvetica-Oblique"
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
}

// Doc is a document being built: blocks are added in reading order, then
// Render flows them onto pages.
type Doc struct {
	// Title goes into the PDF's metadata.
	Title string
	// Footer is printed at the foot of every page, before "page N of M".
	Footer string
	blocks []block
}

// NewDoc starts a document.
func NewDoc(title string) *Doc { return &Doc{Title: title} }

// Heading1 adds a large title heading.
func (d *Doc) Heading1(text string) {
	d.blocks = append(d.blocks, block{kind: blockText, style: StyleTitle, text: text, space: 8})
}

// Heading adds a section heading.
func (d *Doc) Heading(text string) {
	d.blocks = append(d.blocks, block{kind: blockSpace, space: 6}, block{kind: blockText, style: StyleHeading, text: text, space: 4})
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

// Item adds a numbered or bulleted item: label ("1.", "-") hangs in the
// margin, text wraps under itself.
func (d *Doc) Item(label, text string) {
	d.blocks = append(d.blocks, block{kind: blockItem, style: StyleBody, label: label, text: text, indent: 22, space: 4})
}

// SubItem adds an indented line under an item, in small text.
func (d *Doc) SubItem(text string) {
	d.blocks = append(d.blocks, block{kind: blockText, style: Style{Font: FontItalic, Size: 9.5, Gray: 0.25}, text: text, indent: 22, space: 4})
}

// Field adds "label: value" with the label in bold.
func (d *Doc) Field(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	d.blocks = append(d.blocks, block{kind: blockField, style: StyleBody, label: label, text: value, indent: 120, space: 1})
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
	for _, b := range d.blocks {
		switch b.kind {
		case blockPageBreak:
			newPage()
			continue
		case blockSpace:
			y -= b.space
			continue
		case blockText:
			for _, l := range wrap(b.text, b.style, width-b.indent) {
				put(marginX+b.indent, b.style, l)
			}
		case blockItem, blockField:
			labelStyle := b.style
			if b.kind == blockField {
				labelStyle = StyleLabel
			}
			lines := wrap(b.text, b.style, width-b.indent)
			// Keep the label with the first line.
			if y-b.style.Size*1.35 < marginBot {
				newPage()
			}
			for i, l := range lines {
				put(marginX+b.indent, b.style, l)
				if i == 0 {
					label := b.label
					if b.kind == blockField {
						label += ":"
					}
					cur = append(cur, line{x: marginX, y: y, style: labelStyle, text: label})
				}
			}
		}
		y -= b.space
	}
	pages = append(pages, cur)
	return pages
}

// wrap breaks text into lines no wider than width, at spaces; a word
// longer than a line is cut.
func wrap(text string, st Style, width float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		cur := ""
		for _, w := range words {
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
				try = cur + " " + w
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

func textWidth(s string, st Style) float64 {
	w, err := font.TextWidthFloat(s, st.Font, st.Size)
	if err != nil {
		return float64(utf8.RuneCountInString(s)) * st.Size * 0.6
	}
	return w
}

// The core fonts use WinAnsi encoding: text is limited to what it holds.
var winAnsi = charmap.Windows1252

// printable replaces characters the core fonts cannot show, so that the
// text stays readable: typographic quotes and dashes are kept when WinAnsi
// has them, letters lose their accents only when they must, others become
// "?".
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\t':
			b.WriteByte(' ')
			continue
		case '\u2010', '\u2011', '\u2012':
			r = '-'
		case '\u2264':
			b.WriteString("<=")
			continue
		case '\u2265':
			b.WriteString(">=")
			continue
		}
		if _, ok := winAnsi.EncodeRune(r); ok && (r >= ' ' || r == '\n') {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

var disableConfig sync.Once

// Render writes the document as a PDF to w.
func (d *Doc) Render(ctx context.Context, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
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
	for i, pg := range pages {
		var texts []jtext
		add := func(l line) {
			if strings.TrimSpace(l.text) == "" {
				return
			}
			f := jfont{Name: l.style.Font, Size: l.style.Size}
			if l.style.Gray > 0 {
				g := int(l.style.Gray * 255)
				f.Col = fmt.Sprintf("#%02X%02X%02X", g, g, g)
			}
			texts = append(texts, jtext{Value: printable(l.text), Pos: [2]float64{round(l.x), round(l.y)}, Font: f})
		}
		for _, l := range pg {
			add(l)
		}
		foot := fmt.Sprintf("page %d of %d", i+1, len(pages))
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
	// pdfcpu would otherwise create a configuration folder in the user's
	// home; Dossier needs none of it.
	disableConfig.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	var buf bytes.Buffer
	if err := api.Create(nil, bytes.NewReader(js), &buf, conf); err != nil {
		return fmt.Errorf("writing the PDF: %w", err)
	}
	if d.Title != "" {
		var out bytes.Buffer
		props := map[string]string{"Title": printable(d.Title), "Creator": "Dossier"}
		if err := api.AddProperties(bytes.NewReader(buf.Bytes()), &out, props, conf); err == nil {
			buf = out
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the PDF: %w", err)
	}
	return nil
}

func round(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
