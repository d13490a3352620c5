package intake

import (
	"encoding/json"
	"math"
	"unicode/utf8"
)

// JSON cannot hold a file name that is not valid UTF-8 (a Latin-1 or
// Shift-JIS name from an old CD on Linux): encoding/json would replace
// its bytes with U+FFFD, and the name would no longer lead to the file. So
// an item, slide or problem whose path is not valid UTF-8 also carries the
// path's exact bytes, base64-encoded, in "pathBytes" ("pathsBytes" for a
// problem's paths, one per path, null for the valid ones).

// RawPath returns p's bytes when p is not valid UTF-8, else nil: what a
// JSON record carries as "pathBytes" beside "path".
func RawPath(p string) []byte {
	if utf8.ValidString(p) {
		return nil
	}
	return []byte(p)
}

// MarshalJSON writes the item, adding "pathBytes" when its path is not
// valid UTF-8 (by hand: see jsonwrite.go).
func (it Item) MarshalJSON() ([]byte, error) {
	return it.appendJSON(make([]byte, 0, 1024), "")
}

// MarshalJSON writes the slide, adding "pathBytes" when its path is not
// valid UTF-8.
func (s Slide) MarshalJSON() ([]byte, error) {
	type plain Slide
	return json.Marshal(struct {
		plain
		PathBytes []byte `json:"pathBytes,omitempty"`
	}{plain(s), RawPath(s.Path)})
}

// MarshalJSON writes the problem, adding "pathsBytes" when one of its
// paths is not valid UTF-8.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	var raw [][]byte
	for i, path := range p.Paths {
		if b := RawPath(path); b != nil {
			if raw == nil {
				raw = make([][]byte, len(p.Paths))
			}
			raw[i] = b
		}
	}
	return json.Marshal(struct {
		plain
		PathsBytes [][]byte `json:"pathsBytes,omitempty"`
	}{plain(p), raw})
}

// UnmarshalJSON reads an item, taking its path from "pathBytes" when there,
// so a saved inventory leads back to the very file, and its Instance Number
// from its "dicom" (see Item.InstanceNumber).
func (it *Item) UnmarshalJSON(b []byte) error {
	type plain Item
	type detail DICOMDetail
	var v struct {
		*plain
		PathBytes []byte `json:"pathBytes"`
		// DICOM hides plain's (a field less deep wins).
		DICOM *struct {
			detail
			InstanceNumber int `json:"instanceNumber"`
		} `json:"dicom"`
	}
	v.plain = (*plain)(it)
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.PathBytes != nil {
		it.Path = string(v.PathBytes)
	}
	if v.DICOM != nil {
		it.DICOM = (*DICOMDetail)(&v.DICOM.detail)
		it.InstanceNumber = int32(min(max(v.DICOM.InstanceNumber, math.MinInt32), math.MaxInt32))
	}
	return nil
}

// UnmarshalJSON reads a slide, taking its path from "pathBytes" when there.
func (s *Slide) UnmarshalJSON(b []byte) error {
	type plain Slide
	var v struct {
		*plain
		PathBytes []byte `json:"pathBytes"`
	}
	v.plain = (*plain)(s)
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.PathBytes != nil {
		s.Path = string(v.PathBytes)
	}
	return nil
}
