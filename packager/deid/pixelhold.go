package deid

import (
	"context"
	"errors"

	"dossier/packager/dicomwire"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
)

// The reasons for a DICOM image whose pixels Dossier cannot decode, so it
// cannot black out parts of them.
var (
	// reasonBurnedInUndecodable: held for review, boxes cannot help.
	reasonBurnedInUndecodable = i18n.Msg("this kind of image (ultrasound, screenshot, scanned document, or marked as such) may show identity inside the picture, and its pixels are compressed as %s, which Dossier cannot decode, so it cannot black out parts of it: send it only if you have looked at it and it shows no name or other detail")
	// reasonBoxesUndecodable: the user's boxes cannot be applied.
	reasonBoxesUndecodable = i18n.Msg("Dossier cannot black out the boxes you marked on this image: its pixels are compressed as %s, which it cannot decode, so it is left out")
)

// Compression names a transfer syntax of compressed pixel data for the
// reasons above ("JPEG-LS", "JPEG 2000"); bits is the image's Bits
// Allocated.
func Compression(ts string, bits int) string {
	switch ts {
	case pixelmask.JPEGBaselineUID, pixelmask.JPEGExtendedUID:
		if bits > 8 {
			return "JPEG (12-bit)"
		}
		return "JPEG"
	case pixelmask.JPEGLosslessUID, pixelmask.JPEGLosslessSV1UID:
		return "JPEG Lossless"
	case "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81":
		return "JPEG-LS"
	case "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93":
		return "JPEG 2000"
	case "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203":
		return "HTJ2K (JPEG 2000)"
	case "1.2.840.10008.1.2.4.100", "1.2.840.10008.1.2.4.100.1", "1.2.840.10008.1.2.4.101", "1.2.840.10008.1.2.4.101.1",
		"1.2.840.10008.1.2.4.102", "1.2.840.10008.1.2.4.102.1", "1.2.840.10008.1.2.4.103", "1.2.840.10008.1.2.4.103.1",
		"1.2.840.10008.1.2.4.104", "1.2.840.10008.1.2.4.104.1", "1.2.840.10008.1.2.4.105", "1.2.840.10008.1.2.4.105.1",
		"1.2.840.10008.1.2.4.106", "1.2.840.10008.1.2.4.106.1", "1.2.840.10008.1.2.4.107", "1.2.840.10008.1.2.4.108":
		return "MPEG/H.264/HEVC video"
	case "1.2.840.10008.1.2.4.110", "1.2.840.10008.1.2.4.111", "1.2.840.10008.1.2.4.112":
		return "JPEG XL"
	}
	return "transfer syntax " + ts
}

// Decodable reports whether Dossier decodes pixel data of transfer syntax
// ts to mask it (native, RLE Lossless, JPEG Baseline and Extended with 8
// or 12 bits, JPEG Lossless, JPEG-LS; a format it cannot mask inside one of these
// is found out only when its file is read).
func Decodable(ts string) bool {
	switch ts {
	case "", "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2",
		pixelmask.RLELosslessUID, pixelmask.JPEGBaselineUID, pixelmask.JPEGExtendedUID,
		pixelmask.JPEGLosslessUID, pixelmask.JPEGLosslessSV1UID,
		pixelmask.JPEGLSLosslessUID, pixelmask.JPEGLSNearLosslessUID:
		return true
	}
	return false
}

// Undecodable returns the name of the compression of a DICOM image's
// pixel data when Dossier cannot decode it (so it cannot mask boxes in
// it), or "" when its pixels can be masked or cannot be read here (the
// writer then says what is wrong).
func Undecodable(ctx context.Context, it *intake.Item, opts intake.Options) string {
	if it == nil || it.Kind != intake.KindDICOM {
		return ""
	}
	if it.DICOM != nil {
		switch it.DICOM.TransferSyntaxUID {
		case "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", pixelmask.RLELosslessUID:
			return "" // native or RLE: decoded without reading the file again
		}
	}
	f, err := intake.Open(it, opts)
	if err != nil {
		return ""
	}
	defer f.Close()
	fm, l, err := pixelmask.ReadFormat(ctx, f, f.Size())
	if err != nil || l == nil || !l.Header.PixelData.Encapsulated {
		return ""
	}
	ts := l.Header.TransferSyntaxUID
	if _, err := pixelmask.Decoded(ts, fm); errors.Is(err, pixelmask.ErrCannotDecode) {
		return Compression(ts, fm.BitsAllocated)
	}
	// A coding the decoder refuses (progressive JPEG, a JPEG-LS colour
	// transform...) shows only in the frames: decode the first.
	enc := pixelmask.Encapsulated{Src: dicomwire.NewWindow(f, f.Size()), Off: l.Header.PixelData.Offset, End: l.PixelElementEnd, Size: f.Size(), R: f}
	if err := pixelmask.CheckFirstFrame(ctx, enc, ts, fm); errors.Is(err, pixelmask.ErrCannotDecode) {
		return Compression(ts, fm.BitsAllocated)
	}
	return ""
}

// planUndecodable holds a DICOM image whose pixels cannot be decoded: with
// the user's boxes it is left out (never sent without them), and a picture
// at risk of burned-in identity says, in its reason, that no box can help.
// It notes the compression in d.Undecodable, so no preview is offered.
func planUndecodable(ctx context.Context, d *Decision, opts Options) {
	it := d.Item
	boxes := d.Redactions != nil && len(d.Redactions.Pixels) > 0
	if it.Kind != intake.KindDICOM || encapsulatedDocument(it.SOPClassUID) || d.Action == Exclude || !boxes && d.Action != Review {
		return
	}
	name := Undecodable(ctx, it, opts.Intake)
	d.Undecodable = name
	switch {
	case name == "":
	case boxes:
		d.Action, d.Reason = Exclude, i18n.NewText(reasonBoxesUndecodable, name)
	case it.BurnedIn:
		d.Reason = i18n.NewText(reasonBurnedInUndecodable, name)
	}
}
