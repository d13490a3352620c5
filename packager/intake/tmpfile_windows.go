//go:build windows

package intake

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// privateTemp returns a temporary file opened with
// FILE_FLAG_DELETE_ON_CLOSE and no sharing: Windows deletes it when the last
// handle closes, which includes the process ending in any way.
func privateTemp() (*os.File, error) {
	var b [8]byte
	rand.Read(b[:])
	name := filepath.Join(os.TempDir(), "dossier-entry-"+hex.EncodeToString(b[:]))
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.CREATE_NEW,
		windows.FILE_ATTRIBUTE_TEMPORARY|windows.FILE_FLAG_DELETE_ON_CLOSE, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(h), name), nil
}
