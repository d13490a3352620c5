package kit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// NewCloseDialog is a dialog with content and one Close button (a kit Button: Enter presses it
// when focused, Escape presses it from anywhere in the dialog). Fyne's own dialog buttons answer
// Space only.
func NewCloseDialog(title string, content fyne.CanvasObject, win fyne.Window) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title, content, win)
	c := NewButton(lang.X("button.close", "Close"), d.Hide)
	c.Dismiss = true
	d.SetButtons([]fyne.CanvasObject{c})
	return d
}

// NewAskDialog is a dialog with content, a dismiss button and a primary confirm button, the
// default; answer (may be nil) gets whether it was confirmed. The confirm button is returned so
// that a form can disable it while it is not valid.
func NewAskDialog(title, confirm, dismiss string, content fyne.CanvasObject, answer func(bool), win fyne.Window) (*dialog.CustomDialog, *Button) {
	d := dialog.NewCustomWithoutButtons(title, content, win)
	reply := func(ok bool) func() {
		return func() {
			d.Hide()
			if answer != nil {
				answer(ok)
			}
		}
	}
	no := NewButton(dismiss, reply(false))
	no.Dismiss = true
	yes := NewButton(confirm, reply(true))
	yes.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{no, yes})
	return d, yes
}

// ShowMessage shows a message in words (it wraps) with a Close button.
func ShowMessage(title, message string, win fyne.Window) *dialog.CustomDialog {
	d := NewCloseDialog(title, NewWrapLabel(message), win)
	if win != nil {
		d.Resize(fyne.NewSize(min(520, win.Canvas().Size().Width*0.9), 0))
	}
	d.Show()
	return d
}
