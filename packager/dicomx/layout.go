package dicomx

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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

// ReadLayout reads the header of the DICOM file in r like ReadHeader and
// also returns where the meta group, the dataset and the Pixel Data element
// lie. Unlike ReadHeader it returns no Layout for a damaged file: a rewriter
// must not work from a partial picture.
func ReadLayout(ctx context.Context, r io.ReaderAt, size int64) (l *Layout, err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dicomx: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			l = nil
			err = fmt.Errorf("dicomx: %w", damaged("internal error while reading layout"))
		}
	}()
	if size <= 0 {
		return nil, fmt.Errorf("dicomx: %w", damaged("empty file"))
	}
	rd := &reader{ctx: ctx, w: newWindow(r, size), size: size, h: &Header{}}
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
		ImplicitVR:         rd.e.implicit,
		BigEndian:          rd.e.bo == binary.BigEndian,
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
	hlen := int64(12)
	if rd.e.implicit {
		hlen = 8
	}
	start := p.Offset - hlen
	b, err := rd.w.get(start, 4)
	if err != nil || uint32(rd.e.bo.Uint16(b))<<16|uint32(rd.e.bo.Uint16(b[2:])) != tPixelData {
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
	for i := 0; ; i++ {
		b, err := rd.w.small(off, 8, rd.scratch[:])
		if err != nil {
			return off, damaged("pixel data truncated")
		}
		t := uint32(rd.e.bo.Uint16(b))<<16 | uint32(rd.e.bo.Uint16(b[2:]))
		vl := rd.e.bo.Uint32(b[4:])
		switch {
		case t == tSeqDelim:
			return off + 8, nil
		case t != tItem || vl == undefinedLength || int64(vl) > rd.size-off-8:
			return off, damaged("malformed encapsulated pixel data (item %d)", i)
		}
		off += 8 + int64(vl)
		if i%ctxCheckEvery == ctxCheckEvery-1 {
			if err := rd.ctx.Err(); err != nil {
				return off, err
			}
		}
	}
}
