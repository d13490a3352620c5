package intake

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// readFile is a file the scan reads.
type readFile interface {
	io.ReaderAt
	io.Closer
	// info describes the open file.
	info() (fileInfo, error)
}

// fileInfo is what the scan records of a file on disk.
type fileInfo struct {
	size    int64
	modTime time.Time
	regular bool // a regular file (not a folder, device, pipe or socket)
}

// openRead opens a source's file for the scan; tests replace it to simulate
// failures.
var openRead = openSource

// openSource opens src's file: by its name in its folder when the walker
// kept the folder open (the kernel then looks up one name instead of every
// folder of the path), else by its path.
func openSource(src source) (readFile, error) {
	if src.dir != nil && src.dir.fd >= 0 {
		return openAt(src.dir.fd, src.name, src.disk)
	}
	return openRaw(src.disk)
}

// dirHandle is a folder the walker holds open while the files it listed are
// read: one reference for the walker, one for each file handed on; the last
// release closes it.
type dirHandle struct {
	f    io.Closer
	fd   int // -1 where files are opened by path
	refs atomic.Int32
}

// hold adds a reference.
func (d *dirHandle) hold() {
	if d != nil {
		d.refs.Add(1)
	}
}

// release drops a reference.
func (d *dirHandle) release() {
	if d != nil && d.refs.Add(-1) == 0 {
		d.f.Close()
	}
}

// dicomPrefix is how much of each file on disk the scan reads first: enough
// to tell DICOM, and for most DICOM files their whole header, which the
// DICOM reader then takes from memory. The first read of a file copies
// these bytes out of the page cache, so it is kept small.
const dicomPrefix = 4 << 10

// prefixSize is how much of any other file the scan reads at once: the head
// that detection looks at, and what most detectors need after it.
const prefixSize = 16 << 10

// prefixes are buffers of prefixSize, reused from file to file.
var prefixes = sync.Pool{New: func() any { b := make([]byte, prefixSize); return &b }}

// prefixed serves reads of the bytes in pre (the first len(pre) bytes of
// ra) from memory and the rest from ra.
type prefixed struct {
	pre []byte
	ra  io.ReaderAt
}

// Prefix returns the first bytes of the file (dicomx.Prefixed).
func (r *prefixed) Prefix() []byte { return r.pre }

// ReadAt reads len(p) bytes at off.
func (r *prefixed) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("intake: negative offset")
	}
	if off >= int64(len(r.pre)) {
		return r.ra.ReadAt(p, off)
	}
	n := copy(p, r.pre[off:])
	if n == len(p) {
		return n, nil
	}
	m, err := r.ra.ReadAt(p[n:], off+int64(n))
	return n + m, err
}
