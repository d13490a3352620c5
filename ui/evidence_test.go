package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"dossier/packager/checklist"
	"dossier/packager/intake"
)

// TestFoundInNamesTheSeries: the checklist's "Found in" names a DICOM image by its series'
// description, date and size, as the inventory does, and not by its file ID (IM000001); other
// files by their name and folder. The status line ("Ready: ...") names the series too.
func TestFoundInNamesTheSeries(t *testing.T) {
	v, _ := newTestView(t, Config{Store: &fakeStore{}})
	v.inv = &intake.Inventory{
		Items: []*intake.Item{
			{Path: "/media/cd/DICOM/IM000001", SeriesInstanceUID: "1.2.3"},
			{Path: "/home/jane/records/pathology.pdf"},
		},
		Studies: []*intake.Study{{Date: "2026-09-01", Series: []*intake.Series{
			{SeriesInstanceUID: "1.2.3", Number: 2, Description: "MAMMOGRAM BILATERAL", Instances: 4},
		}}},
	}
	p := v.checks.panel
	r := checklist.Result{Title: "A recent scan", Status: checklist.StatusMet,
		Evidence: []string{"/media/cd/DICOM/IM000001", "/home/jane/records/pathology.pdf"}}
	row := newRuleRow(r, true, p)
	w := test.NewWindow(row.object)
	defer w.Close()
	text := strings.Join(labels(w), "\n")
	if !strings.Contains(text, "Series 2: MAMMOGRAM BILATERAL · 1 September 2026 · 4 images") || strings.Contains(text, "IM000001") {
		t.Errorf("Found in: %q", text)
	}
	if !strings.Contains(text, "• "+displayPath("/home/jane/records/pathology.pdf")) {
		t.Errorf("a PDF is not named: %q", text)
	}

	// Found in one image: the status line names its series too.
	r.Evidence = r.Evidence[:1]
	one := newRuleRow(r, false, p)
	if got := unmarked(one.status.Text); got != "Ready: Series 2: MAMMOGRAM BILATERAL" {
		t.Errorf("status line %q", got)
	}
}
