package preview

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
	"dossier/packager/pixelmask"
)

// Transfer syntaxes a preview handles.
const (
	tsJPEGBaseline = "1.2.840.10008.1.2.4.50"
	tsJPEGExtended = "1.2.840.10008.1.2.4.51"
	tsRLE          = "1.2.840.10008.1.2.5"
	maxHeaderBytes = 32 << 20
	maxFragments   = 1 << 20
	maxWalkDepth   = 16
)

// pixelAttrs are the Image Pixel, Modality LUT and VOI LUT attributes a
// preview needs, read from the top level of the dataset.
type pixelAttrs struct {
	samples, planar, frames, rows, cols      int
	bitsAllocated, bitsStored, highBit       int
	signed                                   bool
	photometric                              string
	center, width                            float64
	hasWindow                                bool
	slope, intercept                         float64
	seenSamples, seenBitsStored, seenHighBit bool
}

// dicomImage renders the middle frame of a DICOM instance.
func dicomImage(ctx context.Context, r io.ReaderAt, size int64) (image.Image, error) {
	l, err := dicomx.ReadLayout(ctx, r, size)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("preview: %w", err)
		}
		return nil, fmt.Errorf("%w: %w", ErrNoPreview, err)
	}
	h := l.Header
	if !h.PixelData.Present {
		return nil, noPreview("the file holds no image (a report or other document)")
	}
	if l.Deflated {
		return nil, noPreview("stored in deflated form, which Dossier cannot show yet")
	}
	a, err := readAttrs(r, size, l)
	if err != nil {
		return nil, err
	}
	if a.rows <= 0 || a.cols <= 0 {
		a.rows, a.cols = h.Rows, h.Columns
	}
	if a.frames <= 0 {
		a.frames = max(h.NumberOfFrames, 1)
	}
	if a.rows <= 0 || a.cols <= 0 {
		return nil, noPreview("the image has no size (Rows or Columns missing)")
	}
	if int64(a.rows)*int64(a.cols) > MaxPixels {
		return nil, noPreview("the image is too large to preview (%dx%d)", a.cols, a.rows)
	}
	ts := h.TransferSyntaxUID
	if !h.PixelData.Encapsulated {
		switch ts {
		case dicomwire.ImplicitVRLittleEndianUID, dicomwire.ExplicitVRLittleEndianUID, dicomwire.ExplicitVRBigEndianUID, "":
		default:
			if name := tsName(ts); name != "" {
				return nil, noPreview("the image is marked as %s but not stored that way", name)
			}
		}
		return nativeImage(r, size, h.PixelData, l.ByteOrder(), a)
	}
	switch ts {
	case tsJPEGBaseline, tsJPEGExtended, tsRLE, pixelmask.JPEGLosslessUID, pixelmask.JPEGLosslessSV1UID,
		pixelmask.JPEGLSLosslessUID, pixelmask.JPEGLSNearLosslessUID:
	default:
		if name := tsName(ts); name != "" {
			return nil, noPreview("compressed with %s, which Dossier cannot show yet", name)
		}
		return nil, noPreview("compressed in a way Dossier does not know")
	}
	frame, err := encapsulatedFrame(ctx, r, size, h.PixelData.Offset, l.ByteOrder(), a.frames)
	if err != nil {
		return nil, err
	}
	if ts == tsRLE {
		native, err := decodeRLE(frame, a)
		if err != nil {
			return nil, err
		}
		a.planar = 0
		return renderNative(native, binary.LittleEndian, a)
	}
	if ts == pixelmask.JPEGLSLosslessUID || ts == pixelmask.JPEGLSNearLosslessUID {
		return jpegLSImage(ts, frame, a)
	}
	if ts == tsJPEGExtended && a.bitsAllocated > 8 || ts == pixelmask.JPEGLosslessUID || ts == pixelmask.JPEGLosslessSV1UID {
		return wideJPEGImage(ts, frame, a)
	}
	img, err := decodeJPEG(frame)
	if err != nil {
		return nil, err
	}
	if g, ok := img.(*image.Gray); ok && a.photometric == "MONOCHROME1" {
		for i := range g.Pix {
			g.Pix[i] = 255 - g.Pix[i]
		}
	}
	return img, nil
}

// tsName names a compressed transfer syntax in plain words, or "".
func tsName(ts string) string {
	switch {
	case ts == tsJPEGBaseline || ts == tsJPEGExtended:
		return "JPEG"
	case ts == "1.2.840.10008.1.2.4.57" || ts == "1.2.840.10008.1.2.4.70":
		return "lossless JPEG"
	case ts == "1.2.840.10008.1.2.4.80" || ts == "1.2.840.10008.1.2.4.81":
		return "JPEG-LS"
	case strings.HasPrefix(ts, "1.2.840.10008.1.2.4.9"):
		return "JPEG 2000"
	case strings.HasPrefix(ts, "1.2.840.10008.1.2.4.20"):
		return "High-Throughput JPEG 2000"
	case strings.HasPrefix(ts, "1.2.840.10008.1.2.4.10"), strings.HasPrefix(ts, "1.2.840.10008.1.2.4.11"):
		return "video compression (MPEG or HEVC)"
	case ts == tsRLE:
		return "RLE"
	case ts == "1.2.840.10008.1.2.1.99":
		return "deflate"
	case strings.HasPrefix(ts, "1.2.840.10008.1.2.8"):
		return "a compression for CT/MR data (JPEG XL or similar)"
	}
	return ""
}

// readAttrs walks the top-level elements before Pixel Data, bounded to
// maxHeaderBytes, and collects group 0028.
func readAttrs(r io.ReaderAt, size int64, l *dicomx.Layout) (*pixelAttrs, error) {
	a := &pixelAttrs{slope: 1}
	end := l.PixelElementOffset
	if end < l.DatasetOffset || end > size {
		end = size
	}
	n := min(end-l.DatasetOffset, maxHeaderBytes)
	b := make([]byte, n)
	k, err := r.ReadAt(b, l.DatasetOffset)
	if k < len(b) && err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("preview: read header: %w", err)
	}
	collectAttrs(b[:k], dicomwire.Syntax{Implicit: l.ImplicitVR, BigEndian: l.BigEndian}, a)
	if !a.seenSamples {
		a.samples = 1
	}
	if a.bitsAllocated == 0 {
		a.bitsAllocated = 8
		if a.samples == 1 {
			a.bitsAllocated = 16
		}
	}
	if !a.seenBitsStored || a.bitsStored <= 0 || a.bitsStored > a.bitsAllocated {
		a.bitsStored = a.bitsAllocated
	}
	if !a.seenHighBit || a.highBit < a.bitsStored-1 || a.highBit >= a.bitsAllocated {
		a.highBit = a.bitsStored - 1
	}
	if a.slope == 0 || math.IsNaN(a.slope) || math.IsInf(a.slope, 0) {
		a.slope = 1
	}
	if math.IsNaN(a.intercept) || math.IsInf(a.intercept, 0) {
		a.intercept = 0
	}
	a.photometric = strings.ToUpper(strings.TrimSpace(a.photometric))
	return a, nil
}

// collectAttrs walks the top-level elements of the header bytes b up to
// group 0028 and captures that group's values. A walk that goes wrong keeps
// what it found before: the header was already checked by dicomx, so only
// the maxHeaderBytes cut can end it early.
func collectAttrs(b []byte, s dicomwire.Syntax, a *pixelAttrs) {
	bo := s.ByteOrder()
	w := &dicomwire.Walker{Src: dicomwire.Bytes{B: b}, Size: int64(len(b)), Syntax: s, MaxDepth: maxWalkDepth}
	w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
		if e.Depth == 0 && e.Tag.Group() > 0x0028 {
			return dicomwire.Stop, nil
		}
		return dicomwire.Continue, nil
	}
	w.End = func(e *dicomwire.Element, end int64) error {
		if e.Depth == 0 && e.Tag.Group() == 0x0028 && !e.Undefined() && !e.IsSequence() {
			a.capture(e.Tag, b[e.ValueOffset():end], bo)
		}
		return nil
	}
	w.Walk(0, int64(len(b)))
}

func u16(v []byte, bo binary.ByteOrder) int {
	if len(v) < 2 {
		return 0
	}
	return int(bo.Uint16(v))
}

// firstNumber parses the first value of a DS or IS string.
func firstNumber(v []byte) (float64, bool) {
	s := strings.TrimRight(string(v), " \x00")
	if i := strings.IndexByte(s, '\\'); i >= 0 {
		s = s[:i]
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// capture keeps the value v of the group 0028 element t.
func (a *pixelAttrs) capture(t dicomwire.Tag, v []byte, bo binary.ByteOrder) {
	switch t {
	case dicomwire.SamplesPerPixel:
		a.samples, a.seenSamples = u16(v, bo), true
	case dicomwire.PhotometricInterpretation:
		a.photometric = strings.TrimRight(string(v), " \x00")
	case dicomwire.PlanarConfiguration:
		a.planar = u16(v, bo)
	case dicomwire.NumberOfFrames:
		if f, ok := firstNumber(v); ok && f >= 1 && f < 1<<31 {
			a.frames = int(f)
		}
	case dicomwire.Rows:
		a.rows = u16(v, bo)
	case dicomwire.Columns:
		a.cols = u16(v, bo)
	case dicomwire.BitsAllocated:
		a.bitsAllocated = u16(v, bo)
	case dicomwire.BitsStored:
		a.bitsStored, a.seenBitsStored = u16(v, bo), true
	case dicomwire.HighBit:
		a.highBit, a.seenHighBit = u16(v, bo), true
	case dicomwire.PixelRepresentation:
		a.signed = u16(v, bo) == 1
	case dicomwire.WindowCenter:
		a.center, a.hasWindow = firstNumber(v)
	case dicomwire.WindowWidth:
		if f, ok := firstNumber(v); ok {
			a.width = f
		} else {
			a.hasWindow = false
		}
	case dicomwire.RescaleIntercept:
		if f, ok := firstNumber(v); ok {
			a.intercept = f
		}
	case dicomwire.RescaleSlope:
		if f, ok := firstNumber(v); ok {
			a.slope = f
		}
	}
}

// frameBytes returns the size of one native frame, or an error for layouts
// a preview does not handle.
func (a *pixelAttrs) frameBytes() (int64, error) {
	if a.samples == 3 && a.photometric == "YBR_FULL_422" && a.bitsAllocated == 8 {
		// Two luminance samples share one pair of chrominance samples.
		return int64(a.rows) * int64(a.cols) * 2, nil
	}
	switch a.bitsAllocated {
	case 8, 16, 32:
	default:
		return 0, noPreview("the image uses %d bits per sample, which Dossier cannot show yet", a.bitsAllocated)
	}
	switch a.samples {
	case 1, 3:
	default:
		return 0, noPreview("the image has %d samples per pixel, which Dossier cannot show yet", a.samples)
	}
	return int64(a.rows) * int64(a.cols) * int64(a.samples) * int64(a.bitsAllocated/8), nil
}

// nativeImage reads the middle frame of uncompressed pixel data.
func nativeImage(r io.ReaderAt, size int64, p dicomx.PixelInfo, bo binary.ByteOrder, a *pixelAttrs) (image.Image, error) {
	if p.Offset < 0 || p.Length < 0 {
		return nil, noPreview("the image data has no usable length")
	}
	have := min(p.Length, size-p.Offset)
	if a.bitsAllocated == 1 && a.samples == 1 {
		return bitImage(r, size, p.Offset, have, a)
	}
	fb, err := a.frameBytes()
	if err != nil {
		return nil, err
	}
	if have < fb {
		return nil, noPreview("the image data is shorter than its size says")
	}
	idx := int64(a.frames-1) / 2
	if (idx+1)*fb > have {
		idx = 0
	}
	b, err := readAt(r, size, p.Offset+idx*fb, fb)
	if err != nil {
		return nil, err
	}
	return renderNative(b, bo, a)
}

// renderNative turns one native frame into an image.
func renderNative(b []byte, bo binary.ByteOrder, a *pixelAttrs) (image.Image, error) {
	fb, err := a.frameBytes()
	if err != nil {
		return nil, err
	}
	if int64(len(b)) < fb {
		return nil, noPreview("the image data is shorter than its size says")
	}
	n := a.rows * a.cols
	if a.samples == 3 {
		return renderColor(b, bo, a, n)
	}
	switch a.photometric {
	case "MONOCHROME1", "MONOCHROME2", "":
	case "PALETTE COLOR":
		return nil, noPreview("the image uses a colour palette, which Dossier cannot show yet")
	default:
		return nil, noPreview("the image's colour model (%s) is not one Dossier can show yet", plainCS(a.photometric))
	}
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = a.sample(b, bo, i)*a.slope + a.intercept
	}
	g := image.NewGray(image.Rect(0, 0, a.cols, a.rows))
	lo, hi := a.center-0.5-(a.width-1)/2, a.center-0.5+(a.width-1)/2
	useWindow := a.hasWindow && a.width >= 1
	if !useWindow {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range vals {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	span := hi - lo
	for i, v := range vals {
		var o float64
		switch {
		case useWindow:
			switch {
			case v <= lo:
				o = 0
			case v > hi:
				o = 255
			default:
				o = ((v-(a.center-0.5))/(a.width-1) + 0.5) * 255
			}
		case span > 0:
			o = (v - lo) / span * 255
		}
		px := uint8(math.Round(min(max(o, 0), 255)))
		if a.photometric == "MONOCHROME1" {
			px = 255 - px
		}
		g.Pix[i] = px
	}
	return g, nil
}

// plainCS keeps only the characters of a code string (it is never patient
// data, but may be garbage in a damaged file).
func plainCS(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == ' ' {
			return r
		}
		return -1
	}, s)
	if len(s) > 16 {
		s = s[:16]
	}
	return s
}

// sample returns the stored value of sample i (masked to Bits Stored,
// sign-extended when Pixel Representation says so).
func (a *pixelAttrs) sample(b []byte, bo binary.ByteOrder, i int) float64 {
	var u uint32
	switch a.bitsAllocated {
	case 8:
		u = uint32(b[i])
	case 16:
		u = uint32(bo.Uint16(b[2*i:]))
	default:
		u = bo.Uint32(b[4*i:])
	}
	shift := a.highBit + 1 - a.bitsStored
	u >>= uint(shift)
	if a.bitsStored < 32 {
		u &= 1<<uint(a.bitsStored) - 1
	}
	if a.signed && a.bitsStored > 0 && u&(1<<uint(a.bitsStored-1)) != 0 {
		if a.bitsStored == 32 {
			return float64(int32(u))
		}
		return float64(int64(u) - 1<<uint(a.bitsStored))
	}
	return float64(u)
}

// renderColor turns a three-sample frame (RGB or YBR_FULL, interleaved or
// planar) into an NRGBA image.
func renderColor(b []byte, bo binary.ByteOrder, a *pixelAttrs, n int) (image.Image, error) {
	ybr := false
	switch a.photometric {
	case "RGB", "":
	case "YBR_FULL":
		ybr = true
	case "YBR_FULL_422":
		if a.bitsAllocated == 8 {
			return render422(b, a), nil
		}
		return nil, noPreview("the image's colour model (%s) is not one Dossier can show yet", plainCS(a.photometric))
	default:
		return nil, noPreview("the image's colour model (%s) is not one Dossier can show yet", plainCS(a.photometric))
	}
	img := image.NewNRGBA(image.Rect(0, 0, a.cols, a.rows))
	shift := max(a.bitsStored-8, 0)
	get := func(i int) uint8 {
		switch a.bitsAllocated {
		case 8:
			return b[i]
		case 16:
			return uint8(min(int(bo.Uint16(b[2*i:]))>>shift, 255))
		default:
			return uint8(min(bo.Uint32(b[4*i:])>>uint(shift), 255))
		}
	}
	for i := 0; i < n; i++ {
		var c [3]uint8
		for s := range 3 {
			if a.planar == 1 {
				c[s] = get(s*n + i)
			} else {
				c[s] = get(3*i + s)
			}
		}
		if ybr {
			c[0], c[1], c[2] = color.YCbCrToRGB(c[0], c[1], c[2])
		}
		copy(img.Pix[4*i:], []uint8{c[0], c[1], c[2], 255})
	}
	return img, nil
}

// render422 turns a native YBR_FULL_422 frame (Y1 Y2 Cb Cr for each pair
// of pixels) into an NRGBA image.
func render422(b []byte, a *pixelAttrs) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, a.cols, a.rows))
	for y := 0; y < a.rows; y++ {
		for x := 0; x < a.cols; x++ {
			pair := (y*a.cols + x) / 2 * 4
			if pair+3 >= len(b) {
				continue
			}
			yy := b[pair+(y*a.cols+x)%2]
			r, g, bl := color.YCbCrToRGB(yy, b[pair+2], b[pair+3])
			copy(img.Pix[img.PixOffset(x, y):], []uint8{r, g, bl, 255})
		}
	}
	return img
}

// bitImage renders the middle frame of 1-bit pixel data (segmentation
// masks, overlays stored as pixels): set bits white.
func bitImage(r io.ReaderAt, size, off, have int64, a *pixelAttrs) (image.Image, error) {
	n := int64(a.rows) * int64(a.cols)
	idx := int64(a.frames-1) / 2
	if (idx+1)*n > have*8 {
		idx = 0
	}
	if n > have*8 {
		return nil, noPreview("the image data is shorter than its size says")
	}
	start := idx * n
	b, err := readAt(r, size, off+start/8, (start%8+n+7)/8)
	if err != nil {
		return nil, err
	}
	g := image.NewGray(image.Rect(0, 0, a.cols, a.rows))
	for i := range n {
		bit := start%8 + i
		v := uint8(0)
		if b[bit/8]>>(bit%8)&1 == 1 {
			v = 255
		}
		if a.photometric == "MONOCHROME1" {
			v = 255 - v
		}
		g.Pix[i] = v
	}
	return g, nil
}

// fragment is one item of encapsulated pixel data: its value's offset
// and length, and the item's offset relative to the first fragment.
type fragment struct {
	off, n, rel int64
}

// encapsulatedFrame returns the bytes of the middle frame (or the first,
// when the fragments cannot be told apart by frame).
func encapsulatedFrame(ctx context.Context, r io.ReaderAt, size, off int64, bo binary.ByteOrder, frames int) ([]byte, error) {
	var bot []uint32
	var frags []fragment
	first := int64(-1)
	it := dicomwire.Fragments{Src: dicomwire.NewWindow(r, size), Syntax: dicomwire.Syntax{BigEndian: bo == binary.BigEndian},
		Tag: dicomwire.PixelData, Off: off, End: size}
	for i := 0; it.Next(); i++ {
		if i > maxFragments {
			return nil, noPreview("the image data has too many fragments")
		}
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("preview: %w", err)
			}
		}
		voff, vl := it.Value()
		if i == 0 {
			if vl > 0 && vl <= 4*int64(maxFragments) && vl%4 == 0 {
				raw, err := readAt(r, size, voff, vl)
				if err != nil {
					return nil, err
				}
				bot = dicomwire.DecodeOffsets(raw)
			}
			continue
		}
		if first < 0 {
			first = it.Offset()
		}
		frags = append(frags, fragment{off: voff, n: vl, rel: it.Offset() - first})
	}
	var we *dicomwire.Error
	switch err := it.Err(); {
	case err == nil:
	case !errors.As(err, &we):
		return nil, fmt.Errorf("preview: read: %w", err)
	case we.Kind == dicomwire.Malformed && we.Found.Group() != 0xFFFE:
		// Data without a sequence delimiter: the fragments end here.
	case we.Kind == dicomwire.Truncated && we.Length == 0:
		return nil, noPreview("the image data is cut short")
	default:
		return nil, noPreview("the compressed image data is malformed")
	}
	if len(frags) == 0 {
		return nil, noPreview("the compressed image data is empty")
	}
	var pick []fragment
	mid := (frames - 1) / 2
	switch {
	case frames <= 1:
		pick = frags
	case len(frags) == frames:
		pick = frags[mid : mid+1]
	case len(bot) == frames && sorted(bot):
		lo, hi := int64(bot[mid]), int64(math.MaxInt64)
		if mid+1 < len(bot) {
			hi = int64(bot[mid+1])
		}
		for _, f := range frags {
			if f.rel >= lo && f.rel < hi {
				pick = append(pick, f)
			}
		}
	}
	var out []byte
	if pick == nil {
		// First frame: fragments up to the one that ends a JPEG stream.
		for _, f := range frags {
			b, err := readFrag(r, size, f, len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
			if bytes.HasSuffix(bytes.TrimRight(b, "\x00"), []byte{0xFF, 0xD9}) {
				break
			}
		}
		return out, nil
	}
	for _, f := range pick {
		b, err := readFrag(r, size, f, len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

func readFrag(r io.ReaderAt, size int64, f fragment, have int) ([]byte, error) {
	if int64(have)+f.n > MaxPixelBytes {
		return nil, noPreview("the image is too large to preview")
	}
	return readAt(r, size, f.off, f.n)
}

func sorted(v []uint32) bool {
	for i := 1; i < len(v); i++ {
		if v[i] <= v[i-1] {
			return false
		}
	}
	return true
}

// wideJPEGImage renders a 12-bit JPEG or lossless JPEG frame (decoded by
// pixelmask with jpegdec) as the native path does: windowed, rescaled.
func wideJPEGImage(ts string, frame []byte, a *pixelAttrs) (image.Image, error) {
	f := pixelmask.Format{Rows: a.rows, Columns: a.cols, Frames: 1, SamplesPerPixel: a.samples, BitsAllocated: a.bitsAllocated,
		BitsStored: a.bitsStored, Photometric: a.photometric}
	out, err := pixelmask.Decoded(ts, f)
	if err != nil {
		return nil, noPreview("the image's colour model (%s) is not one Dossier can show yet", plainCS(a.photometric))
	}
	native, err := pixelmask.DecodeWideJPEG(frame, f)
	if err != nil {
		return nil, noPreview("the JPEG image data is malformed or of a kind Dossier cannot show yet")
	}
	a.planar, a.photometric = 0, out.Photometric
	return renderNative(native, binary.LittleEndian, a)
}

// decodeRLE decodes one DICOM RLE frame (PS3.5 Annex G) into native
// little-endian interleaved samples, with pixelmask's decoder (the one RLE
// decoder of the project).
func decodeRLE(b []byte, a *pixelAttrs) ([]byte, error) {
	fb, err := a.frameBytes()
	if err != nil {
		return nil, err
	}
	out, err := pixelmask.DecodeRLE(b, pixelmask.Format{Rows: a.rows, Columns: a.cols, Frames: 1, SamplesPerPixel: a.samples, BitsAllocated: a.bitsAllocated})
	if err != nil {
		return nil, noPreview("the RLE image data is malformed")
	}
	if int64(len(out)) != fb {
		return nil, noPreview("the RLE image data does not match the image's size")
	}
	return out, nil
}
