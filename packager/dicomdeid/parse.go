package dicomdeid

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
)

const (
	undefinedLength = dicomwire.UndefinedLength
	// bigValue: binary values longer than this are not loaded but streamed
	// from the source when written.
	bigValue = 1 << 20
	// maxHeaderLoad: header regions up to this size are read in one go.
	maxHeaderLoad = 64 << 20
)

// elem is one parsed data element.
type elem struct {
	tag dicomwire.Tag
	vr  string
	// val is the value in the source byte order (nil for sequences and for
	// values streamed from ref).
	val []byte
	// ref >= 0: the value is n bytes at file offset ref, copied on write.
	ref, n int64
	// items of a sequence.
	items []*item
	// encap: an undefined-length OB/OW value; val holds its items and the
	// sequence delimiter as they were.
	encap bool
	// e is the encoding the value was read with (for numbers).
	e dicomwire.Syntax
}

type item struct {
	elems []*elem
}

func (e *elem) isSeq() bool { return e.vr == "SQ" }

// parser reads the header region [base, end) of a file into elements. It
// is the dicomwire.Source of the walk; the slices it returns stay valid.
type parser struct {
	ctx  context.Context
	r    io.ReaderAt
	base int64
	buf  []byte // the region when loaded
	end  int64
}

// At returns n bytes at off (a slice of the loaded region, or a new read).
func (p *parser) At(off int64, n int) ([]byte, error) {
	if off < p.base || n < 0 || off+int64(n) > p.end {
		return nil, dicomwire.ErrShort
	}
	if p.buf != nil {
		return p.buf[off-p.base : off-p.base+int64(n)], nil
	}
	if n == 0 {
		return []byte{}, nil
	}
	b := make([]byte, n)
	if _, err := p.r.ReadAt(b, off); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, dicomwire.ErrShort
		}
		return nil, err
	}
	return b, nil
}

func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}

// wrap adds what was being done (context, may be "") to err: after the
// package's prefix when err does not carry it yet, else in brackets, so
// that the prefix comes once.
func wrap(context string, err error) error {
	if !strings.HasPrefix(err.Error(), "dicomdeid: ") {
		if context == "" {
			return fmt.Errorf("dicomdeid: %w", err)
		}
		return fmt.Errorf("dicomdeid: %s: %w", context, err)
	}
	if context == "" {
		return err
	}
	return fmt.Errorf("%w (%s)", err, context)
}

func tagText(t dicomwire.Tag) string { return t.String() }

// dataset parses the elements of [off, end) in syntax s.
//
// It is stricter than dicomx's reader: an unknown VR, a VR that
// contradicts the dictionary or a stray sequence delimiter is damage,
// since the rewritten file would say something else than the original.
// A standard attribute stored as UN is read as what it is.
func (p *parser) dataset(off, end int64, s dicomwire.Syntax) ([]*elem, error) {
	var root []*elem
	open := make([]*elem, dicomwire.MaxDepth+2) // the element at each depth
	list := func(depth int) *[]*elem {
		if depth == 0 {
			return &root
		}
		it := open[depth-1].items
		return &it[len(it)-1].elems
	}
	w := &dicomwire.Walker{Src: p, Size: end, Syntax: s, Ctx: p.ctx}
	w.Warn = func(k dicomwire.Warning, e *dicomwire.Element) error {
		switch k {
		case dicomwire.StraySequenceDelimiter:
			return damaged("unexpected item tag %s in dataset", e.Tag)
		case dicomwire.UnknownVR:
			// Readers disagree on the length field of unknown VRs: never
			// pass one on.
			return damaged("invalid or unknown VR in element %s", e.Tag)
		}
		return nil // stray item delimiters are dropped
	}
	w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
		t := e.Tag
		el := &elem{tag: t, vr: e.VR, ref: -1, e: e.Syntax}
		std := !t.IsPrivate() && t.Group()&1 == 0
		if !e.Syntax.Implicit && std && el.vr != "UN" {
			if d := dicomwire.DictVR(t); d != "UN" && vrClass(d) != vrClass(el.vr) {
				// Values would be read differently by other programs
				// (and by this one once rewritten).
				return dicomwire.Continue, damaged("VR %s of element %s contradicts the dictionary (%s)", el.vr, t, d)
			}
		}
		if el.vr == "UN" {
			d := dicomwire.DictVR(t)
			switch {
			case e.Undefined() || (std && d == "SQ"):
				// Items of UN are implicit VR little endian (PS3.5 6.2.2).
				el.vr, e.VR, e.ItemSyntax = "SQ", "SQ", dicomwire.ImplicitLE
			case std && d != "UN" && (dicomwire.IsText(d) || !e.Syntax.BigEndian):
				el.vr = d
			}
		}
		*list(e.Depth) = append(*list(e.Depth), el)
		open[e.Depth] = el
		return dicomwire.Continue, nil
	}
	w.Item = func(seq *dicomwire.Element, _ int, _ int64) error {
		el := open[seq.Depth]
		el.items = append(el.items, &item{})
		return nil
	}
	w.End = func(e *dicomwire.Element, next int64) error {
		el := open[e.Depth]
		vstart := e.ValueOffset()
		var err error
		switch {
		case e.IsSequence():
		case e.Undefined():
			el.encap = true
			el.val, err = p.At(vstart, int(next-vstart))
		case int64(e.Length) > bigValue && !dicomwire.IsText(el.vr) && el.vr != "UI":
			el.ref, el.n = vstart, int64(e.Length)
		default:
			el.val, err = p.At(vstart, int(e.Length))
		}
		if errors.Is(err, dicomwire.ErrShort) {
			return damaged("truncated at offset %d", e.Offset)
		}
		return err
	}
	if _, err := w.Walk(off, end); err != nil {
		var we *dicomwire.Error
		if errors.As(err, &we) {
			return nil, fmt.Errorf("%w: %w", ErrDamaged, we)
		}
		return nil, err
	}
	return root, nil
}

// readMeta parses the meta group of the file l describes (nil when it has
// none).
func readMeta(ctx context.Context, r io.ReaderAt, l *dicomx.Layout) ([]*elem, error) {
	if l.DatasetOffset <= l.MetaOffset {
		return nil, nil
	}
	mp := &parser{ctx: ctx, r: r, base: l.MetaOffset, end: l.DatasetOffset}
	return mp.dataset(l.MetaOffset, l.DatasetOffset, dicomwire.MetaSyntax(mp, l.MetaOffset))
}

// datasetSyntax returns the encoding of the dataset l describes.
func datasetSyntax(l *dicomx.Layout) dicomwire.Syntax {
	return dicomwire.Syntax{Implicit: l.ImplicitVR, BigEndian: l.BigEndian}
}

// vrClass groups VRs whose values are read alike: character strings, binary
// numbers and bytes, sequences.
func vrClass(vr string) int {
	switch {
	case vr == "SQ":
		return 2
	case dicomwire.IsText(vr) || vr == "UI":
		return 1
	}
	return 0
}
