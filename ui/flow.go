package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// flowLayout places objects left to right at their own size and wraps them onto more lines when
// the width runs out, so a row of buttons fits a narrow window or a large text size. Its minimum
// width is that of the widest object; its minimum height is that of the lines the last layout
// needed (the container is refreshed when that number changes).
type flowLayout struct {
	lines int
	owner *fyne.Container
}

// newFlow returns a container of objects that wrap like words.
func newFlow(objects ...fyne.CanvasObject) *fyne.Container {
	l := &flowLayout{lines: 1}
	c := &fyne.Container{Layout: l, Objects: objects}
	l.owner = c
	return c
}

func (l *flowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		w = max(w, m.Width)
		h = max(h, m.Height)
	}
	lines := float32(max(l.lines, 1))
	return fyne.NewSize(w, h*lines+theme.Padding()*(lines-1))
}

func (l *flowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	var x, y, lineH float32
	lines := 1
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if x > 0 && x+m.Width > size.Width {
			x, y = 0, y+lineH+pad
			lineH = 0
			lines++
		}
		o.Move(fyne.NewPos(x, y))
		o.Resize(fyne.NewSize(min(m.Width, size.Width), m.Height))
		x += m.Width + pad
		lineH = max(lineH, m.Height)
	}
	if lines != l.lines {
		l.lines = lines
		if l.owner != nil {
			owner := l.owner
			fyne.Do(owner.Refresh) // the minimum height changed: lay out again around it
		}
	}
}
