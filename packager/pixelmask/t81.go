package pixelmask

import (
	"fmt"

	"dossier/packager/jpegdec"
)

// Transfer syntaxes of lossless JPEG (Process 14), decoded by jpegdec.
const (
	JPEGLosslessUID    = "1.2.840.10008.1.2.4.57"
	JPEGLosslessSV1UID = "1.2.840.10008.1.2.4.70"
)

// wideJPEG reports whether frames of transfer syntax ts in format f are
// decoded by jpegdec (lossless JPEG, and JPEG Extended of more than 8
// bits) rather than image/jpeg.
func wideJPEG(ts string, f Format) bool {
	return ts == JPEGLosslessUID || ts == JPEGLosslessSV1UID || ts == JPEGExtendedUID && f.BitsAllocated == 16
}

// decodedWide is Decoded for the frames of wideJPEG: samples as coded
// (lossless JPEG has no colour transform), 12-bit JPEG Extended only
// for one sample per pixel.
func decodedWide(ts string, f Format) (Format, error) {
	out := f
	out.BigEndian, out.Planar = false, 0
	if ts == JPEGExtendedUID && f.SamplesPerPixel != 1 {
		return out, fmt.Errorf("%w: %d-bit colour JPEG", ErrCannotDecode, f.BitsAllocated)
	}
	if err := out.Check(); err != nil {
		return out, err
	}
	return out, nil
}

// DecodeWideJPEG decodes one frame of lossless JPEG or of JPEG Extended
// with 12-bit precision (jpegdec) of format f to native pixel data in
// format Decoded(ts, f): little endian, samples interleaved.
func DecodeWideJPEG(frame []byte, f Format) ([]byte, error) {
	m, err := jpegdec.Decode(frame)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCannotDecode, err)
	}
	if m.Width != f.Columns || m.Height != f.Rows {
		return nil, fmt.Errorf("pixelmask: JPEG frame of %dx%d in a %dx%d image", m.Width, m.Height, f.Columns, f.Rows)
	}
	if m.Components != f.SamplesPerPixel {
		return nil, fmt.Errorf("pixelmask: JPEG frame of %d components in an image of %d samples per pixel", m.Components, f.SamplesPerPixel)
	}
	if m.Precision > f.BitsAllocated {
		return nil, fmt.Errorf("pixelmask: JPEG frame of %d-bit precision in an image of %d bits allocated", m.Precision, f.BitsAllocated)
	}
	out, err := m.Native(f.BitsAllocated)
	if err != nil {
		return nil, fmt.Errorf("pixelmask: %w", err)
	}
	return out, nil
}
