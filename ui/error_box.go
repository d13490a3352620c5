package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/export"
)

// problem is an error told to a person: a title, what happened, what to do, and the technical details
// (copyable) for whoever helps them.
type problem struct {
	Title, What, Todo string
	Details           string
}

// explain turns an error from exporting or opening a bundle into a problem, from export's one error
// table; fallback is used for what happened when the error is not one Dossier knows.
func explain(err error, fallback problem) problem {
	p := fallback
	if err == nil {
		return p
	}
	p.Details = err.Error()
	known, ok := export.Explain(err)
	if !ok {
		known = export.Unknown
	}
	if ok {
		p.Title, p.What, p.Todo = uiMessage(known.Title), uiMessage(known.What), uiMessage(known.Todo)
	}
	if p.Title == "" {
		p.Title = uiMessage(known.Title)
	}
	if p.Todo == "" {
		p.Todo = uiMessage(known.Todo)
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
