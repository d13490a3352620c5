// Package export is what the desktop app and the command line share to send
// a case: the person's choices (Choices) and the one entry point that turns
// them into a bundle (Send), the privacy parameters of the case, the bundle
// with its cover summary, the audit row, and the one table that says what
// an error means to a person (Explain). It ties packager/bundle to the
// checklist and the case store.
//
// Errors follow the rule of Dossier's packages: low-level packages (the
// formats and primitives: envelope, dicomwire, atomicfile, ...) prefix their
// errors with the package name ("envelope: ..."), for whoever reads a log;
// user-facing packages (this one, and the front ends in ui) return
// sentences a person can read, marked with i18n.Msg so that each front end
// shows them in its language, and leave the rest to Explain.
package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"dossier/packager/bundle"
	"dossier/packager/checklist"
	"dossier/packager/cover"
	"dossier/packager/deid"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/privacy"
	"dossier/packager/store"
	"dossier/packager/summary"
)

// Store is the part of the case store an export uses.
type Store interface {
	Pseudonym(ctx context.Context, caseID int64) (string, []byte, error)
	AddExport(ctx context.Context, e *store.Export) error
}

// Request is one export of a case.
type Request struct {
	CaseID    int64
	Inventory *intake.Inventory
	Rules     *checklist.Rules
	Report    *checklist.Report
	Details   checklist.Details
	Level     privacy.Level
	Output    bundle.Output
	// Include lists items needing review that the user chose to send.
	Include map[string]bool
	// Redactions holds the boxes the user confirmed, by item path.
	Redactions map[string]*deid.Redactions
	// ConvertHEIC is the user's consent to convert HEIC photos whose
	// metadata cannot be removed in place to JPEG.
	ConvertHEIC bool
	// NoRedact holds documents whose text names the patient for review
	// instead of redacting them (--no-redact).
	NoRedact bool
	// Recipient describes who can open it ("generated passphrase", a
	// centre's name, ...), for the README and the audit row.
	Recipient string
	// Language is the language of the cover summary (a tag packager/i18n
	// has: "en", "zh-Hans"); empty is English.
	Language string
	// Clinical is the clinical summary read from the case's reports, for
	// the cover; Pack reads it when nil.
	Clinical *summary.Summary
	// Checks are what the patient or their staff said about the facts
	// (confirmed or corrected), applied wherever the facts are shown; Pack
	// reads the case's from the store when nil.
	Checks []summary.Check
	// clinicalDocs are the documents Pack read it from: the cover's
	// summary is read again from those that went into the bundle.
	clinicalDocs []summary.Document
	Progress     func(bundle.Progress)
}

// Result is what an export did.
type Result struct {
	*bundle.Result
	// Pseudonym is the case pseudonym the records carry (pseudonymised).
	Pseudonym string `json:"pseudonym,omitempty"`
	Recipient string `json:"recipient"`
	// Passphrase is the passphrase Dossier made (Send with LockGenerated):
	// it is shown only now, and never stored.
	Passphrase string `json:"passphrase,omitempty"`
	// Output is where and how the bundle was written (Send).
	Output bundle.Output `json:"-"`
}

// factStore is a Store that keeps what was said about a case's facts.
type factStore interface {
	FactChecks(ctx context.Context, caseID int64) ([]summary.Check, error)
}

// Params prepares the privacy parameters of an export of a case: the
// stored pseudonym and secret when pseudonymised (made on first use), a
// one-time secret and date shift when anonymised.
func Params(ctx context.Context, st Store, level privacy.Level, caseID int64) (privacy.Params, string, error) {
	if level != privacy.Pseudonymised {
		p, err := privacy.NewParams(level, nil, "")
		return p, "", err
	}
	if st == nil || caseID == 0 {
		return privacy.Params{}, "", errors.New(i18n.Msg("A pseudonymised export needs a saved case (its pseudonym is kept with it)."))
	}
	pseudonym, secret, err := st.Pseudonym(ctx, caseID)
	if err != nil {
		return privacy.Params{}, "", err
	}
	p, err := privacy.NewParams(level, secret, pseudonym)
	return p, pseudonym, err
}

// Pack writes the bundle of a case with its cover summary and records the
// export in the audit trail (when st is not nil). If only the recording
// fails, Pack returns the Result together with an error wrapping
// ErrNotRecorded.
func Pack(ctx context.Context, st Store, req Request) (*Result, error) {
	if _, err := i18n.Load(req.Language); err != nil {
		return nil, err
	}
	params, pseudonym, err := Params(ctx, st, req.Level, req.CaseID)
	if err != nil {
		return nil, err
	}
	// The cover comes last: its fonts are installed while the rest is
	// planned and written.
	cover.PrepareFonts()
	if fs, ok := st.(factStore); ok && req.Checks == nil && req.CaseID != 0 {
		if req.Checks, err = fs.FactChecks(ctx, req.CaseID); err != nil {
			return nil, err
		}
	}
	if req.Clinical == nil {
		cl, docs, err := summary.FromInventory(ctx, req.Inventory, doctext.Options{})
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		cl = summary.Apply(cl, req.Checks)
		req.Clinical = cl // nil when the reports could not be read: no clinical section
		req.clinicalDocs = docs
		if cl != nil {
			// The cover's diagnosis, stage and plan come from the records
			// where the patient gave none (a plan that names the patient is
			// not taken at the private levels).
			plan, _ := summary.ProposedPlan(ctx, docs)
			if plan != nil && req.Level != privacy.Identified {
				if m := WithDetails(req.Inventory, req.Details).Identity.Matcher(); !m.Empty() && len(m.FindAll(plan.Text)) > 0 {
					plan = nil
				}
			}
			req.Details = checklist.PrefillFromSummary(req.Details, cl, plan, req.Rules)
		}
	}
	categories := map[string]string{}
	if req.Report != nil {
		for _, d := range req.Report.Documents {
			categories[d.Path] = string(d.Category)
		}
	}
	inv := WithDetails(req.Inventory, req.Details)
	// INDEX.HTM gives the question as the cover does: scrubbed of identity at the private levels.
	index := cover.Summary{Questions: nonEmptyLines(req.Details.Questions)}
	if req.Level != privacy.Identified {
		scrubSummary(&index, inv.Identity.Matcher())
	}
	res, err := bundle.Pack(ctx, inv, req.Output, bundle.Options{
		Index:      indexText(req, params, inv, index.Questions),
		Params:     params,
		Include:    req.Include,
		Redactions: req.Redactions,
		Categories: categories,
		Recipient:  req.Recipient,
		Cover: func(ctx context.Context, w io.Writer, info bundle.CoverInfo) error {
			s := Summary(req, info, params)
			if req.Level != privacy.Identified {
				scrubSummary(&s, inv.Identity.Matcher())
			}
			return cover.WriteSummary(ctx, w, s)
		},
		Progress: req.Progress,

		ConvertHEIC: req.ConvertHEIC,
		NoRedact:    req.NoRedact,
		Language:    req.Language,
	})
	if err != nil {
		return nil, err
	}
	out := &Result{Result: res, Pseudonym: pseudonym, Recipient: req.Recipient}
	if st != nil {
		if err := st.AddExport(ctx, auditRow(req.CaseID, req.Recipient, res)); err != nil {
			// The bundle is complete: return it with the error, so that the
			// passphrase is still shown and nothing has to be sent twice.
			return out, fmt.Errorf("%w: %w", ErrNotRecorded, err)
		}
	}
	return out, nil
}

// WithDetails returns inv with the patient's identity from the case
// details (name, birth date, ID) added to what the records carry, so that
// the export also looks for what only the user told Dossier. inv itself is
// not changed.
func WithDetails(inv *intake.Inventory, d checklist.Details) *intake.Inventory {
	return WithIdentity(inv, func(s *identity.Set) {
		s.Add(identity.Name, d.Patient.Name, SourceDetails)
		s.Add(identity.BirthDate, d.Patient.BirthDate, SourceDetails)
		s.Add(identity.ID, d.Patient.ID, SourceDetails)
	})
}

// SourceDetails is the source of identity the user gave in the case
// details (or on the command line).
const SourceDetails = "case details"

// WithIdentity returns a copy of inv whose identity is the records' plus
// what add adds; inv itself is not changed.
func WithIdentity(inv *intake.Inventory, add func(*identity.Set)) *intake.Inventory {
	if inv == nil {
		inv = &intake.Inventory{}
	}
	out := *inv
	out.Identity = identity.NewSet()
	if inv.Identity != nil {
		out.Identity.Merge(inv.Identity)
	}
	add(out.Identity)
	return &out
}

// ErrNotRecorded is returned, with the complete Result, when the bundle was
// written but its audit row could not be stored.
var ErrNotRecorded = errors.New(i18n.Msg("The bundle was written, but recording it in the export history failed."))

// Summary builds the cover summary of a case for a bundle, with only what
// the privacy level allows: at private levels the pseudonym stands in for
// the patient, the doctor is left out, and files appear by their names in
// the bundle only; at the anonymised level the user's dates are shifted
// like the images' and courier tracking numbers are left out (a courier
// could trace them back to the sender).
func Summary(req Request, info bundle.CoverInfo, p privacy.Params) cover.Summary {
	name := func(path string) string { return info.Names[path] }
	d := req.Details
	s := cover.Summary{
		Language:      req.Language,
		Level:         info.Level,
		Created:       info.Created,
		Fingerprint:   info.Fingerprint,
		Questions:     d.Questions,
		ProposedPlan:  d.ProposedPlan,
		Diagnosis:     d.Diagnosis,
		DiagnosisDate: d.DiagnosisDate,
		Stage:         d.Stage,
		Slides:        cover.SlidesFrom(req.Inventory, name),
		Shipments:     d.Shipments,
	}
	if req.Report != nil {
		rep := req.Report
		if info.Level == privacy.Anonymised {
			rep = rep.ShiftDates(func(d string) string { return orDash(shiftISO(p, d)) })
		}
		if local, err := checklist.Localize(rep, i18n.MustLoad(req.Language).Lang()); err == nil {
			rep = local
		}
		s.CancerType = rep.CancerName
		s.Reports = cover.ReportsFrom(req.Report.Documents, name)
		s.Biomarkers = cover.BiomarkersFrom(req.Rules, rep, name) // the labels in the cover's language
		s.Missing = agreeWithDetails(cover.MissingFrom(rep), req.Rules, d)
		if rep.Urgency.Urgent {
			s.Urgency = rep.Urgency.Message
		}
	}
	switch info.Level {
	case privacy.Identified:
		s.Patient, s.Doctor = d.Patient, d.Doctor
	case privacy.Pseudonymised:
		s.Patient = checklist.Patient{Name: p.Pseudonym, Sex: d.Patient.Sex}
	default:
		s.Patient = checklist.Patient{Name: privacy.AnonymousName, Sex: d.Patient.Sex}
		s.DiagnosisDate = shiftISO(p, d.DiagnosisDate)
		s.Shipments = nil
		for _, sh := range d.Shipments {
			sh.Tracking, sh.Sent = "", shiftISO(p, sh.Sent)
			s.Shipments = append(s.Shipments, sh)
		}
	}
	s.SentNamed = info.SentNamed
	s.Redacted = coverRedacted(info.Redacted, i18n.MustLoad(req.Language))
	for _, st := range info.Studies {
		s.Studies = append(s.Studies, cover.Study{Date: st.Date, Modalities: st.Modalities, Description: st.Description, Series: st.Series, Images: st.Images, Folder: st.Folder})
	}
	if clinical := req.Clinical; clinical != nil {
		if len(req.clinicalDocs) > 0 {
			// Only what the bundle holds: a fact read in a document left
			// out is shown from another document that says it too.
			var in []summary.Document
			for _, doc := range req.clinicalDocs {
				if name(doc.Path) != "" {
					in = append(in, doc)
				}
			}
			if sent, err := summary.Read(context.Background(), in); err == nil {
				clinical = sent
			}
		}
		clinical = summary.Apply(clinical, req.Checks)
		if len(clinical.Diagnoses) > 0 && slices.Contains(d.FromRecords, checklist.RecordDiagnosis) {
			s.Diagnosis = clinical.Diagnoses[0].Describe(req.Language) // the cover's language
		}
		if len(clinical.Stages) > 0 && slices.Contains(d.FromRecords, checklist.RecordStage) {
			s.Stage = clinical.Stages[len(clinical.Stages)-1].Describe(req.Language)
		}
		o := cover.ClinicalOptions{Language: req.Language, Name: name, Private: info.Level != privacy.Identified, Studies: s.Studies}
		if o.Private {
			o.Identity = WithDetails(req.Inventory, d).Identity.Matcher()
		}
		if info.Level == privacy.Anonymised {
			o.ShiftDate = func(d string) string { return shiftISO(p, d) }
		}
		s.Clinical = cover.ClinicalFrom(clinical, o)
	}
	for _, l := range info.LeftOut {
		s.LeftOut = append(s.LeftOut, cover.LeftOut{Name: l.What, Reason: l.Why})
	}
	return s
}

// agreeWithDetails drops from missing the items the details carry: the
// question and the proposed plan, which the cover shows, may have been
// written after the checklist was last evaluated (dossier pack --question,
// or typing just before sending), and a cover that lists "Your question
// for the reviewer" as missing above the question contradicts itself.
func agreeWithDetails(missing []cover.Missing, rules *checklist.Rules, d checklist.Details) []cover.Missing {
	has := map[string]bool{
		checklist.FieldQuestion: len(nonEmptyLines(d.Questions)) > 0,
		checklist.FieldPlan:     strings.TrimSpace(d.ProposedPlan) != "",
	}
	if rules == nil {
		rules, _ = checklist.Default()
	}
	out := missing[:0:0]
	for _, m := range missing {
		field := ""
		if rules != nil {
			if r, ok := rules.Rule(m.RuleID); ok && r.Check.Kind == "details" {
				field = r.Check.Field
			}
		}
		if has[field] && !m.Waived {
			continue
		}
		out = append(out, m)
	}
	return out
}

func nonEmptyLines(list []string) []string {
	var out []string
	for _, s := range list {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// shiftISO shifts a YYYY-MM-DD date by the export's date shift; a partial
// or unreadable date is left out rather than shown unshifted.
// orDash is s, or "-" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func shiftISO(p privacy.Params, date string) string {
	if date == "" {
		return ""
	}
	shifted, ok := p.ShiftDate(strings.ReplaceAll(date, "-", ""))
	if !ok {
		return ""
	}
	return shifted[:4] + "-" + shifted[4:6] + "-" + shifted[6:]
}

func auditRow(caseID int64, recipient string, res *bundle.Result) *store.Export {
	e := &store.Export{CaseID: caseID, Created: res.Created, Recipient: recipient, Level: string(res.Privacy), Name: res.Name,
		Fingerprint: res.Fingerprint, Bytes: res.OutputBytes, Files: res.Files}
	for _, it := range res.Items {
		e.Items = append(e.Items, store.ExportItem{Path: it.Path, Name: it.Name, Bytes: it.Bytes, SHA256: it.SHA256})
	}
	return e
}

// coverRedacted lists, for the cover, what was removed from each redacted
// document: the places by kind of identity, in the cover's language, and
// the areas the sender blacked out with boxes; counts, never the values.
func coverRedacted(red map[string][]deid.Redaction, c *i18n.Catalog) []cover.Redacted {
	names := make([]string, 0, len(red))
	for n := range red {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []cover.Redacted
	for _, n := range names {
		r := cover.Redacted{Name: n[strings.LastIndex(n, "/")+1:]}
		for _, k := range red[n] {
			switch k.Kind {
			case deid.KindPictureBoxes, deid.KindBoxesMarked:
				r.Boxes += k.Count // the areas the sender blacked out
				continue
			case "glyphs", "boxes", "pictures masked", "frames":
				continue // how, not what
			}
			r.Places += k.Count
			r.Kinds = append(r.Kinds, fmt.Sprintf("%s %d", c.Message(deid.KindName(identity.Kind(k.Kind))), k.Count))
		}
		if r.Places > 0 || r.Boxes > 0 {
			out = append(out, r)
		}
	}
	return out
}
