package cover

import (
	"cmp"
	"slices"
	"strings"

	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/summary"
)

// Clinical is the clinical summary on the cover: the facts read from the
// reports, already in the cover's language and fitting the privacy level,
// each with the bundle document and page it was read from and, beside it,
// the report's own words.
type Clinical struct {
	Diagnoses  []ClinicalFact
	Stages     []ClinicalFact
	Biomarkers []ClinicalMarker
	// Timeline merges the documents' dated events with the imaging
	// studies, in date order.
	Timeline []ClinicalFact
	// Conflicts are results that disagree, each in words.
	Conflicts []string
}

// ClinicalFact is one diagnosis, stage or event.
type ClinicalFact struct {
	What string
	Date string
	// Document is the document's name in the bundle ("DOC00002.PDF") or,
	// for an imaging study, its folder ("DICOM/ST000001").
	Document string
	Page     int
	// Quote is the report's words, as written (empty when withheld).
	Quote string
	// Checked says what the sender said about the fact: "" (nothing, it is
	// as read), CheckedConfirmed or CheckedCorrected.
	Checked string
}

// What the sender said about a fact read from the records.
const (
	CheckedConfirmed = "confirmed"
	CheckedCorrected = "corrected"
)

// checkedOf is a fact's Checked.
func checkedOf(c *summary.Checked) string {
	switch {
	case c == nil:
		return ""
	case c.Corrected:
		return CheckedCorrected
	}
	return CheckedConfirmed
}

// ClinicalMarker is one row of the biomarker table.
type ClinicalMarker struct {
	Marker, Result, Value, Method, Date string
	Document                            string
	Page                                int
	Quote                               string
	Checked                             string // as ClinicalFact's
}

// ClinicalOptions say how facts become cover rows.
type ClinicalOptions struct {
	// Language is the cover's language.
	Language string
	// Name gives a document's name in the bundle from its path; a fact of a
	// document not in the bundle is left out.
	Name func(path string) string
	// Private is true at the pseudonymised and anonymised levels: a quote
	// that names the patient (Identity) or carries a labelled identity
	// field (a birth date, a hospital number) is withheld, and dates in
	// quotes are hidden when ShiftDate is set.
	Private  bool
	Identity *identity.Matcher
	// ShiftDate moves a YYYY-MM-DD (or YYYY-MM) date as the level asks
	// (anonymised); nil leaves dates as they are.
	ShiftDate func(iso string) string
	// Studies are the bundle's imaging studies (dates as written into the
	// bundle), merged into the timeline.
	Studies []Study
}

// ClinicalFrom turns a summary into the cover's clinical section.
func ClinicalFrom(s *summary.Summary, o ClinicalOptions) *Clinical {
	if s == nil {
		s = &summary.Summary{}
	}
	lang := o.Language
	out := &Clinical{}
	date := func(d string) string {
		if d != "" && o.ShiftDate != nil {
			return o.ShiftDate(d)
		}
		return d
	}
	doc := func(src summary.Source) (string, bool) {
		if o.Name == nil {
			return "", false
		}
		n := o.Name(src.Path)
		return n, n != ""
	}
	for _, d := range s.Diagnoses {
		if n, ok := doc(d.Source); ok {
			out.Diagnoses = append(out.Diagnoses, ClinicalFact{What: d.Describe(lang), Date: date(d.Date), Document: n, Page: d.Source.Page, Quote: o.quote(d.Source.Quote), Checked: checkedOf(d.Checked)})
		}
	}
	for _, x := range s.Stages {
		if n, ok := doc(x.Source); ok {
			out.Stages = append(out.Stages, ClinicalFact{What: x.Describe(lang), Document: n, Page: x.Source.Page, Quote: o.quote(x.Source.Quote), Checked: checkedOf(x.Checked)})
		}
	}
	for _, b := range s.Biomarkers {
		if n, ok := doc(b.Source); ok {
			when := date(b.Date)
			if b.History {
				// An earlier result the report quotes, not its own.
				if when != "" {
					when = i18n.MustLoad(lang).T("cover.clinical.earlier", when)
				} else {
					when = i18n.MustLoad(lang).T("cover.clinical.earlier_undated")
				}
			}
			out.Biomarkers = append(out.Biomarkers, ClinicalMarker{Marker: b.Name, Result: summary.ResultText(b.Result, lang), Value: summary.ValueText(b.Value, lang),
				Method: b.Method, Date: when, Document: n, Page: b.Source.Page, Quote: o.quote(b.Source.Quote), Checked: checkedOf(b.Checked)})
		}
	}
	for _, e := range s.Events {
		if n, ok := doc(e.Source); ok {
			text := e.Text
			if o.Private {
				text = o.redact(text)
			}
			out.Timeline = append(out.Timeline, ClinicalFact{What: summary.KindText(e.Kind, lang) + ": " + text, Date: date(e.Date), Document: n, Page: e.Source.Page, Quote: o.quote(e.Source.Quote), Checked: checkedOf(e.Checked)})
		}
	}
	c := i18n.MustLoad(lang)
	for _, st := range o.Studies {
		if st.Date == "" {
			continue
		}
		what := c.T("cover.event.scan")
		if m := strings.Join(st.Modalities, "/"); strings.TrimSpace(m) != "" {
			what = c.T("cover.event.scan_detail", m)
		}
		if strings.TrimSpace(st.Description) != "" {
			what = c.T("cover.event.detail", what, st.Description)
		}
		out.Timeline = append(out.Timeline, ClinicalFact{What: summary.KindText(summary.KindImaging, lang) + ": " + what, Date: st.Date, Document: st.Folder})
	}
	slices.SortStableFunc(out.Timeline, func(a, b ClinicalFact) int { return cmp.Compare(a.Date, b.Date) })
	for _, x := range s.Conflicts {
		var parts []string
		for _, f := range x.Facts {
			n, ok := doc(f.Source)
			if !ok {
				continue
			}
			parts = append(parts, c.T("cover.clinical.conflict_part", f.Describe(lang), orDash(date(f.Date)), n))
		}
		if len(parts) > 1 {
			out.Conflicts = append(out.Conflicts, strings.Join(parts, " / "))
		}
	}
	return out
}

// quote returns a report's words for the cover: as written at the
// identified level; at private levels withheld when they carry a labelled
// identity field, with the patient's name or numbers and (anonymised) the
// dates hidden.
func (o ClinicalOptions) quote(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if !o.Private {
		return q
	}
	if len(identity.ReadLabels(q)) > 0 {
		return ""
	}
	return o.redact(q)
}

// redact hides the patient's identity and, when dates are shifted, the
// dates in a text.
func (o ClinicalOptions) redact(q string) string {
	type cut struct{ s, e int }
	var cuts []cut
	if o.Identity != nil && !o.Identity.Empty() {
		for _, sp := range o.Identity.FindAll(q) {
			cuts = append(cuts, cut{sp.Start, sp.End})
		}
	}
	if o.ShiftDate != nil {
		for _, d := range summary.DateSpans(q) {
			cuts = append(cuts, cut{d[0], d[1]})
		}
	}
	if len(cuts) == 0 {
		return q
	}
	slices.SortFunc(cuts, func(a, b cut) int { return cmp.Compare(a.s, b.s) })
	var b strings.Builder
	at := 0
	for _, c := range cuts {
		if c.s < at {
			at = max(at, c.e)
			continue
		}
		b.WriteString(q[at:c.s])
		b.WriteString("[…]")
		at = c.e
	}
	b.WriteString(q[at:])
	return b.String()
}

// writeClinical writes the clinical summary section.
func writeClinical(doc *Doc, c *i18n.Catalog, cl *Clinical) {
	doc.Heading(c.T("cover.heading.clinical"))
	if len(cl.Diagnoses)+len(cl.Stages)+len(cl.Biomarkers)+len(cl.Timeline) == 0 {
		doc.Paragraph(c.T("cover.clinical.none"))
		return
	}
	doc.Small(c.T("cover.clinical.intro"))
	where := func(document string, page int) string {
		if page > 0 {
			return c.T("cover.clinical.where", document, page)
		}
		return document
	}
	last := ""
	quote := func(q string) {
		// Rows read from the same words (ER, PR and HER2 of one sentence)
		// show them once, under the first of them.
		if q != "" && q != last {
			doc.SubItem(c.T("cover.clinical.quote", q))
		}
		last = q
	}
	clause := c.T("pdf.clause.separator")
	// checked says that the sender confirmed or corrected a fact; the
	// report's words stay beside a corrected one.
	checked := func(how string) string {
		switch how {
		case CheckedCorrected:
			return c.T("cover.clinical.corrected")
		case CheckedConfirmed:
			return c.T("cover.clinical.confirmed")
		}
		return ""
	}
	for _, d := range cl.Diagnoses {
		doc.Field(c.T("cover.label.diagnosis"), joinNonEmpty(clause, d.What, d.Date, where(d.Document, d.Page), checked(d.Checked)))
		quote(d.Quote)
	}
	for _, x := range cl.Stages {
		doc.Field(c.T("cover.label.stage"), joinNonEmpty(clause, x.What, where(x.Document, x.Page), checked(x.Checked)))
		quote(x.Quote)
	}
	if len(cl.Biomarkers) > 0 {
		doc.Subheading(c.T("cover.clinical.biomarkers"))
		for _, b := range cl.Biomarkers {
			doc.Field(b.Marker, joinNonEmpty(clause, b.Result, b.Value, b.Method, b.Date, where(b.Document, b.Page), checked(b.Checked)))
			quote(b.Quote)
		}
	}
	if len(cl.Timeline) > 0 {
		doc.Subheading(c.T("cover.clinical.timeline"))
		for _, e := range cl.Timeline {
			doc.Field(orDash(e.Date), joinNonEmpty(clause, e.What, where(e.Document, e.Page), checked(e.Checked)))
			quote(e.Quote)
		}
	}
	if len(cl.Conflicts) > 0 {
		doc.Subheading(c.T("cover.clinical.conflicts"))
		for _, x := range cl.Conflicts {
			doc.Paragraph(x)
		}
	}
}
