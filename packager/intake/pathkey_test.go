package intake

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/quick"

	"dossier/packager/dicomx"
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

func TestCheckDICOMDIRsCountsEveryRecord(t *testing.T) {
	// Two disc indexes, one in a folder of the other; a record listed twice
	// counts twice, found or not; names compare as on a CD.
	outer := &Item{Path: "/m/CD/DICOMDIR", Kind: KindDICOMDIR, dirFiles: dirFileKeys([]dicomx.DirRecord{
		{FileID: []string{"DICOM", "IM1"}}, {FileID: []string{"DICOM", "IM1"}}, {FileID: []string{"DICOM", "IM2;1"}},
		{Type: "PATIENT"}, {FileID: []string{"SUB", "X"}}, {FileID: []string{"GONE"}}, {FileID: []string{"GONE"}},
	})}
	inner := &Item{Path: "/m/CD/SUB/DICOMDIR", Kind: KindDICOMDIR, dirFiles: dirFileKeys([]dicomx.DirRecord{{FileID: []string{"X"}}, {FileID: []string{"Y"}}})}
	items := []*Item{outer, inner,
		{Path: "/m/CD/dicom/im1;1", Kind: KindOther}, {Path: "/m/CD/DICOM/IM2", Kind: KindOther}, {Path: "/m/CD/SUB/X", Kind: KindOther},
		{Path: "/m/GONE", Kind: KindOther}, {Path: "/m/CD/SUB/Y/Z", Kind: KindOther}}
	inv := Group(items, nil)
	checkDICOMDIRs(inv)
	if len(outer.Problems) != 1 || outer.Problems[0].String() != "the disc index lists 6 files; 2 of them were not found" {
		t.Errorf("outer: %q", outer.Problems)
	}
	if len(inner.Problems) != 1 || inner.Problems[0].String() != "the disc index lists 2 files; 1 of them were not found" {
		t.Errorf("inner: %q", inner.Problems)
	}
}
