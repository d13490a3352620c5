package dicomx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/uid"

	"dossier/packager/dicomwire"
	"dossier/packager/i18n"
)

// field maps a top-level tag to a Header field.
type field struct {
	tag   dicomwire.Tag
	multi bool // split on '\'
	str   func(h *Header) *string
	list  func(h *Header) *[]string
	num   func(h *Header) *int
}

var fields = []field{
	{tag: dicomwire.SpecificCharacterSet, multi: true, list: func(h *Header) *[]string { return &h.SpecificCharacterSet }},
	{tag: dicomwire.ImageType, multi: true, list: func(h *Header) *[]string { return &h.ImageType }},
	{tag: dicomwire.SOPClassUID, str: func(h *Header) *string { return &h.SOPClassUID }},
	{tag: dicomwire.SOPInstanceUID, str: func(h *Header) *string { return &h.SOPInstanceUID }},
	{tag: dicomwire.StudyDate, str: func(h *Header) *string { return &h.StudyDate }},
	{tag: dicomwire.StudyTime, str: func(h *Header) *string { return &h.StudyTime }},
	{tag: dicomwire.AccessionNumber, str: func(h *Header) *string { return &h.AccessionNumber }},
	{tag: dicomwire.Modality, str: func(h *Header) *string { return &h.Modality }},
	{tag: dicomwire.InstitutionName, str: func(h *Header) *string { return &h.InstitutionName }},
	{tag: dicomwire.InstitutionAddress, str: func(h *Header) *string { return &h.InstitutionAddress }},
	{tag: dicomwire.ReferringPhysicianName, str: func(h *Header) *string { return &h.ReferringPhysicianName }},
	{tag: dicomwire.StudyDescription, str: func(h *Header) *string { return &h.StudyDescription }},
	{tag: dicomwire.SeriesDescription, str: func(h *Header) *string { return &h.SeriesDescription }},
	{tag: dicomwire.PatientName, str: func(h *Header) *string { return &h.PatientName }},
	{tag: dicomwire.PatientID, str: func(h *Header) *string { return &h.PatientID }},
	{tag: dicomwire.PatientBirthDate, str: func(h *Header) *string { return &h.PatientBirthDate }},
	{tag: dicomwire.PatientSex, str: func(h *Header) *string { return &h.PatientSex }},
	{tag: dicomwire.OtherPatientIDs, multi: true, list: func(h *Header) *[]string { return &h.OtherPatientIDs }},
	{tag: dicomwire.OtherPatientNames, multi: true, list: func(h *Header) *[]string { return &h.OtherPatientNames }},
	{tag: dicomwire.PatientAddress, str: func(h *Header) *string { return &h.PatientAddress }},
	{tag: dicomwire.PatientTelephoneNumbers, str: func(h *Header) *string { return &h.PatientTelephoneNumbers }},
	{tag: dicomwire.BodyPartExamined, str: func(h *Header) *string { return &h.BodyPartExamined }},
	{tag: dicomwire.StudyInstanceUID, str: func(h *Header) *string { return &h.StudyInstanceUID }},
	{tag: dicomwire.SeriesInstanceUID, str: func(h *Header) *string { return &h.SeriesInstanceUID }},
	{tag: dicomwire.SeriesNumber, num: func(h *Header) *int { return &h.SeriesNumber }},
	{tag: dicomwire.InstanceNumber, num: func(h *Header) *int { return &h.InstanceNumber }},
	{tag: dicomwire.FrameOfReferenceUID, str: func(h *Header) *string { return &h.FrameOfReferenceUID }},
	{tag: dicomwire.NumberOfFrames, num: func(h *Header) *int { return &h.NumberOfFrames }},
	{tag: dicomwire.BurnedInAnnotation, str: func(h *Header) *string { return &h.BurnedInAnnotation }},
	{tag: dicomwire.NewTag(0x0008, 0x0070), str: func(h *Header) *string { return &h.Manufacturer }},
	{tag: dicomwire.NewTag(0x0008, 0x1090), str: func(h *Header) *string { return &h.ManufacturerModelName }},
}

// Transfer syntaxes whose dataset is not explicit VR little endian.
const (
	tsImplicitLE = dicomwire.ImplicitVRLittleEndianUID
	tsExplicitLE = dicomwire.ExplicitVRLittleEndianUID
	tsExplicitBE = dicomwire.ExplicitVRBigEndianUID
	tsDeflated   = dicomwire.DeflatedExplicitVRLittleEndianUID
)

// extraExplicitTS lists standard transfer syntaxes (all explicit VR little
// endian) missing from the library's UID table.
var extraExplicitTS = map[string]bool{
	"1.2.840.10008.1.2.1.98":  true, // Encapsulated Uncompressed Explicit VR LE
	"1.2.840.10008.1.2.4.110": true, // JPEG XL Lossless
	"1.2.840.10008.1.2.4.111": true, // JPEG XL JPEG Recompression
	"1.2.840.10008.1.2.4.112": true, // JPEG XL
	"1.2.840.10008.1.2.4.201": true, // HTJ2K Lossless
	"1.2.840.10008.1.2.4.202": true, // HTJ2K Lossless RPCL
	"1.2.840.10008.1.2.4.203": true, // HTJ2K
	"1.2.840.10008.1.2.4.204": true, // JPIP HTJ2K Referenced
	"1.2.840.10008.1.2.4.205": true, // JPIP HTJ2K Referenced Deflate
	"1.2.840.10008.1.2.8.1":   true, // SMPTE ST 2110-20
	"1.2.840.10008.1.2.7.1":   true, // SMPTE ST 2110-20 (older number)
}

// datasetEncoding maps a transfer syntax to the encoding of its dataset.
func datasetEncoding(ts string) (dicomwire.Syntax, bool) {
	switch ts {
	case tsImplicitLE:
		return dicomwire.ImplicitLE, true
	case tsExplicitLE, tsDeflated:
		return dicomwire.ExplicitLE, true
	case tsExplicitBE:
		return dicomwire.ExplicitBE, true
	}
	if extraExplicitTS[ts] {
		return dicomwire.ExplicitLE, true
	}
	if e, err := uid.Lookup(ts); err == nil && e.Type == uid.TypeTransferSyntax {
		return dicomwire.ExplicitLE, true
	}
	return dicomwire.Syntax{}, false
}

// libTS returns the UID the library is given for encoding e.
func libTS(e dicomwire.Syntax) string { return e.UID() }

func (rd *reader) read() (*Header, error) {
	h := rd.h
	off := int64(0)
	b, err := rd.w.At(0, int(min(rd.size, 132)))
	if err != nil {
		if errors.Is(err, dicomwire.ErrShort) {
			return nil, damaged("truncated in element header at offset 0")
		}
		return nil, err
	}
	switch Sniff(b) {
	case Part10:
		h.Preamble = true
		off = 132
	case Raw:
	default:
		if rd.size < 132 && rd.size >= 4 && allZero(b) {
			return nil, damaged("truncated in preamble (%d bytes)", rd.size)
		}
		return nil, damaged("not DICOM: no preamble and no plausible first element")
	}
	off, err = rd.readMeta(off)
	if err != nil {
		return nil, err
	}
	rd.dsStart = off
	ts := h.TransferSyntaxUID
	var e dicomwire.Syntax
	if ts == "" {
		e = rd.guessEncoding(off)
		if h.MediaStorageSOPClassUID != "" || off > 0 {
			rd.warn(i18n.NewText(i18n.Msg("no transfer syntax in meta information; inferred %v"), libTS(e)))
		}
	} else {
		var ok bool
		e, ok = datasetEncoding(ts)
		if !ok {
			return nil, damaged("unknown transfer syntax %s", uidText(ts))
		}
		if ts != tsDeflated {
			if g := rd.guessEncoding(off); g.Implicit != e.Implicit && g.BigEndian == e.BigEndian {
				rd.warn(i18n.NewText(i18n.Msg("dataset encoding differs from its transfer syntax; read as %v"), libTS(g)))
				e = g
			}
		}
	}
	rd.e = e
	if ts == tsDeflated {
		if err := rd.inflate(); err != nil {
			return nil, err
		}
		rd.warn(i18n.NewText(i18n.Msg("deflated transfer syntax: header read from inflated data")))
	}
	if rd.dsStart >= rd.size {
		return nil, damaged("no dataset after the meta information (file may be truncated)")
	}
	rd.libEnd = rd.size
	if werr := rd.walk(); werr != nil {
		if !(rd.inflated && rd.inflateShort && IsDamaged(werr)) {
			return nil, werr
		}
		// Only part of a deflated dataset was available: keep what was walked.
		rd.warn(i18n.NewText(i18n.Msg("deflated dataset read partially")))
	}
	if rd.inflated && rd.inflateErr != nil && !rd.stopped {
		return nil, rd.inflateProblem()
	}
	rd.fillFromWalk()
	rd.fillFromLibrary()
	h.IsDICOMDIR = h.MediaStorageSOPClassUID == SOPClassMediaStorageDirectory ||
		(h.SOPClassUID == "" && len(rd.dirRecs) > 0)
	if h.IsDICOMDIR {
		h.DirRecords = make([]DirRecord, 0, len(rd.dirRecs))
		for _, d := range rd.dirRecs {
			r := DirRecord{Type: trimValue(d.typ)}
			if len(d.file) > 0 {
				r.FileID = splitValue(d.file)
			}
			h.DirRecords = append(h.DirRecords, r)
		}
	}
	if h.Rows > 0 && h.Columns > 0 && !h.PixelData.Present && !rd.hasFloatPixels {
		rd.warn(i18n.NewText(i18n.Msg("Rows and Columns present but no Pixel Data (file may be truncated)")))
	}
	if rd.pixErr != nil {
		return h, rd.pixErr
	}
	if err := rd.checkNativeLength(); err != nil {
		return h, err
	}
	return h, nil
}

func allZero(b []byte) bool { return len(bytes.Trim(b, "\x00")) == 0 }

// readMeta reads the group 0002 elements at off and returns the offset
// after them.
func (rd *reader) readMeta(off int64) (int64, error) {
	mi, err := dicomwire.ReadMeta(rd.w, off, rd.size)
	if mi.ImplicitVR {
		rd.warn(i18n.NewText(i18n.Msg("meta information encoded implicit VR")))
	}
	for _, u := range mi.UnknownVRs {
		rd.warn(i18n.NewText(i18n.Msg("unknown VR %v in element %v"), u.VR, tagText(u.Tag)))
	}
	if err != nil {
		return off, wireErr(err)
	}
	rd.h.MediaStorageSOPClassUID = mi.MediaStorageSOPClassUID
	rd.h.TransferSyntaxUID = mi.TransferSyntaxUID
	if mi.GroupLengthEnd >= 0 && mi.GroupLengthEnd != mi.End {
		rd.warn(i18n.NewText(i18n.Msg("meta information group length inconsistent")))
	}
	return mi.End, nil
}

// guessEncoding inspects the first dataset element at off.
func (rd *reader) guessEncoding(off int64) dicomwire.Syntax {
	b, err := rd.w.At(off, 8)
	if err != nil {
		return dicomwire.ExplicitLE
	}
	if dicomwire.KnownVR(string(b[4:6])) {
		if g := binary.LittleEndian.Uint16(b); g > 0x00FF && binary.BigEndian.Uint16(b) <= 0x00FF {
			return dicomwire.ExplicitBE
		}
		return dicomwire.ExplicitLE
	}
	return dicomwire.ImplicitLE
}

// forceLibrary makes the library decode even plain ASCII (for tests that
// prove the fast path gives the same header).
var forceLibrary = false

// plainASCII reports whether every captured text value is 7-bit ASCII
// without escape sequences, so that no character set can change it.
func (rd *reader) plainASCII() bool {
	for _, f := range fields {
		if f.num != nil {
			continue
		}
		v, _ := rd.val(f.tag)
		for _, c := range v {
			if c >= 0x80 || c == 0x1B {
				return false
			}
		}
	}
	return true
}

// fillFromWalk sets the header from the walker's raw values.
func (rd *reader) fillFromWalk() {
	h := rd.h
	if rd.last == nil {
		rd.last = new(lastValues)
	}
	for i, f := range fields {
		v, ok := rd.val(f.tag)
		if !ok {
			continue
		}
		switch {
		case f.list != nil:
			*f.list(h) = rd.last.split(i, toUTF8(v))
		case f.num != nil:
			*f.num(h) = atoi(string(v))
		default:
			*f.str(h) = rd.last.trim(i, toUTF8(v))
		}
	}
	h.Rows = rd.u16(dicomwire.Rows)
	h.Columns = rd.u16(dicomwire.Columns)
}

// lastValues are the values a reader gave for each field of the last file
// it read. The files of a series repeat most of them, and an equal value
// is handed out again instead of a new string.
type lastValues struct {
	str  [maxVals]string
	list [maxVals][]string
}

// trim returns trimValue(b), the last string of field i when equal.
func (l *lastValues) trim(i int, b []byte) string {
	t := trimBytes(b)
	if string(t) == l.str[i] {
		return l.str[i]
	}
	s := string(t)
	l.str[i] = s
	return s
}

// split returns splitValue(b): field i's last value itself when it is
// equal (the files of a series repeat their Image Type, and a case keeps
// the headers of thousands), else a new slice whose strings are those of
// the last value where equal. Header's lists are therefore shared and
// never changed.
func (l *lastValues) split(i int, b []byte) []string {
	last := l.list[i]
	if sameList(last, b) {
		return last
	}
	out := make([]string, 0, bytes.Count(b, []byte{'\\'})+1)
	for j := 0; ; j++ {
		part, rest, more := bytes.Cut(b, []byte{'\\'})
		t := trimBytes(part)
		if j < len(last) && string(t) == last[j] {
			out = append(out, last[j])
		} else {
			out = append(out, string(t))
		}
		if !more {
			break
		}
		b = rest
	}
	l.list[i] = out
	return out
}

// sameList reports whether the raw multi-valued b splits into list.
func sameList(list []string, b []byte) bool {
	if list == nil {
		return false
	}
	for j := 0; ; j++ {
		part, rest, more := bytes.Cut(b, []byte{'\\'})
		if j >= len(list) || string(trimBytes(part)) != list[j] {
			return false
		}
		if !more {
			return j == len(list)-1
		}
		b = rest
	}
}

func (rd *reader) u16(t dicomwire.Tag) int {
	v, ok := rd.val(t)
	if !ok || len(v) < 2 {
		return 0
	}
	return int(rd.e.ByteOrder().Uint16(v))
}

func atoi(s string) int {
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	if i := strings.IndexByte(s, '\\'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s, "+"))
	if err != nil {
		return 0
	}
	return n
}

// toUTF8 is the walker's fallback decoding: UTF-8 when valid, otherwise
// ISO 8859-1 (the library's decoding, which honours the character set,
// replaces this when it succeeds).
func toUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}

// fakeMeta is a minimal Part 10 prefix declaring ts, so that the library
// never sees the file's own meta group (or its absence).
func fakeMeta(ts string) []byte {
	el, _ := dicomwire.AppendString(nil, dicomwire.ExplicitLE, dicomwire.TransferSyntaxUID, "UI", ts)
	return dicomwire.AppendMetaGroup(dicomwire.AppendPreamble(nil), el)
}

// libParse parses [dsStart, libEnd) with the library.
func (rd *reader) libParse() (ds dicom.Dataset, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errors.New("dicomx: library panic")
		}
	}()
	// Only the elements the header needs go to the library: it is slow per
	// element (it formats every tag as text) and has known defects on
	// elements Dossier does not need anyway.
	var buf bytes.Buffer
	for _, r := range rd.libRanges {
		if r[1] > rd.libEnd {
			break
		}
		b, err := rd.w.At(r[0], int(r[1]-r[0]))
		if err != nil {
			return ds, err
		}
		buf.Write(b)
	}
	n := int64(buf.Len())
	src := io.Reader(&buf)
	meta := fakeMeta(libTS(rd.e))
	return dicom.Parse(io.MultiReader(bytes.NewReader(meta), src), int64(len(meta))+n, nil,
		dicom.SkipPixelData(),
		dicom.AllowMismatchPixelDataLength(),
		dicom.AllowMissingMetaElementGroupLength(),
		dicom.AllowUnknownSpecificCharacterSet(),
	)
}

// fillFromLibrary overrides string fields with the library's values, which
// are decoded according to the Specific Character Set.
func (rd *reader) fillFromLibrary() {
	if !rd.libSkip.IsZero() {
		rd.warn(i18n.NewText(i18n.Msg("header library not used: %s"), rd.libSkip))
		return
	}
	if rd.libEnd <= rd.dsStart {
		return
	}
	if rd.plainASCII() && !forceLibrary {
		return // nothing to decode: the walker's values are already exact
	}
	ds, err := rd.libParse()
	if err != nil {
		// The library's message may quote values: do not pass it on.
		rd.warn(i18n.NewText(i18n.Msg("header library failed; values read by the fallback walker")))
		return
	}
	h := rd.h
	byTag := make(map[dicomwire.Tag]*field, len(fields))
	for i := range fields {
		byTag[fields[i].tag] = &fields[i]
	}
	for _, el := range ds.Elements {
		if el == nil || el.Value == nil {
			continue
		}
		t := dicomwire.NewTag(el.Tag.Group, el.Tag.Element)
		f := byTag[t]
		if f == nil || f.num != nil {
			continue
		}
		strs, ok := el.Value.GetValue().([]string)
		if !ok {
			continue
		}
		if f.list != nil {
			list := make([]string, len(strs))
			for i, v := range strs {
				list[i] = strings.TrimSpace(v)
			}
			*f.list(h) = list
			continue
		}
		// Single-valued fields: rejoin what the library split on '\'.
		*f.str(h) = strings.Join(strs, `\`)
	}
}

// checkNativeLength compares native Pixel Data with Rows x Columns x samples
// x bits x frames.
func (rd *reader) checkNativeLength() error {
	p := rd.h.PixelData
	if !p.Present || p.Encapsulated || p.Length < 0 {
		return nil
	}
	if want := rd.nativeSize(); want > 0 && uint64(p.Length) < want {
		return damaged("pixel data shorter than the image: %d of %d bytes", p.Length, want)
	}
	return nil
}

// nativeSize returns Rows x Columns x SamplesPerPixel x BitsAllocated x
// NumberOfFrames in bytes, from the walker's values, or 0 when unknown.
func (rd *reader) nativeSize() uint64 {
	rows, cols := uint64(rd.u16(dicomwire.Rows)), uint64(rd.u16(dicomwire.Columns))
	spp := uint64(rd.u16(dicomwire.SamplesPerPixel))
	bits := uint64(rd.u16(dicomwire.BitsAllocated))
	if rows == 0 || cols == 0 || bits == 0 || bits > 64 {
		return 0
	}
	spp = max(spp, 1)
	frames := uint64(1)
	if v, ok := rd.val(dicomwire.NumberOfFrames); ok {
		if n := atoi(string(v)); n > 1 {
			frames = uint64(n)
		}
	}
	if frames > 1<<31 || spp > 4 {
		return 0
	}
	if v, ok := rd.val(dicomwire.PhotometricInterpretation); ok && spp == 3 && strings.HasSuffix(trimValue(v), "_422") {
		spp = 2 // YBR_FULL_422 / YBR_PARTIAL_422: chroma subsampled 2:1
	}
	return (rows*cols*spp*frames*bits + 7) / 8
}
