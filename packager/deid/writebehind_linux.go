//go:build linux

package deid

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// writeBehind passes writes on to a new file and, each time another
// writeBehindChunk bytes have been written, asks the system to start
// writing them to disk (sync_file_range with SYNC_FILE_RANGE_WRITE)
// without waiting: the disk works while the rest of the file is made, and
// the Sync before the file gets its name has less left to wait for. It is
// a hint; that Sync still waits for all of the file and reports any error.
type writeBehind struct {
	f            *os.File
	off, started int64
}

// writeBehindChunk is how much is written before it is handed to the disk.
const writeBehindChunk = 4 << 20

func newWriteBehind(f *os.File) io.Writer { return &writeBehind{f: f} }

func (w *writeBehind) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	if w.off-w.started >= writeBehindChunk {
		start, n := w.started, w.off-w.started
		if rc, err := w.f.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) {
				unix.SyncFileRange(int(fd), start, n, unix.SYNC_FILE_RANGE_WRITE)
			})
		}
		w.started = w.off
	}
	return n, err
}

// startWriteback asks the system to start writing f to disk, without
// waiting (sync_file_range with SYNC_FILE_RANGE_WRITE): the Sync that
// follows on another goroutine then mostly waits for writes already under
// way, and the workers' files go to the disk as they are made.
func startWriteback(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			unix.SyncFileRange(int(fd), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
		})
	}
}
