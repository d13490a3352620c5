//go:build unix

package envelope

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an advisory lock on f for as long as it stays open.
func lockFile(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// lockState reports whether another open file holds the lock on path, and
// whether that answer can be trusted (it can here: the system releases the
// lock of a process that died).
func lockState(path string) (held, known bool) {
	f, err := os.Open(path)
	if err != nil {
		return false, false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return false, true
	}
	return errors.Is(err, syscall.EWOULDBLOCK), errors.Is(err, syscall.EWOULDBLOCK)
}

// isQuota reports a disk quota error.
func isQuota(err error) bool { return errors.Is(err, syscall.EDQUOT) }
