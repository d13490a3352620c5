package dicomdeid

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"dossier/packager/dicomwire"
)

// writer encodes elements in one encoding. Sequences and items are written
// with undefined length (empty sequences with length 0).
type writer struct {
	w   *bufio.Writer // under enc, for values copied from src
	enc *dicomwire.Encoder
	e   dicomwire.Syntax
	src io.ReaderAt
	ctx context.Context
	n   int
}

func newWriter(ctx context.Context, w *bufio.Writer, e dicomwire.Syntax, src io.ReaderAt) *writer {
	return &writer{w: w, enc: dicomwire.NewEncoder(w, e), e: e, src: src, ctx: ctx}
}

func (w *writer) header(t dicomwire.Tag, vr string, vl uint32) error {
	err := w.enc.Header(t, vr, vl)
	if errors.Is(err, dicomwire.ErrTooLong) {
		return fmt.Errorf("%w: value of %s too long for VR %s", ErrUnsupported, tagText(t), vr)
	}
	return err
}

func (w *writer) elem(e *elem) error {
	w.n++
	if w.n%4096 == 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
	}
	vr := e.vr
	if !dicomwire.VRShape(vr) {
		vr = "UN"
	}
	switch {
	case e.isSeq():
		if len(e.items) == 0 {
			return w.header(e.tag, "SQ", 0)
		}
		if err := w.header(e.tag, "SQ", undefinedLength); err != nil {
			return err
		}
		for _, it := range e.items {
			w.enc.Item(undefinedLength)
			for _, c := range it.elems {
				if err := w.elem(c); err != nil {
					return err
				}
			}
			w.enc.ItemDelimiter()
		}
		return w.enc.SequenceDelimiter()
	case e.encap:
		if e.e.BigEndian != w.e.BigEndian {
			return fmt.Errorf("%w: byte order change in encapsulated value of %s", ErrUnsupported, tagText(e.tag))
		}
		if err := w.header(e.tag, vr, undefinedLength); err != nil {
			return err
		}
		return w.enc.Write(e.val)
	case e.ref >= 0:
		if e.e.BigEndian != w.e.BigEndian {
			return fmt.Errorf("%w: byte order change in value of %s", ErrUnsupported, tagText(e.tag))
		}
		if e.n%2 == 1 || e.n > 0xFFFFFFFE {
			return fmt.Errorf("%w: odd or oversized length in %s", ErrDamaged, tagText(e.tag))
		}
		if err := w.header(e.tag, vr, uint32(e.n)); err != nil {
			return err
		}
		return copyRange(w.ctx, w.w, w.src, e.ref, e.n)
	}
	if e.e.BigEndian != w.e.BigEndian && !dicomwire.IsText(vr) && vr != "UI" && len(e.val) > 1 {
		return fmt.Errorf("%w: byte order change in value of %s", ErrUnsupported, tagText(e.tag))
	}
	v := padded(e)
	if err := w.header(e.tag, vr, uint32(len(v))); err != nil {
		return err
	}
	return w.enc.Write(v)
}
