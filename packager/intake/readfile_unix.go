//go:build unix

package intake

import (
	"io"
	"io/fs"
	"syscall"
	"time"
)

// rawFile is a file opened for the scan and read with pread(2) alone. The
// scan opens thousands of small files, and os.Open costs five system calls
// more per file than this (it tries to register every file with the
// network poller, which refuses regular files).
type rawFile struct{ fd int }

// openRaw opens name read-only, as os.Open does, without the poller. It
// does not wait for a pipe's writer (O_NONBLOCK, which changes nothing for
// a regular file): the walker saw a regular file, but another may have
// taken its name since; info tells.
func openRaw(name string) (readFile, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &rawFile{fd: fd}, nil
	}
}

// info returns the open file's size, modification time and type (fstat(2):
// no second lookup of its path).
func (f *rawFile) info() (fileInfo, error) {
	var st syscall.Stat_t
	for {
		err := syscall.Fstat(f.fd, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fileInfo{}, &fs.PathError{Op: "stat", Err: err}
		}
		break
	}
	sec, nsec := st.Mtim.Unix()
	return fileInfo{size: st.Size, modTime: time.Unix(sec, nsec), regular: st.Mode&syscall.S_IFMT == syscall.S_IFREG}, nil
}

// ReadAt reads len(p) bytes at off, as os.File.ReadAt does: io.EOF when the
// file ends first.
func (f *rawFile) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for len(p) > 0 {
		m, err := syscall.Pread(f.fd, p, off)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return n, &fs.PathError{Op: "read", Err: err}
		}
		if m == 0 {
			return n, io.EOF
		}
		n += m
		p = p[m:]
		off += int64(m)
	}
	return n, nil
}

// Close closes the file once.
func (f *rawFile) Close() error {
	if f.fd < 0 {
		return fs.ErrClosed
	}
	err := syscall.Close(f.fd)
	f.fd = -1
	return err
}
