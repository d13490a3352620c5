//go:build !unix

package atomicfile

// SyncDir does nothing where a folder cannot be opened to be synced
// (Windows, whose NTFS logs the changes to its folders itself).
func SyncDir(string) error { return nil }
