package dicomwire

import (
	"errors"
	"io"
)

// ErrShort is returned by a Source asked for bytes beyond its end.
var ErrShort = errors.New("dicomwire: short read")

// Source serves the bytes a Walker reads.
type Source interface {
	// At returns n bytes at off, or ErrShort when they lie beyond the end.
	// The slice may be valid only until the next call.
	At(off int64, n int) ([]byte, error)
}

// Bytes is a Source over a byte slice whose first byte is at file offset
// Base. Slices it returns stay valid.
type Bytes struct {
	B    []byte
	Base int64
}

// At returns B[off-Base : off-Base+n].
func (s Bytes) At(off int64, n int) ([]byte, error) {
	if off < s.Base || n < 0 || off-s.Base > int64(len(s.B)) || int64(n) > int64(len(s.B))-(off-s.Base) {
		return nil, ErrShort
	}
	i := off - s.Base
	return s.B[i : i+int64(n) : i+int64(n)], nil
}

// Window limits of NewWindow.
const (
	firstRead = 16 << 10 // first read of a file
	maxContig = 4 << 20  // the window grows from offset 0 up to this size
	slideRead = 64 << 10 // read size once the window slides
)

// Window is a Source that serves small reads of an io.ReaderAt from a
// buffer: it grows contiguously from offset 0 up to 4 MiB (so a header
// region can be handed on as one slice) and slides beyond. Slices it
// returns are valid until the next call.
type Window struct {
	r    io.ReaderAt
	size int64
	base int64
	buf  []byte

	spare []byte // an array for the contiguous buffer (NewWindowSpare)
	own   []byte // the largest array the window made or took from spare

	scratch [16]byte
}

// NewWindow returns a Window over the first size bytes of r.
func NewWindow(r io.ReaderAt, size int64) *Window { return &Window{r: r, size: size} }

// NewWindowSpare returns a Window over the first size bytes of r like
// NewWindow, whose contiguous buffer is made in spare's array when it
// holds what the first growth needs: the window then reads as much of the
// file as spare holds (at most 4 MiB) at once, and a caller reading many
// files allocates nothing per file. Release hands the buffer back.
func NewWindowSpare(r io.ReaderAt, size int64, spare []byte) *Window {
	return &Window{r: r, size: size, spare: spare[:0], own: spare[:0]}
}

// Release returns the largest buffer the window made or was given as a
// spare, for a later NewWindowSpare, or nil; the window and every slice it
// returned must not be used afterwards.
func (w *Window) Release() []byte {
	b := w.own[:0]
	w.buf, w.spare, w.own = nil, nil, nil
	return b
}

// NewWindowPrefix returns a Window over the first size bytes of r whose
// first bytes, prefix, the caller has read already: reads within them are
// served from prefix itself (not copied; the caller must not change it
// while the Window is in use).
func NewWindowPrefix(r io.ReaderAt, size int64, prefix []byte) *Window {
	return &Window{r: r, size: size, buf: prefix[:min(int64(len(prefix)), max(size, 0))]}
}

// NewWindowBytes returns a Window over b (no further reads).
func NewWindowBytes(b []byte) *Window {
	return &Window{size: int64(len(b)), buf: b}
}

// Size returns the number of bytes the window serves.
func (w *Window) Size() int64 { return w.size }

func (w *Window) readAt(p []byte, off int64) error {
	if w.r == nil {
		return ErrShort
	}
	n, err := w.r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrShort
	}
	return err
}

// At returns n bytes at off; ErrShort when they lie beyond the size.
func (w *Window) At(off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off > w.size || int64(n) > w.size-off {
		return nil, ErrShort
	}
	end := off + int64(n)
	if off >= w.base && end <= w.base+int64(len(w.buf)) {
		return w.buf[off-w.base : end-w.base], nil
	}
	if w.base == 0 && end <= maxContig {
		newLen := max(int64(2*len(w.buf)), firstRead, end)
		newLen = min(newLen, w.size, maxContig)
		old := len(w.buf)
		var nb []byte
		if int64(cap(w.spare)) >= newLen {
			newLen = min(int64(cap(w.spare)), w.size, maxContig)
			nb, w.spare = w.spare[:newLen], nil
		} else {
			nb = make([]byte, newLen)
		}
		copy(nb, w.buf)
		if err := w.readAt(nb[old:], int64(old)); err != nil {
			return nil, err
		}
		w.buf = nb
		w.keep(nb)
		return w.buf[off:end], nil
	}
	ln := min(max(int64(n), slideRead), w.size-off)
	nb := make([]byte, ln)
	if err := w.readAt(nb, off); err != nil {
		return nil, err
	}
	w.base, w.buf = off, nb
	w.keep(nb)
	return w.buf[:n], nil
}

// keep remembers b for Release when it is the largest array so far.
func (w *Window) keep(b []byte) {
	if cap(b) > cap(w.own) {
		w.own = b
	}
}

// Peek returns n (at most 16) bytes at off without moving the window when
// they are not in it (for item headers spread over pixel data). The slice
// is valid until the next call.
func (w *Window) Peek(off int64, n int) ([]byte, error) {
	if n < 0 || n > 16 || off < 0 || off > w.size || int64(n) > w.size-off {
		return nil, ErrShort
	}
	if off >= w.base && off+int64(n) <= w.base+int64(len(w.buf)) {
		return w.buf[off-w.base : off-w.base+int64(n)], nil
	}
	p := w.scratch[:n]
	if err := w.readAt(p, off); err != nil {
		return nil, err
	}
	return p, nil
}

// peeker is a Source that can read small pieces without moving a buffer.
type peeker interface {
	Peek(off int64, n int) ([]byte, error)
}

// peek reads a small piece of src.
func peek(src Source, off int64, n int) ([]byte, error) {
	if p, ok := src.(peeker); ok {
		return p.Peek(off, n)
	}
	return src.At(off, n)
}
