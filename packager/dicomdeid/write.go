package dicomdeid

import (
	"bufio"
	"context"
	"fmt"
	"io"
)

// writer encodes elements in one encoding. Sequences and items are written
// with undefined length (empty sequences with length 0).
type writer struct {
	w   *bufio.Writer
	e   enc
	src io.ReaderAt
	ctx context.Context
	n   int
}

func (w *writer) u16(v uint16) {
	var b [2]byte
	w.e.bo.PutUint16(b[:], v)
	w.w.Write(b[:])
}

func (w *writer) u32(v uint32) {
	var b [4]byte
	w.e.bo.PutUint32(b[:], v)
	w.w.Write(b[:])
}

func (w *writer) header(t uint32, vr string, vl uint32) error {
	w.u16(uint16(t >> 16))
	w.u16(uint16(t))
	if w.e.implicit || t>>16 == 0xFFFE {
		w.u32(vl)
		return nil
	}
	w.w.WriteString(vr)
	if longVRForm(vr) {
		w.u16(0)
		w.u32(vl)
		return nil
	}
	if vl > 0xFFFF {
		return fmt.Errorf("%w: value of %s too long for VR %s", ErrUnsupported, tagText(t), vr)
	}
	w.u16(uint16(vl))
	return nil
}

func (w *writer) elem(e *elem) error {
	w.n++
	if w.n%4096 == 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
	}
	vr := e.vr
	if !upperVR(vr) {
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
			w.header(tagItem, "", undefinedLength)
			for _, c := range it.elems {
				if err := w.elem(c); err != nil {
					return err
				}
			}
			w.header(tagItemDelim, "", 0)
		}
		return w.header(tagSeqDelim, "", 0)
	case e.encap:
		if e.e.bo != w.e.bo {
			return fmt.Errorf("%w: byte order change in encapsulated value of %s", ErrUnsupported, tagText(e.tag))
		}
		if err := w.header(e.tag, vr, undefinedLength); err != nil {
			return err
		}
		_, err := w.w.Write(e.val)
		return err
	case e.ref >= 0:
		if e.e.bo != w.e.bo {
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
	if e.e.bo != w.e.bo && !isText(vr) && vr != "UI" && len(e.val) > 1 {
		return fmt.Errorf("%w: byte order change in value of %s", ErrUnsupported, tagText(e.tag))
	}
	v := padded(e)
	if err := w.header(e.tag, vr, uint32(len(v))); err != nil {
		return err
	}
	_, err := w.w.Write(v)
	return err
}
