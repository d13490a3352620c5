//go:build !unix

package envelope

import "os"

// lockFile does nothing here: CleanStale relies on the files' age alone.
func lockFile(f *os.File) bool { return false }

// lockState knows nothing: without locks, only age tells a stale file.
func lockState(path string) (held, known bool) { return false, false }

// isQuota reports false: ENOSPC covers a full disk here.
func isQuota(err error) bool { return false }
