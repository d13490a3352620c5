package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dossier/packager/bundle"
	exportui "dossier/ui/export"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// largestTextSize is the largest text size offered in Settings.
func largestTextSize() float64 { return textSizes[len(textSizes)-1].scale }

// reachable reports whether o can be seen in a window of size win: inside the window, or inside a
// scroll container that is inside it and can scroll to it.
func reachable(c fyne.Canvas, o fyne.CanvasObject, win fyne.Size) error {
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject(o)
	end := pos.Add(o.Size())
	if pos.X >= 0 && pos.Y >= 0 && end.X <= win.Width+0.5 && end.Y <= win.Height+0.5 {
		return nil
	}
	// Inside a scroll container within the window?
	var path []fyne.CanvasObject
	var find func(n fyne.CanvasObject) bool
	find = func(n fyne.CanvasObject) bool {
		path = append(path, n)
		if n == o {
			return true
		}
		kids := children(n)
		if w, ok := n.(fyne.Widget); ok && kids == nil {
			kids = test.WidgetRenderer(w).Objects() // a widget's own parts: the tab buttons
		}
		for _, k := range kids {
			if find(k) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	for _, root := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		path = path[:0]
		if find(root) {
			break
		}
	}
	for i := len(path) - 1; i >= 0; i-- {
		if s, ok := path[i].(*container.Scroll); ok {
			sp := d.AbsolutePositionForObject(s)
			se := sp.Add(s.Size())
			if sp.X >= 0 && sp.Y >= 0 && se.X <= win.Width+0.5 && se.Y <= win.Height+0.5 && o.Size().Height <= s.Size().Height {
				return nil
			}
		}
	}
	return fmt.Errorf("at %v to %v, outside %v and not in a scroll container inside it", pos, end, win)
}

// smallScreen is the 1024×768 screen the fit tests check against.
var smallScreen = fyne.NewSize(1024, 768)

// smallScreenView opens the main window, sized to smallScreen, at the largest text size with
// its own DOSSIER_HOME and cfg; the test's end closes it.
func smallScreenView(t *testing.T, cfg Config) (*mainView, *uiLoop) {
	t.Helper()
	a := test.NewTempApp(t)
	a.Preferences().SetFloat(prefTextSize, largestTextSize())
	t.Setenv("DOSSIER_HOME", t.TempDir())
	loop := newUILoop()
	v := newMainView(a, cfg, loop.post)
	t.Cleanup(v.win.Close)
	v.win.Resize(smallScreen)
	return v, loop
}

// TestFitsSmallScreen: at 1024×768 with the largest text size, the primary controls of the case
// screen (Send, the checklist's More, the tabs) and of the send wizard (Next, Back, Cancel) are inside
// the window or in a scroll container inside it, and the window can be that small.
func TestFitsSmallScreen(t *testing.T) {
	v, loop := smallScreenView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, exportRecords())}})
	screen := smallScreen
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	closeDialogs(v)
	c := v.win.Canvas()
	check := func(where string) {
		t.Helper()
		if m := v.root.MinSize(); m.Width > screen.Width || m.Height > screen.Height {
			t.Errorf("%s: the window cannot be smaller than %v", where, m)
		}
		v.win.Resize(screen)
	}
	check("case screen")
	for _, name := range []string{"Send to a specialist…", "Add files…", "Add folder…"} {
		b := findButton(v.win, name)
		if b == nil {
			t.Errorf("no %q", name)
			continue
		}
		if err := reachable(c, v.buttonObject(b), screen); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	if len(v.checks.panel.rows) < 5 {
		t.Fatalf("only %d checklist rows", len(v.checks.panel.rows))
	}
	for id, r := range v.checks.panel.rows {
		if !r.toggle.Visible() {
			t.Errorf("the checklist's More of %s is hidden", id)
		} else if err := reachable(c, r.toggle, screen); err != nil {
			t.Errorf("the checklist's More of %s: %v", id, err)
		}
	}
	for i := range v.checks.tabs.Items {
		v.checks.tabs.SelectIndex(i)
		check(fmt.Sprintf("tab %d", i+1))
		// Every tab's own button is in the bar, not hidden in an overflow menu, and inside the window.
		var heads []fyne.CanvasObject
		walk(v.checks.switcher, func(o fyne.CanvasObject) {
			if fmt.Sprintf("%T", o) == "*container.tabButton" && o.Visible() {
				heads = append(heads, o)
			}
		})
		if len(heads) < len(v.checks.tabs.Items) {
			t.Errorf("tab %d: %d tab buttons shown of %d", i+1, len(heads), len(v.checks.tabs.Items))
		}
		for j, o := range heads {
			if err := reachable(c, o, screen); err != nil {
				t.Errorf("tab %d, the button of tab %d: %v", i+1, j+1, err)
			}
		}
	}
	v.checks.tabs.SelectIndex(0)

	v.sendToSpecialist()
	w := v.wizard
	if w == nil {
		t.Fatal("no wizard")
	}
	steps, backs := 0, 0
	for step := 0; step < 3 && w.Step() < exportui.StepProgress; step++ {
		steps++
		check(fmt.Sprintf("wizard step %d", w.Step()))
		var next *button
		walk(w.Object(), func(o fyne.CanvasObject) {
			b, ok := o.(*button)
			if !ok || !b.Visible() {
				return
			}
			switch b.Text {
			case "Next", "Make the bundle":
				next = b
			case "Back", "Close":
				backs++
			default:
				return
			}
			if err := reachable(c, b, screen); err != nil {
				t.Errorf("wizard step %d, %q: %v", w.Step(), b.Text, err)
			}
		})
		if next == nil {
			t.Fatalf("wizard step %d has no Next button", w.Step())
		}
		before := w.Step()
		test.Tap(next)
		loop.drain(50e6)
		if w.Step() == before {
			break
		}
	}
	if steps < 2 || backs < steps-1 {
		t.Errorf("only %d wizard steps were looked at, %d with a Back button", steps, backs)
	}
}

// buttonObject is the object in the window of a button found by findButton.
func (v *mainView) buttonObject(b *widget.Button) fyne.CanvasObject {
	for _, o := range shown(v.win) {
		if ob, ok := o.(*button); ok && &ob.Button == b {
			return ob
		}
	}
	return b
}

// TestPreviewNamesInFull: a name the inventory shortens is shown whole, with what it is, in the
// preview pane when its row is chosen.
func TestPreviewNamesInFull(t *testing.T) {
	long := "reports/Surgical pathology report of the right breast core biopsy and excision, final version.pdf"
	files := breastReports()
	for k, v := range files {
		if strings.HasSuffix(k, ".pdf") {
			files[long] = v
			break
		}
	}
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, files)}})
	loop.until(t, "the scan", func() bool { return idle(v)() && v.checks.report != nil })
	for _, n := range v.tree.nodes {
		if n.title == filepath.Base(long) {
			v.preview.show(&n)
			if !strings.HasPrefix(v.preview.title.Text, filepath.Base(long)) || v.preview.title.Truncation != fyne.TextTruncateOff {
				t.Errorf("preview title %q", v.preview.title.Text)
			}
			return
		}
	}
	t.Fatal("the long name is not in the inventory")
}

// TestEveryControlOnSmallScreen: at 1024×768 with the largest text size, in the light and the dark
// theme, every control Tab reaches (not only the primary ones) on the case screen with each of its
// tabs, in the send steps, in Settings and in the folder dialog is inside the window or in a scroll
// container inside it, and has room to be seen.
func TestEveryControlOnSmallScreen(t *testing.T) {
	pathDialogHome(t)
	v, loop := smallScreenView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, exportRecords())}})
	screen := smallScreen
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	closeDialogs(v)
	c := v.win.Canvas()
	for _, th := range []string{"light", "dark"} {
		v.app.Preferences().SetString(prefTheme, th)
		applyAppearance(v.app)
		seen := 0
		look := func(where string) {
			t.Helper()
			loop.drain(20e6)
			v.win.Resize(screen)
			for _, f := range focusables(c) {
				o := f.(fyne.CanvasObject)
				if err := inView(c, o); err != nil && err.Error() == notOnScreen {
					continue // a list's row, drawn again for another item as the list scrolled
				}
				seen++
				if err := reachable(c, o, screen); err != nil {
					t.Errorf("%s theme, %s: a %T: %v", th, where, f, err)
				}
				if o.Size().Width < 8 || o.Size().Height < 8 {
					t.Errorf("%s theme, %s: a %T is %v", th, where, f, o.Size())
				}
			}
		}
		for i := range v.checks.tabs.Items {
			v.checks.tabs.SelectIndex(i)
			look(fmt.Sprintf("case screen, tab %d", i+1))
		}
		v.checks.tabs.SelectIndex(0)
		v.sendToSpecialist()
		w := v.wizard
		if w == nil {
			t.Fatal("no wizard")
		}
		buttonIn := func(text string) *button {
			var found *button
			walk(w.Object(), func(o fyne.CanvasObject) {
				if b, ok := o.(*button); ok && b.Visible() && b.Text == text {
					found = b
				}
			})
			return found
		}
		for step := 0; step < 3 && w.Step() < exportui.StepProgress; step++ {
			loop.until(t, "the step", func() bool { return !w.Busy() })
			look(fmt.Sprintf("send step %d", w.Step()))
			next := buttonIn("Next")
			if next == nil {
				break
			}
			test.Tap(next)
			loop.drain(50e6)
		}
		if b := buttonIn("Close"); b != nil {
			test.Tap(b)
		}
		v.showSettings()
		look("Settings")
		closeDialogs(v)
		v.addFolder()
		look("the folder dialog")
		closeDialogs(v)
		if seen < 40 {
			t.Errorf("%s theme: only %d controls looked at", th, seen)
		}
	}
}

const notOnScreen = "not found on the screen"

// inView reports whether o lies inside the visible part of every scroll container around it.
func inView(c fyne.Canvas, o fyne.CanvasObject) error {
	d := fyne.CurrentApp().Driver()
	var path []fyne.CanvasObject
	var find func(n fyne.CanvasObject) bool
	find = func(n fyne.CanvasObject) bool {
		if n == nil || !n.Visible() {
			return false
		}
		path = append(path, n)
		if n == o {
			return true
		}
		kids := children(n)
		if w, ok := n.(fyne.Widget); ok && kids == nil {
			kids = test.WidgetRenderer(w).Objects()
		}
		for _, k := range kids {
			if find(k) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	for _, root := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		path = path[:0]
		if find(root) {
			break
		}
	}
	if len(path) == 0 {
		return errors.New(notOnScreen)
	}
	top := d.AbsolutePositionForObject(o)
	for _, p := range path[:len(path)-1] {
		s, ok := p.(*container.Scroll)
		if !ok {
			continue
		}
		sp := d.AbsolutePositionForObject(s)
		if top.Y < sp.Y-0.5 || top.Y+min(o.Size().Height, s.Size().Height) > sp.Y+s.Size().Height+0.5 {
			return fmt.Errorf("at y %v to %v, outside the scroll's view %v to %v", top.Y, top.Y+o.Size().Height, sp.Y, sp.Y+s.Size().Height)
		}
	}
	return nil
}

// TestTabKeepsFocusInView: at 1024×768 with the largest text size, each control Tab reaches on the
// case screen's tabs, in Settings and in the send steps is scrolled into view when it gets the focus.
func TestTabKeepsFocusInView(t *testing.T) {
	old := focusPoll
	focusPoll = 10 * time.Millisecond
	t.Cleanup(func() { focusPoll = old })
	v, loop := smallScreenView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, exportRecords())}})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	closeDialogs(v)
	c := v.win.Canvas()
	tabThrough := func(where string) {
		t.Helper()
		c.Unfocus()
		seen := map[fyne.Focusable]bool{}
		for range 200 {
			test.FocusNext(c)
			f := c.Focused()
			if f == nil || seen[f] {
				break
			}
			seen[f] = true
			loop.drain(80 * time.Millisecond) // a tick of the focus watcher (its reports come at most every 50 ms)
			if err := inView(c, f.(fyne.CanvasObject)); err != nil {
				t.Errorf("%s: Tab to a %T: %v", where, f, err)
			}
		}
	}
	for i := range v.checks.tabs.Items {
		v.checks.tabs.SelectIndex(i)
		tabThrough(fmt.Sprintf("case screen, tab %d", i+1))
	}
	v.showSettings()
	tabThrough("Settings")
	closeDialogs(v)
}

// TestOpenResultFitsSmallScreen: what the receiving side sees after opening a bundle (the result, the
// fingerprint, the list of what is inside, its buttons) fits 1024×768 at the largest text size.
func TestOpenResultFitsSmallScreen(t *testing.T) {
	v, _ := smallScreenView(t, Config{Store: &fakeStore{}})
	screen := smallScreen
	closeDialogs(v)
	v.showOpen("")
	o := v.opener
	o.dest = "/home/jane/Documents/Second opinion from the university hospital/received on 4 December"
	o.showResult(&bundle.Report{Files: 15, Bytes: 800 << 10, Privacy: "pseudonymised",
		Fingerprint: strings.Repeat("4f7629c46319ccdc", 4),
		Names: []string{"COVER.PDF", "DICOM/IM1", "DICOMDIR", "IHE_XDM/SUBSET01/METADATA.XML", "INDEX.HTM", "MANIFEST.SHA256",
			"README.TXT", "THUMBS/S1.PNG", "DOCUMENTS/pathology.pdf", "PHOTOS/IMG_0042.jpg", "HOW-TO-OPEN.txt"}})
	if m := v.root.MinSize(); m.Width > screen.Width || m.Height > screen.Height {
		t.Errorf("the window cannot be smaller than %v", m)
	}
	v.win.Resize(screen)
	c := v.win.Canvas()
	n := 0
	for _, f := range focusables(c) {
		n++
		if err := reachable(c, f.(fyne.CanvasObject), screen); err != nil {
			t.Errorf("a %T: %v", f, err)
		}
	}
	if n < 4 {
		t.Errorf("only %d controls looked at", n)
	}
}

// TestStartScreensFitSmallScreen: the welcome screen with a hospital disc in its list, the list of
// cases and the first-run walkthrough fit 1024×768 at the largest text size, every control within
// reach.
func TestStartScreensFitSmallScreen(t *testing.T) {
	disc := filepath.Join(t.TempDir(), "HOSPITAL CD FROM THE UNIVERSITY HOSPITAL RADIOLOGY DEPARTMENT")
	os.MkdirAll(disc, 0o755)
	os.WriteFile(filepath.Join(disc, "DICOMDIR"), []byte("not read here"), 0o644)
	fake := func(ctx context.Context) []medium {
		return []medium{describeMedium(ctx, medium{Path: disc, Drive: "D:", Label: "HOSPITAL CD FROM THE UNIVERSITY HOSPITAL"})}
	}
	v, loop := smallScreenView(t, Config{Store: &fakeStore{}, Scan: realScan, media: fake})
	screen := smallScreen
	c := v.win.Canvas()
	look := func(where string, min int) {
		t.Helper()
		loop.drain(50e6)
		if m := v.root.MinSize(); m.Width > screen.Width || m.Height > screen.Height {
			t.Errorf("%s: the window cannot be smaller than %v", where, m)
		}
		v.win.Resize(screen)
		n := 0
		for _, f := range focusables(c) {
			n++
			if err := reachable(c, f.(fyne.CanvasObject), screen); err != nil {
				t.Errorf("%s: a %T: %v", where, f, err)
			}
		}
		if n < min {
			t.Errorf("%s: only %d controls looked at", where, n)
		}
	}
	look("the walkthrough", 2)
	closeDialogs(v)
	v.showHome()
	loop.until(t, "the disc", func() bool { return hasLabel(v.win, "Discs and USB sticks") })
	look("the welcome screen", 3)
	v.showCases()
	look("the list of cases", 1)
}
