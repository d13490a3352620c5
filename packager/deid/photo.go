package deid

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"dossier/packager/exif"
	"dossier/packager/i18n"
	"dossier/packager/intake"
)

// ErrDamagedPicture is returned when a picture's structure cannot be
// followed well enough to remove its metadata safely.
var ErrDamagedPicture = errors.New(i18n.Msg("the picture's structure is damaged"))

// StripJPEG copies a JPEG without its metadata: EXIF (with GPS), XMP, IPTC
// and Photoshop blocks, comments, and every other application segment
// except JFIF, the ICC colour profile and Adobe's colour transform, which
// decoders need. The compressed image data is copied byte for byte (no
// re-encoding). If the EXIF block said the picture is rotated, a minimal
// EXIF block with only the orientation is written so it still shows the
// right way up.
func StripJPEG(dst io.Writer, src io.Reader) error {
	r := bufio.NewReaderSize(src, 64<<10)
	w := bufio.NewWriterSize(dst, 64<<10)
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return fmt.Errorf("not a JPEG: %w", ErrDamagedPicture)
	}
	w.Write(soi[:])
	orientationWritten := false
	pending := -1 // a marker already read by copyEntropy
	for {
		var marker byte
		if pending >= 0 {
			marker, pending = byte(pending), -1
		} else {
			m, err := nextMarker(r)
			if err != nil {
				return err
			}
			marker = m
		}
		switch {
		case marker == 0xD9: // EOI
			w.Write([]byte{0xFF, 0xD9})
			// Anything after EOI (some cameras append data) is dropped.
			return w.Flush()
		case marker >= 0xD0 && marker <= 0xD7 || marker == 0x01:
			w.Write([]byte{0xFF, marker})
			continue
		}
		var lb [2]byte
		if _, err := io.ReadFull(r, lb[:]); err != nil {
			return fmt.Errorf("segment length: %w", ErrDamagedPicture)
		}
		n := int(binary.BigEndian.Uint16(lb[:]))
		if n < 2 {
			return fmt.Errorf("segment length %d: %w", n, ErrDamagedPicture)
		}
		body := make([]byte, n-2)
		if _, err := io.ReadFull(r, body); err != nil {
			return fmt.Errorf("segment cut short: %w", ErrDamagedPicture)
		}
		keep := true
		switch {
		case marker == 0xE0: // APP0: JFIF / JFXX
			keep = bytes.HasPrefix(body, []byte("JFIF\x00")) || bytes.HasPrefix(body, []byte("JFXX\x00"))
		case marker == 0xE2: // APP2: keep the ICC profile only (MPF holds more pictures)
			keep = bytes.HasPrefix(body, []byte("ICC_PROFILE\x00"))
		case marker == 0xEE: // APP14: Adobe colour transform
			keep = bytes.HasPrefix(body, []byte("Adobe"))
		case marker == 0xE1: // APP1: EXIF or XMP
			keep = false
			if o := exif.APP1Orientation(body); o > 1 && !orientationWritten {
				w.Write(orientationSegment(o))
				orientationWritten = true
			}
		case marker >= 0xE0 && marker <= 0xEF, marker == 0xFE: // other APPn, COM
			keep = false
		}
		if keep {
			w.Write([]byte{0xFF, marker})
			w.Write(lb[:])
			w.Write(body)
		}
		if marker == 0xDA { // SOS: entropy-coded data follows
			m, err := copyEntropy(w, r)
			if err != nil {
				return err
			}
			pending = int(m)
		}
	}
}

// nextMarker reads up to and including the next marker byte, skipping fill
// bytes (0xFF repeated).
func nextMarker(r *bufio.Reader) (byte, error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, fmt.Errorf("picture ends without an end marker: %w", ErrDamagedPicture)
	}
	if b != 0xFF {
		return 0, fmt.Errorf("expected a marker: %w", ErrDamagedPicture)
	}
	for {
		m, err := r.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("picture ends inside a marker: %w", ErrDamagedPicture)
		}
		if m != 0xFF {
			return m, nil
		}
	}
}

// copyEntropy copies entropy-coded data up to the next marker that is
// neither byte stuffing (FF 00) nor a restart (FF D0-D7), consumes that
// marker and returns it.
func copyEntropy(w *bufio.Writer, r *bufio.Reader) (byte, error) {
	for {
		chunk, err := r.ReadSlice(0xFF)
		if errors.Is(err, bufio.ErrBufferFull) {
			w.Write(chunk)
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("image data cut short: %w", ErrDamagedPicture)
		}
		w.Write(chunk[:len(chunk)-1]) // the data before this 0xFF
		next, err := r.ReadByte()
		for err == nil && next == 0xFF { // fill bytes
			next, err = r.ReadByte()
		}
		if err != nil {
			return 0, fmt.Errorf("image data cut short: %w", ErrDamagedPicture)
		}
		if next == 0x00 || next >= 0xD0 && next <= 0xD7 {
			w.Write([]byte{0xFF, next})
			continue
		}
		return next, nil
	}
}

// orientationSegment is an APP1 EXIF block holding only Orientation.
func orientationSegment(o int) []byte {
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, // header, IFD0 at 8
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, // Orientation SHORT 1
		0, 0, 0, 0} // no next IFD
	body := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	return append(seg, body...)
}

// pngSafe lists the ancillary PNG chunks that only describe how to show the
// picture; every other ancillary chunk (tEXt, zTXt, iTXt, eXIf, tIME and
// private ones) is removed.
var pngSafe = map[string]bool{
	"gAMA": true, "cHRM": true, "sRGB": true, "iCCP": true, "sBIT": true, "pHYs": true, "bKGD": true,
	"tRNS": true, "hIST": true, "sPLT": true, "cICP": true, "mDCv": true, "cLLi": true,
	"acTL": true, "fcTL": true, "fdAT": true,
}

// StripPNG copies a PNG keeping its critical chunks and the ancillary chunks
// that affect display; text, EXIF, time and private chunks are removed.
// Chunk data is copied byte for byte with its own checksum. If the eXIf
// chunk said the picture is turned, an eXIf chunk with only the
// orientation takes its place, so it still shows the right way up.
func StripPNG(dst io.Writer, src io.Reader) error {
	r := bufio.NewReaderSize(src, 64<<10)
	w := bufio.NewWriterSize(dst, 64<<10)
	sig := make([]byte, 8)
	if _, err := io.ReadFull(r, sig); err != nil || string(sig) != "\x89PNG\r\n\x1a\n" {
		return fmt.Errorf("not a PNG: %w", ErrDamagedPicture)
	}
	w.Write(sig)
	exifSeen := false
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return fmt.Errorf("picture ends without IEND: %w", ErrDamagedPicture)
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:8])
		if n > 1<<31-1 {
			return fmt.Errorf("chunk length: %w", ErrDamagedPicture)
		}
		critical := typ[0] >= 'A' && typ[0] <= 'Z'
		keep := critical || pngSafe[typ]
		if typ == "eXIf" && n <= maxEXIfChunk {
			// Only the orientation is kept, so the picture still shows
			// the right way up (as StripJPEG does).
			data := make([]byte, n+4)
			if _, err := io.ReadFull(r, data); err != nil {
				return fmt.Errorf("chunk cut short: %w", ErrDamagedPicture)
			}
			// Only the first eXIf chunk counts, as exif.PNGOrientation
			// (the preview's) reads it.
			if o := pngChunkOrientation(data[:n]); o > 1 && !exifSeen {
				w.Write(exif.PNGOrientationChunk(o))
			}
			exifSeen = true
			continue
		}
		var out io.Writer = io.Discard
		if keep {
			w.Write(hdr[:])
			out = w
		}
		if _, err := io.CopyN(out, r, n+4); err != nil { // data + CRC
			return fmt.Errorf("chunk cut short: %w", ErrDamagedPicture)
		}
		exifSeen = exifSeen || typ == "eXIf" // one too large to read: dropped
		if typ == "IEND" {
			return w.Flush()
		}
	}
}

// maxEXIfChunk bounds an eXIf chunk read for its orientation; a larger one
// is dropped unread.
const maxEXIfChunk = 1 << 20

// pngChunkOrientation returns the orientation in an eXIf chunk's data.
func pngChunkOrientation(data []byte) int {
	if len(data) >= 6 && string(data[:6]) == "Exif\x00\x00" {
		data = data[6:]
	}
	return exif.Orientation(data)
}

// ErrHEICLayout is returned when a HEIC photo's metadata cannot be found
// with certainty; it can then be sent only converted to JPEG.
var ErrHEICLayout = errors.New(i18n.Msg("the HEIC photo is laid out in a way Dossier cannot clean without converting it"))

// emptyExifItem is the start of a HEIF Exif item with no tags: a zero
// offset to the TIFF header, then a big-endian TIFF header whose first IFD
// has no entries and no next IFD.
var emptyExifItem = []byte{0, 0, 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0}

// emptyXMP is an XMP packet with no properties; the rest of the item is
// padded with spaces, which XMP allows.
var emptyXMP = []byte(`<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/><?xpacket end="w"?>`)

// StripHEIC copies a HEIC/HEIF photo with its Exif and XMP items blanked
// in place: each item keeps its length (so every offset in the file stays
// valid) and holds an empty Exif block or XMP packet, padded; item names
// and user descriptions (udes: name, description, tags) become spaces. The picture
// is not re-encoded. Orientation in HEIF lives in the image's properties
// (irot, imir), not in Exif, so the photo still shows upright. A layout
// this cannot follow is ErrHEICLayout, and nothing is written.
func StripHEIC(dst io.Writer, src io.ReaderAt, size int64) error {
	items, err := exif.HEIFMetadataAt(src, size)
	if err != nil {
		return fmt.Errorf("%w (%w)", ErrHEICLayout, err)
	}
	type patch struct {
		off  int64
		data []byte
	}
	var patches []patch
	for _, it := range items {
		n := it.Len()
		if n > 64<<20 {
			return fmt.Errorf("a metadata item of %d bytes: %w", n, ErrHEICLayout)
		}
		repl := make([]byte, n)
		switch it.Kind {
		case "Exif":
			if n >= int64(len(emptyExifItem)) {
				copy(repl, emptyExifItem)
			}
		case "XMP":
			for i := range repl {
				repl[i] = ' '
			}
			if n >= int64(len(emptyXMP)) {
				copy(repl, emptyXMP)
			}
		}
		for _, e := range it.Extents {
			patches = append(patches, patch{e.Offset, repl[:e.Length]})
			repl = repl[e.Length:]
		}
	}
	fields, err := exif.HEIFTextFields(src, size)
	if err != nil {
		return fmt.Errorf("%w (%w)", ErrHEICLayout, err)
	}
	for _, f := range fields {
		// Item names and picture descriptions become spaces of the same length.
		patches = append(patches, patch{f.Offset, bytes.Repeat([]byte{' '}, int(f.Length))})
	}
	sort.Slice(patches, func(i, j int) bool { return patches[i].off < patches[j].off })
	for i := 1; i < len(patches); i++ {
		if patches[i-1].off+int64(len(patches[i-1].data)) > patches[i].off {
			return fmt.Errorf("metadata items overlap: %w", ErrHEICLayout)
		}
	}
	w := bufio.NewWriterSize(dst, 64<<10)
	var pos int64
	for _, p := range patches {
		if _, err := io.Copy(w, io.NewSectionReader(src, pos, p.off-pos)); err != nil {
			return err
		}
		w.Write(p.data)
		pos = p.off + int64(len(p.data))
	}
	if _, err := io.Copy(w, io.NewSectionReader(src, pos, size-pos)); err != nil {
		return err
	}
	return w.Flush()
}

// HEICConverter returns the path of the program that converts HEIC photos
// to JPEG (heif-convert, from Debian's libheif-examples), or "" when it is
// not installed. Go has no HEIC decoder of its own.
func HEICConverter() string {
	p, err := exec.LookPath("heif-convert")
	if err != nil {
		return ""
	}
	return p
}

// ErrNoHEICConverter is returned when a HEIC photo must be converted and
// no converter is installed.
var ErrNoHEICConverter = errors.New(i18n.Msg("converting HEIC photos needs the heif-convert program (Debian package libheif-examples), which is not installed"))

// ConvertHEIC decodes a HEIC photo with heif-convert and writes it as a
// JPEG without metadata (the converter copies Exif and XMP across; they
// are removed as from any JPEG). The photo is re-encoded: the user chose
// this for photos whose metadata cannot be removed in place.
func ConvertHEIC(ctx context.Context, dst io.Writer, src io.Reader) error {
	conv := HEICConverter()
	if conv == "" {
		return ErrNoHEICConverter
	}
	dir, err := os.MkdirTemp("", "dossier-convert-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in.heic"), filepath.Join(dir, "out.jpg")
	f, err := os.OpenFile(in, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, conv, "-q", "95", in, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		// The converter's output names only the temporary files.
		return fmt.Errorf("converting the HEIC photo failed: %w (%s)", err, strings.TrimSpace(string(msg)))
	}
	jpg, err := os.Open(out)
	if err != nil {
		return fmt.Errorf("converting the HEIC photo wrote no JPEG: %w", err)
	}
	defer jpg.Close()
	return StripJPEG(dst, jpg)
}

// The reasons given for HEIC photos.
var (
	reasonPhoto = i18n.Msg("a photo or scan may show names or other details in the picture itself")
	// reasonHEICConvert says what the user can do about a HEIC photo whose
	// metadata cannot be removed in place.
	reasonHEICUnconvertible = i18n.Msg("this HEIC photo could not be converted to JPEG (the converter cannot read it); save it as JPEG on the phone or computer it came from and add that instead")
	reasonHEICConvert       = i18n.Msg("Dossier cannot remove the hidden details (such as location) from this HEIC photo without converting it to JPEG; choose to convert HEIC photos (--convert-heic on the command line) to send it")
)

// ReasonHEICConvert is the reason a HEIC photo is left out until the user
// agrees to convert it; the app offers the choice next to it.
func ReasonHEICConvert() string { return reasonHEICConvert }

// ReasonHEICUnconvertible is the reason a HEIC photo is left out when the
// user agreed to conversion but the converter cannot read it.
func ReasonHEICUnconvertible() string { return reasonHEICUnconvertible }

// decideHEIC is the plan for a HEIC photo at a private level: its metadata
// is blanked in place when its layout allows (then, like every photo, it
// needs review for what the picture shows); otherwise it is converted to
// JPEG if the user agreed and a converter is installed, or left out with a
// reason that says how to send it.
func decideHEIC(ctx context.Context, it *intake.Item, opts Options) (Action, i18n.Text, bool) {
	f, err := intake.Open(it, opts.Intake)
	if err != nil {
		if errors.Is(err, intake.ErrChanged) {
			return Exclude, i18n.NewText(reasonChanged), false
		}
		return Exclude, i18n.NewText(reasonUnreadableAgain, i18n.PlainError(err)), false
	}
	defer f.Close()
	err = StripHEIC(io.Discard, f, f.Size())
	switch {
	case err == nil:
		return Review, i18n.NewText(reasonPhoto), false
	case !errors.Is(err, ErrHEICLayout):
		return Exclude, i18n.NewText(reasonUnreadableAgain, i18n.PlainError(err)), false
	case !opts.ConvertHEIC:
		return Exclude, i18n.NewText(reasonHEICConvert), false
	case HEICConverter() == "":
		return Exclude, i18n.NewText(ErrNoHEICConverter.Error()), false
	}
	// Convert once now, so a photo the converter cannot read is left out
	// with the reason instead of stopping the export.
	if err := ConvertHEIC(ctx, io.Discard, io.NewSectionReader(f, 0, f.Size())); err != nil {
		if ctx.Err() != nil {
			return Exclude, i18n.NewText(ctx.Err().Error()), false
		}
		return Exclude, i18n.NewText(reasonHEICUnconvertible), false
	}
	return Review, i18n.NewText(reasonPhoto), true
}
