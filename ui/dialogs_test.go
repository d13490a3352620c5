package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/packager/store"
	"dossier/ui/nativedialog"
)

// focusables are the controls of the top dialog in Tab order.
func focusables(c fyne.Canvas) []fyne.Focusable {
	c.Unfocus()
	var out []fyne.Focusable
	seen := map[fyne.Focusable]bool{}
	for range 80 {
		test.FocusNext(c)
		f := c.Focused()
		if f == nil || seen[f] {
			break
		}
		seen[f] = true
		out = append(out, f)
	}
	return out
}

// TestEveryDialogKeys: in every dialog of the app, Escape closes it whichever of its controls has
// the focus (and when none has), and Enter with no control focused presses its default button.
func TestEveryDialogKeys(t *testing.T) {
	pathDialogHome(t)
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, breastReports())}})
	loop.until(t, "the scan", func() bool { return idle(v)() && v.checks.report != nil })
	closeDialogs(v)
	c := v.win.Canvas()
	caseRow := &store.Case{ID: 1, Name: "Jane Doe – breast cancer"}
	p := summaryTab(t, v)
	p.readIfChanged()
	loop.until(t, "the facts", func() bool { return p.reading == nil && len(p.facts) > 0 })
	p.list.Select(0)
	dialogs := []struct {
		name string
		open func()
	}{
		{"About", v.showAbout},
		{"Settings", v.showSettings},
		{"How Dossier works", v.showGuide},
		{"Rename case", func() { v.askRename(caseRow) }},
		{"Delete case", func() { v.askDelete(caseRow) }},
		{"Not needed", func() { test.Tap(row(t, v, "slides").toggle); test.Tap(row(t, v, "slides").waive) }},
		{"Correct what Dossier read", p.correctChosen},
		{"Add a folder", v.addFolder},
		{"Save letter", func() {
			choosePath(v.win, pathRequest{kind: nativedialog.SaveFile, name: "x.pdf"}, func(string) {}, nil)
		}},
	}
	for _, d := range dialogs {
		closeDialogs(v)
		d.open()
		loop.drain(20e6)
		if c.Overlays().Top() == nil {
			t.Errorf("%s: no dialog", d.name)
			continue
		}
		n := len(focusables(c))
		if n == 0 {
			t.Errorf("%s: nothing in it takes the focus", d.name)
		}
		for i := -1; i < n; i++ {
			closeDialogs(v)
			d.open()
			loop.drain(20e6)
			fs := focusables(c)
			what := "nothing"
			c.Unfocus()
			if i >= 0 && i < len(fs) {
				c.Focus(fs[i])
				what = typeName(fs[i])
			}
			keyTo(c, fyne.KeyEscape)
			loop.drain(10e6)
			if c.Overlays().Top() != nil {
				t.Errorf("%s: Escape with the focus on %s (control %d of %d) left it open", d.name, what, i+1, n)
			}
		}
	}
	// Enter, with no control focused, presses the default: the rename is done, the file is chosen.
	closeDialogs(v)
	v.askRename(caseRow)
	c.Unfocus()
	keyTo(c, fyne.KeyReturn)
	if c.Overlays().Top() != nil {
		t.Error("Enter did not rename")
	}
	v.askRename(caseRow)
	if f, ok := c.Focused().(*field); !ok {
		t.Errorf("the rename dialog opens with the focus on %T", c.Focused())
	} else {
		f.SetText("New name")
		keyTo(c, fyne.KeyReturn) // in the field: the dialog's default
		if c.Overlays().Top() != nil {
			t.Error("Enter in the name field did not rename")
		}
	}
	var chosen string
	choosePath(v.win, pathRequest{kind: nativedialog.SaveFile, folder: t.TempDir(), name: "x.pdf"}, func(p string) { chosen = p }, nil)
	loop.drain(20e6)
	c.Unfocus()
	keyTo(c, fyne.KeyReturn)
	if chosen == "" {
		t.Error("Enter in the save dialog did not save")
	}
}

func typeName(o any) string {
	switch o := o.(type) {
	case *button:
		return "button " + o.Text
	case *field:
		return "field"
	case *dropDown:
		return "drop-down"
	}
	return fmt.Sprintf("%T", o)
}
