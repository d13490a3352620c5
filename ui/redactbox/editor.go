// Package redactbox is the app's redaction preview: a page or picture as
// it is, with the boxes that hide the patient's identity drawn over it
// (each labelled by where it came from), which the patient can add, move,
// resize and remove with the mouse or the keyboard; and the same page as it
// will be sent, worked out in the background by the export's own writers
// (packager/redactview).
package redactbox

import (
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/redactview"
)

// Box is a box of the editor, in the picture's units (pixels of the
// picture, or points of a PDF page), whatever the zoom.
type Box = redactview.Box

// originColor is the colour of a box by where it came from.
func originColor(o redactview.Origin) color.NRGBA {
	switch o {
	case redactview.Header:
		return color.NRGBA{0xe6, 0x7e, 0x00, 0xff} // orange
	case redactview.OCR:
		return color.NRGBA{0x8e, 0x24, 0xaa, 0xff} // purple
	case redactview.Text:
		return color.NRGBA{0x15, 0x65, 0xc0, 0xff} // blue
	case redactview.Outlined:
		return color.NRGBA{0xc6, 0x28, 0x28, 0xff} // red
	}
	return color.NRGBA{0x00, 0x89, 0x5a, 0xff} // green: drawn by you
}

// OriginName is where a box came from, in plain words.
func OriginName(o redactview.Origin) string {
	switch o {
	case redactview.Header:
		return lang.X("redact.origin.header", "ultrasound header")
	case redactview.OCR:
		return lang.X("redact.origin.ocr", "text read in the picture")
	case redactview.Text:
		return lang.X("redact.origin.text", "text found")
	case redactview.Outlined:
		return lang.X("redact.origin.outlined", "writing drawn as shapes")
	}
	return lang.X("redact.origin.drawn", "drawn by you")
}

// Editor shows a picture with boxes over it. The picture is fitted to the
// editor's size; the boxes keep the picture's units.
type Editor struct {
	widget.BaseWidget

	// OnChanged is called on the UI goroutine after a box was added, moved,
	// resized or removed.
	OnChanged func()

	pic        *canvas.Image
	w, h       float64 // the picture's size in its units
	page       int
	boxes      []*boxView
	surface    *surface
	selected   *boxView
	holder     *fyne.Container
	scale      float32
	offX, offY float32
}

// NewEditor returns an editor of a picture of size w×h units (page is the
// page its boxes get).
func NewEditor(img image.Image, w, h float64, page int) *Editor {
	e := &Editor{w: w, h: h, page: page, scale: 1}
	e.pic = canvas.NewImageFromImage(img)
	e.pic.FillMode = canvas.ImageFillContain
	e.pic.ScaleMode = canvas.ImageScaleSmooth
	e.surface = &surface{e: e}
	e.surface.ExtendBaseWidget(e.surface)
	e.holder = &fyne.Container{Layout: nil}
	e.ExtendBaseWidget(e)
	return e
}

// SetPicture shows another picture (another page) of size w×h units; its
// boxes are set with SetBoxes.
func (e *Editor) SetPicture(img image.Image, w, h float64, page int) {
	e.pic.Image = img
	e.w, e.h, e.page = w, h, page
	e.SetBoxes(nil)
	e.pic.Refresh()
}

// SetBoxes replaces the boxes.
func (e *Editor) SetBoxes(bs []Box) {
	e.boxes = nil
	e.selected = nil
	for _, b := range bs {
		e.boxes = append(e.boxes, e.newBoxView(b))
	}
	e.relayout()
}

// Boxes returns the boxes, in the picture's units.
func (e *Editor) Boxes() []Box {
	out := make([]Box, 0, len(e.boxes))
	for _, b := range e.boxes {
		out = append(out, b.box)
	}
	return out
}

// Selected returns the index of the selected box, or -1.
func (e *Editor) Selected() int {
	for i, b := range e.boxes {
		if b == e.selected {
			return i
		}
	}
	return -1
}

// AddBox adds a box drawn by the user in the middle of the picture (a
// quarter of its width, an eighth of its height), selects it and focuses
// it, so the arrow keys move it.
func (e *Editor) AddBox() {
	bw, bh := e.w/4, e.h/8
	b := e.newBoxView(Box{Page: e.page, X: (e.w - bw) / 2, Y: (e.h - bh) / 2, Width: bw, Height: bh, Origin: redactview.Drawn})
	e.boxes = append(e.boxes, b)
	e.relayout()
	e.selectBox(b, true)
	e.changed()
}

// RemoveSelected removes the selected box, if any.
func (e *Editor) RemoveSelected() {
	if e.selected != nil && !e.selected.locked() {
		e.remove(e.selected)
	}
}

func (e *Editor) remove(b *boxView) {
	for i, x := range e.boxes {
		if x == b {
			e.boxes = append(e.boxes[:i], e.boxes[i+1:]...)
			break
		}
	}
	if e.selected == b {
		e.selected = nil
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil && c.Focused() == b {
		c.Unfocus()
	}
	e.relayout()
	e.changed()
}

func (e *Editor) changed() {
	if e.OnChanged != nil {
		e.OnChanged()
	}
}

func (e *Editor) selectBox(b *boxView, focus bool) {
	old := e.selected
	e.selected = b
	if old != nil {
		old.Refresh()
	}
	if b != nil {
		b.Refresh()
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); focus && c != nil {
			c.Focus(b)
		}
	}
}

// ToScreen maps a point of the picture to the editor's coordinates.
func (e *Editor) ToScreen(x, y float64) fyne.Position {
	return fyne.NewPos(e.offX+float32(x)*e.scale, e.offY+float32(y)*e.scale)
}

// fromScreen maps a point of the editor to the picture.
func (e *Editor) fromScreen(p fyne.Position) (float64, float64) {
	return float64((p.X - e.offX) / e.scale), float64((p.Y - e.offY) / e.scale)
}

// fit works out the scale and offset of the picture in size.
func (e *Editor) fit(size fyne.Size) {
	if e.w <= 0 || e.h <= 0 || size.Width <= 0 || size.Height <= 0 {
		e.scale, e.offX, e.offY = 1, 0, 0
		return
	}
	e.scale = float32(math.Min(float64(size.Width)/e.w, float64(size.Height)/e.h))
	e.offX = (size.Width - float32(e.w)*e.scale) / 2
	e.offY = (size.Height - float32(e.h)*e.scale) / 2
}

func (e *Editor) relayout() {
	objs := []fyne.CanvasObject{}
	for _, b := range e.boxes {
		objs = append(objs, b)
	}
	e.holder.Objects = objs
	e.placeBoxes()
	e.Refresh()
}

func (e *Editor) placeBoxes() {
	for _, b := range e.boxes {
		p := e.ToScreen(b.box.X, b.box.Y)
		b.Move(p)
		b.Resize(fyne.NewSize(float32(b.box.Width)*e.scale, float32(b.box.Height)*e.scale))
	}
}

// clamp keeps a box inside the picture, at least one unit large.
func (e *Editor) clamp(b Box) Box {
	b.Width = math.Max(1, math.Min(b.Width, e.w))
	b.Height = math.Max(1, math.Min(b.Height, e.h))
	b.X = math.Max(0, math.Min(b.X, e.w-b.Width))
	b.Y = math.Max(0, math.Min(b.Y, e.h-b.Height))
	return b
}

// CreateRenderer draws the picture, the drawing surface and the boxes.
func (e *Editor) CreateRenderer() fyne.WidgetRenderer {
	return &editorRenderer{e: e}
}

// MinSize keeps the picture visible.
func (e *Editor) MinSize() fyne.Size { return fyne.NewSize(240, 180) }

type editorRenderer struct{ e *Editor }

func (r *editorRenderer) Layout(size fyne.Size) {
	e := r.e
	e.fit(size)
	e.pic.Move(fyne.NewPos(e.offX, e.offY))
	e.pic.Resize(fyne.NewSize(float32(e.w)*e.scale, float32(e.h)*e.scale))
	e.surface.Move(fyne.NewPos(0, 0))
	e.surface.Resize(size)
	e.holder.Resize(size)
	e.placeBoxes()
}

func (r *editorRenderer) MinSize() fyne.Size { return r.e.MinSize() }
func (r *editorRenderer) Refresh() {
	r.Layout(r.e.Size())
	r.e.pic.Refresh()
	for _, b := range r.e.boxes {
		b.Refresh()
	}
	canvas.Refresh(r.e)
}
func (r *editorRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.e.pic, r.e.surface, r.e.holder}
}
func (r *editorRenderer) Destroy() {}

// surface catches drags on the picture outside the boxes: a new box is
// drawn from where the drag started to where it is.
type surface struct {
	widget.BaseWidget
	e       *Editor
	drawing *boxView
	x0, y0  float64
}

func (s *surface) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// Tapped clears the selection.
func (s *surface) Tapped(*fyne.PointEvent) { s.e.selectBox(nil, false) }

// Dragged draws a new box.
func (s *surface) Dragged(ev *fyne.DragEvent) {
	e := s.e
	if s.drawing == nil {
		start := ev.Position.Subtract(fyne.NewPos(ev.Dragged.DX, ev.Dragged.DY))
		s.x0, s.y0 = e.fromScreen(start)
		s.x0, s.y0 = math.Max(0, math.Min(s.x0, e.w)), math.Max(0, math.Min(s.y0, e.h))
		s.drawing = e.newBoxView(Box{Page: e.page, X: s.x0, Y: s.y0, Width: 1, Height: 1, Origin: redactview.Drawn})
		e.boxes = append(e.boxes, s.drawing)
		e.relayout()
	}
	x, y := e.fromScreen(ev.Position)
	x, y = math.Max(0, math.Min(x, e.w)), math.Max(0, math.Min(y, e.h))
	s.drawing.box.X, s.drawing.box.Y = math.Min(s.x0, x), math.Min(s.y0, y)
	s.drawing.box.Width, s.drawing.box.Height = math.Abs(x-s.x0), math.Abs(y-s.y0)
	e.placeBoxes()
	s.drawing.Refresh()
}

// DragEnd keeps the new box unless it is too small to mean anything.
func (s *surface) DragEnd() {
	b := s.drawing
	s.drawing = nil
	if b == nil {
		return
	}
	if float32(b.box.Width)*s.e.scale < 4 || float32(b.box.Height)*s.e.scale < 4 {
		s.e.boxes = s.e.boxes[:len(s.e.boxes)-1]
		s.e.relayout()
		return
	}
	s.e.selectBox(b, true)
	s.e.changed()
}

// Cursor shows a cross over the picture, where a drag draws a box.
func (s *surface) Cursor() desktop.Cursor { return desktop.CrosshairCursor }

// handleSize is the side of a box's resize handle (bottom right), on
// screen.
const handleSize = 12

// boxView is one box over the picture: a drag moves it (or resizes it from
// its bottom-right corner); focused, the arrow keys move it, Shift and the
// arrow keys resize it, and Delete removes it.
type boxView struct {
	widget.BaseWidget
	e        *Editor
	box      Box
	focused  bool
	resizing bool
	dragging bool
}

func (e *Editor) newBoxView(b Box) *boxView {
	v := &boxView{e: e, box: b}
	v.ExtendBaseWidget(v)
	return v
}

func (b *boxView) CreateRenderer() fyne.WidgetRenderer {
	r := &boxRenderer{b: b, rect: canvas.NewRectangle(color.Transparent), handle: canvas.NewRectangle(color.Transparent),
		tagBg: canvas.NewRectangle(color.Transparent), tag: canvas.NewText("", color.White)}
	r.tag.TextSize = theme.CaptionTextSize()
	r.Refresh()
	return r
}

// Tapped selects the box and gives it the keyboard.
func (b *boxView) Tapped(*fyne.PointEvent) { b.e.selectBox(b, true) }

// locked reports a box of text found in a PDF: the export removes that
// text whatever the boxes, so its box is shown but not moved or removed.
func (b *boxView) locked() bool { return b.box.Origin == redactview.Text }

// Dragged moves the box, or resizes it when the drag began on its handle.
func (b *boxView) Dragged(ev *fyne.DragEvent) {
	e := b.e
	if b.locked() {
		return
	}
	if !b.dragging {
		b.dragging = true
		start := ev.Position.Subtract(fyne.NewPos(ev.Dragged.DX, ev.Dragged.DY))
		sz := b.Size()
		b.resizing = start.X >= sz.Width-handleSize && start.Y >= sz.Height-handleSize
		e.selectBox(b, false)
	}
	dx, dy := float64(ev.Dragged.DX/e.scale), float64(ev.Dragged.DY/e.scale)
	nb := b.box
	if b.resizing {
		nb.Width, nb.Height = math.Max(1, nb.Width+dx), math.Max(1, nb.Height+dy)
		nb.Width, nb.Height = math.Min(nb.Width, e.w-nb.X), math.Min(nb.Height, e.h-nb.Y)
	} else {
		nb.X, nb.Y = nb.X+dx, nb.Y+dy
	}
	b.box = e.clamp(nb)
	e.placeBoxes()
	b.Refresh()
}

// DragEnd reports the change.
func (b *boxView) DragEnd() {
	b.dragging, b.resizing = false, false
	if b.locked() {
		return
	}
	b.e.changed()
}

// FocusGained selects the box.
func (b *boxView) FocusGained() {
	b.focused = true
	b.e.selectBox(b, false)
}

// FocusLost keeps the selection (for the Remove button) and drops the ring.
func (b *boxView) FocusLost() {
	b.focused = false
	b.Refresh()
}

// TypedRune does nothing.
func (b *boxView) TypedRune(rune) {}

// TypedKey moves the box by about a hundredth of the picture (Shift: resizes
// it), or removes it with Delete or Backspace.
func (b *boxView) TypedKey(ev *fyne.KeyEvent) {
	e := b.e
	if b.locked() {
		return
	}
	step := math.Max(1, math.Round(math.Max(e.w, e.h)/100))
	dx, dy := 0.0, 0.0
	switch ev.Name {
	case fyne.KeyLeft:
		dx = -step
	case fyne.KeyRight:
		dx = step
	case fyne.KeyUp:
		dy = -step
	case fyne.KeyDown:
		dy = step
	case fyne.KeyDelete, fyne.KeyBackspace:
		e.remove(b)
		return
	default:
		return
	}
	nb := b.box
	if shiftHeld() {
		nb.Width, nb.Height = math.Max(1, nb.Width+dx), math.Max(1, nb.Height+dy)
	} else {
		nb.X, nb.Y = nb.X+dx, nb.Y+dy
	}
	b.box = e.clamp(nb)
	e.placeBoxes()
	b.Refresh()
	e.changed()
}

// shiftHeld reports whether Shift is held (desktop drivers only).
func shiftHeld() bool {
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		return d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0
	}
	return false
}

type boxRenderer struct {
	b                   *boxView
	rect, handle, tagBg *canvas.Rectangle
	tag                 *canvas.Text
}

func (r *boxRenderer) Layout(size fyne.Size) {
	r.rect.Resize(size)
	r.handle.Move(fyne.NewPos(size.Width-handleSize, size.Height-handleSize))
	r.handle.Resize(fyne.NewSize(handleSize, handleSize))
	ts := r.tag.MinSize()
	y := -ts.Height
	if r.b.Position().Y < ts.Height {
		y = size.Height // no room above: the label goes below
	}
	r.tag.Move(fyne.NewPos(2, y))
	r.tagBg.Move(fyne.NewPos(0, y))
	r.tagBg.Resize(fyne.NewSize(ts.Width+4, ts.Height))
}

func (r *boxRenderer) MinSize() fyne.Size { return fyne.NewSize(1, 1) }

func (r *boxRenderer) Refresh() {
	c := originColor(r.b.box.Origin)
	r.rect.StrokeColor = c
	r.rect.StrokeWidth = 2
	fill := c
	fill.A = 0x30
	r.rect.FillColor = fill
	selected := r.b.e.selected == r.b
	if selected {
		r.rect.StrokeWidth = 4
		r.rect.FillColor = color.NRGBA{c.R, c.G, c.B, 0x60}
	}
	if r.b.focused {
		r.rect.StrokeColor = theme.Color(theme.ColorNameFocus)
	}
	r.handle.FillColor = c
	if !selected {
		r.handle.FillColor = color.Transparent
	}
	// The label shows on the chosen box only, so as not to hide what is
	// around the others (the legend gives their colours).
	r.tag.Text = OriginName(r.b.box.Origin)
	r.tag.Hidden, r.tagBg.Hidden = !selected, !selected
	r.tagBg.FillColor = c
	r.Layout(r.b.Size())
	r.rect.Refresh()
	r.handle.Refresh()
	r.tag.Refresh()
	r.tagBg.Refresh()
}

func (r *boxRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.rect, r.handle, r.tagBg, r.tag}
}
func (r *boxRenderer) Destroy() {}
