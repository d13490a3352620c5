// Package dicomwire is the DICOM element wire format (PS3.5 chapter 7), in
// one place: the VR table, element headers in explicit and implicit VR and
// both byte orders, undefined lengths, sequences and items with their
// delimiters, encapsulated values (Basic Offset Table and fragments), the
// File Meta Information group, and the names of the tags Dossier uses.
//
// Every other package reads and writes elements through this one; none
// carries its own VR table or length logic.
//
// Reading is bounded. A Walker visits the elements of a dataset from a
// Source (an io.ReaderAt behind a Window, or bytes in memory) without
// loading values it is not asked for; every length is checked against the
// bytes that remain and against the enclosing item or sequence, nesting is
// limited, and the walk stops at the first element that cannot be DICOM (an
// all-zero header, a VR that is not two upper-case letters, a group that
// goes backwards) instead of scanning what follows. Errors are *Error
// values whose Kind says what is wrong (ErrTruncated, ErrOverrun,
// ErrImplausible, ErrMalformed, ErrNotDICOM); they name tags, offsets and
// lengths, never values.
//
// Writing appends to byte slices (AppendHeader, AppendElement, AppendMeta)
// or streams to an io.Writer (Encoder).
package dicomwire

import (
	"encoding/binary"
	"fmt"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// Tag is a data element tag: group<<16 | element.
type Tag uint32

// NewTag returns the tag (group, element).
func NewTag(group, element uint16) Tag { return Tag(uint32(group)<<16 | uint32(element)) }

// Group returns the tag's group number.
func (t Tag) Group() uint16 { return uint16(t >> 16) }

// Element returns the tag's element number.
func (t Tag) Element() uint16 { return uint16(t) }

// String formats the tag as (GGGG,EEEE).
func (t Tag) String() string { return fmt.Sprintf("(%04X,%04X)", uint16(t>>16), uint16(t)) }

// IsPrivate reports a tag of a private group (odd, above 0008, not FFFE's
// delimiters).
func (t Tag) IsPrivate() bool {
	g := t.Group()
	return g&1 == 1 && g > 0x0008 && g != 0xFFFF
}

// IsDelimiter reports the item and delimitation tags of group FFFE.
func (t Tag) IsDelimiter() bool { return t.Group() == 0xFFFE }

// Item, delimiter and named attribute tags. The names follow the keywords of
// PS3.6.
const (
	Item                     Tag = 0xFFFEE000
	ItemDelimitationItem     Tag = 0xFFFEE00D
	SequenceDelimitationItem Tag = 0xFFFEE0DD

	FileMetaInformationGroupLength Tag = 0x00020000
	FileMetaInformationVersion     Tag = 0x00020001
	MediaStorageSOPClassUID        Tag = 0x00020002
	MediaStorageSOPInstanceUID     Tag = 0x00020003
	TransferSyntaxUID              Tag = 0x00020010
	ImplementationClassUID         Tag = 0x00020012
	ImplementationVersionName      Tag = 0x00020013

	FileSetID                          Tag = 0x00041130
	OffsetOfFirstRootDirectoryRecord   Tag = 0x00041200
	OffsetOfLastRootDirectoryRecord    Tag = 0x00041202
	FileSetConsistencyFlag             Tag = 0x00041212
	DirectoryRecordSequence            Tag = 0x00041220
	OffsetOfNextDirectoryRecord        Tag = 0x00041400
	RecordInUseFlag                    Tag = 0x00041410
	OffsetOfReferencedLowerLevelRecord Tag = 0x00041420
	DirectoryRecordType                Tag = 0x00041430
	ReferencedFileID                   Tag = 0x00041500
	ReferencedSOPClassUIDInFile        Tag = 0x00041510
	ReferencedSOPInstanceUIDInFile     Tag = 0x00041511
	ReferencedTransferSyntaxUIDInFile  Tag = 0x00041512

	SpecificCharacterSet                    Tag = 0x00080005
	ImageType                               Tag = 0x00080008
	SOPClassUID                             Tag = 0x00080016
	SOPInstanceUID                          Tag = 0x00080018
	StudyDate                               Tag = 0x00080020
	ContentDate                             Tag = 0x00080023
	StudyTime                               Tag = 0x00080030
	ContentTime                             Tag = 0x00080033
	AccessionNumber                         Tag = 0x00080050
	Modality                                Tag = 0x00080060
	InstitutionName                         Tag = 0x00080080
	InstitutionAddress                      Tag = 0x00080081
	ReferringPhysicianName                  Tag = 0x00080090
	CodeValue                               Tag = 0x00080100
	CodingSchemeDesignator                  Tag = 0x00080102
	CodeMeaning                             Tag = 0x00080104
	StudyDescription                        Tag = 0x00081030
	PhysiciansOfRecord                      Tag = 0x00081048
	PerformingPhysicianName                 Tag = 0x00081050
	NameOfPhysiciansReadingStudy            Tag = 0x00081060
	OperatorsName                           Tag = 0x00081070
	ReferencedSeriesSequence                Tag = 0x00081115
	ReferencedInstanceSequence              Tag = 0x0008114A
	ReferencedSOPClassUID                   Tag = 0x00081150
	ReferencedSOPInstanceUID                Tag = 0x00081155
	SeriesDescription                       Tag = 0x0008103E
	TimezoneOffsetFromUTC                   Tag = 0x00080201
	PatientName                             Tag = 0x00100010
	PatientID                               Tag = 0x00100020
	PatientBirthDate                        Tag = 0x00100030
	PatientSex                              Tag = 0x00100040
	OtherPatientIDs                         Tag = 0x00101000
	OtherPatientNames                       Tag = 0x00101001
	PatientBirthName                        Tag = 0x00101005
	PatientAddress                          Tag = 0x00101040
	PatientMotherBirthName                  Tag = 0x00101060
	MedicalRecordLocator                    Tag = 0x00101090
	PatientTelephoneNumbers                 Tag = 0x00102154
	PatientIdentityRemoved                  Tag = 0x00120062
	DeidentificationMethod                  Tag = 0x00120063
	DeidentificationMethodCodeSequence      Tag = 0x00120064
	BodyPartExamined                        Tag = 0x00180015
	StudyInstanceUID                        Tag = 0x0020000D
	SeriesInstanceUID                       Tag = 0x0020000E
	StudyID                                 Tag = 0x00200010
	SeriesNumber                            Tag = 0x00200011
	InstanceNumber                          Tag = 0x00200013
	FrameOfReferenceUID                     Tag = 0x00200052
	SamplesPerPixel                         Tag = 0x00280002
	PhotometricInterpretation               Tag = 0x00280004
	PlanarConfiguration                     Tag = 0x00280006
	NumberOfFrames                          Tag = 0x00280008
	Rows                                    Tag = 0x00280010
	Columns                                 Tag = 0x00280011
	BitsAllocated                           Tag = 0x00280100
	BitsStored                              Tag = 0x00280101
	HighBit                                 Tag = 0x00280102
	PixelRepresentation                     Tag = 0x00280103
	BurnedInAnnotation                      Tag = 0x00280301
	LongitudinalTemporalInformationModified Tag = 0x00280303
	WindowCenter                            Tag = 0x00281050
	WindowWidth                             Tag = 0x00281051
	RescaleIntercept                        Tag = 0x00281052
	RescaleSlope                            Tag = 0x00281053
	AdmissionID                             Tag = 0x00380010
	ContainerIdentifier                     Tag = 0x00400512
	SpecimenIdentifier                      Tag = 0x00400551
	RelationshipType                        Tag = 0x0040A010
	ValueType                               Tag = 0x0040A040
	DateTime                                Tag = 0x0040A120
	Date                                    Tag = 0x0040A121
	ConceptNameCodeSequence                 Tag = 0x0040A043
	ContinuityOfContent                     Tag = 0x0040A050
	TextValue                               Tag = 0x0040A160
	ContentSequence                         Tag = 0x0040A730
	DocumentTitle                           Tag = 0x00420010
	EncapsulatedDocument                    Tag = 0x00420011
	MIMETypeOfEncapsulatedDocument          Tag = 0x00420012
	LabelText                               Tag = 0x22000002
	BarcodeValue                            Tag = 0x22000005
	ExtendedOffsetTable                     Tag = 0x7FE00001
	ExtendedOffsetTableLengths              Tag = 0x7FE00002
	FloatPixelData                          Tag = 0x7FE00008
	DoubleFloatPixelData                    Tag = 0x7FE00009
	PixelData                               Tag = 0x7FE00010
)

// UndefinedLength is the value length of sequences, items and encapsulated
// values delimited by delimitation items.
const UndefinedLength = 0xFFFFFFFF

// Transfer syntax UIDs of the uncompressed encodings.
const (
	ImplicitVRLittleEndianUID         = "1.2.840.10008.1.2"
	ExplicitVRLittleEndianUID         = "1.2.840.10008.1.2.1"
	DeflatedExplicitVRLittleEndianUID = "1.2.840.10008.1.2.1.99"
	ExplicitVRBigEndianUID            = "1.2.840.10008.1.2.2"
)

// Syntax is the encoding of a dataset: implicit or explicit VR, byte order.
type Syntax struct {
	Implicit  bool
	BigEndian bool
}

// The three encodings of a dataset.
var (
	ExplicitLE = Syntax{}
	ImplicitLE = Syntax{Implicit: true}
	ExplicitBE = Syntax{BigEndian: true}
)

// byteOrder reads and appends numbers.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// ByteOrder returns the byte order of s.
func (s Syntax) ByteOrder() binary.ByteOrder { return s.order() }

func (s Syntax) order() byteOrder {
	if s.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// UID returns the transfer syntax UID of the uncompressed encoding s
// (implicit VR is always little endian).
func (s Syntax) UID() string {
	switch {
	case s.Implicit:
		return ImplicitVRLittleEndianUID
	case s.BigEndian:
		return ExplicitVRBigEndianUID
	}
	return ExplicitVRLittleEndianUID
}

// String names the encoding.
func (s Syntax) String() string {
	switch {
	case s.Implicit && s.BigEndian:
		return "implicit VR big endian"
	case s.Implicit:
		return "implicit VR little endian"
	case s.BigEndian:
		return "explicit VR big endian"
	}
	return "explicit VR little endian"
}

// tagAt decodes the tag at b[0:4].
func (s Syntax) tagAt(b []byte) Tag {
	bo := s.ByteOrder()
	return NewTag(bo.Uint16(b), bo.Uint16(b[2:]))
}

// vr says what PS3.5 Table 6.2-1 says of a VR that matters to the wire
// format.
type vr struct {
	long    bool // explicit VR header of 12 bytes: 2 reserved bytes and a 4-byte length
	text    bool // a character string (padded with a space)
	charset bool // decoded with the Specific Character Set
}

// vrs is the VR table.
var vrs = map[string]vr{
	"AE": {text: true}, "AS": {text: true}, "AT": {}, "CS": {text: true}, "DA": {text: true},
	"DS": {text: true}, "DT": {text: true}, "FD": {}, "FL": {}, "IS": {text: true},
	"LO": {text: true, charset: true}, "LT": {text: true, charset: true}, "OB": {long: true},
	"OD": {long: true}, "OF": {long: true}, "OL": {long: true}, "OV": {long: true}, "OW": {long: true},
	"PN": {text: true, charset: true}, "SH": {text: true, charset: true}, "SL": {}, "SQ": {long: true},
	"SS": {}, "ST": {text: true, charset: true}, "SV": {long: true}, "TM": {text: true},
	"UC": {long: true, text: true, charset: true}, "UI": {}, "UL": {}, "UN": {long: true},
	"UR": {long: true, text: true}, "US": {}, "UT": {long: true, text: true, charset: true}, "UV": {long: true},
}

// vrNames holds the known VRs as strings, and vrTable what vrs says of
// them, indexed by their two letters (vrIndex), so that reading a VR from
// the data allocates nothing and looking one up hashes nothing (it happens
// for every element).
var (
	vrNames [26 * 26]string
	vrTable [26 * 26]vr
)

func init() {
	for v, x := range vrs {
		vrNames[vrIndex(v[0], v[1])] = v
		vrTable[vrIndex(v[0], v[1])] = x
	}
}

func vrIndex(a, b byte) int { return int(a-'A')*26 + int(b-'A') }

// lookupVR returns what vrs says of v, and whether v is in it.
func lookupVR(v string) (vr, bool) {
	if !VRShape(v) {
		return vr{}, false
	}
	i := vrIndex(v[0], v[1])
	return vrTable[i], vrNames[i] != ""
}

// vrString returns the two bytes of b as a VR string: a known VR without
// allocating, anything else as a new string.
func vrString(b []byte) string {
	if len(b) == 2 && b[0] >= 'A' && b[0] <= 'Z' && b[1] >= 'A' && b[1] <= 'Z' {
		if v := vrNames[vrIndex(b[0], b[1])]; v != "" {
			return v
		}
	}
	return string(b)
}

// LongLength reports the VRs whose explicit-VR header has two reserved
// bytes and a 4-byte length (12 bytes in all); the others have a 2-byte
// length (8 bytes).
func LongLength(v string) bool { x, _ := lookupVR(v); return x.long }

// KnownVR reports the VRs of PS3.5 Table 6.2-1.
func KnownVR(v string) bool {
	_, ok := lookupVR(v)
	return ok
}

// VRShape reports two upper-case letters: the shape of every VR. Anything
// else where a VR belongs is not DICOM.
func VRShape(vr string) bool {
	return len(vr) == 2 && vr[0] >= 'A' && vr[0] <= 'Z' && vr[1] >= 'A' && vr[1] <= 'Z'
}

// Is64Bit reports the VRs added in 2019 for 64-bit values (OV, SV, UV),
// which older readers do not know.
func Is64Bit(vr string) bool { return vr == "OV" || vr == "SV" || vr == "UV" }

// IsText reports VRs holding character strings (UI excepted: it is padded
// with NUL).
func IsText(v string) bool { x, _ := lookupVR(v); return x.text }

// UsesCharset reports VRs whose values are decoded with the Specific
// Character Set (the others use the default repertoire).
func UsesCharset(v string) bool { x, _ := lookupVR(v); return x.charset }

// PadByte returns the byte that pads a value of vr to even length: NUL for
// UI and binary VRs, a space for character strings.
func PadByte(vr string) byte {
	if IsText(vr) {
		return ' '
	}
	return 0
}

// Pad returns v padded to even length with PadByte(vr) (v itself when it
// is already even).
func Pad(vr string, v []byte) []byte {
	if len(v)%2 == 0 {
		return v
	}
	out := make([]byte, len(v)+1)
	copy(out, v)
	out[len(v)] = PadByte(vr)
	return out
}

// DictVR returns the VR an implicit-VR reader gives t: the data dictionary's
// first VR, OW for Pixel Data and overlay data, UL for group lengths, LO for
// private creators, and UN for unknown or other private tags.
func DictVR(t Tag) string {
	if t == PixelData || uint32(t)&0xFF00FFFF == 0x60003000 {
		return "OW"
	}
	if t.Element() == 0 {
		return "UL" // group length
	}
	if g := t.Group(); g&1 == 1 {
		if e := t.Element(); e >= 0x10 && e <= 0xFF {
			return "LO" // private creator
		}
		return "UN"
	}
	info, err := tag.Find(tag.Tag{Group: t.Group(), Element: t.Element()})
	if err != nil || len(info.VRs) == 0 || !VRShape(info.VRs[0]) {
		return "UN"
	}
	return info.VRs[0]
}
