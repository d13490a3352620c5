package bundle

import (
	"fmt"
	"strings"
)

// maxNameDepth and maxNameLen bound an entry name: the layout's deepest
// name is DICOM/STnnnnnn/SEnnnnnn/IMnnnnnn.
const (
	maxNameDepth = 6
	maxNameLen   = 200
)

// checkName accepts only names of the kind the bundle layout writes: a
// path of at most maxNameDepth components, each of ASCII letters, digits,
// '_', '-' and '.', not starting or ending with '.', and not a name Windows
// reserves for a device (CON, PRN, AUX, NUL, COM0-9, LPT0-9, with or without
// an extension). So nothing a bundle holds can be hidden (a dot-name), climb
// out of the folder, name a drive or stream ("a:b"), or fail to extract on
// another system; Verify and Open apply the same rule, so a bundle verifies
// only if it can be opened.
func checkName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: an entry has a name the bundle layout never uses (%s)", ErrCorrupt, why)
	}
	if name == "" || len(name) > maxNameLen {
		return bad("empty or too long")
	}
	parts := strings.Split(name, "/")
	if len(parts) > maxNameDepth {
		return bad("too deep")
	}
	for _, p := range parts {
		if p == "" {
			return bad("an empty folder name")
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
				return bad("a character other than letters, digits, '_', '-' and '.'")
			}
		}
		if p[0] == '.' || p[len(p)-1] == '.' {
			return bad("a name starting or ending with a dot")
		}
		if windowsReserved(p) {
			return bad("a name Windows reserves for a device")
		}
	}
	return nil
}

// windowsReserved reports the device names Windows reserves in every
// folder, with or without an extension ("CON", "aux.txt", "COM1.PDF").
func windowsReserved(p string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(p), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '0' && base[3] <= '9' {
		return true
	}
	return false
}

// nameSet checks that the names of one bundle can all be files side by
// side on any system: none differs from another only in case (Windows and
// macOS would make them one file), and none is both a file and a folder.
type nameSet struct {
	folded map[string]string
	dirs   map[string]bool
}

func newNameSet() *nameSet { return &nameSet{folded: map[string]string{}, dirs: map[string]bool{}} }

func (s *nameSet) add(name string) error {
	f := strings.ToUpper(name)
	if _, dup := s.folded[f]; dup {
		return fmt.Errorf("%w: two entries have the same name (ignoring case): %s", ErrCorrupt, name)
	}
	if s.dirs[f] {
		return fmt.Errorf("%w: %s is both a file and a folder", ErrCorrupt, name)
	}
	for i := 0; i < len(f); i++ {
		if f[i] == '/' {
			d := f[:i]
			if _, isFile := s.folded[d]; isFile {
				return fmt.Errorf("%w: %s is both a file and a folder", ErrCorrupt, d)
			}
			s.dirs[d] = true
		}
	}
	s.folded[f] = name
	return nil
}
