package exif

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrHEIFLayout is returned when a HEIC/HEIF file is laid out in a way
// this reader does not follow (image sequences, items stored in other
// files or built from other items, unknown top-level boxes, damage), so
// its metadata cannot be found with certainty.
var ErrHEIFLayout = errors.New("exif: the HEIC file is laid out in an unexpected way")

// HEIFExtent is one run of an item's bytes, at an absolute file offset.
type HEIFExtent struct {
	Offset, Length int64
}

// HEIFItem is a metadata item of a HEIF file: its Exif block or an XMP
// packet.
type HEIFItem struct {
	ID uint32
	// Kind is "Exif" or "XMP".
	Kind    string
	Extents []HEIFExtent
}

// Len is the item's size in bytes.
func (it HEIFItem) Len() int64 {
	var n int64
	for _, e := range it.Extents {
		n += e.Length
	}
	return n
}

// Data returns the item's bytes from the whole file b.
func (it HEIFItem) Data(b []byte) []byte {
	var out []byte
	for _, e := range it.Extents {
		if e.Offset >= 0 && e.Offset+e.Length <= int64(len(b)) {
			out = append(out, b[e.Offset:e.Offset+e.Length]...)
		}
	}
	return out
}

// heifTopLevel are the top-level boxes of a still HEIF image. Anything
// else (a movie box of a sequence, a vendor's uuid box) may hold
// metadata this reader does not know, so it is ErrHEIFLayout.
var heifTopLevel = map[string]bool{"ftyp": true, "meta": true, "mdat": true, "free": true, "skip": true, "wide": true, "pdin": true}

// maxMetaBox bounds the meta box read into memory.
const maxMetaBox = 64 << 20

type box struct {
	typ         string
	start, body int64 // offset of the header and of the content
	end         int64
}

// boxes lists the boxes between off and end.
func boxes(r io.ReaderAt, off, end int64) ([]box, error) {
	var out []box
	for off < end {
		if len(out) > 10000 {
			return nil, fmt.Errorf("%w: too many boxes", ErrHEIFLayout)
		}
		var h [16]byte
		if end-off < 8 {
			return nil, fmt.Errorf("%w: a box header is cut short", ErrHEIFLayout)
		}
		if _, err := r.ReadAt(h[:8], off); err != nil {
			return nil, fmt.Errorf("%w: reading a box", ErrHEIFLayout)
		}
		size := int64(binary.BigEndian.Uint32(h[:4]))
		b := box{typ: string(h[4:8]), start: off, body: off + 8}
		switch size {
		case 0:
			size = end - off
		case 1:
			if end-off < 16 {
				return nil, fmt.Errorf("%w: a box header is cut short", ErrHEIFLayout)
			}
			if _, err := r.ReadAt(h[8:16], off+8); err != nil {
				return nil, fmt.Errorf("%w: reading a box", ErrHEIFLayout)
			}
			size = int64(binary.BigEndian.Uint64(h[8:16]))
			b.body = off + 16
		}
		if size < b.body-off || size > end-off {
			return nil, fmt.Errorf("%w: a box's size is wrong", ErrHEIFLayout)
		}
		b.end = off + size
		out = append(out, b)
		off = b.end
	}
	return out, nil
}

// HEIFMetadata finds the Exif and XMP items of a HEIC/HEIF file held in b.
func HEIFMetadata(b []byte) ([]HEIFItem, error) {
	return HEIFMetadataAt(bytes.NewReader(b), int64(len(b)))
}

// HEIFMetadataAt finds the Exif and XMP items of a HEIC/HEIF file: it reads
// the item information (iinf) for the items' types and the item locations
// (iloc) for where their bytes are. Every extent it returns lies inside the
// file. It returns ErrHEIFLayout for layouts it does not follow.
func HEIFMetadataAt(r io.ReaderAt, size int64) ([]HEIFItem, error) {
	top, err := boxes(r, 0, size)
	if err != nil {
		return nil, err
	}
	if len(top) == 0 || top[0].typ != "ftyp" {
		return nil, fmt.Errorf("%w: no file type box", ErrHEIFLayout)
	}
	var meta *box
	for i, b := range top {
		if !heifTopLevel[b.typ] {
			return nil, fmt.Errorf("%w: a top-level %q box", ErrHEIFLayout, printable(b.typ))
		}
		if b.typ == "meta" {
			if meta != nil {
				return nil, fmt.Errorf("%w: two meta boxes", ErrHEIFLayout)
			}
			meta = &top[i]
		}
	}
	if meta == nil {
		return nil, fmt.Errorf("%w: no meta box", ErrHEIFLayout)
	}
	if meta.end-meta.body > maxMetaBox || meta.end-meta.body < 4 {
		return nil, fmt.Errorf("%w: the meta box's size", ErrHEIFLayout)
	}
	mb := make([]byte, meta.end-meta.body)
	if _, err := r.ReadAt(mb, meta.body); err != nil {
		return nil, fmt.Errorf("%w: reading the meta box", ErrHEIFLayout)
	}
	// meta is a full box: version and flags, then its children.
	kids, err := boxes(bytes.NewReader(mb), 4, int64(len(mb)))
	if err != nil {
		return nil, err
	}
	var iinf, iloc, idat *box
	for i, k := range kids {
		switch k.typ {
		case "iinf":
			iinf = &kids[i]
		case "iloc":
			iloc = &kids[i]
		case "idat":
			idat = &kids[i]
		}
	}
	if iinf == nil || iloc == nil {
		return nil, fmt.Errorf("%w: no item information or locations", ErrHEIFLayout)
	}
	kinds, err := parseIinf(mb[iinf.body:iinf.end])
	if err != nil {
		return nil, err
	}
	idatStart, idatEnd := int64(-1), int64(-1)
	if idat != nil {
		idatStart, idatEnd = meta.body+idat.body, meta.body+idat.end
	}
	locs, err := parseIloc(mb[iloc.body:iloc.end], idatStart, idatEnd)
	if err != nil {
		return nil, err
	}
	var out []HEIFItem
	for id, kind := range kinds {
		ext, ok := locs[id]
		if !ok {
			return nil, fmt.Errorf("%w: a metadata item without a location", ErrHEIFLayout)
		}
		if ext == nil {
			return nil, fmt.Errorf("%w: a metadata item built from other items or stored elsewhere", ErrHEIFLayout)
		}
		for _, e := range ext {
			if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > size {
				return nil, fmt.Errorf("%w: a metadata item outside the file", ErrHEIFLayout)
			}
		}
		out = append(out, HEIFItem{ID: id, Kind: kind, Extents: ext})
	}
	sortItems(out)
	return out, nil
}

func sortItems(items []HEIFItem) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && items[j].ID < items[j-1].ID; j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

func printable(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7E {
			b[i] = '?'
		}
	}
	return string(b)
}

// parseIinf returns the IDs of the Exif and XMP items and their kinds.
func parseIinf(b []byte) (map[uint32]string, error) {
	if len(b) < 6 {
		return nil, fmt.Errorf("%w: item information cut short", ErrHEIFLayout)
	}
	off := int64(6)
	if b[0] != 0 {
		off = 8
	}
	entries, err := boxes(bytes.NewReader(b), off, int64(len(b)))
	if err != nil {
		return nil, err
	}
	out := map[uint32]string{}
	for _, e := range entries {
		if e.typ != "infe" {
			continue
		}
		d := b[e.body:e.end]
		if len(d) < 4 {
			return nil, fmt.Errorf("%w: an item entry cut short", ErrHEIFLayout)
		}
		version := d[0]
		if version < 2 {
			continue // old entries carry no item type (no Exif or XMP items)
		}
		p := 4
		var id uint32
		if version == 2 {
			if len(d) < p+2 {
				return nil, fmt.Errorf("%w: an item entry cut short", ErrHEIFLayout)
			}
			id = uint32(binary.BigEndian.Uint16(d[p:]))
			p += 2
		} else {
			if len(d) < p+4 {
				return nil, fmt.Errorf("%w: an item entry cut short", ErrHEIFLayout)
			}
			id = binary.BigEndian.Uint32(d[p:])
			p += 4
		}
		if len(d) < p+6 {
			return nil, fmt.Errorf("%w: an item entry cut short", ErrHEIFLayout)
		}
		p += 2 // protection index
		typ := string(d[p : p+4])
		p += 4
		name, rest := cString(d[p:])
		_ = name
		switch typ {
		case "Exif":
			out[id] = "Exif"
		case "mime":
			ct, _ := cString(rest)
			if bytes.Contains(bytes.ToLower(ct), []byte("rdf+xml")) || bytes.Contains(bytes.ToLower(ct), []byte("xmp")) {
				out[id] = "XMP"
			}
		}
	}
	return out, nil
}

func cString(b []byte) (s, rest []byte) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

// parseIloc returns each item's extents at absolute file offsets; an item
// whose bytes are built from other items or lie in another file maps to
// nil.
func parseIloc(b []byte, idatStart, idatEnd int64) (map[uint32][]HEIFExtent, error) {
	short := fmt.Errorf("%w: item locations cut short", ErrHEIFLayout)
	if len(b) < 6 {
		return nil, short
	}
	version := b[0]
	if version > 2 {
		return nil, fmt.Errorf("%w: item locations version %d", ErrHEIFLayout, version)
	}
	offSize, lenSize := int(b[4]>>4), int(b[4]&15)
	baseSize, idxSize := int(b[5]>>4), int(b[5]&15)
	if version == 0 {
		idxSize = 0
	}
	p := 6
	read := func(n int) (uint64, bool) {
		if n == 0 {
			return 0, true
		}
		if p+n > len(b) || n != 4 && n != 8 && n != 2 {
			return 0, false
		}
		var v uint64
		switch n {
		case 2:
			v = uint64(binary.BigEndian.Uint16(b[p:]))
		case 4:
			v = uint64(binary.BigEndian.Uint32(b[p:]))
		case 8:
			v = binary.BigEndian.Uint64(b[p:])
		}
		p += n
		return v, true
	}
	idLen := 2
	if version == 2 {
		idLen = 4
	}
	count, ok := read(idLen)
	if !ok {
		return nil, short
	}
	if count > 1<<20 {
		return nil, fmt.Errorf("%w: too many items", ErrHEIFLayout)
	}
	out := map[uint32][]HEIFExtent{}
	for i := uint64(0); i < count; i++ {
		id, ok := read(idLen)
		if !ok {
			return nil, short
		}
		method := uint64(0)
		if version >= 1 {
			m, ok := read(2)
			if !ok {
				return nil, short
			}
			method = m & 15
		}
		dref, ok1 := read(2)
		base, ok2 := read(baseSize)
		n, ok3 := read(2)
		if !ok1 || !ok2 || !ok3 {
			return nil, short
		}
		var ext []HEIFExtent
		for k := uint64(0); k < n; k++ {
			if _, ok := read(idxSize); !ok {
				return nil, short
			}
			eo, ok1 := read(offSize)
			el, ok2 := read(lenSize)
			if !ok1 || !ok2 {
				return nil, short
			}
			if eo > 1<<62 || el > 1<<62 || base > 1<<62 {
				return nil, fmt.Errorf("%w: an item location out of range", ErrHEIFLayout)
			}
			ext = append(ext, HEIFExtent{Offset: int64(base + eo), Length: int64(el)})
		}
		switch {
		case dref != 0 || method > 1:
			out[uint32(id)] = nil
			continue
		case method == 1:
			if idatStart < 0 {
				return nil, fmt.Errorf("%w: an item in a missing idat box", ErrHEIFLayout)
			}
			for j := range ext {
				ext[j].Offset += idatStart
				if ext[j].Offset+ext[j].Length > idatEnd {
					return nil, fmt.Errorf("%w: an item beyond its idat box", ErrHEIFLayout)
				}
			}
		}
		for _, e := range ext {
			if e.Length == 0 {
				out[uint32(id)] = nil // "to the end of the file": not for metadata
				ext = nil
				break
			}
		}
		if ext != nil {
			out[uint32(id)] = ext
		}
	}
	return out, nil
}

// HEIFTextFields returns where a HEIF file's meta box holds text a person
// or a program may have written about the picture: the names of items
// (infe) and user description properties (udes: name, description,
// tags). Ranges are absolute file offsets of the text bytes (terminating
// NULs not included), so a cleaner can overwrite them in place.
func HEIFTextFields(r io.ReaderAt, size int64) ([]HEIFExtent, error) {
	top, err := boxes(r, 0, size)
	if err != nil {
		return nil, err
	}
	var meta *box
	for i := range top {
		if top[i].typ == "meta" {
			meta = &top[i]
			break
		}
	}
	if meta == nil || meta.end-meta.body > maxMetaBox || meta.end-meta.body < 4 {
		return nil, fmt.Errorf("%w: no usable meta box", ErrHEIFLayout)
	}
	mb := make([]byte, meta.end-meta.body)
	if _, err := r.ReadAt(mb, meta.body); err != nil {
		return nil, fmt.Errorf("%w: reading the meta box", ErrHEIFLayout)
	}
	kids, err := boxes(bytes.NewReader(mb), 4, int64(len(mb)))
	if err != nil {
		return nil, err
	}
	var out []HEIFExtent
	// texts adds the ranges of the NUL-terminated strings in b[from:],
	// b starting at absolute offset base.
	texts := func(b []byte, from int, base int64, max int) {
		p := from
		for n := 0; p < len(b) && n < max; n++ {
			s, _ := cString(b[p:])
			if len(s) > 0 {
				out = append(out, HEIFExtent{Offset: base + int64(p), Length: int64(len(s))})
			}
			p += len(s) + 1
		}
	}
	for _, k := range kids {
		switch k.typ {
		case "iinf":
			b := mb[k.body:k.end]
			if len(b) < 6 {
				continue
			}
			off := int64(6)
			if b[0] != 0 {
				off = 8
			}
			entries, err := boxes(bytes.NewReader(b), off, int64(len(b)))
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				d := b[e.body:e.end]
				if e.typ != "infe" || len(d) < 4 || d[0] < 2 {
					continue
				}
				p := 4 + 2 + 2 + 4 // version/flags, 16-bit ID, protection index, type
				if d[0] >= 3 {
					p += 2 // 32-bit ID
				}
				if p <= len(d) {
					texts(d, p, meta.body+k.body+e.body, 1) // the item name only
				}
			}
		case "iprp":
			b := mb[k.body:k.end]
			props, err := boxes(bytes.NewReader(b), 0, int64(len(b)))
			if err != nil {
				return nil, err
			}
			for _, p := range props {
				if p.typ != "ipco" {
					continue
				}
				c := b[p.body:p.end]
				list, err := boxes(bytes.NewReader(c), 0, int64(len(c)))
				if err != nil {
					return nil, err
				}
				for _, u := range list {
					if u.typ == "udes" && u.end-u.body >= 4 {
						texts(c[u.body:u.end], 4, meta.body+k.body+p.body+u.body, 4)
					}
				}
			}
		}
	}
	return out, nil
}
