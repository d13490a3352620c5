package kit

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The app works with the keyboard alone: Tab and Shift+Tab move between controls (also out of
// multi-line fields), the focused control has a ring in both themes and is scrolled into view,
// Enter presses the focused button or a dialog's default button, and Escape closes a dialog.

// Button is Fyne's button that Enter presses too (Fyne's answers to Space only), with a focus ring
// drawn around it: Fyne shows focus by tinting the background, which cannot be seen on the blue
// primary buttons.
type Button struct {
	widget.Button
	// Dismiss marks a dialog's button that closes it without doing anything (Cancel, Close, Keep
	// it): Escape presses it.
	Dismiss bool
	ring    *canvas.Rectangle
}

func NewButton(label string, tapped func()) *Button {
	b := &Button{}
	b.Text, b.OnTapped = label, tapped
	b.ExtendBaseWidget(b)
	return b
}

func NewButtonWithIcon(label string, icon fyne.Resource, tapped func()) *Button {
	b := NewButton(label, tapped)
	b.Icon = icon
	return b
}

// TypedKey presses the button on Enter (and Space); Escape goes to the window (closes a dialog).
func (b *Button) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		b.Button.Tapped(nil)
	case fyne.KeyEscape:
		ToWindow(b, ev)
	default:
		b.Button.TypedKey(ev)
	}
}

func (b *Button) FocusGained() {
	b.Button.FocusGained()
	b.showRing(true)
	ScrollIntoView(b)
}

func (b *Button) FocusLost() {
	b.Button.FocusLost()
	b.showRing(false)
}

func (b *Button) showRing(on bool) {
	if b.ring == nil {
		return
	}
	if on {
		b.ring.StrokeColor = FocusRingColor()
	} else {
		b.ring.StrokeColor = color.Transparent
	}
	b.ring.Refresh()
}

func (b *Button) CreateRenderer() fyne.WidgetRenderer {
	b.ring = canvas.NewRectangle(color.Transparent)
	b.ring.StrokeWidth = 3
	b.ring.CornerRadius = theme.InputRadiusSize()
	return &RingRenderer{WidgetRenderer: b.Button.CreateRenderer(), ring: b.ring}
}

// RingRenderer draws a widget's own renderer with a focus ring on top.
type RingRenderer struct {
	fyne.WidgetRenderer
	ring *canvas.Rectangle
}

func (r *RingRenderer) Layout(s fyne.Size) {
	r.WidgetRenderer.Layout(s)
	r.ring.Move(fyne.NewPos(0, 0))
	r.ring.Resize(s)
}

func (r *RingRenderer) Objects() []fyne.CanvasObject {
	return append(slices.Clone(r.WidgetRenderer.Objects()), r.ring)
}

// FocusRingColor is the text colour: it stands out on the page and on a primary button, in the
// light and the dark theme.
func FocusRingColor() color.Color {
	return theme.Color(theme.ColorNameForeground)
}

// TextArea is a multi-line entry that Tab and Shift+Tab leave (Fyne's keeps the Tab as text, so
// the keyboard was trapped in the question field); Escape goes to the window.
type TextArea struct{ widget.Entry }

func NewTextArea() *TextArea {
	e := &TextArea{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

// AcceptsTab is false: Tab moves to the next control.
func (e *TextArea) AcceptsTab() bool { return false }

func (e *TextArea) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		ToWindow(e, ev)
		return
	}
	e.Entry.TypedKey(ev)
}

func (e *TextArea) FocusGained() {
	e.Entry.FocusGained()
	ScrollIntoView(e)
}

// Field is a one-line entry for dialogs and forms: Enter, when the field has no OnSubmitted of its
// own, and Escape go to the window, so a dialog's default button takes Enter and Escape closes it
// (Fyne's entry keeps both).
type Field struct{ widget.Entry }

func NewField() *Field {
	f := &Field{}
	f.ExtendBaseWidget(f)
	return f
}

// NewPasswordField is a Field whose text is hidden.
func NewPasswordField() *Field {
	f := &Field{}
	f.Password = true
	f.ExtendBaseWidget(f)
	return f
}

func (f *Field) TypedKey(ev *fyne.KeyEvent) {
	switch {
	case ev.Name == fyne.KeyEscape,
		(ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && f.OnSubmitted == nil && !f.MultiLine:
		ToWindow(f, ev)
	default:
		f.Entry.TypedKey(ev)
	}
}

func (f *Field) FocusGained() {
	f.Entry.FocusGained()
	ScrollIntoView(f)
}

// DropDown is Fyne's drop-down that gives Enter and Escape to the window (a dialog's default
// button, its Cancel); Space and the arrows open it as in Fyne's.
type DropDown struct{ widget.Select }

func NewDropDown(options []string, changed func(string)) *DropDown {
	d := &DropDown{}
	d.Options, d.OnChanged = options, changed
	d.PlaceHolder = lang.X("dropdown.placeholder", "(Select one)")
	d.ExtendBaseWidget(d)
	return d
}

func (d *DropDown) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape, fyne.KeyReturn, fyne.KeyEnter:
		ToWindow(d, ev)
	default:
		d.Select.TypedKey(ev)
	}
}

func (d *DropDown) FocusGained() {
	d.Select.FocusGained()
	ScrollIntoView(d)
}

// ToWindow hands a key a focused control does not use to its window's key handler.
func ToWindow(o fyne.CanvasObject, ev *fyne.KeyEvent) {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	if c := a.Driver().CanvasForObject(o); c != nil && c.OnTypedKey() != nil {
		c.OnTypedKey()(ev)
	}
}

// DialogKeys is the window's handler of Enter and Escape when no control takes them: Escape
// presses the dialog's Cancel, Close or No button (or closes it), Enter its one primary button.
// It reports whether there was a dialog to act on.
func DialogKeys(c fyne.Canvas, ev *fyne.KeyEvent) bool {
	top := c.Overlays().Top()
	if top == nil {
		return false
	}
	var buttons []*widget.Button
	dismissing := map[*widget.Button]bool{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch o := o.(type) {
		case *widget.Button:
			buttons = append(buttons, o)
		case *Button:
			buttons = append(buttons, &o.Button)
			dismissing[&o.Button] = o.Dismiss
		}
		for _, k := range Children(o) {
			walk(k)
		}
	}
	walk(top)
	switch ev.Name {
	case fyne.KeyEscape:
		dismiss := []string{lang.X("button.cancel", "Cancel"), lang.X("button.close", "Close"), lang.L("Cancel"), lang.L("Close"), lang.L("No")}
		for i := len(buttons) - 1; i >= 0; i-- {
			if (dismissing[buttons[i]] || slices.Contains(dismiss, buttons[i].Text)) && !buttons[i].Disabled() {
				buttons[i].Tapped(nil)
				return true
			}
		}
		top.Hide()
		c.Overlays().Remove(top)
		return true
	case fyne.KeyReturn, fyne.KeyEnter:
		var primary []*widget.Button
		for _, b := range buttons {
			if b.Importance == widget.HighImportance && !b.Disabled() {
				primary = append(primary, b)
			}
		}
		if len(primary) == 1 {
			primary[0].Tapped(nil)
			return true
		}
	}
	return false
}

// ScrollIntoView scrolls the scroll containers holding o so that it is seen whole.
func ScrollIntoView(o fyne.CanvasObject) {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	c := a.Driver().CanvasForObject(o)
	if c == nil {
		return
	}
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
		for _, k := range Children(n) {
			if find(k) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	roots := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	for _, r := range roots {
		path = path[:0]
		if find(r) {
			break
		}
	}
	if len(path) == 0 || path[len(path)-1] != o {
		return
	}
	d := a.Driver()
	for i := len(path) - 2; i >= 0; i-- {
		s, ok := path[i].(*container.Scroll)
		if !ok {
			continue
		}
		top := d.AbsolutePositionForObject(o).Subtract(d.AbsolutePositionForObject(s))
		bottom := top.Add(o.Size())
		off := s.Offset
		switch {
		case top.Y < 0:
			off.Y += top.Y
		case bottom.Y > s.Size().Height && o.Size().Height <= s.Size().Height:
			off.Y += bottom.Y - s.Size().Height
		}
		switch {
		case top.X < 0:
			off.X += top.X
		case bottom.X > s.Size().Width && o.Size().Width <= s.Size().Width:
			off.X += bottom.X - s.Size().Width
		}
		if off != s.Offset {
			s.ScrollToOffset(off)
		}
	}
}

// Children are the objects inside o that keyboard handling looks into: those of containers, scroll
// containers, splits, the selected tab, pop-ups (dialogs) and panels. (A widget's renderer is not
// reachable outside Fyne, so other widgets are leaves here.)
func Children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch o := o.(type) {
	case *fyne.Container:
		return o.Objects
	case *container.Scroll:
		return []fyne.CanvasObject{o.Content}
	case *container.Split:
		return []fyne.CanvasObject{o.Leading, o.Trailing}
	case *container.AppTabs:
		if t := o.Selected(); t != nil {
			return []fyne.CanvasObject{t.Content}
		}
	case *widget.PopUp:
		return []fyne.CanvasObject{o.Content}
	case *Panel:
		return []fyne.CanvasObject{o.content}
	case *TabSwitch:
		return []fyne.CanvasObject{o.Tabs}
	}
	return nil
}

// TabSwitch holds the tabs beside the inventory (Checklist, Documents, Case details, Sent) and
// makes them reachable by keyboard: Tab stops on it (with a ring around the tabs), Left and Right
// (or 1 to 4) choose a tab, and Tab goes on into the tab's content. Fyne's tabs take no focus.
type TabSwitch struct {
	widget.BaseWidget
	Tabs *container.AppTabs
	ring *canvas.Rectangle
}

func NewTabSwitch(tabs *container.AppTabs) *TabSwitch {
	s := &TabSwitch{Tabs: tabs}
	s.ExtendBaseWidget(s)
	return s
}

func (s *TabSwitch) CreateRenderer() fyne.WidgetRenderer {
	s.ring = canvas.NewRectangle(color.Transparent)
	s.ring.StrokeWidth = 3
	return &RingRenderer{WidgetRenderer: widget.NewSimpleRenderer(s.Tabs), ring: s.ring}
}

func (s *TabSwitch) FocusGained() { s.showRing(true) }
func (s *TabSwitch) FocusLost()   { s.showRing(false) }

func (s *TabSwitch) showRing(on bool) {
	if s.ring == nil {
		return
	}
	s.ring.StrokeColor = color.Transparent
	if on {
		s.ring.StrokeColor = FocusRingColor()
	}
	s.ring.Refresh()
}

func (s *TabSwitch) TypedRune(r rune) {
	if r >= '1' && r <= '9' && int(r-'1') < len(s.Tabs.Items) {
		s.Tabs.SelectIndex(int(r - '1'))
	}
}

func (s *TabSwitch) TypedKey(ev *fyne.KeyEvent) {
	n := len(s.Tabs.Items)
	if n == 0 {
		return
	}
	i := s.Tabs.SelectedIndex()
	switch ev.Name {
	case fyne.KeyLeft, fyne.KeyUp:
		s.Tabs.SelectIndex((i + n - 1) % n)
	case fyne.KeyRight, fyne.KeyDown:
		s.Tabs.SelectIndex((i + 1) % n)
	case fyne.KeyHome:
		s.Tabs.SelectIndex(0)
	case fyne.KeyEnd:
		s.Tabs.SelectIndex(n - 1)
	case fyne.KeyEscape:
		ToWindow(s, ev)
	}
}
