//go:build unix

package atomicfile

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

// SyncDir syncs a real folder and reports a folder it cannot open.
func TestSyncDir(t *testing.T) {
	dir := t.TempDir()
	if err := SyncDir(dir); err != nil {
		t.Errorf("SyncDir(a folder) = %v", err)
	}
	if err := SyncDir(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("SyncDir(a missing folder) = %v, want not exist", err)
	}
}
