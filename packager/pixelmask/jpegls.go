package pixelmask

import (
	"encoding/binary"
	"fmt"

	"dossier/packager/jpegls"
)

// Transfer syntaxes of JPEG-LS (ISO/IEC 14495-1), decoded by jpegls.
const (
	JPEGLSLosslessUID     = "1.2.840.10008.1.2.4.80"
	JPEGLSNearLosslessUID = "1.2.840.10008.1.2.4.81"
)

// LossyMethod returns the Lossy Image Compression Method (0028,2114) of a
// lossy transfer syntax ts: ISO_14495_1 for JPEG-LS near-lossless,
// ISO_10918_1 for JPEG.
func LossyMethod(ts string) string {
	if ts == JPEGLSNearLosslessUID {
		return "ISO_14495_1"
	}
	return "ISO_10918_1"
}

// DecodeJPEGLS decodes one JPEG-LS frame of format f to native pixel data
// in format Decoded(ts, f): little endian, samples interleaved whatever
// the interleave mode, signed samples of a precision below Bits Allocated
// sign-extended.
func DecodeJPEGLS(frame []byte, f Format) ([]byte, error) {
	c, err := jpegls.DecodeConfig(frame)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCannotDecode, err)
	}
	if c.Width != f.Columns || c.Height != f.Rows {
		return nil, fmt.Errorf("pixelmask: JPEG-LS frame of %dx%d in a %dx%d image", c.Width, c.Height, f.Columns, f.Rows)
	}
	if c.Components != f.SamplesPerPixel {
		return nil, fmt.Errorf("pixelmask: JPEG-LS frame of %d components in an image of %d samples per pixel", c.Components, f.SamplesPerPixel)
	}
	if c.BitsPerSample > f.BitsAllocated {
		return nil, fmt.Errorf("pixelmask: JPEG-LS frame of %d bits per sample in an image of %d bits allocated", c.BitsPerSample, f.BitsAllocated)
	}
	m, err := jpegls.Decode(frame)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCannotDecode, err)
	}
	p := m.BitsPerSample
	extend := f.PixelRepresentation == 1 && p < f.BitsAllocated
	if f.BitsAllocated == 8 {
		out := make([]byte, len(m.Pix))
		for i, v := range m.Pix {
			if extend && v&(1<<(p-1)) != 0 {
				v |= ^uint16(1<<p - 1)
			}
			out[i] = byte(v)
		}
		return out, nil
	}
	out := make([]byte, 2*len(m.Pix))
	for i, v := range m.Pix {
		if extend && v&(1<<(p-1)) != 0 {
			v |= ^uint16(1<<p - 1)
		}
		binary.LittleEndian.PutUint16(out[2*i:], v)
	}
	return out, nil
}
