package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/checklist"
	"dossier/packager/identity"
	"dossier/packager/intake"
)

// TestDetailsShowIdentityFound: the case details list the identity found
// in the records, each with where it came from, for the person to confirm.
func TestDetailsShowIdentityFound(t *testing.T) {
	test.NewTempApp(t)
	f := newDetailsForm(nil, func(checklist.Details) {})
	set := identity.NewSet()
	set.Add(identity.Name, "Jane Marie Doe", "document label 'Patient name' in report.pdf")
	set.Add(identity.BirthDate, "19610203", "DICOM PatientBirthDate")
	f.setInventory(&intake.Inventory{Identity: set}, checklist.Details{})
	var lines []string
	for _, o := range f.found.Objects {
		if l, ok := o.(*widget.Label); ok {
			lines = append(lines, l.Text)
		}
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{"Jane Marie Doe (document label 'Patient name' in report.pdf)", "date of birth: 19610203 (DICOM PatientBirthDate)"} {
		if !strings.Contains(all, want) {
			t.Errorf("%q missing from:\n%s", want, all)
		}
	}
	f.setInventory(&intake.Inventory{}, checklist.Details{})
	if len(f.found.Objects) != 0 {
		t.Errorf("identity still listed for an inventory without any: %d rows", len(f.found.Objects))
	}
}
