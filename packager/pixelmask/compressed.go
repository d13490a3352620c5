package pixelmask

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"slices"

	"dossier/packager/dicomwire"
)

// Transfer syntaxes of compressed pixel data.
const (
	JPEGBaselineUID = "1.2.840.10008.1.2.4.50"
	JPEGExtendedUID = "1.2.840.10008.1.2.4.51"
	RLELosslessUID  = "1.2.840.10008.1.2.5"
)

// ErrCannotDecode is wrapped by errors for compressed pixel data this
// package cannot decode (JPEG 2000, 12-bit colour JPEG and others): the
// image is held for review.
var ErrCannotDecode = errors.New("pixelmask: compressed pixel data that Dossier cannot decode")

// Lossy reports transfer syntaxes whose compression loses information
// (the lossy-compression history must then be kept).
func Lossy(ts string) bool {
	return ts == JPEGBaselineUID || ts == JPEGExtendedUID || ts == JPEGLSNearLosslessUID
}

// Decoded returns the native format that frames of transfer syntax ts in
// format f decode to: little endian, planar configuration 0, and RGB for
// colour 8-bit JPEG frames (image/jpeg converts YCbCr); lossless JPEG and JPEG-LS
// keeps its photometric interpretation. It returns an error
// wrapping ErrCannotDecode for a transfer syntax it does not decode.
func Decoded(ts string, f Format) (Format, error) {
	if wideJPEG(ts, f) {
		return decodedWide(ts, f)
	}
	out := f
	out.BigEndian, out.Planar = false, 0
	switch ts {
	case RLELosslessUID, JPEGLSLosslessUID, JPEGLSNearLosslessUID:
	case JPEGBaselineUID, JPEGExtendedUID:
		if f.BitsAllocated != 8 {
			return out, fmt.Errorf("%w: %d-bit JPEG", ErrCannotDecode, f.BitsAllocated)
		}
		if f.SamplesPerPixel == 3 {
			out.Photometric = "RGB"
		} else {
			out.Photometric = "MONOCHROME2"
			if f.photometric() == "MONOCHROME1" {
				out.Photometric = "MONOCHROME1"
			}
		}
	default:
		return out, fmt.Errorf("%w: transfer syntax %s", ErrCannotDecode, ts)
	}
	if err := out.Check(); err != nil {
		return out, err
	}
	return out, nil
}

// DecodeRLE decodes one RLE Lossless frame (PS3.5 Annex G) of format f to
// native pixel data in format Decoded(RLELosslessUID, f).
func DecodeRLE(frame []byte, f Format) ([]byte, error) {
	return decodeRLE(nil, nil, frame, f)
}

// decodeRLE is DecodeRLE into out and with seg as scratch (both reused
// when large enough).
func decodeRLE(out, seg, frame []byte, f Format) ([]byte, error) {
	bps := f.BitsAllocated / 8
	spp := f.SamplesPerPixel
	n := f.Rows * f.Columns
	if len(frame) < 64 {
		return nil, fmt.Errorf("pixelmask: RLE frame of %d bytes has no header", len(frame))
	}
	nseg := int(binary.LittleEndian.Uint32(frame))
	if nseg != spp*bps {
		return nil, fmt.Errorf("pixelmask: RLE frame has %d segments, %d expected", nseg, spp*bps)
	}
	for k := 0; k < nseg; k++ {
		start := int(binary.LittleEndian.Uint32(frame[4+4*k:]))
		end := len(frame)
		if k+1 < nseg {
			end = int(binary.LittleEndian.Uint32(frame[4+4*(k+1):]))
		}
		// A PackBits byte pair gives at most 128 bytes: a segment too
		// short for the frame is damage, found before any allocation.
		if start < 64 || end > len(frame) || end < start || int64(n) > 64*int64(end-start) {
			return nil, fmt.Errorf("pixelmask: RLE segment %d is too short or lies outside its frame", k+1)
		}
	}
	if cap(out) < n*spp*bps {
		out = make([]byte, n*spp*bps)
	}
	out = out[:n*spp*bps]
	if cap(seg) < n {
		seg = make([]byte, n)
	}
	seg = seg[:n]
	for k := 0; k < nseg; k++ {
		start := int(binary.LittleEndian.Uint32(frame[4+4*k:]))
		end := len(frame)
		if k+1 < nseg {
			end = int(binary.LittleEndian.Uint32(frame[4+4*(k+1):]))
		}
		if start < 64 || end > len(frame) || end < start {
			return nil, fmt.Errorf("pixelmask: RLE segment %d lies outside its frame", k+1)
		}
		if err := unpackBits(seg, frame[start:end]); err != nil {
			return nil, fmt.Errorf("%w (RLE segment %d)", err, k+1)
		}
		s, b := k/bps, bps-1-k%bps // most significant byte first
		for i, v := range seg {
			out[(i*spp+s)*bps+b] = v
		}
	}
	return out, nil
}

// unpackBits fills dst from a PackBits segment (PS3.5 G.3.2); bytes after
// dst is full (padding) are ignored.
func unpackBits(dst, src []byte) error {
	o := 0
	for i := 0; i < len(src) && o < len(dst); {
		c := int8(src[i])
		i++
		switch {
		case c >= 0:
			k := int(c) + 1
			if i+k > len(src) || o+k > len(dst) {
				return errors.New("pixelmask: literal run overruns")
			}
			copy(dst[o:], src[i:i+k])
			i += k
			o += k
		case c != -128:
			k := 1 - int(c)
			if i >= len(src) || o+k > len(dst) {
				return errors.New("pixelmask: replicate run overruns")
			}
			for j := 0; j < k; j++ {
				dst[o+j] = src[i]
			}
			i++
			o += k
		}
	}
	if o != len(dst) {
		return fmt.Errorf("pixelmask: %d of %d bytes decoded", o, len(dst))
	}
	return nil
}

// DecodeJPEG decodes one JPEG frame (baseline or progressive, 8 bits) of
// format f to native pixel data in format Decoded(JPEGBaselineUID, f).
func DecodeJPEG(frame []byte, f Format) ([]byte, error) {
	c, err := jpeg.DecodeConfig(bytes.NewReader(frame))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCannotDecode, err)
	}
	if c.Width != f.Columns || c.Height != f.Rows {
		return nil, fmt.Errorf("pixelmask: JPEG frame of %dx%d in a %dx%d image", c.Width, c.Height, f.Columns, f.Rows)
	}
	m, err := jpeg.Decode(bytes.NewReader(frame))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCannotDecode, err)
	}
	if b := m.Bounds(); b.Dx() != f.Columns || b.Dy() != f.Rows {
		return nil, fmt.Errorf("pixelmask: JPEG frame of %dx%d in a %dx%d image", b.Dx(), b.Dy(), f.Columns, f.Rows)
	}
	return imagePixels(m, f.SamplesPerPixel)
}

// imagePixels returns the 8-bit samples of m (grey, or RGB interleaved).
func imagePixels(m image.Image, spp int) ([]byte, error) {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]byte, 0, w*h*spp)
	switch spp {
	case 1:
		g, ok := m.(*image.Gray)
		if !ok {
			return nil, fmt.Errorf("%w: a colour JPEG frame in a grey image", ErrCannotDecode)
		}
		for y := 0; y < h; y++ {
			out = append(out, g.Pix[y*g.Stride:y*g.Stride+w]...)
		}
	case 3:
		switch c := m.(type) {
		case *image.YCbCr:
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					yi, ci := c.YOffset(x, y), c.COffset(x, y)
					r, g, bb := color.YCbCrToRGB(c.Y[yi], c.Cb[ci], c.Cr[ci])
					out = append(out, r, g, bb)
				}
			}
		case *image.RGBA:
			for y := 0; y < h; y++ {
				row := c.Pix[y*c.Stride : y*c.Stride+4*w]
				for x := 0; x < w; x++ {
					out = append(out, row[4*x], row[4*x+1], row[4*x+2])
				}
			}
		default:
			return nil, fmt.Errorf("%w: JPEG frame of colour model %T", ErrCannotDecode, m)
		}
	}
	return out, nil
}

// Encapsulated locates encapsulated pixel data: the value of the Pixel
// Data element starts at Off (the Basic Offset Table item) and the
// element ends at End, in a Source of Size bytes.
type Encapsulated struct {
	Src            dicomwire.Source
	Off, End, Size int64
	// R, when set, reads the fragments (into one reused buffer) instead
	// of Src, which then serves only the item headers.
	R io.ReaderAt
}

// maxCompressedFrame bounds the bytes read for one compressed frame.
const maxCompressedFrame = 256 << 20

// frames returns the byte ranges of each frame's fragments.
func (e Encapsulated) frames(ctx context.Context, nframes int) ([][][2]int64, error) {
	it := dicomwire.Fragments{Src: e.Src, Syntax: dicomwire.ExplicitLE, Tag: dicomwire.PixelData, Off: e.Off, End: e.End, Size: e.Size, Ctx: ctx}
	var bot []uint32
	var frags [][2]int64
	var itemOffs []uint32
	first := int64(-1)
	for it.Next() {
		off, n := it.Value()
		if it.Index() == 0 {
			b, err := e.Src.At(off, int(n))
			if err != nil {
				return nil, fmt.Errorf("pixelmask: basic offset table: %w", err)
			}
			bot = dicomwire.DecodeOffsets(b)
			continue
		}
		if first < 0 {
			first = off - 8
		}
		frags = append(frags, [2]int64{off, n})
		itemOffs = append(itemOffs, uint32(off-8-first))
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("pixelmask: %w", err)
	}
	switch {
	case len(frags) == nframes:
		out := make([][][2]int64, nframes)
		for i, f := range frags {
			out[i] = [][2]int64{f}
		}
		return out, nil
	case nframes == 1 && len(frags) > 0:
		return [][][2]int64{frags}, nil
	case len(bot) == nframes && len(frags) > nframes:
		out := make([][][2]int64, nframes)
		fi := 0
		for i := 0; i < nframes; i++ {
			end := uint32(1<<32 - 1)
			if i+1 < nframes {
				end = bot[i+1]
			}
			for fi < len(frags) && itemOffs[fi] < end {
				if itemOffs[fi] >= bot[i] {
					out[i] = append(out[i], frags[fi])
				}
				fi++
			}
			if len(out[i]) == 0 {
				return nil, fmt.Errorf("pixelmask: frame %d has no fragment at its offset", i+1)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("pixelmask: %d fragments for %d frames and no offset table to split them", len(frags), nframes)
}

// EachFrame decodes every frame of the encapsulated pixel data e
// (transfer syntax ts, format f), fills the boxes, and calls fn with the
// 1-based frame number and the native frame in format Decoded(ts, f).
// One frame is in memory at a time; fn must not keep the slice.
func EachFrame(ctx context.Context, e Encapsulated, ts string, f Format, boxes []Box, fn func(n int, native []byte) error) (Result, error) {
	var res Result
	out, err := Decoded(ts, f)
	if err != nil {
		return res, err
	}
	frames, err := e.frames(ctx, f.Frames)
	if err != nil {
		return res, err
	}
	var buf, rleOut, rleSeg []byte
	if ts == RLELosslessUID {
		rleSeg = make([]byte, f.Rows*f.Columns)
	}
	for i, parts := range frames {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		buf = buf[:0]
		for _, p := range parts {
			if int64(len(buf))+p[1] > maxCompressedFrame {
				return res, fmt.Errorf("pixelmask: frame %d: compressed frame larger than %d bytes", i+1, maxCompressedFrame)
			}
			if e.R != nil {
				k := len(buf)
				buf = slices.Grow(buf, int(p[1]))[:k+int(p[1])]
				if _, err := e.R.ReadAt(buf[k:], p[0]); err != nil {
					return res, fmt.Errorf("pixelmask: frame %d: %w", i+1, err)
				}
				continue
			}
			b, err := e.Src.At(p[0], int(p[1]))
			if err != nil {
				return res, fmt.Errorf("pixelmask: frame %d: %w", i+1, err)
			}
			buf = append(buf, b...)
		}
		var native []byte
		if ts == RLELosslessUID {
			native, err = decodeRLE(rleOut, rleSeg, buf, f)
			rleOut = native
		} else if ts == JPEGLSLosslessUID || ts == JPEGLSNearLosslessUID {
			native, err = DecodeJPEGLS(buf, f)
		} else if wideJPEG(ts, f) {
			native, err = DecodeWideJPEG(buf, f)
		} else {
			native, err = DecodeJPEG(buf, f)
		}
		if err != nil {
			return res, fmt.Errorf("%w (frame %d)", err, i+1)
		}
		if len(native) != out.FrameSize() {
			return res, fmt.Errorf("pixelmask: frame %d decoded to %d bytes, %d expected", i+1, len(native), out.FrameSize())
		}
		if k := MaskFrame(native, out, i+1, boxes); k > 0 {
			res.FramesMasked++
			res.Pixels += int64(k)
		}
		if err := fn(i+1, native); err != nil {
			return res, err
		}
		res.Frames++
	}
	return res, nil
}

// CopyDecoded writes the frames of EachFrame to w as native pixel data
// (with the pad byte of an odd length). The caller writes the element
// header (length Decoded(ts, f).Size(), padded to even).
func CopyDecoded(ctx context.Context, w io.Writer, e Encapsulated, ts string, f Format, boxes []Box) (Result, error) {
	res, err := EachFrame(ctx, e, ts, f, boxes, func(_ int, native []byte) error {
		_, err := w.Write(native)
		return err
	})
	if err != nil {
		return res, err
	}
	if out, _ := Decoded(ts, f); out.Size()%2 == 1 {
		if _, err := w.Write([]byte{0}); err != nil {
			return res, err
		}
	}
	return res, nil
}

// EncodeRLE encodes one native frame in format Decoded(RLELosslessUID, f)
// (little endian, samples interleaved) as an RLE Lossless frame (PS3.5
// Annex G): one PackBits segment per byte of each sample, most significant
// byte first, each of even length.
func EncodeRLE(native []byte, f Format) []byte { return AppendRLE(nil, native, f) }

// AppendRLE appends EncodeRLE(native, f) to dst.
func AppendRLE(dst, native []byte, f Format) []byte {
	bps := f.BitsAllocated / 8
	spp := f.SamplesPerPixel
	n := f.Rows * f.Columns
	nseg := spp * bps
	base := len(dst)
	out := append(dst, make([]byte, 64)...)
	binary.LittleEndian.PutUint32(out[base:], uint32(nseg))
	seg := make([]byte, n)
	for k := 0; k < nseg; k++ {
		s, b := k/bps, bps-1-k%bps
		for i := range seg {
			seg[i] = native[(i*spp+s)*bps+b]
		}
		binary.LittleEndian.PutUint32(out[base+4+4*k:], uint32(len(out)-base))
		out = packBits(out, seg)
		if len(out)%2 == 1 {
			out = append(out, 0x80) // a no-op keeps the next segment even
		}
	}
	return out
}

// packBits appends the PackBits encoding of b (PS3.5 G.3.1): replicate
// runs of 2 to 128 equal bytes, literal runs of up to 128 bytes.
func packBits(out, b []byte) []byte {
	for i := 0; i < len(b); {
		j := i + 1
		for j < len(b) && j-i < 128 && b[j] == b[i] {
			j++
		}
		if j-i >= 2 {
			out = append(out, byte(int8(1-(j-i))), b[i])
			i = j
			continue
		}
		k := i + 1
		for k < len(b) && k-i < 128 && (k+1 >= len(b) || b[k] != b[k+1]) {
			k++
		}
		out = append(out, byte(k-i-1))
		out = append(out, b[i:k]...)
		i = k
	}
	return out
}

// errFirstFrameDone stops EachFrame after the first frame in CheckFirstFrame.
var errFirstFrameDone = errors.New("pixelmask: first frame decoded")

// CheckFirstFrame decodes the first frame of the encapsulated pixel data e
// (transfer syntax ts, format f) and returns what went wrong, nil when it
// decoded. A transfer syntax Dossier decodes can still carry a coding its
// decoders refuse (a progressive JPEG, a JPEG-LS colour transform): the
// error then wraps ErrCannotDecode, found before anything is written.
func CheckFirstFrame(ctx context.Context, e Encapsulated, ts string, f Format) error {
	_, err := EachFrame(ctx, e, ts, f, nil, func(int, []byte) error { return errFirstFrameDone })
	if errors.Is(err, errFirstFrameDone) {
		return nil
	}
	return err
}
