package preview

import (
	"dossier/packager/exif"

	"bytes"
	"fmt"
	"image"
	_ "image/gif" // GIF pictures
	"image/jpeg"
	_ "image/png" // PNG pictures
	"io"

	_ "golang.org/x/image/bmp"  // BMP pictures
	_ "golang.org/x/image/tiff" // plain TIFF scans (not slides)
	_ "golang.org/x/image/webp" // WebP pictures
)

// photo decodes a photo or scan, refusing pictures above MaxPixels. It also
// returns the EXIF orientation of a JPEG or PNG photo (0 when unknown).
func photo(r io.ReaderAt, size int64, format string) (image.Image, int, error) {
	cfg, kind, err := image.DecodeConfig(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, 0, noPreview("the picture could not be read (%s)", plainFormat(format))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, 0, noPreview("the picture is too large to preview (%dx%d)", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, 0, noPreview("the picture could not be decoded (%s)", kind)
	}
	o := 0
	switch kind {
	case "jpeg":
		head := make([]byte, min(size, 128<<10))
		n, _ := r.ReadAt(head, 0)
		o = exifOrientation(head[:n])
	case "png":
		o = exif.PNGOrientation(r, size)
	}
	return img, o, nil
}

func plainFormat(f string) string {
	if f == "" {
		return "unknown format"
	}
	return f
}

// decodeJPEG decodes one JPEG stream.
func decodeJPEG(b []byte) (image.Image, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, noPreview("the JPEG image could not be read")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, noPreview("the JPEG image is too large to preview (%dx%d)", cfg.Width, cfg.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, noPreview("the JPEG image could not be decoded: %s", jpegReason(err))
	}
	return img, nil
}

// jpegReason keeps the decoder's own words (they never hold patient data).
func jpegReason(err error) string {
	return fmt.Sprint(err)
}

// exifOrientation returns the EXIF orientation (1-8) of a JPEG stream's
// APP1 segment, or 0.
func exifOrientation(b []byte) int { return exif.JPEGOrientation(b) }
