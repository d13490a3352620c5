package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
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

var (
	newCloseDialog = kit.NewCloseDialog
	newAskDialog   = kit.NewAskDialog
)

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
