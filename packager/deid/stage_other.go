//go:build !unix

package deid

import "os"

// createFile creates a new file for reading and writing (it must not
// exist).
func createFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
}
