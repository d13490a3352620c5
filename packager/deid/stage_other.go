//go:build !unix

package deid

import "os"

// createFile creates a new file for reading and writing (it must not
// exist).
func createFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
}

// syncDir does nothing where a folder cannot be opened to be synced
// (Windows, whose NTFS logs the changes to its folders itself).
func syncDir(string) error { return nil }
