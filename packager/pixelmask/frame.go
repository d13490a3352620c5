package pixelmask

import (
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"io"
	"strconv"

	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
)

// ReadFormat reads the Image Pixel attributes of the DICOM file in src
// (size bytes) and where its pixel data lies.
func ReadFormat(ctx context.Context, src io.ReaderAt, size int64) (Format, *dicomx.Layout, error) {
	f := Format{Frames: 1, SamplesPerPixel: 1}
	l, err := dicomx.ReadLayout(ctx, src, size)
	if err != nil {
		return f, nil, err
	}
	if l.PixelElementOffset < 0 {
		return f, l, fmt.Errorf("%w: no pixel data", ErrUnsupported)
	}
	s := dicomwire.Syntax{Implicit: l.ImplicitVR, BigEndian: l.BigEndian}
	f.BigEndian = l.BigEndian
	win := dicomwire.NewWindow(src, size)
	w := &dicomwire.Walker{Src: win, Size: l.PixelElementOffset, Syntax: s, Ctx: ctx}
	w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
		if e.Depth > 0 || e.Tag.Group() != 0x0028 || e.Length > 64 || e.Undefined() {
			return dicomwire.Continue, nil
		}
		b, err := win.At(e.ValueOffset(), int(e.Length))
		if err != nil {
			return dicomwire.Continue, err
		}
		us := 0
		if len(b) >= 2 {
			us = int(s.ByteOrder().Uint16(b))
		}
		switch e.Tag {
		case dicomwire.SamplesPerPixel:
			f.SamplesPerPixel = us
		case dicomwire.PhotometricInterpretation:
			f.Photometric = dicomwire.TrimValue(b)
		case dicomwire.PlanarConfiguration:
			f.Planar = us
		case dicomwire.NumberOfFrames:
			if n, err := strconv.Atoi(dicomwire.TrimValue(b)); err == nil && n > 0 {
				f.Frames = n
			}
		case dicomwire.Rows:
			f.Rows = us
		case dicomwire.Columns:
			f.Columns = us
		case dicomwire.BitsAllocated:
			f.BitsAllocated = us
		case dicomwire.BitsStored:
			f.BitsStored = us
		case dicomwire.PixelRepresentation:
			f.PixelRepresentation = us
		}
		return dicomwire.Continue, nil
	}
	if _, err := w.Walk(l.DatasetOffset, l.PixelElementOffset); err != nil {
		return f, l, fmt.Errorf("pixelmask: %w", err)
	}
	return f, l, nil
}

// DICOMFrame returns 1-based frame n of the DICOM file in src as a
// picture for display or OCR (8 bits per sample: 16-bit grey is scaled
// from the frame's own range; MONOCHROME1 is shown inverted, as it is
// displayed; YBR_FULL is converted to RGB). Native, JPEG Baseline and
// Extended (8 and 12 bits), JPEG Lossless and RLE Lossless pixel data
// are read.
func DICOMFrame(ctx context.Context, src io.ReaderAt, size int64, n int) (image.Image, error) {
	f, l, err := ReadFormat(ctx, src, size)
	if err != nil {
		return nil, err
	}
	if n < 1 || n > f.Frames {
		return nil, fmt.Errorf("pixelmask: frame %d of %d", n, f.Frames)
	}
	pi := l.Header.PixelData
	var native []byte
	nf := f
	if pi.Encapsulated {
		ts := l.Header.TransferSyntaxUID
		if nf, err = Decoded(ts, f); err != nil {
			return nil, err
		}
		e := Encapsulated{Src: dicomwire.NewWindow(src, size), Off: pi.Offset, End: l.PixelElementEnd, Size: size}
		_, err = EachFrame(ctx, e, ts, f, nil, func(i int, b []byte) error {
			if i == n {
				native = append([]byte(nil), b...)
				return errStop
			}
			return nil
		})
		if err != nil && err != errStop {
			return nil, err
		}
	} else {
		if err := f.Check(); err != nil {
			return nil, err
		}
		if pi.Length < f.Size() {
			return nil, fmt.Errorf("pixelmask: pixel data holds %d bytes, %d frames need %d", pi.Length, f.Frames, f.Size())
		}
		native = make([]byte, f.FrameSize())
		if _, err := src.ReadAt(native, pi.Offset+int64(n-1)*int64(f.FrameSize())); err != nil {
			return nil, fmt.Errorf("pixelmask: frame %d: %w", n, err)
		}
	}
	return FrameImage(native, nf)
}

var errStop = fmt.Errorf("pixelmask: stop")

// FrameImage returns one native frame in format f as a picture (see
// DICOMFrame).
func FrameImage(native []byte, f Format) (image.Image, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	if len(native) < f.FrameSize() {
		return nil, fmt.Errorf("pixelmask: frame of %d bytes, %d expected", len(native), f.FrameSize())
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if f.BigEndian {
		bo = binary.BigEndian
	}
	bps := f.BitsAllocated / 8
	n := f.Rows * f.Columns
	sample := func(i, s int) int {
		idx := i*f.SamplesPerPixel + s
		if f.Planar == 1 {
			idx = s*n + i
		}
		var v int
		if bps == 1 {
			v = int(native[idx])
		} else {
			v = int(bo.Uint16(native[2*idx:]))
		}
		bits := f.stored()
		v &= 1<<bits - 1
		if f.PixelRepresentation == 1 && v >= 1<<(bits-1) {
			v -= 1 << bits
		}
		return v
	}
	rect := image.Rect(0, 0, f.Columns, f.Rows)
	if f.SamplesPerPixel == 1 {
		lo, hi := sample(0, 0), sample(0, 0)
		for i := 1; i < n; i++ {
			v := sample(i, 0)
			lo, hi = min(lo, v), max(hi, v)
		}
		g := image.NewGray(rect)
		for i := 0; i < n; i++ {
			v := 0
			if hi > lo {
				v = (sample(i, 0) - lo) * 255 / (hi - lo)
			}
			if f.photometric() == "MONOCHROME1" {
				v = 255 - v
			}
			g.Pix[i] = uint8(v)
		}
		return g, nil
	}
	m := image.NewRGBA(rect)
	shift := f.stored() - 8
	for i := 0; i < n; i++ {
		a, b, c := sample(i, 0)>>max(shift, 0), sample(i, 1)>>max(shift, 0), sample(i, 2)>>max(shift, 0)
		if f.photometric() == "YBR_FULL" {
			r, g, bl := color.YCbCrToRGB(uint8(a), uint8(b), uint8(c))
			a, b, c = int(r), int(g), int(bl)
		}
		m.Pix[4*i], m.Pix[4*i+1], m.Pix[4*i+2], m.Pix[4*i+3] = uint8(a), uint8(b), uint8(c), 255
	}
	return m, nil
}
