// Package slide reads the structure of whole-slide image files (TIFF, BigTIFF,
// Hamamatsu NDPI, 3DHISTECH MIRAX) and detects their vendor the way OpenSlide
// does. It reads headers only: pixel data is never decoded.
//
// The IFD model keeps the file offsets and widths of every entry, value,
// next-IFD pointer and NDPI high-bits word, so that a patch planner can later
// rewrite descriptions or unlink IFDs in place.
package slide

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Limits applied while reading a TIFF structure. They keep memory bounded on
// hostile input.
const (
	// MaxIFDs is the largest number of IFDs OpenTIFF follows in the main chain.
	MaxIFDs = 4096
	// MaxEntries is the largest number of entries accepted in one IFD.
	MaxEntries = 8192
)

// MaxValueBytes is the largest tag value that is read into memory (a
// variable only so tests can lower it).
var MaxValueBytes int64 = 64 << 20

// TIFF field types.
const (
	TypeByte      = 1
	TypeASCII     = 2
	TypeShort     = 3
	TypeLong      = 4
	TypeRational  = 5
	TypeSByte     = 6
	TypeUndefined = 7
	TypeSShort    = 8
	TypeSLong     = 9
	TypeSRational = 10
	TypeFloat     = 11
	TypeDouble    = 12
	TypeIFD       = 13
	TypeLong8     = 16
	TypeSLong8    = 17
	TypeIFD8      = 18
)

// TIFF tags used by the reader and the vendor detection.
const (
	TagNewSubfileType   = 254
	TagImageWidth       = 256
	TagImageLength      = 257
	TagBitsPerSample    = 258
	TagCompression      = 259
	TagPhotometric      = 262
	TagDocumentName     = 269
	TagImageDescription = 270
	TagMake             = 271
	TagModel            = 272
	TagStripOffsets     = 273
	TagSamplesPerPixel  = 277
	TagRowsPerStrip     = 278
	TagStripByteCounts  = 279
	TagPlanarConfig     = 284
	TagPageName         = 285
	TagSoftware         = 305
	TagDateTime         = 306
	TagArtist           = 315
	TagHostComputer     = 316
	TagTileWidth        = 322
	TagTileLength       = 323
	TagTileOffsets      = 324
	TagTileByteCounts   = 325
	TagSubIFDs          = 330
	TagXMP              = 700

	// Hamamatsu NDPI private tags.
	TagNDPIFormatFlag   = 65420
	TagNDPISourceLens   = 65421
	TagNDPIZOffset      = 65422
	TagNDPIReference    = 65427
	TagNDPISerialNumber = 65442
	TagNDPIPropertyMap  = 65449
	TagNDPIXML          = 65477
)

// Errors returned by the reader. They are wrapped with the location of the
// problem (IFD number, byte offset), never with metadata values.
var (
	ErrNotTIFF     = errors.New("slide: not a TIFF file")
	ErrTruncated   = errors.New("slide: truncated TIFF structure")
	ErrIFDLoop     = errors.New("slide: IFD chain loops")
	ErrTooManyIFDs = errors.New("slide: too many IFDs")
	ErrBadIFD      = errors.New("slide: malformed IFD")
	ErrBadValue    = errors.New("slide: malformed tag value")
)

// File is the parsed structure of a TIFF, BigTIFF or NDPI file.
type File struct {
	BigTIFF   bool
	ByteOrder binary.ByteOrder
	NDPI      bool
	IFDs      []*IFD

	// Size is the file size given to OpenTIFF.
	Size int64
	// FirstPtrOffset is the offset of the header's first-IFD pointer (4 or 8);
	// FirstPtrWidth its width in bytes (4 or 8).
	FirstPtrOffset int64
	FirstPtrWidth  int

	r io.ReaderAt
}

// IFD is one image file directory of the main chain.
type IFD struct {
	// Index is the position of the IFD in the chain (0 = first).
	Index int
	// Offset is where the IFD starts (its entry count).
	Offset  int64
	Entries []Entry
	// NextOffset is the value of the next-IFD pointer (0 = last IFD).
	NextOffset int64
	// NextPtrOffset is where the next-IFD pointer is stored; NextPtrWidth its
	// width in bytes (4 classic, 8 BigTIFF and NDPI).
	NextPtrOffset int64
	NextPtrWidth  int
	// CountWidth is the width of the entry count (2 classic/NDPI, 8 BigTIFF);
	// EntrySize the size of one entry (12 or 20).
	CountWidth int
	EntrySize  int
	// NDPIHighOffset is where the NDPI high-bits array (one uint32 per entry)
	// starts, or -1 when the file is not NDPI. The array is read (and counted
	// in End) only when the file is larger than 4 GiB.
	NDPIHighOffset int64
	// End is the first byte after the IFD structure (including the NDPI
	// high-bits array).
	End int64
}

// Entry is one IFD entry.
type Entry struct {
	Tag   uint16
	Type  uint16
	Count uint64
	// EntryOffset is where the entry starts in the file.
	EntryOffset int64
	// CountOffset is where the entry's count field is stored; CountWidth its
	// width (4 classic/NDPI, 8 BigTIFF).
	CountOffset int64
	CountWidth  int
	// FieldOffset is where the value-or-offset field is stored; FieldWidth its
	// width (4 classic/NDPI, 8 BigTIFF).
	FieldOffset int64
	FieldWidth  int
	// Inline reports whether the value is stored in the field itself.
	Inline bool
	// ValueOffset is where the value bytes start (FieldOffset when inline).
	ValueOffset int64
	// NDPIHighOffset is where the high 32 bits of this entry's field are
	// stored in an NDPI file, or -1 (see IFD.NDPIHighOffset).
	NDPIHighOffset int64
}

// ValueSize returns the size in bytes of the entry's value, or -1 when the
// type is unknown or the size overflows.
func (e *Entry) ValueSize() int64 {
	ts := typeSize(e.Type)
	if ts == 0 || e.Count > math.MaxInt64/uint64(ts) {
		return -1
	}
	return int64(e.Count) * int64(ts)
}

// Entry returns the entry with the given tag, if present.
func (d *IFD) Entry(tag uint16) (*Entry, bool) {
	for i := range d.Entries {
		if d.Entries[i].Tag == tag {
			return &d.Entries[i], true
		}
	}
	return nil, false
}

// Has reports whether the IFD has an entry with the given tag.
func (d *IFD) Has(tag uint16) bool {
	_, ok := d.Entry(tag)
	return ok
}

// Tiled reports whether the IFD is tile-organised (TileWidth present).
func (d *IFD) Tiled() bool {
	return d.Has(TagTileWidth) && d.Has(TagTileOffsets)
}

func typeSize(t uint16) int {
	switch t {
	case TypeByte, TypeASCII, TypeSByte, TypeUndefined:
		return 1
	case TypeShort, TypeSShort:
		return 2
	case TypeLong, TypeSLong, TypeFloat, TypeIFD:
		return 4
	case TypeRational, TypeSRational, TypeDouble, TypeLong8, TypeSLong8, TypeIFD8:
		return 8
	}
	return 0
}

// IsTIFF reports whether head starts with a TIFF or BigTIFF header
// (II*\0, MM\0*, II+\0, MM\0+).
func IsTIFF(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	switch string(head[:4]) {
	case "II*\x00", "MM\x00*", "II+\x00", "MM\x00+":
		return true
	}
	return false
}

// OpenTIFF parses the header and the main IFD chain of a TIFF, BigTIFF or
// NDPI file. Tag values are read later, on demand, with the File's value
// methods. Every count and offset is checked against size.
func OpenTIFF(r io.ReaderAt, size int64) (*File, error) {
	if size < 8 {
		return nil, fmt.Errorf("%w: file is %d bytes", ErrNotTIFF, size)
	}
	var head [16]byte
	n, err := r.ReadAt(head[:], 0)
	if n < 8 {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%w: reading header: %w", ErrNotTIFF, err)
	}
	if !IsTIFF(head[:4]) {
		return nil, fmt.Errorf("%w: bad magic", ErrNotTIFF)
	}
	f := &File{Size: size, r: r}
	if head[0] == 'I' {
		f.ByteOrder = binary.LittleEndian
	} else {
		f.ByteOrder = binary.BigEndian
	}
	var first uint64
	if f.ByteOrder.Uint16(head[2:]) == 43 {
		f.BigTIFF = true
		if n < 16 {
			return nil, fmt.Errorf("%w: BigTIFF header", ErrTruncated)
		}
		if f.ByteOrder.Uint16(head[4:]) != 8 || f.ByteOrder.Uint16(head[6:]) != 0 {
			return nil, fmt.Errorf("%w: unsupported BigTIFF offset size", ErrNotTIFF)
		}
		f.FirstPtrOffset, f.FirstPtrWidth = 8, 8
		first = f.ByteOrder.Uint64(head[8:])
	} else {
		f.FirstPtrOffset, f.FirstPtrWidth = 4, 4
		first = uint64(f.ByteOrder.Uint32(head[4:]))
	}
	if first == 0 {
		return nil, fmt.Errorf("%w: no IFD", ErrBadIFD)
	}
	seen := make(map[int64]bool)
	next := first
	ptrAt := f.FirstPtrOffset
	for next != 0 {
		idx := len(f.IFDs)
		if idx >= MaxIFDs {
			return nil, fmt.Errorf("%w: more than %d", ErrTooManyIFDs, MaxIFDs)
		}
		if next >= uint64(size) {
			return nil, fmt.Errorf("%w: IFD %d offset %d (pointer at %d) past end of file (%d bytes)", ErrTruncated, idx, next, ptrAt, size)
		}
		off := int64(next)
		if seen[off] {
			return nil, fmt.Errorf("%w: IFD %d at offset %d", ErrIFDLoop, idx, off)
		}
		seen[off] = true
		d, err := f.readIFD(idx, off)
		if err != nil {
			return nil, err
		}
		f.IFDs = append(f.IFDs, d)
		next = uint64(d.NextOffset)
		ptrAt = d.NextPtrOffset
	}
	return f, nil
}

func (f *File) readAt(off int64, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > f.Size || n > f.Size-off {
		return nil, ErrTruncated
	}
	if n > MaxValueBytes {
		return nil, fmt.Errorf("%w: %d bytes exceeds limit", ErrBadValue, n)
	}
	buf := make([]byte, n)
	got, err := f.r.ReadAt(buf, off)
	if int64(got) < n {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%w: %w", ErrTruncated, err)
	}
	return buf, nil
}

func (f *File) readIFD(idx int, off int64) (*IFD, error) {
	d := &IFD{Index: idx, Offset: off, NDPIHighOffset: -1}
	if f.BigTIFF {
		d.CountWidth, d.EntrySize = 8, 20
	} else {
		d.CountWidth, d.EntrySize = 2, 12
	}
	cb, err := f.readAt(off, int64(d.CountWidth))
	if err != nil {
		return nil, fmt.Errorf("%w (IFD %d at offset %d: entry count)", err, idx, off)
	}
	var count uint64
	if f.BigTIFF {
		count = f.ByteOrder.Uint64(cb)
	} else {
		count = uint64(f.ByteOrder.Uint16(cb))
	}
	if count == 0 {
		return nil, fmt.Errorf("%w: IFD %d at offset %d: no entries", ErrBadIFD, idx, off)
	}
	if count > MaxEntries {
		return nil, fmt.Errorf("%w: IFD %d at offset %d: %d entries", ErrBadIFD, idx, off, count)
	}
	entriesAt := off + int64(d.CountWidth)
	body, err := f.readAt(entriesAt, int64(count)*int64(d.EntrySize))
	if err != nil {
		return nil, fmt.Errorf("%w (IFD %d at offset %d: %d entries)", err, idx, off, count)
	}
	d.Entries = make([]Entry, count)
	for i := range d.Entries {
		b := body[i*d.EntrySize:]
		e := &d.Entries[i]
		e.EntryOffset = entriesAt + int64(i*d.EntrySize)
		e.Tag = f.ByteOrder.Uint16(b)
		e.Type = f.ByteOrder.Uint16(b[2:])
		e.CountOffset = e.EntryOffset + 4
		e.NDPIHighOffset = -1
		if f.BigTIFF {
			e.CountWidth, e.FieldWidth = 8, 8
			e.Count = f.ByteOrder.Uint64(b[4:])
		} else {
			e.CountWidth, e.FieldWidth = 4, 4
			e.Count = uint64(f.ByteOrder.Uint32(b[4:]))
		}
		e.FieldOffset = e.CountOffset + int64(e.CountWidth)
	}
	// NDPI is recognised by its format-flag tag in IFD 0; the rest of the
	// file then uses 64-bit next pointers and high-bits arrays.
	if idx == 0 && !f.BigTIFF && d.Has(TagNDPIFormatFlag) {
		f.NDPI = true
	}
	d.NextPtrOffset = entriesAt + int64(count)*int64(d.EntrySize)
	d.NextPtrWidth = 4
	if f.BigTIFF || f.NDPI {
		d.NextPtrWidth = 8
	}
	nb, err := f.readAt(d.NextPtrOffset, int64(d.NextPtrWidth))
	if err != nil {
		return nil, fmt.Errorf("%w (IFD %d at offset %d: next-IFD pointer)", err, idx, off)
	}
	var nextRaw uint64
	if d.NextPtrWidth == 8 {
		nextRaw = f.ByteOrder.Uint64(nb)
	} else {
		nextRaw = uint64(f.ByteOrder.Uint32(nb))
	}
	if nextRaw > math.MaxInt64 {
		return nil, fmt.Errorf("%w: IFD %d at offset %d: next-IFD pointer past end of file", ErrTruncated, idx, off)
	}
	d.NextOffset = int64(nextRaw)
	d.End = d.NextPtrOffset + int64(d.NextPtrWidth)
	var high []byte
	if f.NDPI {
		d.NDPIHighOffset = d.End
		// The high-bits array matters only in files larger than 4 GiB (in
		// smaller files every high word must be zero, and writers may leave
		// it out). Like libtiff and tifffile, read it only there.
		if f.Size > math.MaxUint32 {
			hb, err := f.readAt(d.NDPIHighOffset, int64(count)*4)
			if err != nil {
				return nil, fmt.Errorf("%w (IFD %d at offset %d: NDPI high-bits array)", err, idx, off)
			}
			high = hb
			d.End += int64(count) * 4
		}
	}
	for i := range d.Entries {
		e := &d.Entries[i]
		b := body[i*d.EntrySize:]
		if typeSize(e.Type) == 0 {
			// Unknown type: keep the entry (a patch planner may need it) but
			// its value cannot be read.
			e.ValueOffset = e.FieldOffset
			e.Inline = true
			continue
		}
		vs := e.ValueSize() // -1 when the count overflows
		var field uint64
		if f.BigTIFF {
			field = f.ByteOrder.Uint64(b[12:])
		} else {
			field = uint64(f.ByteOrder.Uint32(b[8:]))
		}
		if f.NDPI {
			e.NDPIHighOffset = d.NDPIHighOffset + int64(i)*4
			if high != nil {
				field |= uint64(f.ByteOrder.Uint32(high[i*4:])) << 32
			}
		}
		if vs >= 0 && vs <= int64(e.FieldWidth) {
			e.Inline = true
			e.ValueOffset = e.FieldOffset
			continue
		}
		if field > math.MaxInt64 {
			field = math.MaxInt64
		}
		e.ValueOffset = int64(field)
	}
	return d, nil
}

// Bytes returns the raw bytes of the entry's value. The value must lie
// inside the file and be at most MaxValueBytes long.
func (f *File) Bytes(e *Entry) ([]byte, error) {
	vs := e.ValueSize()
	if vs < 0 {
		return nil, fmt.Errorf("%w: tag %d: unknown type %d or huge count", ErrBadValue, e.Tag, e.Type)
	}
	if e.Inline {
		// Inline values: at most FieldWidth bytes of the entry itself. With
		// NDPI the inline value never uses the high bits.
		return f.readAt(e.ValueOffset, vs)
	}
	b, err := f.readAt(e.ValueOffset, vs)
	if err != nil {
		return nil, fmt.Errorf("%w (tag %d: value of %d bytes at offset %d)", err, e.Tag, vs, e.ValueOffset)
	}
	return b, nil
}

// ASCII returns the entry's value as a string, cut at the first NUL. BYTE
// and UNDEFINED values are accepted too (XMP is often stored as BYTE).
func (f *File) ASCII(e *Entry) (string, error) {
	switch e.Type {
	case TypeASCII, TypeByte, TypeUndefined, TypeSByte:
	default:
		return "", fmt.Errorf("%w: tag %d: type %d is not text", ErrBadValue, e.Tag, e.Type)
	}
	b, err := f.Bytes(e)
	if err != nil {
		return "", err
	}
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	return string(b), nil
}

// Uints returns an unsigned integer array (BYTE, SHORT, LONG, LONG8, IFD,
// IFD8), read by the entry's declared type.
func (f *File) Uints(e *Entry) ([]uint64, error) {
	switch e.Type {
	case TypeByte, TypeShort, TypeLong, TypeLong8, TypeIFD, TypeIFD8, TypeUndefined:
	default:
		return nil, fmt.Errorf("%w: tag %d: type %d is not an unsigned integer", ErrBadValue, e.Tag, e.Type)
	}
	b, err := f.Bytes(e)
	if err != nil {
		return nil, err
	}
	ts := typeSize(e.Type)
	out := make([]uint64, len(b)/ts)
	for i := range out {
		p := b[i*ts:]
		switch ts {
		case 1:
			out[i] = uint64(p[0])
		case 2:
			out[i] = uint64(f.ByteOrder.Uint16(p))
		case 4:
			out[i] = uint64(f.ByteOrder.Uint32(p))
		case 8:
			out[i] = f.ByteOrder.Uint64(p)
		}
	}
	return out, nil
}

// Uint returns the first value of an unsigned integer entry.
func (f *File) Uint(e *Entry) (uint64, error) {
	if e.Count == 0 {
		return 0, fmt.Errorf("%w: tag %d: empty", ErrBadValue, e.Tag)
	}
	c := *e
	c.Count = 1 // the first element, inline or at the start of the array
	v, err := f.Uints(&c)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// Float returns the first value of a numeric entry as float64 (any integer,
// FLOAT, DOUBLE or RATIONAL type).
func (f *File) Float(e *Entry) (float64, error) {
	if e.Count == 0 {
		return 0, fmt.Errorf("%w: tag %d: empty", ErrBadValue, e.Tag)
	}
	c := *e
	c.Count = 1
	b, err := f.Bytes(&c)
	if err != nil {
		return 0, err
	}
	bo := f.ByteOrder
	switch e.Type {
	case TypeByte, TypeUndefined:
		return float64(b[0]), nil
	case TypeSByte:
		return float64(int8(b[0])), nil
	case TypeShort:
		return float64(bo.Uint16(b)), nil
	case TypeSShort:
		return float64(int16(bo.Uint16(b))), nil
	case TypeLong, TypeIFD:
		return float64(bo.Uint32(b)), nil
	case TypeSLong:
		return float64(int32(bo.Uint32(b))), nil
	case TypeLong8, TypeIFD8:
		return float64(bo.Uint64(b)), nil
	case TypeSLong8:
		return float64(int64(bo.Uint64(b))), nil
	case TypeFloat:
		return float64(math.Float32frombits(bo.Uint32(b))), nil
	case TypeDouble:
		return math.Float64frombits(bo.Uint64(b)), nil
	case TypeRational:
		num, den := bo.Uint32(b), bo.Uint32(b[4:])
		if den == 0 {
			return 0, fmt.Errorf("%w: tag %d: zero denominator", ErrBadValue, e.Tag)
		}
		return float64(num) / float64(den), nil
	case TypeSRational:
		num, den := int32(bo.Uint32(b)), int32(bo.Uint32(b[4:]))
		if den == 0 {
			return 0, fmt.Errorf("%w: tag %d: zero denominator", ErrBadValue, e.Tag)
		}
		return float64(num) / float64(den), nil
	}
	return 0, fmt.Errorf("%w: tag %d: type %d is not numeric", ErrBadValue, e.Tag, e.Type)
}

// TagString returns the text value of tag in d, or "" when absent or unreadable.
func (f *File) TagString(d *IFD, tag uint16) string {
	e, ok := d.Entry(tag)
	if !ok {
		return ""
	}
	s, err := f.ASCII(e)
	if err != nil {
		return ""
	}
	return s
}

// TagUint returns the first unsigned value of tag in d.
func (f *File) TagUint(d *IFD, tag uint16) (uint64, bool) {
	e, ok := d.Entry(tag)
	if !ok {
		return 0, false
	}
	v, err := f.Uint(e)
	if err != nil {
		return 0, false
	}
	return v, true
}

// DataRange is the byte range of one strip or tile in the file.
type DataRange struct {
	Offset, Length int64
}

// DataRanges returns the strip or tile byte ranges of d, read from the
// offsets and byte-count arrays by their declared types. Each range is
// checked against the file size.
func (f *File) DataRanges(d *IFD) ([]DataRange, error) {
	offTag, cntTag := uint16(TagStripOffsets), uint16(TagStripByteCounts)
	if d.Tiled() {
		offTag, cntTag = TagTileOffsets, TagTileByteCounts
	}
	oe, ok1 := d.Entry(offTag)
	ce, ok2 := d.Entry(cntTag)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%w: IFD %d: missing offsets or byte counts", ErrBadIFD, d.Index)
	}
	if oe.Count != ce.Count {
		return nil, fmt.Errorf("%w: IFD %d: %d offsets but %d byte counts", ErrBadIFD, d.Index, oe.Count, ce.Count)
	}
	offs, err := f.Uints(oe)
	if err != nil {
		return nil, fmt.Errorf("%w (IFD %d: data offsets)", err, d.Index)
	}
	cnts, err := f.Uints(ce)
	if err != nil {
		return nil, fmt.Errorf("%w (IFD %d: data byte counts)", err, d.Index)
	}
	out := make([]DataRange, len(offs))
	for i := range offs {
		o, c := offs[i], cnts[i]
		if f.NDPI && oe.Inline && oe.Count == 1 {
			// NDPI: the single inline offset may carry high bits.
			o = f.ndpiInline(oe, o)
		}
		if o > uint64(f.Size) || c > uint64(f.Size)-o {
			return nil, fmt.Errorf("%w: IFD %d: data block %d: range past end of file", ErrTruncated, d.Index, i)
		}
		out[i] = DataRange{Offset: int64(o), Length: int64(c)}
	}
	return out, nil
}

func (f *File) ndpiInline(e *Entry, low uint64) uint64 {
	if e.NDPIHighOffset < 0 || e.Type != TypeLong || f.Size <= math.MaxUint32 {
		return low
	}
	b, err := f.readAt(e.NDPIHighOffset, 4)
	if err != nil {
		return low
	}
	return low | uint64(f.ByteOrder.Uint32(b))<<32
}
