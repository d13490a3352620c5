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
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
		})
	}
}
