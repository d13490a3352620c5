// Package dicomdir writes a DICOMDIR: the Media Storage Directory (SOP class
// 1.2.840.10008.1.3.10, PS3.10 and PS3.3 Annex F) that indexes the DICOM
// files of a file-set such as an IHE PDI medium or Dossier's bundle.
//
// The directory is generated from scratch, never by rewriting an existing
// one (rewriting shifts every record offset). It is a Part 10 file: a
// 128-byte preamble, "DICM", the File Meta group with its group length, then
// an Explicit VR Little Endian dataset holding the File-set ID, the root
// offsets and a Directory Record Sequence of explicit-length items linked by
// byte offsets counted from the first byte of the file.
//
// Records form the PATIENT / STUDY / SERIES / leaf hierarchy of PS3.3 F.4.
// Leaf records are IMAGE, except Encapsulated PDF (ENCAP DOC); the keys that
// SR DOCUMENT, KEY OBJECT DOC, PRESENTATION and the RT records require as
// Type 1 (completion flag, concept name, content label...) are not in
// dicomx.Header, so those instances get IMAGE records, which every reader
// accepts.
//
// Errors never contain patient values: they name the entry index and the
// field only.
package dicomdir

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strings"

	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
)

// Entry is one file of the file-set.
type Entry struct {
	// FileID holds the path components of the file relative to the
	// DICOMDIR, each of 1 to 8 characters of [A-Z0-9_], for example
	// {"DICOM", "ST000001", "SE000001", "IM000001"}.
	FileID []string
	// Header is the header of the file as written (de-identified values).
	// Referenced SOP Class UID in File comes from its
	// MediaStorageSOPClassUID (else SOPClassUID), Referenced SOP Instance
	// UID in File from SOPInstanceUID (the meta's instance UID must match
	// it), Referenced Transfer Syntax UID in File from TransferSyntaxUID.
	Header *dicomx.Header
}

// Errors returned by Write and ValidFileID; they are wrapped with details
// that never include patient values.
var (
	// ErrInvalidFileID reports a Referenced File ID that breaks PS3.12 / IHE PDI rules.
	ErrInvalidFileID = errors.New("dicomdir: invalid file ID")
	// ErrInvalidFileSetID reports a File-set ID that is not at most 16 characters of [A-Z0-9_ ].
	ErrInvalidFileSetID = errors.New("dicomdir: invalid file-set ID")
	// ErrInvalidEntry reports an entry that cannot be indexed (no header, bad UID, no transfer syntax).
	ErrInvalidEntry = errors.New("dicomdir: invalid entry")
	// ErrDuplicate reports two entries with the same file ID or SOP Instance UID.
	ErrDuplicate = errors.New("dicomdir: duplicate entry")
	// ErrTooLarge reports a directory whose offsets do not fit in 32 bits.
	ErrTooLarge = errors.New("dicomdir: directory too large")
)

// Limits of PS3.10 8.2 / PS3.12 and IHE PDI for Referenced File IDs.
const (
	maxComponents   = 8
	maxComponentLen = 8
)

// SOP classes and UIDs used here.
const (
	sopClassDirectory = dicomx.SOPClassMediaStorageDirectory
	tsExplicitLE      = dicomwire.ExplicitVRLittleEndianUID
	sopClassPDF       = "1.2.840.10008.5.1.4.1.1.104.1"
	charsetUTF8       = "ISO_IR 192"
	// implementationVersion is Dossier's Implementation Version Name (SH).
	implementationVersion = "DOSSIER_1"
)

// implementationUID is Dossier's Implementation Class UID; it is derived the
// same way as packager/dicomdeid's.
var implementationUID = func() string {
	s := sha256.Sum256([]byte("dossier implementation class v1"))
	return "2.25." + new(big.Int).SetBytes(s[:16]).String()
}()

// Placeholders for Type 1 keys that a file lacks (as dcmmkdir --invent does).
const (
	placeholderPatientID = "UNKNOWN"
	placeholderDate      = "19000101"
	placeholderTime      = "000000"
	placeholderModality  = "OT"
)

// ValidFileID checks components against the rules for a Referenced File ID
// on media (PS3.10 8.2, PS3.12 ISO 9660 mapping, IHE PDI): 1 to 8
// components, each of 1 to 8 characters from upper-case A-Z, digits 0-9
// and underscore. Errors wrap ErrInvalidFileID and name the component by
// position only.
func ValidFileID(components []string) error {
	if len(components) == 0 {
		return fmt.Errorf("%w: no components", ErrInvalidFileID)
	}
	if len(components) > maxComponents {
		return fmt.Errorf("%w: %d components (at most %d)", ErrInvalidFileID, len(components), maxComponents)
	}
	for i, c := range components {
		if c == "" {
			return fmt.Errorf("%w: component %d is empty", ErrInvalidFileID, i+1)
		}
		if len(c) > maxComponentLen {
			return fmt.Errorf("%w: component %d has %d bytes (at most %d)", ErrInvalidFileID, i+1, len(c), maxComponentLen)
		}
		for j := 0; j < len(c); j++ {
			if !fileIDChar(c[j]) {
				return fmt.Errorf("%w: component %d has a character outside [A-Z0-9_] at position %d", ErrInvalidFileID, i+1, j+1)
			}
		}
	}
	return nil
}

func fileIDChar(b byte) bool {
	return (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_'
}

// validFileSetID checks a File-set ID (0004,1130): CS of at most 16
// characters of [A-Z0-9_ ]; it may be empty (Type 2).
func validFileSetID(s string) error {
	if len(s) > 16 {
		return fmt.Errorf("%w: %d characters (at most 16)", ErrInvalidFileSetID, len(s))
	}
	for i := 0; i < len(s); i++ {
		if !fileIDChar(s[i]) && s[i] != ' ' {
			return fmt.Errorf("%w: character outside [A-Z0-9_ ] at position %d", ErrInvalidFileSetID, i+1)
		}
	}
	return nil
}

// Write writes a DICOMDIR for entries to w, with File-set ID fileSetID (at
// most 16 characters of [A-Z0-9_ ], may be empty).
//
// Patients are grouped by PatientID and the first component group of
// PatientName (names that differ only in their ideographic or phonetic
// groups are one patient, recorded under the fullest name), studies by Study
// Instance UID within a patient, series by Series Instance UID within a
// study. The output depends only on the set of entries, not on their order:
// patients are sorted by ID and name, studies by date, time and UID, series
// by number and UID, instances by number and file ID.
//
// Values are cut to their VR's maximum length; Type 1 keys that a header
// lacks get placeholders (PatientID "UNKNOWN", StudyDate 19000101, StudyTime
// 000000, Modality OT); Study ID, which dicomx.Header does not carry, is the
// study's ordinal within the file-set. A record with non-ASCII values has
// Specific Character Set ISO_IR 192.
//
// Entries with an invalid file ID, a missing header, an invalid SOP Class,
// SOP Instance, Study or Series UID or transfer syntax, and duplicated file
// IDs or SOP Instance UIDs are errors; nothing is written then. Write is a
// Builder given every entry; a caller that learns its entries one at a
// time uses a Builder, which keeps less of each.
func Write(w io.Writer, fileSetID string, entries []Entry) error {
	b, err := NewBuilder(fileSetID)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := b.Add(e.FileID, e.Header); err != nil {
			return err
		}
	}
	return b.Write(w)
}

// Builder collects the entries of a file-set one at a time and writes its
// DICOMDIR (as Write does). Of each entry it keeps only what the entry's
// own record needs (its file ID, SOP instance, class and transfer syntax,
// and instance number: about 70 bytes, the file ID's string excepted, which
// it shares with the caller), and the patient, study and series values
// once for all the entries that share them, so that a bundle of tens of
// thousands of images can be indexed without holding their headers. The
// records themselves are encoded while they are written.
type Builder struct {
	fileSetID string
	leaves    []leaf
	groups    map[group]*group
	uids      []byte            // the entries' SOP Instance UIDs (packUID)
	strs      []string          // the SOP classes and transfer syntaxes, once each
	strIndex  map[string]uint16 // their indexes in strs
}

// NewBuilder starts a file-set with File-set ID fileSetID (at most 16
// characters of [A-Z0-9_ ], may be empty).
func NewBuilder(fileSetID string) (*Builder, error) {
	if err := validFileSetID(fileSetID); err != nil {
		return nil, err
	}
	return &Builder{fileSetID: fileSetID, groups: map[group]*group{}, strIndex: map[string]uint16{}}, nil
}

// Len is the number of entries added.
func (b *Builder) Len() int { return len(b.leaves) }

// Add adds the file whose path components are fileID (see ValidFileID) and
// whose header as written is h. Nothing of h is kept: b keeps copies of
// the values it needs. Errors name the entry by its index (the number of
// entries added before it) and the field, never a value; an entry that
// fails is not added.
func (b *Builder) Add(fileID []string, h *dicomx.Header) error {
	i := len(b.leaves)
	if err := ValidFileID(fileID); err != nil {
		return fmt.Errorf("%w (entry %d)", err, i)
	}
	return b.add(strings.Join(fileID, "/"), h)
}

// AddPath is Add for a file ID written as its components joined by "/"
// ("DICOM/ST000001/SE000001/IM000001"); b keeps path itself.
func (b *Builder) AddPath(path string, h *dicomx.Header) error {
	if err := ValidFileID(strings.Split(path, "/")); err != nil {
		return fmt.Errorf("%w (entry %d)", err, len(b.leaves))
	}
	return b.add(path, h)
}

// add adds an entry whose file ID, joined by "/", has been checked.
func (b *Builder) add(path string, h *dicomx.Header) error {
	i := len(b.leaves)
	if path == "DICOMDIR" {
		return fmt.Errorf("%w: entry %d: the file ID names the DICOMDIR itself", ErrInvalidFileID, i)
	}
	if h == nil {
		return fmt.Errorf("%w: entry %d: no header", ErrInvalidEntry, i)
	}
	l := leaf{path: path}
	sopClass := trimUID(h.MediaStorageSOPClassUID)
	if sopClass == "" {
		sopClass = trimUID(h.SOPClassUID)
	}
	sopInstance := trimUID(h.SOPInstanceUID)
	g := group{studyUID: trimUID(h.StudyInstanceUID), seriesUID: trimUID(h.SeriesInstanceUID)}
	transferUID := trimUID(h.TransferSyntaxUID)
	for _, f := range []struct {
		name string
		v    string
	}{
		{"SOP Class UID", sopClass},
		{"SOP Instance UID", sopInstance},
		{"Study Instance UID", g.studyUID},
		{"Series Instance UID", g.seriesUID},
		{"Transfer Syntax UID", transferUID},
	} {
		if !validUID(f.v) {
			return fmt.Errorf("%w: entry %d: %s missing or not a valid UID", ErrInvalidEntry, i, f.name)
		}
	}
	if sopClass == sopClassDirectory {
		return fmt.Errorf("%w: entry %d: the file is a DICOMDIR", ErrInvalidEntry, i)
	}
	g.patientName = personName(h.PatientName)
	g.patientID = text(h.PatientID, 64)
	if g.patientID == "" {
		g.patientID = placeholderPatientID
	}
	g.studyDate = date(h.StudyDate)
	g.studyTime = timeOfDay(h.StudyTime)
	g.studyDesc = text(h.StudyDescription, 64)
	g.accession = text(h.AccessionNumber, 16)
	g.modality = codeString(h.Modality)
	g.seriesNumber = clampIS(h.SeriesNumber)
	var err error
	if l.sopClass, err = b.str(sopClass); err != nil {
		return err
	}
	if l.transferUID, err = b.str(transferUID); err != nil {
		return err
	}
	if err := b.keepUID(&l, sopInstance); err != nil {
		return err
	}
	l.group = b.groups[g]
	if l.group == nil {
		// Copies: the values may be parts of a larger buffer of the header's.
		g := group{
			patientName: strings.Clone(g.patientName), patientID: strings.Clone(g.patientID),
			studyUID: strings.Clone(g.studyUID), studyDate: strings.Clone(g.studyDate), studyTime: strings.Clone(g.studyTime),
			studyDesc: strings.Clone(g.studyDesc), accession: strings.Clone(g.accession),
			seriesUID: strings.Clone(g.seriesUID), modality: strings.Clone(g.modality), seriesNumber: g.seriesNumber,
		}
		l.group = &g
		b.groups[g] = l.group
	}
	l.instanceNumber = int32(clampIS(h.InstanceNumber))
	b.leaves = append(b.leaves, l)
	return nil
}

// Write writes the DICOMDIR of the entries added so far to w. Duplicated
// file IDs or SOP Instance UIDs are errors, and nothing is written then.
func (b *Builder) Write(w io.Writer) error {
	if err := b.duplicates(); err != nil {
		return err
	}
	leaves := make([]*leaf, len(b.leaves))
	for i := range b.leaves {
		leaves[i] = &b.leaves[i]
	}
	roots := buildTree(leaves)
	leaves = nil

	// Encode every record in depth-first order with zero offsets, to learn
	// their lengths. The meta's instance UID is derived from this content,
	// offsets excepted (they depend on the meta's length). The patient,
	// study and series records are kept; the instances' are encoded again
	// as they are written.
	h := sha256.New()
	h.Write([]byte("dossier dicomdir v1\x00"))
	h.Write([]byte(b.fileSetID))
	hashRecord := func(enc []byte) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(enc)))
		h.Write(n[:])
		h.Write(enc)
	}
	var enc []byte
	tooLong := false
	var sizeOf func(r *record) int64
	sizeOf = func(r *record) int64 {
		r.enc = r.encode(nil)
		hashRecord(r.enc)
		r.size = int64(len(r.enc))
		for _, l := range r.leaves {
			enc = b.leafRecord(l).encode(enc[:0])
			hashRecord(enc)
			if len(enc) > math.MaxUint16 {
				tooLong = true
			}
			l.size = uint16(len(enc))
			r.size += int64(l.size)
		}
		for _, c := range r.children {
			r.size += sizeOf(c)
		}
		return r.size
	}
	var total int64
	for _, r := range roots {
		total += sizeOf(r)
	}
	if tooLong {
		return fmt.Errorf("dicomdir: internal error: a record of more than %d bytes", math.MaxUint16)
	}
	sum := h.Sum(nil)
	instanceUID := "2.25." + new(big.Int).SetBytes(sum[:16]).String()

	meta := dicomwire.AppendMeta(nil, dicomwire.Meta{
		MediaStorageSOPClassUID:    sopClassDirectory,
		MediaStorageSOPInstanceUID: instanceUID,
		TransferSyntaxUID:          tsExplicitLE,
		ImplementationClassUID:     implementationUID,
		ImplementationVersionName:  implementationVersion,
	}, true)
	var head []byte
	head = appendString(head, dicomwire.FileSetID, "CS", b.fileSetID)
	// Offsets of the dataset elements after the File-set ID.
	const (
		firstRootLen = 12 // (0004,1200) UL
		lastRootLen  = 12 // (0004,1202) UL
		flagLen      = 10 // (0004,1212) US
		seqHeaderLen = 12 // (0004,1220) SQ, explicit length
	)
	base := int64(128 + 4 + len(meta) + len(head) + firstRootLen + lastRootLen + flagLen + seqHeaderLen)
	pos := base + total
	if pos > math.MaxUint32 || pos-base > math.MaxUint32-1 {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, pos)
	}
	// Each record's offset, in depth-first order: a record's first child
	// follows it, and its next sibling follows everything under it.
	var place func(rs []*record, at int64)
	place = func(rs []*record, at int64) {
		for _, r := range rs {
			r.offset = at
			place(r.children, at+int64(len(r.enc)))
			at += r.size
		}
	}
	place(roots, base)
	link := func(rs []*record) {
		for i, r := range rs {
			if i+1 < len(rs) {
				binary.LittleEndian.PutUint32(r.enc[offNext:], uint32(rs[i+1].offset))
			}
			switch {
			case len(r.children) > 0:
				binary.LittleEndian.PutUint32(r.enc[offLower:], uint32(r.children[0].offset))
			case len(r.leaves) > 0:
				binary.LittleEndian.PutUint32(r.enc[offLower:], uint32(r.offset+int64(len(r.enc))))
			}
		}
	}
	var linkAll func(rs []*record)
	linkAll = func(rs []*record) {
		link(rs)
		for _, r := range rs {
			linkAll(r.children)
		}
	}
	linkAll(roots)
	var first, last uint32
	if len(roots) > 0 {
		first = uint32(roots[0].offset)
		last = uint32(roots[len(roots)-1].offset)
	}
	head = appendUL(head, dicomwire.OffsetOfFirstRootDirectoryRecord, first)
	head = appendUL(head, dicomwire.OffsetOfLastRootDirectoryRecord, last)
	head = appendUS(head, dicomwire.FileSetConsistencyFlag, 0)
	head = appendHeader(head, dicomwire.DirectoryRecordSequence, "SQ", uint32(pos-base))
	if int64(128+4+len(meta)+len(head)) != base {
		return fmt.Errorf("dicomdir: internal error: dataset head is %d bytes, expected %d", 128+4+len(meta)+len(head), base)
	}

	if err := writeAll(w, dicomwire.AppendPreamble(nil), meta, head); err != nil {
		return err
	}
	// Write the records in chunks to keep the number of Write calls low.
	buf := make([]byte, 0, 64<<10)
	flush := func(force bool) error {
		if len(buf) < 60<<10 && !force {
			return nil
		}
		err := writeAll(w, buf)
		buf = buf[:0]
		return err
	}
	var put func(rs []*record) error
	put = func(rs []*record) error {
		for _, r := range rs {
			buf = append(buf, r.enc...)
			at := r.offset + int64(len(r.enc))
			for i, l := range r.leaves {
				n := len(buf)
				buf = b.leafRecord(l).encode(buf)
				if len(buf)-n != int(l.size) {
					return fmt.Errorf("dicomdir: internal error: a record is %d bytes, then %d", l.size, len(buf)-n)
				}
				at += int64(l.size)
				if i+1 < len(r.leaves) {
					binary.LittleEndian.PutUint32(buf[n+offNext:], uint32(at))
				}
				if err := flush(false); err != nil {
					return err
				}
			}
			if err := flush(false); err != nil {
				return err
			}
			if err := put(r.children); err != nil {
				return err
			}
		}
		return nil
	}
	if err := put(roots); err != nil {
		return err
	}
	return flush(true)
}

// duplicates reports the first entry (in the order they were added) whose
// file ID or SOP Instance UID an earlier entry has, with that earlier one.
func (b *Builder) duplicates() error {
	// first returns the first entry (i) whose key an earlier entry (j) has,
	// with compare ordering the entries by their keys.
	first := func(compare func(x, y int) int) (int, int) {
		idx := make([]int32, len(b.leaves))
		for i := range idx {
			idx[i] = int32(i)
		}
		sort.Slice(idx, func(x, y int) bool {
			if c := compare(int(idx[x]), int(idx[y])); c != 0 {
				return c < 0
			}
			return idx[x] < idx[y]
		})
		j, i := -1, -1
		for k := 1; k < len(idx); k++ {
			if compare(int(idx[k]), int(idx[k-1])) != 0 {
				continue
			}
			// idx[k-1] is earlier; the first of the run is the earliest.
			a := k - 1
			for a > 0 && compare(int(idx[a-1]), int(idx[k])) == 0 {
				a--
			}
			if i < 0 || int(idx[k]) < i {
				j, i = int(idx[a]), int(idx[k])
			}
		}
		return j, i
	}
	fj, fi := first(func(x, y int) int { return strings.Compare(b.leaves[x].path, b.leaves[y].path) })
	sj, si := first(func(x, y int) int { return b.compareUIDs(&b.leaves[x], &b.leaves[y]) })
	switch {
	case fi >= 0 && (si < 0 || fi <= si):
		return fmt.Errorf("%w: entries %d and %d: same file ID", ErrDuplicate, fj, fi)
	case si >= 0:
		return fmt.Errorf("%w: entries %d and %d: same SOP Instance UID", ErrDuplicate, sj, si)
	}
	return nil
}

func writeAll(w io.Writer, parts ...[]byte) error {
	for _, p := range parts {
		if len(p) == 0 {
			continue
		}
		if _, err := w.Write(p); err != nil {
			return fmt.Errorf("dicomdir: write: %w", err)
		}
	}
	return nil
}

// group holds the values of an entry that the other entries of its series
// usually share: one copy of them is kept per distinct set.
type group struct {
	patientName, patientID         string
	studyUID, studyDate, studyTime string
	studyDesc, accession           string
	seriesUID, modality            string
	seriesNumber                   int
}

// leaf is one entry's normalised values, 40 bytes.
type leaf struct {
	path           string // the file ID's components joined by "/"
	group          *group
	uid            uint32 // where its SOP Instance UID starts in Builder.uids
	instanceNumber int32
	// size is that of its encoded record: under a kilobyte (a file ID of
	// at most 8 components of 8 characters, three UIDs of at most 64, an
	// Instance Number of at most 12, and the few fixed elements).
	size                  uint16
	sopClass, transferUID uint16 // indexes in Builder.strs
	uidLen                uint8  // the SOP Instance UID's characters
}

// compareFileIDs orders file IDs joined by "/" as the same components
// joined by backslashes would be ordered ("/" sorts before the digits and
// letters of a component, the backslash after them).
func compareFileIDs(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x == '/' {
			x = '\\'
		}
		if y == '/' {
			y = '\\'
		}
		if x != y {
			return int(x) - int(y)
		}
	}
	return len(a) - len(b)
}
