package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/intake"
)

// maxProblemsHeight bounds the height of the case-level problems above the inventory; more scroll.
const maxProblemsHeight = 180

// caseScreenActions are what the case screen's buttons and selections ask the window to do.
type caseScreenActions struct {
	addFiles, addFolder, send func()
	cases                     func()                       // back to the list of cases (nil: no such button)
	details                   func()                       // open the case details (the question banner's link)
	selected                  func(n *invNode)             // a row of the inventory was selected (nil: nothing selected)
	built                     func(*invTree, *widget.Tree) // the inventory tree was made (nil: not told)
	title                     func(*widget.Label)          // the header's case name was made (nil: not told)
}

// newCaseScreen shows a case's inventory: a header with the case name, a summary and buttons to add
// more, the problems that concern the whole case, and the files grouped in a tree with a preview of
// the selected one below, with side (the checklist) beside them. banner (the question banner, may be
// nil) goes above the problems.
func newCaseScreen(name string, inv *intake.Inventory, act caseScreenActions, side, preview, banner fyne.CanvasObject) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	if act.title != nil {
		act.title(title)
	}
	summary := newWrapLabel(caseSummary(inv))
	addFiles := newButtonWithIcon(lang.X("button.addfiles", "Add files…"), theme.FileIcon(), act.addFiles)
	addFolder := newButtonWithIcon(lang.X("button.addfolder", "Add folder…"), theme.FolderOpenIcon(), act.addFolder)
	send := newButtonWithIcon(lang.X("button.send", "Send to a specialist…"), theme.MailSendIcon(), act.send)
	send.Importance = widget.HighImportance
	buttons := newFlow(addFiles, addFolder, send)
	if act.cases != nil {
		back := newButtonWithIcon(lang.X("button.cases", "Your cases"), theme.NavigateBackIcon(), act.cases)
		back.Importance = widget.LowImportance
		buttons.Objects = append([]fyne.CanvasObject{back}, buttons.Objects...)
	}
	title.Truncation = fyne.TextTruncateEllipsis // the whole name is the window's title
	header := container.NewVBox(title, summary, buttons)

	top := container.NewVBox(header)
	if banner != nil {
		top.Add(banner)
	}
	if p := newProblemsBox(inv); p != nil {
		top.Add(p)
	}

	dropHint := lang.X("case.drophint", "To add more, drop files or folders anywhere on this window.")
	hint := newWrapLabelWithStyle(dropHint, fyne.TextStyle{Italic: true})
	t := buildInvTree(inv)
	// Pointing at a row's icon shows the row in full where the hint is: what a warning icon warns
	// about, and a name the row cuts short.
	tree := newInventoryTree(t, func(text string, warn bool) {
		hint.TextStyle.Italic = text == ""
		hint.Importance = widget.MediumImportance
		if warn {
			hint.Importance = widget.WarningImportance
		}
		if text == "" {
			text = dropHint
		}
		setWrapText(hint, text)
	})
	if act.built != nil {
		act.built(t, tree)
	}
	if act.selected != nil {
		tree.OnSelected = func(id widget.TreeNodeID) {
			n := t.nodes[id]
			act.selected(&n)
		}
	}
	var files fyne.CanvasObject = container.NewBorder(nil, hint, nil, nil, tree)
	if preview != nil {
		split := container.NewVSplit(files, preview)
		split.Offset = 0.62
		files = split
	}
	if side == nil {
		return readingBorder(top, nil, nil, nil, files)
	}
	split := container.NewHSplit(files, side)
	split.Offset = 0.45
	return readingBorder(top, nil, nil, nil, split)
}

// readingBorder is container.NewBorder with its objects in reading order (top, left, centre, right,
// bottom), which is the order Tab moves the focus in; NewBorder puts the centre first.
func readingBorder(top, bottom, left, right, center fyne.CanvasObject) *fyne.Container {
	var all []fyne.CanvasObject
	for _, o := range []fyne.CanvasObject{top, left, center, right, bottom} {
		if o != nil {
			all = append(all, o)
		}
	}
	return container.New(layout.NewBorderLayout(top, bottom, left, right), all...)
}

// newQuestionBanner asks, gently, for the question the reviewer should answer, with a button to the
// case details where it is written.
func newQuestionBanner(onDetails func()) fyne.CanvasObject {
	head := newWrapLabelWithStyle(lang.X("question.title", "What would you like the specialist to answer?"),
		fyne.TextStyle{Bold: true})
	btn := newButtonWithIcon(lang.X("question.button", "Write my question…"), theme.DocumentCreateIcon(), onDetails)
	return newPanel(container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.NewPrimaryThemedResource(theme.QuestionIcon()))),
		container.NewCenter(btn), head), theme.ColorNameInputBackground, theme.ColorNamePrimary)
}

// caseSummary says in one sentence what a case holds.
func caseSummary(inv *intake.Inventory) string {
	if inv == nil {
		return lang.X("case.nothing", "Nothing added yet.")
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
		parts = append(parts, countOf(n, "count.imagingstudies", "{{.N}} imaging studies"))
	}
	if n := len(inv.Slides); n > 0 {
		parts = append(parts, countOf(n, "count.slides", "{{.N}} slides"))
	}
	if docs > 0 {
		parts = append(parts, countOf(docs, "count.reportsanddocuments", "{{.N}} reports and documents"))
	}
	if photos > 0 {
		parts = append(parts, countOf(photos, "count.photosandscans", "{{.N}} photos and scans"))
	}
	files := fileCount(len(inv.Items))
	s := lang.X("case.lookedat", "{{.Files}} looked at.", map[string]any{"Files": files})
	if len(parts) > 0 {
		s = lang.X("case.lookedatparts", "{{.Files}} looked at: {{.Parts}}.", map[string]any{"Files": files, "Parts": strings.Join(parts, lang.X("case.listsep", ", "))})
	}
	if unread > 0 {
		s += lang.X("case.unread", " {{.Files}} could not be read.", map[string]any{"Files": fileCount(unread)})
	}
	return s
}

// newProblemsBox lists the problems that concern the whole case, or returns nil if there are none.
func newProblemsBox(inv *intake.Inventory) fyne.CanvasObject {
	if inv == nil || len(inv.Problems) == 0 {
		return nil
	}
	intro := widget.NewLabelWithStyle(lang.X("case.problems", "Please have a look at this:"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	rows := container.NewVBox()
	for _, p := range inv.Problems {
		msg := newWrapLabel(problemText(p))
		rows.Add(container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(warnIcon())), nil, msg))
	}
	var body fyne.CanvasObject = rows
	if len(inv.Problems) > 3 {
		intro.SetText(fmt.Sprintf(lang.X("case.problemsn", "Please have a look at these %d things:"), len(inv.Problems)))
		scroll := container.NewVScroll(rows)
		scroll.SetMinSize(fyne.NewSize(0, maxProblemsHeight))
		body = scroll
	}
	return newPanel(container.NewBorder(intro, nil, nil, nil, body), theme.ColorNameInputBackground, theme.ColorNameWarning)
}

// newInventoryTree shows an invTree; groups start open, everything below them closed. Pointing at a
// row's icon calls point with the row's whole text and whether it warns ("" and false when the
// pointer leaves); point may be nil.
func newInventoryTree(t *invTree, point func(text string, warn bool)) *widget.Tree {
	tree := widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID { return t.children[id] },
		func(id widget.TreeNodeID) bool { return len(t.children[id]) > 0 },
		func(bool) fyne.CanvasObject { t.creates++; r := newInvRow(); r.icon.point = point; return r },
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) { t.updates++; o.(*invRow).set(t.nodes[id]) },
	)
	for _, g := range t.groups {
		tree.OpenBranch(g)
	}
	return tree
}

// invRow is one row of the inventory tree: icon, title, and a quieter detail that takes the rest.
type invRow struct {
	widget.BaseWidget
	icon   *rowIcon
	title  *widget.Label
	detail *widget.Label
	box    *fyne.Container
}

func newInvRow() *invRow {
	r := &invRow{icon: newRowIcon(), title: widget.NewLabel(""), detail: widget.NewLabel("")}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.box = container.New(&invRowLayout{r: r}, r.icon, r.title, r.detail)
	r.ExtendBaseWidget(r)
	return r
}

func (r *invRow) set(n invNode) {
	r.icon.SetResource(n.icon)
	r.icon.text, r.icon.warn = n.title, n.warn
	if n.detail != "" {
		r.icon.text += "\n" + n.detail
	}
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

// rowIcon is the icon of an inventory row; pointing at it says what the row is in full, and what
// its warning icon warns about (see newInventoryTree). Only the icon answers the pointer, so the
// tree still highlights the row under it.
type rowIcon struct {
	widget.Icon
	text  string
	warn  bool
	point func(text string, warn bool)
}

func newRowIcon() *rowIcon {
	i := &rowIcon{}
	i.ExtendBaseWidget(i)
	return i
}

// MouseIn is part of desktop.Hoverable.
func (i *rowIcon) MouseIn(*desktop.MouseEvent) {
	if i.point != nil && i.text != "" {
		i.point(i.text, i.warn)
	}
}

// MouseMoved is part of desktop.Hoverable.
func (i *rowIcon) MouseMoved(*desktop.MouseEvent) {}

// MouseOut is part of desktop.Hoverable.
func (i *rowIcon) MouseOut() {
	if i.point != nil {
		i.point("", false)
	}
}
