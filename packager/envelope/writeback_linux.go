//go:build linux

package envelope

import (
	"os"

	"golang.org/x/sys/unix"
)

// writeBack asks the system to start writing n bytes of f at off to disk,
// without waiting (sync_file_range with SYNC_FILE_RANGE_WRITE). It is a
// hint: the file's Sync on Close still waits for all of it and reports any
// error.
func writeBack(f *os.File, off, n int64) {
	syncRange(f, off, n, unix.SYNC_FILE_RANGE_WRITE)
}

// settle waits until the system has written n bytes of f at off to disk
// (sync_file_range, waiting before and after the write), so that reading
// them back reads what the disk was given. Errors are left to the file's
// Sync on Close.
func settle(f *os.File, off, n int64) {
	syncRange(f, off, n, unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER)
}

// drop tells the system that n bytes of f at off, written to disk, will
// not be read again soon (POSIX_FADV_DONTNEED): their cache pages are
// freed, and writing the rest of the file reuses them.
func drop(f *os.File, off, n int64) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			unix.Fadvise(int(fd), off, n, unix.FADV_DONTNEED)
		})
	}
}

func syncRange(f *os.File, off, n int64, flags int) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			unix.SyncFileRange(int(fd), off, n, flags)
		})
	}
}
