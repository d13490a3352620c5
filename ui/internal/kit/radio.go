package kit

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// RadioGroup is a group of radio buttons the keyboard works as well as the mouse: Tab reaches each
// option (with the focus ring of the app's other controls), Space chooses the focused one, Up and
// Down (and Left and Right, and Home and End) move the focus between the options without choosing,
// and Enter goes on without changing the choice: to OnSubmitted when it is set, else to the window
// (a dialog's default button). Escape goes to the window. Fyne's radio group answers Space only, so
// Enter on a radio did nothing and the arrows did not move. Its fields are those of Fyne's.
type RadioGroup struct {
	widget.DisableableWidget
	Horizontal bool
	// Required keeps one option chosen: choosing the chosen one again does not clear it.
	Required bool
	Options  []string
	Selected string
	// OnChanged gets the option chosen ("" when the choice was cleared).
	OnChanged func(string)
	// OnSubmitted is what Enter on an option does (when nil, Enter goes to the window).
	OnSubmitted func()

	items  []*radioOption
	linked *[]*RadioGroup // the groups the arrows move across (LinkRadios), nil for this one alone
}

// LinkRadios makes groups that show one choice in several places (a panel an option) one for the
// arrows: Up and Down move across all their options, in the order given.
func LinkRadios(groups ...*RadioGroup) {
	all := groups
	for _, g := range groups {
		g.linked = &all
	}
}

// ring is the options the arrows move across, in order.
func (r *RadioGroup) ring() []*radioOption {
	if r.linked == nil {
		r.syncItems()
		return r.items
	}
	var out []*radioOption
	for _, g := range *r.linked {
		if g.Visible() && !g.Disabled() {
			g.syncItems()
			out = append(out, g.items...)
		}
	}
	return out
}

var _ fyne.Disableable = (*RadioGroup)(nil)

// NewRadioGroup returns a radio group of options.
func NewRadioGroup(options []string, changed func(string)) *RadioGroup {
	r := &RadioGroup{Options: options, OnChanged: changed}
	r.ExtendBaseWidget(r)
	return r
}

// SetSelected chooses option ("" or an option that is not one clears the choice).
func (r *RadioGroup) SetSelected(option string) {
	if r.Selected == option {
		return
	}
	r.Selected = option
	if r.OnChanged != nil {
		r.OnChanged(option)
	}
	r.Refresh()
}

// Items are the options' widgets, the ones that take the focus, in order (for tests and for
// moving the focus).
func (r *RadioGroup) Items() []fyne.Focusable {
	r.syncItems()
	out := make([]fyne.Focusable, len(r.items))
	for i, it := range r.items {
		out[i] = it
	}
	return out
}

// choose is a click or Space on option i: it chooses it, or clears the choice when it was chosen
// and the group is not Required.
func (r *RadioGroup) choose(i int) {
	if r.Disabled() || i < 0 || i >= len(r.Options) {
		return
	}
	if r.Selected == r.Options[i] {
		if r.Required {
			return
		}
		r.SetSelected("")
		return
	}
	r.SetSelected(r.Options[i])
}

// syncItems makes one option widget an option.
func (r *RadioGroup) syncItems() {
	for len(r.items) < len(r.Options) {
		o := &radioOption{group: r, index: len(r.items)}
		o.ExtendBaseWidget(o)
		r.items = append(r.items, o)
	}
	r.items = r.items[:len(r.Options)]
}

func (r *RadioGroup) CreateRenderer() fyne.WidgetRenderer {
	r.ExtendBaseWidget(r)
	r.syncItems()
	return &radioGroupRenderer{group: r}
}

type radioGroupRenderer struct {
	group   *RadioGroup
	objects []fyne.CanvasObject
}

func (g *radioGroupRenderer) Destroy() {}

func (g *radioGroupRenderer) Objects() []fyne.CanvasObject {
	g.group.syncItems()
	if len(g.objects) != len(g.group.items) {
		g.objects = make([]fyne.CanvasObject, len(g.group.items))
		for i, it := range g.group.items {
			g.objects[i] = it
		}
	}
	return g.objects
}

// itemSize is the size of every option: the largest one's.
func (g *radioGroupRenderer) itemSize() fyne.Size {
	var s fyne.Size
	for _, it := range g.group.items {
		s = s.Max(it.MinSize())
	}
	return s
}

func (g *radioGroupRenderer) MinSize() fyne.Size {
	g.group.syncItems()
	s, n := g.itemSize(), float32(len(g.group.items))
	if g.group.Horizontal {
		return fyne.NewSize(s.Width*n, s.Height)
	}
	return fyne.NewSize(s.Width, s.Height*n)
}

func (g *radioGroupRenderer) Layout(size fyne.Size) {
	g.group.syncItems()
	n := float32(max(len(g.group.items), 1))
	item := fyne.NewSize(size.Width, g.itemSize().Height)
	if g.group.Horizontal {
		item = fyne.NewSize(size.Width/n, size.Height)
	}
	var pos fyne.Position
	for _, it := range g.group.items {
		it.Resize(item)
		it.Move(pos)
		if g.group.Horizontal {
			pos.X += item.Width
		} else {
			pos.Y += item.Height
		}
	}
}

func (g *radioGroupRenderer) Refresh() {
	g.Objects()
	g.Layout(g.group.Size())
	for _, it := range g.group.items {
		it.Refresh()
	}
	canvas.Refresh(g.group)
}

// radioOption is one option of a RadioGroup: the widget Tab stops on.
type radioOption struct {
	widget.BaseWidget
	group   *RadioGroup
	index   int
	focused bool
	hovered bool
}

var (
	_ fyne.Focusable    = (*radioOption)(nil)
	_ fyne.Tappable     = (*radioOption)(nil)
	_ fyne.Disableable  = (*radioOption)(nil)
	_ desktop.Hoverable = (*radioOption)(nil)
)

func (o *radioOption) label() string {
	if o.index < len(o.group.Options) {
		return o.group.Options[o.index]
	}
	return ""
}

func (o *radioOption) chosen() bool {
	return o.group.Selected != "" && o.group.Selected == o.label()
}

// Disabled is the group's: a disabled group's options are not reached by Tab.
func (o *radioOption) Disabled() bool { return o.group.Disabled() }
func (o *radioOption) Enable()        { o.group.Enable() }
func (o *radioOption) Disable()       { o.group.Disable() }

func (o *radioOption) Tapped(*fyne.PointEvent) {
	if o.Disabled() {
		return
	}
	if c := canvasOf(o); c != nil && c.Focused() != o {
		c.Focus(o)
	}
	o.group.choose(o.index)
}

func (o *radioOption) FocusGained() {
	o.focused = true
	o.Refresh()
	ScrollIntoView(o)
}

func (o *radioOption) FocusLost() {
	o.focused = false
	o.Refresh()
}

func (o *radioOption) MouseIn(*desktop.MouseEvent)    { o.hovered = true; o.Refresh() }
func (o *radioOption) MouseMoved(*desktop.MouseEvent) {}
func (o *radioOption) MouseOut()                      { o.hovered = false; o.Refresh() }

// TypedRune chooses the option on Space.
func (o *radioOption) TypedRune(r rune) {
	if r == ' ' {
		o.group.choose(o.index)
	}
}

// TypedKey moves the focus with the arrows, Home and End; Enter goes on, Escape to the window.
func (o *radioOption) TypedKey(ev *fyne.KeyEvent) {
	ring := o.group.ring()
	at := slices.Index(ring, o)
	if at < 0 {
		ring, at = o.group.items, o.index
	}
	n := len(ring)
	switch ev.Name {
	case fyne.KeyUp, fyne.KeyLeft:
		o.focusOption(ring, (at+n-1)%n)
	case fyne.KeyDown, fyne.KeyRight:
		o.focusOption(ring, (at+1)%n)
	case fyne.KeyHome:
		o.focusOption(ring, 0)
	case fyne.KeyEnd:
		o.focusOption(ring, n-1)
	case fyne.KeyReturn, fyne.KeyEnter:
		if o.group.OnSubmitted != nil {
			o.group.OnSubmitted()
			return
		}
		ToWindow(o, ev)
	case fyne.KeyEscape:
		ToWindow(o, ev)
	}
}

func (o *radioOption) focusOption(ring []*radioOption, i int) {
	if i < 0 || i >= len(ring) {
		return
	}
	if c := canvasOf(o); c != nil {
		c.Focus(ring[i])
	}
}

func canvasOf(o fyne.CanvasObject) fyne.Canvas {
	if a := fyne.CurrentApp(); a != nil {
		return a.Driver().CanvasForObject(o)
	}
	return nil
}

func (o *radioOption) CreateRenderer() fyne.WidgetRenderer {
	r := &radioOptionRenderer{option: o, label: canvas.NewText("", color.Black)}
	r.ring = canvas.NewRectangle(color.Transparent)
	r.ring.StrokeWidth = 3
	r.ring.CornerRadius = theme.InputRadiusSize()
	r.update()
	return r
}

type radioOptionRenderer struct {
	option     *radioOption
	hover      canvas.Circle
	in, out    canvas.Image
	label      *canvas.Text
	ring       *canvas.Rectangle
	objectList []fyne.CanvasObject
}

func (r *radioOptionRenderer) Destroy() {}

func (r *radioOptionRenderer) Objects() []fyne.CanvasObject {
	if r.objectList == nil {
		r.objectList = []fyne.CanvasObject{&r.hover, &r.in, &r.out, r.label, r.ring}
	}
	return r.objectList
}

func (r *radioOptionRenderer) MinSize() fyne.Size {
	th := r.option.Theme()
	pad := th.Size(theme.SizeNameInnerPadding) * 2
	return r.label.MinSize().AddWidthHeight(pad+th.Size(theme.SizeNameInlineIcon)+th.Size(theme.SizeNamePadding), pad)
}

func (r *radioOptionRenderer) Layout(size fyne.Size) {
	th := r.option.Theme()
	inner, border, icon := th.Size(theme.SizeNameInnerPadding), th.Size(theme.SizeNameInputBorder), th.Size(theme.SizeNameInlineIcon)
	disc := fyne.NewSquareSize(icon + inner)
	r.hover.Resize(disc)
	r.hover.Move(fyne.NewPos(border, (size.Height-disc.Height)/2))
	r.label.Resize(size)
	r.label.Move(fyne.NewPos(disc.Width+th.Size(theme.SizeNamePadding), 0))
	at := fyne.NewPos(inner/2+border, (size.Height-icon)/2)
	for _, img := range []*canvas.Image{&r.in, &r.out} {
		img.Resize(fyne.NewSquareSize(icon))
		img.Move(at)
	}
	r.ring.Resize(size)
	r.ring.Move(fyne.NewPos(0, 0))
}

func (r *radioOptionRenderer) Refresh() {
	r.update()
	r.Layout(r.option.Size())
	canvas.Refresh(r.option)
}

func (r *radioOptionRenderer) update() {
	o := r.option
	th := o.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.label.Text = o.label()
	r.label.TextSize = th.Size(theme.SizeNameText)
	r.label.Color = th.Color(theme.ColorNameForeground, v)
	out := theme.NewThemedResource(th.Icon(theme.IconNameRadioButton))
	out.ColorName = theme.ColorNameInputBorder
	in := theme.NewThemedResource(th.Icon(theme.IconNameRadioButtonFill))
	in.ColorName = theme.ColorNameInputBackground
	if o.chosen() {
		in.ColorName, out.ColorName = theme.ColorNamePrimary, theme.ColorNameForeground
	}
	if o.Disabled() {
		r.label.Color = th.Color(theme.ColorNameDisabled, v)
		in.ColorName, out.ColorName = theme.ColorNameBackground, theme.ColorNameDisabled
		if o.chosen() {
			in.ColorName = theme.ColorNameDisabled
		}
	}
	r.in.Resource, r.out.Resource = in, out
	r.in.Refresh()
	r.out.Refresh()
	r.label.Refresh()
	r.hover.FillColor = color.Transparent
	if o.hovered && !o.Disabled() {
		r.hover.FillColor = th.Color(theme.ColorNameHover, v)
	}
	r.hover.Refresh()
	r.ring.StrokeColor = color.Transparent
	if o.focused {
		r.ring.StrokeColor = FocusRingColor()
	}
	r.ring.Refresh()
}
