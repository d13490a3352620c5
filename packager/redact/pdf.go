// Package redact removes identity from documents for real: in a text PDF
// the glyphs that spell it are taken out of the content streams (page and
// Form XObject), each replaced by a positioning adjustment of the same
// width so the rest of the line stays where it was, and an opaque box with
// a short label is drawn over the place.
package redact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"dossier/packager/i18n"
	"dossier/packager/pdftext"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/text/encoding/charmap"
)

// ErrNotLocatable is returned for a PDF whose text cannot be located
// reliably (a Type3 font without ToUnicode, a font without a usable
// encoding, a page with more glyphs than can be read): it must be held for
// review, not redacted. The error names the page and the kind of problem.
var ErrNotLocatable = errors.New(i18n.Msg("the text of this PDF cannot be located reliably, so it cannot be redacted"))

// Finder returns the spans of glyphs to remove from one page: each span
// lists indexes into p.Glyphs (see pdftext.Page.GlyphsIn, which turns a
// match in p.Text into glyphs). It keeps none of p's glyphs once it
// returns: their array is reused for the next page.
type Finder func(p *pdftext.Page) [][]int

// Options for PDF.
type Options struct {
	// Label is written in each box where it fits (default "removed"): in
	// Latin-1 as Helvetica text, in other scripts (Chinese) as the outlines
	// of its glyphs in the cover's fonts, so it shows in any viewer without
	// a font and is no text to copy. A label with a character no such font
	// has is left out and the box drawn alone.
	Label string
	// LabelOf, when set, chooses the label once every page's spans are
	// found and before any box is drawn (the label can then depend on
	// what find found); it overrides Label.
	LabelOf func() string
	// Text bounds the reading of the document.
	Text pdftext.Options
	// Boxes are regions the user marked: whatever is drawn there goes
	// (glyphs whose centre lies inside, the pixels of pictures) and a box
	// covers it. A page that is only a picture is redacted this way.
	Boxes []Box
	// Reviewed says the user has looked at every page: a page whose text
	// cannot be located (a Type3 font without ToUnicode, say) is then
	// redacted by its Boxes alone instead of failing with ErrNotLocatable.
	// A page with more glyphs than can be read always fails.
	Reviewed bool
}

// textLocatable reports whether a reviewed page's text glyphs can be
// located although the page is not Reliable: its only problem is writing
// drawn as outlines (which the user's boxes cover), not its fonts.
func textLocatable(p *pdftext.Page) bool {
	if p.Truncated {
		return false
	}
	for _, q := range p.Problems {
		if q.Kind != pdftext.ProblemTextAsPaths {
			return false
		}
	}
	return true
}

// Box is a region of a page to redact, in PDF points from the top left of
// the page as displayed (after its /Rotate), as --redactions gives them.
type Box struct {
	Page                int
	X, Y, Width, Height float64
}

// Result says what was redacted: counts, never the text.
type Result struct {
	// Glyphs removed from content streams (a glyph in a Form XObject drawn
	// several times counts once).
	Glyphs int
	// Boxes drawn.
	Boxes int
	// Pages with at least one box.
	Pages int
	// Images whose pixels under a box were masked.
	Images int
	// Paths (vector drawings) removed from under a user's box.
	Paths int
}

type removal struct {
	code, n int
	kern    float64
}

type box struct {
	llx, lly, urx, ury float64
}

// PDF reads the PDF in r, removes the glyphs find marks on each page, draws
// the boxes, and writes the result to w. A document with nothing to remove
// is written unchanged in content. It fails with ErrNotLocatable when a
// page's text cannot be located reliably.
func PDF(ctx context.Context, r io.ReadSeeker, w io.Writer, find Finder, opts Options) (Result, error) {
	if opts.Label == "" {
		opts.Label = "removed"
	}
	text := opts.Text
	text.ReuseGlyphs = true // neither this nor a Finder keeps a page's glyphs
	doc, err := pdftext.Open(ctx, r, text)
	if err != nil {
		return Result{}, fmt.Errorf("redact: redacting a PDF: %w", err)
	}
	// stream object -> string token start -> removals
	removals := map[int]map[int][]removal{}
	scrub := map[int]bool{} // streams of pages with spans: their ActualText goes too
	boxes := map[int][]box{}
	rotate := map[int]int{}
	pageStreams := map[int][]int{} // page -> stream objects it draws
	users := map[int]int{}         // stream object -> pages drawing it
	shared := map[int]bool{}       // stream object is a Form XObject
	pics := map[int][]pdftext.Picture{}
	var res Result
	userBoxes := map[int][]box{} // page -> the user's boxes in user space
	cuts := map[int][][2]int{}   // stream object -> byte ranges of paths to drop
	cutSeen := map[[3]int]bool{}
	remove := func(p *pdftext.Page, g pdftext.Glyph) {
		obj := p.Streams[g.Stream].Obj
		if removals[obj] == nil {
			removals[obj] = map[int][]removal{}
		}
		list := removals[obj][g.Start]
		for _, q := range list {
			if q.code == g.Code {
				return
			}
		}
		removals[obj][g.Start] = append(list, removal{g.Code, g.CodeLen, g.Kern})
		res.Glyphs++
	}
	err = doc.Each(func(p *pdftext.Page) error {
		var marked []Box
		for _, b := range opts.Boxes {
			if b.Page == p.Number && b.Width > 0 && b.Height > 0 {
				marked = append(marked, b)
			}
		}
		locatable := p.Reliable()
		if !locatable && (p.Truncated || !opts.Reviewed) {
			kind := pdftext.ProblemTooManyGlyphs
			if len(p.Problems) > 0 {
				kind = p.Problems[0].Kind
			}
			return fmt.Errorf("%w: page %d: %s", ErrNotLocatable, p.Number, kind)
		}
		for _, s := range p.Streams {
			pageStreams[p.Number] = append(pageStreams[p.Number], s.Obj)
			users[s.Obj]++
			shared[s.Obj] = shared[s.Obj] || s.Form
		}
		var spans [][]int
		if locatable || textLocatable(p) {
			spans = find(p)
		}
		if len(spans) == 0 && len(marked) == 0 {
			return nil
		}
		rotate[p.Number] = p.Rotate
		pics[p.Number] = p.Pictures
		for _, s := range p.Streams {
			scrub[s.Obj] = true
		}
		// Vector drawings wholly under a box (a signature, text drawn as
		// outlines, the name's underline) are taken out too: the box hides
		// them, and they must not be there beneath it.
		cutUnder := func(ub box) {
			const slack = 0.5
			for _, path := range p.Paths {
				b := path.Box
				if b[0] < ub.llx-slack || b[1] < ub.lly-slack || b[2] > ub.urx+slack || b[3] > ub.ury+slack {
					continue
				}
				obj := p.Streams[path.Stream].Obj
				key := [3]int{obj, path.Start, path.End}
				if !cutSeen[key] {
					cutSeen[key] = true
					cuts[obj] = append(cuts[obj], [2]int{path.Start, path.End})
					res.Paths++
				}
			}
		}
		for _, span := range spans {
			var line []pdftext.Glyph
			for _, gi := range span {
				if gi < 0 || gi >= len(p.Glyphs) {
					continue
				}
				remove(p, p.Glyphs[gi])
				line = append(line, p.Glyphs[gi])
			}
			sb := spanBoxes(line)
			for _, b := range sb {
				cutUnder(b)
			}
			boxes[p.Number] = append(boxes[p.Number], sb...)
		}
		for _, m := range marked {
			ub := userBox(p, m)
			userBoxes[p.Number] = append(userBoxes[p.Number], ub)
			for _, g := range p.Glyphs {
				cx, cy := (g.Box[0]+g.Box[2])/2, (g.Box[1]+g.Box[3])/2
				if cx >= ub.llx && cx <= ub.urx && cy >= ub.lly && cy <= ub.ury {
					remove(p, g)
				}
			}
			cutUnder(ub)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrNotLocatable) {
			return Result{}, err
		}
		return Result{}, fmt.Errorf("redact: redacting a PDF: %w", err)
	}
	// A glyph removed from a Form XObject, or from a content stream that
	// several pages share, disappears wherever it is drawn: box it there
	// too.
	for n := 1; n <= doc.NumPages(); n++ {
		again := false
		for _, obj := range pageStreams[n] {
			again = again || removals[obj] != nil && (shared[obj] || users[obj] > 1)
		}
		if !again {
			continue
		}
		p, err := doc.Page(n)
		if err != nil {
			return Result{}, fmt.Errorf("redact: redacting a PDF: %w", err)
		}
		boxes[n], rotate[n], pics[n] = boxes[n][:0], p.Rotate, p.Pictures
		var run []pdftext.Glyph
		for _, g := range p.Glyphs {
			if strings.TrimSpace(g.Text) == "" && len(run) > 0 {
				continue // a space inside a span does not end its box
			}
			removed := false
			for _, q := range removals[p.Streams[g.Stream].Obj][g.Start] {
				removed = removed || q.code == g.Code
			}
			if removed {
				run = append(run, g)
				continue
			}
			if len(run) > 0 {
				boxes[n] = append(boxes[n], spanBoxes(run)...)
				run = run[:0]
			}
		}
		if len(run) > 0 {
			boxes[n] = append(boxes[n], spanBoxes(run)...)
		}
		for _, obj := range pageStreams[n] {
			scrub[obj] = true
		}
	}
	for n, ub := range userBoxes {
		boxes[n] = append(boxes[n], ub...)
	}
	pdf := doc.Model()
	// Pictures under a box lose those pixels too (a scan under an OCR
	// text layer shows the name the text layer spelled).
	areas := map[int][]area{}
	for n, b := range boxes {
		if err := imageAreas(pics[n], b, areas); err != nil {
			return Result{}, fmt.Errorf("redact: page %d: %w", n, err)
		}
	}
	for obj, a := range areas {
		// A soft mask (the picture's transparency, which can hold shapes
		// such as a signature) is masked over the same areas.
		if sd, ok := pdf.XRefTable.Table[obj].Object.(types.StreamDict); ok {
			if ref, ok := sd.Dict["SMask"].(types.IndirectRef); ok && areas[int(ref.ObjectNumber)] == nil {
				if err := maskImage(pdf, int(ref.ObjectNumber), a); err != nil {
					return Result{}, err
				}
			}
		}
		if err := maskImage(pdf, obj, a); err != nil {
			return Result{}, err
		}
		res.Images++
	}
	for obj := range scrub {
		if err := rewriteStream(pdf, obj, removals[obj], cuts[obj]); err != nil {
			return Result{}, err
		}
	}
	for obj := range cuts {
		if !scrub[obj] && removals[obj] == nil {
			if err := rewriteStream(pdf, obj, nil, cuts[obj]); err != nil {
				return Result{}, err
			}
		}
	}
	for obj := range removals {
		if !scrub[obj] {
			if err := rewriteStream(pdf, obj, removals[obj], cuts[obj]); err != nil {
				return Result{}, err
			}
		}
	}
	if opts.LabelOf != nil {
		if l := opts.LabelOf(); l != "" {
			opts.Label = l
		}
	}
	pages := make([]int, 0, len(boxes))
	for n := range boxes {
		pages = append(pages, n)
	}
	sort.Ints(pages)
	var pre *types.IndirectRef // "q", shared by every page with boxes
	for _, n := range pages {
		if len(boxes[n]) == 0 {
			continue
		}
		if pre == nil {
			if pre, err = newStream(pdf.XRefTable, []byte("q\n")); err != nil {
				return Result{}, err
			}
		}
		if err := drawBoxes(pdf, doc, n, *pre, rotate[n], boxes[n], opts.Label); err != nil {
			return Result{}, err
		}
		res.Boxes += len(boxes[n])
		res.Pages++
	}
	resolveLazy(pdf)
	// A PDF encrypted with an empty user password (permissions only) is
	// written without the encryption: the redacted copy is meant to be read.
	pdf.Cmd = model.DECRYPT
	if err := api.WriteContext(pdf, w); err != nil {
		return Result{}, fmt.Errorf("redact: writing the redacted PDF: %w", err)
	}
	return res, nil
}

// userBox converts a box the user marked on the displayed page to default
// user space.
func userBox(p *pdftext.Page, b Box) box {
	out := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, c := range [4][2]float64{{b.X, b.Y}, {b.X + b.Width, b.Y}, {b.X, b.Y + b.Height}, {b.X + b.Width, b.Y + b.Height}} {
		x, y := p.FromView(c[0], c[1])
		out.llx, out.lly = math.Min(out.llx, x), math.Min(out.lly, y)
		out.urx, out.ury = math.Max(out.urx, x), math.Max(out.ury, y)
	}
	return out
}

// TextSpans turns byte ranges of p.Text (matches found in the page text)
// into glyph spans for Finder.
func TextSpans(p *pdftext.Page, ranges [][2]int) [][]int {
	var out [][]int
	for _, r := range ranges {
		if g := p.GlyphsIn(r[0], r[1]); len(g) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// spanBoxes covers a span's glyphs with boxes, one per run of glyphs on
// one line.
func spanBoxes(glyphs []pdftext.Glyph) []box {
	var out []box
	for _, g := range glyphs {
		b := box{g.Box[0], g.Box[1], g.Box[2], g.Box[3]}
		if n := len(out); n > 0 {
			last := &out[n-1]
			// Same line: the boxes overlap vertically (or horizontally,
			// for text running up or down) by more than half.
			oy := math.Min(last.ury, b.ury) - math.Max(last.lly, b.lly)
			ox := math.Min(last.urx, b.urx) - math.Max(last.llx, b.llx)
			if oy > 0.5*(b.ury-b.lly) || ox > 0.5*(b.urx-b.llx) {
				last.llx, last.lly = math.Min(last.llx, b.llx), math.Min(last.lly, b.lly)
				last.urx, last.ury = math.Max(last.urx, b.urx), math.Max(last.ury, b.ury)
				continue
			}
		}
		out = append(out, b)
	}
	return out
}

func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-" || s == "-0" {
		return "0"
	}
	return s
}

type edit struct {
	start, end int
	text       []byte
}

// rewriteStream replaces the stream object obj with its content minus the
// removed glyphs, and with ActualText, Alt and E (expansion) strings of
// marked content emptied.
func rewriteStream(pdf *model.Context, obj int, rem map[int][]removal, cut [][2]int) error {
	entry, ok := pdf.XRefTable.Table[obj]
	if !ok || entry == nil {
		return fmt.Errorf("redact: redacting a PDF: content stream %d: %w", obj, pdftext.ErrDamaged)
	}
	sd, ok := entry.Object.(types.StreamDict)
	if !ok {
		return fmt.Errorf("redact: redacting a PDF: content stream %d: %w", obj, pdftext.ErrDamaged)
	}
	src, err := sd.DecodeLengthWithLimit(-1, 256<<20)
	if err != nil {
		return fmt.Errorf("redact: redacting a PDF: content stream %d: %w", obj, pdftext.ErrDamaged)
	}
	edits := streamEdits(src, func(start int) []removal { return rem[start] })
	if len(cut) > 0 {
		// Paths under a user's box go whole; an edit that would overlap
		// another is left out (they do not overlap in a valid stream).
		for _, c := range cut {
			edits = append(edits, edit{c[0], c[1], []byte(" ")})
		}
		sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
		kept := edits[:0]
		end := -1
		for _, e := range edits {
			if e.start < end || e.start > e.end || e.end > len(src) {
				continue
			}
			kept = append(kept, e)
			end = e.end
		}
		edits = kept
	}
	if len(edits) == 0 {
		return nil
	}
	var out bytes.Buffer
	prev := 0
	for _, e := range edits {
		out.Write(src[prev:e.start])
		out.Write(e.text)
		prev = e.end
	}
	out.Write(src[prev:])
	nd := types.NewDict()
	for k, v := range sd.Dict {
		switch k {
		case "Filter", "DecodeParms", "Length", "DL":
			continue
		}
		nd[k] = v
	}
	ns, err := flateStream(out.Bytes())
	if err != nil {
		return fmt.Errorf("redact: redacting a PDF: encoding a content stream: %w", err)
	}
	for k, v := range nd {
		ns.Dict[k] = v
	}
	entry.Object = *ns
	return nil
}

// streamEdits lists the changes to a content stream that remove glyphs:
// removed(start) returns the glyphs to take out of the string token that
// starts at byte start. Tj, ' and " become TJ so the removed glyphs can be
// replaced by adjustments. Marked-content ActualText, Alt and E strings
// are emptied too.
func streamEdits(src []byte, removed func(start int) []removal) []edit {
	var edits []edit
	lx := pdftext.NewLexer(src)
	var ops []pdftext.Token
	opStart := -1
	var prevName string
	for {
		t := lx.Next()
		if t.Kind == pdftext.KindEOF {
			break
		}
		if t.Kind == pdftext.KindComment {
			continue
		}
		if t.Kind == pdftext.KindInlineImage {
			// An inline image's data ends its BI ... ID ... EI operator.
			ops, opStart, prevName = ops[:0], -1, ""
			continue
		}
		if t.Kind == pdftext.KindString || t.Kind == pdftext.KindHexString {
			switch prevName {
			case "ActualText", "Alt", "E":
				if len(bytes.TrimSpace(pdftext.DecodeString(t.Bytes(src)))) > 0 {
					edits = append(edits, edit{t.Start, t.End, []byte("()")})
				}
			}
		}
		prevName = ""
		if t.Kind == pdftext.KindName {
			prevName = pdftext.NameValue(t.Bytes(src))
		}
		if t.Kind != pdftext.KindOperator || !pdftext.IsOperator(t.Bytes(src)) {
			if opStart < 0 {
				opStart = t.Start
			}
			if len(ops) < 1<<14 {
				ops = append(ops, t)
			}
			continue
		}
		op := string(t.Bytes(src))
		if text, ok := rewriteShow(src, op, ops, removed); ok {
			// Keep ActualText edits inside the operands out of the way.
			for len(edits) > 0 && edits[len(edits)-1].start >= opStart {
				edits = edits[:len(edits)-1]
			}
			edits = append(edits, edit{opStart, t.End, text})
		}
		ops = ops[:0]
		opStart = -1
	}
	return edits
}

// rewriteShow rewrites one text-showing operator whose strings lose
// glyphs; ok is false when nothing changes.
func rewriteShow(src []byte, op string, ops []pdftext.Token, removed func(int) []removal) ([]byte, bool) {
	switch op {
	case "Tj", "'", "\"", "TJ":
	default:
		return nil, false
	}
	changed := false
	for _, t := range ops {
		if (t.Kind == pdftext.KindString || t.Kind == pdftext.KindHexString) && len(removed(t.Start)) > 0 {
			changed = true
		}
	}
	if !changed || len(ops) == 0 {
		return nil, false
	}
	var b bytes.Buffer
	switch op {
	case "'":
		b.WriteString("T* ")
	case "\"":
		if len(ops) < 3 {
			return nil, false
		}
		fmt.Fprintf(&b, "%s Tw %s Tc T* ", ops[len(ops)-3].Bytes(src), ops[len(ops)-2].Bytes(src))
	}
	b.WriteByte('[')
	elems := ops
	if op != "TJ" {
		elems = ops[len(ops)-1:]
	}
	for _, t := range elems {
		switch t.Kind {
		case pdftext.KindArrayBegin, pdftext.KindArrayEnd:
			continue
		case pdftext.KindString, pdftext.KindHexString:
			if rem := removed(t.Start); len(rem) > 0 {
				writeSplit(&b, pdftext.DecodeString(t.Bytes(src)), rem)
				continue
			}
		}
		b.Write(t.Bytes(src))
		b.WriteByte(' ')
	}
	b.WriteString("] TJ")
	return b.Bytes(), true
}

// writeSplit writes a string without its removed codes: the kept runs as
// hex strings, each removed run as one adjustment.
func writeSplit(b *bytes.Buffer, s []byte, rem []removal) {
	rem = append([]removal(nil), rem...)
	sort.Slice(rem, func(i, j int) bool { return rem[i].code < rem[j].code })
	pos := 0
	kern := 0.0
	flush := func() {
		if kern != 0 {
			b.WriteString(num(kern))
			b.WriteByte(' ')
			kern = 0
		}
	}
	for _, r := range rem {
		if r.code < pos || r.code+r.n > len(s) {
			continue
		}
		if r.code > pos {
			flush()
			b.Write(pdftext.EncodeHex(s[pos:r.code]))
			b.WriteByte(' ')
		}
		kern += r.kern
		pos = r.code + r.n
	}
	flush()
	if pos < len(s) {
		b.Write(pdftext.EncodeHex(s[pos:]))
		b.WriteByte(' ')
	}
}

const labelFont = "DossierRedactLabel"

// drawBoxes adds the boxes to page n: the page's content is wrapped in
// q ... Q so its graphics state cannot move the boxes, which are drawn last,
// in black, with the label in white where it fits.
func drawBoxes(pdf *model.Context, doc *pdftext.Document, n int, pre types.IndirectRef, rotate int, boxes []box, label string) error {
	_, page, ok := doc.PageRef(n)
	if !ok {
		return fmt.Errorf("redact: redacting a PDF: page %d: %w", n, pdftext.ErrDamaged)
	}
	xr := pdf.XRefTable
	// A Latin-1 label is text in Helvetica; any other (Chinese, say) is
	// drawn as the outlines of its glyphs in the cover's fonts.
	lat, err := charmap.Windows1252.NewEncoder().String(label)
	var outline string
	var outlineWidth float64
	if err != nil {
		lat = ""
		if o, w, ok := outlineLabel(label); ok {
			outline, outlineWidth = o, w
		}
	}
	var c strings.Builder
	c.WriteString("\nQ\nq 0 g 0 G\n")
	for _, b := range boxes {
		fmt.Fprintf(&c, "%s %s %s %s re f\n", num(b.llx), num(b.lly), num(b.urx-b.llx), num(b.ury-b.lly))
	}
	for _, b := range boxes {
		w, h := b.urx-b.llx, b.ury-b.lly
		length, thick := w, h
		if rotate == 90 || rotate == 270 {
			length, thick = h, w
		}
		size := math.Min(thick*0.6, 8)
		tw := float64(len(lat)) * size * 0.5
		if outline != "" {
			tw = outlineWidth * size / outlineUnits
		}
		if lat == "" && outline == "" || size < 3 || tw*1.1 > length {
			continue
		}
		var tm string
		switch rotate {
		case 90:
			tm = fmt.Sprintf("0 1 -1 0 %s %s", num(b.llx+w/2+size*0.35), num(b.lly+(h-tw)/2))
		case 180:
			tm = fmt.Sprintf("-1 0 0 -1 %s %s", num(b.urx-(w-tw)/2), num(b.lly+h/2+size*0.35))
		case 270:
			tm = fmt.Sprintf("0 -1 1 0 %s %s", num(b.llx+w/2-size*0.35), num(b.ury-(h-tw)/2))
		default:
			tm = fmt.Sprintf("1 0 0 1 %s %s", num(b.llx+(w-tw)/2), num(b.lly+h/2-size*0.35))
		}
		if outline != "" {
			k := size / outlineUnits
			ks := strconv.FormatFloat(k, 'f', 6, 64)
			fmt.Fprintf(&c, "q 1 g %s cm %s 0 0 %s 0 0 cm\n%sf Q\n", tm, ks, ks, outline)
			continue
		}
		fmt.Fprintf(&c, "BT 1 g /%s %s Tf %s Tm %s Tj ET\n", labelFont, num(size), tm, literal(lat))
	}
	c.WriteString("Q\n")
	post, err := newStream(xr, []byte(c.String()))
	if err != nil {
		return err
	}
	contents := types.Array{pre}
	switch v := page["Contents"].(type) {
	case types.IndirectRef:
		if a, err := xr.DereferenceArray(v); err == nil && a != nil {
			contents = append(contents, a...)
		} else {
			contents = append(contents, v)
		}
	case types.Array:
		contents = append(contents, v...)
	}
	contents = append(contents, *post)
	page["Contents"] = contents

	var resources types.Dict
	if d, err := xr.DereferenceDict(page["Resources"]); err == nil && d != nil {
		resources = d.Clone().(types.Dict)
	} else if inh := doc.PageResources(n); inh != nil {
		resources = inh.Clone().(types.Dict)
	} else {
		resources = types.NewDict()
	}
	fonts := types.NewDict()
	if d, err := xr.DereferenceDict(resources["Font"]); err == nil && d != nil {
		fonts = d.Clone().(types.Dict)
	}
	fonts[labelFont] = types.Dict{"Type": types.Name("Font"), "Subtype": types.Name("Type1"), "BaseFont": types.Name("Helvetica"), "Encoding": types.Name("WinAnsiEncoding")}
	resources["Font"] = fonts
	page["Resources"] = resources
	return nil
}

// newStream adds a small uncompressed stream (the boxes: a few lines each,
// not worth a compressor's memory).
func newStream(xr *model.XRefTable, data []byte) (*types.IndirectRef, error) {
	sd := &types.StreamDict{Dict: types.NewDict(), Content: data}
	if err := sd.Encode(); err != nil {
		return nil, fmt.Errorf("redact: redacting a PDF: %w", err)
	}
	ref, err := xr.IndRefForNewObject(*sd)
	if err != nil {
		return nil, fmt.Errorf("redact: redacting a PDF: %w", err)
	}
	return ref, nil
}

func literal(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '(' || c == ')' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 32 || c > 126:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
	return b.String()
}

// resolveLazy decodes every object still waiting in an object stream.
// pdfcpu's writer writes such an object as it is, without following its
// references, so whatever only it refers to (the font programs of a font
// descriptor kept in an object stream, say) would be left out of the file.
func resolveLazy(pdf *model.Context) {
	xr := pdf.XRefTable
	for nr, e := range xr.Table {
		if e == nil || e.Free {
			continue
		}
		if _, lazy := e.Object.(types.LazyObjectStreamObject); !lazy {
			continue
		}
		gen := 0
		if e.Generation != nil {
			gen = *e.Generation
		}
		xr.Dereference(*types.NewIndirectRef(nr, gen))
	}
}
