package cover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"dossier/packager/checklist"
	"dossier/packager/i18n"
)

// ErrNothingToRequest is returned when a checklist has nothing outstanding
// that a records office could send.
var ErrNothingToRequest = errors.New("nothing is missing that a records office can send")

// Letter is a request to a hospital's records department for what a case
// still lacks.
type Letter struct {
	// Language is the language of the letter (a tag packager/i18n has:
	// "en", "zh-Hans"); empty is English.
	Language string
	Details  checklist.Details
	Report   *checklist.Report
	// Date is printed on the letter (default: today).
	Date time.Time
}

// LetterItem is one thing the letter asks for.
type LetterItem struct {
	RuleID string
	// Request is the wording for the records office.
	Request string
	// Still lists, for a partly met rule, what is still needed
	// (e.g. "HER2").
	Still []string
	// Required is false for things asked for "if available".
	Required bool
}

// LetterItems returns what a letter for this report asks for: every
// missing or partial rule that a records office can supply, required ones
// first.
func LetterItems(rep *checklist.Report) []LetterItem {
	var out []LetterItem
	if rep == nil {
		return nil
	}
	for _, r := range rep.Outstanding() {
		if strings.TrimSpace(r.Request) == "" {
			continue
		}
		it := LetterItem{RuleID: r.ID, Request: r.Request, Required: r.Required}
		if r.Status == checklist.StatusPartial {
			it.Still = r.Missing
		}
		out = append(out, it)
	}
	return out
}

// WriteLetter writes the request letter as a PDF, its fixed texts in
// l.Language, and the requests in it too where the checklist has them
// (checklist.Texts). It returns ErrNothingToRequest when there is nothing
// to ask for.
func WriteLetter(ctx context.Context, w io.Writer, l Letter) error {
	items := LetterItems(l.Report)
	if len(items) == 0 {
		return ErrNothingToRequest
	}
	c, err := i18n.Load(l.Language)
	if err != nil {
		return fmt.Errorf("letter: %w", err)
	}
	rt, err := checklist.Texts(c.Lang())
	if err != nil {
		return fmt.Errorf("letter: %w", err)
	}
	date := l.Date
	if date.IsZero() {
		date = time.Now()
	}
	d := l.Details
	title := c.T("letter.title")
	doc := NewDoc(title)
	doc.Footer = title
	doc.FieldSep = c.T("pdf.field.separator")
	doc.PageFormat = c.T("pdf.page")

	// Sender, date, recipient.
	if d.Patient.Name != "" {
		doc.Lines(d.Patient.Name)
	}
	doc.Lines(c.Date(date))
	office := d.RecordsOffice
	recipient := []string{c.T("letter.records_department")}
	if office.Name != "" {
		recipient = []string{office.Name}
	}
	recipient = append(recipient, office.Hospital, office.Address)
	doc.Lines(recipient...)

	doc.Heading1(title)
	doc.Field(c.T("pdf.label.patient"), d.Patient.Name)
	doc.Field(c.T("pdf.label.birth_date"), d.Patient.BirthDate)
	doc.Field(c.T("pdf.label.hospital_number"), d.Patient.ID)
	if d.Doctor.Name != "" {
		doc.Field(c.T("pdf.label.treating_doctor"), joinNonEmpty(c.T("pdf.clause.separator"), d.Doctor.Name, d.Doctor.Hospital))
	}
	doc.Space(8)

	doc.Paragraph(c.T("letter.salutation"))
	doc.Paragraph(c.T("letter.intro"))
	if l.Report != nil && l.Report.Urgency.Urgent {
		doc.Paragraph(c.T("letter.urgent"))
	}

	n := 0
	item := func(it LetterItem) {
		n++
		request := it.Request
		if t := rt.Rule(it.RuleID).Request; t != "" {
			request = t
		}
		doc.Item(c.T("pdf.item.number", n), request)
		if len(it.Still) > 0 {
			doc.SubItem(c.T("letter.in_particular", c.List(it.Still)))
		}
	}
	doc.Heading(c.T("letter.heading.requested"))
	for _, it := range items {
		if it.Required {
			item(it)
		}
	}
	optional := false
	for _, it := range items {
		if it.Required {
			continue
		}
		if !optional {
			doc.Heading(c.T("letter.heading.if_available"))
			optional = true
		}
		item(it)
	}

	doc.Heading(c.T("letter.heading.how_to_send"))
	doc.Paragraph(c.T("letter.how.scans"))
	doc.Paragraph(c.T("letter.how.reports"))
	doc.Paragraph(c.T("letter.how.slides"))
	doc.Paragraph(c.T("letter.fee"))

	doc.Space(10)
	doc.Paragraph(c.T("letter.closing"))
	doc.Space(24)
	doc.Lines(c.T("letter.signature"), d.Patient.Name)
	doc.Small(c.T("pdf.prepared"))
	return doc.Render(ctx, w)
}
