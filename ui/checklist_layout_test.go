package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/packager/checklist"
)

// TestChecklistBusyLeavesNoGap: when the checklist has been worked out again (a new cancer type),
// the "Reading your reports" line goes and the list moves back up under the buttons; it stayed
// where the line had been, a blank band, until something else laid the panel out again.
func TestChecklistBusyLeavesNoGap(t *testing.T) {
	p := newChecklistPanel(nil, checklistActions{})
	w := test.NewWindow(p.object)
	defer w.Close()
	w.Resize(fyne.NewSize(500, 700))
	top := p.scroll.Position().Y
	p.setBusy(true)
	if p.scroll.Position().Y <= top {
		t.Errorf("the list did not make room for the busy line: %v, was %v", p.scroll.Position().Y, top)
	}
	p.setBusy(false)
	if got := p.scroll.Position().Y; got != top {
		t.Errorf("after the busy line the list starts at %v, not %v: a blank band above it", got, top)
	}

	// An error above the list, then a checklist worked out: the error goes, the list moves up.
	rep := &checklist.Report{}
	p.setReport(rep)
	top = p.scroll.Position().Y
	p.showError("It went wrong", nil)
	if p.scroll.Position().Y <= top {
		t.Errorf("the list did not make room for the error: %v, was %v", p.scroll.Position().Y, top)
	}
	p.setReport(rep)
	if got := p.scroll.Position().Y; got != top {
		t.Errorf("after the error the list starts at %v, not %v", got, top)
	}
}
