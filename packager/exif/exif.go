// Package exif reads the one EXIF value Dossier needs to keep when it drops
// a photo's metadata or shows a preview (the orientation, which says how to
// turn the picture upright), and finds where a HEIC/HEIF photo keeps its
// Exif and XMP metadata, so it can be blanked without re-encoding.
package exif

import "encoding/binary"

// Orientation returns the Orientation (tag 0x0112, 1-8) of IFD 0 in a
// TIFF-structured EXIF block (what follows "Exif\0\0" in a JPEG's APP1
// segment), or 0 when there is none or the block is damaged.
func Orientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := int(bo.Uint32(tiff[4:]))
	if off < 8 || off+2 > len(tiff) {
		return 0
	}
	n := int(bo.Uint16(tiff[off:]))
	for i := 0; i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > len(tiff) {
			return 0
		}
		if bo.Uint16(tiff[e:]) == 0x0112 {
			if v := int(bo.Uint16(tiff[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 0
		}
	}
	return 0
}

// APP1Orientation returns the orientation in the body of a JPEG APP1
// segment if it is an EXIF block, or 0.
func APP1Orientation(body []byte) int {
	if len(body) < 14 || string(body[:6]) != "Exif\x00\x00" {
		return 0
	}
	return Orientation(body[6:])
}

// Source returns the pixel of a stored image w pixels wide and h high that
// a viewer shows at (x, y) of the upright image, for orientation o (2 to 8
// turn and mirror; 1 and unknown values are the identity). The upright
// image is h wide and w high for 5 to 8.
func Source(o, x, y, w, h int) (sx, sy int) {
	switch o {
	case 2:
		return w - 1 - x, y
	case 3:
		return w - 1 - x, h - 1 - y
	case 4:
		return x, h - 1 - y
	case 5:
		return y, x
	case 6:
		return y, h - 1 - x
	case 7:
		return w - 1 - y, h - 1 - x
	case 8:
		return w - 1 - y, x
	}
	return x, y
}
