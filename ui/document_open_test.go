package ui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// TestShowInFolderFallbackIsReadable: when no file manager opens the folder, the message that says
// where it is is as wide as the app's other messages, so the folder's path reads on one line; at
// its least width the sentence ran to five short lines and the path broke at every slash.
func TestShowInFolderFallbackIsReadable(t *testing.T) {
	v, loop := newTestView(t, Config{})
	closeDialogs(v)
	v.win.Resize(fyne.NewSize(1000, 700))
	systemOpen = func(string) error { return errors.New("no file manager") }
	t.Cleanup(func() { systemOpen = openWithSystem })
	dir := "/home/jane/Documents/dossier-2026-12-04"
	openFolder(v.win, v.run, dir)
	loop.until(t, "the message", func() bool { return hasLabel(v.win, "No file manager opened the folder") })
	var where *widget.Label
	for _, o := range v.win.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Text == dir {
				where = l
			}
		})
	}
	if where == nil {
		t.Fatalf("the folder is not named: %q", labels(v.win))
	}
	if w := where.Size().Width; w < 440 {
		t.Errorf("the folder's path is shown %v wide", w)
	}
}
