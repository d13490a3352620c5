package checklist

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"dossier/packager/i18n"
)

// Note is one sentence of a result's note, or of the report's identity
// findings: a message format marked with i18n.Msg and its values, so
// it can be written in any language the messages are translated into.
// Lists of values are i18n.List.
type Note = i18n.Text

// note adds a sentence to the result's note.
func (r *Result) note(format string, args ...any) {
	r.Notes = append(r.Notes, i18n.NewText(format, args...))
}

// notePlural adds a counted note: one is its format for a count of one,
// other for any other count (i18n.Plural).
func (r *Result) notePlural(n int, one, other string, args ...any) {
	r.Notes = append(r.Notes, i18n.Plural(n, one, other, args...))
}

// Note writes the result's notes one after the other, in the language of
// the report it is part of (see Localize), else in English.
func (r Result) Note() string {
	c := r.lang
	if c == nil {
		c = i18n.MustLoad(i18n.English)
	}
	return notesIn(c, r.Notes, c.T("pdf.sentence.separator"))
}

// MarshalJSON writes the result with its note in English ("note").
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	r.lang = nil
	return json.Marshal(struct {
		plain
		Note string `json:"note,omitempty"`
	}{plain(r), r.Note()})
}

// The sentences of the checklist's notes.
var (
	noteDocumentsCount   = i18n.Msg("%d of the %d documents needed are here.")
	noteNotFoundHere     = i18n.Msg("Not found in the reports here: %s.")
	noteUnreadableGive1  = i18n.Msg("%d document could not be read by Dossier (perhaps a scan). Check whether it gives %s; if so, you can mark this as done.")
	noteUnreadableGive   = i18n.Msg("%d documents could not be read by Dossier (perhaps scans). Check whether they give %s; if so, you can mark this as done.")
	noteNotMentioned     = i18n.Msg("The reports here do not mention %s.")
	noteUnreadableToo1   = i18n.Msg("%d document could not be read; check it too.")
	noteUnreadableToo    = i18n.Msg("%d documents could not be read; check them too.")
	noteReportNoImages   = i18n.Msg("A written radiology report is here, but not the images themselves.")
	notePicturesNotDICOM = i18n.Msg("Pictures or PDFs of scans are here; the reviewer needs the original DICOM files.")
	noteNoDICOM          = i18n.Msg("No DICOM images of this kind (%s) were found.")
	noteStudiesCount     = i18n.Msg("%d of the %d studies needed are here.")
	noteSeriesCount      = i18n.Msg("Only %d series (%s) are here; at least %d are needed.")
	noteNoScanDate       = i18n.Msg("The date of the scans could not be read.")
	noteScanOld          = i18n.Msg("The newest scan here is from %v, more than %d days ago.")
	noteNoSlides         = i18n.Msg("No slide scans were found, and no shipment of glass slides is noted.")
	noteUntracked        = i18n.Msg("A shipment is noted, but without a courier and tracking number. Add them so the centre can match the parcel.")
	noteDoctorContact    = i18n.Msg("Add a phone number, e-mail or address for your doctor.")
	noteFromRecords      = i18n.Msg("Taken from your scans; please check it.")
	noteNameAndBirth     = i18n.Msg("Give both your full name and your date of birth.")

	noteSeveralPeople = i18n.Msg("The scans name %d different people. Check that every scan is yours before sending.")
	noteNameDiffers   = i18n.Msg("A name in the scans is spelt differently from the name you gave. The centre may ask about it.")
	noteBirthDiffers  = i18n.Msg("A date of birth in the scans differs from the one you gave. The centre may ask about it.")
)

// The evidence lines of a noted shipment.
var (
	labelShipped         = i18n.Msg("shipped: %s")
	labelCourier         = i18n.Msg("shipped: %s by %v")
	labelTracking        = i18n.Msg("shipped: %s, tracking %v")
	labelCourierTracking = i18n.Msg("shipped: %s by %v, tracking %v")
)

// shipmentWords are the kinds of shipped item in words.
var shipmentWords = map[string]string{
	ShipGlassSlides: i18n.Msg("glass slides"),
	ShipBlocks:      i18n.Msg("tissue blocks"),
	ShipImagingDisc: i18n.Msg("imaging disc"),
	ShipOther:       i18n.Msg("other items"),
}

// Localize returns the report in a language: the rules' texts and the
// cancer type's name from the checklist's translation (Texts), the notes,
// the markers not found, the identity findings and the guidance from the
// message translations (packager/i18n). What has no translation stays in
// English; the report itself is not changed. English returns rep.
func Localize(rep *Report, lang string) (*Report, error) {
	if rep == nil {
		return nil, nil
	}
	c, err := i18n.Load(lang)
	if err != nil {
		return nil, fmt.Errorf("checklist: %w", err)
	}
	if c.Lang() == i18n.English {
		return rep, nil
	}
	t, err := Texts(c.Lang())
	if err != nil {
		return nil, err
	}
	sep := c.T("pdf.sentence.separator")
	out := *rep
	out.Rules = make([]Result, len(rep.Rules))
	for i, r := range rep.Rules {
		rt := t.Rule(r.ID)
		r.Title = cmpOr(rt.Title, r.Title)
		r.Why = cmpOr(rt.Why, r.Why)
		r.Advice = cmpOr(rt.Advice, r.Advice)
		r.Request = cmpOr(rt.Request, r.Request)
		r.lang = c
		r.Missing = messages(c, r.Missing)
		r.Evidence = shipmentLines(c, r)
		out.Rules[i] = r
	}
	out.CancerName = cmpOr(t.Cancer(rep.Cancer), rep.CancerName)
	out.Urgency.Message = c.Message(rep.Urgency.Message)
	out.Remote = c.Message(rep.Remote)
	if len(rep.inPerson) > 0 {
		out.InPerson = strings.Join(messages(c, rep.inPerson), sep)
	}
	out.lang = c
	return &out, nil
}

// IdentityLines writes the report's identity mismatches (Identity) in the
// language Localize wrote the report in, one sentence each.
func (r *Report) IdentityLines() []string {
	c := r.lang
	if c == nil {
		c = i18n.MustLoad(i18n.English)
	}
	out := make([]string, len(r.Identity))
	for i, n := range r.Identity {
		out[i] = c.Text(n)
	}
	return out
}

// ShiftDates returns the report with every date its notes name (such as
// the newest scan's) passed through shift, for a cover whose dates are
// moved: a true date beside shifted ones would give the shift away. The
// report itself is not changed.
func (r *Report) ShiftDates(shift func(iso string) string) *Report {
	out := *r
	out.Rules = make([]Result, len(r.Rules))
	for i, res := range r.Rules {
		if notes := res.Notes; len(notes) > 0 {
			res.Notes = nil
			for _, n := range notes {
				args := slices.Clone(n.Args)
				for k, a := range args {
					if d, ok := a.(string); ok && isISODate(d) {
						args[k] = shift(d)
					}
				}
				res.note(n.Format, args...)
			}
		}
		out.Rules[i] = res
	}
	return &out
}

// isISODate reports whether s is a date written YYYY-MM-DD.
func isISODate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// notesIn writes notes in a catalog's language, joined by sep.
func notesIn(c *i18n.Catalog, notes []Note, sep string) string {
	parts := make([]string, len(notes))
	for i, n := range notes {
		parts[i] = c.Text(n)
	}
	return strings.Join(parts, sep)
}

// messages translates each text (i18n.Catalog.Message); texts it does not
// know, such as file paths, stay as they are.
func messages(c *i18n.Catalog, texts []string) []string {
	if texts == nil {
		return nil
	}
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i] = c.Message(s)
	}
	return out
}

// shipmentLines writes the evidence lines that are noted shipments in a
// catalog's language; the others are file paths, shown as they are.
func shipmentLines(c *i18n.Catalog, r Result) []string {
	if r.Evidence == nil {
		return nil
	}
	out := slices.Clone(r.Evidence)
	for _, s := range r.shipments {
		if s.at < len(out) {
			out[s.at] = c.Text(s.text)
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
