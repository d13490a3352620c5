package dicomdeid

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/suyashkumar/dicom/pkg/tag"
)

const (
	undefinedLength = 0xFFFFFFFF
	tagItem         = 0xFFFEE000
	tagItemDelim    = 0xFFFEE00D
	tagSeqDelim     = 0xFFFEE0DD
	tagPixelData    = 0x7FE00010
	maxDepth        = 32
	// bigValue: binary values longer than this are not loaded but streamed
	// from the source when written.
	bigValue = 1 << 20
	// maxHeaderLoad: header regions up to this size are read in one go.
	maxHeaderLoad = 64 << 20
)

// enc is a dataset encoding.
type enc struct {
	bo       binary.ByteOrder
	implicit bool
}

var implicitLE = enc{bo: binary.LittleEndian, implicit: true}

// elem is one parsed data element.
type elem struct {
	tag uint32
	vr  string
	// val is the value in the source byte order (nil for sequences and for
	// values streamed from ref).
	val []byte
	// ref >= 0: the value is n bytes at file offset ref, copied on write.
	ref, n int64
	// items of a sequence.
	items []*item
	// encap: an undefined-length OB/OW value; val holds its items and the
	// sequence delimiter as they were.
	encap bool
	// e is the encoding the value was read with (for numbers).
	e enc
}

type item struct {
	elems []*elem
}

func (e *elem) isSeq() bool { return e.vr == "SQ" }

// parser reads the header region of a file into elements.
type parser struct {
	ctx   context.Context
	r     io.ReaderAt
	base  int64
	buf   []byte // the region when loaded
	end   int64
	count int
}

var errTruncated = errors.New("truncated")

func (p *parser) get(off, n int64) ([]byte, error) {
	if off < p.base || n < 0 || off+n > p.end {
		return nil, errTruncated
	}
	if p.buf != nil {
		return p.buf[off-p.base : off-p.base+n], nil
	}
	if n == 0 {
		return []byte{}, nil
	}
	b := make([]byte, n)
	if _, err := p.r.ReadAt(b, off); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errTruncated
		}
		return nil, err
	}
	return b, nil
}

func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrDamaged}, args...)...)
}

func tagText(t uint32) string { return fmt.Sprintf("(%04X,%04X)", t>>16, t&0xFFFF) }

func longVRForm(vr string) bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}

func knownVR(vr string) bool {
	switch vr {
	case "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US":
		return true
	}
	return longVRForm(vr)
}

func upperVR(vr string) bool {
	return len(vr) == 2 && vr[0] >= 'A' && vr[0] <= 'Z' && vr[1] >= 'A' && vr[1] <= 'Z'
}

// dictVR returns the dictionary VR of t, or "UN".
func dictVR(t uint32) string {
	if t == tagPixelData || t&0xFF00FFFF == 0x60003000 {
		return "OW"
	}
	if t&0xFFFF == 0 {
		return "UL" // group length
	}
	if g := t >> 16; g&1 == 1 {
		if e := t & 0xFFFF; e >= 0x10 && e <= 0xFF {
			return "LO" // private creator
		}
		return "UN"
	}
	info, err := tag.Find(tag.Tag{Group: uint16(t >> 16), Element: uint16(t)})
	if err != nil || len(info.VRs) == 0 {
		return "UN"
	}
	vr := info.VRs[0]
	if !upperVR(vr) {
		return "UN"
	}
	return vr
}

// dataset parses elements in [off, end). With undefined set it stops after
// an item delimiter.
func (p *parser) dataset(off, end int64, undefined bool, depth int, e enc) ([]*elem, int64, error) {
	var out []*elem
	for {
		if off >= end {
			if undefined {
				return nil, off, damaged("item without delimiter")
			}
			return out, off, nil
		}
		p.count++
		if p.count%4096 == 0 {
			if err := p.ctx.Err(); err != nil {
				return nil, off, err
			}
		}
		b, err := p.get(off, 8)
		if err != nil {
			return nil, off, p.trunc(err, off)
		}
		t := uint32(e.bo.Uint16(b))<<16 | uint32(e.bo.Uint16(b[2:]))
		if t == tagItemDelim {
			if undefined {
				return out, off + 8, nil
			}
			off += 8 // stray delimiter
			continue
		}
		if t>>16 == 0xFFFE {
			return nil, off, damaged("unexpected item tag %s in dataset", tagText(t))
		}
		el := &elem{tag: t, ref: -1, e: e}
		var vl uint32
		var hlen int64
		if e.implicit {
			el.vr = dictVR(t)
			vl = e.bo.Uint32(b[4:])
			hlen = 8
		} else {
			el.vr = string(b[4:6])
			if !knownVR(el.vr) {
				// Readers disagree on the length field of unknown VRs:
				// never pass one on.
				return nil, off, damaged("invalid or unknown VR in element %s", tagText(t))
			}
			if longVRForm(el.vr) {
				b, err = p.get(off, 12)
				if err != nil {
					return nil, off, p.trunc(err, off)
				}
				vl = e.bo.Uint32(b[8:])
				hlen = 12
			} else {
				vl = uint32(e.bo.Uint16(b[6:]))
				hlen = 8
			}
		}
		if !e.implicit && t>>16&1 == 0 && el.vr != "UN" {
			if d := dictVR(t); d != "UN" && vrClass(d) != vrClass(el.vr) {
				// Values would be read differently by other programs
				// (and by this one once rewritten).
				return nil, off, damaged("VR %s of element %s contradicts the dictionary (%s)", el.vr, tagText(t), d)
			}
		}
		vstart := off + hlen
		// A standard attribute stored as UN: read it as what it is.
		unSeq := false
		if el.vr == "UN" && t>>16&1 == 0 {
			if d := dictVR(t); d == "SQ" || vl == undefinedLength {
				unSeq = true
			} else if d != "UN" && (isText(d) || e.bo == binary.LittleEndian) {
				el.vr = d
			}
		} else if el.vr == "UN" && vl == undefinedLength {
			unSeq = true
		}
		switch {
		case el.vr == "SQ" || unSeq:
			se := e
			if unSeq {
				se = implicitLE
				el.vr = "SQ"
			}
			if depth >= maxDepth {
				return nil, off, damaged("sequences nested deeper than %d levels", maxDepth)
			}
			if vl == undefinedLength {
				el.items, off, err = p.sequence(vstart, end, true, depth+1, se, t)
			} else {
				if int64(vl) > end-vstart {
					return nil, off, damaged("value length of %s exceeds its container", tagText(t))
				}
				el.items, _, err = p.sequence(vstart, vstart+int64(vl), false, depth+1, se, t)
				off = vstart + int64(vl)
			}
			if err != nil {
				return nil, off, err
			}
		case vl == undefinedLength:
			if el.vr != "OB" && el.vr != "OW" {
				return nil, off, damaged("undefined length with VR %s in %s", el.vr, tagText(t))
			}
			stop, err := p.fragments(vstart, end, e, t)
			if err != nil {
				return nil, off, err
			}
			el.encap = true
			if el.val, err = p.get(vstart, stop-vstart); err != nil {
				return nil, off, p.trunc(err, off)
			}
			off = stop
		default:
			if int64(vl) > end-vstart {
				return nil, off, damaged("value length %d of %s exceeds its container", vl, tagText(t))
			}
			if int64(vl) > bigValue && !isText(el.vr) && el.vr != "UI" {
				el.ref, el.n = vstart, int64(vl)
			} else if el.val, err = p.get(vstart, int64(vl)); err != nil {
				return nil, off, p.trunc(err, off)
			}
			off = vstart + int64(vl)
		}
		out = append(out, el)
	}
}

func (p *parser) trunc(err error, off int64) error {
	if errors.Is(err, errTruncated) {
		return damaged("truncated at offset %d", off)
	}
	return err
}

func (p *parser) sequence(off, end int64, undefined bool, depth int, e enc, seqTag uint32) ([]*item, int64, error) {
	var items []*item
	for {
		if off >= end {
			if undefined {
				return nil, off, damaged("sequence %s without delimiter", tagText(seqTag))
			}
			return items, off, nil
		}
		b, err := p.get(off, 8)
		if err != nil {
			return nil, off, p.trunc(err, off)
		}
		t := uint32(e.bo.Uint16(b))<<16 | uint32(e.bo.Uint16(b[2:]))
		vl := e.bo.Uint32(b[4:])
		switch t {
		case tagSeqDelim:
			if undefined {
				return items, off + 8, nil
			}
			off += 8
			continue
		case tagItem:
		default:
			return nil, off, damaged("unexpected element %s in sequence %s", tagText(t), tagText(seqTag))
		}
		it := &item{}
		if vl == undefinedLength {
			it.elems, off, err = p.dataset(off+8, end, true, depth, e)
		} else {
			if int64(vl) > end-off-8 {
				return nil, off, damaged("item length exceeds sequence %s", tagText(seqTag))
			}
			it.elems, _, err = p.dataset(off+8, off+8+int64(vl), false, depth, e)
			off += 8 + int64(vl)
		}
		if err != nil {
			return nil, off, err
		}
		items = append(items, it)
	}
}

// fragments returns the offset after the sequence delimiter of an
// encapsulated value starting at off.
func (p *parser) fragments(off, end int64, e enc, t uint32) (int64, error) {
	for {
		b, err := p.get(off, 8)
		if err != nil {
			return off, damaged("truncated in encapsulated value of %s", tagText(t))
		}
		it := uint32(e.bo.Uint16(b))<<16 | uint32(e.bo.Uint16(b[2:]))
		vl := e.bo.Uint32(b[4:])
		switch {
		case it == tagSeqDelim:
			return off + 8, nil
		case it != tagItem || vl == undefinedLength || int64(vl) > end-off-8:
			return off, damaged("malformed encapsulated value of %s", tagText(t))
		}
		off += 8 + int64(vl)
	}
}

// vrClass groups VRs whose values are read alike: character strings, binary
// numbers and bytes, sequences.
func vrClass(vr string) int {
	switch {
	case vr == "SQ":
		return 2
	case isText(vr) || vr == "UI":
		return 1
	}
	return 0
}

// isText reports VRs holding character strings that take the Specific
// Character Set (or the default repertoire).
func isText(vr string) bool {
	switch vr {
	case "AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UR", "UT":
		return true
	}
	return false
}

// usesCharset reports VRs whose values are decoded with the Specific
// Character Set.
func usesCharset(vr string) bool {
	switch vr {
	case "LO", "LT", "PN", "SH", "ST", "UC", "UT":
		return true
	}
	return false
}
