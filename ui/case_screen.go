package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/intake"
)

// maxProblemsHeight bounds the height of the case-level problems above the inventory; more scroll.
const maxProblemsHeight = 180

// newCaseScreen shows a case's inventory: a header with the case name, a summary and buttons to add
// more, the problems that concern the whole case, and the files grouped in a tree, with side (the
// checklist) beside them.
func newCaseScreen(name string, inv *intake.Inventory, onAddFiles, onAddFolder, onSend func(), side fyne.CanvasObject) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	summary := widget.NewLabel(caseSummary(inv))
	summary.Wrapping = fyne.TextWrapWord
	addFiles := widget.NewButtonWithIcon("Add files…", theme.FileIcon(), onAddFiles)
	addFolder := widget.NewButtonWithIcon("Add folder…", theme.FolderOpenIcon(), onAddFolder)
	send := widget.NewButtonWithIcon("Send to a specialist…", theme.MailSendIcon(), onSend)
	send.Importance = widget.HighImportance
	header := container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(addFiles, addFolder, send)),
		container.NewVBox(title, summary))

	top := container.NewVBox(header)
	if p := newProblemsBox(inv); p != nil {
		top.Add(p)
	}

	hint := widget.NewLabelWithStyle("To add more, drop files or folders anywhere on this window.",
		fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	files := container.NewBorder(nil, hint, nil, nil, newInventoryTree(buildInvTree(inv)))
	if side == nil {
		return container.NewBorder(top, nil, nil, nil, files)
	}
	split := container.NewHSplit(files, side)
	split.Offset = 0.45
	return container.NewBorder(top, nil, nil, nil, split)
}

// caseSummary says in one sentence what a case holds.
func caseSummary(inv *intake.Inventory) string {
	if inv == nil {
		return "Nothing added yet."
	}
	var docs, photos, unread int
	for _, it := range inv.Items {
		switch it.Kind {
		case intake.KindPDF, intake.KindDocument:
			docs++
		case intake.KindImage:
			photos++
		case intake.KindUnreadable:
			unread++
		}
	}
	var parts []string
	if n := len(inv.Studies); n > 0 {
		parts = append(parts, plural(n, "imaging study", "imaging studies"))
	}
	if n := len(inv.Slides); n > 0 {
		parts = append(parts, plural(n, "slide", "slides"))
	}
	if docs > 0 {
		parts = append(parts, plural(docs, "report or document", "reports and documents"))
	}
	if photos > 0 {
		parts = append(parts, plural(photos, "photo or scan", "photos and scans"))
	}
	s := plural(len(inv.Items), "file", "files") + " looked at"
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	s += "."
	if unread > 0 {
		s += " " + plural(unread, "file", "files") + " could not be read."
	}
	return s
}

// newProblemsBox lists the problems that concern the whole case, or returns nil if there are none.
func newProblemsBox(inv *intake.Inventory) fyne.CanvasObject {
	if inv == nil || len(inv.Problems) == 0 {
		return nil
	}
	intro := widget.NewLabelWithStyle("Please have a look at this:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	rows := container.NewVBox()
	for _, p := range inv.Problems {
		msg := widget.NewLabel(p.Message)
		msg.Wrapping = fyne.TextWrapWord
		rows.Add(container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(warnIcon())), nil, msg))
	}
	var body fyne.CanvasObject = rows
	if len(inv.Problems) > 3 {
		intro.SetText(fmt.Sprintf("Please have a look at these %d things:", len(inv.Problems)))
		scroll := container.NewVScroll(rows)
		scroll.SetMinSize(fyne.NewSize(0, maxProblemsHeight))
		body = scroll
	}
	return newPanel(container.NewBorder(intro, nil, nil, nil, body), theme.ColorNameInputBackground, theme.ColorNameWarning)
}

// newInventoryTree shows an invTree; groups start open, everything below them closed.
func newInventoryTree(t *invTree) *widget.Tree {
	tree := widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID { return t.children[id] },
		func(id widget.TreeNodeID) bool { return len(t.children[id]) > 0 },
		func(bool) fyne.CanvasObject { return newInvRow() },
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) { o.(*invRow).set(t.nodes[id]) },
	)
	for _, g := range t.groups {
		tree.OpenBranch(g)
	}
	return tree
}

// invRow is one row of the inventory tree: icon, title, and a quieter detail that takes the rest.
type invRow struct {
	widget.BaseWidget
	icon   *widget.Icon
	title  *widget.Label
	detail *widget.Label
	box    *fyne.Container
}

func newInvRow() *invRow {
	r := &invRow{icon: widget.NewIcon(nil), title: widget.NewLabel(""), detail: widget.NewLabel("")}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.box = container.New(&invRowLayout{r: r}, r.icon, r.title, r.detail)
	r.ExtendBaseWidget(r)
	return r
}

func (r *invRow) set(n invNode) {
	r.icon.SetResource(n.icon)
	r.title.TextStyle.Bold = n.group
	r.title.Text = n.title
	r.detail.Text = n.detail
	// Lay the row out for the new title first, then refresh the labels so they cut their text to the
	// new widths (Container.Refresh does both in that order).
	r.box.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (r *invRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.box)
}

// invRowLayout gives the icon its size, the title its natural width up to 60% of the row, and the
// detail what is left; both texts are cut with an ellipsis when they do not fit.
type invRowLayout struct{ r *invRow }

func (l *invRowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	icon := objs[0].MinSize()
	h := max(icon.Height, objs[1].MinSize().Height, objs[2].MinSize().Height)
	return fyne.NewSize(icon.Width+100, h)
}

func (l *invRowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	icon, title, detail := objs[0], objs[1], objs[2]
	isz := icon.MinSize()
	icon.Resize(isz)
	icon.Move(fyne.NewPos(0, (size.Height-isz.Height)/2))
	x := isz.Width
	// A truncating label cuts its text even at exactly its natural width: give it a little more.
	tw := fyne.MeasureText(l.r.title.Text, theme.TextSize(), l.r.title.TextStyle).Width +
		2*theme.InnerPadding() + theme.Padding()
	tw = min(tw, (size.Width-x)*0.6)
	title.Resize(fyne.NewSize(tw, size.Height))
	title.Move(fyne.NewPos(x, 0))
	x += tw
	detail.Resize(fyne.NewSize(max(0, size.Width-x), size.Height))
	detail.Move(fyne.NewPos(x, 0))
}
