// Package slidedeid de-identifies whole-slide images without touching their
// tiles. It parses only the small structures of a slide (TIFF IFDs, vendor
// descriptions), builds a list of byte patches, and streams the original
// through that list once: the original is never modified, no plaintext
// temporary copy is made, and every tile of every level stays byte-identical.
//
// Label and macro images are removed structurally (their strips zeroed, the
// predecessor's next-IFD pointer relinked at the right width); identifying
// metadata is removed from every IFD with allow-lists per vendor. Verify
// re-opens an output and checks it against the original (vendor, no label or
// macro, no identifying metadata, tile hashes). MIRAX slides (a .mrxs file
// and a folder) go through DeidentifyMRXS. A format or variant that is not
// handled returns an error wrapping ErrUnsupported: the caller must then
// leave the slide out, never pass it through. A file that is not TIFF at all
// returns an error wrapping slide.ErrNotTIFF (and slide.ErrNotSlide).
package slidedeid

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"dossier/packager/privacy"
	"dossier/packager/slide"
)

// ErrUnsupported is returned (wrapped) for a slide format or variant that is
// not handled yet. The caller leaves the slide out with this reason and never
// passes the original through.
var ErrUnsupported = errors.New("slidedeid: slide format or variant not supported for de-identification")

// ErrUnknownImage is returned (wrapped; it wraps ErrUnsupported) when a
// slide holds a non-tiled image whose role no rule names: it might show a
// label, so the slide is refused (fail closed).
var ErrUnknownImage = fmt.Errorf("%w: the slide holds an image of unknown role", ErrUnsupported)

// ErrConflict is returned when two patches of a plan overlap with different
// bytes (a malformed or hostile file whose structures share bytes).
var ErrConflict = errors.New("slidedeid: conflicting patches")

// Patch overwrites bytes of the original file at Offset. When Data is nil,
// Zeros zero bytes are written instead (so wiping a large strip costs no
// memory).
type Patch struct {
	Offset int64
	Data   []byte
	Zeros  int64
}

// Len returns the number of bytes the patch overwrites.
func (p Patch) Len() int64 {
	if p.Data != nil {
		return int64(len(p.Data))
	}
	return p.Zeros
}

// Plan is the de-identification of one slide: patches over the original,
// bytes appended at its end, and what was removed (for the report). It
// carries no metadata values.
type Plan struct {
	// Patches are sorted by Offset and do not overlap.
	Patches []Patch
	// Append is written after the original's last byte (values that grew).
	Append []byte
	// Removed names the associated images removed ("label", "macro", "map"),
	// once per image.
	Removed []string
	// Scrubbed lists the metadata keys removed or rewritten (never values).
	Scrubbed []string
	// Vendor is OpenSlide's vendor name of the slide.
	Vendor string
}

// OutputSize returns the size of the de-identified file for an original of
// size bytes.
func (pl *Plan) OutputSize(size int64) int64 { return size + int64(len(pl.Append)) }

type span struct{ off, end int64 }

// entryEdit is the planned state of one IFD entry.
type entryEdit struct {
	e       slide.Entry
	deleted bool
	count   uint64
	field   []byte // raw value-or-offset field (FieldWidth bytes)
	high    uint32 // NDPI high bits of the field (files > 4 GiB)
	// moved is set when the value no longer lives at e.ValueOffset.
	moved bool
}

type ifdEdit struct {
	d       *slide.IFD
	entries []entryEdit
	next    int64
	wipe    bool // data zeroed, IFD kept in the chain
}

type planner struct {
	r    io.ReaderAt
	size int64
	f    *slide.File
	info *slide.Info
	bo   binary.ByteOrder
	p    privacy.Params

	remove map[int]bool // unlinked and zeroed
	wipe   map[int]bool // data zeroed, kept linked
	edits  []*ifdEdit   // kept IFDs in chain order

	data    []Patch
	zeros   []span
	appendB []byte

	removed  []string
	scrubbed map[string]bool
}

// PlanTIFF plans the de-identification of a TIFF-based slide (Aperio SVS in
// classic TIFF or BigTIFF, GT450 included; Hamamatsu NDPI; generic tiled
// TIFF and OME-TIFF; Leica SCN; Ventana BIF; Philips TIFF) for p.Level. At
// the identified level the plan is empty (a byte copy). Errors wrap
// ErrUnsupported for formats not handled, and never contain metadata values.
func PlanTIFF(r io.ReaderAt, size int64, p privacy.Params) (*Plan, error) {
	switch p.Level {
	case privacy.Identified:
		pl := &Plan{}
		if in, err := slide.DetectTIFF(r, size); err == nil {
			pl.Vendor = in.Vendor
		}
		return pl, nil
	case privacy.Pseudonymised, privacy.Anonymised:
	default:
		return nil, fmt.Errorf("slidedeid: %w", privacy.ErrUnknownLevel)
	}
	f, err := slide.OpenTIFF(r, size)
	if err != nil {
		return nil, fmt.Errorf("slidedeid: %w", err)
	}
	info, err := f.Detect()
	if err != nil {
		return nil, fmt.Errorf("slidedeid: %w", err)
	}
	pl := &planner{r: r, size: size, f: f, info: info, bo: f.ByteOrder, p: p,
		remove: map[int]bool{}, wipe: map[int]bool{}, scrubbed: map[string]bool{}}
	return pl.run()
}

func (pl *planner) scrub(key string) { pl.scrubbed[key] = true }

// rulesFor returns the de-identification rules of a TIFF-based vendor
// (a slide.Vendor* name), or nil: the one list of what Deidentify handles.
func rulesFor(vendor string) vendorRules {
	switch vendor {
	case slide.VendorAperio:
		return aperioRules{}
	case slide.VendorHamamatsu:
		return ndpiRules{}
	case slide.VendorGenericTIFF:
		return genericRules{}
	case slide.VendorLeica:
		return &leicaRules{}
	case slide.VendorPhilips:
		return philipsRules{}
	case slide.VendorVentana:
		return ventanaRules{}
	}
	return nil
}

// Supports reports whether slides of vendor (a slide.Vendor* name) can be
// de-identified, so that callers ask here instead of keeping their own
// list: Deidentify streams the single-file formats, and MIRAX
// (slide.VendorMirax), a .mrxs file beside a folder, goes through PlanMRXS
// or DeidentifyMRXS.
func Supports(vendor string) bool { return vendor == slide.VendorMirax || rulesFor(vendor) != nil }

func (pl *planner) run() (*Plan, error) {
	f, info := pl.f, pl.info
	v := rulesFor(info.Vendor)
	if v == nil {
		return nil, fmt.Errorf("%w: vendor %s", ErrUnsupported, info.Vendor)
	}
	for _, d := range f.IFDs {
		if d.Has(slide.TagSubIFDs) {
			return nil, fmt.Errorf("%w: IFD %d has SubIFDs", ErrUnsupported, d.Index)
		}
	}
	if f.NDPI && pl.size > math.MaxUint32 {
		// Out-of-line NDPI offset arrays carry no high bits: data ranges of
		// large files cannot be located safely.
		for _, d := range f.IFDs {
			for _, tag := range []uint16{slide.TagStripOffsets, slide.TagTileOffsets} {
				if e, ok := d.Entry(tag); ok && !e.Inline {
					return nil, fmt.Errorf("%w: NDPI larger than 4 GiB with several strips in IFD %d", ErrUnsupported, d.Index)
				}
			}
		}
	}
	if err := v.roles(pl); err != nil {
		return nil, err
	}
	if len(pl.remove) >= len(f.IFDs) {
		return nil, fmt.Errorf("%w: no image left after removing associated images", ErrUnsupported)
	}
	// Kept IFDs, relinked past removed ones.
	for _, d := range f.IFDs {
		if pl.remove[d.Index] {
			continue
		}
		ed := &ifdEdit{d: d, wipe: pl.wipe[d.Index]}
		for _, e := range d.Entries {
			fb, err := pl.readField(&e)
			if err != nil {
				return nil, err
			}
			ed.entries = append(ed.entries, entryEdit{e: e, count: e.Count, field: fb, high: pl.readHigh(&e)})
		}
		pl.edits = append(pl.edits, ed)
	}
	for i, ed := range pl.edits {
		if i+1 < len(pl.edits) {
			ed.next = pl.edits[i+1].d.Offset
		}
	}
	// Metadata of every kept IFD.
	for _, ed := range pl.edits {
		if err := v.scrubIFD(pl, ed); err != nil {
			return nil, err
		}
	}
	return pl.finish()
}

// roleRemove marks IFD i as removed (unlinked, zeroed) under name.
func (pl *planner) roleRemove(i int, name string) {
	if !pl.remove[i] {
		pl.remove[i] = true
		pl.removed = append(pl.removed, name)
	}
}

// roleWipe marks IFD i as wiped in place (data zeroed, kept in the chain).
func (pl *planner) roleWipe(i int, name string) {
	if !pl.wipe[i] {
		pl.wipe[i] = true
		pl.removed = append(pl.removed, name)
	}
}

// defaultRoles removes label, macro and map IFDs and refuses non-tiled
// images of unknown role; keep reports whether an "other" image is known to
// be harmless.
func (pl *planner) defaultRoles(keep func(d *slide.IFD) bool) error {
	seen := map[int]bool{}
	for _, im := range pl.info.Images {
		if im.IFD < 0 {
			continue
		}
		if im.IFD >= len(pl.f.IFDs) {
			return fmt.Errorf("%w: image refers to IFD %d of %d", ErrUnsupported, im.IFD, len(pl.f.IFDs))
		}
		seen[im.IFD] = true
		d := pl.f.IFDs[im.IFD]
		if pl.wipe[im.IFD] {
			continue
		}
		switch im.Kind {
		case slide.KindLabel, slide.KindMacro, slide.KindMap:
			pl.roleRemove(im.IFD, im.Kind)
		case slide.KindOther:
			if d.Tiled() || (keep != nil && keep(d)) {
				continue
			}
			return fmt.Errorf("%w: IFD %d", ErrUnknownImage, im.IFD)
		}
	}
	for _, d := range pl.f.IFDs {
		if !seen[d.Index] && !d.Tiled() && !pl.remove[d.Index] && !pl.wipe[d.Index] {
			return fmt.Errorf("%w: IFD %d has no role", ErrUnknownImage, d.Index)
		}
	}
	return nil
}

func (pl *planner) readField(e *slide.Entry) ([]byte, error) {
	b := make([]byte, e.FieldWidth)
	if _, err := pl.r.ReadAt(b, e.FieldOffset); err != nil {
		return nil, fmt.Errorf("slidedeid: tag %d field at %d: %w: %w", e.Tag, e.FieldOffset, slide.ErrTruncated, err)
	}
	return b, nil
}

// ndpiHighBits reports whether the file's IFDs carry NDPI high-bits arrays
// that readers use (NDPI files larger than 4 GiB).
func (pl *planner) ndpiHighBits() bool { return pl.f.NDPI && pl.size > math.MaxUint32 }

func (pl *planner) readHigh(e *slide.Entry) uint32 {
	if !pl.ndpiHighBits() || e.NDPIHighOffset < 0 {
		return 0
	}
	var b [4]byte
	if _, err := pl.r.ReadAt(b[:], e.NDPIHighOffset); err != nil {
		return 0
	}
	return pl.bo.Uint32(b[:])
}

// find returns the entry edit for tag, or nil.
func (ed *ifdEdit) find(tag uint16) *entryEdit {
	for i := range ed.entries {
		if ed.entries[i].e.Tag == tag && !ed.entries[i].deleted {
			return &ed.entries[i]
		}
	}
	return nil
}

// deleteEntry removes the entry from the IFD and zeroes its out-of-line value.
func (pl *planner) deleteEntry(ee *entryEdit, key string) {
	if ee.deleted {
		return
	}
	ee.deleted = true
	if !ee.e.Inline && !ee.moved {
		pl.zeroValue(&ee.e)
	}
	ee.moved = true
	pl.scrub(key)
}

func (pl *planner) zeroValue(e *slide.Entry) {
	if vs := e.ValueSize(); vs > 0 && !e.Inline {
		pl.zeros = append(pl.zeros, span{e.ValueOffset, e.ValueOffset + vs})
	}
}

// setValue replaces the value of an entry by val (count elements of the
// entry's type). Shorter values are written over the old one and the rest
// zero-filled; values that fit the field go inline; longer values are
// appended at the end of the file with the field repointed.
func (pl *planner) setValue(ee *entryEdit, val []byte, count uint64, key string) error {
	e := &ee.e
	oldSize := e.ValueSize()
	if oldSize < 0 {
		return fmt.Errorf("slidedeid: tag %d: %w", e.Tag, slide.ErrBadValue)
	}
	pl.scrub(key)
	ee.count = count
	fw := e.FieldWidth
	switch {
	case len(val) <= fw:
		field := make([]byte, fw)
		copy(field, val)
		if !e.Inline {
			pl.zeroValue(e)
		}
		ee.field, ee.high, ee.moved = field, 0, true
	case !e.Inline && int64(len(val)) <= oldSize:
		buf := make([]byte, oldSize)
		copy(buf, val)
		pl.data = append(pl.data, Patch{Offset: e.ValueOffset, Data: buf})
		ee.moved = true
	default:
		if len(pl.appendB)%2 == 1 {
			pl.appendB = append(pl.appendB, 0)
		}
		off := uint64(pl.size) + uint64(len(pl.appendB))
		pl.appendB = append(pl.appendB, val...)
		field := make([]byte, fw)
		if fw == 8 {
			pl.bo.PutUint64(field, off)
		} else {
			if off > math.MaxUint32 && !pl.ndpiHighBits() {
				return fmt.Errorf("%w: tag %d: grown value past 4 GiB in classic TIFF", ErrUnsupported, e.Tag)
			}
			pl.bo.PutUint32(field, uint32(off))
			ee.high = uint32(off >> 32)
		}
		if !e.Inline {
			pl.zeroValue(e)
		}
		ee.field, ee.moved = field, true
	}
	return nil
}

// setString replaces a text entry by s (ASCII: NUL-terminated).
func (pl *planner) setString(ee *entryEdit, s string, key string) error {
	val := []byte(s)
	if ee.e.Type == slide.TypeASCII {
		val = append(val, 0)
	}
	return pl.setValue(ee, val, uint64(len(val)), key)
}

// text returns the value of a text-like entry, with ok false for other types.
func (pl *planner) text(ee *entryEdit) (string, bool, error) {
	switch ee.e.Type {
	case slide.TypeASCII, slide.TypeByte, slide.TypeUndefined, slide.TypeSByte:
	default:
		return "", false, nil
	}
	s, err := pl.f.ASCII(&ee.e)
	if err != nil {
		return "", false, fmt.Errorf("slidedeid: %w", err)
	}
	return s, true, nil
}

// body serialises the edited IFD (count, entries, next pointer and, for NDPI
// files larger than 4 GiB, the high-bits array), zero-padded to the
// original's length.
func (pl *planner) body(ed *ifdEdit) []byte {
	d := ed.d
	orig := d.End - d.Offset
	out := make([]byte, 0, orig)
	var kept []*entryEdit
	for i := range ed.entries {
		if !ed.entries[i].deleted {
			kept = append(kept, &ed.entries[i])
		}
	}
	bo := pl.bo
	put := func(v uint64, w int) {
		var b [8]byte
		switch w {
		case 2:
			bo.PutUint16(b[:], uint16(v))
		case 4:
			bo.PutUint32(b[:], uint32(v))
		case 8:
			bo.PutUint64(b[:], v)
		}
		out = append(out, b[:w]...)
	}
	put(uint64(len(kept)), d.CountWidth)
	for _, ee := range kept {
		put(uint64(ee.e.Tag), 2)
		put(uint64(ee.e.Type), 2)
		put(ee.count, ee.e.CountWidth)
		out = append(out, ee.field...)
	}
	put(uint64(ed.next), d.NextPtrWidth)
	if pl.ndpiHighBits() && d.NDPIHighOffset >= 0 {
		for _, ee := range kept {
			put(uint64(ee.high), 4)
		}
	}
	if int64(len(out)) < orig {
		out = append(out, make([]byte, orig-int64(len(out)))...)
	}
	return out
}

func (pl *planner) finish() (*Plan, error) {
	f := pl.f
	var protect []span
	hdr := int64(8)
	if f.BigTIFF {
		hdr = 16
	}
	protect = append(protect, span{0, hdr})
	// Header pointer, when IFD 0 is removed.
	if first := pl.edits[0].d.Offset; first != f.IFDs[0].Offset {
		b := make([]byte, f.FirstPtrWidth)
		if f.FirstPtrWidth == 8 {
			pl.bo.PutUint64(b, uint64(first))
		} else {
			pl.bo.PutUint32(b, uint32(first))
		}
		pl.data = append(pl.data, Patch{Offset: f.FirstPtrOffset, Data: b})
	}
	for _, ed := range pl.edits {
		d := ed.d
		pl.data = append(pl.data, Patch{Offset: d.Offset, Data: pl.body(ed)})
		protect = append(protect, span{d.Offset, d.End})
		if f.NDPI && !pl.ndpiHighBits() {
			// A (zero) high-bits array may follow: leave it alone.
			protect = append(protect, span{d.End, min(pl.size, d.End+4*int64(len(d.Entries)))})
		}
		for _, ee := range ed.entries {
			if ee.deleted || ee.moved || ee.e.Inline {
				continue
			}
			if vs := ee.e.ValueSize(); vs > 0 {
				protect = append(protect, span{ee.e.ValueOffset, ee.e.ValueOffset + vs})
			}
		}
		if !d.Has(slide.TagStripOffsets) && !d.Has(slide.TagTileOffsets) {
			continue
		}
		rs, err := f.DataRanges(d)
		if err != nil {
			return nil, fmt.Errorf("slidedeid: %w", err)
		}
		for _, r := range rs {
			if r.Length == 0 {
				continue
			}
			if ed.wipe {
				pl.zeros = append(pl.zeros, span{r.Offset, r.Offset + r.Length})
			} else {
				protect = append(protect, span{r.Offset, r.Offset + r.Length})
			}
		}
	}
	// Removed IFDs: data, out-of-line values and the IFD itself are zeroed.
	for _, d := range f.IFDs {
		if !pl.remove[d.Index] {
			continue
		}
		if d.Has(slide.TagStripOffsets) || d.Has(slide.TagTileOffsets) {
			rs, err := f.DataRanges(d)
			if err != nil {
				return nil, fmt.Errorf("slidedeid: removed image: %w", err)
			}
			for _, r := range rs {
				pl.zeros = append(pl.zeros, span{r.Offset, r.Offset + r.Length})
			}
		}
		for i := range d.Entries {
			pl.zeroValue(&d.Entries[i])
		}
		pl.zeros = append(pl.zeros, span{d.Offset, d.End})
	}
	patches, err := normalise(pl.data, pl.zeros, protect, pl.size)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(pl.scrubbed))
	for k := range pl.scrubbed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return &Plan{Patches: patches, Append: pl.appendB, Removed: pl.removed, Scrubbed: keys, Vendor: pl.info.Vendor}, nil
}

// normalise sorts the data patches (dropping duplicates, refusing
// conflicting overlaps), clips zero spans to the file, subtracts the
// protected ranges and the data patches from them, and returns one sorted,
// non-overlapping list.
func normalise(data []Patch, zeros, protect []span, size int64) ([]Patch, error) {
	sort.SliceStable(data, func(i, j int) bool { return data[i].Offset < data[j].Offset })
	var ds []Patch
	for _, p := range data {
		if p.Offset < 0 || p.Offset+p.Len() > size {
			return nil, fmt.Errorf("slidedeid: patch at %d of %d bytes outside the file: %w", p.Offset, p.Len(), slide.ErrTruncated)
		}
		if n := len(ds); n > 0 {
			last := ds[n-1]
			if p.Offset < last.Offset+last.Len() {
				if p.Offset == last.Offset && bytes.Equal(p.Data, last.Data) {
					continue
				}
				return nil, fmt.Errorf("%w: at offset %d", ErrConflict, p.Offset)
			}
		}
		ds = append(ds, p)
	}
	// Everything zeroing must not touch: protected ranges and data patches.
	block := append([]span(nil), protect...)
	for _, p := range ds {
		block = append(block, span{p.Offset, p.Offset + p.Len()})
	}
	block = merge(block)
	var clipped []span
	for _, z := range zeros {
		z.off, z.end = max(z.off, 0), min(z.end, size)
		if z.off < z.end {
			clipped = append(clipped, z)
		}
	}
	zs := subtract(merge(clipped), block)
	out := make([]Patch, 0, len(ds)+len(zs))
	out = append(out, ds...)
	for _, z := range zs {
		out = append(out, Patch{Offset: z.off, Zeros: z.end - z.off})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })
	return out, nil
}

func merge(s []span) []span {
	s = append([]span(nil), s...)
	sort.Slice(s, func(i, j int) bool { return s[i].off < s[j].off })
	var out []span
	for _, x := range s {
		if x.off >= x.end {
			continue
		}
		if n := len(out); n > 0 && x.off <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}

// subtract returns a minus b; both sorted and merged.
func subtract(a, b []span) []span {
	var out []span
	j := 0
	for _, x := range a {
		cur := x.off
		for j < len(b) && b[j].end <= cur {
			j++
		}
		for k := j; k < len(b) && b[k].off < x.end; k++ {
			if b[k].off > cur {
				out = append(out, span{cur, b[k].off})
			}
			cur = max(cur, b[k].end)
		}
		if cur < x.end {
			out = append(out, span{cur, x.end})
		}
	}
	return out
}
