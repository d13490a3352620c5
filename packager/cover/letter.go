package cover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"dossier/packager/checklist"
)

// ErrNothingToRequest is returned when a checklist has nothing outstanding
// that a records office could send.
var ErrNothingToRequest = errors.New("nothing is missing that a records office can send")

// Letter is a request to a hospital's records department for what a case
// still lacks.
type Letter struct {
	Details checklist.Details
	Report  *checklist.Report
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

// WriteLetter writes the request letter as a PDF. It returns
// ErrNothingToRequest when there is nothing to ask for.
func WriteLetter(ctx context.Context, w io.Writer, l Letter) error {
	items := LetterItems(l.Report)
	if len(items) == 0 {
		return ErrNothingToRequest
	}
	date := l.Date
	if date.IsZero() {
		date = time.Now()
	}
	d := l.Details
	doc := NewDoc("Request for copies of medical records")
	doc.Footer = "Request for copies of medical records"

	// Sender, date, recipient.
	if d.Patient.Name != "" {
		doc.Lines(d.Patient.Name)
	}
	doc.Lines(date.Format("2 January 2006"))
	office := d.RecordsOffice
	recipient := []string{"Medical Records Department"}
	if office.Name != "" {
		recipient = []string{office.Name}
	}
	recipient = append(recipient, office.Hospital, office.Address)
	doc.Lines(recipient...)

	doc.Heading1("Request for copies of medical records")
	doc.Field("Patient", d.Patient.Name)
	doc.Field("Date of birth", d.Patient.BirthDate)
	doc.Field("Hospital number", d.Patient.ID)
	if d.Doctor.Name != "" {
		doc.Field("Treating doctor", strings.Trim(d.Doctor.Name+", "+d.Doctor.Hospital, ", "))
	}
	doc.Space(8)

	doc.Paragraph("Dear Records Officer,")
	doc.Paragraph("I am asking for a second opinion on my diagnosis and treatment at a specialist centre. " +
		"For this I need copies of the following records. Please send complete copies, not summaries. " +
		"Where several dates exist, please include all of them.")
	if l.Report != nil && l.Report.Urgency.Urgent {
		doc.Paragraph("This request is urgent: my condition can change quickly and my doctors need the second opinion within days. " +
			"Please send what is ready now, and the rest as soon as it is available.")
	}

	doc.Heading("Records requested")
	n := 0
	for _, it := range items {
		if !it.Required {
			continue
		}
		n++
		doc.Item(fmt.Sprintf("%d.", n), it.Request)
		if len(it.Still) > 0 {
			doc.SubItem("In particular: " + strings.Join(it.Still, ", ") + ".")
		}
	}
	optional := false
	for _, it := range items {
		if it.Required {
			continue
		}
		if !optional {
			doc.Heading("Also, if available")
			optional = true
		}
		n++
		doc.Item(fmt.Sprintf("%d.", n), it.Request)
		if len(it.Still) > 0 {
			doc.SubItem("In particular: " + strings.Join(it.Still, ", ") + ".")
		}
	}

	doc.Heading("How to send them")
	doc.Paragraph("Scans: please copy the original DICOM image files (complete series) to a CD, DVD or USB stick, " +
		"or share them through your image-sharing service. Printed films, JPEG pictures or PDF copies of scans cannot be used for a review.")
	doc.Paragraph("Reports and letters: paper copies, PDF files or a secure download are all fine.")
	doc.Paragraph("Slides and blocks: if the pathology department sends glass slides or tissue blocks to the reviewing centre, " +
		"please tell me the courier and the tracking number.")
	doc.Paragraph("If there is a fee or a form to fill in, please let me know. Thank you very much for your help.")

	doc.Space(10)
	doc.Paragraph("Yours sincerely,")
	doc.Space(24)
	doc.Lines("Signature: ______________________________", d.Patient.Name)
	doc.Small("Prepared with Dossier, a tool that helps patients gather records for a second opinion.")
	return doc.Render(ctx, w)
}
