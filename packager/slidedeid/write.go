package slidedeid

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"dossier/packager/privacy"
	"dossier/packager/slide"
)

// ChunkSize is the size of the buffer Write streams the original through.
const ChunkSize = 4 << 20

var bufPool = sync.Pool{New: func() any { b := make([]byte, ChunkSize); return &b }}

// ErrBadPlan is returned by Write when the patches are not sorted, overlap
// or fall outside the original.
var ErrBadPlan = errors.New("slidedeid: invalid patch plan")

// ErrVerify is wrapped by Verify when the de-identified output fails a
// check.
var ErrVerify = errors.New("slidedeid: de-identified slide failed verification")

func (pl *Plan) check(size int64) error {
	var end int64
	for i, p := range pl.Patches {
		if p.Offset < end || p.Len() < 0 || p.Offset+p.Len() > size || (p.Data != nil && p.Zeros != 0) {
			return fmt.Errorf("%w: patch %d at offset %d", ErrBadPlan, i, p.Offset)
		}
		end = p.Offset + p.Len()
	}
	return nil
}

// apply overlays the patches on b, which holds the original's bytes from
// off. start is a patch index at or before the first patch touching b; the
// index to start from for the next chunk is returned.
func (pl *Plan) apply(b []byte, off int64, start int) int {
	end := off + int64(len(b))
	for start < len(pl.Patches) && pl.Patches[start].Offset+pl.Patches[start].Len() <= off {
		start++
	}
	for k := start; k < len(pl.Patches) && pl.Patches[k].Offset < end; k++ {
		p := pl.Patches[k]
		s, e := max(p.Offset, off), min(p.Offset+p.Len(), end)
		if s >= e {
			continue
		}
		if p.Data != nil {
			copy(b[s-off:e-off], p.Data[s-p.Offset:e-p.Offset])
		} else {
			clear(b[s-off : e-off])
		}
	}
	return start
}

// Write streams the original (src, size bytes) to dst once, in ChunkSize
// chunks, overlaying the patches and then writing Append. Memory use does
// not depend on the file size. ctx is checked between chunks; on
// cancellation the context's error is returned and dst holds a partial
// output, which the caller must discard.
//
// When both dst and src are *os.File, the unpatched spans are copied by the
// operating system (copy_file_range on Linux, as cp does) and src's file
// offset is restored afterwards; Write must then be the only user of src's
// offset (ReadAt users are unaffected).
func (pl *Plan) Write(ctx context.Context, dst io.Writer, src io.ReaderAt, size int64) error {
	if err := pl.check(size); err != nil {
		return err
	}
	if df, ok := dst.(*os.File); ok {
		if sf, ok := src.(*os.File); ok {
			return pl.writeFiles(ctx, df, sf, size)
		}
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	pi := 0
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(int64(len(buf)), size-off)
		b := buf[:n]
		got, err := src.ReadAt(b, off)
		if int64(got) < n {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("slidedeid: reading the original at offset %d: %w", off, err)
		}
		pi = pl.apply(b, off, pi)
		if _, err := dst.Write(b); err != nil {
			return fmt.Errorf("slidedeid: writing: %w", err)
		}
		off += n
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(pl.Append) > 0 {
		if _, err := dst.Write(pl.Append); err != nil {
			return fmt.Errorf("slidedeid: writing: %w", err)
		}
	}
	return nil
}

// writeFiles is Write between two files: unpatched spans go through
// (*os.File).ReadFrom, which lets the kernel copy them.
func (pl *Plan) writeFiles(ctx context.Context, dst, src *os.File, size int64) (err error) {
	cur, err := src.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("slidedeid: %w", err)
	}
	defer func() {
		if _, serr := src.Seek(cur, io.SeekStart); serr != nil && err == nil {
			err = fmt.Errorf("slidedeid: %w", serr)
		}
	}()
	copyRange := func(off, n int64) error {
		for n > 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			k := min(n, 16*ChunkSize)
			if _, err := src.Seek(off, io.SeekStart); err != nil {
				return fmt.Errorf("slidedeid: %w", err)
			}
			got, err := dst.ReadFrom(io.LimitReader(src, k))
			if err != nil {
				return fmt.Errorf("slidedeid: copying the original at offset %d: %w", off, err)
			}
			if got < k {
				return fmt.Errorf("slidedeid: reading the original at offset %d: %w", off+got, io.ErrUnexpectedEOF)
			}
			off += k
			n -= k
		}
		return nil
	}
	var zeros [64 << 10]byte
	off := int64(0)
	for _, p := range pl.Patches {
		if err := copyRange(off, p.Offset-off); err != nil {
			return err
		}
		if p.Data != nil {
			if _, err := dst.Write(p.Data); err != nil {
				return fmt.Errorf("slidedeid: writing: %w", err)
			}
		} else {
			for z := p.Zeros; z > 0; {
				k := min(z, int64(len(zeros)))
				if _, err := dst.Write(zeros[:k]); err != nil {
					return fmt.Errorf("slidedeid: writing: %w", err)
				}
				z -= k
			}
		}
		off = p.Offset + p.Len()
	}
	if err := copyRange(off, size-off); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(pl.Append) > 0 {
		if _, err := dst.Write(pl.Append); err != nil {
			return fmt.Errorf("slidedeid: writing: %w", err)
		}
	}
	return nil
}

// Output returns the de-identified file as an io.ReaderAt over src without
// writing it anywhere (patches overlaid on read). Its size is
// pl.OutputSize(size).
func (pl *Plan) Output(src io.ReaderAt, size int64) io.ReaderAt {
	return &overlay{pl: pl, src: src, size: size}
}

type overlay struct {
	pl   *Plan
	src  io.ReaderAt
	size int64
}

func (o *overlay) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%w: negative offset", ErrBadPlan)
	}
	total := o.size + int64(len(o.pl.Append))
	if off >= total {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > total-off {
		p = p[:total-off]
	}
	n := 0
	if off < o.size {
		m := min(int64(len(p)), o.size-off)
		got, err := o.src.ReadAt(p[:m], off)
		if int64(got) < m {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return got, err
		}
		start := sort.Search(len(o.pl.Patches), func(i int) bool {
			q := o.pl.Patches[i]
			return q.Offset+q.Len() > off
		})
		o.pl.apply(p[:m], off, start)
		n = int(m)
	}
	if n < len(p) {
		a := off + int64(n) - o.size
		n += copy(p[n:], o.pl.Append[a:])
	}
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

// Deidentify plans and writes the de-identified copy of a TIFF-based slide
// to dst. At the identified level it is a byte copy. Before writing, the
// planned output is re-opened and checked (same vendor, no label or macro,
// no identifying metadata, no patch over a level's tiles), so nothing is
// written for a slide that would fail. Errors wrapping ErrUnsupported mean
// the slide must be left out.
func Deidentify(ctx context.Context, dst io.Writer, src io.ReaderAt, size int64, p privacy.Params) (*Plan, error) {
	pl, err := PlanTIFF(src, size, p)
	if err != nil {
		return nil, err
	}
	if p.Level != privacy.Identified {
		if err := pl.check(size); err != nil {
			return nil, err
		}
		if err := verify(pl.Output(src, size), pl.OutputSize(size), src, size, false); err != nil {
			return nil, err
		}
		if err := pl.checkTiles(src, size); err != nil {
			return nil, err
		}
	}
	if err := pl.Write(ctx, dst, src, size); err != nil {
		return nil, err
	}
	return pl, nil
}

// checkTiles makes sure no patch touches the tiles of a level or the
// thumbnail of the original.
func (pl *Plan) checkTiles(src io.ReaderAt, size int64) error {
	f, err := slide.OpenTIFF(src, size)
	if err != nil {
		return fmt.Errorf("slidedeid: %w", err)
	}
	in, err := f.Detect()
	if err != nil {
		return fmt.Errorf("slidedeid: %w", err)
	}
	var keep []span
	for _, idx := range keptImages(in) {
		rs, err := f.DataRanges(f.IFDs[idx])
		if err != nil {
			return fmt.Errorf("slidedeid: %w", err)
		}
		for _, r := range rs {
			keep = append(keep, span{r.Offset, r.Offset + r.Length})
		}
	}
	keep = merge(keep)
	var ps []span
	for _, p := range pl.Patches {
		ps = append(ps, span{p.Offset, p.Offset + p.Len()})
	}
	if over := subtract(merge(ps), nil); len(intersect(over, keep)) > 0 {
		return fmt.Errorf("%w: a patch overlaps tile data", ErrVerify)
	}
	return nil
}

func intersect(a, b []span) []span {
	var out []span
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		s, e := max(a[i].off, b[j].off), min(a[i].end, b[j].end)
		if s < e {
			out = append(out, span{s, e})
		}
		if a[i].end < b[j].end {
			i++
		} else {
			j++
		}
	}
	return out
}

// keptImages returns the IFD indexes of the levels and thumbnail, in order.
func keptImages(in *slide.Info) []int {
	var out []int
	for _, im := range in.Images {
		if im.IFD >= 0 && (im.Kind == slide.KindLevel || im.Kind == slide.KindThumbnail) {
			out = append(out, im.IFD)
		}
	}
	return out
}

// Verify checks a de-identified TIFF-based slide against its original: the
// same vendor, no label or macro, no identifying metadata left (as the slide
// package's detection sees it), images of unknown role only when wiped to
// zeros, and the same levels and thumbnail, whose every tile or strip byte
// range hashes equal to the original's. Errors wrap ErrVerify and name keys
// and IFDs, never values.
func Verify(out io.ReaderAt, size int64, orig io.ReaderAt, origSize int64) error {
	return verify(out, size, orig, origSize, true)
}

func verify(out io.ReaderAt, size int64, orig io.ReaderAt, origSize int64, hash bool) error {
	of, err := slide.OpenTIFF(out, size)
	if err != nil {
		return fmt.Errorf("%w: output: %w", ErrVerify, err)
	}
	oi, err := of.Detect()
	if err != nil {
		return fmt.Errorf("%w: output: %w", ErrVerify, err)
	}
	gf, err := slide.OpenTIFF(orig, origSize)
	if err != nil {
		return fmt.Errorf("slidedeid: original: %w", err)
	}
	gi, err := gf.Detect()
	if err != nil {
		return fmt.Errorf("slidedeid: original: %w", err)
	}
	if oi.Vendor != gi.Vendor {
		return fmt.Errorf("%w: output vendor %s, original %s", ErrVerify, oi.Vendor, gi.Vendor)
	}
	if oi.Label || oi.Macro {
		return fmt.Errorf("%w: output still has a label or macro", ErrVerify)
	}
	if len(oi.IdentifyingMetadata) > 0 {
		return fmt.Errorf("%w: output keeps identifying metadata %s", ErrVerify, strings.Join(oi.IdentifyingMetadata, ", "))
	}
	if len(oi.Identity) > 0 {
		keys := make([]string, len(oi.Identity))
		for i, f := range oi.Identity {
			keys[i] = f.Key
		}
		return fmt.Errorf("%w: output keeps identity in %s", ErrVerify, strings.Join(keys, ", "))
	}
	for _, im := range oi.Images {
		if im.IFD < 0 || im.Kind != slide.KindOther {
			continue
		}
		d := of.IFDs[im.IFD]
		if d.Tiled() || (oi.Vendor == slide.VendorHamamatsu && ndpiScanned(of, d)) {
			continue
		}
		if err := allZero(of, d, out); err != nil {
			return err
		}
	}
	ok, gk := keptImages(oi), keptImages(gi)
	if len(ok) != len(gk) {
		return fmt.Errorf("%w: output has %d levels and thumbnails, original %d", ErrVerify, len(ok), len(gk))
	}
	for i := range ok {
		od, gd := of.IFDs[ok[i]], gf.IFDs[gk[i]]
		ors, err := of.DataRanges(od)
		if err != nil {
			return fmt.Errorf("%w: output: %w", ErrVerify, err)
		}
		grs, err := gf.DataRanges(gd)
		if err != nil {
			return fmt.Errorf("slidedeid: original: %w", err)
		}
		if len(ors) != len(grs) {
			return fmt.Errorf("%w: output IFD %d has %d tiles, original %d", ErrVerify, od.Index, len(ors), len(grs))
		}
		for j := range ors {
			if ors[j].Length != grs[j].Length {
				return fmt.Errorf("%w: output IFD %d tile %d length differs", ErrVerify, od.Index, j)
			}
		}
		if !hash {
			continue
		}
		oh, err := hashRanges(out, ors)
		if err != nil {
			return fmt.Errorf("slidedeid: output: %w", err)
		}
		gh, err := hashRanges(orig, grs)
		if err != nil {
			return fmt.Errorf("slidedeid: original: %w", err)
		}
		if oh != gh {
			return fmt.Errorf("%w: output IFD %d tiles differ from the original", ErrVerify, od.Index)
		}
	}
	return nil
}

// ndpiScanned reports whether an NDPI image was scanned through a lens
// (focal planes have a positive SourceLens; the macro -1 and map -2 do not).
func ndpiScanned(f *slide.File, d *slide.IFD) bool {
	e, ok := d.Entry(slide.TagNDPISourceLens)
	if !ok {
		return false
	}
	v, err := f.Float(e)
	return err == nil && v > 0
}

func hashRanges(r io.ReaderAt, rs []slide.DataRange) ([sha256.Size]byte, error) {
	h := sha256.New()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	for _, x := range rs {
		if _, err := io.CopyBuffer(h, io.NewSectionReader(r, x.Offset, x.Length), *bp); err != nil {
			return [sha256.Size]byte{}, err
		}
		var lb [8]byte // separate tiles so a shifted boundary cannot hash equal
		for i := range lb {
			lb[i] = byte(x.Length >> (8 * i))
		}
		h.Write(lb[:])
	}
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

func allZero(f *slide.File, d *slide.IFD, r io.ReaderAt) error {
	rs, err := f.DataRanges(d)
	if err != nil {
		return fmt.Errorf("%w: output: %w", ErrVerify, err)
	}
	buf := make([]byte, 64<<10)
	for _, x := range rs {
		for o := x.Offset; o < x.Offset+x.Length; {
			n := min(int64(len(buf)), x.Offset+x.Length-o)
			if _, err := r.ReadAt(buf[:n], o); err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("slidedeid: output: %w", err)
			}
			for _, c := range buf[:n] {
				if c != 0 {
					return fmt.Errorf("%w: output IFD %d is an image of unknown role that is not wiped", ErrVerify, d.Index)
				}
			}
			o += n
		}
	}
	return nil
}
