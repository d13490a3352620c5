// Package dicomx reads DICOM headers safely.
//
// It wraps github.com/suyashkumar/dicom v1.1.0 behind a guard: a walk of the
// elements (packager/dicomwire) first checks every value length against the
// bytes that remain (and against the enclosing sequence or item), stops at
// the first bytes that cannot be DICOM, locates Pixel Data and the Extended
// Offset Table, and detects truncation and unknown transfer syntaxes. Only the
// bytes before Pixel Data are then handed to the library (with
// SkipPixelData and permissive options, inside recover). Pixel data is never
// read; its position is checked against the file size.
//
// Errors never contain patient values: a damaged file yields a *DamagedError
// whose Reason names tags, offsets and lengths only, and which wraps the
// *dicomwire.Error behind it when there is one (errors.Is(err,
// dicomwire.ErrNotDICOM) tells bytes that are not DICOM from a file cut
// short).
package dicomx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"dossier/packager/dicomwire"
	"dossier/packager/i18n"
)

// Kind is the result of Sniff.
type Kind int

// Kinds of input recognised by Sniff.
const (
	NotDICOM Kind = iota // not DICOM
	Part10               // 128-byte preamble followed by "DICM"
	Raw                  // no preamble: a plausible group 0002 or 0008 element at offset 0 (explicit or implicit LE, explicit BE)
)

// String returns the name of the kind.
func (k Kind) String() string {
	switch k {
	case Part10:
		return "Part10"
	case Raw:
		return "Raw"
	default:
		return "NotDICOM"
	}
}

// Sniff reports whether head (at least the first 132 bytes of a file when
// available) looks like DICOM.
func Sniff(head []byte) Kind {
	if len(head) >= 132 && string(head[128:132]) == "DICM" {
		return Part10
	}
	if plausibleStart(head) {
		return Raw
	}
	return NotDICOM
}

// plausibleStart reports whether b starts with a group 0002 or 0008 element
// in explicit or implicit VR little endian, or (group 0008) explicit VR big
// endian.
func plausibleStart(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	g := uint16(b[0]) | uint16(b[1])<<8
	e := uint16(b[2]) | uint16(b[3])<<8
	if g == 0x0800 && dicomwire.KnownVR(string(b[4:6])) {
		return true // explicit VR big endian, group 0008
	}
	if g != 0x0002 && g != 0x0008 {
		return false
	}
	if g == 0x0002 && e > 0x0102 {
		return false
	}
	if vr := string(b[4:6]); dicomwire.KnownVR(vr) {
		if dicomwire.LongLength(vr) {
			return b[6] == 0 && b[7] == 0
		}
		return true
	}
	// Implicit VR: a small, defined length.
	vl := uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16 | uint32(b[7])<<24
	return vl <= 0x10000 && e <= 0x1200
}

// PixelInfo locates the Pixel Data element (7FE0,0010) without reading it.
type PixelInfo struct {
	// Present reports whether the dataset has top-level Pixel Data.
	Present bool
	// Offset is the file offset of the element's value (first byte after its
	// header), or -1 when it has no meaning (deflated files).
	Offset int64
	// Length is the declared value length, or -1 for undefined length
	// (encapsulated pixel data).
	Length int64
	// Encapsulated reports compressed pixel data stored as fragments.
	Encapsulated bool
	// Fragments counts the items of encapsulated pixel data, the Basic Offset
	// Table included.
	Fragments int
}

// DirRecord is one directory record of a DICOMDIR.
type DirRecord struct {
	// Type is the Directory Record Type (0004,1430): PATIENT, STUDY, SERIES, IMAGE...
	Type string
	// FileID holds the components of Referenced File ID (0004,1500), if any.
	FileID []string
}

// Header holds the attributes Dossier needs from one DICOM file. Its
// multi-valued fields (ImageType, OtherPatientIDs, OtherPatientNames,
// SpecificCharacterSet) may share their array with other headers read
// before and after it: never change them.
type Header struct {
	Preamble                bool
	TransferSyntaxUID       string
	MediaStorageSOPClassUID string

	SOPClassUID, SOPInstanceUID, StudyInstanceUID, SeriesInstanceUID, FrameOfReferenceUID string

	Modality, StudyDate, StudyTime, StudyDescription, SeriesDescription, BodyPartExamined string

	SeriesNumber, InstanceNumber int

	PatientName, PatientID, PatientBirthDate, PatientSex, AccessionNumber string

	OtherPatientIDs []string
	// OtherPatientNames are the patient's other names (PN, each with its
	// component groups).
	OtherPatientNames []string

	PatientAddress, PatientTelephoneNumbers, InstitutionName, InstitutionAddress, ReferringPhysicianName string

	ImageType          []string
	BurnedInAnnotation string
	// Manufacturer and ManufacturerModelName say which machine made the
	// image (known burned-in regions depend on it).
	Manufacturer, ManufacturerModelName string
	SpecificCharacterSet                []string

	// Rows, Columns and NumberOfFrames are 0 when absent.
	Rows, Columns, NumberOfFrames int

	PixelData PixelInfo

	// HasPrivateTags reports a private element (odd group) anywhere in the
	// part of the dataset that was walked.
	HasPrivateTags bool

	IsDICOMDIR bool
	DirRecords []DirRecord

	// Warnings are non-fatal findings; they never contain patient values.
	Warnings []i18n.Text
}

// Secondary capture and document SOP classes, whose pixels often carry
// burned-in text.
var burnedInClasses = map[string]bool{
	"1.2.840.10008.5.1.4.1.1.7":     true, // Secondary Capture
	"1.2.840.10008.5.1.4.1.1.7.1":   true, // Multi-frame Single Bit SC
	"1.2.840.10008.5.1.4.1.1.7.2":   true, // Multi-frame Grayscale Byte SC
	"1.2.840.10008.5.1.4.1.1.7.3":   true, // Multi-frame Grayscale Word SC
	"1.2.840.10008.5.1.4.1.1.7.4":   true, // Multi-frame True Color SC
	"1.2.840.10008.5.1.4.1.1.104.1": true, // Encapsulated PDF
	"1.2.840.10008.5.1.4.1.1.104.2": true, // Encapsulated CDA
}

// SOPClassWSI is VL Whole Slide Microscopy Image Storage.
const SOPClassWSI = "1.2.840.10008.5.1.4.1.1.77.1.6"

// SOPClassMediaStorageDirectory is the SOP class of a DICOMDIR.
const SOPClassMediaStorageDirectory = "1.2.840.10008.1.3.10"

// BurnedInRisk reports whether the pixels may carry burned-in identity:
// modality US, SC, XA or ES; secondary capture or document SOP classes
// (Encapsulated PDF/CDA); a WSI label or overview image; or a Burned In
// Annotation (0028,0301) that is present and not "NO".
func (h *Header) BurnedInRisk() bool {
	switch strings.ToUpper(h.Modality) {
	case "US", "SC", "XA", "ES":
		return true
	}
	if burnedInClasses[h.SOPClassUID] || burnedInClasses[h.MediaStorageSOPClassUID] {
		return true
	}
	if h.IsWSI() && len(h.ImageType) >= 3 {
		switch strings.ToUpper(h.ImageType[2]) {
		case "LABEL", "OVERVIEW":
			return true
		}
	}
	b := strings.ToUpper(strings.TrimSpace(h.BurnedInAnnotation))
	return b != "" && b != "NO"
}

// IsWSI reports whether the instance is a VL Whole Slide Microscopy image
// (SOP class 1.2.840.10008.5.1.4.1.1.77.1.6).
func (h *Header) IsWSI() bool {
	return h.SOPClassUID == SOPClassWSI || (h.SOPClassUID == "" && h.MediaStorageSOPClassUID == SOPClassWSI)
}

// DamagedError reports a damaged, truncated or unsupported file. Reason is
// specific and never contains patient values.
type DamagedError struct {
	Reason string
	// Err is the wire-format error behind the damage, when there is one (a
	// *dicomwire.Error: errors.Is(err, dicomwire.ErrNotDICOM) tells bytes
	// that are not DICOM from a file cut short).
	Err error
}

// Unwrap returns the wire-format error behind the damage, if any.
func (e *DamagedError) Unwrap() error { return e.Err }

// Error returns "damaged DICOM: " followed by the reason.
func (e *DamagedError) Error() string { return "damaged DICOM: " + e.Reason }

// IsDamaged reports whether err is or wraps a *DamagedError.
func IsDamaged(err error) bool {
	var d *DamagedError
	return errors.As(err, &d)
}

func damaged(format string, args ...any) error {
	return &DamagedError{Reason: fmt.Sprintf(format, args...)}
}

// ReadHeaderFile opens path and calls ReadHeader on it. Errors from the file
// system are wrapped without the path (paths may carry patient names).
func ReadHeaderFile(ctx context.Context, path string) (*Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dicomx: open: %w", stripPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("dicomx: stat: %w", stripPath(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("dicomx: not a regular file")
	}
	return ReadHeader(ctx, f, st.Size())
}

func stripPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Prefixed is an io.ReaderAt that holds the first bytes of its data in
// memory already (a caller that read them to detect the file's kind).
// ReadHeader takes what it can from Prefix instead of reading it again, and
// keeps nothing of it after it returns.
type Prefixed interface {
	io.ReaderAt
	// Prefix returns the first bytes of the data (at offset 0).
	Prefix() []byte
}

// ReadHeader reads the header of the DICOM file in r (size bytes). It reads
// only the header region; pixel data is located and checked against size but
// not read. When r is Prefixed, the bytes of its prefix are not read again.
//
// A damaged file yields an error wrapping *DamagedError. When the damage lies
// after a readable header (for instance truncated pixel data), the Header is
// returned too, alongside the error. I/O errors and context cancellation are
// returned wrapped, without a Header.
func ReadHeader(ctx context.Context, r io.ReaderAt, size int64) (h *Header, err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dicomx: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			h = nil
			err = fmt.Errorf("dicomx: %w", damaged("internal error while reading header"))
		}
	}()
	if size <= 0 {
		return nil, fmt.Errorf("dicomx: %w", damaged("empty file"))
	}
	w, release := openWindow(r, size)
	defer release()
	rd := newReader(ctx, w, r, size)
	defer rd.release()
	h, err = rd.read()
	if err != nil {
		var d *DamagedError
		if errors.As(err, &d) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return h, fmt.Errorf("dicomx: %w", err)
		}
		return nil, fmt.Errorf("dicomx: read: %w", stripPath(err))
	}
	return h, nil
}

// uidText returns s for error messages when it looks like a UID, or a
// placeholder (the value could otherwise be anything).
func uidText(s string) string {
	if len(s) == 0 || len(s) > 64 {
		return "(not a UID)"
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return "(not a UID)"
		}
	}
	return s
}

func trimValue(b []byte) string { return string(trimBytes(b)) }

// trimBytes drops leading spaces and trailing spaces and NULs.
func trimBytes(b []byte) []byte { return bytes.TrimRight(bytes.TrimLeft(b, " "), " \x00") }
