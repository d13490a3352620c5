package dicomdeid

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"dossier/packager/dicomwire"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
)

// CodeCleanPixelData is the CID 7050 code of the Clean Pixel Data Option,
// claimed only when the user confirmed boxes covering every suggested
// region of burned-in text.
var CodeCleanPixelData = Code{"113101", "DCM", "Clean Pixel Data Option"}

// Pixels holds the boxes to mask in an image's pixels.
type Pixels struct {
	// Boxes are filled with the displayed black in every frame they apply
	// to (pixel coordinates from the top left; Frame 1-based, 0 for all).
	Boxes []pixelmask.Box
	// Suggested are the regions where burned-in text was suggested (known
	// header regions, OCR); Confirmed says the user reviewed and accepted
	// Boxes. Burned In Annotation is written as NO only when Confirmed and
	// Boxes cover every suggested region.
	Suggested []pixelmask.Box
	Confirmed bool
}

// DeidentifyMasked is Deidentify with boxes masked in the pixel data at the
// pseudonymised and anonymised levels (at the identified level the bytes
// are copied unchanged). Native pixel data is masked in place, frame by
// frame; pixels outside the boxes stay byte-identical. Pixel data that
// cannot be masked is an error wrapping ErrUnsupported: the caller holds
// the image for review.
func DeidentifyMasked(ctx context.Context, dst io.Writer, src io.ReaderAt, size int64, p privacy.Params, px Pixels) (*Report, error) {
	return deidentify(ctx, dst, src, size, p, px)
}

// pixelFormat reads the Image Pixel attributes of the top-level dataset.
func pixelFormat(ds []*elem, bigEndian bool) pixelmask.Format {
	f := pixelmask.Format{Frames: 1, SamplesPerPixel: 1, BigEndian: bigEndian}
	for _, e := range ds {
		us := func() int {
			if len(e.val) < 2 {
				return 0
			}
			return int(e.e.ByteOrder().Uint16(e.val))
		}
		switch e.tag {
		case dicomwire.SamplesPerPixel:
			f.SamplesPerPixel = us()
		case dicomwire.PhotometricInterpretation:
			f.Photometric = trimVal(string(e.val))
		case dicomwire.PlanarConfiguration:
			f.Planar = us()
		case dicomwire.NumberOfFrames:
			if n, err := strconv.Atoi(trimVal(string(e.val))); err == nil && n > 0 {
				f.Frames = n
			}
		case dicomwire.Rows:
			f.Rows = us()
		case dicomwire.Columns:
			f.Columns = us()
		case dicomwire.BitsAllocated:
			f.BitsAllocated = us()
		case dicomwire.BitsStored:
			f.BitsStored = us()
		case dicomwire.PixelRepresentation:
			f.PixelRepresentation = us()
		}
	}
	return f
}

// burnedInCleared reports whether Burned In Annotation may say NO.
func (px Pixels) burnedInCleared(f pixelmask.Format) bool {
	if !px.Confirmed || len(px.Boxes) == 0 {
		return false
	}
	for _, r := range px.Suggested {
		if !pixelmask.Covered(r, px.Boxes, f.Columns, f.Rows, f.Frames) {
			return false
		}
	}
	return true
}

// setBurnedIn replaces Burned In Annotation in ds by v.
func (d *deid) setBurnedIn(ds []*elem, v string) []*elem {
	out := ds[:0]
	for _, e := range ds {
		if e.tag != dicomwire.BurnedInAnnotation {
			out = append(out, e)
		}
	}
	return append(out, &elem{tag: dicomwire.BurnedInAnnotation, vr: "CS", val: []byte(v), ref: -1, e: d.e})
}

// writeMaskedPixels writes the Pixel Data element with the boxes masked,
// through w (the header) and the buffered writer under it (the frames).
func (d *deid) writeMaskedPixels(w *writer, f pixelmask.Format) error {
	l := d.l
	pi := l.Header.PixelData
	if pi.Encapsulated && l.Header.TransferSyntaxUID == pixelmask.RLELosslessUID {
		// RLE Lossless is written as RLE Lossless: one fragment per frame,
		// an empty Basic Offset Table.
		if err := w.header(dicomwire.PixelData, "OB", dicomwire.UndefinedLength); err != nil {
			return err
		}
		w.enc.Item(0)
		enc := pixelmask.Encapsulated{Src: dicomwire.NewWindow(d.src, d.size), Off: pi.Offset, End: l.PixelElementEnd, Size: d.size, R: d.src}
		var frag []byte
		res, err := pixelmask.EachFrame(d.ctx, enc, pixelmask.RLELosslessUID, f, d.px.Boxes, func(_ int, native []byte) error {
			frag = pixelmask.AppendRLE(frag[:0], native, *d.decoded)
			w.enc.Item(uint32(len(frag)))
			return w.enc.Write(frag)
		})
		if err != nil {
			return fmt.Errorf("%w: %w", ErrUnsupported, err)
		}
		d.rep.FramesMasked, d.rep.PixelsMasked = res.FramesMasked, res.Pixels
		d.rep.BoxesMasked = len(d.px.Boxes)
		return w.enc.SequenceDelimiter()
	}
	if pi.Encapsulated {
		out := *d.decoded
		vr := "OB"
		if out.BitsAllocated > 8 {
			vr = "OW"
		}
		n := out.Size()
		if n+n%2 > 0xFFFFFFFE {
			return fmt.Errorf("%w: decoded pixel data too large for one element", ErrUnsupported)
		}
		if err := w.header(dicomwire.PixelData, vr, uint32(n+n%2)); err != nil {
			return err
		}
		enc := pixelmask.Encapsulated{Src: dicomwire.NewWindow(d.src, d.size), Off: pi.Offset, End: l.PixelElementEnd, Size: d.size, R: d.src}
		res, err := pixelmask.CopyDecoded(d.ctx, w.w, enc, l.Header.TransferSyntaxUID, f, d.px.Boxes)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrUnsupported, err)
		}
		d.rep.FramesMasked, d.rep.PixelsMasked = res.FramesMasked, res.Pixels
		d.rep.BoxesMasked = len(d.px.Boxes)
		d.rep.Decompressed = true
		return nil
	}
	wk := &dicomwire.Walker{Src: dicomwire.NewWindow(d.src, d.size), Size: d.size}
	h, err := wk.Header(l.PixelElementOffset, l.PixelElementEnd, d.e)
	if err != nil {
		return fmt.Errorf("%w: pixel data header: %w", ErrDamaged, err)
	}
	if h.Tag != dicomwire.PixelData || h.Undefined() || h.ValueOffset() != pi.Offset {
		return fmt.Errorf("%w: pixel data header not where expected", ErrDamaged)
	}
	vr := h.VR
	if vr != "OB" && vr != "OW" {
		vr = "OW"
	}
	if err := w.header(dicomwire.PixelData, vr, h.Length); err != nil {
		return err
	}
	res, err := pixelmask.Copy(d.ctx, w.w, d.src, pi.Offset, int64(h.Length), f, d.px.Boxes)
	if err != nil {
		return err
	}
	d.rep.FramesMasked, d.rep.PixelsMasked = res.FramesMasked, res.Pixels
	d.rep.BoxesMasked = len(d.px.Boxes)
	return nil
}

// Lossy compression attributes (PS3.3 C.7.6.1.1.5).
var (
	tagLossyImageCompression       = dicomwire.NewTag(0x0028, 0x2110)
	tagLossyImageCompressionRatio  = dicomwire.NewTag(0x0028, 0x2112)
	tagLossyImageCompressionMethod = dicomwire.NewTag(0x0028, 0x2114)
)

// setElem replaces (or adds) the element t of ds.
func (d *deid) setElem(ds []*elem, t dicomwire.Tag, vr string, v []byte) []*elem {
	out := ds[:0]
	for _, e := range ds {
		if e.tag != t {
			out = append(out, e)
		}
	}
	return append(out, &elem{tag: t, vr: vr, val: v, ref: -1, e: d.e})
}

// decodedAttributes updates the Image Pixel attributes of ds for pixel
// data written decoded: photometric interpretation and planar
// configuration of the native form, no extended offset table, and the
// lossy-compression history kept (Lossy Image Compression 01 with the
// ratio and method of the compression undone, when the file did not yet
// say so).
func (d *deid) decodedAttributes(ds []*elem, in pixelmask.Format) []*elem {
	out := d.decoded
	kept := ds[:0]
	lossyBefore := false
	for _, e := range ds {
		switch e.tag {
		case dicomwire.ExtendedOffsetTable, dicomwire.ExtendedOffsetTableLengths:
			continue
		case tagLossyImageCompression:
			lossyBefore = trimVal(string(e.val)) == "01"
		}
		kept = append(kept, e)
	}
	ds = kept
	ts := d.l.Header.TransferSyntaxUID
	if ts == pixelmask.RLELosslessUID {
		return ds // written as RLE Lossless again
	}
	ds = d.setElem(ds, dicomwire.PhotometricInterpretation, "CS", []byte(out.Photometric))
	if out.SamplesPerPixel > 1 {
		ds = d.setElem(ds, dicomwire.PlanarConfiguration, "US", []byte{0, 0})
	}
	if pixelmask.Lossy(ts) && !lossyBefore {
		ds = d.setElem(ds, tagLossyImageCompression, "CS", []byte("01"))
		if n := d.l.PixelElementEnd - d.l.Header.PixelData.Offset; n > 0 {
			ratio := strconv.FormatFloat(float64(in.Size())/float64(n), 'f', 2, 64)
			ds = d.setElem(ds, tagLossyImageCompressionRatio, "DS", []byte(ratio))
		}
		ds = d.setElem(ds, tagLossyImageCompressionMethod, "CS", []byte(pixelmask.LossyMethod(ts)))
	}
	return ds
}
