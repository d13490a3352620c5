package intake

import (
	"time"

	"dossier/packager/i18n"
	"dossier/packager/identity"
)

// Kind says what intake found a file to be, judged by its content.
type Kind string

// The kinds of item an inventory holds.
const (
	KindDICOM      Kind = "dicom"      // a DICOM object (image, report, document)
	KindDICOMDIR   Kind = "dicomdir"   // a DICOMDIR index of a CD or USB stick
	KindPDF        Kind = "pdf"        // a PDF report or letter
	KindImage      Kind = "image"      // a photo or scan (JPEG, PNG, TIFF, HEIC, ...)
	KindSlide      Kind = "slide"      // a whole-slide image (digital pathology)
	KindDocument   Kind = "document"   // a letter or note: DOCX, DOC, ODT, RTF, plain text
	KindArchive    Kind = "archive"    // a ZIP download whose contents were scanned too
	KindSkipped    Kind = "skipped"    // deliberately left out (viewer programs, system junk); see Reason
	KindUnreadable Kind = "unreadable" // could not be read or is damaged; see Problems
	KindOther      Kind = "other"      // readable, but not something a reviewer uses
)

// Item is one file (or one entry inside an archive) that intake looked at.
type Item struct {
	// Path is the file's path as given; an entry inside an archive is "ARCHIVE!/ENTRY".
	Path    string    `json:"path"`
	Kind    Kind      `json:"kind"`
	Format  string    `json:"format,omitempty"` // finer type: "jpeg", "png", "docx", "svs", "zip", ...
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modTime,omitzero"`
	// Reason says why an item was skipped.
	Reason i18n.Text `json:"reason,omitzero"`
	// Problems are specific, plain-language notes about this item.
	Problems []i18n.Text `json:"problems"`

	// DICOM fields (kind dicom).
	Modality          string `json:"modality,omitempty"`
	SOPClassUID       string `json:"sopClassUID,omitempty"`
	SOPInstanceUID    string `json:"sopInstanceUID,omitempty"`
	StudyInstanceUID  string `json:"studyInstanceUID,omitempty"`
	SeriesInstanceUID string `json:"seriesInstanceUID,omitempty"`
	BurnedIn          bool   `json:"burnedIn,omitempty"`
	// InstanceNumber is the image's Instance Number (0 when it has none).
	// It is the one value of the header that DICOM does not hold: the
	// files of a series share their DICOMDetail. In JSON it is the
	// "instanceNumber" of "dicom", where it always was. An int32 here, where
	// it takes no room (an int would make every Item 32 bytes larger).
	InstanceNumber int32 `json:"-"`
	// DICOM holds the rest of what grouping needs from a DICOM header. The
	// items of one series usually point to the same DICOMDetail (a scan
	// keeps one of each distinct set of values): it is never changed.
	DICOM *DICOMDetail `json:"dicom,omitempty"`
	// Slide is set for kind slide.
	Slide *Slide `json:"slide,omitempty"`

	// dirFiles are the files a DICOMDIR lists, one for each of its records
	// that names a file, as keys (pathKey) below the DICOMDIR's folder; kept
	// for the scan that read it.
	dirFiles []string
}

// DICOMDetail is what grouping and the cover need from one DICOM header,
// besides what Item holds. The files of one series usually have the same
// values, and a scan gives them one DICOMDetail (30,000 copies of the
// same 224 bytes were about a seventh of a large pack's live memory), so
// nobody changes one after the scan.
type DICOMDetail struct {
	StudyDate         string   `json:"studyDate,omitempty"` // YYYY-MM-DD
	StudyDescription  string   `json:"studyDescription,omitempty"`
	Accession         string   `json:"accessionNumber,omitempty"`
	SeriesNumber      int      `json:"seriesNumber,omitempty"`
	SeriesDescription string   `json:"seriesDescription,omitempty"`
	BodyPart          string   `json:"bodyPart,omitempty"`
	ImageType         []string `json:"imageType,omitempty"`
	Rows              int      `json:"rows,omitempty"`
	Columns           int      `json:"columns,omitempty"`
	Frames            int      `json:"frames,omitempty"`
	PatientName       string   `json:"patientName,omitempty"`
	PatientID         string   `json:"patientID,omitempty"`
	PatientBirthDate  string   `json:"patientBirthDate,omitempty"`
	PatientSex        string   `json:"patientSex,omitempty"`
	TransferSyntaxUID string   `json:"transferSyntaxUID,omitempty"`
}

// Series is one DICOM series: the images of one acquisition or reconstruction.
type Series struct {
	SeriesInstanceUID string      `json:"seriesInstanceUID"`
	Number            int         `json:"number,omitempty"`
	Modality          string      `json:"modality"`
	Description       string      `json:"description"`
	BodyPart          string      `json:"bodyPart,omitempty"`
	Instances         int         `json:"instances"`
	BurnedIn          int         `json:"burnedIn,omitempty"` // instances with burned-in risk
	Problems          []i18n.Text `json:"problems,omitempty"`
}

// Study is one DICOM study (one visit to the scanner), with its series.
type Study struct {
	StudyInstanceUID string    `json:"studyInstanceUID"`
	Date             string    `json:"date"` // YYYY-MM-DD when the file gave a valid date
	Description      string    `json:"description"`
	Accession        string    `json:"accessionNumber,omitempty"`
	Modalities       []string  `json:"modalities"`
	Patient          int       `json:"patient"` // index into Inventory.Patients
	Series           []*Series `json:"series"`
	Instances        int       `json:"instances"`
}

// Slide is one whole-slide image.
type Slide struct {
	Path                string   `json:"path"`
	Vendor              string   `json:"vendor"` // OpenSlide's word: aperio, hamamatsu, mirax, leica, ventana, philips, dicom, generic-tiff
	Levels              int      `json:"levels"`
	Width               int64    `json:"width"`
	Height              int64    `json:"height"`
	Label               bool     `json:"label"`
	Macro               bool     `json:"macro"`
	Thumbnail           bool     `json:"thumbnail"`
	IdentifyingMetadata []string `json:"identifyingMetadata"` // names of metadata fields that may identify the patient
	Files               []string `json:"files,omitempty"`     // every file of a multi-file slide (MRXS, DICOM WSI)
}

// Patient is one distinct patient identity found in DICOM headers.
type Patient struct {
	Name      string `json:"name"`
	ID        string `json:"id"`
	BirthDate string `json:"birthDate"`
	Sex       string `json:"sex,omitempty"`
}

// Problem is a finding about the whole inventory rather than one file.
type Problem struct {
	// Code is stable and machine-readable, e.g. "several-patients".
	Code string `json:"code"`
	// Message is plain language for the patient.
	Message string   `json:"message"`
	Paths   []string `json:"paths,omitempty"`
	// Args are the values Message was written with, for a translation of the message by Code (see
	// the Problem codes); they are not part of the JSON.
	Args []any `json:"-"`
}

// Problem codes.
const (
	ProblemSeveralPatients  = "several-patients"
	ProblemImagingNotDICOM  = "imaging-not-dicom"
	ProblemDuplicateSOP     = "duplicate-sop-instance"
	ProblemDamaged          = "damaged-files"
	ProblemBurnedIn         = "burned-in-risk"
	ProblemDICOMDIRMismatch = "dicomdir-mismatch"
	ProblemMissingInstances = "missing-instances"
)

// Inventory is everything intake found, grouped for people to read.
type Inventory struct {
	Items    []*Item    `json:"items"`
	Studies  []*Study   `json:"studies"`
	Slides   []*Slide   `json:"slides"`
	Patients []*Patient `json:"patients"`
	Problems []Problem  `json:"problems"`
	// Identity holds the identifying facts found on the way; never printed in JSON.
	Identity *identity.Set `json:"-"`
}
