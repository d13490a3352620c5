package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"dossier/ui/internal/kit"
)

// The app's dialogs have its own buttons (kit.Button: Enter presses the focused one and a ring
// shows which) and its own fields and drop-downs (kit.Field, kit.DropDown: Enter goes to the
// dialog's default button, Escape closes it). Fyne's dialog buttons answer Space only, and its
// entries and drop-downs keep Enter and Escape, so a dialog could not be left with Escape once one
// of them had the focus.

type (
	field    = kit.Field
	dropDown = kit.DropDown
)

var (
	newField         = kit.NewField
	newPasswordField = kit.NewPasswordField
	newDropDown      = kit.NewDropDown
)

// newCloseDialog is a dialog with content and one Close button.
func newCloseDialog(title string, content fyne.CanvasObject, win fyne.Window) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title, content, win)
	c := newButton(lang.X("button.close", "Close"), d.Hide)
	c.Dismiss = true
	d.SetButtons([]fyne.CanvasObject{c})
	return d
}

// newAskDialog is a dialog with content, a dismiss button and a primary confirm button, the
// default; answer (may be nil) gets whether it was confirmed. The confirm button is returned so
// that a form can disable it while it is not valid.
func newAskDialog(title, confirm, dismiss string, content fyne.CanvasObject, answer func(bool), win fyne.Window) (*dialog.CustomDialog, *button) {
	d := dialog.NewCustomWithoutButtons(title, content, win)
	reply := func(ok bool) func() {
		return func() {
			d.Hide()
			if answer != nil {
				answer(ok)
			}
		}
	}
	no := newButton(dismiss, reply(false))
	no.Dismiss = true
	yes := newButton(confirm, reply(true))
	yes.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{no, yes})
	return d, yes
}

// showAsk shows a question in words (message wraps) with a dismiss and a confirm button.
func showAsk(title, message, confirm, dismiss string, answer func(bool), win fyne.Window) *dialog.CustomDialog {
	d, _ := newAskDialog(title, confirm, dismiss, newWrapLabel(message), answer, win)
	d.Resize(fyne.NewSize(min(520, win.Canvas().Size().Width*0.9), 0))
	d.Show()
	return d
}

// newFormDialog is newAskDialog around a form of items: its confirm button is enabled only while
// the form is valid.
func newFormDialog(title, confirm, dismiss string, items []*widget.FormItem, answer func(bool), win fyne.Window) *dialog.CustomDialog {
	form := widget.NewForm(items...)
	d, yes := newAskDialog(title, confirm, dismiss, form, answer, win)
	valid := func(err error) {
		if err != nil {
			yes.Disable()
		} else {
			yes.Enable()
		}
	}
	form.SetOnValidationChanged(valid)
	valid(form.Validate())
	return d
}
