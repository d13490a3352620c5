package intake

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/quick"
)

// pathKeyByParts is pathKey written plainly: split, trim each part, join,
// lower-case.
func pathKeyByParts(p string) string {
	parts := strings.Split(filepath.ToSlash(p), "/")
	for i, part := range parts {
		parts[i] = strings.TrimSuffix(part, ";1")
	}
	return strings.ToLower(strings.Join(parts, "/"))
}

func TestPathKey(t *testing.T) {
	for _, p := range []string{"", "/", "//", "a/", "/a", "a//b", "DICOM/SE000001/IM000001;1", "DICOMDIR;1", ";1", "a;1/;1/b;1;1",
		"/media/CDROM/Dicom/ÄRZTE/Bild;1", "ΣΊΣΥΦΟΣ/ΟΔΟΣ", "İstanbul/I", "bad\xffutf8/X", "\xc3/A;1", "Ǆ/ǅ", "K/\u212a"} {
		if got, want := pathKey(p), pathKeyByParts(p); got != want {
			t.Errorf("pathKey(%q) = %q, want %q", p, got, want)
		}
	}
	if err := quick.CheckEqual(pathKey, pathKeyByParts, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
	// A key is built of the keys of its parts (dirFileKeys and
	// checkDICOMDIRs rely on it).
	join := func(a, b string) bool { return pathKey(a+"/"+b) == pathKey(a)+"/"+pathKey(b) }
	if err := quick.Check(join, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
}
