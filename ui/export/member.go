package export

import (
	"archive/zip"
	"path"
	"strings"

	"dossier/packager/intake"
)

// MemberStamp tells a file inside a ZIP (a member, "ARCHIVE!/ENTRY") from another: its CRC-32 and
// size as the ZIP's directory gives them. A member cannot be checked on disk as a file is (by its
// size and time), so the boxes drawn on it keep its stamp: after a restart they are kept when the
// member is unchanged (even when the ZIP around it changed) and dropped when it changed.
type MemberStamp struct {
	CRC32 uint32 `json:"crc32"`
	Size  int64  `json:"size"`
}

// IsMember reports whether p is a file inside a ZIP.
func IsMember(p string) bool { return strings.Contains(p, "!/") }

// StampOf reads the stamp of the member p from the directory of the ZIP it is in (a ZIP inside a
// ZIP is opened as the scan opens it, within the same bounds); ok is false when p is no member or
// its ZIP or entry cannot be read.
func StampOf(p string) (s MemberStamp, ok bool) {
	i := strings.LastIndex(p, "!/")
	if i < 0 {
		return s, false
	}
	parent, name := p[:i], p[i+2:]
	var zr *zip.Reader
	if !IsMember(parent) {
		rc, err := zip.OpenReader(parent)
		if err != nil {
			return s, false
		}
		defer rc.Close()
		zr = &rc.Reader
	} else {
		f, err := intake.Open(&intake.Item{Path: parent}, intake.Options{})
		if err != nil {
			return s, false
		}
		defer f.Close()
		if zr, err = zip.NewReader(f, f.Size()); err != nil {
			return s, false
		}
	}
	for _, f := range zr.File {
		if entryName(f.Name) == name && !f.FileInfo().IsDir() {
			return MemberStamp{CRC32: f.CRC32, Size: int64(f.UncompressedSize64)}, true
		}
	}
	return s, false
}

// entryName is an entry's name as the scan writes it into a member's path.
func entryName(n string) string {
	return path.Clean(strings.ReplaceAll(n, `\`, "/"))
}

// Unchanged reports whether the boxes k, kept for the member p, still fit it: the member's stamp
// now is the one they were drawn with.
func (k *KeptBoxes) Unchanged(p string) bool {
	if k == nil || k.Member == nil {
		return false
	}
	s, ok := StampOf(p)
	return ok && s == *k.Member
}
