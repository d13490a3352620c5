//go:build unix

package deid

import (
	"errors"
	"os"
	"syscall"
)

// createFile creates a new file for reading and writing (it must not
// exist). os.OpenFile would add four system calls a file to ask the
// network poller about it, which a regular file does not use.
func createFile(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}
