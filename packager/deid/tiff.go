package deid

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/image/tiff"

	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
)

// The reasons a TIFF picture cannot be cleaned (it is left out).
var (
	errTIFFPages       = errors.New(i18n.Msg("this TIFF file holds several pictures (pages), which Dossier cannot clean yet; save each page as PNG and add those instead"))
	errTIFFOrientation = errors.New(i18n.Msg("this TIFF picture is stored turned (an orientation tag), which Dossier cannot clean yet; save it as PNG and add that instead"))
	errTIFFCompression = errors.New(i18n.Msg("this TIFF picture is compressed in a way Dossier cannot read (such as JPEG or fax compression inside the TIFF); save it as PNG and add that instead"))
	errTIFFBig         = errors.New(i18n.Msg("this TIFF picture is too large for Dossier to clean"))
)

// TIFF tags read to decide whether a picture can be cleaned.
const (
	tiffTagCompression = 259
	tiffTagOrientation = 274
)

// maxTIFFPixels bounds the pictures decoded whole (about 100 megapixels).
const maxTIFFPixels = 100 << 20

// checkTIFF reads the structure of a TIFF photo or scan and fails with a
// plain reason when Dossier cannot clean it: several images (pages), an
// orientation other than top-left (the written copy keeps no tags), a
// compression Go cannot decode (only none, LZW, Deflate and PackBits;
// not JPEG, fax or others), BigTIFF, or too many pixels.
func checkTIFF(b []byte) error {
	if len(b) < 8 {
		return ErrDamagedPicture
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return ErrDamagedPicture
	}
	if bo.Uint16(b[2:]) != 42 {
		return errTIFFCompression // BigTIFF (43) and others
	}
	off := int64(bo.Uint32(b[4:]))
	if off < 8 || off+2 > int64(len(b)) {
		return ErrDamagedPicture
	}
	n := int64(bo.Uint16(b[off:]))
	if off+2+12*n+4 > int64(len(b)) {
		return ErrDamagedPicture
	}
	for i := int64(0); i < n; i++ {
		e := b[off+2+12*i:]
		tag, typ := bo.Uint16(e), bo.Uint16(e[2:])
		v := uint32(bo.Uint16(e[8:]))
		if typ == 4 { // LONG
			v = bo.Uint32(e[8:])
		}
		switch tag {
		case tiffTagCompression:
			switch v {
			case 1, 5, 8, 32946, 32773: // none, LZW, Deflate, old Deflate, PackBits
			default:
				return errTIFFCompression
			}
		case tiffTagOrientation:
			if v != 1 {
				return errTIFFOrientation
			}
		}
	}
	if bo.Uint32(b[off+2+12*n:]) != 0 {
		return errTIFFPages
	}
	cfg, err := tiff.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%w: %w", errTIFFCompression, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxTIFFPixels {
		return errTIFFBig
	}
	return nil
}

// MaskTIFF writes the TIFF photo or scan in src with the boxes (pixels
// from its top left) filled with black, or, without boxes, only cleaned:
// its picture is decoded and written again losslessly (Deflate) with none
// of its metadata: no EXIF, GPS, XMP, IPTC, ICC profile, description,
// artist, software, date or private tags; only the picture's structure
// (size, samples, compression, resolution). TIFFs it cannot clean fail
// with a plain reason (checkTIFF).
func MaskTIFF(dst io.Writer, src io.Reader, boxes []pixelmask.Box) error {
	b, err := io.ReadAll(io.LimitReader(src, maxPhotoBytes+1))
	if err != nil {
		return err
	}
	if len(b) > maxPhotoBytes {
		return errTIFFBig
	}
	if err := checkTIFF(b); err != nil {
		return err
	}
	m, err := tiff.Decode(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDamagedPicture, err)
	}
	if len(boxes) > 0 {
		if m, _, err = pixelmask.MaskImage(m, boxes); err != nil {
			return err
		}
	}
	var out bytes.Buffer
	if err := tiff.Encode(&out, m, &tiff.Options{Compression: tiff.Deflate, Predictor: true}); err != nil {
		return err
	}
	_, err = dst.Write(out.Bytes())
	return err
}

// decideTIFF holds a TIFF photo or scan for review like any photo, or
// leaves it out with a plain reason when Dossier cannot clean it
// (checkTIFF).
func decideTIFF(it *intake.Item, opts intake.Options) (Action, i18n.Text) {
	f, err := intake.Open(it, opts)
	if err != nil {
		if errors.Is(err, intake.ErrChanged) {
			return Exclude, i18n.NewText(reasonChanged)
		}
		return Exclude, i18n.NewText(reasonUnreadableAgain, plainError(err))
	}
	defer f.Close()
	if f.Size() > maxPhotoBytes {
		return Exclude, i18n.NewText(errTIFFBig.Error())
	}
	b, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		return Exclude, i18n.NewText(reasonUnreadableAgain, plainError(err))
	}
	if err := checkTIFF(b); err != nil {
		for _, e := range []error{errTIFFPages, errTIFFOrientation, errTIFFCompression, errTIFFBig, ErrDamagedPicture} {
			if errors.Is(err, e) {
				return Exclude, i18n.NewText(e.Error())
			}
		}
		return Exclude, i18n.NewText(ErrDamagedPicture.Error())
	}
	return Review, i18n.NewText(reasonPhoto)
}
