package dicomdir

// The directory records: the PATIENT / STUDY / SERIES / leaf tree built
// from the entries, and each record encoded as an item in Explicit VR
// Little Endian.

import (
	"sort"
	"strconv"
	"strings"

	"dossier/packager/dicomwire"
)

// recordTypeFor returns the Directory Record Type for a leaf of sopClass,
// and the MIME type for ENCAP DOC records.
func recordTypeFor(sopClass string) (typ, mime string) {
	if sopClass == sopClassPDF {
		return "ENCAP DOC", "application/pdf"
	}
	return "IMAGE", ""
}

// record is one directory record.
type record struct {
	typ      string
	elems    []elem
	children []*record
	// leaves are a SERIES record's instances, whose records are encoded
	// when they are written.
	leaves []*leaf
	enc    []byte // the encoded item, header included
	offset int64  // file offset of the item's first byte
	size   int64  // bytes of the record and of every record under it
}

// Positions of the offset values inside an encoded item: the item header (8
// bytes), then (0004,1400) UL (value at 8+8), (0004,1410) US (10 bytes),
// (0004,1420) UL (value at 8+12+10+8).
const (
	offNext  = 16
	offLower = 38
)

type elem struct {
	tag dicomwire.Tag
	vr  string
	val []string // values, joined with '\'; nil for an empty sequence
}

// encode appends the record's item to b.
func (r *record) encode(b []byte) []byte {
	start := len(b)
	b = append(b, make([]byte, 8)...)
	b = appendUL(b, dicomwire.OffsetOfNextDirectoryRecord, 0)
	b = appendUS(b, dicomwire.RecordInUseFlag, 0xFFFF)
	b = appendUL(b, dicomwire.OffsetOfReferencedLowerLevelRecord, 0)
	b = appendString(b, dicomwire.DirectoryRecordType, "CS", r.typ)
	els := r.elems
	nonASCII := false
	for _, e := range els {
		for _, v := range e.val {
			if !isASCII(v) {
				nonASCII = true
			}
		}
	}
	if nonASCII {
		els = append(els, elem{tag: dicomwire.SpecificCharacterSet, vr: "CS", val: []string{charsetUTF8}})
	}
	els = append([]elem(nil), els...)
	sort.SliceStable(els, func(i, j int) bool { return els[i].tag < els[j].tag })
	for _, e := range els {
		if e.vr == "SQ" {
			b = appendHeader(b, e.tag, "SQ", 0)
			continue
		}
		b = appendString(b, e.tag, e.vr, strings.Join(e.val, "\\"))
	}
	// The item header goes into the 8 bytes reserved at the start.
	dicomwire.AppendItem(b[start:start], dicomwire.ExplicitLE, uint32(len(b)-start-8))
	return b
}

func one(tag dicomwire.Tag, vr, v string) elem { return elem{tag: tag, vr: vr, val: []string{v}} }

// buildTree groups leaves into PATIENT / STUDY / SERIES records, sorted
// deterministically.
func buildTree(leaves []*leaf) []*record {
	// A total order first, so that the values of each group's first member
	// do not depend on the input order.
	sort.Slice(leaves, func(i, j int) bool {
		a, b := leaves[i], leaves[j]
		ga, gb := a.group, b.group
		if ga.patientID != gb.patientID {
			return ga.patientID < gb.patientID
		}
		if ka, kb := nameKey(ga.patientName), nameKey(gb.patientName); ka != kb {
			return ka < kb
		}
		if ga.patientName != gb.patientName {
			return ga.patientName < gb.patientName
		}
		if ga.studyUID != gb.studyUID {
			return ga.studyUID < gb.studyUID
		}
		if ga.seriesUID != gb.seriesUID {
			return ga.seriesUID < gb.seriesUID
		}
		return compareFileIDs(a.path, b.path) < 0
	})
	type series struct {
		first  *leaf
		leaves []*leaf
	}
	type study struct {
		first  *leaf
		series []*series
		byUID  map[string]*series
	}
	type patient struct {
		first   *leaf
		name    string // the member's name with the most component groups
		studies []*study
		byUID   map[string]*study
	}
	var patients []*patient
	byKey := map[[2]string]*patient{}
	for _, l := range leaves {
		g := l.group
		k := [2]string{g.patientID, nameKey(g.patientName)}
		p := byKey[k]
		if p == nil {
			p = &patient{first: l, name: g.patientName, byUID: map[string]*study{}}
			byKey[k] = p
			patients = append(patients, p)
		}
		if groups(g.patientName) > groups(p.name) {
			p.name = g.patientName
		}
		st := p.byUID[g.studyUID]
		if st == nil {
			st = &study{first: l, byUID: map[string]*series{}}
			p.byUID[g.studyUID] = st
			p.studies = append(p.studies, st)
		}
		se := st.byUID[g.seriesUID]
		if se == nil {
			se = &series{first: l}
			st.byUID[g.seriesUID] = se
			st.series = append(st.series, se)
		}
		se.leaves = append(se.leaves, l)
	}
	// Patients are already in (ID, name) order.
	studyID := 0
	roots := make([]*record, 0, len(patients))
	for _, p := range patients {
		sort.SliceStable(p.studies, func(i, j int) bool {
			a, b := p.studies[i].first.group, p.studies[j].first.group
			if a.studyDate != b.studyDate {
				return a.studyDate < b.studyDate
			}
			if a.studyTime != b.studyTime {
				return a.studyTime < b.studyTime
			}
			return a.studyUID < b.studyUID
		})
		pr := &record{typ: "PATIENT", elems: []elem{
			one(dicomwire.PatientName, "PN", p.name),
			one(dicomwire.PatientID, "LO", p.first.group.patientID),
		}}
		for _, st := range p.studies {
			studyID++
			f := st.first.group
			sr := &record{typ: "STUDY", elems: []elem{
				one(dicomwire.StudyDate, "DA", f.studyDate),
				one(dicomwire.StudyTime, "TM", f.studyTime),
				one(dicomwire.AccessionNumber, "SH", f.accession),
				one(dicomwire.StudyDescription, "LO", f.studyDesc),
				one(dicomwire.StudyInstanceUID, "UI", f.studyUID),
				one(dicomwire.StudyID, "SH", strconv.Itoa(studyID)),
			}}
			sort.SliceStable(st.series, func(i, j int) bool {
				a, b := st.series[i].first.group, st.series[j].first.group
				if a.seriesNumber != b.seriesNumber {
					return a.seriesNumber < b.seriesNumber
				}
				return a.seriesUID < b.seriesUID
			})
			for _, se := range st.series {
				f := se.first.group
				ser := &record{typ: "SERIES", elems: []elem{
					one(dicomwire.Modality, "CS", f.modality),
					one(dicomwire.SeriesInstanceUID, "UI", f.seriesUID),
					one(dicomwire.SeriesNumber, "IS", strconv.Itoa(f.seriesNumber)),
				}}
				sort.SliceStable(se.leaves, func(i, j int) bool {
					a, b := se.leaves[i], se.leaves[j]
					if a.instanceNumber != b.instanceNumber {
						return a.instanceNumber < b.instanceNumber
					}
					return compareFileIDs(a.path, b.path) < 0
				})
				ser.leaves = se.leaves
				sr.children = append(sr.children, ser)
			}
			pr.children = append(pr.children, sr)
		}
		roots = append(roots, pr)
	}
	return roots
}

// leafRecord is the record of one instance of b (encoded, then dropped).
func (b *Builder) leafRecord(l *leaf) *record {
	sopClass := b.strs[l.sopClass]
	typ, mime := recordTypeFor(sopClass)
	r := &record{typ: typ, elems: []elem{
		{tag: dicomwire.ReferencedFileID, vr: "CS", val: strings.Split(l.path, "/")},
		one(dicomwire.ReferencedSOPClassUIDInFile, "UI", sopClass),
		one(dicomwire.ReferencedSOPInstanceUIDInFile, "UI", b.sopInstance(l)),
		one(dicomwire.ReferencedTransferSyntaxUIDInFile, "UI", b.strs[l.transferUID]),
		one(dicomwire.InstanceNumber, "IS", strconv.Itoa(int(l.instanceNumber))),
	}}
	if typ == "ENCAP DOC" {
		// PS3.3 Table F.5-x ENCAP DOC keys: Content Date/Time, Document
		// Title and Concept Name Code Sequence are Type 2 (empty here);
		// MIME Type is Type 1.
		r.elems = append(r.elems,
			one(dicomwire.ContentDate, "DA", ""),
			one(dicomwire.ContentTime, "TM", ""),
			elem{tag: dicomwire.ConceptNameCodeSequence, vr: "SQ"},
			one(dicomwire.DocumentTitle, "ST", ""),
			one(dicomwire.MIMETypeOfEncapsulatedDocument, "LO", mime),
		)
	}
	return r
}

// Encoding, Explicit VR Little Endian.

func appendHeader(b []byte, tag dicomwire.Tag, vr string, n uint32) []byte {
	b, _ = dicomwire.AppendHeader(b, dicomwire.ExplicitLE, tag, vr, n)
	return b
}

// appendString appends a string element padded to even length (UI with
// NUL, other VRs with a space). Values are cut to their VR's length before.
func appendString(b []byte, tag dicomwire.Tag, vr, v string) []byte {
	b, _ = dicomwire.AppendString(b, dicomwire.ExplicitLE, tag, vr, v)
	return b
}

func appendUL(b []byte, tag dicomwire.Tag, v uint32) []byte {
	return dicomwire.AppendUL(b, dicomwire.ExplicitLE, tag, v)
}

func appendUS(b []byte, tag dicomwire.Tag, v uint16) []byte {
	return dicomwire.AppendUS(b, dicomwire.ExplicitLE, tag, v)
}
