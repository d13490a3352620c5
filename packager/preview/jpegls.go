package preview

import (
	"encoding/binary"
	"image"

	"dossier/packager/pixelmask"
)

// jpegLSImage renders a JPEG-LS frame (decoded by pixelmask with jpegls)
// as the native path does: windowed, rescaled.
func jpegLSImage(ts string, frame []byte, a *pixelAttrs) (image.Image, error) {
	f := pixelmask.Format{Rows: a.rows, Columns: a.cols, Frames: 1, SamplesPerPixel: a.samples, BitsAllocated: a.bitsAllocated,
		BitsStored: a.bitsStored, Photometric: a.photometric}
	if a.signed {
		f.PixelRepresentation = 1
	}
	out, err := pixelmask.Decoded(ts, f)
	if err != nil {
		return nil, noPreview("the image's colour model (%s) is not one Dossier can show yet", plainCS(a.photometric))
	}
	native, err := pixelmask.DecodeJPEGLS(frame, f)
	if err != nil {
		return nil, noPreview("the JPEG-LS image data is malformed or of a kind Dossier cannot show yet")
	}
	a.planar, a.photometric = 0, out.Photometric
	return renderNative(native, binary.LittleEndian, a)
}
