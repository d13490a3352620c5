//go:build unix

package intake

import "os"

// unlinkedTemp creates a private temporary file and removes its name at
// once: it lives on only through the open file, which the system frees when
// the process ends, however it ends.
func unlinkedTemp() (*os.File, error) {
	f, err := os.CreateTemp("", "dossier-entry-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
