package kit

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// A radio group works by keyboard: Space chooses the focused option, the arrows (Up and Down, Left
// and Right, Home and End) move the focus between the options without choosing, and Enter goes on
// (to OnSubmitted, or the window) without changing the choice. Fyne's own radio group did nothing
// on Enter or the arrows.
func TestRadioKeyboard(t *testing.T) {
	test.NewTempApp(t)
	var changes []string
	r := NewRadioGroup([]string{"one", "two", "three"}, func(s string) { changes = append(changes, s) })
	r.Required = true
	other := NewRadioGroup([]string{"four"}, nil)
	w := test.NewWindow(container.NewVBox(r, other))
	defer w.Close()
	c := w.Canvas()
	var toWindow []fyne.KeyName
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { toWindow = append(toWindow, ev.Name) })
	items := r.Items()
	key := func(name fyne.KeyName) { c.Focused().TypedKey(&fyne.KeyEvent{Name: name}) }
	focused := func(want int, after string) {
		t.Helper()
		if c.Focused() != items[want] {
			t.Fatalf("after %s the focus is not on option %d", after, want+1)
		}
	}

	c.Focus(items[0])
	c.Focused().TypedRune(' ')
	if r.Selected != "one" {
		t.Fatalf("Space chose %q", r.Selected)
	}
	c.Focused().TypedRune(' ') // Required: Space on the chosen one keeps it
	key(fyne.KeyDown)
	focused(1, "Down")
	key(fyne.KeyRight)
	focused(2, "Right")
	key(fyne.KeyDown) // round to the first
	focused(0, "Down on the last")
	key(fyne.KeyUp)
	focused(2, "Up on the first")
	key(fyne.KeyLeft)
	focused(1, "Left")
	key(fyne.KeyHome)
	focused(0, "Home")
	key(fyne.KeyEnd)
	focused(2, "End")
	if r.Selected != "one" {
		t.Fatalf("moving the focus chose %q", r.Selected)
	}
	c.Focused().TypedRune(' ')
	if r.Selected != "three" || len(changes) != 2 {
		t.Fatalf("Space chose %q, changes %q", r.Selected, changes)
	}
	// Enter goes to the window (a dialog's default button), and the choice stays.
	key(fyne.KeyReturn)
	key(fyne.KeyEnter)
	key(fyne.KeyEscape)
	if len(toWindow) != 3 || r.Selected != "three" {
		t.Fatalf("Enter, Enter, Escape: the window got %q, choice %q", toWindow, r.Selected)
	}
	// With OnSubmitted, Enter goes on there instead.
	submitted := 0
	r.OnSubmitted = func() { submitted++ }
	key(fyne.KeyReturn)
	if submitted != 1 || len(toWindow) != 3 || r.Selected != "three" {
		t.Fatalf("Enter with OnSubmitted: %d submitted, window got %q, choice %q", submitted, toWindow, r.Selected)
	}
	// A click focuses and chooses; a group not Required clears on a second click.
	test.Tap(items[1].(*radioOption))
	if r.Selected != "two" || c.Focused() != items[1] {
		t.Fatalf("a click chose %q", r.Selected)
	}
	// The group that is not linked is not reached by the arrows; linked ones are.
	key(fyne.KeyDown)
	key(fyne.KeyDown)
	focused(0, "Down past the end of an unlinked group")
	LinkRadios(r, other)
	key(fyne.KeyUp)
	if c.Focused() != other.Items()[0] {
		t.Fatal("Up on the first option of linked groups did not reach the last group's option")
	}
	key(fyne.KeyDown)
	focused(0, "Down from the last of linked groups")
	// A disabled group's options are not reached by Tab.
	r.Disable()
	for _, it := range items {
		if !it.(fyne.Disableable).Disabled() {
			t.Fatal("an option of a disabled group is enabled")
		}
	}
}

// The focused option has a ring that can be seen in the pixels (ui's TestEveryControlShowsFocus
// looks at it in the light and the dark theme).
func TestRadioFocusRing(t *testing.T) {
	test.NewTempApp(t)
	r := NewRadioGroup([]string{"one", "two"}, nil)
	w := test.NewWindow(container.NewVBox(r))
	defer w.Close()
	w.Resize(fyne.NewSize(300, 200))
	c := w.Canvas()
	before := c.Capture()
	it := r.Items()[1]
	c.Focus(it)
	after := c.Capture()
	n := 0
	b := before.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := before.At(x, y).RGBA()
			r2, g2, b2, _ := after.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				n++
			}
		}
	}
	if ring := int(2 * it.(fyne.CanvasObject).Size().Height); n < ring {
		t.Errorf("focusing an option changes %d pixels, less than a ring's sides (%d)", n, ring)
	}
}
