//go:build !linux

package envelope

import "os"

// writeBack does nothing where the system has no way to start writing a
// range of a file early; Close's Sync writes everything.
func writeBack(f *os.File, off, n int64) {}

// settle does nothing where the system cannot wait for a range of a file:
// the range is read back from the system's cache, and the final ranges
// after Close's Sync.
func settle(f *os.File, off, n int64) {}

// drop does nothing where the system takes no advice on its cache.
func drop(f *os.File, off, n int64) {}
