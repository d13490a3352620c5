package kit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/export"
)

// Problem is an error told to a person: a title, what happened, what to do, and the technical details
// (copyable) for whoever helps them.
type Problem struct {
	Title, What, Todo string
	Details           string
}

// Explain turns an error from exporting or opening a bundle into a problem, from export's one error
// table; fallback is used for what happened when the error is not one Dossier knows.
func Explain(err error, fallback Problem) Problem {
	p := fallback
	if err == nil {
		return p
	}
	p.Details = err.Error()
	known, ok := export.Explain(err)
	if ok {
		p.Title, p.What, p.Todo = Message(known.Title), Message(known.What), Message(known.Todo)
	}
	if p.Title == "" {
		p.Title = Message(export.Unknown.Title)
	}
	if p.Todo == "" {
		p.Todo = Message(export.Unknown.Todo)
	}
	return p
}

// ErrorBox shows a problem inside a screen; it starts hidden.
type ErrorBox struct {
	Object            *Panel
	Title, What, Todo *widget.Label
	Details           *SelectableText
	CopyButton        *Button
	Problem           Problem // the problem shown
}

// NewErrorBox returns a hidden error box.
func NewErrorBox() *ErrorBox {
	b := &ErrorBox{
		Title:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		What:    NewWrapLabel(""),
		Todo:    NewWrapLabel(""),
		Details: NewSelectableText(""),
	}
	b.Details.Wrapping = WordWrap()
	b.Details.SizeName = theme.SizeNameCaptionText
	b.CopyButton = NewButtonWithIcon(lang.X("err.copy", "Copy details"), theme.ContentCopyIcon(), func() {
		CopyText(b.Problem.Title + "\n" + b.Problem.What + "\n" + b.Problem.Details)
	})
	b.Object = NewPanel(container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon()))), nil,
		container.NewVBox(b.Title, b.What, b.Todo, b.Details, container.NewHBox(b.CopyButton))),
		theme.ColorNameInputBackground, theme.ColorNameError)
	b.Object.Hide()
	return b
}

// Show shows p.
func (b *ErrorBox) Show(p Problem) {
	b.Problem = p
	b.Title.SetText(p.Title)
	SetWrapText(b.What, p.What)
	SetWrapText(b.Todo, p.Todo)
	if p.Details == "" {
		b.Details.Hide()
		b.CopyButton.Hide()
	} else {
		b.Details.SetText(lang.X("error.details", "Details: {{.Err}}", map[string]any{"Err": p.Details}))
		b.Details.Show()
		b.CopyButton.Show()
	}
	b.Object.Show()
}

// Hide hides the box.
func (b *ErrorBox) Hide() { b.Object.Hide() }
