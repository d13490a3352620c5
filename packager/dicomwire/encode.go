package dicomwire

import (
	"errors"
	"fmt"
	"io"
)

// ErrTooLong is returned for a value too long for the 2-byte length of its
// VR.
var ErrTooLong = errors.New("dicomwire: value too long for its VR")

// AppendHeader appends the header of an element (tag, VR and length in
// syntax s; items and delimiters always as in implicit VR). A length above
// 0xFFFF with a VR of 2-byte length is ErrTooLong (nothing is appended).
func AppendHeader(b []byte, s Syntax, t Tag, vr string, length uint32) ([]byte, error) {
	bo := s.order()
	if !s.Implicit && !t.IsDelimiter() && !LongLength(vr) && length > 0xFFFF {
		return b, fmt.Errorf("%w: %d bytes in %s (VR %s)", ErrTooLong, length, t, vr)
	}
	b = bo.AppendUint16(b, t.Group())
	b = bo.AppendUint16(b, t.Element())
	if s.Implicit || t.IsDelimiter() {
		return bo.AppendUint32(b, length), nil
	}
	if len(vr) != 2 {
		vr = "UN"
	}
	b = append(b, vr...)
	if LongLength(vr) {
		b = append(b, 0, 0)
		return bo.AppendUint32(b, length), nil
	}
	return bo.AppendUint16(b, uint16(length)), nil
}

// HeaderLen returns the length of an element header for vr in syntax s.
func HeaderLen(s Syntax, vr string) int {
	if !s.Implicit && LongLength(vr) {
		return 12
	}
	return 8
}

// AppendElement appends an element whose value is v padded to even length
// (PadByte). The header is written for the padded length.
func AppendElement(b []byte, s Syntax, t Tag, vr string, v []byte) ([]byte, error) {
	n := len(v) + len(v)%2
	b, err := AppendHeader(b, s, t, vr, uint32(n))
	if err != nil {
		return b, err
	}
	b = append(b, v...)
	if len(v)%2 == 1 {
		b = append(b, PadByte(vr))
	}
	return b, nil
}

// AppendString appends a character-string element (see AppendElement).
func AppendString(b []byte, s Syntax, t Tag, vr, v string) ([]byte, error) {
	return AppendElement(b, s, t, vr, []byte(v))
}

// AppendUS appends a US element of one value.
func AppendUS(b []byte, s Syntax, t Tag, v uint16) []byte {
	b, _ = AppendHeader(b, s, t, "US", 2)
	return s.order().AppendUint16(b, v)
}

// AppendUL appends a UL element of one value.
func AppendUL(b []byte, s Syntax, t Tag, v uint32) []byte {
	b, _ = AppendHeader(b, s, t, "UL", 4)
	return s.order().AppendUint32(b, v)
}

// AppendItem appends an item header of length n (UndefinedLength for an
// item closed by AppendItemDelimiter).
func AppendItem(b []byte, s Syntax, n uint32) []byte {
	b, _ = AppendHeader(b, s, Item, "", n)
	return b
}

// AppendItemDelimiter appends an item delimitation item.
func AppendItemDelimiter(b []byte, s Syntax) []byte {
	b, _ = AppendHeader(b, s, ItemDelimitationItem, "", 0)
	return b
}

// AppendSequenceDelimiter appends a sequence delimitation item.
func AppendSequenceDelimiter(b []byte, s Syntax) []byte {
	b, _ = AppendHeader(b, s, SequenceDelimitationItem, "", 0)
	return b
}

// AppendEncapsulated appends an encapsulated value of tag t (VR OB or OW,
// undefined length): a Basic Offset Table item holding offsets, one item
// per fragment (odd fragments padded with a NUL), and the sequence
// delimiter.
func AppendEncapsulated(b []byte, s Syntax, t Tag, vr string, offsets []uint32, fragments [][]byte) []byte {
	b, _ = AppendHeader(b, s, t, vr, UndefinedLength)
	b = AppendItem(b, s, uint32(4*len(offsets)))
	bo := s.order()
	for _, o := range offsets {
		b = bo.AppendUint32(b, o)
	}
	for _, f := range fragments {
		b = AppendItem(b, s, uint32(len(f)+len(f)%2))
		b = append(b, f...)
		if len(f)%2 == 1 {
			b = append(b, 0)
		}
	}
	return AppendSequenceDelimiter(b, s)
}

// Encoder streams elements to an io.Writer in one syntax. The first error
// sticks: later calls do nothing and return it.
type Encoder struct {
	w   io.Writer
	s   Syntax
	buf []byte
	err error
}

// NewEncoder returns an Encoder writing to w in syntax s.
func NewEncoder(w io.Writer, s Syntax) *Encoder {
	return &Encoder{w: w, s: s, buf: make([]byte, 0, 16)}
}

// Syntax returns the encoder's syntax.
func (e *Encoder) Syntax() Syntax { return e.s }

// Header writes an element header (see AppendHeader).
func (e *Encoder) Header(t Tag, vr string, length uint32) error {
	if e.err != nil {
		return e.err
	}
	b, err := AppendHeader(e.buf[:0], e.s, t, vr, length)
	if err != nil {
		return err // a caller's mistake, not a broken writer: not sticky
	}
	e.buf = b
	return e.Write(b)
}

// Write writes raw value bytes.
func (e *Encoder) Write(p []byte) error {
	if e.err != nil {
		return e.err
	}
	if _, err := e.w.Write(p); err != nil {
		e.err = err
	}
	return e.err
}

// Element writes an element whose value is v padded to even length.
func (e *Encoder) Element(t Tag, vr string, v []byte) error {
	if err := e.Header(t, vr, uint32(len(v)+len(v)%2)); err != nil {
		return err
	}
	if err := e.Write(v); err != nil {
		return err
	}
	if len(v)%2 == 1 {
		return e.Write([]byte{PadByte(vr)})
	}
	return nil
}

// Item writes an item header of length n.
func (e *Encoder) Item(n uint32) error { return e.Header(Item, "", n) }

// ItemDelimiter writes an item delimitation item.
func (e *Encoder) ItemDelimiter() error { return e.Header(ItemDelimitationItem, "", 0) }

// SequenceDelimiter writes a sequence delimitation item.
func (e *Encoder) SequenceDelimiter() error { return e.Header(SequenceDelimitationItem, "", 0) }
