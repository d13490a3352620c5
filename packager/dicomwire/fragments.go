package dicomwire

import (
	"context"
	"encoding/binary"
	"errors"
)

// Fragments iterates the items of an encapsulated value (PS3.5 A.4): the
// Basic Offset Table (item 0), then one item per fragment, up to the
// sequence delimiter. Only item headers are read.
//
//	f := dicomwire.Fragments{Src: src, Syntax: s, Tag: el.Tag, Off: el.ValueOffset(), End: end, Size: size}
//	for f.Next() { off, n := f.Value(); ... }
//	if err := f.Err(); err != nil { ... }
//	after := f.Offset()
type Fragments struct {
	Src    Source
	Syntax Syntax
	// Tag is the element holding the value (for errors).
	Tag Tag
	// Off is the offset of the first item; End bounds the value; Size is
	// the size of the whole input (End when 0).
	Off, End, Size int64
	// Ctx, when set, is checked every few thousand items.
	Ctx context.Context

	index    int
	started  bool
	done     bool
	err      error
	voff, vn int64
}

// Next moves to the next item and reports whether there is one; it returns
// false at the sequence delimiter or on an error.
func (f *Fragments) Next() bool {
	if f.done {
		return false
	}
	if f.started {
		f.Off += 8 + f.vn
		f.index++
	}
	f.started = true
	if f.index%ctxCheckEvery == ctxCheckEvery-1 && f.Ctx != nil {
		if err := f.Ctx.Err(); err != nil {
			return f.fail(err)
		}
	}
	i := f.index
	if f.End-f.Off < 8 {
		e := newErr(Truncated, f.Off, "truncated in element %s (encapsulated value)", f.Tag)
		e.Tag, e.Index = f.Tag, i
		return f.fail(e)
	}
	b, err := peek(f.Src, f.Off, 8)
	if err != nil {
		if errors.Is(err, ErrShort) {
			e := newErr(Truncated, f.Off, "truncated in element %s (encapsulated value)", f.Tag)
			e.Tag, e.Index = f.Tag, i
			return f.fail(e)
		}
		return f.fail(err)
	}
	t := f.Syntax.tagAt(b)
	vl := f.Syntax.ByteOrder().Uint32(b[4:])
	switch {
	case t == SequenceDelimitationItem:
		f.Off += 8
		f.done = true
		f.vn = 0
		return false
	case t != Item || vl == UndefinedLength:
		e := newErr(Malformed, f.Off, "unexpected element %s in encapsulated value of %s", t, f.Tag)
		e.Tag, e.Found, e.Index, e.Length = f.Tag, t, i, vl
		return f.fail(e)
	case int64(vl) > f.End-f.Off-8:
		e := newErr(Truncated, f.Off, "truncated in element %s (fragment %d)", f.Tag, i)
		size := f.Size
		if size == 0 {
			size = f.End
		}
		switch {
		case implausible(vl, size):
			e.Kind = Implausible
		case f.End < size:
			e.Kind = Overrun
		}
		e.Tag, e.Index, e.Length, e.Have = f.Tag, i, vl, f.End-f.Off-8
		return f.fail(e)
	}
	f.voff, f.vn = f.Off+8, int64(vl)
	return true
}

func (f *Fragments) fail(err error) bool {
	f.err = err
	f.done = true
	return false
}

// Index returns the index of the current item (0 is the Basic Offset
// Table).
func (f *Fragments) Index() int { return f.index }

// Value returns the file offset and length of the current item's value.
func (f *Fragments) Value() (off, n int64) { return f.voff, f.vn }

// Offset returns the offset of the current item's header, or after the
// sequence delimiter once Next has returned false without an error.
func (f *Fragments) Offset() int64 { return f.Off }

// Err returns the error that ended the iteration, if any.
func (f *Fragments) Err() error { return f.err }

// DecodeOffsets decodes a Basic Offset Table value (32-bit offsets, little
// endian as every encapsulated transfer syntax is).
func DecodeOffsets(b []byte) []uint32 {
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}
