//go:build !unix

package intake

import "os"

// openRaw opens name read-only.
func openRaw(name string) (readFile, error) { return os.Open(name) }
