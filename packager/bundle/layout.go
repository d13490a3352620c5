package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"dossier/packager/cover"
	"dossier/packager/deid"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/preview"
	"dossier/packager/privacy"
)

// Names of the bundle's own files.
const (
	NameReadme   = "README.TXT"
	NameIndex    = "INDEX.HTM"
	NameCover    = "COVER.PDF"
	NameManifest = "MANIFEST.SHA256"
	NameMetadata = "IHE_XDM/SUBSET01/METADATA.XML"
	NameDICOMDIR = "DICOMDIR"
)

// fileEntry is one file of the inner tree as written. A pack keeps one of
// each file until the end, so it is small (under 100 bytes and the name):
// the file's deid.Written is made from it at the end, only documents and
// slides have a docInfo, and only the parts of a MIRAX slide and records
// sent with warnings have a fileMore.
type fileEntry struct {
	Name string
	Size int64
	sum  [sha256.Size]byte
	// Item is the record it was written from (nil for Dossier's own files
	// and the files of a MIRAX slide's folder).
	Item *intake.Item
	doc  *docInfo
	// d is the plan's decision for the record it was written from (nil for
	// Dossier's own files).
	d    *deid.Decision
	more *fileMore
}

// fileMore is what few files need besides.
type fileMore struct {
	source   string      // the original, when it is not Item's (a part of a MIRAX slide)
	warnings []i18n.Text // what the leak scan found in a record the user chose to send
}

// SHA256 is the file's checksum in hex, as the manifest has it.
func (f *fileEntry) SHA256() string { return hex.EncodeToString(f.sum[:]) }

// written is what Result.Items says of the file (without the checksum
// unless withSum).
func (f *fileEntry) written(withSum bool) deid.Written {
	w := deid.Written{Name: f.Name, Action: f.d.Action, Bytes: f.Size, Included: f.d.Included}
	if f.more != nil && f.more.source != "" {
		w.Path = f.more.source
	} else {
		w.Path = f.Item.Path
		w.Redacted = deid.RedactedOf(*f.d)
	}
	if w.Action == deid.Review {
		w.Action = deid.Transform
	}
	if f.more != nil {
		w.Warnings = f.more.warnings
	}
	if withSum {
		w.SHA256 = f.SHA256()
	}
	return w
}

// written is Result.Items: every file written from a record, in order.
func (p *packer) written() []deid.Written {
	out := make([]deid.Written, 0, len(p.files))
	for i := range p.files {
		out = append(out, p.files[i].written(true))
	}
	return out
}

// docInfo is what INDEX.HTM and METADATA.XML say of a document or slide.
type docInfo struct {
	SHA1     string
	MIME     string
	Category string // the checklist category
	Title    string // what it is, in words
}

// docOf is the docInfo of a record written as a document or slide (its
// SHA-1, when it has one, is the caller's to add).
func (p *packer) docOf(it *intake.Item) *docInfo {
	c := p.opts.Categories[it.Path]
	return &docInfo{MIME: mimeOf(it), Category: c, Title: titleOf(it, c)}
}

// info is f's docInfo, or an empty one.
func (f *fileEntry) info() *docInfo {
	if f.doc == nil {
		return &docInfo{}
	}
	return f.doc
}

// studyLine summarises one study for README.TXT and INDEX.HTM.
type studyLine struct {
	Date, Modalities, Description string
	Series, Images                int
	Folder                        string
}

// treeInfo is what the generated files describe.
type treeInfo struct {
	Created     time.Time
	Level       privacy.Level
	PatientID   string // the pseudonym, "ANONYMOUS", or the real ID at identified level
	PatientName string // empty unless identified
	Recipient   string
	Files       []fileEntry // items only, not the generated files
	Studies     []studyLine
	LeftOut     []LeftOutLine // no original names at private levels
	Fingerprint string
	// Language is the language of INDEX.HTM (Options.Language).
	Language string
	// Questions are the question for the reviewer; Clinical the clinical summary (Options.Index).
	Questions []string
	Clinical  *cover.Clinical
	// Documents are what the documents say about themselves, by item path (IndexText).
	Documents map[string]IndexDocument
	// Thumbs are the pictures written for INDEX.HTM, by the series folder or slide file they show.
	Thumbs map[string]thumbnail
}

// IndexText is what INDEX.HTM says besides the files: the question for the reviewer, the
// clinical summary and each document's date and title, as the cover has them at the bundle's
// privacy level.
type IndexText struct {
	Questions []string
	// Clinical gives the clinical summary once the names in the bundle are known (with what the
	// cover is given), ready for the level; nil, or a nil result, shows none.
	Clinical func(info CoverInfo) *cover.Clinical
	// Documents gives each document's date and title by its item path, ready for the level (at
	// the private levels a title that cannot carry identity, or none; dates as the level shows
	// them).
	Documents map[string]IndexDocument
}

// IndexDocument is what a document says about itself, for INDEX.HTM.
type IndexDocument struct {
	Date  string // YYYY-MM-DD
	Title string
}

// addedPaths returns a function that writes an item's path relative to
// the folder holding everything that was added (the deepest folder common
// to all items), so that a left-out file is named "CD/AUTORUN.INF" or
// "reports/scan.pdf", never "/home/NAME/..." or "C:\Users\NAME\...". An
// entry inside an archive keeps its "!/ENTRY" part. A path that shares no
// folder with the others (another drive) is given by its file name.
func addedPaths(paths []string) func(string) string {
	outer := func(p string) string { o, _, _ := strings.Cut(p, "!/"); return filepath.Clean(o) }
	common := ""
	for i, p := range paths {
		dir := filepath.Dir(outer(p))
		if i == 0 {
			common = dir
			continue
		}
		for common != "" && !within(dir, common) {
			up := filepath.Dir(common)
			if up == common {
				common = ""
				break
			}
			common = up
		}
	}
	return func(p string) string {
		o := outer(p)
		rest := strings.TrimPrefix(p, strings.SplitN(p, "!/", 2)[0])
		if common != "" && within(o, common) {
			if rel, err := filepath.Rel(common, o); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
				return filepath.ToSlash(rel) + rest
			}
		}
		return filepath.Base(o) + rest
	}
}

// inventoryPaths are the paths of every item of inv.
func inventoryPaths(inv *intake.Inventory) []string {
	if inv == nil {
		return nil
	}
	out := make([]string, 0, len(inv.Items))
	for _, it := range inv.Items {
		out = append(out, it.Path)
	}
	return out
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	if path == dir {
		return true
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

var levelWords = map[privacy.Level]string{
	privacy.Identified:    "identified: the files are exact copies of the patient's records, with their name and details",
	privacy.Pseudonymised: "pseudonymised: names and IDs are replaced by a pseudonym; the patient can reveal who they are",
	privacy.Anonymised:    "anonymised: names and IDs are removed and dates are shifted; nobody can link it back",
}

// readme is README.TXT: plain ASCII text with CRLF line ends, for any
// computer that finds it on a disc or USB stick.
func readme(t treeInfo) []byte {
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\r\n", a...) }
	line("MEDICAL RECORDS FOR A SECOND OPINION")
	line("")
	line("This folder holds copies of a patient's medical records, gathered with Dossier")
	line("on %s for review by a specialist centre.", t.Created.Format("2 January 2006"))
	line("")
	line("Privacy level: %s", t.Level)
	line("  (%s)", levelWords[t.Level])
	if t.PatientID != "" {
		line("Patient reference: %s", ascii(t.PatientID))
	}
	line("")
	line("WHAT IS INSIDE")
	line("  COVER.PDF                 the case summary: the question for the reviewer first")
	line("  INDEX.HTM                 a list of everything, to open in a web browser")
	line("  DICOMDIR and DICOM/       the scans as DICOM files (open with any DICOM viewer,")
	line("                            or import into PACS: the DICOMDIR lists them all)")
	line("  IHE_XDM/SUBSET01/         reports, letters and pictures, with METADATA.XML")
	line("                            (IHE XDM) describing each one")
	line("  SLIDES/                   digital pathology slides, if any")
	line("  MANIFEST.SHA256           a checksum of every file")
	line("")
	line("%v; %v.", i18n.Plural(len(t.Files), i18n.Msg("%d file"), i18n.Msg("%d files")),
		i18n.Plural(len(t.Studies), i18n.Msg("%d imaging study"), i18n.Msg("%d imaging studies")))
	line("")
	line("HOW TO CHECK THAT NOTHING WAS CHANGED")
	line("  In this folder run:  sha256sum -c MANIFEST.SHA256")
	line("  or, with Dossier:    dossier verify THIS-FOLDER-OR-BUNDLE")
	if t.Fingerprint != "" {
		line("  The bundle's fingerprint (also on the cover) is:")
		line("  %s", groups(t.Fingerprint))
	}
	line("")
	line("Nothing here runs by itself: there is no program and no autorun.")
	return []byte(b.String())
}

// thumbnail is a small picture written into the bundle for INDEX.HTM.
type thumbnail struct {
	Name  string // the PNG's name in the bundle
	Label string // what it shows, in words
}

// seriesEntry is one imaging series as written, for INDEX.HTM.
type seriesEntry struct {
	Folder      string // DICOM/ST000001/SE000001
	Description string // empty at private levels
	Modality    string
	Images      int
	study, uid  string
}

// writtenSeries groups the written DICOM files by their series folder, in order.
func writtenSeries(files []fileEntry, level privacy.Level) []*seriesEntry {
	var out []*seriesEntry
	by := map[string]*seriesEntry{}
	for _, f := range files {
		parts := strings.Split(f.Name, "/")
		if len(parts) < 4 || parts[0] != "DICOM" || f.Item == nil {
			continue
		}
		folder := strings.Join(parts[:3], "/")
		se := by[folder]
		if se == nil {
			se = &seriesEntry{Folder: folder, Modality: f.Item.Modality, study: f.Item.StudyInstanceUID, uid: f.Item.SeriesInstanceUID}
			if f.Item.DICOM != nil && level == privacy.Identified {
				se.Description = f.Item.DICOM.SeriesDescription
			}
			by[folder] = se
			out = append(out, se)
		}
		se.Images++
	}
	return out
}

// thumbnails writes a small PNG of the middle image of each written series and of each written
// slide into THUMBS/, for INDEX.HTM, and returns them by the folder or file they show. A picture
// that cannot be made is left out (the page then says so); it never stops the bundle.
func (p *packer) thumbnails(s sink, files []fileEntry) map[string]thumbnail {
	out := map[string]thumbnail{}
	opts := preview.Options{MaxSide: 160, Intake: p.opts.Intake}
	early := p.early
	if early != nil {
		early.wait()
	}
	n := 0
	put := func(key, label string, b []byte) error {
		if b == nil {
			return nil
		}
		n++
		name := fmt.Sprintf("THUMBS/T%06d.PNG", n)
		if err := p.generated(s, name, b, false); err != nil {
			return err
		}
		out[key] = thumbnail{Name: name, Label: label}
		return nil
	}
	for _, se := range writtenSeries(files, p.level) {
		if p.ctx.Err() != nil {
			return out
		}
		b, ok := []byte(nil), false
		if early != nil {
			b, ok = early.series[seriesKey{se.study, se.uid}]
		}
		if !ok {
			b = pngOf(preview.SeriesImage(p.ctx, p.inv, se.study, se.uid, opts))
		}
		if put(se.Folder, se.Folder, b) != nil {
			return out
		}
	}
	for _, f := range files {
		if !strings.HasPrefix(f.Name, "SLIDES/") || f.Item == nil || f.Item.Slide == nil {
			continue
		}
		b, ok := []byte(nil), false
		if early != nil {
			b, ok = early.slides[f.Item]
		}
		if !ok {
			b = pngOf(preview.SlideImage(p.ctx, p.inv, f.Item.Slide, opts))
		}
		if put(f.Name, f.Name, b) != nil {
			return out
		}
	}
	return out
}

// metadata is IHE_XDM/SUBSET01/METADATA.XML: an ebRIM SubmitObjectsRequest
// with one DocumentEntry per document (hash, size, mimeType, URI) and the
// submission set, as IHE ITI-32 (XDM) describes.
func metadata(t treeInfo, setUID string, docUID func(name string) string) []byte {
	var b strings.Builder
	x := func(s string) string {
		var o strings.Builder
		xmlEscape(&o, s)
		return o.String()
	}
	created := t.Created.UTC().Format("20060102150405")
	patient := t.PatientID
	if patient == "" {
		patient = "UNKNOWN"
	}
	pid := x(patient) + "^^^&amp;2.25.1&amp;ISO"
	slot := func(name string, values ...string) {
		fmt.Fprintf(&b, `      <rim:Slot name="%s"><rim:ValueList>`, name)
		for _, v := range values {
			fmt.Fprintf(&b, "<rim:Value>%s</rim:Value>", v)
		}
		b.WriteString("</rim:ValueList></rim:Slot>\n")
	}
	classification := func(scheme, object, code, codeScheme, display string) {
		fmt.Fprintf(&b, `      <rim:Classification classificationScheme="%s" classifiedObject="%s" id="cl-%s-%s" nodeRepresentation="%s">`+"\n", scheme, object, object, code, x(code))
		fmt.Fprintf(&b, `        <rim:Slot name="codingScheme"><rim:ValueList><rim:Value>%s</rim:Value></rim:ValueList></rim:Slot>`+"\n", x(codeScheme))
		fmt.Fprintf(&b, `        <rim:Name><rim:LocalizedString value="%s"/></rim:Name>`+"\n      </rim:Classification>\n", x(display))
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">` + "\n")
	b.WriteString("  <rim:RegistryObjectList>\n")
	for i, f := range t.Files {
		if !strings.HasPrefix(f.Name, "IHE_XDM/SUBSET01/") {
			continue
		}
		doc := f.info()
		id := fmt.Sprintf("Document%05d", i+1)
		fmt.Fprintf(&b, `    <rim:ExtrinsicObject id="%s" mimeType="%s" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1" status="urn:oasis:names:tc:ebxml-regrep:StatusType:Approved">`+"\n", id, x(doc.MIME))
		slot("creationTime", created)
		slot("hash", doc.SHA1)
		slot("size", fmt.Sprint(f.Size))
		slot("URI", x(strings.TrimPrefix(f.Name, "IHE_XDM/SUBSET01/")))
		slot("languageCode", "en")
		slot("sourcePatientId", pid)
		fmt.Fprintf(&b, `      <rim:Name><rim:LocalizedString value="%s"/></rim:Name>`+"\n", x(doc.Title))
		classification("urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a", id, classCode(doc.Category), "Dossier document categories", classDisplay(doc.Category))
		classification("urn:uuid:f0306f51-975f-434e-a61c-c59651d33983", id, classCode(doc.Category), "Dossier document categories", classDisplay(doc.Category))
		classification("urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d", id, doc.MIME, "Dossier formats", doc.MIME)
		classification("urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f", id, "N", "2.16.840.1.113883.5.25", "normal")
		classification("urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1", id, "PAT", "Dossier", "Patient")
		classification("urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead", id, "ONC", "Dossier", "Oncology")
		fmt.Fprintf(&b, `      <rim:ExternalIdentifier id="ei-%s-pid" registryObject="%s" identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" value="%s"><rim:Name><rim:LocalizedString value="XDSDocumentEntry.patientId"/></rim:Name></rim:ExternalIdentifier>`+"\n", id, id, pid)
		fmt.Fprintf(&b, `      <rim:ExternalIdentifier id="ei-%s-uid" registryObject="%s" identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" value="%s"><rim:Name><rim:LocalizedString value="XDSDocumentEntry.uniqueId"/></rim:Name></rim:ExternalIdentifier>`+"\n", id, id, docUID(f.Name))
		b.WriteString("    </rim:ExtrinsicObject>\n")
	}
	b.WriteString(`    <rim:RegistryPackage id="SubmissionSet01">` + "\n")
	slot("submissionTime", created)
	fmt.Fprintf(&b, `      <rim:Name><rim:LocalizedString value="Records for a second opinion"/></rim:Name>`+"\n")
	fmt.Fprintf(&b, `      <rim:ExternalIdentifier id="ei-ss-uid" registryObject="SubmissionSet01" identificationScheme="urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8" value="%s"><rim:Name><rim:LocalizedString value="XDSSubmissionSet.uniqueId"/></rim:Name></rim:ExternalIdentifier>`+"\n", setUID)
	fmt.Fprintf(&b, `      <rim:ExternalIdentifier id="ei-ss-pid" registryObject="SubmissionSet01" identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446" value="%s"><rim:Name><rim:LocalizedString value="XDSSubmissionSet.patientId"/></rim:Name></rim:ExternalIdentifier>`+"\n", pid)
	fmt.Fprintf(&b, `      <rim:ExternalIdentifier id="ei-ss-src" registryObject="SubmissionSet01" identificationScheme="urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832" value="2.25.1"><rim:Name><rim:LocalizedString value="XDSSubmissionSet.sourceId"/></rim:Name></rim:ExternalIdentifier>`+"\n")
	b.WriteString("    </rim:RegistryPackage>\n")
	b.WriteString(`    <rim:Classification id="cl-ss" classifiedObject="SubmissionSet01" classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/>` + "\n")
	for i, f := range t.Files {
		if strings.HasPrefix(f.Name, "IHE_XDM/SUBSET01/") {
			fmt.Fprintf(&b, `    <rim:Association id="as-%05d" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="SubmissionSet01" targetObject="Document%05d"><rim:Slot name="SubmissionSetStatus"><rim:ValueList><rim:Value>Original</rim:Value></rim:ValueList></rim:Slot></rim:Association>`+"\n", i+1, i+1)
		}
	}
	b.WriteString("  </rim:RegistryObjectList>\n</lcm:SubmitObjectsRequest>\n")
	return []byte(b.String())
}

func classCode(category string) string {
	if category == "" {
		return "other"
	}
	return category
}

func classDisplay(category string) string {
	if category == "" {
		return "Other document"
	}
	return strings.ReplaceAll(category, "-", " ")
}

func xmlEscape(b *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
				continue
			}
			b.WriteRune(r)
		}
	}
}

// writeManifest writes MANIFEST.SHA256: "sha256  name" lines of every
// file of the lists, sorted by name, in the format `sha256sum -c` reads.
func writeManifest(w io.Writer, lists ...[]fileEntry) error {
	for _, f := range byName(lists...) {
		if _, err := io.WriteString(w, f.SHA256()+"  "+f.Name+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// fingerprint is Fingerprint of the manifest lines of the files of the
// lists.
func fingerprint(lists ...[]fileEntry) string {
	h := sha256.New()
	for _, f := range byName(lists...) {
		if !descriptive[f.Name] {
			io.WriteString(h, f.SHA256()+"  "+f.Name+"\n")
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// byName is every file of the lists, sorted by name.
func byName(lists ...[]fileEntry) []*fileEntry {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]*fileEntry, 0, n)
	for _, l := range lists {
		for i := range l {
			out = append(out, &l[i])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// groups writes a hex fingerprint in groups of four for reading aloud.
func groups(hex string) string {
	var parts []string
	for i := 0; i < len(hex); i += 4 {
		parts = append(parts, hex[i:min(i+4, len(hex))])
	}
	return strings.Join(parts, " ")
}

// ascii replaces non-ASCII characters for README.TXT.
func ascii(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0x7E || r < 0x20 {
			return '?'
		}
		return r
	}, s)
}
