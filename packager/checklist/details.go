package checklist

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"dossier/packager/intake"
)

// Shipment kinds: physical items sent to the reviewing centre.
const (
	ShipGlassSlides = "glass-slides"
	ShipBlocks      = "blocks"
	ShipImagingDisc = "imaging-disc"
	ShipOther       = "other"
)

// ShipmentKinds lists the kinds of physical item.
func ShipmentKinds() []string {
	return []string{ShipGlassSlides, ShipBlocks, ShipImagingDisc, ShipOther}
}

// Urgency levels a user can choose.
const (
	UrgencyRoutine = "routine"
	UrgencyUrgent  = "urgent"
)

// Patient is the identity the records should carry.
type Patient struct {
	Name      string `json:"name"`
	BirthDate string `json:"birthDate"` // YYYY-MM-DD
	ID        string `json:"id,omitempty"`
	Sex       string `json:"sex,omitempty"`
	// FromRecords is true when Dossier filled these in from the records and
	// the user has not changed them since.
	FromRecords bool `json:"fromRecords,omitempty"`
}

// Contact is a doctor or department.
type Contact struct {
	Name     string `json:"name"`
	Hospital string `json:"hospital,omitempty"`
	Address  string `json:"address,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
}

// Reachable reports whether the contact has a name and a way to reach them.
func (c Contact) Reachable() bool {
	return strings.TrimSpace(c.Name) != "" && (strings.TrimSpace(c.Phone) != "" || strings.TrimSpace(c.Email) != "" || strings.TrimSpace(c.Address) != "")
}

// Shipment is a physical item sent separately (glass slides, blocks, a disc).
type Shipment struct {
	Kind        string `json:"kind"` // one of ShipmentKinds
	Description string `json:"description,omitempty"`
	Courier     string `json:"courier,omitempty"`
	Tracking    string `json:"tracking,omitempty"`
	Sent        string `json:"sent,omitempty"` // YYYY-MM-DD
}

// Tracked reports whether the shipment names a courier and a tracking number.
func (s Shipment) Tracked() bool {
	return strings.TrimSpace(s.Courier) != "" && strings.TrimSpace(s.Tracking) != ""
}

// Details is what the user tells Dossier about the case.
type Details struct {
	Patient Patient `json:"patient"`
	// Cancer is a cancer type id from the rules ("breast", "lung", ...).
	Cancer        string `json:"cancer,omitempty"`
	Diagnosis     string `json:"diagnosis,omitempty"`     // in words, e.g. "invasive ductal carcinoma"
	DiagnosisDate string `json:"diagnosisDate,omitempty"` // YYYY-MM-DD or YYYY-MM
	Stage         string `json:"stage,omitempty"`
	// Questions are the questions for the reviewer, most important first.
	Questions    []string `json:"questions,omitempty"`
	ProposedPlan string   `json:"proposedPlan,omitempty"`
	// FromRecords lists the fields Dossier filled in from the records
	// (RecordCancer, RecordDiagnosis, RecordStage, RecordPlan) that the
	// patient has not confirmed or edited yet: shown "from your records".
	FromRecords []string `json:"fromRecords,omitempty"`
	Doctor      Contact  `json:"doctor"`
	// RecordsOffice is where the request letter goes.
	RecordsOffice Contact `json:"recordsOffice"`
	// Urgency is UrgencyRoutine, UrgencyUrgent or empty (not said).
	Urgency   string     `json:"urgency,omitempty"`
	Shipments []Shipment `json:"shipments,omitempty"`
}

// Validate checks the values a user typed for mistakes worth telling them.
func (d *Details) Validate() error {
	for _, s := range d.Shipments {
		known := false
		for _, k := range ShipmentKinds() {
			known = known || s.Kind == k
		}
		if !known {
			return fmt.Errorf("unknown kind of shipped item %q", s.Kind)
		}
	}
	if d.Urgency != "" && d.Urgency != UrgencyRoutine && d.Urgency != UrgencyUrgent {
		return fmt.Errorf("unknown urgency %q", d.Urgency)
	}
	for _, date := range []string{d.Patient.BirthDate, d.DiagnosisDate} {
		if date != "" && !validDate(date) {
			return fmt.Errorf("a date is not written as YYYY-MM-DD")
		}
	}
	return nil
}

func validDate(s string) bool {
	for _, layout := range []string{"2006-01-02", "2006-01"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// Prefill fills the patient's identity from what intake found in the records
// when the user has not given one. It never overwrites what the user typed.
func Prefill(d Details, inv *intake.Inventory) Details {
	if inv == nil || len(inv.Patients) == 0 {
		return d
	}
	if d.Patient.Name == "" && d.Patient.BirthDate == "" && d.Patient.ID == "" {
		p := inv.Patients[0]
		d.Patient = Patient{Name: readableName(p.Name), BirthDate: p.BirthDate, ID: p.ID, Sex: p.Sex, FromRecords: true}
	}
	return d
}

// readableName turns a DICOM person name "DOE^JANE" into "JANE DOE".
func readableName(pn string) string {
	if !strings.Contains(pn, "^") {
		return strings.TrimSpace(pn)
	}
	parts := strings.Split(strings.SplitN(pn, "=", 2)[0], "^")
	for len(parts) < 5 {
		parts = append(parts, "")
	}
	// family^given^middle^prefix^suffix
	var out []string
	for _, p := range []string{parts[3], parts[1], parts[2], parts[0], parts[4]} {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// nameKey reduces a name to its sorted lower-case words, so that "DOE^JANE"
// and "Jane Doe" compare equal.
func nameKey(name string) string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i := 1; i < len(words); i++ {
		for j := i; j > 0 && words[j] < words[j-1]; j-- {
			words[j], words[j-1] = words[j-1], words[j]
		}
	}
	return strings.Join(words, " ")
}

// Mismatches compares the patient in the details with every identity found
// in the records and returns one plain-language message per difference,
// kept as a text to be written in the reader's language.
func Mismatches(d Details, inv *intake.Inventory) []Note {
	if inv == nil {
		return nil
	}
	return mismatchNotes(d, inv)
}

// mismatchNotes are the sentences of Mismatches.
func mismatchNotes(d Details, inv *intake.Inventory) []Note {
	var out []Note
	if inv == nil {
		return nil
	}
	if len(inv.Patients) > 1 {
		out = append(out, Note{Format: noteSeveralPeople, Args: []any{len(inv.Patients)}})
	}
	if d.Patient.Name == "" && d.Patient.BirthDate == "" {
		return out
	}
	for _, p := range inv.Patients {
		if d.Patient.Name != "" && p.Name != "" && nameKey(d.Patient.Name) != nameKey(p.Name) {
			out = append(out, Note{Format: noteNameDiffers})
			break
		}
	}
	for _, p := range inv.Patients {
		if d.Patient.BirthDate != "" && p.BirthDate != "" && d.Patient.BirthDate != p.BirthDate {
			out = append(out, Note{Format: noteBirthDiffers})
			break
		}
	}
	return out
}

// Waiver marks a rule as not needed for this case, with the user's reason.
type Waiver struct {
	RuleID  string    `json:"ruleId"`
	Reason  string    `json:"reason"`
	Created time.Time `json:"created"`
}
