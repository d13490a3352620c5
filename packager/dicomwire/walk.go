package dicomwire

import (
	"context"
	"errors"
)

// Limits of a Walker.
const (
	// MaxDepth is the default limit of sequence nesting.
	MaxDepth = 32
	// ctxCheckEvery: the context is checked every so many elements.
	ctxCheckEvery = 4096
)

// Element is the header of one data element, as a Walker hands it to its
// visitor. The visitor must not keep the pointer: the Walker reuses it.
type Element struct {
	Tag Tag
	// VR is the explicit VR, or the dictionary's in implicit VR.
	VR string
	// Length is the value length, or UndefinedLength.
	Length uint32
	// Offset is the file offset of the tag; HeaderLen the length of the
	// header (8 or 12): the value starts at Offset+HeaderLen.
	Offset, HeaderLen int64
	// Depth is 0 at the top level, 1 inside the items of a top-level
	// sequence, and so on.
	Depth int
	// Syntax is the encoding the element was read in. ItemSyntax is the
	// encoding of the items of a sequence: the same, except for a UN value
	// of undefined length (implicit VR little endian, PS3.5 6.2.2). The
	// visitor's Element function may change VR (to "SQ", to read a value
	// as a sequence) and ItemSyntax.
	Syntax, ItemSyntax Syntax
	// Parent is the sequence whose item holds the element (nil at the top
	// level), and ItemIndex the index of that item.
	Parent    *Element
	ItemIndex int
}

// ValueOffset returns the file offset of the value.
func (e *Element) ValueOffset() int64 { return e.Offset + e.HeaderLen }

// Undefined reports an undefined length.
func (e *Element) Undefined() bool { return e.Length == UndefinedLength }

// IsSequence reports a value read as items: VR SQ, or UN of undefined
// length.
func (e *Element) IsSequence() bool {
	return e.VR == "SQ" || (e.VR == "UN" && e.Length == UndefinedLength)
}

// Action tells a Walker what to do after the visitor's Element function.
type Action int

// Actions.
const (
	// Continue reads the value as its header says: the items of a sequence
	// are walked, the fragments of an encapsulated value checked, other
	// values skipped after their length is checked.
	Continue Action = iota
	// Stop ends the walk before the element (Walk returns its offset).
	Stop
)

// Warning is a oddity a Walker passes over.
type Warning int

// Warnings.
const (
	// StrayItemDelimiter: an item delimiter outside an undefined-length item.
	StrayItemDelimiter Warning = iota + 1
	// StraySequenceDelimiter: a sequence delimiter at the top level.
	StraySequenceDelimiter
	// DelimiterInDefinedSequence: a sequence delimiter in a sequence of
	// defined length.
	DelimiterInDefinedSequence
	// UnknownVR: an explicit VR of the right shape that PS3.5 does not
	// define (its length is read as a 2-byte length).
	UnknownVR
)

// Walker walks the elements of a dataset, bounded: every length is checked
// against the data and the enclosing container, nesting is limited, and
// the walk stops at the first element that cannot be DICOM. It reads only
// element and item headers; values are read by the visitor if it wants
// them.
type Walker struct {
	// Src serves the bytes; Size is the number of bytes of the whole input
	// (a container that ends before Size is an item or sequence, not the
	// end of the data).
	Src  Source
	Size int64
	// Syntax is the encoding of the top-level dataset.
	Syntax Syntax
	// Ctx, when set, is checked every few thousand elements.
	Ctx context.Context
	// MaxDepth limits sequence nesting (MaxDepth when 0).
	MaxDepth int
	// Dict gives the VR of an implicit-VR element (DictVR when nil).
	Dict func(Tag) string

	// Element is called with each element's header before its value. It
	// may return Stop, or an error that ends the walk.
	Element func(e *Element) (Action, error)
	// End is called after each element's value, end being the offset
	// after it (after the sequence delimiter of undefined lengths).
	End func(e *Element, end int64) error
	// Item and ItemEnd are called at the start and end of each item of
	// sequence seq.
	Item    func(seq *Element, index int, off int64) error
	ItemEnd func(seq *Element, index int) error
	// Warn is called with oddities the walk passes over; e holds the tag
	// and offset concerned. An error ends the walk.
	Warn func(w Warning, e *Element) error

	// Stopped reports that the walk ended with Stop.
	Stopped bool

	n int
	// stack holds the element being visited at each depth; an element's
	// children point to it as their Parent, so it stays where it is.
	stack []*Element
}

// slot returns the element of depth, made on first use.
func (w *Walker) slot(depth int) *Element {
	for len(w.stack) <= depth {
		w.stack = append(w.stack, new(Element))
	}
	return w.stack[depth]
}

// Walk walks the dataset in [off, end) and returns the offset after it (or
// of the element the visitor stopped at). Errors are *Error values, the
// visitor's errors, or the context's.
func (w *Walker) Walk(off, end int64) (int64, error) {
	return w.dataset(off, end, false, 0, w.Syntax, nil, 0)
}

func (w *Walker) maxDepth() int {
	if w.MaxDepth > 0 {
		return w.MaxDepth
	}
	return MaxDepth
}

func (w *Walker) tick() error {
	w.n++
	if w.n%ctxCheckEvery == 0 && w.Ctx != nil {
		return w.Ctx.Err()
	}
	return nil
}

func (w *Walker) dict(t Tag) string {
	if w.Dict != nil {
		return w.Dict(t)
	}
	return DictVR(t)
}

func (w *Walker) truncated(t Tag, known bool, off int64) *Error {
	if known {
		e := newErr(Truncated, off, "truncated in element %s", t)
		e.Tag = t
		return e
	}
	return newErr(Truncated, off, "truncated in element header at offset %d", off)
}

func (w *Walker) ioErr(err error, t Tag, known bool, off int64) error {
	if errors.Is(err, ErrShort) {
		return w.truncated(t, known, off)
	}
	return err
}

// Header reads the element header at off in syntax s; the element must
// start before end. Item and delimiter tags are read as in implicit VR
// whatever s says. A header that cannot be DICOM is an ErrNotDICOM error.
func (w *Walker) Header(off, end int64, s Syntax) (Element, error) {
	var h Element
	h.Offset, h.Syntax, h.ItemSyntax = off, s, s
	avail := end - off
	if avail < 8 {
		if avail >= 4 {
			if b, err := w.Src.At(off, 4); err == nil {
				t := s.tagAt(b)
				if end < w.Size {
					e := newErr(Overrun, off, "element %s crosses the end of its enclosing item", t)
					e.Tag = t
					return h, e
				}
				return h, w.truncated(t, true, off)
			}
		}
		if end < w.Size {
			return h, newErr(Overrun, off, "element header at offset %d crosses the end of its enclosing item", off)
		}
		return h, w.truncated(0, false, off)
	}
	b, err := w.Src.At(off, 8)
	if err != nil {
		return h, w.ioErr(err, 0, false, off)
	}
	h.Tag = s.tagAt(b)
	bo := s.ByteOrder()
	if allZero(b) {
		e := newErr(NotDICOM, off, "not DICOM after byte %d: an element of zero bytes", off)
		return h, e
	}
	if s.Implicit || h.Tag.IsDelimiter() {
		h.Length = bo.Uint32(b[4:])
		h.HeaderLen = 8
		if !h.Tag.IsDelimiter() {
			h.VR = w.dict(h.Tag)
		}
		return h, nil
	}
	h.VR = vrString(b[4:6])
	if !VRShape(h.VR) {
		e := newErr(NotDICOM, off, "invalid VR in element %s at offset %d", h.Tag, off)
		e.Tag = h.Tag
		return h, e
	}
	if LongLength(h.VR) {
		if avail < 12 {
			return h, w.truncated(h.Tag, true, off)
		}
		b, err = w.Src.At(off, 12)
		if err != nil {
			return h, w.ioErr(err, h.Tag, true, off)
		}
		h.Length = bo.Uint32(b[8:])
		h.HeaderLen = 12
		return h, nil
	}
	h.Length = uint32(bo.Uint16(b[6:]))
	h.HeaderLen = 8
	return h, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (w *Walker) warn(k Warning, e *Element) error {
	if w.Warn != nil {
		return w.Warn(k, e)
	}
	return nil
}

// dataset walks elements in [off, end). With undefined set it stops after
// an item delimiter and fails if none is found.
func (w *Walker) dataset(off, end int64, undefined bool, depth int, s Syntax, parent *Element, index int) (int64, error) {
	prevGroup := -1
	for {
		if off >= end {
			if undefined {
				if end < w.Size {
					return off, newErr(Overrun, off, "item without delimiter crosses the end of its enclosing item")
				}
				return off, newErr(Truncated, off, "truncated in sequence item (missing item delimiter)")
			}
			return off, nil
		}
		h, err := w.Header(off, end, s)
		if err != nil {
			return off, err
		}
		if err := w.tick(); err != nil {
			return off, err
		}
		h.Depth, h.Parent, h.ItemIndex = depth, parent, index
		// The element lives in the depth's slot (handed to the visitor;
		// a local would escape to the heap at every element).
		el := w.slot(depth)
		*el = h
		switch el.Tag {
		case ItemDelimitationItem:
			if undefined {
				return off + 8, nil
			}
			if err := w.warn(StrayItemDelimiter, el); err != nil {
				return off, err
			}
			off += 8
			continue
		case SequenceDelimitationItem:
			if depth == 0 {
				if err := w.warn(StraySequenceDelimiter, el); err != nil {
					return off, err
				}
				off += 8
				continue
			}
			return off, newErr(Malformed, off, "unexpected sequence delimiter in item")
		}
		if el.Tag.IsDelimiter() {
			e := newErr(Malformed, off, "unexpected item tag %s in dataset", el.Tag)
			e.Found = el.Tag
			return off, e
		}
		if g := int(el.Tag.Group()); g < prevGroup {
			e := newErr(NotDICOM, off, "not DICOM after byte %d: group %04X follows group %04X", off, g, prevGroup)
			e.Tag = el.Tag
			return off, e
		} else {
			prevGroup = g
		}
		if !s.Implicit && !KnownVR(el.VR) {
			if err := w.warn(UnknownVR, el); err != nil {
				return off, err
			}
		}
		if el.VR == "UN" && el.Undefined() && !s.Implicit {
			el.ItemSyntax = ImplicitLE
		}
		if w.Element != nil {
			act, err := w.Element(el)
			if err != nil {
				return off, err
			}
			if act == Stop {
				w.Stopped = true
				return off, nil
			}
		}
		vstart := el.ValueOffset()
		var next int64
		switch {
		case el.Undefined() && el.IsSequence():
			next, err = w.sequence(vstart, end, true, depth+1, el)
		case el.Undefined() && (el.VR == "OB" || el.VR == "OW"):
			next, err = w.fragments(vstart, end, el)
		case el.Undefined():
			e := newErr(Malformed, off, "undefined length with VR %s in element %s", el.VR, el.Tag)
			e.Tag = el.Tag
			return off, e
		default:
			if int64(el.Length) > end-vstart {
				return off, w.lengthErr(el, end, vstart)
			}
			next = vstart + int64(el.Length)
			if el.IsSequence() {
				_, err = w.sequence(vstart, next, false, depth+1, el)
			}
		}
		if err != nil {
			return off, err
		}
		if w.End != nil {
			if err := w.End(el, next); err != nil {
				return off, err
			}
		}
		off = next
	}
}

// lengthErr reports a value length beyond end.
func (w *Walker) lengthErr(el *Element, end, vstart int64) *Error {
	var e *Error
	switch {
	case implausible(el.Length, w.Size):
		e = newErr(Implausible, el.Offset, "value length %d exceeds file size in element %s", el.Length, el.Tag)
	case end < w.Size:
		e = newErr(Overrun, el.Offset, "value length %d of element %s exceeds its enclosing item", el.Length, el.Tag)
	default:
		e = newErr(Truncated, el.Offset, "truncated in element %s: %d of %d bytes", el.Tag, end-vstart, el.Length)
	}
	e.Tag, e.Length, e.Have = el.Tag, el.Length, end-vstart
	return e
}

// sequence walks the items of the sequence seq whose value starts at off.
func (w *Walker) sequence(off, end int64, undefined bool, depth int, seq *Element) (int64, error) {
	if depth > w.maxDepth() {
		return off, newErr(Malformed, off, "sequences nested deeper than %d levels", w.maxDepth())
	}
	s := seq.ItemSyntax
	bo := s.ByteOrder()
	for index := 0; ; {
		if off >= end {
			if undefined {
				if end < w.Size {
					return off, newErr(Overrun, off, "sequence %s without delimiter crosses the end of its enclosing item", seq.Tag)
				}
				return off, newErr(Truncated, off, "truncated in sequence %s (missing sequence delimiter)", seq.Tag)
			}
			return off, nil
		}
		if end-off < 8 {
			if end < w.Size {
				return off, newErr(Overrun, off, "item header in sequence %s crosses the end of its enclosing item", seq.Tag)
			}
			return off, newErr(Truncated, off, "truncated in sequence %s", seq.Tag)
		}
		b, err := w.Src.At(off, 8)
		if err != nil {
			return off, w.ioErr(err, seq.Tag, true, off)
		}
		t := s.tagAt(b)
		vl := bo.Uint32(b[4:])
		if err := w.tick(); err != nil {
			return off, err
		}
		switch t {
		case SequenceDelimitationItem:
			if undefined {
				return off + 8, nil
			}
			d := Element{Tag: t, Offset: off, HeaderLen: 8, Depth: depth, Syntax: s, Parent: seq}
			if err := w.warn(DelimiterInDefinedSequence, &d); err != nil {
				return off, err
			}
			off += 8
			continue
		case Item:
		default:
			e := newErr(Malformed, off, "unexpected element %s in sequence %s", t, seq.Tag)
			e.Tag, e.Found, e.Index = seq.Tag, t, index
			return off, e
		}
		if w.Item != nil {
			if err := w.Item(seq, index, off); err != nil {
				return off, err
			}
		}
		if vl == UndefinedLength {
			off, err = w.dataset(off+8, end, true, depth, s, seq, index)
			if err != nil {
				return off, err
			}
		} else {
			if int64(vl) > end-off-8 {
				var e *Error
				switch {
				case implausible(vl, w.Size):
					e = newErr(Implausible, off, "item length %d exceeds file size in sequence %s", vl, seq.Tag)
				case end < w.Size:
					e = newErr(Overrun, off, "item length %d exceeds its sequence %s", vl, seq.Tag)
				default:
					e = newErr(Truncated, off, "truncated in sequence %s: item of %d bytes, %d remain", seq.Tag, vl, end-off-8)
				}
				e.Tag, e.Index, e.Length, e.Have = seq.Tag, index, vl, end-off-8
				return off, e
			}
			if _, err := w.dataset(off+8, off+8+int64(vl), false, depth, s, seq, index); err != nil {
				return off, err
			}
			off += 8 + int64(vl)
		}
		if w.ItemEnd != nil {
			if err := w.ItemEnd(seq, index); err != nil {
				return off, err
			}
		}
		index++
	}
}

// fragments checks the items of the encapsulated value of el up to its
// sequence delimiter and returns the offset after it.
func (w *Walker) fragments(off, end int64, el *Element) (int64, error) {
	f := Fragments{Src: w.Src, Syntax: el.Syntax, Tag: el.Tag, Off: off, End: end, Size: w.Size, Ctx: w.Ctx}
	for f.Next() {
	}
	if err := f.Err(); err != nil {
		return off, err
	}
	return f.Offset(), nil
}
