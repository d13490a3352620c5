//go:build unix

package atomicfile

import "os"

// SyncDir syncs the folder dir, so that the names given in it (by a
// rename, a link, a new file) survive a power cut as well as the data
// synced before them.
func SyncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
