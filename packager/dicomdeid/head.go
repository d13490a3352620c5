package dicomdeid

import (
	"errors"
	"io"
	"sync"
)

// headSize is how much of a file headReader reads at once: the whole
// header of most files (a CT slice's is about 1 KB), so that the layout,
// the meta group and the dataset are parsed from memory.
const headSize = 16 << 10

var headPool = sync.Pool{New: func() any { b := make([]byte, headSize); return &b }}

// headReader serves reads of a file's first bytes from one read of them,
// and the rest from the file. The header is otherwise read by many small
// reads (element headers, values, the meta group), a system call each.
type headReader struct {
	r    io.ReaderAt
	size int64
	head []byte // the file's first bytes, as read
	buf  *[]byte
}

// newHeadReader reads the first bytes of r (size bytes). When that read
// fails, every read goes to r, which then reports the failure where it
// matters.
func newHeadReader(r io.ReaderAt, size int64) *headReader {
	h := &headReader{r: r, size: size}
	if size <= 0 {
		return h
	}
	h.buf = headPool.Get().(*[]byte)
	want := int(min(size, headSize))
	n, err := r.ReadAt((*h.buf)[:want], 0)
	if err == nil || errors.Is(err, io.EOF) {
		h.head = (*h.buf)[:n]
	}
	return h
}

// release gives the buffer back; nothing may read through h afterwards.
func (h *headReader) release() {
	if h.buf != nil {
		headPool.Put(h.buf)
		h.buf, h.head = nil, nil
	}
}

// Prefix returns the file's first bytes as read (dicomx.Prefixed), so
// that dicomx reads the layout from them without copying them again.
func (h *headReader) Prefix() []byte { return h.head }

func (h *headReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(h.head)) {
		return h.r.ReadAt(p, off)
	}
	k := copy(p, h.head[off:])
	if k == len(p) {
		return k, nil
	}
	if int64(len(h.head)) >= h.size {
		return k, io.EOF // the whole file is in head
	}
	m, err := h.r.ReadAt(p[k:], int64(len(h.head)))
	return k + m, err
}
