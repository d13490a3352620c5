package deid

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"io"

	"golang.org/x/image/tiff"

	"dossier/packager/exif"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
)

// The reasons a TIFF picture cannot be cleaned (it is left out).
var (
	errTIFFPages       = errors.New(i18n.Msg("this TIFF file holds too many pictures (pages) for Dossier to clean; save the pages you need as PNG and add those instead"))
	errTIFFOrientation = errors.New(i18n.Msg("this TIFF picture has an orientation tag Dossier does not know; save it as PNG and add that instead"))
	errTIFFCompression = errors.New(i18n.Msg("this TIFF picture is compressed in a way Dossier cannot read (such as fax or old-style JPEG compression inside the TIFF); save it as PNG and add that instead"))
	errTIFFBig         = errors.New(i18n.Msg("this TIFF picture is too large for Dossier to clean"))
)

// TIFF tags read to decide whether a picture can be cleaned.
const (
	tiffTagCompression = 259
	tiffTagOrientation = 274
)

// maxTIFFPixels bounds the pictures decoded whole (about 100 megapixels).
const maxTIFFPixels = 100 << 20

// maxTIFFPages bounds the pages (IFDs) of a TIFF cleaned.
const maxTIFFPages = 256

// tiffIFDs returns the offsets of a classic TIFF's IFDs (its pages), in
// order; more than maxTIFFPages fail with errTIFFPages.
func tiffIFDs(b []byte) ([]int64, error) {
	if len(b) < 8 {
		return nil, ErrDamagedPicture
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, ErrDamagedPicture
	}
	if bo.Uint16(b[2:]) != 42 {
		return nil, errTIFFCompression // BigTIFF (43) and others
	}
	var out []int64
	seen := map[int64]bool{}
	for off := int64(bo.Uint32(b[4:])); off != 0; {
		if off < 8 || off+2 > int64(len(b)) || seen[off] {
			return nil, ErrDamagedPicture
		}
		if len(out) == maxTIFFPages {
			return nil, errTIFFPages
		}
		seen[off] = true
		out = append(out, off)
		n := int64(bo.Uint16(b[off:]))
		if off+2+12*n+4 > int64(len(b)) {
			return nil, ErrDamagedPicture
		}
		off = int64(bo.Uint32(b[off+2+12*n:]))
	}
	if len(out) == 0 {
		return nil, ErrDamagedPicture
	}
	return out, nil
}

// tiffPage reads a TIFF as if its first IFD were the one at ifd: the
// header points there, every other byte is the file's (so the decoder of
// golang.org/x/image/tiff, which reads the first IFD, reads that page).
type tiffPage struct {
	b   []byte
	ifd int64
	pos int64
}

func (p *tiffPage) ReadAt(q []byte, at int64) (int, error) {
	if at < 0 {
		return 0, ErrDamagedPicture
	}
	if at >= int64(len(p.b)) {
		return 0, io.EOF
	}
	n := copy(q, p.b[at:])
	for i := 0; i < n && at+int64(i) < 8; i++ {
		if k := at + int64(i); k >= 4 {
			var head [4]byte
			if string(p.b[:2]) == "MM" {
				binary.BigEndian.PutUint32(head[:], uint32(p.ifd))
			} else {
				binary.LittleEndian.PutUint32(head[:], uint32(p.ifd))
			}
			q[i] = head[k-4]
		}
	}
	if n < len(q) {
		return n, io.EOF
	}
	return n, nil
}

func (p *tiffPage) Read(q []byte) (int, error) {
	n, err := p.ReadAt(q, p.pos)
	p.pos += int64(n)
	return n, err
}

// checkTIFF reads the structure of a TIFF photo or scan and returns the
// offsets of its pages' IFDs, or fails with a plain reason when Dossier
// cannot clean it: more than maxTIFFPages pages, an orientation that is not
// one of the eight (the written copy keeps no tags, so its pixels are
// turned as the tag says), a compression Go cannot decode (none, LZW,
// Deflate, PackBits and JPEG as TIFF Technical Note 2 has it; not
// old-style JPEG, fax or others), BigTIFF, or too many pixels in a page.
func checkTIFF(b []byte) ([]int64, error) {
	offs, err := tiffIFDs(b)
	if err != nil {
		return nil, err
	}
	for _, off := range offs {
		if err := checkTIFFPage(b, off); err != nil {
			return nil, err
		}
	}
	return offs, nil
}

// checkTIFFPage checks the page whose IFD is at off (see checkTIFF).
func checkTIFFPage(b []byte, off int64) error {
	var bo binary.ByteOrder = binary.LittleEndian
	if string(b[:2]) == "MM" {
		bo = binary.BigEndian
	}
	n := int64(bo.Uint16(b[off:]))
	if off+2+12*n+4 > int64(len(b)) {
		return ErrDamagedPicture
	}
	jpegInside := false
	for i := int64(0); i < n; i++ {
		e := b[off+2+12*i:]
		tag, typ := bo.Uint16(e), bo.Uint16(e[2:])
		v := uint32(bo.Uint16(e[8:]))
		if typ == 4 { // LONG
			v = bo.Uint32(e[8:])
		}
		switch tag {
		case tiffTagCompression:
			switch v {
			case 1, 5, 8, 32946, 32773: // none, LZW, Deflate, old Deflate, PackBits
			case 7: // JPEG (TIFF Technical Note 2): decoded by decodeTIFFJPEG
				jpegInside = true
			default:
				return errTIFFCompression
			}
		case tiffTagOrientation:
			if v < 1 || v > 8 {
				return errTIFFOrientation
			}
		}
	}
	if jpegInside {
		return nil // checked as it is decoded
	}
	cfg, err := tiff.DecodeConfig(&tiffPage{b: b, ifd: off})
	if err != nil {
		return fmt.Errorf("%w: %w", errTIFFCompression, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxTIFFPixels {
		return errTIFFBig
	}
	return nil
}

// MaskTIFF writes the TIFF photo or scan in src with the boxes (pixels
// from its top left; Frame the 1-based page, 0 for every page) filled with
// black, or, without boxes, only cleaned: each of its pictures (pages) is
// decoded and written again losslessly (Deflate), in the same order, with
// none of its metadata: no EXIF, GPS, XMP, IPTC, ICC profile, description,
// artist, software, date or private tags; only the picture's structure
// (size, samples, compression, resolution). TIFFs it cannot clean fail
// with a plain reason (checkTIFF).
func MaskTIFF(dst io.Writer, src io.Reader, boxes []pixelmask.Box) error {
	b, err := io.ReadAll(io.LimitReader(src, maxPhotoBytes+1))
	if err != nil {
		return err
	}
	if len(b) > maxPhotoBytes {
		return errTIFFBig
	}
	offs, err := checkTIFF(b)
	if err != nil {
		return err
	}
	pages := make([][]byte, 0, len(offs))
	for i, off := range offs {
		m, err := decodeTIFFAt(b, off)
		if err != nil {
			return err
		}
		var here []pixelmask.Box
		for _, bx := range boxes {
			if bx.Frame == 0 || bx.Frame == i+1 {
				here = append(here, bx)
			}
		}
		if len(here) > 0 {
			if m, _, err = pixelmask.MaskImage(m, here); err != nil {
				return err
			}
		}
		// The copy keeps no orientation tag: its pixels are turned instead
		// (after masking, as boxes count from the stored top left).
		if d, err := readTIFFIFD(b, off); err == nil {
			m = orient(m, int(d.one(tiffTagOrientation, 1)))
		}
		var out bytes.Buffer
		if err := tiff.Encode(&out, m, &tiff.Options{Compression: tiff.Deflate, Predictor: true}); err != nil {
			return err
		}
		pages = append(pages, out.Bytes())
	}
	out, err := joinTIFFs(pages)
	if err != nil {
		return err
	}
	_, err = dst.Write(out)
	return err
}

// decodeTIFFAt decodes the TIFF picture whose IFD is at off, as stored.
func decodeTIFFAt(b []byte, off int64) (image.Image, error) {
	var m image.Image
	var err error
	if isJPEGTIFF(b, off) {
		m, err = decodeTIFFJPEG(b, off)
	} else {
		m, err = tiff.Decode(&tiffPage{b: b, ifd: off})
	}
	if err != nil {
		if errors.Is(err, errTIFFCompression) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrDamagedPicture, err)
	}
	return m, nil
}

// TIFFPage decodes page n (1-based) of the TIFF photo or scan in src as
// stored (not turned by its orientation tag), for a preview. It returns
// with it the number of pages and the page's orientation (1 to 8). TIFFs
// Dossier cannot clean fail with their plain reason, as in MaskTIFF.
func TIFFPage(src io.Reader, n int) (img image.Image, pages, orientation int, err error) {
	b, err := io.ReadAll(io.LimitReader(src, maxPhotoBytes+1))
	if err != nil {
		return nil, 0, 0, err
	}
	if len(b) > maxPhotoBytes {
		return nil, 0, 0, errTIFFBig
	}
	offs, err := checkTIFF(b)
	if err != nil {
		return nil, 0, 0, err
	}
	if n < 1 || n > len(offs) {
		return nil, len(offs), 0, fmt.Errorf("deid: page %d of a TIFF of %d", n, len(offs))
	}
	m, err := decodeTIFFAt(b, offs[n-1])
	if err != nil {
		return nil, 0, 0, err
	}
	orientation = 1
	if d, err := readTIFFIFD(b, offs[n-1]); err == nil {
		orientation = int(d.one(tiffTagOrientation, 1))
	}
	return m, len(offs), orientation, nil
}

// TIFFPageSize is the size and orientation of one page of a TIFF.
type TIFFPageSize struct {
	Width, Height int
	// Orientation is the page's orientation tag (1 to 8; 1 when none).
	Orientation int
}

// TIFFPages returns the size, as stored, and orientation of each page of
// the TIFF photo or scan in src, without decoding its pictures. TIFFs
// Dossier cannot clean fail with their plain reason, as in MaskTIFF.
func TIFFPages(src io.Reader) ([]TIFFPageSize, error) {
	b, err := io.ReadAll(io.LimitReader(src, maxPhotoBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxPhotoBytes {
		return nil, errTIFFBig
	}
	offs, err := checkTIFF(b)
	if err != nil {
		return nil, err
	}
	out := make([]TIFFPageSize, 0, len(offs))
	for _, off := range offs {
		d, err := readTIFFIFD(b, off)
		if err != nil {
			return nil, err
		}
		out = append(out, TIFFPageSize{Width: int(d.one(tiffTagWidth, 0)), Height: int(d.one(tiffTagHeight, 0)), Orientation: int(d.one(tiffTagOrientation, 1))})
	}
	return out, nil
}

// tiffTypeSize is the size in bytes of one value of each TIFF field type.
var tiffTypeSize = map[uint16]uint32{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}

// joinTIFFs joins one-page little-endian TIFFs (as golang.org/x/image/tiff
// writes them) into one TIFF of their pages, in order: each page after the
// first is moved behind the one before (its offsets shifted) and the IFDs
// are chained.
func joinTIFFs(pages [][]byte) ([]byte, error) {
	le := binary.LittleEndian
	if len(pages) == 0 {
		return nil, ErrDamagedPicture
	}
	out := append([]byte(nil), pages[0]...)
	var links []int // where each page's next-IFD offset is
	for i, p := range pages {
		if len(p) < 8 || string(p[:4]) != "II*\x00" {
			return nil, fmt.Errorf("%w: not a little-endian TIFF page", ErrDamagedPicture)
		}
		p = append([]byte(nil), p...)
		if len(out)%2 == 1 {
			out = append(out, 0) // IFDs and values start on a word boundary
		}
		delta := uint32(0)
		if i > 0 {
			delta = uint32(len(out) - 8)
		}
		ifd := le.Uint32(p[4:])
		if int64(ifd)+2 > int64(len(p)) {
			return nil, ErrDamagedPicture
		}
		n := uint32(le.Uint16(p[ifd:]))
		if int64(ifd)+2+12*int64(n)+4 > int64(len(p)) {
			return nil, ErrDamagedPicture
		}
		for k := uint32(0); k < n; k++ {
			e := p[ifd+2+12*k:]
			tag, typ, count := le.Uint16(e), le.Uint16(e[2:]), le.Uint32(e[4:])
			size := tiffTypeSize[typ] * count
			vals := e[8:12]
			if size > 4 {
				at := le.Uint32(e[8:])
				if int64(at)+int64(size) > int64(len(p)) {
					return nil, ErrDamagedPicture
				}
				vals = p[at : at+size]
				le.PutUint32(e[8:], at+delta)
			}
			if tag == tiffTagStripOffsets || tag == tiffTagTileOffsets {
				for v := uint32(0); v < count; v++ {
					switch typ {
					case 3:
						le.PutUint16(vals[2*v:], uint16(uint32(le.Uint16(vals[2*v:]))+delta))
					case 4:
						le.PutUint32(vals[4*v:], le.Uint32(vals[4*v:])+delta)
					}
				}
			}
		}
		if i > 0 {
			le.PutUint32(out[links[i-1]:], ifd+delta)
			out = append(out, p[8:]...)
		}
		links = append(links, int(ifd+delta+2+12*n))
		if int64(len(out)) > 1<<32-1 {
			return nil, errTIFFBig
		}
	}
	return out, nil
}

// decideTIFF holds a TIFF photo or scan for review like any photo, or
// leaves it out with a plain reason when Dossier cannot clean it
// (checkTIFF).
func decideTIFF(it *intake.Item, opts intake.Options) (Action, i18n.Text) {
	f, err := intake.Open(it, opts)
	if err != nil {
		if errors.Is(err, intake.ErrChanged) {
			return Exclude, i18n.NewText(reasonChanged)
		}
		return Exclude, i18n.NewText(reasonUnreadableAgain, i18n.PlainError(err))
	}
	defer f.Close()
	if f.Size() > maxPhotoBytes {
		return Exclude, i18n.NewText(errTIFFBig.Error())
	}
	b, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		return Exclude, i18n.NewText(reasonUnreadableAgain, i18n.PlainError(err))
	}
	if _, err := checkTIFF(b); err != nil {
		for _, e := range []error{errTIFFPages, errTIFFOrientation, errTIFFCompression, errTIFFBig, ErrDamagedPicture} {
			if errors.Is(err, e) {
				return Exclude, i18n.NewText(e.Error())
			}
		}
		return Exclude, i18n.NewText(ErrDamagedPicture.Error())
	}
	return Review, i18n.NewText(reasonPhoto)
}

// TIFF tags of JPEG-compressed pictures (compression 7).
const (
	tiffTagWidth           = 256
	tiffTagHeight          = 257
	tiffTagPhotometric     = 262
	tiffTagStripOffsets    = 273
	tiffTagSamples         = 277
	tiffTagRowsPerStrip    = 278
	tiffTagStripByteCounts = 279
	tiffTagPlanar          = 284
	tiffTagTileWidth       = 322
	tiffTagTileLength      = 323
	tiffTagTileOffsets     = 324
	tiffTagTileByteCounts  = 325
	tiffTagJPEGTables      = 347
)

// tiffIFD is one IFD of a classic TIFF: each tag's values (numbers) and
// raw bytes (for UNDEFINED and BYTE values).
type tiffIFD struct {
	vals map[uint16][]uint32
	raw  map[uint16][]byte
}

// readTIFFIFD reads the IFD at off.
func readTIFFIFD(b []byte, off int64) (tiffIFD, error) {
	d := tiffIFD{vals: map[uint16][]uint32{}, raw: map[uint16][]byte{}}
	if len(b) < 8 {
		return d, ErrDamagedPicture
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if string(b[:2]) == "MM" {
		bo = binary.BigEndian
	}
	if off < 8 || off+2 > int64(len(b)) {
		return d, ErrDamagedPicture
	}
	n := int64(bo.Uint16(b[off:]))
	if off+2+12*n > int64(len(b)) {
		return d, ErrDamagedPicture
	}
	for i := int64(0); i < n; i++ {
		e := b[off+2+12*i:]
		tag, typ, count := bo.Uint16(e), bo.Uint16(e[2:]), int64(bo.Uint32(e[4:]))
		size := map[uint16]int64{1: 1, 3: 2, 4: 4, 7: 1}[typ]
		if size == 0 || count > 1<<24 {
			continue
		}
		data := e[8:12]
		if size*count > 4 {
			vo := int64(bo.Uint32(e[8:]))
			if vo < 0 || vo+size*count > int64(len(b)) {
				return d, ErrDamagedPicture
			}
			data = b[vo : vo+size*count]
		}
		switch typ {
		case 1, 7:
			d.raw[tag] = data[:count]
		case 3:
			for k := int64(0); k < count; k++ {
				d.vals[tag] = append(d.vals[tag], uint32(bo.Uint16(data[2*k:])))
			}
		case 4:
			for k := int64(0); k < count; k++ {
				d.vals[tag] = append(d.vals[tag], bo.Uint32(data[4*k:]))
			}
		}
	}
	return d, nil
}

func (d tiffIFD) one(tag uint16, def uint32) uint32 {
	if v := d.vals[tag]; len(v) > 0 {
		return v[0]
	}
	return def
}

// decodeTIFFJPEG decodes a TIFF picture compressed with JPEG (compression
// 7, TIFF Technical Note 2; its IFD at off): each strip or tile a JPEG stream, its tables
// in the stream or in JPEGTables, grey or colour (YCbCr or RGB), pixel
// interleaved. Others fail with errTIFFCompression.
func decodeTIFFJPEG(b []byte, off int64) (image.Image, error) {
	d, err := readTIFFIFD(b, off)
	if err != nil {
		return nil, err
	}
	w, h := int(d.one(tiffTagWidth, 0)), int(d.one(tiffTagHeight, 0))
	spp := d.one(tiffTagSamples, 1)
	if w <= 0 || h <= 0 || int64(w)*int64(h) > maxTIFFPixels || d.one(tiffTagPlanar, 1) != 1 || spp != 1 && spp != 3 {
		return nil, errTIFFCompression
	}
	pw, ph := w, int(d.one(tiffTagRowsPerStrip, uint32(h)))
	offs, counts := d.vals[tiffTagStripOffsets], d.vals[tiffTagStripByteCounts]
	if tw := int(d.one(tiffTagTileWidth, 0)); tw > 0 {
		pw, ph = tw, int(d.one(tiffTagTileLength, 0))
		offs, counts = d.vals[tiffTagTileOffsets], d.vals[tiffTagTileByteCounts]
	}
	if pw <= 0 || ph <= 0 || len(offs) == 0 || len(offs) != len(counts) {
		return nil, errTIFFCompression
	}
	across := (w + pw - 1) / pw
	if len(offs) < across*((h+ph-1)/ph) {
		return nil, ErrDamagedPicture
	}
	var canvas draw.Image = image.NewRGBA(image.Rect(0, 0, w, h))
	if spp == 1 {
		canvas = image.NewGray(image.Rect(0, 0, w, h))
	}
	tables := d.raw[tiffTagJPEGTables]
	for i := range offs {
		o, n := int64(offs[i]), int64(counts[i])
		if o+n > int64(len(b)) || n < 4 {
			return nil, ErrDamagedPicture
		}
		stream := b[o : o+n]
		if len(tables) > 4 && bytes.HasPrefix(stream, []byte{0xFF, 0xD8}) {
			// The tables (SOI ... EOI) and then the piece without its SOI.
			stream = append(append([]byte(nil), tables[:len(tables)-2]...), stream[2:]...)
		}
		piece, err := jpeg.Decode(bytes.NewReader(stream))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errTIFFCompression, err)
		}
		x, y := i%across*pw, i/across*ph
		draw.Draw(canvas, image.Rect(x, y, x+pw, y+ph), piece, piece.Bounds().Min, draw.Src)
	}
	return canvas, nil
}

// isJPEGTIFF reports whether the TIFF picture whose IFD is at off is
// JPEG-compressed (7).
func isJPEGTIFF(b []byte, off int64) bool {
	d, err := readTIFFIFD(b, off)
	return err == nil && d.one(tiffTagCompression, 1) == 7
}

// orient returns m turned and mirrored as a TIFF or EXIF orientation
// (2 to 8) asks a viewer to show it, so that it shows the same without the
// tag; 1 and unknown values return m.
func orient(m image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return m
	}
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	r := image.Rect(0, 0, ow, oh)
	var out draw.Image
	switch m.(type) {
	case *image.Gray:
		out = image.NewGray(r)
	case *image.Gray16:
		out = image.NewGray16(r)
	case *image.RGBA:
		out = image.NewRGBA(r)
	case *image.NRGBA:
		out = image.NewNRGBA(r)
	case *image.RGBA64:
		out = image.NewRGBA64(r)
	default:
		out = image.NewNRGBA64(r)
	}
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			sx, sy := exif.Source(o, x, y, w, h)
			out.Set(x, y, m.At(b.Min.X+sx, b.Min.Y+sy))
		}
	}
	return out
}
