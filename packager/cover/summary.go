package cover

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

// ErrNoLevel is returned by WriteSummary when the summary does not say its
// privacy level.
var ErrNoLevel = errors.New("the cover summary needs a privacy level")

// Summary is what the cover summary of a bundle shows, as
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
	// Language is the language of the summary's fixed texts (headings,
	// labels, sentences, dates): a tag packager/i18n has ("en",
	// "zh-Hans"); empty is English. Values are printed as given.
	Language string
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
	// Clinical is the clinical summary read from the reports, shown right
	// after the questions (see ClinicalFrom); nil shows none.
	Clinical *Clinical
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
	// Redacted lists the documents the patient's details were removed
	// from (redacted documents, pictures masked under the sender's boxes):
	// names in the bundle and counts, never values.
	Redacted []Redacted
	// SentNamed are the bundle names of documents sent at a private level
	// without their identity removed (the sender chose to send them as
	// they are): the cover then says plainly that they carry it.
	SentNamed []string
}

// Redacted is one document the patient's details were removed from.
type Redacted struct {
	// Name is the document's name in the bundle ("DOC00001.PDF").
	Name string
	// Places counts the places removed.
	Places int
	// Kinds are the kinds removed, in the cover's language, with their
	// counts ("name 2").
	Kinds []string
	// Boxes counts the areas the sender marked and that were blacked out
	// (in a picture, or on a PDF's pages).
	Boxes int
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
	// CategoryID is the category's id ("pathology"), when known: in
	// languages other than English its name is translated.
	CategoryID doctext.Category
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
	// RuleID is the checklist rule's id, when known: it lets the cover
	// print the rule's title in its language (see checklist.Texts).
	RuleID string
	What   string
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
	Name   i18n.Text
	Reason i18n.Text
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
			out = append(out, ReportGroup{Category: label, CategoryID: d.Category})
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
		reason := r.Note()
		if reason == "" {
			reason = NotFound
		}
		out = append(out, Missing{RuleID: r.ID, What: r.Title, Reason: reason, Required: r.Required})
	}
	for _, r := range rep.Rules {
		if r.Status == checklist.StatusWaived {
			out = append(out, Missing{RuleID: r.ID, What: r.Title, Reason: r.WaiverReason, Required: r.Required, Waived: true})
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

// Section headings of the cover summary, in order, in English; in other
// languages they are the texts of HeadingKeys.
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

// HeadingKeys are the translation keys (packager/i18n) of the section
// headings, in order.
var HeadingKeys = []string{
	"cover.heading.questions", "cover.heading.plan", "cover.heading.patient", "cover.heading.diagnosis",
	"cover.heading.timeline", "cover.heading.biomarkers", "cover.heading.contents", "cover.heading.missing",
	"cover.heading.shipped", "cover.heading.left_out", "cover.heading.privacy", "cover.heading.fingerprint",
}

// NotFound is the reason MissingFrom gives for an item the checklist found
// no trace of; the cover prints it in the summary's language.
const NotFound = "Not found in the records."

// WriteSummary writes the cover summary as a PDF: the questions and the
// proposed plan first, then the patient (or pseudonym), the diagnosis, a
// timeline, the biomarkers, what the bundle holds, what is missing and why,
// what was sent separately, what was left out and why, the privacy level
// and the bundle's fingerprint. Its fixed texts are in s.Language.
func WriteSummary(ctx context.Context, w io.Writer, s Summary) error {
	if s.Level == "" {
		return ErrNoLevel
	}
	level, err := privacy.ParseLevel(string(s.Level))
	if err != nil {
		return fmt.Errorf("cover summary: %w", err)
	}
	c, err := i18n.Load(s.Language)
	if err != nil {
		return fmt.Errorf("cover summary: %w", err)
	}
	rt, err := checklist.Texts(c.Lang())
	if err != nil {
		return fmt.Errorf("cover summary: %w", err)
	}
	created := s.Created
	if created.IsZero() {
		created = time.Now()
	}
	identified := level == privacy.Identified
	list, clause := c.T("pdf.list.separator"), c.T("pdf.clause.separator")

	doc := NewDoc(c.T("cover.title"))
	doc.FieldSep = c.T("pdf.field.separator")
	doc.PageFormat = c.T("pdf.page")
	doc.Footer = c.T("cover.footer", c.T("cover.level."+string(level)))
	if fp := FingerprintGroups(s.Fingerprint); fp != "" {
		doc.Footer += c.T("cover.footer.fingerprint", strings.Join(strings.Fields(fp)[:min(2, len(strings.Fields(fp)))], " "))
	}
	doc.Heading1(c.T("cover.title"))

	// 1. The question first.
	doc.Heading(c.T("cover.heading.questions"))
	questions := nonEmpty(s.Questions)
	if len(questions) == 0 {
		doc.Paragraph(c.T("cover.no_question"))
	}
	for i, q := range questions {
		doc.Item(c.T("pdf.item.number", i+1), q)
	}
	if u := strings.TrimSpace(s.Urgency); u != "" {
		doc.Field(c.T("cover.label.urgent"), u)
	}
	if s.Clinical != nil {
		writeClinical(doc, c, s.Clinical)
	}
	doc.Heading(c.T("cover.heading.plan"))
	if p := strings.TrimSpace(s.ProposedPlan); p != "" {
		doc.Paragraph(p)
	} else {
		doc.Paragraph(c.T("cover.no_plan"))
	}

	// 2. Who.
	doc.Heading(c.T("cover.heading.patient"))
	switch level {
	case privacy.Identified:
		doc.Field(c.T("pdf.label.name"), orDash(s.Patient.Name))
		doc.Field(c.T("pdf.label.birth_date"), s.Patient.BirthDate)
		doc.Field(c.T("pdf.label.sex"), s.Patient.Sex)
		doc.Field(c.T("pdf.label.hospital_number"), s.Patient.ID)
	case privacy.Pseudonymised:
		doc.Field(c.T("cover.label.pseudonym"), orDash(s.Patient.Name))
		doc.Field(c.T("pdf.label.sex"), s.Patient.Sex)
		if len(s.SentNamed) == 0 {
			doc.Small(c.T("cover.identity_withheld"))
		}
	default:
		name := strings.TrimSpace(s.Patient.Name)
		if name == "" || strings.EqualFold(name, privacy.AnonymousName) {
			name = c.T("cover.anonymous")
		}
		doc.Field(c.T("pdf.label.patient"), name)
		doc.Field(c.T("pdf.label.sex"), s.Patient.Sex)
		if len(s.SentNamed) == 0 {
			doc.Small(c.T("cover.identity_removed"))
		}
	}
	if level != privacy.Identified {
		if len(s.SentNamed) > 0 {
			doc.Small(c.T("cover.identity_sent", strings.Join(s.SentNamed, c.T("pdf.list.separator"))))
		}
		for _, r := range s.Redacted {
			if r.Places > 0 {
				doc.Small(c.N("cover.redacted", r.Places, r.Name, strings.Join(r.Kinds, c.T("pdf.list.separator"))))
			}
			if r.Boxes > 0 {
				doc.Small(c.N("cover.redacted_boxes", r.Boxes, r.Name))
			}
		}
	}
	if identified && s.Doctor.Name != "" {
		doc.Field(c.T("pdf.label.treating_doctor"), joinNonEmpty(clause, s.Doctor.Name, s.Doctor.Hospital, s.Doctor.Phone, s.Doctor.Email))
	}

	// 3. What.
	doc.Heading(c.T("cover.heading.diagnosis"))
	doc.Field(c.T("cover.label.cancer_type"), orDash(s.CancerType))
	doc.Field(c.T("cover.label.diagnosis"), s.Diagnosis)
	doc.Field(c.T("cover.label.diagnosed"), orDash(s.DiagnosisDate))
	doc.Field(c.T("cover.label.stage"), orDash(s.Stage))

	doc.Heading(c.T("cover.heading.timeline"))
	events := timeline(c, s)
	if len(events) == 0 {
		doc.Paragraph(c.T("cover.no_events"))
	}
	for _, e := range events {
		doc.Field(e.Date, e.What)
	}

	doc.Heading(c.T("cover.heading.biomarkers"))
	if len(s.Biomarkers) == 0 {
		doc.Paragraph(c.T("cover.no_biomarkers"))
	}
	for _, b := range s.Biomarkers {
		doc.Field(orDash(b.Marker), biomarkerText(c, b))
	}

	// 4. What is here.
	doc.Heading(c.T("cover.heading.contents"))
	studies := slices.Clone(s.Studies)
	slices.SortStableFunc(studies, func(a, b Study) int {
		return cmp.Or(cmp.Compare(strings.Join(a.Modalities, "/"), strings.Join(b.Modalities, "/")), cmp.Compare(a.Date, b.Date))
	})
	images := 0
	for _, st := range studies {
		images += st.Images
	}
	doc.Subheading(c.T("cover.scans", c.N("cover.count.study", len(studies)), c.N("cover.count.image", images)))
	if len(studies) == 0 {
		doc.Small(c.T("cover.no_scans"))
	}
	for _, st := range studies {
		doc.Field(studyLabel(st), studyText(c, st))
	}
	nrep := 0
	for _, g := range s.Reports {
		nrep += len(g.Names)
	}
	doc.Subheading(c.T("cover.reports", c.N("cover.count.document", nrep)))
	if nrep == 0 {
		doc.Small(c.T("cover.no_reports"))
	}
	for _, g := range s.Reports {
		label := g.Category
		if key := "cover.category." + string(g.CategoryID); c.Lang() != i18n.English && g.CategoryID != "" && c.Has(key) {
			label = c.T(key)
		}
		doc.Field(c.T("cover.report_group", orDash(label), len(g.Names)), strings.Join(g.Names, list))
	}
	doc.Subheading(c.T("cover.slides", c.N("cover.count.slide_scan", len(s.Slides))))
	if len(s.Slides) == 0 {
		doc.Small(c.T("cover.no_slides"))
	}
	for _, sl := range s.Slides {
		doc.Field(orDash(sl.Name), slideText(c, sl))
	}

	// 5. What is not here.
	doc.Heading(c.T("cover.heading.missing"))
	missing := slices.Clone(s.Missing)
	slices.SortStableFunc(missing, func(a, b Missing) int {
		return cmp.Or(boolFirst(!a.Waived, !b.Waived), boolFirst(a.Required, b.Required))
	})
	if len(missing) == 0 {
		doc.Paragraph(c.T("cover.nothing_missing"))
	}
	for _, m := range missing {
		status := c.T("cover.missing.required")
		switch {
		case m.Waived:
			status = c.T("cover.missing.waived")
		case !m.Required:
			status = c.T("cover.missing.if_available")
		}
		what := m.What
		if t := rt.Rule(m.RuleID).Title; t != "" {
			what = t
		}
		doc.Item("-", c.T("cover.missing.item", orDash(what), status))
		r := strings.TrimSpace(m.Reason)
		if r == NotFound {
			r = c.T("cover.missing.not_found")
		}
		if r != "" {
			doc.SubItem(r)
		}
	}

	doc.Heading(c.T("cover.heading.shipped"))
	if len(s.Shipments) == 0 {
		doc.Paragraph(c.T("cover.nothing_shipped"))
	}
	for _, sh := range s.Shipments {
		doc.Field(shipmentKind(c, sh.Kind), shipmentText(c, sh))
	}

	doc.Heading(c.T("cover.heading.left_out"))
	if len(s.LeftOut) == 0 {
		doc.Paragraph(c.T("cover.nothing_left_out"))
	}
	for _, l := range s.LeftOut {
		doc.Field(orDash(c.Text(l.Name)), orDash(c.Text(l.Reason)))
	}

	// 6. About the bundle.
	doc.Heading(c.T("cover.heading.privacy"))
	doc.Paragraph(c.T("cover.level." + string(level) + ".words"))
	if level != privacy.Identified && len(s.SentNamed) > 0 {
		// The level's words promise what the sender chose not to keep.
		doc.Paragraph(c.T("cover.identity_sent", strings.Join(s.SentNamed, c.T("pdf.list.separator"))))
	}

	doc.Heading(c.T("cover.heading.fingerprint"))
	if fp := FingerprintGroups(s.Fingerprint); fp != "" {
		// Eight groups a line, to read aloud line by line.
		groups := strings.Fields(fp)
		var lines []string
		for len(groups) > 8 {
			lines = append(lines, strings.Join(groups[:8], " "))
			groups = groups[8:]
		}
		doc.Large(strings.Join(append(lines, strings.Join(groups, " ")), "\n"))
		doc.Small(c.T("cover.fingerprint.read_aloud"))
	} else {
		doc.Paragraph(c.T("cover.fingerprint.not_given"))
	}
	doc.Field(c.T("cover.label.created"), c.DateTime(created))
	doc.Small(c.T("pdf.prepared"))
	if err := doc.Render(ctx, w); err != nil {
		return fmt.Errorf("cover summary: %w", err)
	}
	return nil
}

// timeline merges the caller's events with the dates the summary knows.
func timeline(c *i18n.Catalog, s Summary) []Event {
	var out []Event
	for _, e := range s.Timeline {
		if strings.TrimSpace(e.Date) != "" && strings.TrimSpace(e.What) != "" {
			out = append(out, e)
		}
	}
	clause := c.T("pdf.clause.separator")
	if s.DiagnosisDate != "" {
		what := c.T("cover.event.diagnosis")
		if d := joinNonEmpty(clause, s.Diagnosis, stageText(c, s.Stage)); d != "" {
			what = c.T("cover.event.diagnosis_detail", d)
		}
		out = append(out, Event{Date: s.DiagnosisDate, What: what})
	}
	for _, st := range s.Studies {
		if st.Date != "" {
			what := c.T("cover.event.scan")
			if m := strings.Join(st.Modalities, "/"); strings.TrimSpace(m) != "" {
				what = c.T("cover.event.scan_detail", m)
			}
			if strings.TrimSpace(st.Description) != "" {
				what = c.T("cover.event.detail", what, st.Description)
			}
			out = append(out, Event{Date: st.Date, What: what})
		}
	}
	for _, sh := range s.Shipments {
		if sh.Sent != "" {
			what := c.T("cover.event.sent", shipmentKind(c, sh.Kind))
			if strings.TrimSpace(sh.Courier) != "" {
				what = c.T("cover.event.sent_by", shipmentKind(c, sh.Kind), sh.Courier)
			}
			out = append(out, Event{Date: sh.Sent, What: what})
		}
	}
	slices.SortStableFunc(out, func(a, b Event) int { return cmp.Compare(a.Date, b.Date) })
	return out
}

func biomarkerText(c *i18n.Catalog, b Biomarker) string {
	where := ""
	if len(b.Documents) > 0 {
		where = c.T("cover.biomarker.reported_in", strings.Join(b.Documents, c.T("pdf.list.separator")))
	}
	switch {
	case b.Result != "" && where != "":
		return c.T("cover.biomarker.result_where", b.Result, where)
	case b.Result != "":
		return b.Result
	case where != "":
		return where
	}
	return c.T("cover.biomarker.not_found")
}

func studyLabel(st Study) string {
	return joinNonEmpty(" ", orDash(st.Date), strings.Join(st.Modalities, "/"))
}

func studyText(c *i18n.Catalog, st Study) string {
	text := joinNonEmpty(c.T("pdf.clause.separator"), st.Description, c.N("cover.count.series", st.Series), c.N("cover.count.image", st.Images))
	if strings.TrimSpace(st.Folder) != "" {
		text += c.T("cover.study.folder", st.Folder)
	}
	return text
}

func slideText(c *i18n.Catalog, sl Slide) string {
	var parts []string
	if sl.Vendor != "" {
		parts = append(parts, c.T("cover.slide.vendor", sl.Vendor))
	}
	if sl.Levels > 0 {
		parts = append(parts, c.N("cover.count.level", sl.Levels))
	}
	if sl.Width > 0 && sl.Height > 0 {
		parts = append(parts, c.T("cover.slide.pixels", sl.Width, sl.Height))
	}
	return orDash(strings.Join(parts, c.T("pdf.clause.separator")))
}

func shipmentKind(c *i18n.Catalog, kind string) string {
	switch kind {
	case checklist.ShipGlassSlides:
		return c.T("cover.ship.glass_slides")
	case checklist.ShipBlocks:
		return c.T("cover.ship.blocks")
	case checklist.ShipImagingDisc:
		return c.T("cover.ship.imaging_disc")
	case "", checklist.ShipOther:
		return c.T("cover.ship.other")
	}
	return kind
}

func shipmentText(c *i18n.Catalog, sh checklist.Shipment) string {
	parts := []string{sh.Description}
	if sh.Courier != "" {
		parts = append(parts, c.T("cover.ship.courier", sh.Courier))
	}
	if sh.Tracking != "" {
		parts = append(parts, c.T("cover.ship.tracking", sh.Tracking))
	} else {
		parts = append(parts, c.T("cover.ship.no_tracking"))
	}
	if sh.Sent != "" {
		parts = append(parts, c.T("cover.ship.sent", sh.Sent))
	}
	return joinNonEmpty(c.T("pdf.clause.separator"), parts...)
}

func stageText(c *i18n.Catalog, stage string) string {
	if stage == "" {
		return ""
	}
	return c.T("cover.stage", strings.TrimPrefix(strings.TrimPrefix(stage, "stage "), "Stage "))
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

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
