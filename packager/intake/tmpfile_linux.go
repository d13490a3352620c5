package intake

import (
	"os"

	"golang.org/x/sys/unix"
)

// privateTemp returns a temporary file that has no name at any moment
// (O_TMPFILE): nothing of it is left on disk when the process ends, even
// when killed. Where the file system lacks O_TMPFILE, it falls back to
// creating and at once removing a file.
func privateTemp() (*os.File, error) {
	fd, err := unix.Open(os.TempDir(), unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return os.NewFile(uintptr(fd), "dossier-entry"), nil
	}
	return unlinkedTemp()
}
