package kit

import (
	"image/color"
	"math"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SelectableText is text a person may want to copy (an error's details, a fingerprint, a
// passphrase, a document's first lines), drawn as a label is. It is itself the control Tab stops
// on, with the focus ring of the app's other controls: Fyne's selectable label hands the focus to a
// private child of its own, so nothing could draw a ring around it and Tab reached it with no
// visible sign.
//
// With the mouse, a drag selects, a double click selects a word, and the right button offers Copy.
// With the keyboard, Ctrl+A selects all, Shift with the arrows, Home and End selects from the
// caret, and Ctrl+C copies the selection, or the whole text when nothing is selected. Enter and
// Escape go to the window (a dialog's default button, its Cancel), as do shortcuts the text does
// not use (Ctrl+1..4 choose the tabs). What is copied has no break marks (see Breakable).
type SelectableText struct {
	widget.BaseWidget
	Text      string
	Wrapping  fyne.TextWrap
	TextStyle fyne.TextStyle
	// SizeName is the theme size of the text (theme.SizeNameText when empty).
	SizeName fyne.ThemeSizeName

	anchor, caret int // rune offsets: the selection runs between them
	focused       bool
	byMouse       bool // focused by a click: no ring until a key is pressed (as a browser's :focus-visible)
	shift         bool // a Shift key is held
	pressed       bool // the primary button went down on the text: a drag selects from there

	rows   []textRow // the text's rows, laid out for rowsOf
	rowsOf rowsKey
	drawn  *selectableRenderer
}

// textRow is a row of the text, as rune offsets: a row broken at a space leaves the space out.
type textRow struct{ begin, end int }

type rowsKey struct {
	text  string
	width float32
	size  float32
	wrap  fyne.TextWrap
	style fyne.TextStyle
}

var (
	_ fyne.Focusable         = (*SelectableText)(nil)
	_ fyne.Shortcutable      = (*SelectableText)(nil)
	_ fyne.Draggable         = (*SelectableText)(nil)
	_ fyne.DoubleTappable    = (*SelectableText)(nil)
	_ fyne.SecondaryTappable = (*SelectableText)(nil)
	_ desktop.Mouseable      = (*SelectableText)(nil)
	_ desktop.Keyable        = (*SelectableText)(nil)
	_ desktop.Cursorable     = (*SelectableText)(nil)
)

// NewSelectableText returns text that does not wrap.
func NewSelectableText(text string) *SelectableText {
	t := &SelectableText{Text: text}
	t.ExtendBaseWidget(t)
	return t
}

// NewWrapText is a SelectableText of running text that wraps in the UI's language, as NewWrapLabel
// does; set its text with SetWrapText.
func NewWrapText(text string) *SelectableText {
	t := NewSelectableText(Breakable(text))
	t.Wrapping = fyne.TextWrapWord
	return t
}

// SetText sets the text, and selects nothing.
func (t *SelectableText) SetText(text string) {
	t.Text = text
	t.anchor, t.caret = 0, 0
	t.Refresh()
}

// SelectedText is the text selected, without break marks ("" when nothing is).
func (t *SelectableText) SelectedText() string {
	a, b := t.selection()
	r := []rune(t.Text)
	if a == b || b > len(r) {
		return ""
	}
	return Unmarked(string(r[a:b]))
}

// selection is the selected run of runes, start first (equal when nothing is selected).
func (t *SelectableText) selection() (int, int) {
	t.clamp()
	return min(t.anchor, t.caret), max(t.anchor, t.caret)
}

// clamp keeps the caret and the selection inside the text (Text may be set without SetText).
func (t *SelectableText) clamp() {
	n := len([]rune(t.Text))
	t.anchor, t.caret = min(t.anchor, n), min(t.caret, n)
}

// copyText is what Copy puts on the clipboard: the selection, or the whole text.
func (t *SelectableText) copyText() string {
	if s := t.SelectedText(); s != "" {
		return s
	}
	return Unmarked(t.Text)
}

func (t *SelectableText) FocusGained() {
	t.focused = true
	t.Refresh()
	if !t.byMouse {
		ScrollIntoView(t)
	}
}

func (t *SelectableText) FocusLost() {
	t.focused, t.byMouse, t.shift, t.pressed = false, false, false, false
	t.Refresh()
}

// TypedRune ignores typing: the text is only read.
func (t *SelectableText) TypedRune(rune) {}

// TypedKey moves the caret (and with Shift the selection's end) by a character, a row, or to the
// start or end of a row; Enter and Escape go to the window.
func (t *SelectableText) TypedKey(ev *fyne.KeyEvent) {
	t.byMouse = false
	t.clamp()
	rows := t.layout(t.Size().Width)
	n := len([]rune(t.Text))
	a, b := t.selection()
	caret := t.caret
	switch ev.Name {
	case fyne.KeyLeft:
		switch {
		case !t.shift && a != b:
			caret = a
		case caret > 0:
			caret--
		}
	case fyne.KeyRight:
		switch {
		case !t.shift && a != b:
			caret = b
		case caret < n:
			caret++
		}
	case fyne.KeyUp, fyne.KeyDown:
		r := rowAt(rows, caret)
		x := t.xOf(rows, caret)
		if ev.Name == fyne.KeyUp {
			r--
		} else {
			r++
		}
		switch {
		case r < 0:
			caret = 0
		case r >= len(rows):
			caret = n
		default:
			caret = t.columnAt(rows[r], x)
		}
	case fyne.KeyHome:
		caret = rows[rowAt(rows, caret)].begin
	case fyne.KeyEnd:
		caret = rows[rowAt(rows, caret)].end
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape:
		ToWindow(t, ev)
		return
	default:
		t.Refresh() // the ring, after a click
		return
	}
	t.caret = caret
	if !t.shift {
		t.anchor = caret
	}
	t.Refresh()
	if t.drawn != nil && t.drawn.caret.Visible() {
		ScrollIntoView(t.drawn.caret) // a long text in a scroll container: the caret's row
	}
}

// KeyDown notes a Shift key: the arrows then select.
func (t *SelectableText) KeyDown(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		t.shift = true
	}
}

func (t *SelectableText) KeyUp(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		t.shift = false
	}
}

// TypedShortcut copies (Ctrl+C) and selects all (Ctrl+A); other shortcuts go to the window.
func (t *SelectableText) TypedShortcut(s fyne.Shortcut) {
	switch s := s.(type) {
	case *fyne.ShortcutCopy:
		if s.Clipboard != nil {
			s.Clipboard.SetContent(t.copyText())
		} else {
			CopyText(t.copyText())
		}
	case *fyne.ShortcutSelectAll:
		t.byMouse = false
		t.anchor, t.caret = 0, len([]rune(t.Text))
		t.Refresh()
	case *fyne.ShortcutPaste, *fyne.ShortcutCut, *fyne.ShortcutUndo, *fyne.ShortcutRedo:
	default:
		if a := fyne.CurrentApp(); a != nil {
			if c, ok := a.Driver().CanvasForObject(t).(fyne.Shortcutable); ok {
				c.TypedShortcut(s)
			}
		}
	}
}

// Cursor is the text cursor.
func (t *SelectableText) Cursor() desktop.Cursor { return desktop.TextCursor }

// MouseDown puts the caret where the primary button went down (with Shift: the selection's end)
// and takes the focus.
func (t *SelectableText) MouseDown(ev *desktop.MouseEvent) {
	if ev.Button != desktop.MouseButtonPrimary {
		return
	}
	rows := t.layout(t.Size().Width)
	t.caret = t.offsetAt(rows, ev.Position)
	if !t.shift && ev.Modifier&fyne.KeyModifierShift == 0 {
		t.anchor = t.caret
	}
	t.pressed = true
	t.grabFocus()
	t.Refresh()
}

func (t *SelectableText) MouseUp(*desktop.MouseEvent) {}

// Dragged selects from where the drag started to where the pointer is.
func (t *SelectableText) Dragged(ev *fyne.DragEvent) {
	rows := t.layout(t.Size().Width)
	if !t.pressed {
		t.pressed = true
		t.anchor = t.offsetAt(rows, ev.Position.Subtract(ev.Dragged))
		t.grabFocus()
	}
	t.caret = t.offsetAt(rows, ev.Position)
	t.Refresh()
}

func (t *SelectableText) DragEnd() { t.pressed = false }

// DoubleTapped selects the word under the pointer.
func (t *SelectableText) DoubleTapped(ev *fyne.PointEvent) {
	rows := t.layout(t.Size().Width)
	at := t.offsetAt(rows, ev.Position)
	r := []rune(t.Text)
	word := func(i int) bool { return i >= 0 && i < len(r) && !unicode.IsSpace(r[i]) }
	a, b := at, at
	for word(a - 1) {
		a--
	}
	for word(b) {
		b++
	}
	t.anchor, t.caret = a, b
	t.grabFocus()
	t.Refresh()
}

// TappedSecondary offers Copy.
func (t *SelectableText) TappedSecondary(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(t)
	if c == nil {
		return
	}
	m := fyne.NewMenu("", fyne.NewMenuItem(lang.X("text.copy", "Copy"), func() { CopyText(t.copyText()) }))
	widget.ShowPopUpMenuAtPosition(m, c, ev.AbsolutePosition)
}

func (t *SelectableText) grabFocus() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(t); c != nil && c.Focused() != t {
		t.byMouse = true
		c.Focus(t)
	}
}

// textSize is the size of the text in the widget's theme.
func (t *SelectableText) textSize() float32 {
	name := t.SizeName
	if name == "" {
		name = theme.SizeNameText
	}
	return t.Theme().Size(name)
}

func (t *SelectableText) measure(r []rune) fyne.Size {
	return fyne.MeasureText(string(r), t.textSize(), t.TextStyle)
}

// rowHeight is the height of a row, as Fyne's label lays rows out.
func (t *SelectableText) rowHeight() float32 { return t.measure([]rune("M")).Height }

// layout returns the text's rows at the widget width w (as a label wraps them).
func (t *SelectableText) layout(w float32) []textRow {
	key := rowsKey{t.Text, w, t.textSize(), t.Wrapping, t.TextStyle}
	if t.rows != nil && key == t.rowsOf {
		return t.rows
	}
	pad := t.Theme().Size(theme.SizeNameInnerPadding)
	t.rows = wrapRows([]rune(t.Text), t.Wrapping, w-2*pad, func(r []rune) float32 { return t.measure(r).Width })
	t.rowsOf = key
	return t.rows
}

// wrapRows breaks text into rows no wider than width: at its line breaks, and, as wrap says, at
// the last space that fits (a word wider than a row is broken) or at any character. A width of
// zero or less (the text is not laid out yet) breaks at the line breaks only.
func wrapRows(text []rune, wrap fyne.TextWrap, width float32, measure func([]rune) float32) []textRow {
	var rows []textRow
	begin := 0
	for i := 0; i <= len(text); i++ {
		if i < len(text) && text[i] != '\n' {
			continue
		}
		end := i
		if wrap != fyne.TextWrapWord && wrap != fyne.TextWrapBreak || width <= 0 || begin == end {
			rows = append(rows, textRow{begin, end})
			begin = i + 1
			continue
		}
		for low := begin; low < end; {
			n := fitting(text[low:end], width, measure)
			switch {
			case low+n >= end:
				rows = append(rows, textRow{low, end})
				low = end
			case n < 1: // not one character fits
				rows = append(rows, textRow{low, low + 1})
				low++
			case wrap == fyne.TextWrapWord:
				sp := low + n // the first character that does not fit may be a space
				for sp > low && !unicode.IsSpace(text[sp]) {
					sp--
				}
				if sp > low {
					rows = append(rows, textRow{low, sp})
					low = sp + 1
				} else { // one word wider than the row
					rows = append(rows, textRow{low, low + n})
					low += n
				}
			default:
				rows = append(rows, textRow{low, low + n})
				low += n
			}
		}
		begin = i + 1
	}
	return rows
}

// fitting is how many of the first runes of text fit in width: a galloping search, so that a long
// paragraph is not measured whole for each of its rows.
func fitting(text []rune, width float32, measure func([]rune) float32) int {
	fits := func(n int) bool { return measure(text[:n]) <= width }
	lo, hi := 0, 8 // fits(lo); hi is tried
	for hi < len(text) && fits(hi) {
		lo, hi = hi, hi*2
	}
	if hi >= len(text) {
		if fits(len(text)) {
			return len(text)
		}
		hi = len(text)
	}
	for hi-lo > 1 { // fits(lo), !fits(hi)
		mid := (lo + hi) / 2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// rowAt is the row the caret at offset off is drawn on: the last that starts at or before it.
func rowAt(rows []textRow, off int) int {
	i := 0
	for j, r := range rows {
		if r.begin <= off {
			i = j
		}
	}
	return i
}

// xOf is the horizontal position of offset off in the widget.
func (t *SelectableText) xOf(rows []textRow, off int) float32 {
	r := rows[rowAt(rows, off)]
	off = min(max(off, r.begin), r.end)
	pad := t.Theme().Size(theme.SizeNameInnerPadding)
	return pad + t.measure([]rune(t.Text)[r.begin:off]).Width
}

// columnAt is the offset in row r nearest to the horizontal position x.
func (t *SelectableText) columnAt(r textRow, x float32) int {
	text := []rune(t.Text)
	pad := t.Theme().Size(theme.SizeNameInnerPadding)
	for i := r.begin; i < r.end; i++ {
		w := t.measure(text[r.begin:i]).Width
		c := t.measure(text[i : i+1]).Width
		if x < pad+w+c/2 {
			return i
		}
	}
	return r.end
}

// offsetAt is the offset nearest to the point p of the widget.
func (t *SelectableText) offsetAt(rows []textRow, p fyne.Position) int {
	pad := t.Theme().Size(theme.SizeNameInnerPadding)
	i := int(math.Floor(float64((p.Y - pad) / t.rowHeight())))
	switch {
	case i < 0:
		return 0
	case i >= len(rows):
		return len([]rune(t.Text))
	}
	return t.columnAt(rows[i], p.X)
}

func (t *SelectableText) CreateRenderer() fyne.WidgetRenderer {
	r := &selectableRenderer{t: t, caret: canvas.NewRectangle(color.Transparent), ring: canvas.NewRectangle(color.Transparent)}
	r.ring.StrokeWidth = 3
	t.drawn = r
	r.Refresh()
	return r
}

type selectableRenderer struct {
	t       *SelectableText
	texts   []*canvas.Text
	marks   []*canvas.Rectangle // the selection, a box a row
	caret   *canvas.Rectangle
	ring    *canvas.Rectangle
	objects []fyne.CanvasObject
}

func (r *selectableRenderer) Destroy() {}

func (r *selectableRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *selectableRenderer) MinSize() fyne.Size {
	t := r.t
	pad := t.Theme().Size(theme.SizeNameInnerPadding)
	rows := t.layout(t.Size().Width)
	w := float32(0)
	if t.Wrapping != fyne.TextWrapWord && t.Wrapping != fyne.TextWrapBreak {
		text := []rune(t.Text)
		for _, row := range rows {
			w = max(w, t.measure(text[row.begin:row.end]).Width)
		}
	}
	return fyne.NewSize(w+2*pad, float32(len(rows))*t.rowHeight()+2*pad)
}

func (r *selectableRenderer) Layout(s fyne.Size) {
	t := r.t
	th := t.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	pad := th.Size(theme.SizeNameInnerPadding)
	t.clamp()
	rows := t.layout(s.Width)
	text := []rune(t.Text)
	h := t.rowHeight()

	for len(r.texts) < len(rows) {
		r.texts = append(r.texts, canvas.NewText("", color.Black))
	}
	r.texts = r.texts[:len(rows)]
	for i, row := range rows {
		c := r.texts[i]
		c.Text = string(text[row.begin:row.end])
		c.Color = th.Color(theme.ColorNameForeground, v)
		c.TextSize = t.textSize()
		c.TextStyle = t.TextStyle
		c.Move(fyne.NewPos(pad, pad+float32(i)*h))
		c.Resize(fyne.NewSize(max(s.Width-2*pad, c.MinSize().Width), h))
	}

	// The selection: a box on each row it covers, shown while the text has the focus (as Fyne's).
	r.marks = r.marks[:0]
	a, b := t.selection()
	if t.focused && a != b {
		for i, row := range rows {
			from, to := max(a, row.begin), min(b, row.end)
			if from > to {
				continue
			}
			x1 := t.measure(text[row.begin:from]).Width
			x2 := t.measure(text[row.begin:to]).Width
			if to == row.end && b > row.end { // the selection goes on past the row's end
				x2 += t.measure([]rune(" ")).Width
			}
			if x2 <= x1 {
				continue
			}
			m := canvas.NewRectangle(th.Color(theme.ColorNameSelection, v))
			m.Move(fyne.NewPos(pad+x1, pad+float32(i)*h))
			m.Resize(fyne.NewSize(x2-x1, h))
			r.marks = append(r.marks, m)
		}
	}

	// The caret, while the keyboard is at work: where Shift and the arrows select from.
	r.caret.FillColor = th.Color(theme.ColorNamePrimary, v)
	r.caret.Move(fyne.NewPos(t.xOf(rows, t.caret)-1, pad+float32(rowAt(rows, t.caret))*h))
	r.caret.Resize(fyne.NewSize(2, h))
	r.caret.Hidden = !t.focused || t.byMouse

	r.ring.CornerRadius = th.Size(theme.SizeNameInputRadius)
	r.ring.StrokeColor = color.Transparent
	if t.focused && !t.byMouse {
		r.ring.StrokeColor = FocusRingColor()
	}
	r.ring.Move(fyne.NewPos(0, 0))
	r.ring.Resize(s)

	objs := make([]fyne.CanvasObject, 0, len(r.marks)+len(r.texts)+2)
	for _, m := range r.marks {
		objs = append(objs, m)
	}
	for _, c := range r.texts {
		objs = append(objs, c)
	}
	r.objects = append(objs, r.caret, r.ring)
}

func (r *selectableRenderer) Refresh() {
	r.Layout(r.t.Size())
	for _, o := range r.objects {
		o.Refresh()
	}
	canvas.Refresh(r.t)
}
