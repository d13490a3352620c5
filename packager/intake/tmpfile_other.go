//go:build !unix && !windows

package intake

import "os"

// privateTemp falls back to a named temporary file where nothing better
// exists; it is removed on Close.
func privateTemp() (*os.File, error) { return os.CreateTemp("", "dossier-entry-*") }
