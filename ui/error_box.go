package ui

import (
	"context"
	"errors"
	"io/fs"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/bundle"
	"dossier/packager/deid"
	"dossier/packager/envelope"
)

// problem is an error told to a person: a title, what happened, what to do, and the technical details
// (copyable) for whoever helps them.
type problem struct {
	Title, What, Todo string
	Details           string
}

// explain turns an error from exporting or opening a bundle into a problem; fallback is used for what
// happened when the error is not one Dossier knows.
func explain(err error, fallback problem) problem {
	p := fallback
	if err != nil {
		p.Details = err.Error()
	}
	switch {
	case err == nil:
	case errors.Is(err, envelope.ErrWrongKey):
		p.Title = lang.X("err.key", "This passphrase or key does not open the bundle")
		p.What = lang.X("err.key.what", "The bundle is fine as far as Dossier can tell, but it was locked with a different passphrase or key.")
		p.Todo = lang.X("err.key.todo", "Type the passphrase again exactly as you received it (the words and the hyphens between them). If it was sent to your centre's key, choose that key file.")
	case errors.Is(err, envelope.ErrDamaged), errors.Is(err, bundle.ErrCorrupt), errors.Is(err, bundle.ErrMismatch):
		p.Title = lang.X("err.damaged", "The bundle is damaged or incomplete")
		p.What = lang.X("err.damaged.what", "Part of the bundle is missing or was changed on the way, so its contents cannot be trusted.")
		p.Todo = lang.X("err.damaged.todo", "If it came in several pieces (.age.001, .age.002, …), put all of them in the same folder and try again. Otherwise ask the sender to send it once more.")
	case errors.Is(err, bundle.ErrNotBundle):
		p.Title = lang.X("err.notbundle", "This is not a Dossier bundle")
		p.What = lang.X("err.notbundle.what", "The file opened, but there is no bundle inside it.")
		p.Todo = lang.X("err.notbundle.todo", "Check that you chose the file that ends in .age (or its first piece, .age.001).")
	case errors.Is(err, bundle.ErrExists), errors.Is(err, envelope.ErrExists):
		p.Title = lang.X("err.exists", "Files of this name are already there")
		p.What = lang.X("err.exists.what", "The folder you chose already holds files with the same names. Nothing was replaced.")
		p.Todo = lang.X("err.exists.todo", "Choose another folder, or another name, and try again.")
	case errors.Is(err, envelope.ErrDiskFull):
		p.Title = lang.X("err.full", "The disk is full")
		p.What = lang.X("err.full.what", "There was not enough room where you chose to save. Nothing was left behind.")
		p.Todo = lang.X("err.full.todo", "Free some space or choose another place (another disk or a USB stick), then try again.")
	case errors.Is(err, fs.ErrNotExist):
		p.Title = lang.X("err.missing", "A file is missing")
		p.What = lang.X("err.missing.what", "A file Dossier needs is not where it was: it may have been moved, renamed or unplugged. For a bundle in several pieces, one of the pieces may be missing.")
		p.Todo = lang.X("err.missing.todo", "Check that the drive is plugged in and that every piece is in the same folder, then try again.")
	case errors.Is(err, fs.ErrPermission):
		p.Title = lang.X("err.perm", "Dossier may not write there")
		p.What = lang.X("err.perm.what", "This computer does not allow Dossier to use that folder.")
		p.Todo = lang.X("err.perm.todo", "Choose a folder of your own, such as Documents or Desktop.")
	case errors.Is(err, deid.ErrNoIdentity):
		p.Title = lang.X("err.noidentity", "Dossier does not know your name yet")
		p.What = lang.X("err.noidentity.what", "To send your records without your name, Dossier looks for your name, date of birth and hospital numbers in every file. Your records did not say who you are, so it could not check them, and it will not send them unchecked.")
		p.Todo = lang.X("err.noidentity.todo", "Fill in your name and date of birth under Case details (and your hospital number if you know it), save, then come back to this step. Or choose to send with your name.")
	case errors.Is(err, context.Canceled):
		p.Title = lang.X("err.stopped", "Stopped")
		p.What = lang.X("err.stopped.what", "You stopped it. Nothing was left behind.")
		p.Todo = lang.X("err.stopped.todo", "You can start again at any time.")
	}
	if p.Title == "" {
		p.Title = lang.X("err.other", "Something went wrong")
	}
	if p.Todo == "" {
		p.Todo = lang.X("err.other.todo", "Please try again. If it happens again, copy the details below and send them to whoever helps you.")
	}
	return p
}

// errorBox shows a problem inside a screen; it starts hidden.
type errorBox struct {
	object  *panel
	title   *widget.Label
	what    *widget.Label
	todo    *widget.Label
	details *widget.Label
	copyBtn *button
	p       problem
}

func newErrorBox() *errorBox {
	b := &errorBox{
		title:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		what:    widget.NewLabel(""),
		todo:    widget.NewLabel(""),
		details: widget.NewLabel(""),
	}
	for _, l := range []*widget.Label{b.what, b.todo, b.details} {
		l.Wrapping = wordWrap()
	}
	b.details.Selectable = true
	b.details.SizeName = theme.SizeNameCaptionText
	b.copyBtn = newButtonWithIcon(lang.X("err.copy", "Copy details"), theme.ContentCopyIcon(), func() {
		if a := fyne.CurrentApp(); a != nil {
			a.Clipboard().SetContent(b.p.Title + "\n" + b.p.What + "\n" + b.p.Details)
		}
	})
	b.object = newPanel(container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon()))), nil,
		container.NewVBox(b.title, b.what, b.todo, b.details, container.NewHBox(b.copyBtn))),
		theme.ColorNameInputBackground, theme.ColorNameError)
	b.object.Hide()
	return b
}

func (b *errorBox) show(p problem) {
	b.p = p
	b.title.SetText(p.Title)
	b.what.SetText(p.What)
	b.todo.SetText(p.Todo)
	b.details.SetText(p.Details)
	if p.Details == "" {
		b.details.Hide()
		b.copyBtn.Hide()
	} else {
		b.details.SetText(lang.X("error.details", "Details: {{.Err}}", map[string]any{"Err": p.Details}))
		b.details.Show()
		b.copyBtn.Show()
	}
	b.object.Show()
}

func (b *errorBox) hide() { b.object.Hide() }

// showProblem shows a problem in a dialog over the window.
func showProblem(w fyne.Window, p problem) {
	b := newErrorBox()
	b.show(p)
	d := dialog.NewCustom(p.Title, lang.X("button.close", "Close"), b.object, w)
	d.Resize(fyne.NewSize(min(560, w.Canvas().Size().Width*0.9), 0))
	d.Show()
}
