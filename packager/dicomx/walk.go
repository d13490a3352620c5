package dicomx

import (
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"io"
	"strings"
	"sync"

	"dossier/packager/dicomwire"
	"dossier/packager/i18n"
)

const (
	maxCapture   = 64 << 10 // longest value kept for a field of interest
	maxDepth     = 32       // sequence nesting limit
	maxInflate   = 32 << 20 // deflated datasets: inflate at most this much
	maxFragments = 1 << 22  // encapsulated pixel data: items walked at most
)

// lastLibraryTag: every field taken from the library lies in groups <= 0028.
const lastLibraryTag = 0x0028FFFF

func tagText(t dicomwire.Tag) string { return t.String() }

// wireErr turns an error of the wire format into a damage report (the
// reason of *dicomwire.Error names tags, offsets and lengths only).
func wireErr(err error) error {
	if err == nil {
		return nil
	}
	var we *dicomwire.Error
	if errors.As(err, &we) {
		return &DamagedError{Reason: we.Reason, Err: we}
	}
	return err
}

// dirRec collects one directory record while walking (its values lie in
// the reader's arena).
type dirRec struct {
	typ  []byte
	file []byte
}

type reader struct {
	ctx  context.Context
	w    *dicomwire.Window
	r    io.ReaderAt // the reader behind w (the inflated data for deflated files)
	size int64
	h    *Header

	e       dicomwire.Syntax
	dsStart int64
	libEnd  int64 // the library gets [dsStart, libEnd)
	libSkip i18n.Text
	// libRanges are the byte ranges [start, end) of the top-level elements
	// the header needs; only these are handed to the library.
	libRanges [][2]int64
	stopped   bool // the walk stopped at Pixel Data

	hasFloatPixels bool // Float or Double Float Pixel Data seen

	inflated     bool
	inflateShort bool  // inflated data incomplete (capped or corrupt)
	inflateErr   error // corrupt deflate stream

	vals    [maxVals]capturedValue // by interesting's numbers
	arena   []byte                 // the bytes of vals and dirRecs
	dirRecs []dirRec
	pixErr  error

	// walker is set up once (its visitors refer to this reader), and kept
	// with the reader for the next file, as are the last values it read.
	walker *dicomwire.Walker
	last   *lastValues
}

// readers are readers kept for the next file: a scan reads thousands of
// headers, and a reader's buffers would otherwise be garbage after each.
var readers = sync.Pool{New: func() any { return new(reader) }}

// maxKeptArena: a reader whose arena grew larger than this (a DICOMDIR, a
// long value) is not kept with it.
const maxKeptArena = 64 << 10

// newReader returns a reader, from the pool when one is free, with nothing
// of the file it read before.
func newReader(ctx context.Context, w *dicomwire.Window, r io.ReaderAt, size int64) *reader {
	rd := readers.Get().(*reader)
	arena, ranges, dirRecs, walker, last := rd.arena[:0], rd.libRanges[:0], rd.dirRecs[:0], rd.walker, rd.last
	if cap(arena) > maxKeptArena {
		arena = nil
	}
	clear(dirRecs[:cap(dirRecs)])
	*rd = reader{ctx: ctx, w: w, r: r, size: size, h: &Header{}, arena: arena, libRanges: ranges, dirRecs: dirRecs, walker: walker, last: last}
	return rd
}

// release returns rd to the pool. Nothing read from rd's buffers may be
// used after this: the header's values are copies.
func (rd *reader) release() {
	if cap(rd.dirRecs) > 4096 {
		rd.dirRecs = nil
	}
	rd.ctx, rd.w, rd.r, rd.h, rd.pixErr, rd.inflateErr = nil, nil, nil, nil, nil, nil
	if rd.walker != nil {
		rd.walker.Src, rd.walker.Ctx = nil, nil
	}
	readers.Put(rd)
}

func (rd *reader) warn(s i18n.Text) {
	for _, w := range rd.h.Warnings {
		if w.String() == s.String() {
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

// skipLib keeps the library away from the whole dataset when an element it
// cannot read lies inside what it would get.
func (rd *reader) skipLib(off int64, why i18n.Text) {
	if rd.libSkip.IsZero() && off < rd.libEnd {
		rd.libSkip = why
	}
}

// interesting maps the top-level tags whose values the walker keeps to
// their place in reader.vals: fields first, in their order.
var interesting = map[dicomwire.Tag]int{}

// maxVals bounds the number of interesting tags.
const maxVals = 48

func init() {
	add := func(t dicomwire.Tag) {
		if _, dup := interesting[t]; !dup {
			interesting[t] = len(interesting)
		}
	}
	for _, f := range fields {
		add(f.tag)
	}
	for _, t := range []dicomwire.Tag{dicomwire.SamplesPerPixel, dicomwire.PhotometricInterpretation,
		dicomwire.BitsAllocated, dicomwire.Rows, dicomwire.Columns} {
		add(t)
	}
	if len(interesting) > maxVals {
		panic("dicomx: more interesting tags than maxVals")
	}
}

// capturedValue is the value of an interesting tag, when seen.
type capturedValue struct {
	b    []byte
	seen bool
}

// interestingTab is interesting as an open-addressing table, looked up at
// every element without hashing a map key: slots hold a tag and its number
// plus one (0: empty).
var interestingTab [interestingSlots]struct {
	tag dicomwire.Tag
	n   uint8
}

// interestingSlots is a power of two well above maxVals.
const interestingSlots = 256

func interestingSlot(t dicomwire.Tag) uint32 { return uint32(t) * 0x9E3779B1 >> 24 }

func init() {
	for t, i := range interesting {
		h := interestingSlot(t)
		for interestingTab[h].n != 0 {
			h = (h + 1) % interestingSlots
		}
		interestingTab[h].tag, interestingTab[h].n = t, uint8(i+1)
	}
}

// interestingIndex returns interesting[t] and whether t is there.
func interestingIndex(t dicomwire.Tag) (int, bool) {
	for h := interestingSlot(t); ; h = (h + 1) % interestingSlots {
		e := interestingTab[h]
		if e.n == 0 {
			return 0, false
		}
		if e.tag == t {
			return int(e.n) - 1, true
		}
	}
}

// val returns the value the walker kept for t.
func (rd *reader) val(t dicomwire.Tag) ([]byte, bool) {
	i, ok := interestingIndex(t)
	if !ok {
		return nil, false
	}
	return rd.vals[i].b, rd.vals[i].seen
}

// walk walks the dataset from dsStart, keeping the values of interest, the
// directory records, and where the library must stop.
func (rd *reader) walk() error {
	if rd.walker == nil {
		rd.walker = rd.newWalker()
	}
	w := rd.walker
	w.Src, w.Size, w.Syntax, w.Ctx, w.Stopped = rd.w, rd.size, rd.e, rd.ctx, false
	_, err := w.Walk(rd.dsStart, rd.size)
	return wireErr(err)
}

// newWalker returns the walker of rd's files: it keeps the values of
// interest, the directory records, and where the library must stop.
func (rd *reader) newWalker() *dicomwire.Walker {
	w := &dicomwire.Walker{MaxDepth: maxDepth}
	w.Warn = func(k dicomwire.Warning, e *dicomwire.Element) error {
		switch k {
		case dicomwire.StrayItemDelimiter:
			rd.warn(i18n.NewText(i18n.Msg("stray item delimiter")))
		case dicomwire.StraySequenceDelimiter:
			rd.warn(i18n.NewText(i18n.Msg("stray sequence delimiter")))
		case dicomwire.DelimiterInDefinedSequence:
			rd.warn(i18n.NewText(i18n.Msg("sequence delimiter in a defined-length sequence")))
		case dicomwire.UnknownVR:
			rd.warn(i18n.NewText(i18n.Msg("unknown VR %v in element %v"), e.VR, tagText(e.Tag)))
			// The library may size this value differently (it reads "NA"
			// with a 4-byte length): do not let it allocate from it.
			rd.skipLib(e.Offset, i18n.NewText(i18n.Msg("unknown VR %v"), e.VR))
		}
		return nil
	}
	w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
		top := e.Depth == 0
		if e.Tag.IsPrivate() {
			rd.h.HasPrivateTags = true
		}
		if top && e.Tag > lastLibraryTag {
			// Spare the library the rest (functional groups, documents,
			// overlays).
			rd.cutLib(e.Offset)
		}
		if top && e.Tag == dicomwire.PixelData {
			rd.cutLib(e.Offset)
			rd.stopped = true
			rd.pixErr = rd.pixel(e)
			return dicomwire.Stop, nil
		}
		if top && (e.Tag == dicomwire.FloatPixelData || e.Tag == dicomwire.DoubleFloatPixelData) {
			rd.hasFloatPixels = true
		}
		if e.Tag == dicomwire.ExtendedOffsetTable || e.Tag == dicomwire.ExtendedOffsetTableLengths {
			rd.warn(i18n.NewText(i18n.Msg("extended offset table present")))
		}
		if !e.Syntax.Implicit && dicomwire.Is64Bit(e.VR) { // the library knows no OV, SV, UV
			if top {
				rd.cutLib(e.Offset)
			} else {
				rd.skipLib(e.Offset, i18n.NewText(i18n.Msg("64-bit VR %v inside a sequence"), e.VR))
			}
		}
		if e.Undefined() && e.VR == "UN" && !e.Syntax.Implicit {
			// PS3.5 6.2.2: UN of undefined length is encoded implicit VR
			// LE, which the library does not follow.
			if top {
				rd.cutLib(e.Offset)
			} else {
				rd.skipLib(e.Offset, i18n.NewText(i18n.Msg("UN sequence inside a sequence")))
			}
		}
		return dicomwire.Continue, nil
	}
	w.Item = func(seq *dicomwire.Element, _ int, _ int64) error {
		if seq.Tag == dicomwire.DirectoryRecordSequence && seq.Depth == 0 {
			rd.dirRecs = append(rd.dirRecs, dirRec{})
		}
		return nil
	}
	w.End = func(e *dicomwire.Element, end int64) error {
		if e.Undefined() || e.IsSequence() {
			return nil
		}
		if i, ok := interestingIndex(e.Tag); ok && e.Depth == 0 {
			if err := rd.capture(e, i); err != nil {
				return err
			}
			rd.libRanges = append(rd.libRanges, [2]int64{e.Offset, end})
			return nil
		}
		if e.Depth == 1 && e.Parent.Tag == dicomwire.DirectoryRecordSequence && len(rd.dirRecs) > 0 &&
			(e.Tag == dicomwire.DirectoryRecordType || e.Tag == dicomwire.ReferencedFileID) && e.Length <= maxCapture {
			b, err := rd.w.At(e.ValueOffset(), int(e.Length))
			if err != nil {
				return rd.ioErr(err, e.Tag, e.Offset)
			}
			dir := &rd.dirRecs[len(rd.dirRecs)-1]
			if e.Tag == dicomwire.DirectoryRecordType {
				dir.typ = rd.keep(b)
			} else {
				dir.file = rd.keep(b)
			}
		}
		return nil
	}
	return w
}

func (rd *reader) ioErr(err error, t dicomwire.Tag, off int64) error {
	if errors.Is(err, dicomwire.ErrShort) {
		return damaged("truncated in element %s", tagText(t))
	}
	return err
}

// capture keeps the value of e, the interesting tag number i. The values
// are copied into one growing arena: a slice handed out stays valid when
// the arena grows (the old array is never written again).
func (rd *reader) capture(e *dicomwire.Element, i int) error {
	n := int(min(e.Length, maxCapture))
	b, err := rd.w.At(e.ValueOffset(), n)
	if err != nil {
		return rd.ioErr(err, e.Tag, e.ValueOffset())
	}
	if rd.vals[i].seen {
		rd.warn(i18n.NewText(i18n.Msg("duplicate element %v"), tagText(e.Tag)))
		return nil
	}
	rd.vals[i] = capturedValue{b: rd.keep(b), seen: true}
	return nil
}

// keep copies b into the arena. The copy stays valid when the arena grows
// (the old array is never written again) until the reader is released.
func (rd *reader) keep(b []byte) []byte {
	if rd.arena == nil {
		rd.arena = make([]byte, 0, 1024)
	}
	start := len(rd.arena)
	rd.arena = append(rd.arena, b...)
	return rd.arena[start:len(rd.arena):len(rd.arena)]
}

// pixel records Pixel Data and checks it against the file size. The
// returned error is a damage report that still lets the header through.
func (rd *reader) pixel(e *dicomwire.Element) error {
	vstart := e.ValueOffset()
	p := &rd.h.PixelData
	p.Present = true
	p.Offset = vstart
	if rd.inflated {
		p.Offset = -1
	}
	if !e.Undefined() {
		p.Length = int64(e.Length)
		if rd.inflated && rd.inflateShort {
			return nil // cannot check: only part of the dataset was inflated
		}
		if have := rd.size - vstart; int64(e.Length) > have {
			if want := rd.nativeSize(); dicomwire.ImplausibleLength(e.Length, rd.size) && (want == 0 || uint64(e.Length) > want+2) {
				return damaged("value length %d of Pixel Data (7FE0,0010) exceeds file size", e.Length)
			}
			return damaged("pixel data truncated: %d of %d bytes", have, e.Length)
		}
		return nil
	}
	p.Length = -1
	p.Encapsulated = true
	if rd.inflated && rd.inflateShort {
		return nil
	}
	f := dicomwire.Fragments{Src: rd.w, Syntax: rd.e, Tag: e.Tag, Off: vstart, End: rd.size, Size: rd.size, Ctx: rd.ctx}
	for i := 0; ; i++ {
		if i >= maxFragments {
			rd.warn(i18n.NewText(i18n.Msg("encapsulated pixel data: too many fragments, not all checked")))
			return nil
		}
		if !f.Next() {
			break
		}
	}
	var we *dicomwire.Error
	if err := f.Err(); err == nil {
		p.Fragments = f.Index()
		return nil
	} else if !errors.As(err, &we) {
		return err
	}
	switch {
	case we.Kind == dicomwire.Malformed && we.Found != dicomwire.Item:
		return damaged("unexpected element %s in encapsulated pixel data (item %d)", tagText(we.Found), we.Index)
	case we.Kind == dicomwire.Malformed:
		return damaged("undefined-length item in encapsulated pixel data (item %d)", we.Index)
	case we.Length == 0:
		return damaged("pixel data truncated: encapsulated data ends after %d items without sequence delimiter", we.Index)
	}
	return damaged("pixel data truncated: item %d has %d of %d bytes", we.Index, max(we.Have, 0), we.Length)
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
	rd.r = bytes.NewReader(data)
	rd.w = dicomwire.NewWindowBytes(data)
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
