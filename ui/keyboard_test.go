package ui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	exportui "dossier/ui/export"
)

// keyTo sends a key to what has the keyboard focus, or to the window when nothing has, as the
// desktop driver does.
func keyTo(c fyne.Canvas, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// differing counts the pixels that differ clearly (by more than a quarter of the range in a
// colour channel) between two pictures of the same size: a faint tint is not a visible focus.
func differing(a, b image.Image) int {
	far := func(x, y uint32) bool { return x > y+0x4000 || y > x+0x4000 }
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) {
				n++
			}
		}
	}
	return n
}

// TestKeyboardOnly: Tab leaves the question field, the focused primary button has a ring that can
// be seen in the light and the dark theme, Enter presses the focused button, Ctrl+1..4 choose the
// tabs beside the inventory (which Tab also reaches, and the arrows switch), and a dialog's Enter
// and Escape press its default and its Cancel.
func TestKeyboardOnly(t *testing.T) {
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, breastReports())}})
	loop.until(t, "the scan", func() bool { return idle(v)() && v.checks.report != nil })
	closeDialogs(v)
	v.status.hideMessage()
	c := v.win.Canvas()

	// The question field does not keep Tab for itself.
	var tabbable fyne.Tabbable = v.checks.form.questions
	if tabbable.AcceptsTab() {
		t.Error("the question field keeps Tab")
	}

	// A visible ring on the blue primary button, in both themes.
	send := findButton(v.win, "Send to a specialist…")
	if send == nil || send.Importance != widget.HighImportance {
		t.Fatalf("no primary Send button")
	}
	var sendB *button
	for _, o := range shown(v.win) {
		if b, ok := o.(*button); ok && &b.Button == send {
			sendB = b
		}
	}
	for _, th := range []fyne.Theme{theme.LightTheme(), theme.DarkTheme()} { //nolint:staticcheck // the two variants
		v.app.Settings().SetTheme(th)
		c.Unfocus()
		before := c.Capture()
		c.Focus(sendB)
		after := c.Capture()
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(sendB)
		scale := float32(before.Bounds().Dx()) / c.Size().Width
		area := image.Rect(int(pos.X*scale), int(pos.Y*scale), int((pos.X+sendB.Size().Width)*scale), int((pos.Y+sendB.Size().Height)*scale))
		crop := func(img image.Image) image.Image {
			return img.(interface {
				SubImage(image.Rectangle) image.Image
			}).SubImage(area)
		}
		perimeter := 2 * (area.Dx() + area.Dy())
		if n := differing(crop(before), crop(after)); n < perimeter {
			t.Errorf("theme %T: focusing the Send button changes %d pixels, less than a ring (%d)", th, n, perimeter)
		}
	}

	// A visible focus on the other kinds of control, in both themes: an entry, a check, a select,
	// the tabs and a list row.
	v.checks.tabs.SelectIndex(2)
	var entry *widget.Entry
	var sel *widget.Select
	for _, o := range shown(v.win) {
		switch o := o.(type) {
		case *widget.Entry:
			if entry == nil && !o.MultiLine {
				entry = o
			}
		case *widget.Select:
			if sel == nil {
				sel = o
			}
		}
	}
	if entry == nil || sel == nil {
		t.Fatalf("the case details have no entry (%v) or select (%v)", entry != nil, sel != nil)
	}
	ringShows(t, v, "an entry", entry)
	ringShows(t, v, "a select", sel)
	ringShows(t, v, "the tabs", v.checks.switcher)
	v.checks.tabs.SelectIndex(1)
	if v.checks.docs.list.Length() == 0 {
		t.Fatal("no documents listed")
	}
	ringShows(t, v, "a list row", v.checks.docs.list)
	v.checks.tabs.SelectIndex(0)
	check := widget.NewCheck("Send it", nil)
	v.win.SetContent(container.NewVBox(check, widget.NewLabel("below")))
	ringShows(t, v, "a check", check) // its box: Fyne's check shows focus as a disc behind it
	v.win.SetContent(v.root)

	// Enter presses the focused button.
	pressed := 0
	b := newButton("Press me", func() { pressed++ })
	v.win.SetContent(container.NewVBox(b, widget.NewEntry()))
	c.Focus(b)
	keyTo(c, fyne.KeyReturn)
	keyTo(c, fyne.KeyEnter)
	if pressed != 2 {
		t.Errorf("Enter pressed the button %d times of 2", pressed)
	}
	v.win.SetContent(v.root)

	// Ctrl+1..4 choose the tabs; the tab switcher takes the focus, and the arrows move on.
	sc := c.(fyne.Shortcutable)
	v.checks.tabs.SelectIndex(len(v.checks.tabs.Items) - 1) // so that every key changes the tab, Ctrl+1 too
	for i, key := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4} {
		sc.TypedShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault})
		if got := v.checks.tabs.SelectedIndex(); got != i {
			t.Errorf("Ctrl+%d: tab %d", i+1, got)
		}
	}
	if c.Focused() != v.checks.switcher {
		t.Errorf("the tabs do not have the focus after Ctrl+4: %T", c.Focused())
	}
	keyTo(c, fyne.KeyRight)
	if want := 4 % len(v.checks.tabs.Items); v.checks.tabs.SelectedIndex() != want {
		t.Errorf("Right after the fourth tab: %d, want %d", v.checks.tabs.SelectedIndex(), want)
	}
	c.Unfocus()
	reached := false
	for i := 0; i < 40 && !reached; i++ {
		test.FocusNext(c)
		reached = c.Focused() == v.checks.switcher
	}
	if !reached {
		t.Error("Tab never reaches the tabs")
	}

	// A dialog: Escape presses Cancel, Enter the primary button.
	v.checks.tabs.SelectIndex(0)
	test.Tap(row(t, v, "slides").toggle)
	test.Tap(row(t, v, "slides").waive)
	if c.Overlays().Top() == nil {
		t.Fatal("no dialog")
	}
	c.Unfocus()
	keyTo(c, fyne.KeyEscape)
	if c.Overlays().Top() != nil {
		t.Error("Escape did not close the dialog")
	}
	st := v.checks.form // keep the view alive
	_ = st
	test.Tap(row(t, v, "slides").waive)
	for _, o := range shown(v.win) {
		if e, ok := o.(*textArea); ok && slicesContains(c.Overlays().List(), e) {
			e.SetText("The slides stay at the hospital.")
		}
	}
	c.Unfocus()
	keyTo(c, fyne.KeyReturn)
	loop.until(t, "the waiver", func() bool { return idle(v)() && ruleStatus(t, v, "slides") == "waived" })
	if c.Overlays().Top() != nil {
		t.Error("Enter did not close the dialog")
	}
}

// TestFocusScrollsIntoView: a control reached by Tab below the visible part of a scroll container
// is scrolled into view.
func TestFocusScrollsIntoView(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("scroll")
	defer w.Close()
	box := container.NewVBox()
	for i := 0; i < 30; i++ {
		box.Add(widget.NewLabel("line"))
	}
	last := newButton("At the bottom", func() {})
	box.Add(last)
	s := container.NewVScroll(box)
	w.SetContent(s)
	w.Resize(fyne.NewSize(300, 200))
	w.Canvas().Focus(last)
	if s.Offset.Y == 0 {
		t.Fatal("not scrolled")
	}
	top := fyne.CurrentApp().Driver().AbsolutePositionForObject(last).Y - fyne.CurrentApp().Driver().AbsolutePositionForObject(s).Y
	if top < 0 || top+last.Size().Height > s.Size().Height+0.5 {
		t.Errorf("the button is at %v in a scroll of height %v", top, s.Size().Height)
	}
}

// TestCommandTable: the File menu and the window's shortcuts come from one table: every shortcut
// the menu shows works on the canvas and does what the menu item does, no two commands share one,
// and Ctrl+5 shows the Sent tab.
func TestCommandTable(t *testing.T) {
	v, _ := newTestView(t, Config{})
	menu := v.win.MainMenu().Items[0].Items
	cmds := v.fileCommands()
	if len(menu) != len(cmds) {
		t.Fatalf("%d menu items, %d commands", len(menu), len(cmds))
	}
	seen := map[string]bool{}
	for i, c := range cmds {
		if c == nil {
			if !menu[i].IsSeparator {
				t.Errorf("item %d: %q where the table has a separator", i, menu[i].Label)
			}
			continue
		}
		if menu[i].Label != c.label || (c.shortcut == nil) != (menu[i].Shortcut == nil) {
			t.Errorf("item %d: %q with %v, the table has %q with %v", i, menu[i].Label, menu[i].Shortcut, c.label, c.shortcut)
		}
		if c.shortcut == nil {
			continue
		}
		if seen[c.shortcut.ShortcutName()] {
			t.Errorf("%s is given twice", c.shortcut.ShortcutName())
		}
		seen[c.shortcut.ShortcutName()] = true
	}
	for _, k := range tabKeys {
		if seen[ctrl(k).ShortcutName()] {
			t.Errorf("%s is both a command and a tab", ctrl(k).ShortcutName())
		}
	}
	// The shortcut and the menu item do the same: Ctrl+E and "Send to a specialist…" without
	// records both say to add them first.
	c := v.win.Canvas()
	c.(fyne.Shortcutable).TypedShortcut(ctrl(fyne.KeyE))
	if !hasLabel(v.win, "Add your records first") {
		t.Errorf("Ctrl+E: %q", labels(v.win))
	}
	v.checks.tabs.SelectIndex(0)
	c.(fyne.Shortcutable).TypedShortcut(ctrl(fyne.Key5))
	if got := v.checks.tabs.Selected(); got == nil || got.Text != tabSent {
		t.Errorf("Ctrl+5 shows %v, want the Sent tab", got)
	}
}

// ringShows checks that focusing o changes, in the app's light and dark theme, at least as many
// pixels of its area (a check's: its box) as a ring around it would: a faint tint is not a visible
// focus.
func ringShows(t *testing.T, v *mainView, what string, o fyne.Focusable) {
	t.Helper()
	c := v.win.Canvas()
	obj := o.(fyne.CanvasObject)
	defer func() {
		v.app.Preferences().SetString(prefTheme, "")
		applyAppearance(v.app)
	}()
	for _, th := range []string{"light", "dark"} { // the app's own theme, in its two variants
		v.app.Preferences().SetString(prefTheme, th)
		applyAppearance(v.app)
		c.Unfocus()
		before := c.Capture()
		c.Focus(o)
		after := c.Capture()
		c.Unfocus()
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(obj)
		scale := float32(before.Bounds().Dx()) / c.Size().Width
		size := obj.Size()
		if _, ok := o.(*widget.Check); ok {
			size.Width = size.Height // the box, not its label
		}
		area := image.Rect(int(pos.X*scale), int(pos.Y*scale), int((pos.X+size.Width)*scale), int((pos.Y+size.Height)*scale))
		if area.Dx() <= 0 || area.Dy() <= 0 {
			t.Errorf("%s is not shown", what)
			return
		}
		crop := func(img image.Image) image.Image {
			return img.(interface {
				SubImage(image.Rectangle) image.Image
			}).SubImage(area)
		}
		// A ring of rounded corners misses a few pixels of the rectangle's perimeter.
		perimeter := 2 * (area.Dx() + area.Dy()) * 9 / 10
		if n := differing(crop(before), crop(after)); n < perimeter {
			t.Errorf("%s theme: focusing %s changes %d pixels, less than a ring (%d)", th, what, n, perimeter)
		}
	}
}

// focusShows reports how many pixels of o's area (a check's: its box) change clearly when it gets
// the focus, and how many a ring around it would take.
func focusShows(c fyne.Canvas, o fyne.Focusable) (changed, ring int) {
	obj := o.(fyne.CanvasObject)
	c.Unfocus()
	before := c.Capture()
	c.Focus(o)
	if w, ok := o.(fyne.Widget); ok {
		w.Refresh() // the test canvas draws a widget's focus state once it is refreshed
	}
	after := c.Capture()
	c.Unfocus()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(obj)
	scale := float32(before.Bounds().Dx()) / c.Size().Width
	size := obj.Size()
	switch o.(type) {
	case *widget.Check:
		size.Width = size.Height // the box, not its label
	}
	area := image.Rect(int(pos.X*scale), int(pos.Y*scale), int((pos.X+size.Width)*scale), int((pos.Y+size.Height)*scale))
	if area.Dx() <= 0 || area.Dy() <= 0 {
		return 0, 1
	}
	crop := func(img image.Image) image.Image {
		return img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(area)
	}
	return differing(crop(before), crop(after)), 2 * (area.Dx() + area.Dy()) * 9 / 10
}

// tintShows reports whether the app theme's focus and hover tints (Fyne draws a focused select,
// entry, check, radio, list or tree row with them), laid over the page and over a field's
// background, differ clearly from them in the variant v.
func tintShows(v fyne.ThemeVariant) error {
	th := &appTheme{base: theme.DefaultTheme(), variant: v, forced: true, scale: 1}
	over := func(tint, bg color.Color) color.NRGBA {
		t := color.NRGBAModel.Convert(tint).(color.NRGBA)
		b := color.NRGBAModel.Convert(bg).(color.NRGBA)
		mix := func(x, y uint8) uint8 { return uint8((int(x)*int(t.A) + int(y)*(255-int(t.A))) / 255) }
		return color.NRGBA{mix(t.R, b.R), mix(t.G, b.G), mix(t.B, b.B), 255}
	}
	far := func(a, b color.NRGBA) bool {
		d := func(x, y uint8) bool { return x > y+0x40 || y > x+0x40 }
		return d(a.R, b.R) || d(a.G, b.G) || d(a.B, b.B)
	}
	for _, tint := range []fyne.ThemeColorName{theme.ColorNameFocus, theme.ColorNameHover} {
		for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground} {
			b := color.NRGBAModel.Convert(th.Color(bg, v)).(color.NRGBA)
			b.A = 255
			if !far(over(th.Color(tint, v), b), b) {
				return fmt.Errorf("%s over %s cannot be told from it", tint, bg)
			}
		}
	}
	return nil
}

// TestEveryControlShowsFocus: every kind of control Tab reaches, on the case screen with each of
// its tabs, in the send wizard's steps and in the dialogs (Settings, the folder dialog), shows its
// focus visibly in the light and the dark theme: the app's buttons, the tabs and the texts that
// can be copied (the status message's details here) and the options of radio groups with a ring
// (seen in the pixels), Fyne's fields, drop-downs, ticks, lists and trees with the theme's focus
// tint, which must stand out from the page and a field in both variants. A new kind of control fails the test until its
// focus is known to show (Fyne's selectable label, whose focus did not).
func TestEveryControlShowsFocus(t *testing.T) {
	pathDialogHome(t)
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, breastReports())}})
	loop.until(t, "the scan", func() bool { return idle(v)() && v.checks.report != nil })
	closeDialogs(v)
	v.status.hideMessage()
	c := v.win.Canvas()
	ringed := map[string]bool{"*kit.Button": true, "*kit.TabSwitch": true, "*kit.SelectableText": true, "*kit.radioOption": true}
	tinted := map[string]bool{"*widget.Select": true, "*kit.DropDown": true, "*widget.Entry": true, "*kit.Field": true,
		"*kit.TextArea": true, "*widget.List": true, "*ui.folderList": true, "*widget.Tree": true,
		"*widget.Check": true}
	reached := map[string]string{}
	look := func(where string) {
		t.Helper()
		loop.drain(20e6)
		for _, f := range focusables(c) {
			kind := fmt.Sprintf("%T", f)
			if _, ok := reached[kind]; ok {
				continue
			}
			reached[kind] = where
			switch {
			case ringed[kind]:
				for _, th := range []string{"light", "dark"} {
					v.app.Preferences().SetString(prefTheme, th)
					applyAppearance(v.app)
					if n, ring := focusShows(c, f); n < ring {
						t.Errorf("%s theme, %s: focusing a %s changes %d pixels, less than a ring (%d)", th, where, kind, n, ring)
					}
				}
				v.app.Preferences().SetString(prefTheme, "")
				applyAppearance(v.app)
			case !tinted[kind]:
				t.Errorf("%s: a %s, whose focus is not known to show", where, kind)
			}
		}
		c.Unfocus()
	}
	v.status.showError("A file could not be read", errors.New("open report.pdf: permission denied")) // details to copy
	for i := range v.checks.tabs.Items {
		v.checks.tabs.SelectIndex(i)
		look(fmt.Sprintf("case screen, tab %d", i+1))
	}
	v.status.hideMessage()
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
		look(fmt.Sprintf("wizard step %d", w.Step()))
		next := buttonIn("Next")
		if next == nil {
			break // step 3 makes the bundle
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
	for _, kind := range []string{"*kit.Button", "*kit.TabSwitch", "*kit.SelectableText", "*ui.folderList", "*kit.DropDown", "*kit.Field",
		"*widget.Tree", "*widget.List", "*widget.Entry", "*kit.radioOption"} {
		if _, ok := reached[kind]; !ok {
			t.Errorf("no %s was reached by Tab (reached: %v)", kind, reached)
		}
	}
	for _, variant := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		if err := tintShows(variant); err != nil {
			t.Errorf("variant %d: %v", variant, err)
		}
	}
}
