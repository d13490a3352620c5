package dicomwire

import (
	"context"
	"errors"
	"io"
	"sync"
)

// ErrDeflated is returned by OpenPart10 for a dataset in the Deflated
// Explicit VR Little Endian transfer syntax, which callers reading raw
// elements cannot walk.
var ErrDeflated = errors.New("dicomwire: deflated dataset")

// Part10 is an opened Part 10 file: a window over its bytes, its file meta
// information and the encoding of the dataset that follows it.
type Part10 struct {
	Src    *Window
	Size   int64
	Meta   MetaInfo
	Syntax Syntax
}

// OpenPart10 reads the preamble (when present) and the file meta group of a
// Part 10 file and works out the dataset's encoding from its transfer
// syntax (explicit VR little endian unless it says implicit VR or big
// endian). A deflated dataset gives ErrDeflated. When r holds the file's
// first bytes in memory already (a Prefix method, as dicomx.Prefixed), they
// are read from there, not copied.
func OpenPart10(r io.ReaderAt, size int64) (*Part10, error) {
	var spare []byte
	if b, ok := part10Bufs.Get().(*[]byte); ok {
		spare = *b
	}
	var win *Window
	if p, ok := r.(interface{ Prefix() []byte }); ok {
		win = NewWindowPrefix(r, size, p.Prefix())
		win.spare, win.own = spare[:0], spare[:0] // for what lies beyond the prefix
	} else {
		win = NewWindowSpare(r, size, spare)
	}
	off := int64(0)
	if b, err := win.At(0, PreambleLen); err == nil && HasPreamble(b) {
		off = PreambleLen
	}
	mi, err := ReadMeta(win, off, size)
	if err != nil {
		putPart10Buf(win.Release())
		return nil, err
	}
	p := &Part10{Src: win, Size: size, Meta: mi, Syntax: ExplicitLE}
	switch mi.TransferSyntaxUID {
	case ImplicitVRLittleEndianUID:
		p.Syntax = ImplicitLE
	case ExplicitVRBigEndianUID:
		p.Syntax = ExplicitBE
	case DeflatedExplicitVRLittleEndianUID:
		putPart10Buf(win.Release())
		return nil, ErrDeflated
	}
	return p, nil
}

// part10Bufs keep the windows' buffers of released Part10s for the next
// OpenPart10: a pack's leak scan reads every written DICOM file this way,
// and a new buffer for each was a large share of what it allocated.
var part10Bufs sync.Pool

// maxKeptBuf is the largest window buffer kept for the next file.
const maxKeptBuf = 1 << 20

func putPart10Buf(b []byte) {
	if b != nil && cap(b) <= maxKeptBuf {
		part10Bufs.Put(&b)
	}
}

// Release hands p's buffer on to the next OpenPart10. Neither p nor any
// slice read through it may be used afterwards. Calling it is optional
// (without it the buffer is garbage, as usual).
func (p *Part10) Release() {
	if p.Src != nil {
		putPart10Buf(p.Src.Release())
		p.Src = nil
	}
}

// Walker returns a walker over the dataset of p (call Walk(p.Meta.End, p.Size)).
func (p *Part10) Walker(ctx context.Context) *Walker {
	return &Walker{Src: p.Src, Size: p.Size, Syntax: p.Syntax, Ctx: ctx}
}

// EncapsulatedDocument returns a copy of the top-level Encapsulated
// Document (0042,0011) value of p (an Encapsulated PDF or CDA), or nil when
// it has none or the value is longer than limit bytes.
func (p *Part10) EncapsulatedDocument(ctx context.Context, limit int64) ([]byte, error) {
	var doc []byte
	w := p.Walker(ctx)
	w.Element = func(e *Element) (Action, error) {
		if e.Depth != 0 || e.Tag != EncapsulatedDocument || e.Undefined() {
			return Continue, nil
		}
		if int64(e.Length) > limit {
			return Stop, nil
		}
		v, err := p.Src.At(e.ValueOffset(), int(e.Length))
		if err != nil {
			return Stop, err
		}
		doc = append([]byte(nil), v...)
		return Stop, nil
	}
	if _, err := w.Walk(p.Meta.End, p.Size); err != nil {
		return nil, err
	}
	return doc, nil
}
