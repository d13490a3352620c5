package redactbox

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/redactview"
)

// NewTextPreview shows a document redacted with placeholders (a Word, RTF
// or text file) side by side: its text now, with the patient's details
// that are replaced marked, and as it will be sent, with the placeholders
// marked. Boxes do not apply: the patient checks the text.
func NewTextPreview(d *redactview.Document) fyne.CanvasObject {
	help := widget.NewLabel(lang.X("redact.text.help", "Your name and other details found in the text are marked on the left. On the right is the text as it will be sent: each is replaced by “{{.Placeholder}}”. Read it through to check that nothing else that shows who you are is left.", map[string]any{"Placeholder": d.Placeholder}))
	help.Wrapping = fyne.TextWrapWord
	count := widget.NewLabel(lang.X("redact.text.count", "Places replaced: {{.N}}", map[string]any{"N": len(d.BeforeMarks)}))
	if len(d.BeforeMarks) == 0 {
		count.SetText(lang.X("redact.text.none", "Nothing that names you was found in the text, so it is sent as it reads."))
	}
	top := container.NewVBox(help, count)
	if d.Truncated {
		l := widget.NewLabel(lang.X("redact.text.cut", "The document is long: only its beginning is shown here. All of it is cleaned the same way."))
		l.Wrapping = fyne.TextWrapWord
		top.Add(l)
	}
	before := container.NewBorder(widget.NewLabelWithStyle(lang.X("redact.text.before", "Now, with your details marked"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}), nil, nil, nil,
		container.NewVScroll(MarkedText(d.Before, d.BeforeMarks, theme.ColorNameError)))
	after := container.NewBorder(widget.NewLabelWithStyle(lang.X("redact.after", "As it will be sent"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}), nil, nil, nil,
		container.NewVScroll(MarkedText(d.After, d.AfterMarks, theme.ColorNameSuccess)))
	return container.NewBorder(top, nil, nil, nil, container.NewGridWithColumns(2, before, after))
}

// MarkedText is text whose marks (byte ranges, in order) are shown bold in
// colour c, wrapped at words.
func MarkedText(text string, marks [][2]int, c fyne.ThemeColorName) *widget.RichText {
	var segs []widget.RichTextSegment
	plain := func(s string) {
		if s != "" {
			segs = append(segs, &widget.TextSegment{Text: s, Style: widget.RichTextStyleInline})
		}
	}
	at := 0
	for _, m := range marks {
		if m[0] < at || m[1] > len(text) || m[0] >= m[1] {
			continue
		}
		plain(text[at:m[0]])
		segs = append(segs, &widget.TextSegment{Text: text[m[0]:m[1]], Style: widget.RichTextStyle{Inline: true, ColorName: c, TextStyle: fyne.TextStyle{Bold: true}}})
		at = m[1]
	}
	plain(text[at:])
	rt := widget.NewRichText(segs...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}
