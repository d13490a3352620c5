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

// ScrollIntoView scrolls the scroll containers holding o so that it is seen whole (as much of it as
// fits). The scroll containers are those of the window's content or dialogs that Children reaches;
// o itself may be deep inside a widget (a form's field), so it counts as inside a scroll container
// when it lies within the container's content.
func ScrollIntoView(o fyne.CanvasObject) {
	a := fyne.CurrentApp()
	if a == nil || o == nil {
		return
	}
	c := a.Driver().CanvasForObject(o)
	if c == nil {
		return
	}
	d := a.Driver()
	// The root o is in: the top dialog when one is open (it has the focus), else the content.
	root := c.Content()
	if top := c.Overlays().Top(); top != nil {
		root = top
	}
	var scrolls []*container.Scroll // outer ones first
	var lists []*widget.List
	seen := false // o is among the objects walked: not inside a list's row
	var walk func(n fyne.CanvasObject)
	walk = func(n fyne.CanvasObject) {
		if n == nil || !n.Visible() {
			return
		}
		seen = seen || n == o
		switch n := n.(type) {
		case *container.Scroll:
			scrolls = append(scrolls, n)
		case *widget.List:
			lists = append(lists, n)
		}
		for _, k := range Children(n) {
			walk(k)
		}
	}
	walk(root)
	for pass := 0; pass < 2; pass++ { // a second pass for scroll containers inside scroll containers
		scrollTo(d, o, scrolls)
	}
	// A control in a list's row (a drop-down in a row of documents), which the walk cannot reach:
	// the list scrolls by as much as the control sticks out.
	for _, l := range lists {
		if seen {
			break
		}
		// The list draws a row or so beyond its view: o is in it if it is across or near it.
		pos, lp, h := d.AbsolutePositionForObject(o), d.AbsolutePositionForObject(l), l.Size().Height
		if pos.X < lp.X || pos.X > lp.X+l.Size().Width || pos.Y+o.Size().Height <= lp.Y-h || pos.Y >= lp.Y+2*h {
			continue
		}
		switch top, bottom := pos.Y-lp.Y, pos.Y-lp.Y+o.Size().Height; {
		case top < 0:
			l.ScrollToOffset(l.GetScrollOffset() + top)
		case bottom > l.Size().Height:
			l.ScrollToOffset(l.GetScrollOffset() + min(bottom-l.Size().Height, top))
		}
	}
}

func scrollTo(d fyne.Driver, o fyne.CanvasObject, scrolls []*container.Scroll) {
	for _, s := range scrolls {
		if s.Content == nil {
			continue
		}
		if m := s.Content.MinSize(); s.Content.Size().Height < m.Height || s.Content.Size().Width < m.Width {
			s.Refresh() // the content grew since it was laid out: lay it out, so it can be scrolled to its end
		}
		pos := d.AbsolutePositionForObject(o)
		sp := d.AbsolutePositionForObject(s)
		content := d.AbsolutePositionForObject(s.Content)
		cs := s.Content.Size().Max(s.Content.MinSize()) // a content may be laid out beyond its size
		inside := pos.X >= content.X-0.5 && pos.Y >= content.Y-0.5 &&
			pos.X+o.Size().Width <= content.X+cs.Width+0.5 && pos.Y+o.Size().Height <= content.Y+cs.Height+0.5
		if !inside {
			continue
		}
		top := pos.Subtract(sp)
		bottom := top.Add(o.Size())
		off := s.Offset
		switch {
		case top.Y < 0:
			off.Y += top.Y
		case bottom.Y > s.Size().Height:
			off.Y += min(bottom.Y-s.Size().Height, top.Y) // the top stays in view when o is taller
		}
		switch {
		case top.X < 0:
			off.X += top.X
		case bottom.X > s.Size().Width:
			off.X += min(bottom.X-s.Size().Width, top.X)
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
