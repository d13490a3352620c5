// Package pixelmask masks rectangular boxes in image pixels: native DICOM
// pixel data (every frame, 8 or 16 bits allocated, MONOCHROME1/2, RGB and
// YBR_FULL, both planar configurations) streamed frame by frame, and
// decoded pictures (image.Image) for the compressed forms.
//
// A box is filled with the picture's displayed black: the minimum value for
// MONOCHROME2, the maximum for MONOCHROME1, (0,0,0) for RGB and
// (0,half,half) for YBR_FULL. Pixels outside the boxes are not touched.
package pixelmask

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrUnsupported is wrapped by errors for pixel formats the package does
// not mask.
var ErrUnsupported = errors.New("pixelmask: pixel format not supported for masking")

// Box is a rectangle of pixels from the top left of a frame. Frame is the
// 1-based frame it applies to, or 0 for every frame.
type Box struct {
	Frame         int `json:"frame,omitempty"`
	X, Y          int
	Width, Height int
}

// clip returns the box clipped to a cols×rows frame (empty when outside).
func (b Box) clip(cols, rows int) (x0, y0, x1, y1 int) {
	x0, y0 = max(b.X, 0), max(b.Y, 0)
	x1, y1 = min(b.X+b.Width, cols), min(b.Y+b.Height, rows)
	if b.Width <= 0 || b.Height <= 0 || x1 <= x0 || y1 <= y0 {
		return 0, 0, 0, 0
	}
	return x0, y0, x1, y1
}

// appliesTo reports whether the box applies to 1-based frame n.
func (b Box) appliesTo(n int) bool { return b.Frame == 0 || b.Frame == n }

// Format describes native pixel data (PS3.3 C.7.6.3).
type Format struct {
	Rows, Columns int
	// Frames is the Number of Frames (1 when absent).
	Frames          int
	SamplesPerPixel int
	BitsAllocated   int
	// BitsStored is BitsAllocated when 0.
	BitsStored int
	// PixelRepresentation is 1 for signed (two's complement) samples.
	PixelRepresentation int
	Photometric         string
	// Planar is the Planar Configuration: 0 colour-by-pixel, 1 colour-by-plane.
	Planar    int
	BigEndian bool
}

// Check returns an error wrapping ErrUnsupported when f cannot be masked.
func (f Format) Check() error {
	switch {
	case f.Rows <= 0 || f.Columns <= 0 || f.Frames <= 0:
		return fmt.Errorf("%w: %d rows, %d columns, %d frames", ErrUnsupported, f.Rows, f.Columns, f.Frames)
	case f.BitsAllocated != 8 && f.BitsAllocated != 16:
		return fmt.Errorf("%w: %d bits allocated", ErrUnsupported, f.BitsAllocated)
	case f.stored() > f.BitsAllocated || f.stored() <= 0:
		return fmt.Errorf("%w: %d bits stored", ErrUnsupported, f.stored())
	case f.Planar != 0 && f.Planar != 1:
		return fmt.Errorf("%w: planar configuration %d", ErrUnsupported, f.Planar)
	}
	switch f.photometric() {
	case "MONOCHROME1", "MONOCHROME2":
		if f.SamplesPerPixel != 1 {
			return fmt.Errorf("%w: %d samples for %s", ErrUnsupported, f.SamplesPerPixel, f.photometric())
		}
	case "RGB", "YBR_FULL":
		if f.SamplesPerPixel != 3 {
			return fmt.Errorf("%w: %d samples for %s", ErrUnsupported, f.SamplesPerPixel, f.photometric())
		}
	default:
		return fmt.Errorf("%w: photometric interpretation %q", ErrUnsupported, f.photometric())
	}
	if int64(f.Rows)*int64(f.Columns)*int64(f.SamplesPerPixel)*int64(f.BitsAllocated/8) > 1<<30 {
		return fmt.Errorf("%w: frame larger than 1 GiB", ErrUnsupported)
	}
	return nil
}

func (f Format) stored() int {
	if f.BitsStored == 0 {
		return f.BitsAllocated
	}
	return f.BitsStored
}

func (f Format) photometric() string { return strings.ToUpper(strings.TrimSpace(f.Photometric)) }

// FrameSize returns the bytes of one frame.
func (f Format) FrameSize() int {
	return f.Rows * f.Columns * f.SamplesPerPixel * (f.BitsAllocated / 8)
}

// Size returns the bytes of all frames (without the pad byte of an odd
// length).
func (f Format) Size() int64 { return int64(f.FrameSize()) * int64(f.Frames) }

// MaskValues returns the sample values a box is filled with, one per
// sample, as they are stored (two's complement in BitsAllocated bits for
// signed data).
func (f Format) MaskValues() []uint16 {
	bits := f.stored()
	signed := f.PixelRepresentation == 1
	lo, hi := 0, 1<<bits-1
	if signed {
		lo, hi = -(1 << (bits - 1)), 1<<(bits-1)-1
	}
	enc := func(v int) uint16 {
		if f.BitsAllocated == 8 {
			return uint16(uint8(v))
		}
		return uint16(v)
	}
	switch f.photometric() {
	case "MONOCHROME1":
		return []uint16{enc(hi)}
	case "RGB":
		return []uint16{enc(0), enc(0), enc(0)}
	case "YBR_FULL":
		half := 1 << (bits - 1)
		return []uint16{enc(0), enc(half), enc(half)}
	}
	return []uint16{enc(lo)}
}

// MaskFrame fills the boxes that apply to 1-based frame n in frame (one
// frame of native pixel data in format f) and returns the number of pixels
// it filled (a pixel under two boxes counts once per box).
func MaskFrame(frame []byte, f Format, n int, boxes []Box) int {
	vals := f.MaskValues()
	bps := f.BitsAllocated / 8
	var bo binary.ByteOrder = binary.LittleEndian
	if f.BigEndian {
		bo = binary.BigEndian
	}
	var enc [3][2]byte
	for s, v := range vals {
		if bps == 1 {
			enc[s][0] = byte(v)
		} else {
			bo.PutUint16(enc[s][:], v)
		}
	}
	spp := f.SamplesPerPixel
	plane := f.Rows * f.Columns * bps
	filled := 0
	for _, b := range boxes {
		if !b.appliesTo(n) {
			continue
		}
		x0, y0, x1, y1 := b.clip(f.Columns, f.Rows)
		if x1 == x0 {
			continue
		}
		filled += (x1 - x0) * (y1 - y0)
		for y := y0; y < y1; y++ {
			if f.Planar == 1 && spp > 1 {
				for s := 0; s < spp; s++ {
					row := frame[s*plane+(y*f.Columns+x0)*bps : s*plane+(y*f.Columns+x1)*bps]
					fill(row, enc[s][:bps])
				}
				continue
			}
			row := frame[(y*f.Columns+x0)*spp*bps : (y*f.Columns+x1)*spp*bps]
			if spp == 1 {
				fill(row, enc[0][:bps])
				continue
			}
			px := make([]byte, 0, 6)
			for s := 0; s < spp; s++ {
				px = append(px, enc[s][:bps]...)
			}
			fill(row, px)
		}
	}
	return filled
}

// fill repeats pattern over b (len(b) is a multiple of len(pattern)).
func fill(b, pattern []byte) {
	if len(b) == 0 {
		return
	}
	n := copy(b, pattern)
	for n < len(b) {
		n += copy(b[n:], b[:n])
	}
}

// Result says what Copy did: no pixel values.
type Result struct {
	// Frames is the number of frames written; FramesMasked those in which
	// at least one pixel was filled; Pixels the pixels filled.
	Frames, FramesMasked int
	Pixels               int64
}

// Copy writes the n bytes of native pixel data at off in r to w, frame by
// frame, with the boxes filled. At most two frames are held in memory: the
// next frame is read and masked on another goroutine while one is written.
// Bytes after the last frame (the pad byte of an odd length) are copied as
// they are; n shorter than f.Size() is an error. r is not read after Copy
// returns.
func Copy(ctx context.Context, w io.Writer, r io.ReaderAt, off, n int64, f Format, boxes []Box) (Result, error) {
	var res Result
	if err := f.Check(); err != nil {
		return res, err
	}
	if n < f.Size() {
		return res, fmt.Errorf("pixelmask: pixel data holds %d bytes, %d frames need %d", n, f.Frames, f.Size())
	}
	size := int64(f.FrameSize())
	frames := make(chan maskedFrame, 1)
	free := make(chan []byte, 2)
	free <- make([]byte, size)
	if f.Frames > 1 && size <= maxReadAhead {
		free <- make([]byte, size)
	}
	stop := make(chan struct{})
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer close(frames)
		for i := 1; i <= f.Frames; i++ {
			var buf []byte
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			fr := maskedFrame{buf: buf}
			if fr.err = ctx.Err(); fr.err == nil {
				if _, err := r.ReadAt(buf, off+int64(i-1)*size); err != nil {
					fr.err = fmt.Errorf("pixelmask: frame %d: %w", i, err)
				} else {
					fr.masked = MaskFrame(buf, f, i, boxes)
				}
			}
			select {
			case frames <- fr:
			case <-stop:
				return
			}
			if fr.err != nil {
				return
			}
		}
	}()
	defer func() {
		close(stop)
		<-read // r is not read after Copy returns
	}()
	for fr := range frames {
		if fr.err != nil {
			return res, fr.err
		}
		if fr.masked > 0 {
			res.FramesMasked++
			res.Pixels += int64(fr.masked)
		}
		if _, err := w.Write(fr.buf); err != nil {
			return res, err
		}
		res.Frames++
		free <- fr.buf
	}
	if res.Frames != f.Frames {
		return res, fmt.Errorf("pixelmask: %d of %d frames read", res.Frames, f.Frames)
	}
	if rest := n - f.Size(); rest > 0 {
		if _, err := io.Copy(w, io.NewSectionReader(r, off+f.Size(), rest)); err != nil {
			return res, err
		}
	}
	return res, nil
}

// maskedFrame is one frame read and masked by Copy's reader.
type maskedFrame struct {
	buf    []byte
	masked int
	err    error
}

// maxReadAhead is the largest frame Copy reads ahead (a second buffer):
// larger frames are read and written one after the other.
const maxReadAhead = 32 << 20

// Covered reports whether every pixel of region (within a cols×rows
// frame) is under one of boxes. A region for every frame (Frame 0) is
// covered only by boxes for every frame, or, for a single-frame image, by
// boxes for frame 1.
func Covered(region Box, boxes []Box, cols, rows, frames int) bool {
	x0, y0, x1, y1 := region.clip(cols, rows)
	if x1 == x0 {
		return true
	}
	w, h := x1-x0, y1-y0
	seen := make([]bool, w*h)
	for _, b := range boxes {
		ok := b.Frame == 0 || b.Frame == region.Frame || region.Frame == 0 && frames == 1 && b.Frame == 1
		if !ok {
			continue
		}
		bx0, by0, bx1, by1 := b.clip(cols, rows)
		for y := max(by0, y0); y < min(by1, y1); y++ {
			for x := max(bx0, x0); x < min(bx1, x1); x++ {
				seen[(y-y0)*w+x-x0] = true
			}
		}
	}
	for _, s := range seen {
		if !s {
			return false
		}
	}
	return true
}
