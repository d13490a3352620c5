package dicomx

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"dossier/packager/dicomwire"
)

// Layout says where the parts of a DICOM file lie, for rewriters that copy
// some parts byte for byte (Pixel Data) and rewrite others (the header).
// Offsets are file offsets.
type Layout struct {
	// Header is what ReadHeader returns for the file.
	Header *Header
	// MetaOffset is the first byte of the meta information group (132 after
	// a preamble, else 0); DatasetOffset the first byte after it. They are
	// equal when the file has no meta group.
	MetaOffset, DatasetOffset int64
	// ImplicitVR and BigEndian give the encoding the dataset was walked with
	// (which may differ from the declared transfer syntax: see the Header's
	// warnings).
	ImplicitVR, BigEndian bool
	// Deflated reports a deflated dataset: the offsets below have no meaning
	// in the file.
	Deflated bool
	// PixelElementOffset is the offset of the top-level Pixel Data element's
	// tag (7FE0,0010), or -1 when the file has none. PixelElementEnd is the
	// offset after its value (after the sequence delimiter of encapsulated
	// data); bytes from there to the end of the file are trailing elements.
	PixelElementOffset, PixelElementEnd int64
}

// ByteOrder returns the byte order of the dataset.
func (l *Layout) ByteOrder() binary.ByteOrder {
	if l.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// windowBufs keep the windows' buffers of ReadLayout and ReadHeader for
// the next file: a rewriter reads every file of a case this way, most of
// each file (the window grows over the pixel data to the elements after
// it), and a new buffer for each made most of what a pack allocated. A
// Layout or Header holds no slice of it (the header's values are copies).
var windowBufs = bufPool{max: 1 << 20}

// openWindow opens the reading window of ReadLayout and ReadHeader over r: over the first bytes
// already in memory when r has them (Prefixed), else over a buffer from windowBufs, which release
// gives back.
func openWindow(r io.ReaderAt, size int64) (w *dicomwire.Window, release func()) {
	if p, ok := r.(Prefixed); ok {
		return dicomwire.NewWindowPrefix(r, size, p.Prefix()), func() {}
	}
	w = dicomwire.NewWindowSpare(r, size, windowBufs.get())
	return w, func() { windowBufs.put(w.Release()) }
}

// bufPool keeps byte buffers of up to max bytes.
type bufPool struct {
	max  int
	pool sync.Pool
}

func (p *bufPool) get() []byte {
	if b, ok := p.pool.Get().(*[]byte); ok {
		return *b
	}
	return nil
}

func (p *bufPool) put(b []byte) {
	if b != nil && cap(b) <= p.max {
		p.pool.Put(&b)
	}
}

// ReadLayout reads the header of the DICOM file in r like ReadHeader and
// also returns where the meta group, the dataset and the Pixel Data element
// lie. Unlike ReadHeader it returns no Layout for a damaged file: a rewriter
// must not work from a partial picture.
func ReadLayout(ctx context.Context, r io.ReaderAt, size int64) (l *Layout, err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dicomx: %w", err)
	}
	if size <= 0 {
		return nil, fmt.Errorf("dicomx: %w", damaged("empty file"))
	}
	w, release := openWindow(r, size)
	defer release()
	return readLayout(ctx, w, r, size)
}

// readLayout is ReadLayout reading through w.
func readLayout(ctx context.Context, w *dicomwire.Window, r io.ReaderAt, size int64) (l *Layout, err error) {
	defer func() {
		if p := recover(); p != nil {
			l = nil
			err = fmt.Errorf("dicomx: %w", damaged("internal error while reading layout"))
		}
	}()
	rd := newReader(ctx, w, r, size)
	defer rd.release()
	h, err := rd.read()
	if err != nil {
		var d *DamagedError
		if errors.As(err, &d) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("dicomx: %w", err)
		}
		return nil, fmt.Errorf("dicomx: read: %w", stripPath(err))
	}
	l = &Layout{
		Header:             h,
		DatasetOffset:      rd.dsStart,
		ImplicitVR:         rd.e.Implicit,
		BigEndian:          rd.e.BigEndian,
		Deflated:           rd.inflated,
		PixelElementOffset: -1,
		PixelElementEnd:    -1,
	}
	if h.Preamble {
		l.MetaOffset = 132
	}
	if rd.inflated {
		return l, nil
	}
	p := h.PixelData
	if !p.Present {
		return l, nil
	}
	start := p.Offset - int64(dicomwire.HeaderLen(rd.e, "OB"))
	b, err := rd.w.At(start, 4)
	if err != nil || dicomwire.NewTag(rd.e.ByteOrder().Uint16(b), rd.e.ByteOrder().Uint16(b[2:])) != dicomwire.PixelData {
		return nil, fmt.Errorf("dicomx: %w", damaged("pixel data element header not where expected"))
	}
	l.PixelElementOffset = start
	if !p.Encapsulated {
		l.PixelElementEnd = p.Offset + p.Length
		return l, nil
	}
	end, err := rd.fragmentsEnd(p.Offset)
	if err != nil {
		return nil, fmt.Errorf("dicomx: %w", err)
	}
	l.PixelElementEnd = end
	return l, nil
}

// fragmentsEnd returns the offset after the sequence delimiter of the
// encapsulated value starting at off (already checked by pixel).
func (rd *reader) fragmentsEnd(off int64) (int64, error) {
	f := dicomwire.Fragments{Src: rd.w, Syntax: rd.e, Tag: dicomwire.PixelData, Off: off, End: rd.size, Size: rd.size, Ctx: rd.ctx}
	for f.Next() {
	}
	var we *dicomwire.Error
	switch err := f.Err(); {
	case err == nil:
		return f.Offset(), nil
	case errors.As(err, &we) && (we.Kind == dicomwire.Malformed || we.Length > 0):
		return off, damaged("malformed encapsulated pixel data (item %d)", we.Index)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return off, err
	}
	return off, damaged("pixel data truncated")
}
