package dicomx

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/suyashkumar/dicom/pkg/tag"

	"dossier/packager/i18n"
)

const (
	firstRead     = 16 << 10 // first read of a file
	maxContig     = 4 << 20  // the window grows from offset 0 up to this size
	slideRead     = 64 << 10 // read size once the window slides
	maxCapture    = 64 << 10 // longest value kept for a field of interest
	maxDepth      = 32       // sequence nesting limit
	maxInflate    = 32 << 20 // deflated datasets: inflate at most this much
	maxFragments  = 1 << 22  // encapsulated pixel data: items walked at most
	ctxCheckEvery = 4096
)

const undefinedLength = 0xFFFFFFFF

// Tags handled by the walker (group<<16 | element).
const (
	tItem            = 0xFFFEE000
	tItemDelim       = 0xFFFEE00D
	tSeqDelim        = 0xFFFEE0DD
	tPixelData       = 0x7FE00010
	tFloatPixelData  = 0x7FE00008
	tDoublePixelData = 0x7FE00009
	tExtOffsets      = 0x7FE00001
	tExtLengths      = 0x7FE00002
	tDirRecordSeq    = 0x00041220
	tDirRecordType   = 0x00041430
	tReferencedFile  = 0x00041500
	tLastLibraryTag  = 0x0028FFFF
	tMetaGroupLen    = 0x00020000
	tMediaSOPClass   = 0x00020002
	tMediaSOPInst    = 0x00020003
	tTransferSyntax  = 0x00020010
	tSamplesPerPix   = 0x00280002
	tBitsAllocated   = 0x00280100
	tPhotometric     = 0x00280004
	tRows            = 0x00280010
	tColumns         = 0x00280011
)

var errShort = errors.New("short read")

// window serves small reads of r from a buffer: it grows contiguously from
// offset 0 (so the header region can be handed on as one slice) and slides
// beyond maxContig.
type window struct {
	r    io.ReaderAt
	size int64
	base int64
	buf  []byte
}

func newWindow(r io.ReaderAt, size int64) *window { return &window{r: r, size: size} }

func (w *window) readAt(p []byte, off int64) error {
	n, err := w.r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errShort
	}
	return err
}

// get returns n bytes at off; errShort when they lie beyond size. The slice
// is valid until the next call.
func (w *window) get(off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off > w.size || int64(n) > w.size-off {
		return nil, errShort
	}
	end := off + int64(n)
	if off >= w.base && end <= w.base+int64(len(w.buf)) {
		return w.buf[off-w.base : end-w.base], nil
	}
	if w.base == 0 && end <= maxContig {
		newLen := max(int64(2*len(w.buf)), firstRead, end)
		newLen = min(newLen, w.size, maxContig)
		old := len(w.buf)
		nb := make([]byte, newLen)
		copy(nb, w.buf)
		if err := w.readAt(nb[old:], int64(old)); err != nil {
			return nil, err
		}
		w.buf = nb
		return w.buf[off:end], nil
	}
	ln := min(max(int64(n), slideRead), w.size-off)
	nb := make([]byte, ln)
	if err := w.readAt(nb, off); err != nil {
		return nil, err
	}
	w.base, w.buf = off, nb
	return w.buf[:n], nil
}

// small returns n (<= 16) bytes at off without moving the window when they
// are not in it (used for the item headers of pixel data).
func (w *window) small(off int64, n int, scratch []byte) ([]byte, error) {
	if off < 0 || off > w.size || int64(n) > w.size-off {
		return nil, errShort
	}
	if off >= w.base && off+int64(n) <= w.base+int64(len(w.buf)) {
		return w.buf[off-w.base : off-w.base+int64(n)], nil
	}
	p := scratch[:n]
	if err := w.readAt(p, off); err != nil {
		return nil, err
	}
	return p, nil
}

// enc is the encoding of a dataset.
type enc struct {
	bo       binary.ByteOrder
	implicit bool
}

type elemHdr struct {
	tag  uint32
	vr   string
	vl   uint32
	hlen int64
}

func tagText(t uint32) string { return fmt.Sprintf("(%04X,%04X)", t>>16, t&0xFFFF) }

func knownVR(vr string) bool {
	switch vr {
	case "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US":
		return true
	}
	return longVRForm(vr)
}

// longVRForm reports VRs with a 2-byte reserved field and a 4-byte length.
func longVRForm(vr string) bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}

// libLongVR mirrors the library's list of 4-byte-length VRs (no OV, SV, UV).
func libLongVR(vr string) bool {
	switch vr {
	case "NA", "OB", "OD", "OF", "OL", "OW", "SQ", "UN", "UC", "UR", "UT":
		return true
	}
	return false
}

func upperVR(vr string) bool {
	return len(vr) == 2 && vr[0] >= 'A' && vr[0] <= 'Z' && vr[1] >= 'A' && vr[1] <= 'Z'
}

// dictVR returns the VR an implicit-VR reader uses for t, as the library does.
func dictVR(t uint32) string {
	if t == tPixelData || t == 0x60003000 {
		return "OW"
	}
	info, err := tag.Find(tag.Tag{Group: uint16(t >> 16), Element: uint16(t)})
	if err != nil || len(info.VRs) == 0 {
		return "UN"
	}
	return info.VRs[0]
}

func isPrivateGroup(g uint16) bool { return g&1 == 1 && g > 0x0008 && g != 0xFFFF }

// dirRec collects one directory record while walking.
type dirRec struct {
	typ  []byte
	file []byte
}

type reader struct {
	ctx  context.Context
	w    *window
	r    io.ReaderAt // the reader behind w (the inflated data for deflated files)
	size int64
	h    *Header

	e       enc
	dsStart int64
	libEnd  int64 // the library gets [dsStart, libEnd)
	libSkip string
	// libRanges are the byte ranges [start, end) of the top-level elements
	// the header needs; only these are handed to the library.
	libRanges [][2]int64
	stopped   bool // the walk stopped at Pixel Data

	hasFloatPixels bool // Float or Double Float Pixel Data seen
	nElems         int

	inflated     bool
	inflateShort bool  // inflated data incomplete (capped or corrupt)
	inflateErr   error // corrupt deflate stream

	vals    map[uint32][]byte
	dirRecs []*dirRec
	pixErr  error

	scratch [16]byte
}

// truncated builds the error for an element cut short at the end of the file.
func (rd *reader) truncated(t uint32, known bool, off int64) error {
	if known {
		return damaged("truncated in element %s", tagText(t))
	}
	return damaged("truncated in element header at offset %d", off)
}

// header reads the element header at off; the element must start before end.
func (rd *reader) header(off, end int64, e enc) (elemHdr, error) {
	var h elemHdr
	avail := end - off
	if avail < 8 {
		if avail >= 4 {
			if b, err := rd.w.get(off, 4); err == nil {
				t := uint32(e.bo.Uint16(b))<<16 | uint32(e.bo.Uint16(b[2:]))
				if end < rd.size {
					return h, damaged("element %s crosses the end of its enclosing item", tagText(t))
				}
				return h, rd.truncated(t, true, off)
			}
		}
		if end < rd.size {
			return h, damaged("element header at offset %d crosses the end of its enclosing item", off)
		}
		return h, rd.truncated(0, false, off)
	}
	b, err := rd.w.get(off, 8)
	if err != nil {
		return h, rd.ioErr(err, 0, false, off)
	}
	h.tag = uint32(e.bo.Uint16(b))<<16 | uint32(e.bo.Uint16(b[2:]))
	if e.implicit || h.tag>>16 == 0xFFFE {
		h.vl = e.bo.Uint32(b[4:])
		h.hlen = 8
		if h.tag>>16 != 0xFFFE {
			h.vr = dictVR(h.tag)
		}
		return h, nil
	}
	h.vr = string(b[4:6])
	if !upperVR(h.vr) {
		return h, damaged("invalid VR in element %s at offset %d", tagText(h.tag), off)
	}
	if longVRForm(h.vr) {
		if avail < 12 {
			return h, rd.truncated(h.tag, true, off)
		}
		b, err = rd.w.get(off, 12)
		if err != nil {
			return h, rd.ioErr(err, h.tag, true, off)
		}
		h.vl = e.bo.Uint32(b[8:])
		h.hlen = 12
		return h, nil
	}
	if !knownVR(h.vr) {
		rd.warn(fmt.Sprintf(i18n.Msg("unknown VR %v in element %v"), h.vr, tagText(h.tag)))
		if off < rd.libEnd && rd.libSkip == "" {
			// The library may size this value differently (it reads "NA"
			// with a 4-byte length): do not let it allocate from it.
			rd.libSkip = fmt.Sprintf(i18n.Msg("unknown VR %v"), h.vr)
		}
	}
	h.vl = uint32(e.bo.Uint16(b[6:]))
	h.hlen = 8
	return h, nil
}

func (rd *reader) ioErr(err error, t uint32, known bool, off int64) error {
	if errors.Is(err, errShort) {
		return rd.truncated(t, known, off)
	}
	return err
}

func (rd *reader) warn(s string) {
	for _, w := range rd.h.Warnings {
		if w == s {
			return
		}
	}
	if len(rd.h.Warnings) < 32 {
		rd.h.Warnings = append(rd.h.Warnings, s)
	}
}

// cutLib ends the library's input at off (before an element it cannot read).
func (rd *reader) cutLib(off int64) {
	if off < rd.libEnd {
		rd.libEnd = off
	}
}

func (rd *reader) tick() error {
	rd.nElems++
	if rd.nElems%ctxCheckEvery == 0 {
		return rd.ctx.Err()
	}
	return nil
}

// interesting lists top-level tags whose values the walker keeps.
var interesting = map[uint32]bool{}

func init() {
	for _, f := range fields {
		interesting[f.tag] = true
	}
	for _, t := range []uint32{tSamplesPerPix, tPhotometric, tBitsAllocated, tRows, tColumns} {
		interesting[t] = true
	}
}

// walkDataset walks elements in [off, end). With undefined set it stops after
// an item delimiter and fails if none is found. dirItem marks an item of the
// Directory Record Sequence. It returns the offset after the last element.
func (rd *reader) walkDataset(off, end int64, undefined bool, depth int, e enc, dir *dirRec) (int64, error) {
	for {
		if off >= end {
			if undefined {
				if end < rd.size {
					return off, damaged("item without delimiter crosses the end of its enclosing item")
				}
				return off, damaged("truncated in sequence item (missing item delimiter)")
			}
			return off, nil
		}
		h, err := rd.header(off, end, e)
		if err != nil {
			return off, err
		}
		if err := rd.tick(); err != nil {
			return off, err
		}
		switch h.tag {
		case tItemDelim:
			if undefined {
				return off + 8, nil
			}
			rd.warn(i18n.Msg("stray item delimiter"))
			off += 8
			continue
		case tSeqDelim:
			if depth == 0 {
				rd.warn(i18n.Msg("stray sequence delimiter"))
				off += 8
				continue
			}
			return off, damaged("unexpected sequence delimiter in item")
		}
		if h.tag>>16 == 0xFFFE {
			return off, damaged("unexpected item tag %s in dataset", tagText(h.tag))
		}
		if isPrivateGroup(uint16(h.tag >> 16)) {
			rd.h.HasPrivateTags = true
		}
		vstart := off + h.hlen
		if depth == 0 && h.tag > tLastLibraryTag {
			// Every field taken from the library lies in groups <= 0028:
			// spare it the rest (functional groups, documents, overlays).
			rd.cutLib(off)
		}
		if depth == 0 && h.tag == tPixelData {
			rd.cutLib(off)
			rd.stopped = true
			rd.pixErr = rd.pixel(h, vstart)
			return rd.size, nil
		}
		if depth == 0 && (h.tag == tFloatPixelData || h.tag == tDoublePixelData) {
			rd.hasFloatPixels = true
		}
		if h.tag == tExtOffsets || h.tag == tExtLengths {
			rd.warn(i18n.Msg("extended offset table present"))
		}
		if !e.implicit && !libLongVR(h.vr) && longVRForm(h.vr) { // OV, SV, UV
			if depth == 0 {
				rd.cutLib(off)
			} else if rd.libSkip == "" && off < rd.libEnd {
				rd.libSkip = fmt.Sprintf(i18n.Msg("64-bit VR %v inside a sequence"), h.vr)
			}
		}
		if h.vl == undefinedLength {
			switch {
			case h.vr == "SQ" || h.vr == "UN":
				se := e
				if h.vr == "UN" && !e.implicit {
					// PS3.5 6.2.2: UN of undefined length is encoded implicit VR LE.
					se = enc{bo: binary.LittleEndian, implicit: true}
					if depth == 0 {
						rd.cutLib(off)
					} else if rd.libSkip == "" && off < rd.libEnd {
						rd.libSkip = i18n.Msg("UN sequence inside a sequence")
					}
				}
				off, err = rd.walkSeq(vstart, end, true, depth+1, se, h.tag)
			case h.vr == "OB" || h.vr == "OW":
				off, err = rd.walkFragments(vstart, end, h.tag)
			default:
				return off, damaged("undefined length with VR %s in element %s", h.vr, tagText(h.tag))
			}
			if err != nil {
				return off, err
			}
			continue
		}
		if int64(h.vl) > end-vstart {
			switch {
			case implausible(h.vl, rd.size):
				return off, damaged("value length %d exceeds file size in element %s", h.vl, tagText(h.tag))
			case end < rd.size:
				return off, damaged("value length %d of element %s exceeds its enclosing item", h.vl, tagText(h.tag))
			case rd.inflated && rd.inflateShort:
				return off, rd.inflateProblem()
			default:
				return off, damaged("truncated in element %s: %d of %d bytes", tagText(h.tag), end-vstart, h.vl)
			}
		}
		vend := vstart + int64(h.vl)
		if h.vr == "SQ" {
			if _, err := rd.walkSeq(vstart, vend, false, depth+1, e, h.tag); err != nil {
				return off, err
			}
		} else if depth == 0 && interesting[h.tag] {
			if err := rd.capture(h, vstart); err != nil {
				return off, err
			}
			rd.libRanges = append(rd.libRanges, [2]int64{off, vend})
		} else if dir != nil && (h.tag == tDirRecordType || h.tag == tReferencedFile) && h.vl <= maxCapture {
			b, err := rd.w.get(vstart, int(h.vl))
			if err != nil {
				return off, rd.ioErr(err, h.tag, true, off)
			}
			if h.tag == tDirRecordType {
				dir.typ = append([]byte(nil), b...)
			} else {
				dir.file = append([]byte(nil), b...)
			}
		}
		off = vend
	}
}

func (rd *reader) capture(h elemHdr, vstart int64) error {
	n := int(min(h.vl, maxCapture))
	b, err := rd.w.get(vstart, n)
	if err != nil {
		return rd.ioErr(err, h.tag, true, vstart)
	}
	if rd.vals == nil {
		rd.vals = make(map[uint32][]byte, 48)
	}
	if _, dup := rd.vals[h.tag]; dup {
		rd.warn(fmt.Sprintf(i18n.Msg("duplicate element %v"), tagText(h.tag)))
		return nil
	}
	rd.vals[h.tag] = append([]byte(nil), b...)
	return nil
}

// walkSeq walks the items of a sequence whose value starts at off.
func (rd *reader) walkSeq(off, end int64, undefined bool, depth int, e enc, seqTag uint32) (int64, error) {
	if depth > maxDepth {
		return off, damaged("sequences nested deeper than %d levels", maxDepth)
	}
	for {
		if off >= end {
			if undefined {
				if end < rd.size {
					return off, damaged("sequence %s without delimiter crosses the end of its enclosing item", tagText(seqTag))
				}
				return off, damaged("truncated in sequence %s (missing sequence delimiter)", tagText(seqTag))
			}
			return off, nil
		}
		if end-off < 8 {
			if end < rd.size {
				return off, damaged("item header in sequence %s crosses the end of its enclosing item", tagText(seqTag))
			}
			return off, damaged("truncated in sequence %s", tagText(seqTag))
		}
		b, err := rd.w.get(off, 8)
		if err != nil {
			return off, rd.ioErr(err, seqTag, true, off)
		}
		t := uint32(e.bo.Uint16(b))<<16 | uint32(e.bo.Uint16(b[2:]))
		vl := e.bo.Uint32(b[4:])
		if err := rd.tick(); err != nil {
			return off, err
		}
		switch t {
		case tSeqDelim:
			if undefined {
				return off + 8, nil
			}
			rd.warn(i18n.Msg("sequence delimiter in a defined-length sequence"))
			off += 8
			continue
		case tItem:
		default:
			return off, damaged("unexpected element %s in sequence %s", tagText(t), tagText(seqTag))
		}
		var dir *dirRec
		if seqTag == tDirRecordSeq && depth == 1 {
			dir = &dirRec{}
			rd.dirRecs = append(rd.dirRecs, dir)
		}
		if vl == undefinedLength {
			off, err = rd.walkDataset(off+8, end, true, depth, e, dir)
			if err != nil {
				return off, err
			}
			continue
		}
		if int64(vl) > end-off-8 {
			switch {
			case implausible(vl, rd.size):
				return off, damaged("item length %d exceeds file size in sequence %s", vl, tagText(seqTag))
			case end < rd.size:
				return off, damaged("item length %d exceeds its sequence %s", vl, tagText(seqTag))
			case rd.inflated && rd.inflateShort:
				return off, rd.inflateProblem()
			default:
				return off, damaged("truncated in sequence %s: item of %d bytes, %d remain", tagText(seqTag), vl, end-off-8)
			}
		}
		if _, err := rd.walkDataset(off+8, off+8+int64(vl), false, depth, e, dir); err != nil {
			return off, err
		}
		off += 8 + int64(vl)
	}
}

// walkFragments walks the items of an undefined-length OB/OW value (not
// Pixel Data) up to its sequence delimiter.
func (rd *reader) walkFragments(off, end int64, t uint32) (int64, error) {
	for i := 0; ; i++ {
		if end-off < 8 {
			return off, damaged("truncated in element %s (encapsulated value)", tagText(t))
		}
		b, err := rd.w.small(off, 8, rd.scratch[:])
		if err != nil {
			return off, rd.ioErr(err, t, true, off)
		}
		it := uint32(rd.e.bo.Uint16(b))<<16 | uint32(rd.e.bo.Uint16(b[2:]))
		vl := rd.e.bo.Uint32(b[4:])
		switch {
		case it == tSeqDelim:
			return off + 8, nil
		case it != tItem || vl == undefinedLength:
			return off, damaged("unexpected element %s in encapsulated value of %s", tagText(it), tagText(t))
		case int64(vl) > end-off-8:
			return off, damaged("truncated in element %s (fragment %d)", tagText(t), i)
		}
		off += 8 + int64(vl)
		if i%ctxCheckEvery == 0 {
			if err := rd.ctx.Err(); err != nil {
				return off, err
			}
		}
	}
}

// pixel records Pixel Data at vstart and checks it against the file size.
// The returned error is a damage report that still lets the header through.
func (rd *reader) pixel(h elemHdr, vstart int64) error {
	p := &rd.h.PixelData
	p.Present = true
	p.Offset = vstart
	if rd.inflated {
		p.Offset = -1
	}
	if h.vl != undefinedLength {
		p.Length = int64(h.vl)
		if rd.inflated && rd.inflateShort {
			return nil // cannot check: only part of the dataset was inflated
		}
		if have := rd.size - vstart; int64(h.vl) > have {
			if want := rd.nativeSize(); implausible(h.vl, rd.size) && (want == 0 || uint64(h.vl) > want+2) {
				return damaged("value length %d of Pixel Data (7FE0,0010) exceeds file size", h.vl)
			}
			return damaged("pixel data truncated: %d of %d bytes", have, h.vl)
		}
		return nil
	}
	p.Length = -1
	p.Encapsulated = true
	if rd.inflated && rd.inflateShort {
		return nil
	}
	off := vstart
	for i := 0; ; i++ {
		if i >= maxFragments {
			rd.warn(i18n.Msg("encapsulated pixel data: too many fragments, not all checked"))
			return nil
		}
		b, err := rd.w.small(off, 8, rd.scratch[:])
		if err != nil {
			if errors.Is(err, errShort) {
				return damaged("pixel data truncated: encapsulated data ends after %d items without sequence delimiter", i)
			}
			return err
		}
		t := uint32(rd.e.bo.Uint16(b))<<16 | uint32(rd.e.bo.Uint16(b[2:]))
		vl := rd.e.bo.Uint32(b[4:])
		switch {
		case t == tSeqDelim:
			p.Fragments = i
			return nil
		case t != tItem:
			return damaged("unexpected element %s in encapsulated pixel data (item %d)", tagText(t), i)
		case vl == undefinedLength:
			return damaged("undefined-length item in encapsulated pixel data (item %d)", i)
		}
		if have := rd.size - off - 8; int64(vl) > have {
			return damaged("pixel data truncated: item %d has %d of %d bytes", i, max(have, 0), vl)
		}
		off += 8 + int64(vl)
		if i%ctxCheckEvery == ctxCheckEvery-1 {
			if err := rd.ctx.Err(); err != nil {
				return err
			}
		}
	}
}

// implausible reports a value length that cannot come from a file of size
// bytes cut short: larger than 2 GiB or than four times the file.
func implausible(vl uint32, size int64) bool {
	return vl >= 1<<31 || int64(vl) > 4*size
}

func (rd *reader) inflateProblem() error {
	if rd.inflateErr != nil {
		return damaged("deflated dataset is corrupt or truncated")
	}
	return damaged("deflated dataset larger than %d bytes before pixel data", maxInflate)
}

// inflate replaces the window with the inflated dataset of a deflated file.
func (rd *reader) inflate() error {
	src := io.NewSectionReader(rd.r, rd.dsStart, rd.size-rd.dsStart)
	fr := flate.NewReader(src)
	defer fr.Close()
	var buf bytes.Buffer
	_, err := io.Copy(&buf, io.LimitReader(fr, maxInflate+1))
	if err != nil {
		rd.inflateErr = err
		rd.inflateShort = true
	}
	data := buf.Bytes()
	if len(data) > maxInflate {
		data = data[:maxInflate]
		rd.inflateShort = true
	}
	if len(data) == 0 {
		return damaged("deflated dataset is empty or corrupt")
	}
	br := bytes.NewReader(data)
	rd.r = br
	rd.w = newWindow(br, int64(len(data)))
	rd.w.buf, rd.w.base = data, 0
	rd.size = int64(len(data))
	rd.dsStart = 0
	rd.inflated = true
	return nil
}

// splitValue splits a raw multi-valued string.
func splitValue(b []byte) []string {
	s := strings.Split(string(b), `\`)
	for i := range s {
		s[i] = trimValue([]byte(s[i]))
	}
	return s
}
