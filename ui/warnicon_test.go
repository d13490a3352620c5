package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/packager/i18n"
	"dossier/packager/intake"
)

// TestWarningIconSaysWhat: an inventory row with a warning icon says what it warns about first, so
// a row cut short still says it, and pointing at the icon shows the row in full, marked as a
// warning; leaving it says so.
func TestWarningIconSaysWhat(t *testing.T) {
	se := &intake.Series{SeriesInstanceUID: "1.2", Number: 2, Modality: "US", Description: "ABDOMEN", Instances: 12, BurnedIn: 3}
	if d := seriesNode(se).detail; !strings.HasPrefix(d, "3 images may show patient details") {
		t.Errorf("series: %q", d)
	}
	sl := &intake.Slide{Path: "/cd/slide.svs", Vendor: "aperio", Levels: 3, Label: true}
	if d := slideNode(sl).detail; !strings.HasPrefix(d, "has a label image") {
		t.Errorf("slide: %q", d)
	}
	it := &intake.Item{Path: "/cd/report.pdf", Kind: intake.KindPDF, Format: "pdf", Size: 2048,
		Problems: []i18n.Text{i18n.NewText("this PDF is locked with a password: ask for an unlocked copy, or print it to a new PDF")}}
	if d := itemNode(it).detail; !strings.HasPrefix(d, "this PDF is locked") {
		t.Errorf("item: %q", d)
	}
	st := &intake.Study{StudyInstanceUID: "1", Date: "2026-09-05", Modalities: []string{"US"}, Series: []*intake.Series{se}, Instances: 12}
	if d := studyNode(st).detail; !strings.HasPrefix(d, "please look at the series in it · ") {
		t.Errorf("study: %q", d)
	}

	test.NewTempApp(t)
	inv := &intake.Inventory{Items: []*intake.Item{it}}
	tr := buildInvTree(inv)
	var pointed []string
	var warned []bool
	tree := newInventoryTree(tr, func(text string, warn bool) { pointed, warned = append(pointed, text), append(warned, warn) })
	w := test.NewWindow(tree)
	defer w.Close()
	w.Resize(fyne.NewSize(420, 400))
	tree.OpenAllBranches()
	var icon *rowIcon
	walkAll(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if ri, ok := o.(*rowIcon); ok && ri.warn && icon == nil {
			icon = ri
		}
	})
	if icon == nil {
		t.Fatal("no row with a warning icon shown")
	}
	icon.MouseIn(nil)
	icon.MouseOut()
	if len(pointed) != 2 || !strings.Contains(pointed[0], "report.pdf") || !strings.Contains(pointed[0], "this PDF is locked with a password") ||
		!warned[0] || pointed[1] != "" || warned[1] {
		t.Errorf("pointing at the warning icon gave %q %v", pointed, warned)
	}
}

// walkAll calls f on o and everything inside it, widgets' parts included.
func walkAll(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o)
	switch o := o.(type) {
	case *fyne.Container:
		for _, k := range o.Objects {
			walkAll(k, f)
		}
	case fyne.Widget:
		for _, k := range test.WidgetRenderer(o).Objects() {
			walkAll(k, f)
		}
	}
}
