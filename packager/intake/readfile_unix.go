//go:build unix

package intake

import (
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
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
		fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &rawFile{fd: fd}, nil
	}
}

// openAt opens name in the folder open as dirfd, as openRaw opens a path
// (path is the file's whole path, for errors).
func openAt(dirfd int, name, path string) (readFile, error) {
	for {
		fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return &rawFile{fd: fd}, nil
	}
}

// openDir lists the folder p, as os.ReadDir does (sorted by name), and
// returns it held open for its files (openAt).
func openDir(p string) (*dirHandle, []os.DirEntry, error) {
	var fd int
	for {
		var err error
		fd, err = unix.Open(p, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, nil, &fs.PathError{Op: "open", Path: p, Err: err}
		}
		break
	}
	f := os.NewFile(uintptr(fd), p)
	entries, err := f.ReadDir(-1)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	d := &dirHandle{f: f, fd: fd}
	d.refs.Store(1)
	return d, entries, nil
}

// info returns the open file's size, modification time and type (fstat(2):
// no second lookup of its path).
func (f *rawFile) info() (fileInfo, error) {
	var st unix.Stat_t
	for {
		err := unix.Fstat(f.fd, &st)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fileInfo{}, &fs.PathError{Op: "stat", Err: err}
		}
		break
	}
	return fileInfo{size: st.Size, modTime: time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec)), regular: st.Mode&unix.S_IFMT == unix.S_IFREG}, nil
}

// ReadAt reads len(p) bytes at off, as os.File.ReadAt does: io.EOF when the
// file ends first.
func (f *rawFile) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for len(p) > 0 {
		m, err := unix.Pread(f.fd, p, off)
		if err == unix.EINTR {
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
	err := unix.Close(f.fd)
	f.fd = -1
	return err
}
