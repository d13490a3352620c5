package dicomwire

import (
	"encoding/binary"
	"strings"
)

// PreambleLen is the length of the Part 10 preamble and "DICM" prefix.
const PreambleLen = 132

// HasPreamble reports a Part 10 prefix: 128 bytes, then "DICM".
func HasPreamble(b []byte) bool { return len(b) >= PreambleLen && string(b[128:132]) == "DICM" }

// AppendPreamble appends a zero preamble and "DICM".
func AppendPreamble(b []byte) []byte {
	b = append(b, make([]byte, 128)...)
	return append(b, "DICM"...)
}

// Meta holds the File Meta Information (group 0002) values Dossier reads
// and writes.
type Meta struct {
	MediaStorageSOPClassUID    string
	MediaStorageSOPInstanceUID string
	TransferSyntaxUID          string
	ImplementationClassUID     string
	ImplementationVersionName  string
}

// AppendMetaGroup appends File Meta Information Group Length (0002,0000)
// for body, then body (elements of group 0002, explicit VR little endian).
func AppendMetaGroup(b, body []byte) []byte {
	b = AppendUL(b, ExplicitLE, FileMetaInformationGroupLength, uint32(len(body)))
	return append(b, body...)
}

// AppendMeta appends the meta group of m in explicit VR little endian: the
// group length (when groupLength is set), File Meta Information Version
// 00 01, and m's five values (empty ones as empty elements).
func AppendMeta(b []byte, m Meta, groupLength bool) []byte {
	s := ExplicitLE
	body, _ := AppendElement(nil, s, FileMetaInformationVersion, "OB", []byte{0, 1})
	for _, e := range []struct {
		t  Tag
		vr string
		v  string
	}{
		{MediaStorageSOPClassUID, "UI", m.MediaStorageSOPClassUID},
		{MediaStorageSOPInstanceUID, "UI", m.MediaStorageSOPInstanceUID},
		{TransferSyntaxUID, "UI", m.TransferSyntaxUID},
		{ImplementationClassUID, "UI", m.ImplementationClassUID},
		{ImplementationVersionName, "SH", m.ImplementationVersionName},
	} {
		body, _ = AppendString(body, s, e.t, e.vr, e.v)
	}
	if !groupLength {
		return append(b, body...)
	}
	return AppendMetaGroup(b, body)
}

// MetaInfo is what ReadMeta finds.
type MetaInfo struct {
	Meta
	// End is the offset after the group (off when there is none).
	End int64
	// GroupLength is the value of (0002,0000), or -1 when absent.
	GroupLength int64
	// GroupLengthEnd is where the group length says the group ends (-1
	// when absent).
	GroupLengthEnd int64
	// ImplicitVR reports elements of the group encoded implicit VR.
	ImplicitVR bool
	// UnknownVRs lists the elements of the group whose explicit VR PS3.5
	// does not define.
	UnknownVRs []TagVR
}

// TagVR is a tag and the VR it was read with.
type TagVR struct {
	Tag Tag
	VR  string
}

// maxMetaElements bounds the elements of a meta group.
const maxMetaElements = 1000

// ReadMeta reads the group 0002 elements at off (explicit VR little endian,
// implicit VR tolerated element by element) up to the first element of
// another group, within size bytes. Values longer than 1024 bytes are
// skipped.
func ReadMeta(src Source, off, size int64) (MetaInfo, error) {
	mi := MetaInfo{GroupLength: -1, GroupLengthEnd: -1}
	w := &Walker{Src: src, Size: size}
	for n := 0; n < maxMetaElements; n++ {
		b, err := src.At(off, 2)
		if err != nil || binary.LittleEndian.Uint16(b) != 0x0002 {
			break
		}
		s := ExplicitLE
		if hb, err := src.At(off, 6); err == nil && !VRShape(string(hb[4:6])) {
			s = ImplicitLE
			mi.ImplicitVR = true
		}
		h, err := w.Header(off, size, s)
		if err != nil {
			mi.End = off
			return mi, err
		}
		if !s.Implicit && !KnownVR(h.VR) {
			mi.UnknownVRs = append(mi.UnknownVRs, TagVR{h.Tag, h.VR})
		}
		vstart := h.ValueOffset()
		if h.Undefined() || int64(h.Length) > size-vstart {
			mi.End = off
			if int64(h.Length) > size && !h.Undefined() {
				e := newErr(Implausible, off, "value length %d exceeds file size in element %s", h.Length, h.Tag)
				e.Tag, e.Length, e.Have = h.Tag, h.Length, size-vstart
				return mi, e
			}
			e := newErr(Truncated, off, "truncated in element %s", h.Tag)
			e.Tag, e.Length, e.Have = h.Tag, h.Length, size-vstart
			return mi, e
		}
		if h.Length <= 1024 {
			v, err := src.At(vstart, int(h.Length))
			if err != nil {
				mi.End = off
				return mi, w.ioErr(err, h.Tag, true, off)
			}
			switch h.Tag {
			case FileMetaInformationGroupLength:
				if len(v) == 4 {
					mi.GroupLength = int64(binary.LittleEndian.Uint32(v))
					mi.GroupLengthEnd = vstart + 4 + mi.GroupLength
				}
			case MediaStorageSOPClassUID:
				mi.MediaStorageSOPClassUID = TrimValue(v)
			case MediaStorageSOPInstanceUID:
				mi.MediaStorageSOPInstanceUID = TrimValue(v)
			case TransferSyntaxUID:
				mi.TransferSyntaxUID = TrimValue(v)
			case ImplementationClassUID:
				mi.ImplementationClassUID = TrimValue(v)
			case ImplementationVersionName:
				mi.ImplementationVersionName = TrimValue(v)
			}
		}
		off = vstart + int64(h.Length)
	}
	mi.End = off
	return mi, nil
}

// MetaSyntax returns the encoding of the meta group's element at off:
// explicit VR little endian, or implicit when the bytes say so.
func MetaSyntax(src Source, off int64) Syntax {
	if b, err := src.At(off, 6); err == nil && !VRShape(string(b[4:6])) {
		return ImplicitLE
	}
	return ExplicitLE
}

// TrimValue returns a string value without its leading spaces and trailing
// spaces and NULs.
func TrimValue(b []byte) string {
	return strings.TrimRight(strings.TrimLeft(string(b), " "), " \x00")
}
