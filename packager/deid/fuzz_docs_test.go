package deid

import (
	"bytes"
	"io"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/fixture/tifffix"
	"dossier/packager/pixelmask"
)

// FuzzStripDocuments feeds damaged RTF, HEIC, DOCX, ODT and TIFF files to
// the cleaners (and RTF to the redactor): an error is fine, a panic or a hang is not.
func FuzzStripDocuments(f *testing.F) {
	f.Add(docfix.RTF(1252, map[string]string{"author": "a"}, "b"), uint8(0))
	f.Add(docfix.RTFParts(936), uint8(0))
	f.Add(docfix.HEIC(docfix.HEICParts{Exif: "x", XMP: "y", Description: "d", ItemName: "n"}), uint8(1))
	f.Add(docfix.DOCXWithParts(docfix.DOCXParts{Body: []string{"x"}, Comment: "c", Hidden: "h", Deleted: "d"}), uint8(2))
	f.Add(docfix.ODT(docfix.ODTParts{Body: []string{"x"}, Annotation: "a"}), uint8(3))
	f.Add(tiffPhoto(true, tifffix.ShortTag(274, 6)), uint8(4))
	f.Add(tifffix.Build(tifffix.Options{}, []tifffix.IFD{tifffix.StripImage(8, 8, 1, tifffix.ShortTag(259, 7), tifffix.BytesTag(347, 7, []byte{0xFF, 0xD8, 0xFF, 0xD9}))}), uint8(4))
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		switch which % 5 {
		case 0:
			StripRTF(io.Discard, bytes.NewReader(b))
			removeRTFHidden(b)
			redactRTFBytes(b, rtfIdentity().Matcher(), "[removed]")
		case 1:
			StripHEIC(io.Discard, bytes.NewReader(b), int64(len(b)))
		case 2:
			StripOOXML(io.Discard, bytes.NewReader(b), int64(len(b)))
		case 3:
			StripODF(io.Discard, bytes.NewReader(b), int64(len(b)))
		case 4:
			MaskTIFF(io.Discard, bytes.NewReader(b), []pixelmask.Box{{X: 1, Y: 1, Width: 4, Height: 4}})
		}
	})
}
