//go:build unix && !linux

package intake

import "os"

// privateTemp returns a temporary file whose name is removed right after
// it is created.
func privateTemp() (*os.File, error) { return unlinkedTemp() }
