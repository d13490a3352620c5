package cover

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

// ErrNoLevel is returned by WriteSummary when the summary does not say its
// privacy level.
var ErrNoLevel = errors.New("the cover summary needs a privacy level")

// Summary is what the cover summary of a bundle shows (DESIGN.md §8), as
// plain data. The bundle fills it from the case details, the checklist
// report and what it packed; the helpers below (StudiesFrom, SlidesFrom,
// ReportsFrom, BiomarkersFrom, MissingFrom) build the parts that come from
// intake and the checklist.
//
// Every value is printed as given, so the caller passes values already
// fitting the privacy level: at the pseudonymised and anonymised levels no
// real name, birth date, hospital number, original file name or accession
// number. WriteSummary also guards the patient part by Level itself.
type Summary struct {
	// Level is the export's privacy level (required); it is printed in
	// plain words.
	Level privacy.Level
	// Created is when the bundle was made (default: now).
	Created time.Time
	// Fingerprint is the bundle's fingerprint in hex (e.g. a SHA-256), read
	// aloud to the centre in groups of four.
	Fingerprint string

	// Questions are the questions for the reviewer, most important first.
	Questions []string
	// ProposedPlan is the treatment the patient's doctors propose.
	ProposedPlan string
	// Urgency, when not empty, says why the opinion is needed soon.
	Urgency string

	// Patient is who the records are about. At the identified level: name,
	// birth date, sex, hospital number. At the pseudonymised level, Name is
	// the case pseudonym; at the anonymised level it is empty or
	// privacy.AnonymousName; at both, BirthDate and ID are never printed.
	Patient checklist.Patient
	// Doctor is the treating doctor; printed at the identified level only.
	Doctor checklist.Contact

	// CancerType is the cancer type in words ("Lung cancer").
	CancerType string
	// Diagnosis is the diagnosis in words ("adenocarcinoma").
	Diagnosis string
	// DiagnosisDate is YYYY-MM-DD or YYYY-MM.
	DiagnosisDate string
	Stage         string

	// Timeline holds dated events the caller knows (surgery, chemotherapy
	// started, ...). The cover adds the diagnosis date, every study and
	// every shipment's date, and sorts them by date.
	Timeline []Event
	// Biomarkers are the markers the checklist asks about for this cancer.
	Biomarkers []Biomarker

	// Studies, Reports and Slides are what the bundle holds.
	Studies []Study
	Reports []ReportGroup
	Slides  []Slide

	// Missing is what the checklist still lacks, required items first.
	Missing []Missing
	// Shipments are physical items sent separately (glass slides, blocks,
	// a disc).
	Shipments []checklist.Shipment
	// LeftOut lists items deliberately left out of the bundle, by their
	// normalised names (never original file names at the pseudonymised and
	// anonymised levels), with the reason.
	LeftOut []LeftOut
}

// Event is one dated entry of the treatment timeline.
type Event struct {
	// Date is YYYY-MM-DD, YYYY-MM or YYYY.
	Date string
	What string
}

// Biomarker is one row of the biomarker table.
type Biomarker struct {
	// Marker is the marker's name ("EGFR mutation", "PD-L1").
	Marker string
	// Result is the result in words when known ("negative", "TPS 60%").
	Result string
	// Documents name the bundle documents that report it (e.g.
	// "DOC00002.PDF"); empty when none was found.
	Documents []string
}

// Study is one DICOM study in the bundle.
type Study struct {
	// Date is YYYY-MM-DD (empty when unknown).
	Date        string
	Modalities  []string
	Description string
	Series      int
	Images      int
	// Folder is where the study is in the bundle (e.g. "DICOM/ST000001").
	Folder string
}

// ReportGroup counts the reports and letters of one category.
type ReportGroup struct {
	// Category in words ("Pathology report").
	Category string
	// Names are the documents' names in the bundle (e.g. "DOC00001.PDF").
	Names []string
}

// Slide is one whole-slide image in the bundle.
type Slide struct {
	// Name is the slide's name in the bundle (e.g. "SLIDES/SL000001.SVS").
	Name   string
	Vendor string
	Levels int
	Width  int64
	Height int64
}

// Missing is one thing the checklist still lacks.
type Missing struct {
	What string
	// Reason says why it is missing, or what exactly is missing ("The
	// reports here do not mention EGFR."); for a waived item, the patient's
	// reason.
	Reason   string
	Required bool
	// Waived is true when the patient marked the item as not needed.
	Waived bool
}

// LeftOut is one item left out of the bundle.
type LeftOut struct {
	// Name is the item's normalised name (never the original file name at
	// the pseudonymised and anonymised levels).
	Name   string
	Reason string
}

// StudiesFrom lists an inventory's studies for the summary, by modality
// and date. Descriptions are the headers' own; at the pseudonymised and
// anonymised levels the caller passes the de-identified inventory.
func StudiesFrom(inv *intake.Inventory) []Study {
	if inv == nil {
		return nil
	}
	var out []Study
	for _, st := range inv.Studies {
		s := Study{Date: st.Date, Modalities: slices.Clone(st.Modalities), Description: st.Description, Series: len(st.Series), Images: st.Instances}
		out = append(out, s)
	}
	return out
}

// SlidesFrom lists an inventory's slides; name gives each slide's name in
// the bundle from its path (nil keeps no name).
func SlidesFrom(inv *intake.Inventory, name func(path string) string) []Slide {
	if inv == nil {
		return nil
	}
	var out []Slide
	for _, sl := range inv.Slides {
		s := Slide{Vendor: sl.Vendor, Levels: sl.Levels, Width: sl.Width, Height: sl.Height}
		if name != nil {
			s.Name = name(sl.Path)
		}
		out = append(out, s)
	}
	return out
}

// ReportsFrom groups documents by category; name (required) gives each
// document's name in the bundle from its path, and an empty name leaves
// the document out (it is not in the bundle).
func ReportsFrom(docs []checklist.Document, name func(path string) string) []ReportGroup {
	if name == nil {
		return nil
	}
	var out []ReportGroup
	idx := map[doctext.Category]int{}
	for _, d := range docs {
		n := name(d.Path)
		if n == "" {
			continue
		}
		i, ok := idx[d.Category]
		if !ok {
			i = len(out)
			idx[d.Category] = i
			label := d.Category.Name()
			if label == "" {
				label = string(d.Category)
			}
			out = append(out, ReportGroup{Category: label})
		}
		out[i].Names = append(out[i].Names, n)
	}
	return out
}

// BiomarkersFrom builds the biomarker table from the checklist's marker
// rules for the report's cancer type: rules met by biomarker or molecular
// documents that mention the marker. A met rule is "reported in" the
// documents that satisfy it (named by name, from their paths; an empty
// name is dropped, and a nil name names none); a missing one is not found
// in the records.
func BiomarkersFrom(rules *checklist.Rules, rep *checklist.Report, name func(path string) string) []Biomarker {
	if rules == nil || rep == nil {
		return nil
	}
	if name == nil {
		name = func(string) string { return "" }
	}
	marker := map[string]bool{}
	for _, r := range rules.For(rep.Cancer) {
		if r.Check.Kind != checklist.KindDocuments || len(r.Check.Keywords) == 0 {
			continue
		}
		for _, c := range r.Check.Categories {
			if c == doctext.CategoryIHC || c == doctext.CategoryMolecular {
				marker[r.ID] = true
			}
		}
	}
	var out []Biomarker
	for _, res := range rep.Rules {
		if !marker[res.ID] {
			continue
		}
		b := Biomarker{Marker: strings.TrimSuffix(strings.TrimSuffix(res.Title, " result"), " results")}
		if res.Status == checklist.StatusMet || res.Status == checklist.StatusPartial {
			for _, p := range res.Evidence {
				if n := name(p); n != "" && !slices.Contains(b.Documents, n) {
					b.Documents = append(b.Documents, n)
				}
			}
		}
		out = append(out, b)
	}
	return out
}

// MissingFrom lists what a checklist report still lacks, required items
// first, then waived items with the patient's reason.
func MissingFrom(rep *checklist.Report) []Missing {
	if rep == nil {
		return nil
	}
	var out []Missing
	for _, r := range rep.Outstanding() {
		reason := r.Note
		if reason == "" {
			reason = "Not found in the records."
		}
		out = append(out, Missing{What: r.Title, Reason: reason, Required: r.Required})
	}
	for _, r := range rep.Rules {
		if r.Status == checklist.StatusWaived {
			out = append(out, Missing{What: r.Title, Reason: r.WaiverReason, Required: r.Required, Waived: true})
		}
	}
	return out
}

// FingerprintGroups writes a hex fingerprint in lower-case groups of four
// ("3f2a 9c01 ..."), for reading aloud.
func FingerprintGroups(hex string) string {
	hex = strings.ToLower(strings.Join(strings.Fields(hex), ""))
	var groups []string
	for len(hex) > 4 {
		groups = append(groups, hex[:4])
		hex = hex[4:]
	}
	if hex != "" {
		groups = append(groups, hex)
	}
	return strings.Join(groups, " ")
}

// Section headings of the cover summary, in order.
const (
	HeadingQuestions   = "Questions for the reviewer"
	HeadingPlan        = "Proposed plan"
	HeadingPatient     = "Patient"
	HeadingDiagnosis   = "Diagnosis"
	HeadingTimeline    = "Timeline"
	HeadingBiomarkers  = "Biomarkers"
	HeadingContents    = "What the bundle holds"
	HeadingMissing     = "What is missing, and why"
	HeadingShipped     = "Sent separately"
	HeadingLeftOut     = "Left out of the bundle"
	HeadingPrivacy     = "Privacy level"
	HeadingFingerprint = "Bundle fingerprint"
)

// levelWords says what each level means, for the reviewer.
var levelWords = map[privacy.Level]string{
	privacy.Identified: "Identified: the files are the original records, unchanged, with the patient's name and details.",
	privacy.Pseudonymised: "Pseudonymised: names, birth dates and record numbers are replaced by the case pseudonym; dates of tests are real. " +
		"The patient keeps the link between the pseudonym and their identity and can share it if needed.",
	privacy.Anonymised: "Anonymised: identity is removed and dates are shifted by a random amount, so intervals between dates are right " +
		"but calendar dates are not. Nothing links this bundle back to the patient.",
}

var levelNames = map[privacy.Level]string{
	privacy.Identified:    "identified",
	privacy.Pseudonymised: "pseudonymised",
	privacy.Anonymised:    "anonymised",
}

// WriteSummary writes the cover summary as a PDF: the questions and the
// proposed plan first, then the patient (or pseudonym), the diagnosis, a
// timeline, the biomarkers, what the bundle holds, what is missing and why,
// what was sent separately, what was left out and why, the privacy level
// and the bundle's fingerprint.
func WriteSummary(ctx context.Context, w io.Writer, s Summary) error {
	if s.Level == "" {
		return ErrNoLevel
	}
	level, err := privacy.ParseLevel(string(s.Level))
	if err != nil {
		return fmt.Errorf("cover summary: %w", err)
	}
	created := s.Created
	if created.IsZero() {
		created = time.Now()
	}
	identified := level == privacy.Identified

	doc := NewDoc("Second opinion summary")
	doc.Footer = "Second opinion summary  -  privacy level: " + levelNames[level]
	if fp := FingerprintGroups(s.Fingerprint); fp != "" {
		doc.Footer += "  -  fingerprint " + strings.Join(strings.Fields(fp)[:min(2, len(strings.Fields(fp)))], " ") + "..."
	}
	doc.Heading1("Second opinion summary")

	// 1. The question first.
	doc.Heading(HeadingQuestions)
	questions := nonEmpty(s.Questions)
	if len(questions) == 0 {
		doc.Paragraph("No question was written down. Please ask the patient or their doctor what they would like answered.")
	}
	for i, q := range questions {
		doc.Item(strconv.Itoa(i+1)+".", q)
	}
	if u := strings.TrimSpace(s.Urgency); u != "" {
		doc.Field("Urgent", u)
	}
	doc.Heading(HeadingPlan)
	if p := strings.TrimSpace(s.ProposedPlan); p != "" {
		doc.Paragraph(p)
	} else {
		doc.Paragraph("No plan has been proposed yet.")
	}

	// 2. Who.
	doc.Heading(HeadingPatient)
	switch level {
	case privacy.Identified:
		doc.Field("Name", orDash(s.Patient.Name))
		doc.Field("Date of birth", s.Patient.BirthDate)
		doc.Field("Sex", s.Patient.Sex)
		doc.Field("Hospital number", s.Patient.ID)
	case privacy.Pseudonymised:
		doc.Field("Pseudonym", orDash(s.Patient.Name))
		doc.Field("Sex", s.Patient.Sex)
		doc.Small("Identity withheld: this bundle is pseudonymised.")
	default:
		name := strings.TrimSpace(s.Patient.Name)
		if name == "" || strings.EqualFold(name, privacy.AnonymousName) {
			name = "Anonymous"
		}
		doc.Field("Patient", name)
		doc.Field("Sex", s.Patient.Sex)
		doc.Small("Identity removed: this bundle is anonymised.")
	}
	if identified && s.Doctor.Name != "" {
		doc.Field("Treating doctor", joinNonEmpty(", ", s.Doctor.Name, s.Doctor.Hospital, s.Doctor.Phone, s.Doctor.Email))
	}

	// 3. What.
	doc.Heading(HeadingDiagnosis)
	doc.Field("Cancer type", orDash(s.CancerType))
	doc.Field("Diagnosis", s.Diagnosis)
	doc.Field("Diagnosed", orDash(s.DiagnosisDate))
	doc.Field("Stage", orDash(s.Stage))

	doc.Heading(HeadingTimeline)
	events := timeline(s)
	if len(events) == 0 {
		doc.Paragraph("No dated events.")
	}
	for _, e := range events {
		doc.Field(e.Date, e.What)
	}

	doc.Heading(HeadingBiomarkers)
	if len(s.Biomarkers) == 0 {
		doc.Paragraph("No biomarker tests are listed for this cancer type.")
	}
	for _, b := range s.Biomarkers {
		doc.Field(orDash(b.Marker), biomarkerText(b))
	}

	// 4. What is here.
	doc.Heading(HeadingContents)
	studies := slices.Clone(s.Studies)
	slices.SortStableFunc(studies, func(a, b Study) int {
		return cmp.Or(cmp.Compare(strings.Join(a.Modalities, "/"), strings.Join(b.Modalities, "/")), cmp.Compare(a.Date, b.Date))
	})
	images := 0
	for _, st := range studies {
		images += st.Images
	}
	doc.Subheading(fmt.Sprintf("Scans: %s, %s", count(len(studies), "study", "studies"), count(images, "image", "images")))
	if len(studies) == 0 {
		doc.Small("No DICOM scans are in this bundle.")
	}
	for _, st := range studies {
		doc.Field(studyLabel(st), studyText(st))
	}
	nrep := 0
	for _, g := range s.Reports {
		nrep += len(g.Names)
	}
	doc.Subheading("Reports and letters: " + count(nrep, "document", "documents"))
	if nrep == 0 {
		doc.Small("No reports or letters are in this bundle.")
	}
	for _, g := range s.Reports {
		doc.Field(fmt.Sprintf("%s (%d)", orDash(g.Category), len(g.Names)), strings.Join(g.Names, ", "))
	}
	doc.Subheading("Slides: " + count(len(s.Slides), "slide scan", "slide scans"))
	if len(s.Slides) == 0 {
		doc.Small("No slide scans are in this bundle.")
	}
	for _, sl := range s.Slides {
		doc.Field(orDash(sl.Name), slideText(sl))
	}

	// 5. What is not here.
	doc.Heading(HeadingMissing)
	missing := slices.Clone(s.Missing)
	slices.SortStableFunc(missing, func(a, b Missing) int {
		return cmp.Or(boolFirst(!a.Waived, !b.Waived), boolFirst(a.Required, b.Required))
	})
	if len(missing) == 0 {
		doc.Paragraph("Nothing: every item on the checklist is here.")
	}
	for _, m := range missing {
		status := "required"
		switch {
		case m.Waived:
			status = "not needed, says the patient"
		case !m.Required:
			status = "if available"
		}
		doc.Item("-", fmt.Sprintf("%s (%s)", orDash(m.What), status))
		if r := strings.TrimSpace(m.Reason); r != "" {
			doc.SubItem(r)
		}
	}

	doc.Heading(HeadingShipped)
	if len(s.Shipments) == 0 {
		doc.Paragraph("Nothing was sent separately.")
	}
	for _, sh := range s.Shipments {
		doc.Field(shipmentKind(sh.Kind), shipmentText(sh))
	}

	doc.Heading(HeadingLeftOut)
	if len(s.LeftOut) == 0 {
		doc.Paragraph("Nothing was left out.")
	}
	for _, l := range s.LeftOut {
		doc.Field(orDash(l.Name), orDash(l.Reason))
	}

	// 6. About the bundle.
	doc.Heading(HeadingPrivacy)
	doc.Paragraph(levelWords[level])

	doc.Heading(HeadingFingerprint)
	if fp := FingerprintGroups(s.Fingerprint); fp != "" {
		// Eight groups a line, to read aloud line by line.
		groups := strings.Fields(fp)
		var lines []string
		for len(groups) > 8 {
			lines = append(lines, strings.Join(groups[:8], " "))
			groups = groups[8:]
		}
		doc.Large(strings.Join(append(lines, strings.Join(groups, " ")), "\n"))
		doc.Small("Read these groups aloud to the receiving centre: if theirs match, the bundle arrived unchanged.")
	} else {
		doc.Paragraph("Not given.")
	}
	doc.Field("Created", created.Format("2 January 2006, 15:04 MST"))
	doc.Small("Prepared with Dossier, a tool that helps patients gather records for a second opinion.")
	if err := doc.Render(ctx, w); err != nil {
		return fmt.Errorf("cover summary: %w", err)
	}
	return nil
}

// timeline merges the caller's events with the dates the summary knows.
func timeline(s Summary) []Event {
	var out []Event
	for _, e := range s.Timeline {
		if strings.TrimSpace(e.Date) != "" && strings.TrimSpace(e.What) != "" {
			out = append(out, e)
		}
	}
	if s.DiagnosisDate != "" {
		out = append(out, Event{Date: s.DiagnosisDate, What: "Diagnosis" + prefixed(": ", joinNonEmpty(", ", s.Diagnosis, stageText(s.Stage)))})
	}
	for _, st := range s.Studies {
		if st.Date != "" {
			out = append(out, Event{Date: st.Date, What: "Scan" + prefixed(" ", strings.Join(st.Modalities, "/")) + prefixed(": ", st.Description)})
		}
	}
	for _, sh := range s.Shipments {
		if sh.Sent != "" {
			out = append(out, Event{Date: sh.Sent, What: shipmentKind(sh.Kind) + " sent" + prefixed(" by ", sh.Courier)})
		}
	}
	slices.SortStableFunc(out, func(a, b Event) int { return cmp.Compare(a.Date, b.Date) })
	return out
}

func biomarkerText(b Biomarker) string {
	where := ""
	if len(b.Documents) > 0 {
		where = "reported in " + strings.Join(b.Documents, ", ")
	}
	switch {
	case b.Result != "" && where != "":
		return b.Result + " (" + where + ")"
	case b.Result != "":
		return b.Result
	case where != "":
		return where
	}
	return "not found in the records"
}

func studyLabel(st Study) string {
	return joinNonEmpty(" ", orDash(st.Date), strings.Join(st.Modalities, "/"))
}

func studyText(st Study) string {
	return joinNonEmpty(", ", st.Description, count(st.Series, "series", "series"), count(st.Images, "image", "images")) + prefixed(" - ", st.Folder)
}

func slideText(sl Slide) string {
	var parts []string
	if sl.Vendor != "" {
		parts = append(parts, "vendor "+sl.Vendor)
	}
	if sl.Levels > 0 {
		parts = append(parts, count(sl.Levels, "level", "levels"))
	}
	if sl.Width > 0 && sl.Height > 0 {
		parts = append(parts, fmt.Sprintf("%d x %d pixels", sl.Width, sl.Height))
	}
	return orDash(strings.Join(parts, ", "))
}

func shipmentKind(kind string) string {
	switch kind {
	case checklist.ShipGlassSlides:
		return "Glass slides"
	case checklist.ShipBlocks:
		return "Tissue blocks"
	case checklist.ShipImagingDisc:
		return "Imaging disc"
	case "", checklist.ShipOther:
		return "Other item"
	}
	return kind
}

func shipmentText(sh checklist.Shipment) string {
	parts := []string{sh.Description}
	if sh.Courier != "" {
		parts = append(parts, "courier "+sh.Courier)
	}
	if sh.Tracking != "" {
		parts = append(parts, "tracking number "+sh.Tracking)
	} else {
		parts = append(parts, "no tracking number")
	}
	if sh.Sent != "" {
		parts = append(parts, "sent "+sh.Sent)
	}
	return joinNonEmpty(", ", parts...)
}

func stageText(stage string) string {
	if stage == "" {
		return ""
	}
	return "stage " + strings.TrimPrefix(strings.TrimPrefix(stage, "stage "), "Stage ")
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

func joinNonEmpty(sep string, parts ...string) string {
	return strings.Join(nonEmpty(parts), sep)
}

func prefixed(prefix, s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return prefix + s
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
