package kit

import (
	"slices"

	"fyne.io/fyne/v2"
)

// Choice is a radio group or a drop-down whose options are values of the code, each shown by its
// label in the UI's language: the code sets and reads values, people read labels, and a label is
// never turned back into a value by translating it. The labels of one choice must differ (Fyne's
// widgets know an option only by its text).
type Choice[T comparable] struct {
	// Radio or Select is the widget shown (the other is nil).
	Radio  *RadioGroup
	Select *DropDown
	values []T
}

// NewRadio returns a choice shown as radio buttons (a RadioGroup, which the keyboard works), one a value, labelled by label; changed (may be
// nil) gets the value chosen, and ok false when the choice was cleared.
func NewRadio[T comparable](values []T, label func(T) string, changed func(v T, ok bool)) *Choice[T] {
	c := &Choice[T]{values: slices.Clone(values)}
	c.Radio = NewRadioGroup(labels(values, label), func(string) {
		if changed != nil {
			v, ok := c.Value()
			changed(v, ok)
		}
	})
	return c
}

// NewSelect returns a choice shown as a drop-down.
func NewSelect[T comparable](values []T, label func(T) string, changed func(v T, ok bool)) *Choice[T] {
	c := &Choice[T]{values: slices.Clone(values)}
	c.Select = NewDropDown(labels(values, label), func(string) {
		if changed != nil {
			v, ok := c.Value()
			changed(v, ok)
		}
	})
	return c
}

func labels[T any](values []T, label func(T) string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = label(v)
	}
	return out
}

// Object is the widget to put on screen.
func (c *Choice[T]) Object() fyne.CanvasObject {
	if c.Radio != nil {
		return c.Radio
	}
	return c.Select
}

// index is the position of the option chosen, -1 for none.
func (c *Choice[T]) index() int {
	if c.Select != nil {
		return c.Select.SelectedIndex()
	}
	return slices.Index(c.Radio.Options, c.Radio.Selected)
}

// Value is the value chosen; ok is false when none is.
func (c *Choice[T]) Value() (v T, ok bool) {
	if i := c.index(); i >= 0 && i < len(c.values) {
		return c.values[i], true
	}
	return v, false
}

// Is reports whether v is chosen.
func (c *Choice[T]) Is(v T) bool {
	got, ok := c.Value()
	return ok && got == v
}

// SetValue chooses v (a value that is not an option clears the choice).
func (c *Choice[T]) SetValue(v T) {
	i := slices.Index(c.values, v)
	if c.Select != nil {
		if i < 0 {
			c.Select.ClearSelected()
			return
		}
		c.Select.SetSelectedIndex(i)
		return
	}
	if i < 0 {
		c.Radio.SetSelected("")
		return
	}
	c.Radio.SetSelected(c.Radio.Options[i])
}

// Clear chooses nothing.
func (c *Choice[T]) Clear() {
	if c.Select != nil {
		c.Select.ClearSelected()
		return
	}
	c.Radio.SetSelected("")
}
