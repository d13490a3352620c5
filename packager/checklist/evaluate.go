package checklist

import (
	"slices"
	"sort"
	"strings"
	"time"

	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/summary"
)

// Status is how far a rule is satisfied.
type Status string

// The statuses of a rule.
const (
	StatusMet     Status = "met"
	StatusPartial Status = "partial"
	StatusMissing Status = "missing"
	StatusWaived  Status = "waived"
)

// Case is what a checklist is evaluated against.
type Case struct {
	// Cancer is a cancer type id or alias; empty uses Details.Cancer, then
	// "other".
	Cancer    string
	Inventory *intake.Inventory
	Documents []Document
	Details   Details
	Waivers   []Waiver
	// Summary is the facts read from the reports (packager/summary), for
	// the rules of kind "facts"; nil when not read.
	Summary *summary.Summary
	// Now is the date recency is measured from (default: today).
	Now time.Time
}

// Result is one rule's outcome.
type Result struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   Status `json:"status"`
	Required bool   `json:"required"`
	// Evidence lists the paths of the items that satisfy the rule (or part
	// of it).
	Evidence []string `json:"evidence"`
	Advice   string   `json:"advice"`
	Why      string   `json:"why"`
	// Notes explain a partial or missing status, e.g. which markers were
	// not found: sentences kept as format and values, written one after
	// the other by Result.Note.
	Notes []Note `json:"-"`
	// Missing lists what was not found (keywords, counts).
	Missing []string `json:"missing,omitempty"`
	// WaiverReason is set when the rule was waived.
	WaiverReason string `json:"waiverReason,omitempty"`
	// lang is the language Localize wrote the result in (nil: English).
	lang *i18n.Catalog
	// shipments are the evidence lines that are noted shipments.
	shipments []evidenceText
	// Request is the letter wording (empty for things only the patient gives).
	Request string `json:"-"`
}

// Urgency is the guidance on how fast an opinion is needed.
type Urgency struct {
	// Urgent is true for fast-moving diagnoses or when the user said so.
	Urgent  bool   `json:"urgent"`
	Message string `json:"message"`
}

// Report is the evaluated checklist of a case.
type Report struct {
	Cancer     string   `json:"cancer"`
	CancerName string   `json:"cancerName"`
	Rules      []Result `json:"rules"`
	// Complete is true when every required rule is met or waived.
	Complete bool `json:"complete"`
	// Counts of rules by status.
	Met     int     `json:"met"`
	Partial int     `json:"partial"`
	Missing int     `json:"missing"`
	Waived  int     `json:"waived"`
	Urgency Urgency `json:"urgency"`
	// Remote and InPerson are the considerations for choosing how the
	// opinion is given.
	Remote   string `json:"remote"`
	InPerson string `json:"inPerson"`
	// inPerson are the parts of InPerson: the general advice and the
	// cancer type's own.
	inPerson []string
	// Identity lists mismatches between the details and the records, kept
	// as texts: IdentityLines writes them in the report's language.
	Identity  []Note     `json:"identity"`
	Documents []Document `json:"documents"`
	// lang is the catalog Localize wrote the report in (nil: English).
	lang *i18n.Catalog
}

// Outstanding returns the results that are missing or partial, required
// ones first.
func (r *Report) Outstanding() []Result {
	var out []Result
	for _, req := range []bool{true, false} {
		for _, res := range r.Rules {
			if res.Required == req && (res.Status == StatusMissing || res.Status == StatusPartial) {
				out = append(out, res)
			}
		}
	}
	return out
}

// Evaluate checks every rule that applies to the case's cancer type.
func (rs *Rules) Evaluate(c *Case) (*Report, error) {
	name := c.Cancer
	if name == "" {
		name = c.Details.Cancer
	}
	cancer, err := rs.Cancer(name)
	if err != nil {
		return nil, err
	}
	now := c.Now
	if now.IsZero() {
		now = time.Now()
	}
	inv := c.Inventory
	if inv == nil {
		inv = &intake.Inventory{}
	}
	waived := map[string]string{}
	for _, w := range c.Waivers {
		if strings.TrimSpace(w.Reason) != "" {
			waived[w.RuleID] = w.Reason
		}
	}
	mismatches := mismatchNotes(c.Details, inv)
	rep := &Report{Cancer: cancer.ID, CancerName: cancer.Name, Documents: c.Documents, Identity: mismatches}
	if rep.Documents == nil {
		rep.Documents = []Document{}
	}
	if rep.Identity == nil {
		rep.Identity = []Note{}
	}
	ev := evaluator{inv: inv, docs: c.Documents, details: c.Details, now: now, facts: c.Summary}
	rep.Complete = true
	for _, rule := range rs.For(cancer.ID) {
		if rule.Check.Kind == KindFacts && !ev.applies(rule.Check) {
			continue // e.g. no HER2 2+ result: no need for HER2 ISH
		}
		res := ev.evaluate(rule)
		if reason, ok := waived[rule.ID]; ok {
			res.Status, res.WaiverReason = StatusWaived, reason
		}
		if res.Evidence == nil {
			res.Evidence = []string{}
		}
		switch res.Status {
		case StatusMet:
			rep.Met++
		case StatusPartial:
			rep.Partial++
		case StatusMissing:
			rep.Missing++
		case StatusWaived:
			rep.Waived++
		}
		if rule.Required && res.Status != StatusMet && res.Status != StatusWaived {
			rep.Complete = false
		}
		rep.Rules = append(rep.Rules, res)
	}
	rep.Urgency = urgency(cancer, c.Details, rs.Guidance)
	rep.Remote = rs.Guidance.Remote
	rep.inPerson = []string{rs.Guidance.InPerson}
	if cancer.InPerson != "" {
		rep.inPerson = append(rep.inPerson, cancer.InPerson)
	}
	rep.InPerson = strings.Join(rep.inPerson, " ")
	return rep, nil
}

// markedUrgent is the guidance for a case the user marked as urgent.
var markedUrgent = i18n.Msg("You marked this case as urgent. Ask the centre for a fast remote review, and send what you have now rather than wait for every record.")

func urgency(c *Cancer, d Details, g Guidance) Urgency {
	switch {
	case c.Urgent:
		return Urgency{Urgent: true, Message: c.UrgencyNote}
	case d.Urgency == UrgencyUrgent:
		return Urgency{Urgent: true, Message: markedUrgent}
	}
	return Urgency{Message: g.Routine}
}

type evaluator struct {
	inv     *intake.Inventory
	docs    []Document
	details Details
	now     time.Time
	facts   *summary.Summary
}

func (e *evaluator) evaluate(rule Rule) Result {
	res := Result{ID: rule.ID, Title: rule.Title, Required: rule.Required, Advice: rule.Advice, Why: rule.Why, Request: rule.Request}
	switch rule.Check.Kind {
	case KindDocuments:
		e.documents(rule.Check, &res)
	case KindImaging:
		e.imaging(rule.Check, &res)
	case KindSlides:
		e.slides(&res)
	case KindShipment:
		e.shipment(rule.Check.Shipment, &res)
	case KindDetails:
		e.detailsField(rule.Check.Field, &res)
	case KindFacts:
		e.factsResults(rule.Check, &res)
	}
	return res
}

func (e *evaluator) documents(c Check, res *Result) {
	var cands []*Document
	for i := range e.docs {
		if e.docs[i].is(c.Categories) {
			cands = append(cands, &e.docs[i])
		}
	}
	need := max(c.Min, 1)
	if len(cands) == 0 {
		res.Status = StatusMissing
		return
	}
	if len(c.Keywords) == 0 {
		for _, d := range cands {
			res.Evidence = append(res.Evidence, d.Path)
		}
		res.Status = StatusMet
		if len(cands) < need {
			res.Status = StatusPartial
			res.note(noteDocumentsCount, len(cands), need)
		}
		return
	}
	found := map[string]bool{}
	evidence := map[string]bool{}
	unreadable := 0
	for _, d := range cands {
		if !d.HasText {
			unreadable++
			continue
		}
		for _, k := range c.Keywords {
			if d.mentions(k) {
				found[k] = true
				evidence[d.Path] = true
			}
		}
	}
	for _, d := range cands {
		if evidence[d.Path] {
			res.Evidence = append(res.Evidence, d.Path)
		}
	}
	for _, k := range c.Keywords {
		if !found[k] {
			res.Missing = append(res.Missing, strings.Split(k, "|")[0])
		}
	}
	switch {
	case len(res.Missing) == 0:
		res.Status = StatusMet
	case len(found) > 0:
		res.Status = StatusPartial
		res.note(noteNotFoundHere, i18n.List(res.Missing))
	case unreadable > 0:
		res.Status = StatusPartial
		res.notePlural(unreadable, noteUnreadableGive1, noteUnreadableGive, i18n.List(res.Missing))
	default:
		res.Status = StatusMissing
		res.note(noteNotMentioned, i18n.List(res.Missing))
	}
	if unreadable > 0 && res.Status == StatusPartial && len(found) > 0 {
		res.notePlural(unreadable, noteUnreadableToo1, noteUnreadableToo)
	}
}

// imaging counts DICOM studies and series of the wanted modalities. Only
// real DICOM counts: a radiology report, a photo or a PDF of a scan does not.
func (e *evaluator) imaging(c Check, res *Result) {
	type hit struct {
		date   string
		series int
		path   string
	}
	var studies []hit
	series := 0
	for _, st := range e.inv.Studies {
		n := 0
		for _, se := range st.Series {
			if slices.Contains(c.Modalities, se.Modality) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		series += n
		studies = append(studies, hit{date: st.Date, series: n, path: e.studyPath(st, c.Modalities)})
	}
	sort.SliceStable(studies, func(i, j int) bool { return studies[i].date > studies[j].date })
	for _, s := range studies {
		if s.path != "" {
			res.Evidence = append(res.Evidence, s.path)
		}
	}
	mods := i18n.List(modalityNames(c.Modalities))
	if len(studies) == 0 {
		res.Status = StatusMissing
		for _, d := range e.docs {
			if d.Category == doctext.CategoryRadiology {
				res.note(noteReportNoImages)
				break
			}
		}
		for _, p := range e.inv.Problems {
			if p.Code == intake.ProblemImagingNotDICOM {
				res.note(notePicturesNotDICOM)
				break
			}
		}
		res.note(noteNoDICOM, mods)
		return
	}
	needStudies, needSeries := max(c.MinStudies, 1), max(c.MinSeries, 1)
	switch {
	case len(studies) < needStudies:
		res.Status = StatusPartial
		res.note(noteStudiesCount, len(studies), needStudies)
	case series < needSeries:
		res.Status = StatusPartial
		res.note(noteSeriesCount, series, mods, needSeries)
	default:
		res.Status = StatusMet
	}
	if c.WithinDays > 0 && res.Status == StatusMet {
		newest := studies[0].date
		t, err := time.Parse("2006-01-02", newest)
		if err != nil || e.now.Sub(t) > time.Duration(c.WithinDays)*24*time.Hour {
			res.Status = StatusPartial
			if err != nil {
				res.note(noteNoScanDate)
			} else {
				res.note(noteScanOld, newest, c.WithinDays)
			}
		}
	}
}

// studyPath returns the first item path of a study of the wanted modalities.
func (e *evaluator) studyPath(st *intake.Study, mods []string) string {
	for _, it := range e.inv.Items {
		if it.Kind == intake.KindDICOM && it.StudyInstanceUID == st.StudyInstanceUID && slices.Contains(mods, it.Modality) {
			return it.Path
		}
	}
	return ""
}

// modalityWords are the modalities in words.
var modalityWords = map[string]string{"CT": "CT", "MR": "MRI", "PT": "PET", "NM": i18n.Msg("nuclear medicine"),
	"MG": i18n.Msg("mammogram"), "US": i18n.Msg("ultrasound"), "CR": i18n.Msg("X-ray"), "DX": i18n.Msg("X-ray"),
	"XA": i18n.Msg("angiography"), "RF": i18n.Msg("fluoroscopy"), "OT": i18n.Msg("other")}

func modalityNames(mods []string) []string {
	var out []string
	for _, m := range mods {
		out = append(out, modalityWords[m])
	}
	return out
}

func (e *evaluator) slides(res *Result) {
	for _, s := range e.inv.Slides {
		res.Evidence = append(res.Evidence, s.Path)
	}
	if len(res.Evidence) > 0 {
		res.Status = StatusMet
		return
	}
	e.shipment(ShipGlassSlides, res)
	if res.Status == StatusMissing {
		res.Notes = nil
		res.note(noteNoSlides)
	}
}

func (e *evaluator) shipment(kind string, res *Result) {
	res.Status = StatusMissing
	for _, s := range e.details.Shipments {
		if s.Kind != kind {
			continue
		}
		label := shipmentLabel(s)
		if s.Tracked() {
			res.Status = StatusMet
			res.shipped(label)
			res.Notes = nil
			return
		}
		res.Status = StatusPartial
		res.shipped(label)
		res.Notes = nil
		res.note(noteUntracked)
	}
}

// shipped adds a noted shipment to the evidence: its line in English, and
// the text to write it in another language (Localize).
func (r *Result) shipped(label i18n.Text) {
	r.shipments = append(r.shipments, evidenceText{len(r.Evidence), label})
	r.Evidence = append(r.Evidence, label.String())
}

// evidenceText is an evidence line that is a text, not a file path.
type evidenceText struct {
	at   int
	text i18n.Text
}

func shipmentLabel(s Shipment) i18n.Text {
	kind := shipmentWords[s.Kind]
	if kind == "" {
		kind = s.Kind
	}
	switch {
	case s.Courier != "" && s.Tracking != "":
		return i18n.NewText(labelCourierTracking, kind, s.Courier, s.Tracking)
	case s.Courier != "":
		return i18n.NewText(labelCourier, kind, s.Courier)
	case s.Tracking != "":
		return i18n.NewText(labelTracking, kind, s.Tracking)
	}
	return i18n.NewText(labelShipped, kind)
}

func (e *evaluator) detailsField(field string, res *Result) {
	d := e.details
	res.Status = StatusMissing
	switch field {
	case FieldQuestion:
		for _, q := range d.Questions {
			if strings.TrimSpace(q) != "" {
				res.Status = StatusMet
			}
		}
	case FieldPlan:
		if strings.TrimSpace(d.ProposedPlan) != "" {
			res.Status = StatusMet
		}
	case FieldDoctor:
		switch {
		case d.Doctor.Reachable():
			res.Status = StatusMet
		case strings.TrimSpace(d.Doctor.Name) != "":
			res.Status = StatusPartial
			res.note(noteDoctorContact)
		}
	case FieldIdentity:
		switch {
		case d.Patient.Name != "" && d.Patient.BirthDate != "":
			res.Status = StatusMet
			if m := mismatchNotes(d, e.inv); len(m) > 0 {
				res.Status = StatusPartial
				for _, n := range m {
					res.note(n.Format, n.Args...)
				}
			} else if d.Patient.FromRecords {
				res.note(noteFromRecords)
			}
		case d.Patient.Name != "" || d.Patient.BirthDate != "":
			res.Status = StatusPartial
			res.note(noteNameAndBirth)
		}
	case FieldCancer:
		if d.Cancer != "" && d.DiagnosisDate != "" {
			res.Status = StatusMet
		} else if d.Cancer != "" || d.DiagnosisDate != "" {
			res.Status = StatusPartial
		}
	}
}
