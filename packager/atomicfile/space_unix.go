//go:build unix

package atomicfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// FreeSpace returns the bytes an unprivileged user may still write in dir's
// file system; ok is false when it cannot be told.
func FreeSpace(dir string) (free int64, ok bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}

// LockDir takes an exclusive advisory lock on the folder dir itself (no
// file is created), waiting for another Dossier process that holds it, and
// returns the function that releases it. Exports take it while they give
// their files the final names, so two of them into one folder do not
// interleave.
func LockDir(dir string) (unlock func(), err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(d.Fd()), unix.LOCK_EX); err != nil {
		d.Close()
		return nil, err
	}
	return func() { d.Close() }, nil
}
