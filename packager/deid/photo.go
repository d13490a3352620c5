package deid

import (
	"dossier/packager/exif"
	"dossier/packager/i18n"

	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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
// Chunk data is copied byte for byte with its own checksum.
func StripPNG(dst io.Writer, src io.Reader) error {
	r := bufio.NewReaderSize(src, 64<<10)
	w := bufio.NewWriterSize(dst, 64<<10)
	sig := make([]byte, 8)
	if _, err := io.ReadFull(r, sig); err != nil || string(sig) != "\x89PNG\r\n\x1a\n" {
		return fmt.Errorf("not a PNG: %w", ErrDamagedPicture)
	}
	w.Write(sig)
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
		var out io.Writer = io.Discard
		if keep {
			w.Write(hdr[:])
			out = w
		}
		if _, err := io.CopyN(out, r, n+4); err != nil { // data + CRC
			return fmt.Errorf("chunk cut short: %w", ErrDamagedPicture)
		}
		if typ == "IEND" {
			return w.Flush()
		}
	}
}
