//go:build !unix

package intake

import "os"

// osFile is a file opened for the scan with os.Open.
type osFile struct{ *os.File }

// openRaw opens name read-only.
func openRaw(name string) (readFile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// openAt is not used here: openDir keeps no folder open.
func openAt(dirfd int, name, path string) (readFile, error) { return openRaw(path) }

// openDir lists the folder p (os.ReadDir); its files are opened by path.
func openDir(p string) (*dirHandle, []os.DirEntry, error) {
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, nil, err
	}
	return nil, entries, nil
}

// info returns the open file's size, modification time and type.
func (f osFile) info() (fileInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileInfo{}, err
	}
	return fileInfo{size: fi.Size(), modTime: fi.ModTime(), regular: fi.Mode().IsRegular()}, nil
}
