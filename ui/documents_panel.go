package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/ui/internal/kit"
)

// documentsPanel lists the reports and letters of a case with the kind Dossier sorted each one as, and
// lets the person correct it; the checklist then uses their choice.
type documentsPanel struct {
	object fyne.CanvasObject
	list   *widget.List
	empty  *widget.Label
	docs   []checklist.Document
	onSet  func(path string, c doctext.Category)
}

func newDocumentsPanel(onSet func(path string, c doctext.Category)) *documentsPanel {
	p := &documentsPanel{onSet: onSet}
	intro := newWrapLabel(lang.X("docs.intro", "Dossier sorts each report by what it says, or by its file name when it cannot read it. If one is sorted wrongly, choose the right kind: the checklist will use your choice."))
	p.empty = widget.NewLabel(lang.X("docs.none", "No reports or letters yet."))
	p.list = widget.NewList(
		func() int { return len(p.docs) },
		func() fyne.CanvasObject { return newDocRow(p) },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*docRow).set(p.docs[id]) },
	)
	p.object = container.NewBorder(container.NewVBox(intro, p.empty), nil, nil, nil, p.list)
	return p
}

// setDocuments shows the documents of the latest checklist.
func (p *documentsPanel) setDocuments(docs []checklist.Document) {
	p.docs = docs
	if len(docs) == 0 {
		p.empty.Show()
	} else {
		p.empty.Hide()
	}
	p.list.Refresh()
}

// docRow is one document: its name, how it was sorted, and the kind to choose.
type docRow struct {
	widget.BaseWidget
	p       *documentsPanel
	path    string
	name    *widget.Label
	how     *widget.Label
	kind    *kit.Choice[doctext.Category]
	setting bool // the select is being set to show a document, not by the person
	box     *fyne.Container
}

func newDocRow(p *documentsPanel) *docRow {
	r := &docRow{p: p, name: widget.NewLabel(""), how: widget.NewLabel("")}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.name.TextStyle.Bold = true
	r.how.Truncation = fyne.TextTruncateEllipsis
	r.how.TextStyle.Italic = true
	r.kind = kit.NewSelect(doctext.Categories(), categoryName, func(c doctext.Category, ok bool) {
		if r.setting || r.path == "" {
			return
		}
		if ok && r.p.onSet != nil {
			r.p.onSet(r.path, c)
		}
	})
	r.box = container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.DocumentIcon())),
		container.NewCenter(container.NewGridWrap(fyne.NewSize(230, r.kind.Object().MinSize().Height), r.kind.Object())),
		container.NewVBox(r.name, r.how))
	r.ExtendBaseWidget(r)
	return r
}

func (r *docRow) set(d checklist.Document) {
	r.path = d.Path
	r.name.SetText(displayPath(d.Path))
	r.how.SetText(howSorted(d))
	r.setting = true
	r.kind.SetValue(d.Category)
	r.setting = false
}

// howSorted says how sure Dossier is of a document's kind, and why.
func howSorted(d checklist.Document) string {
	var s string
	switch d.Source {
	case "user":
		s = lang.X("docs.user", "You chose this kind")
	case "text":
		s = fmt.Sprintf(lang.X("docs.text", "Sorted from its text (%.0f%% sure)"), d.Confidence*100)
	default:
		s = fmt.Sprintf(lang.X("docs.name", "Sorted from its file name only (%.0f%% sure)"), d.Confidence*100)
	}
	if d.Problem != "" {
		s += ": " + uiMessage(d.Problem)
	}
	return s
}

// CreateRenderer is part of fyne.Widget.
func (r *docRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }
