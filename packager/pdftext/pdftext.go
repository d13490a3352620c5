// Package pdftext reads the text of a PDF the way pdftotext sees it: every
// glyph with its position, the content stream and operator it was drawn by,
// and the page text rebuilt into lines by position, with a map from each
// byte of that text back to its glyph.
//
// It runs its own content-stream lexer and interpreter over pdfcpu's object
// model. Everything is bounded: the page tree walk (cycles, depth), Form
// XObject nesting, the glyphs and text bytes per page and per document, and
// a per-document budget of steps and time. A document that runs out of its
// budget gives ErrBudget, never a spin. Pages are read one at a time, so the
// memory held is one page's glyphs.
package pdftext

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"dossier/packager/i18n"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// pdfcpu would otherwise create a configuration folder in the user's home; Dossier needs none of it.
// Set in init, before any goroutine reads pdfcpu's configuration: set later, under a sync.Once of
// one package, it raced with another package's reading of it on another worker.
func init() { api.DisableConfigDir() }

// ErrBudget is returned when a document needs more steps, time or glyphs
// than its budget allows: it is too complex to read.
var ErrBudget = errors.New(i18n.Msg("the PDF is too complex to read within the time and work allowed"))

// ErrDamaged is returned for a file that cannot be read as a PDF.
var ErrDamaged = errors.New(i18n.Msg("the PDF is damaged or uses features that cannot be read"))

// ErrEncrypted is returned for a PDF that needs a password to open.
var ErrEncrypted = errors.New(i18n.Msg("the PDF is locked with a password"))

// Options bounds the work done on one document. The zero value gives the
// defaults.
type Options struct {
	// MaxGlyphsPerPage caps the glyphs kept per page (default 50,000); a page
	// with more is marked Truncated.
	MaxGlyphsPerPage int
	// MaxGlyphs caps the glyphs read in the whole document (default
	// 2,000,000); past it reading stops with ErrBudget.
	MaxGlyphs int
	// MaxPageText caps a page's text in bytes (default 1 MiB).
	MaxPageText int
	// MaxSteps caps the tokens and objects handled in the whole document
	// (default 50,000,000).
	MaxSteps int64
	// Timeout caps the time spent on the document after Open (default 30 s).
	// Deadline, when set, is used instead.
	Timeout  time.Duration
	Deadline time.Time
	// MaxStreamBytes caps one decoded content stream (default 64 MiB).
	MaxStreamBytes int64
	// MaxFormDepth caps Form XObject nesting (default 12).
	MaxFormDepth int
	// MaxPages caps the pages of the page tree (default 100,000).
	MaxPages int
	// ReuseGlyphs lets Each (and Read) reuse the array of a page's Glyphs
	// for the next page, which spares allocating and clearing it for
	// every page: the function given keeps none of a page's Glyphs once
	// it returns (it may copy them), and finds Glyphs nil if it keeps the
	// page.
	ReuseGlyphs bool
}

func (o Options) withDefaults() Options {
	if o.MaxGlyphsPerPage <= 0 {
		o.MaxGlyphsPerPage = 50_000
	}
	if o.MaxGlyphs <= 0 {
		o.MaxGlyphs = 2_000_000
	}
	if o.MaxPageText <= 0 {
		o.MaxPageText = 1 << 20
	}
	if o.MaxSteps <= 0 {
		o.MaxSteps = 50_000_000
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Deadline.IsZero() {
		o.Deadline = time.Now().Add(o.Timeout)
	}
	if o.MaxStreamBytes <= 0 {
		o.MaxStreamBytes = 64 << 20
	}
	if o.MaxFormDepth <= 0 {
		o.MaxFormDepth = 12
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 100_000
	}
	return o
}

// Glyph is one glyph drawn on a page.
type Glyph struct {
	// Text is the glyph's text ("" when the font does not say).
	Text string
	// X, Y is the glyph's origin on the baseline, in default user space
	// (PDF points, before the page's /Rotate).
	X, Y float64
	// Box covers the glyph from descent to ascent and over its advance:
	// llx, lly, urx, ury in default user space.
	Box [4]float64
	// Size is the font size as drawn, in user space units.
	Size float64
	// Font is the font's resource name.
	Font string
	// Kern is the TJ adjustment (thousandths of a text space unit) that
	// moves the text position exactly as this glyph did: a rewriter that
	// removes the glyph puts Kern in its place and the rest of the line
	// stays where it was.
	Kern float64
	// Stream is the index in Page.Streams of the stream that drew it; Op
	// the index of the operator in that stream (counting from 0); Start,
	// End the byte range of the string token in the decoded stream; Code,
	// CodeLen the byte range of the glyph's code in the decoded string.
	Stream, Op, Start, End, Code, CodeLen int

	rot            uint8   // text direction on the displayed page: 0, 90, 180, 270 degrees / 90
	lx, ly, lw, ls float64 // position, advance and size along that direction
}

// Stream is a content stream that drew glyphs on a page: one of the page's
// /Contents, or a Form XObject.
type Stream struct {
	// Obj and Gen name the stream object.
	Obj, Gen int
	// Form is true for a Form XObject.
	Form bool
	// Annot is true for a form drawn as an annotation's appearance (a
	// filled-in form field, a note): the annotation itself is scrubbed by
	// the PDF cleaner, its text counts here all the same.
	Annot bool
}

// Picture is one image drawn on a page.
type Picture struct {
	// Obj and Gen name the image XObject; both are 0 for an inline image.
	Obj, Gen int
	// Inline is true for an inline image (BI ... ID ... EI).
	Inline bool
	// CTM maps the image's unit square to default user space: [a b c d e f].
	CTM [6]float64
	// Box is the image's extent in default user space: llx, lly, urx, ury.
	Box [4]float64
}

// Path is one painted path: from its first construction operator's
// operands to its painting operator, bytes Start..End of stream Stream.
type Path struct {
	Stream, Start, End int
	// Box is the path's extent in default user space: llx, lly, urx, ury.
	Box   [4]float64
	shape pathShape
}

// Problem says why some text on a page cannot be located reliably, or why
// the page was not read whole. It names fonts by resource name only.
type Problem struct {
	Kind string
	Font string
}

// Problems of a page, besides the font problems (ProblemType3NoToUnicode,
// ProblemNoEncoding, ProblemUnmappedGlyphs).
const (
	ProblemTooManyGlyphs = "too-many-glyphs"
	ProblemTextTooLong   = "text-too-long"
	ProblemDamaged       = "damaged-content"
	ProblemFormDepth     = "forms-nested-too-deep"
	// ProblemTextAsPaths: the page shows writing drawn as vector outlines
	// (glyph-sized filled shapes in a row), which no text reader sees.
	ProblemTextAsPaths = "text-drawn-as-paths"
)

// Page is what was read of one page.
type Page struct {
	// Number counts from 1.
	Number int
	// Rotate is the page's /Rotate in degrees (0, 90, 180, 270).
	Rotate int
	// Box is the crop box (or media box): llx, lly, urx, ury.
	Box     [4]float64
	Glyphs  []Glyph
	Streams []Stream
	// Text is the page text in reading order, lines ended by "\n".
	Text string
	// TextGlyph has one entry per byte of Text: the index in Glyphs of the
	// glyph that byte came from, or -1 for spaces and line ends added by
	// the layout.
	TextGlyph []int32
	// Images counts the images drawn (image XObjects and inline images).
	Images int
	// Pictures lists where the images were drawn (the first 4,096).
	Pictures []Picture
	// Paths lists the painted paths (not clips): vector drawings, which
	// may be text drawn as outlines or a signature (the first 32,768).
	Paths []Path
	// Truncated is set when the page had more glyphs or text than allowed.
	Truncated bool
	Problems  []Problem
}

// GlyphsIn returns the indexes of the glyphs behind the bytes
// Text[start:end], in order, each once.
func (p *Page) GlyphsIn(start, end int) []int {
	start, end = max(start, 0), min(end, len(p.TextGlyph))
	var out []int
	last := int32(-1)
	for i := start; i < end; i++ {
		g := p.TextGlyph[i]
		if g >= 0 && g != last {
			out = append(out, int(g))
			last = g
		}
	}
	return out
}

// viewMatrix maps default user space to the page as displayed: origin at
// the top left of the crop box, y growing downwards, /Rotate applied.
func viewMatrix(box [4]float64, rotate int) matrix {
	x0, y0, x1, y1 := box[0], box[1], box[2], box[3]
	w, h := x1-x0, y1-y0
	v := matrix{1, 0, 0, -1, -x0, y1}
	switch rotate {
	case 90:
		v = v.mul(matrix{0, 1, -1, 0, h, 0})
	case 180:
		v = v.mul(matrix{-1, 0, 0, -1, w, h})
	case 270:
		v = v.mul(matrix{0, -1, 1, 0, 0, w})
	}
	return v
}

// FromView maps a point of the page as displayed (PDF points from the top
// left, after /Rotate, as a user marks a page) to default user space.
func (p *Page) FromView(x, y float64) (float64, float64) {
	v := viewMatrix(p.Box, p.Rotate)
	det := v[0]*v[3] - v[1]*v[2]
	x, y = x-v[4], y-v[5]
	return (v[3]*x - v[2]*y) / det, (-v[1]*x + v[0]*y) / det
}

// ToView maps a point of default user space to the page as displayed.
func (p *Page) ToView(x, y float64) (float64, float64) {
	return viewMatrix(p.Box, p.Rotate).apply(x, y)
}

// Reliable reports whether every glyph on the page can be located by its
// text: no font problem and nothing truncated.
func (p *Page) Reliable() bool { return len(p.Problems) == 0 && !p.Truncated }

func (p *Page) addProblem(kind, font string) {
	for _, q := range p.Problems {
		if q.Kind == kind && q.Font == font {
			return
		}
	}
	if len(p.Problems) < 64 {
		p.Problems = append(p.Problems, Problem{kind, font})
	}
}

// Document is an open PDF. It is not safe for concurrent use.
type Document struct {
	pdf   *model.Context
	opts  Options
	ctx   context.Context
	pages []pageInfo

	steps  int64
	glyphs int
	err    error
	fonts  map[int]*font

	fallbackFont *font
	// spare is the glyph array of the page Each read last, reused for the
	// next one.
	spare []Glyph
}

type pageInfo struct {
	dict      types.Dict
	ref       types.IndirectRef
	resources types.Dict
	box       [4]float64
	rotate    int
}

// Open reads a PDF's structure and its page tree. ctx and the options'
// deadline bound all later work on the document too.
func Open(ctx context.Context, r io.ReadSeeker, opts Options) (doc *Document, err error) {
	opts = opts.withDefaults()
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, ErrDamaged
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Limits.MaxDecodeBytes = opts.MaxStreamBytes
	conf.Limits.MaxRecursionDepth = 64
	rctx, cancel := context.WithDeadline(ctx, opts.Deadline)
	defer cancel()
	pdf, err := readContext(rctx, r, conf)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if rctx.Err() != nil {
			return nil, ErrBudget
		}
		if isPasswordError(err) {
			return nil, ErrEncrypted
		}
		return nil, ErrDamaged
	}
	d := &Document{pdf: pdf, opts: opts, ctx: ctx, fonts: map[int]*font{}}
	if err := d.walkPages(); err != nil {
		return nil, err
	}
	return d, nil
}

func readContext(ctx context.Context, r io.ReadSeeker, conf *model.Configuration) (pdf *model.Context, err error) {
	defer func() {
		if p := recover(); p != nil {
			pdf, err = nil, fmt.Errorf("pdftext: pdfcpu: %v", p)
		}
	}()
	// pdfcpu's reader checks its context between objects.
	return pdfcpu.ReadWithContext(ctx, r, conf)
}

func isPasswordError(err error) bool {
	return errors.Is(err, pdfcpu.ErrWrongPassword) || errors.Is(err, pdfcpu.ErrOwnerPasswordRequired)
}

// Model returns the pdfcpu object model, for a rewriter.
func (d *Document) Model() *model.Context { return d.pdf }

// NumPages is the number of pages in the page tree.
func (d *Document) NumPages() int { return len(d.pages) }

// PageRef returns the indirect reference of page n (from 1).
func (d *Document) PageRef(n int) (types.IndirectRef, types.Dict, bool) {
	if n < 1 || n > len(d.pages) {
		return types.IndirectRef{}, nil, false
	}
	p := d.pages[n-1]
	return p.ref, p.dict, true
}

// PageResources returns the resources page n (from 1) uses, inherited
// from the page tree where the page has none of its own.
func (d *Document) PageResources(n int) types.Dict {
	if n < 1 || n > len(d.pages) {
		return nil
	}
	return d.pages[n-1].resources
}

// step counts n units of work against the budget; false once the budget,
// the deadline or ctx is exhausted (d.err says which).
func (d *Document) step(n int) bool {
	if d.err != nil {
		return false
	}
	before := d.steps
	d.steps += int64(n)
	if d.steps > d.opts.MaxSteps {
		d.err = ErrBudget
		return false
	}
	if before>>12 != d.steps>>12 {
		if err := d.ctx.Err(); err != nil {
			d.err = err
			return false
		}
		if time.Now().After(d.opts.Deadline) {
			d.err = ErrBudget
			return false
		}
	}
	return true
}

// Page reads page n (from 1).
func (d *Document) Page(n int) (page *Page, err error) {
	if n < 1 || n > len(d.pages) {
		return nil, fmt.Errorf("pdftext: page %d: %w", n, errors.New("pdftext: no such page"))
	}
	if d.err != nil {
		return nil, d.err
	}
	if err := d.ctx.Err(); err != nil {
		return nil, err
	}
	info := d.pages[n-1]
	page = &Page{Number: n, Rotate: info.rotate, Box: info.box}
	func() {
		defer func() {
			if p := recover(); p != nil {
				page.addProblem(ProblemDamaged, "")
				page.Truncated = true
			}
		}()
		in := newInterp(d, page)
		in.runPage(info)
	}()
	if d.err != nil {
		return nil, d.err
	}
	if textAsPaths(page.Paths) {
		page.addProblem(ProblemTextAsPaths, "")
	}
	layout(page, d.opts.MaxPageText)
	return page, nil
}

// Each reads the pages in order and calls fn with each; only one page is
// held at a time. With Options.ReuseGlyphs a page's Glyphs are reused for
// the next. It stops at fn's first error and returns it.
func (d *Document) Each(fn func(*Page) error) error {
	for n := 1; n <= len(d.pages); n++ {
		p, err := d.Page(n)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		if d.opts.ReuseGlyphs {
			if cap(p.Glyphs) > cap(d.spare) {
				d.spare = p.Glyphs[:0]
			}
			p.Glyphs = nil
		}
	}
	return nil
}

// Read opens a PDF and calls fn with each page in order.
func Read(ctx context.Context, r io.ReaderAt, size int64, opts Options, fn func(*Page) error) error {
	d, err := Open(ctx, io.NewSectionReader(r, 0, size), opts)
	if err != nil {
		return err
	}
	return d.Each(fn)
}

// LoadObjects decodes every object of a read PDF that pdfcpu left for later
// (objects inside compressed object streams), so that a walk over the
// object table sees them all and a writer writes them whole. De-identification
// and the leak scan both walk the whole table.
func LoadObjects(ctx *model.Context) error {
	for nr, e := range ctx.Table {
		if e == nil || e.Free {
			continue
		}
		var lazy *types.LazyObjectStreamObject
		switch l := e.Object.(type) {
		case types.LazyObjectStreamObject:
			lazy = &l
		case *types.LazyObjectStreamObject:
			lazy = l
		}
		if lazy == nil {
			continue
		}
		o, err := lazy.DecodedObject(context.Background())
		if err != nil {
			return fmt.Errorf("pdftext: reading object %d: %w", nr, err)
		}
		e.Object = o
	}
	return nil
}
