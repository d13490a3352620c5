package pixelmask

import (
	"fmt"
	"math"

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
// (lossless JPEG has no colour transform), and RGB for colour JPEG
// Extended (YCbCr converted, as for 8-bit JPEG).
func decodedWide(ts string, f Format) (Format, error) {
	out := f
	out.BigEndian, out.Planar = false, 0
	if ts == JPEGExtendedUID && f.SamplesPerPixel == 3 {
		switch f.photometric() {
		case "RGB", "YBR_FULL", "YBR_FULL_422":
			out.Photometric = "RGB"
		}
	}
	if err := out.Check(); err != nil {
		return out, err
	}
	return out, nil
}

// DecodeWideJPEG decodes one frame of lossless JPEG or of JPEG Extended
// with 12-bit precision (jpegdec) of format f to native pixel data in
// format Decoded(ts, f): little endian, samples interleaved, the YCbCr
// of a DCT frame whose photometric interpretation says YBR converted to
// RGB.
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
	if p := f.photometric(); m.Process != jpegdec.Lossless && m.Components == 3 && (p == "YBR_FULL" || p == "YBR_FULL_422") {
		ycbcrToRGB(m.Pix, m.Precision)
	}
	out, err := m.Native(f.BitsAllocated)
	if err != nil {
		return nil, fmt.Errorf("pixelmask: %w", err)
	}
	return out, nil
}

// ycbcrToRGB converts interleaved YCbCr samples of precision p bits to
// RGB in place (JFIF / PS3.3 C.7.6.3.1.2 YBR_FULL, scaled to p bits).
func ycbcrToRGB(pix []uint16, p int) {
	c := float64(int(1) << (p - 1))
	top := float64(int(1)<<p - 1)
	clamp := func(v float64) uint16 { return uint16(math.Round(min(max(v, 0), top))) }
	for i := 0; i+2 < len(pix); i += 3 {
		y, cb, cr := float64(pix[i]), float64(pix[i+1])-c, float64(pix[i+2])-c
		pix[i] = clamp(y + 1.402*cr)
		pix[i+1] = clamp(y - 0.344136*cb - 0.714136*cr)
		pix[i+2] = clamp(y + 1.772*cb)
	}
}
