package kit

import (
	"fmt"
	"image"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// textWindow shows a button, t and another button in a test window.
func textWindow(t *testing.T, text *SelectableText) (fyne.App, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("text")
	t.Cleanup(w.Close)
	w.SetContent(container.NewVBox(NewButton("Before", nil), text, NewButton("After", nil)))
	w.Resize(fyne.NewSize(400, 300))
	return a, w
}

// changed counts the pixels of o's area that differ clearly between two captures.
func changed(c fyne.Canvas, before, after image.Image, o fyne.CanvasObject) (n, ring int) {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	scale := float32(before.Bounds().Dx()) / c.Size().Width
	area := image.Rect(int(pos.X*scale), int(pos.Y*scale), int((pos.X+o.Size().Width)*scale), int((pos.Y+o.Size().Height)*scale))
	far := func(x, y uint32) bool { return x > y+0x4000 || y > x+0x4000 }
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			r1, g1, b1, _ := before.At(x, y).RGBA()
			r2, g2, b2, _ := after.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) {
				n++
			}
		}
	}
	return n, 2 * (area.Dx() + area.Dy()) * 9 / 10
}

// shift sends key with a Shift key held, as the desktop driver does.
func shift(text *SelectableText, key fyne.KeyName) {
	text.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	text.TypedKey(&fyne.KeyEvent{Name: key})
	text.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
}

// Tab stops on a selectable text (and only once: Fyne's selectable label had a second, hidden
// stop), and the text then shows the kit's focus ring, in the light and the dark theme; a click
// focuses it without the ring.
func TestSelectableTextFocusRing(t *testing.T) {
	text := NewSelectableText("ab12 cd34 ef56 0123")
	text.TextStyle.Monospace = true
	a, w := textWindow(t, text)
	c := w.Canvas()
	test.FocusNext(c)
	test.FocusNext(c)
	if c.Focused() != text {
		t.Fatalf("the second Tab stop is a %T, not the text", c.Focused())
	}
	test.FocusNext(c)
	if b, ok := c.Focused().(*Button); !ok || b.Text != "After" {
		t.Fatalf("the Tab after the text stops on a %T", c.Focused())
	}
	for _, th := range []fyne.Theme{theme.LightTheme(), theme.DarkTheme()} { //nolint:staticcheck // the two variants
		a.Settings().SetTheme(th)
		c.Unfocus()
		before := c.Capture()
		test.FocusNext(c)
		test.FocusNext(c)
		after := c.Capture()
		if n, ring := changed(c, before, after, text); n < ring {
			t.Errorf("theme %T: Tab to the text changes %d pixels, less than a ring (%d)", th, n, ring)
		}
	}
	c.Unfocus()
	before := c.Capture()
	text.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, PointEvent: fyne.PointEvent{Position: fyne.NewPos(20, 10)}})
	if c.Focused() != text {
		t.Fatal("a click does not focus the text")
	}
	if n, _ := changed(c, before, c.Capture(), text); n != 0 {
		t.Errorf("a click shows a ring (%d pixels change)", n)
	}
}

// With the keyboard alone: Ctrl+C copies the whole text (without the break marks of Chinese
// wrapping), Ctrl+A selects all, Shift with the arrows, Home and End selects from the caret, and
// Enter and Escape reach the window.
func TestSelectableTextKeyboardCopy(t *testing.T) {
	text := NewSelectableText("Details: open /tmp/x\nsecond line\u200a中文")
	a, w := textWindow(t, text)
	c := w.Canvas()
	c.Focus(text)
	clip := a.Clipboard()
	copyNow := func() string {
		clip.SetContent("")
		text.TypedShortcut(&fyne.ShortcutCopy{Clipboard: clip})
		return clip.Content()
	}
	if got := copyNow(); got != "Details: open /tmp/x\nsecond line中文" {
		t.Errorf("Ctrl+C with nothing selected copies %q", got)
	}
	for range 3 {
		shift(text, fyne.KeyRight)
	}
	if got := copyNow(); got != "Det" {
		t.Errorf("Shift+Right three times selects %q", got)
	}
	text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight}) // ends the selection at its end
	shift(text, fyne.KeyEnd)
	if got := copyNow(); got != "ails: open /tmp/x" {
		t.Errorf("Shift+End selects %q", got)
	}
	text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyHome})
	shift(text, fyne.KeyDown)
	if got := copyNow(); !strings.HasPrefix(got, "Details: open /tmp/x\n") || strings.Contains(got, "line") {
		t.Errorf("Shift+Down from the start selects %q", got)
	}
	text.TypedShortcut(&fyne.ShortcutSelectAll{})
	if got := text.SelectedText(); got != "Details: open /tmp/x\nsecond line中文" {
		t.Errorf("Ctrl+A selects %q", got)
	}
	// Typing, pasting and cutting change nothing.
	test.Type(text, "xyz")
	text.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	text.TypedShortcut(&fyne.ShortcutCut{Clipboard: clip})
	if text.Text != "Details: open /tmp/x\nsecond line\u200a中文" {
		t.Errorf("the text became %q", text.Text)
	}
	// Enter and Escape go to the window, as do shortcuts the text does not use.
	var keys []fyne.KeyName
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { keys = append(keys, ev.Name) })
	text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(keys) != 2 || keys[0] != fyne.KeyReturn || keys[1] != fyne.KeyEscape {
		t.Errorf("the window got %v", keys)
	}
	// A text set shorter under a selection keeps the selection inside it.
	text.TypedShortcut(&fyne.ShortcutSelectAll{})
	text.Text = "short"
	text.Refresh()
	shift(text, fyne.KeyLeft)
	if got := text.SelectedText(); got != "shor" {
		t.Errorf("after the text was shortened, Shift+Left selects %q", got)
	}
	tabs := 0
	ctrl2 := &desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierShortcutDefault}
	c.AddShortcut(ctrl2, func(fyne.Shortcut) { tabs++ })
	text.TypedShortcut(ctrl2)
	if tabs != 1 {
		t.Error("Ctrl+2 on the text does not reach the window")
	}
}

// With the mouse: a drag selects, a double click selects a word, and the right button's Copy
// copies the selection.
func TestSelectableTextMouse(t *testing.T) {
	text := NewSelectableText("alpha beta gamma")
	a, w := textWindow(t, text)
	c := w.Canvas()
	pad := theme.InnerPadding()
	x := func(s string) float32 { return pad + fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{}).Width }
	y := pad + 2
	text.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, PointEvent: fyne.PointEvent{Position: fyne.NewPos(x("alpha "), y)}})
	text.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x("alpha beta"), y)}, Dragged: fyne.NewDelta(x("alpha beta")-x("alpha "), 0)})
	text.DragEnd()
	if got := text.SelectedText(); got != "beta" {
		t.Errorf("the drag selects %q", got)
	}
	if c.Focused() != text {
		t.Error("the drag does not focus the text")
	}
	text.DoubleTapped(&fyne.PointEvent{Position: fyne.NewPos(x("alpha beta ga"), y)})
	if got := text.SelectedText(); got != "gamma" {
		t.Errorf("the double click selects %q", got)
	}
	text.TappedSecondary(&fyne.PointEvent{Position: fyne.NewPos(x("alpha"), y), AbsolutePosition: fyne.NewPos(30, 60)})
	var items []fyne.Tappable
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if fmt.Sprintf("%T", o) == "*widget.menuItem" {
			items = append(items, o.(fyne.Tappable))
		}
		if w, ok := o.(fyne.Widget); ok {
			for _, k := range test.WidgetRenderer(w).Objects() {
				walk(k)
			}
		} else if ct, ok := o.(*fyne.Container); ok {
			for _, k := range ct.Objects {
				walk(k)
			}
		}
	}
	if c.Overlays().Top() == nil {
		t.Fatal("the right button shows no menu")
	}
	walk(c.Overlays().Top())
	if len(items) != 1 {
		t.Fatalf("the menu has %d items", len(items))
	}
	a.Clipboard().SetContent("")
	test.Tap(items[0])
	if got := a.Clipboard().Content(); got != "gamma" {
		t.Errorf("the menu's Copy copies %q", got)
	}
}

// A wrapping text breaks as a label does: at the last space that fits (which is left out), a word
// wider than the row in the middle, Chinese at its break marks, and always at line breaks; the
// rows' height is the text's.
func TestSelectableTextWraps(t *testing.T) {
	width := func(r []rune) float32 { return float32(len(r)) } // a character is a unit wide
	rows := func(s string, wrap fyne.TextWrap, w float32) []string {
		var out []string
		r := []rune(s)
		for _, row := range wrapRows(r, wrap, w, width) {
			out = append(out, string(r[row.begin:row.end]))
		}
		return out
	}
	for _, tc := range []struct {
		text string
		wrap fyne.TextWrap
		w    float32
		want []string
	}{
		{"one two three", fyne.TextWrapWord, 8, []string{"one two", "three"}},
		{"one two three", fyne.TextWrapWord, 7, []string{"one two", "three"}},
		{"one two three", fyne.TextWrapWord, 0, []string{"one two three"}},
		{"abcdefghij k", fyne.TextWrapWord, 4, []string{"abcd", "efgh", "ij k"}},
		{"ab12 cd34 ef56", fyne.TextWrapBreak, 6, []string{"ab12 c", "d34 ef", "56"}},
		{"a\n\nb c", fyne.TextWrapWord, 2, []string{"a", "", "b", "c"}},
		{"a b\nc d", fyne.TextWrapOff, 1, []string{"a b", "c d"}},
		{"中\u200a文\u200a字", fyne.TextWrapWord, 3, []string{"中\u200a文", "字"}},
	} {
		if got := rows(tc.text, tc.wrap, tc.w); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q in %v at %v: %q, want %q", tc.text, tc.wrap, tc.w, got, tc.want)
		}
	}
	test.NewTempApp(t)
	long := strings.Repeat("word ", 200)
	text := NewWrapText(long)
	label := NewWrapLabel(long)
	for _, o := range []fyne.CanvasObject{text, label} {
		o.Resize(fyne.NewSize(300, 100))
	}
	if tm, lm := text.MinSize(), label.MinSize(); tm.Height != lm.Height {
		t.Errorf("at 300 wide the text is %v high, a label %v", tm.Height, lm.Height)
	}
}

// Unfocused, a selectable text looks as the label it replaces: the same rows at the same places, in
// English and in Chinese with its break marks, wrapped by word or anywhere.
func TestSelectableTextLooksLikeALabel(t *testing.T) {
	a := test.NewTempApp(t)
	for _, tc := range []struct {
		text string
		wrap fyne.TextWrap
		mono bool
	}{
		{"Details: open /home/someone/records/report.pdf: permission denied, and a second sentence to wrap.", fyne.TextWrapWord, false},
		{MarkBreaks("详细信息：无法打开 report.pdf，权限被拒绝。请检查文件夹的权限，然后再试一次。"), fyne.TextWrapWord, false},
		{"fa92 d73d b8af ab97 6823 66c5 1fa8 a13b fbb9 5902 b91d 36c1 682b b74c 1941 98e8", fyne.TextWrapBreak, true},
		{"first line\nsecond line\n\nafter an empty one", fyne.TextWrapWord, false},
	} {
		label := widget.NewLabel(tc.text)
		label.Wrapping = tc.wrap
		label.TextStyle.Monospace = tc.mono
		text := NewSelectableText(tc.text)
		text.Wrapping = tc.wrap
		text.TextStyle.Monospace = tc.mono
		shot := func(o fyne.CanvasObject) image.Image {
			w := a.NewWindow("look")
			defer w.Close()
			w.SetContent(container.NewVBox(o))
			w.Resize(fyne.NewSize(260, 400))
			return w.Canvas().Capture()
		}
		l, s := shot(label), shot(text)
		if label.MinSize() != text.MinSize() {
			t.Errorf("%q: the text's size %v, the label's %v", tc.text, text.MinSize(), label.MinSize())
		}
		n := 0
		for y := 0; y < l.Bounds().Dy(); y++ {
			for x := 0; x < l.Bounds().Dx(); x++ {
				if l.At(x, y) != s.At(x, y) {
					n++
				}
			}
		}
		if n > 0 {
			t.Errorf("%q: %d pixels differ from the label's", tc.text, n)
		}
	}
}

// In a long text in a scroll container (a document's first lines), the caret the arrows move stays
// in view.
func TestSelectableTextCaretStaysInView(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("long")
	defer w.Close()
	text := NewSelectableText(strings.Repeat("a line of the report\n", 60) + "the last line")
	s := container.NewVScroll(text)
	w.SetContent(s)
	w.Resize(fyne.NewSize(300, 200))
	w.Canvas().Focus(text)
	d := fyne.CurrentApp().Driver()
	for i := range 45 {
		text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		top := d.AbsolutePositionForObject(text.drawn.caret).Y - d.AbsolutePositionForObject(s).Y
		if top < 0 || top+text.drawn.caret.Size().Height > s.Size().Height+0.5 {
			t.Fatalf("after %d presses of Down the caret is at %v in a view %v high", i+1, top, s.Size().Height)
		}
	}
	shift(text, fyne.KeyUp)
	if got := text.SelectedText(); got != "a line of the report\n" {
		t.Errorf("Shift+Up selects %q", got)
	}
}
