package intake

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"dossier/packager/i18n"
	"dossier/packager/identity"
)

// wsiSOPClass is VL Whole Slide Microscopy Image Storage.
const wsiSOPClass = "1.2.840.10008.5.1.4.1.1.77.1.6"

// nonImageModalities are DICOM modalities that carry no pictures of the body.
var nonImageModalities = map[string]bool{"SR": true, "DOC": true, "KO": true, "PR": true, "REG": true, "RTPLAN": true, "RTRECORD": true, "AU": true, "ECG": true}

// Group builds an inventory from items: patients, studies with their series,
// slides, and the findings across files. ids may be nil.
func Group(items []*Item, ids *identity.Set) *Inventory {
	if ids == nil {
		ids = identity.NewSet()
	}
	sortItems(items)
	inv := &Inventory{Items: items, Studies: []*Study{}, Slides: []*Slide{}, Patients: []*Patient{}, Problems: []Problem{}, Identity: ids}

	studies := map[string]*Study{}
	series := map[[2]string]*Series{} // by study and series UID
	instanceNumbers := map[*Series][]int{}
	sopFirst := make(map[string]int, len(items)) // the first item of each SOP Instance UID
	var dupPaths, damaged, burned, dirMismatch, otherImages []string
	dicomImages := 0
	wsi := map[string][]*Item{}
	// Items are sorted, so the files of one patient come together: the
	// last patient is remembered (patientOf gives the same answer again).
	lastPatient, lastIndex := Patient{}, -1

	for i, it := range items {
		if it.Problems == nil {
			it.Problems = []i18n.Text{}
		}
		switch it.Kind {
		case KindUnreadable:
			damaged = append(damaged, it.Path)
		case KindImage:
			otherImages = append(otherImages, it.Path)
		case KindSlide:
			if it.Slide != nil {
				inv.Slides = append(inv.Slides, it.Slide)
			}
		case KindDICOMDIR:
			if len(it.Problems) > 0 {
				dirMismatch = append(dirMismatch, it.Path)
			}
		}
		if it.Kind != KindDICOM || it.DICOM == nil {
			continue
		}
		d := it.DICOM
		p := Patient{Name: d.PatientName, ID: d.PatientID, BirthDate: d.PatientBirthDate}
		pi := lastIndex
		if pi < 0 || p != lastPatient {
			pi = patientOf(inv, p)
			lastPatient, lastIndex = p, pi
		}
		if inv.Patients[pi].Sex == "" {
			inv.Patients[pi].Sex = d.PatientSex
		}
		if it.SOPInstanceUID != "" {
			if first, seen := sopFirst[it.SOPInstanceUID]; seen {
				it.Problems = appendOnce(it.Problems, i18n.NewText(i18n.Msg("the same image as %v: probably a second copy"), items[first].Path))
				dupPaths = append(dupPaths, it.Path)
				continue
			}
			sopFirst[it.SOPInstanceUID] = i
		}
		if it.BurnedIn {
			burned = append(burned, it.Path)
		}
		if it.SOPClassUID == wsiSOPClass {
			wsi[it.StudyInstanceUID] = append(wsi[it.StudyInstanceUID], it)
		}
		if !nonImageModalities[it.Modality] {
			dicomImages++
		}
		st := studies[it.StudyInstanceUID]
		if st == nil {
			st = &Study{StudyInstanceUID: it.StudyInstanceUID, Date: d.StudyDate, Description: d.StudyDescription, Accession: d.Accession, Patient: pi, Modalities: []string{}, Series: []*Series{}}
			studies[it.StudyInstanceUID] = st
			inv.Studies = append(inv.Studies, st)
		}
		if st.Date == "" {
			st.Date = d.StudyDate
		}
		if st.Description == "" {
			st.Description = d.StudyDescription
		}
		st.Instances++
		if it.Modality != "" && !contains(st.Modalities, it.Modality) {
			st.Modalities = append(st.Modalities, it.Modality)
		}
		key := [2]string{it.StudyInstanceUID, it.SeriesInstanceUID}
		se := series[key]
		if se == nil {
			se = &Series{SeriesInstanceUID: it.SeriesInstanceUID, Number: d.SeriesNumber, Modality: it.Modality, Description: d.SeriesDescription, BodyPart: d.BodyPart}
			series[key] = se
			st.Series = append(st.Series, se)
		}
		se.Instances++
		if it.BurnedIn {
			se.BurnedIn++
		}
		if it.InstanceNumber > 0 {
			instanceNumbers[se] = append(instanceNumbers[se], int(it.InstanceNumber))
		}
	}

	for _, st := range inv.Studies {
		sort.Strings(st.Modalities)
		sort.Slice(st.Series, func(i, j int) bool {
			a, b := st.Series[i], st.Series[j]
			if a.Number != b.Number {
				return a.Number < b.Number
			}
			return a.SeriesInstanceUID < b.SeriesInstanceUID
		})
		for _, se := range st.Series {
			if g, ok := findGap(instanceNumbers[se], se.Instances); ok {
				msg := g.String()
				se.Problems = append(se.Problems, g.text())
				inv.Problems = append(inv.Problems, Problem{Code: ProblemMissingInstances,
					Args:    []any{se.Modality, se.Description, g.Missing, g.Span, g.Low, g.High},
					Message: fmt.Sprintf("One series (%s, %s) seems incomplete: %s. Ask the hospital for the complete study.", nonEmpty(se.Modality, "DICOM"), nonEmpty(se.Description, "no description"), msg)})
			}
		}
	}
	sort.SliceStable(inv.Studies, func(i, j int) bool {
		if inv.Studies[i].Date != inv.Studies[j].Date {
			return inv.Studies[i].Date < inv.Studies[j].Date
		}
		return inv.Studies[i].StudyInstanceUID < inv.Studies[j].StudyInstanceUID
	})
	for uid, parts := range wsi {
		inv.Slides = append(inv.Slides, dicomSlide(uid, parts))
	}
	sort.Slice(inv.Slides, func(i, j int) bool { return inv.Slides[i].Path < inv.Slides[j].Path })

	if names := distinctPeople(inv.Patients); names > 1 {
		inv.Problems = append(inv.Problems, Problem{Code: ProblemSeveralPatients, Args: []any{names},
			Message: fmt.Sprintf("These images name %d different people. Check that every file belongs to the same patient before sending anything.", names)})
	}
	if dicomImages == 0 && len(otherImages) > 0 {
		inv.Problems = append(inv.Problems, Problem{Code: ProblemImagingNotDICOM, Paths: otherImages,
			Message: "There are pictures but no DICOM images. If any of them are scans (CT, MRI, PET, X-ray), the reviewer needs the original DICOM files: ask the radiology department for the images on a CD, USB stick or download, not as prints or JPEGs."})
	}
	if len(dupPaths) > 0 {
		inv.Problems = append(inv.Problems, Problem{Code: ProblemDuplicateSOP, Paths: dupPaths, Args: []any{len(dupPaths)},
			Message: i18n.Plural(len(dupPaths), problemDuplicate1, problemDuplicate).String()})
	}
	if len(damaged) > 0 {
		inv.Problems = append(inv.Problems, Problem{Code: ProblemDamaged, Paths: damaged, Args: []any{len(damaged)},
			Message: i18n.Plural(len(damaged), problemDamaged1, problemDamaged).String()})
	}
	if len(burned) > 0 {
		inv.Problems = append(inv.Problems, Problem{Code: ProblemBurnedIn, Paths: burned, Args: []any{len(burned)},
			Message: i18n.Plural(len(burned), problemBurnedIn1, problemBurnedIn).String()})
	}
	if len(dirMismatch) > 0 {
		inv.Problems = append(inv.Problems, Problem{Code: ProblemDICOMDIRMismatch, Paths: dirMismatch,
			Message: "A disc's index (DICOMDIR) lists files that were not found. The disc copy may be incomplete: copy it again, or ask for a new disc."})
	}
	return inv
}

// gap is the missing stretch of a series' instance numbers.
type gap struct {
	Missing, Span, Low, High int
}

// String describes the gap in English.
// The sentences a gap is written in.
var (
	gapOne     = i18n.Msg("%d of %d images is missing (numbers run from %d to %d)")
	gapSeveral = i18n.Msg("%d of %d images are missing (numbers run from %d to %d)")
)

func (g gap) String() string { return g.text().String() }

// text is the gap as a finding.
func (g gap) text() i18n.Text {
	return i18n.Plural(g.Missing, gapOne, gapSeveral, g.Span, g.Low, g.High)
}

// findGap finds missing instance numbers in a series, if the numbering
// looks like it should be continuous.
func findGap(numbers []int, instances int) (gap, bool) {
	if len(numbers) < 3 || len(numbers) != instances {
		return gap{}, false
	}
	sort.Ints(numbers)
	lo, hi := numbers[0], numbers[len(numbers)-1]
	span := hi - lo + 1
	distinct := 1
	for i := 1; i < len(numbers); i++ {
		if numbers[i] != numbers[i-1] {
			distinct++
		}
	}
	if distinct != len(numbers) || span <= distinct || span > 2*distinct {
		return gap{}, false // repeated or sparse numbering: not a simple sequence
	}
	return gap{Missing: span - distinct, Span: span, Low: lo, High: hi}, true
}

// distinctPeople counts patients that differ by name (the name groups of
// one person are one name: samePerson) or birth date. Several
// IDs for one name and birth date are normal across hospitals.
func distinctPeople(ps []*Patient) int {
	type person struct {
		name  [3]string
		birth string
	}
	var people []person
	for _, p := range ps {
		people = append(people, person{nameGroups(p.Name), p.BirthDate})
	}
	// Merge until nothing merges: a fuller name can join two that did not
	// match each other ("=山田^太郎", "Yamada^Tarou", then both groups).
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(people) && !merged; i++ {
			for j := i + 1; j < len(people); j++ {
				if people[i].birth == people[j].birth && samePerson(people[i].name, people[j].name) {
					people[i].name = fuller(people[i].name, people[j].name)
					people = append(people[:j], people[j+1:]...)
					merged = true
					break
				}
			}
		}
	}
	return len(people)
}

// patientOf returns the index in inv.Patients of p's patient: one with the
// same ID and birth date whose name is the same person's (samePerson), whose
// name then becomes the fuller of the two; or a new patient.
func patientOf(inv *Inventory, p Patient) int {
	n := nameGroups(p.Name)
	for i, q := range inv.Patients {
		if q.ID != p.ID || q.BirthDate != p.BirthDate {
			continue
		}
		qn := nameGroups(q.Name)
		if samePerson(qn, n) {
			if fuller(qn, n) == n && qn != n {
				q.Name = p.Name
			}
			return i
		}
	}
	inv.Patients = append(inv.Patients, &p)
	return len(inv.Patients) - 1
}

// nameGroups splits a DICOM person name (PN) into its alphabetic,
// ideographic and phonetic groups (separated by "="), each normalised for
// comparison: upper case, components ("^") and words separated by one
// space, so that "Yamada^Tarou^^" and "YAMADA^TAROU" compare equal.
func nameGroups(pn string) [3]string {
	var g [3]string
	for i, part := range strings.SplitN(pn, "=", 3) {
		g[i] = strings.Join(strings.FieldsFunc(strings.ToUpper(part), func(r rune) bool { return r == '^' || r == ' ' || r == ',' }), " ")
	}
	return g
}

// samePerson reports whether two normalised names (nameGroups) are one
// person's: when both have an alphabetic group, those decide; otherwise
// one name's groups must all be found, in their places, in the other's
// ("=山田^太郎" and "Yamada^Tarou=山田^太郎"). An empty name is only the
// same as an empty name.
func samePerson(a, b [3]string) bool {
	if a == ([3]string{}) || b == ([3]string{}) {
		return a == b
	}
	if a[0] != "" && b[0] != "" {
		return a[0] == b[0]
	}
	return groupsWithin(a, b) || groupsWithin(b, a)
}

// groupsWithin reports whether every non-empty group of a is b's group in
// the same place.
func groupsWithin(a, b [3]string) bool {
	for i := range a {
		if a[i] != "" && a[i] != b[i] {
			return false
		}
	}
	return true
}

// fuller returns whichever of two names of one person has more groups (a
// on a tie).
func fuller(a, b [3]string) [3]string {
	count := func(g [3]string) int {
		n := 0
		for _, s := range g {
			if s != "" {
				n++
			}
		}
		return n
	}
	if count(b) > count(a) {
		return b
	}
	return a
}

// dicomSlide summarises the instances of one DICOM whole-slide study.
func dicomSlide(studyUID string, parts []*Item) *Slide {
	sort.Slice(parts, func(i, j int) bool { return parts[i].Path < parts[j].Path })
	s := &Slide{Vendor: "dicom", IdentifyingMetadata: []string{"PatientName", "PatientID", "ContainerIdentifier", "LabelText", "BarcodeValue"}}
	for _, it := range parts {
		s.Files = append(s.Files, it.Path)
		kind := ""
		if len(it.DICOM.ImageType) >= 3 {
			kind = strings.ToUpper(strings.TrimSpace(it.DICOM.ImageType[2]))
		}
		switch kind {
		case "LABEL":
			s.Label = true
		case "OVERVIEW":
			s.Macro = true
		case "THUMBNAIL":
			s.Thumbnail = true
		default:
			s.Levels++
			if s.Path == "" || int64(it.DICOM.Columns)*int64(it.DICOM.Rows) > s.Width*s.Height {
				s.Path = it.Path
			}
			// Total pixel matrix size is not read; the largest frame stands in.
			if w := int64(it.DICOM.Columns); w*int64(it.DICOM.Rows) > s.Width*s.Height {
				s.Width, s.Height = w, int64(it.DICOM.Rows)
			}
		}
	}
	if s.Path == "" && len(parts) > 0 {
		s.Path = parts[0].Path
	}
	return s
}

// checkDICOMDIRs compares each DICOMDIR with the files found beside it. A
// DICOMDIR is only a hint: every file is scanned anyway.
func checkDICOMDIRs(inv *Inventory) {
	// Each disc index's files, by their keys below its folder.
	type index struct {
		it     *Item
		prefix string         // the key of its folder, and "/"
		listed map[string]int // listed files, by key: their place in found
		found  []bool
	}
	var indexes []index
	for _, it := range inv.Items {
		if it.Kind != KindDICOMDIR || len(it.dirFiles) == 0 {
			continue
		}
		x := index{it: it, prefix: string(appendPathKey(nil, dirOf(it.Path))) + "/", listed: make(map[string]int, len(it.dirFiles))}
		for _, f := range it.dirFiles {
			if _, dup := x.listed[f]; !dup {
				x.listed[f] = len(x.listed)
			}
		}
		x.found = make([]bool, len(x.listed))
		indexes = append(indexes, x)
	}
	if len(indexes) == 0 {
		return
	}
	var key []byte
	for _, it := range inv.Items {
		key = appendPathKey(key[:0], it.Path)
		for _, x := range indexes {
			if len(key) > len(x.prefix) && string(key[:len(x.prefix)]) == x.prefix {
				if i, listed := x.listed[string(key[len(x.prefix):])]; listed {
					x.found[i] = true
				}
			}
		}
	}
	changed := false
	for _, x := range indexes {
		missing := 0
		for _, f := range x.it.dirFiles {
			if !x.found[x.listed[f]] {
				missing++
			}
		}
		if missing > 0 {
			x.it.Problems = appendOnce(x.it.Problems, i18n.Plural(len(x.it.dirFiles), i18n.Msg("the disc index lists %d file; %d was not found"), i18n.Msg("the disc index lists %d files; %d of them were not found"), missing))
			changed = true
		}
	}
	if changed {
		regrouped := Group(inv.Items, inv.Identity)
		*inv = *regrouped
	}
}

// dirOf returns the folder of a disk path or archive entry path, with
// forward slashes.
func dirOf(p string) string {
	return path.Dir(filepath.ToSlash(p))
}

// pathKey compares paths the way a CD reader does: case-insensitive, with
// ISO 9660 version suffixes (";1") removed, forward slashes.
func pathKey(p string) string {
	return string(appendPathKey(nil, p))
}

// appendPathKey appends the pathKey of p to dst. The key of "A/B" is the
// key of "A", "/" and the key of "B".
func appendPathKey(dst []byte, p string) []byte {
	p = filepath.ToSlash(p)
	start := len(dst)
	ascii := true
	for {
		part, rest, more := strings.Cut(p, "/")
		part = strings.TrimSuffix(part, ";1")
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c >= utf8.RuneSelf {
				ascii = false
			} else if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		if !more {
			break
		}
		dst = append(dst, '/')
		p = rest
	}
	if !ascii {
		lower := strings.ToLower(string(dst[start:]))
		dst = append(dst[:start], lower...)
	}
	return dst
}

// The counted problems of an inventory, for one and for any other number.
var (
	problemDuplicate1 = i18n.Msg("%d image appears twice (same DICOM identifier); only one copy of each is counted.")
	problemDuplicate  = i18n.Msg("%d images appear twice (same DICOM identifier); only one copy of each is counted.")
	problemDamaged1   = i18n.Msg("%d file could not be read. It says why; copying it again from the original often helps.")
	problemDamaged    = i18n.Msg("%d files could not be read. Each one says why; copying them again from the original often helps.")
	problemBurnedIn1  = i18n.Msg("%d image may show names or other details inside the picture itself (ultrasound, screenshots, scanned documents). It is fine to send as it is; if you remove your identity later, it needs a decision.")
	problemBurnedIn   = i18n.Msg("%d images may show names or other details inside the picture itself (ultrasound, screenshots, scanned documents). They are fine to send as they are; if you remove your identity later, they need a decision.")
)

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func appendOnce(list []i18n.Text, t i18n.Text) []i18n.Text {
	for _, v := range list {
		if v.String() == t.String() {
			return list
		}
	}
	return append(list, t)
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
