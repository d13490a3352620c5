package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/checklist"
)

// maxEvidenceShown bounds the file names listed under one checklist item.
const maxEvidenceShown = 8

// checklistActions are what the checklist panel asks the window to do.
type checklistActions struct {
	cancer  func(id string)     // the cancer type was chosen
	waive   func(ruleID string) // ask why an item is not needed, then mark it so
	unwaive func(ruleID string) // take a waiver back
	details func()              // open the case details
	// fromDetails reports whether an item is met by the case details (question, doctor, items sent
	// by courier); such items get a button to open them.
	fromDetails func(ruleID string) bool
	letter      func() // create the records-request letter
	// name says which file a path is, for "Found in" (nil: its name and folder): a DICOM file by
	// its series' description and date, not by a file ID such as IM000001.
	name func(path string) string
	// title is name in short, for the status line ("Ready: Series 2: MAMMOGRAM"; nil: the file's name).
	title func(path string) string
}

// checklistPanel shows, beside the inventory, what the reviewer needs and whether it is there: a
// cancer-type choice, "N of M required items ready", an urgency banner, and each item with its status;
// an item opens to say why it matters, what was found, and what to do.
type checklistPanel struct {
	object  fyne.CanvasObject
	actions checklistActions
	cancers []checklist.Cancer

	cancer        *widget.Select
	settingCancer bool // the select is being set from the details, not by the person

	summary   *widget.Label
	bar       *meter
	letterBtn *button
	busy      *fyne.Container
	busyBar   *widget.ProgressBarInfinite

	errBox     *panel
	errText    *widget.Label
	errDetails *selectableText

	body   *fyne.Container // urgency, identity warnings, the items and the guidance
	scroll *container.Scroll

	report *checklist.Report
	open   map[string]bool     // items opened by the person, by rule id
	rows   map[string]*ruleRow // the items shown, by rule id
}

func newChecklistPanel(cancers []checklist.Cancer, actions checklistActions) *checklistPanel {
	p := &checklistPanel{actions: actions, cancers: cancers, open: map[string]bool{}, rows: map[string]*ruleRow{}}

	var names []string
	for _, c := range cancers {
		names = append(names, cancerName(c))
	}
	p.cancer = widget.NewSelect(names, func(name string) {
		if p.settingCancer {
			return
		}
		for _, c := range p.cancers {
			if cancerName(c) == name && p.actions.cancer != nil {
				p.actions.cancer(c.ID)
			}
		}
	})
	p.cancer.PlaceHolder = lang.X("checklist.choosecancer", "Choose the type of cancer")
	cancerRow := container.NewBorder(nil, nil, widget.NewLabel(lang.X("checklist.cancer", "Type of cancer:")), nil, p.cancer)

	p.summary = newWrapLabelWithStyle(lang.X("checklist.checking", "Checking your records…"), fyne.TextStyle{Bold: true})
	p.bar = newMeter()

	detailsBtn := newButtonWithIcon(lang.X("button.details", "Case details…"), theme.AccountIcon(), func() { call(actions.details) })
	p.letterBtn = newButtonWithIcon(lang.X("button.letter", "Create request letter…"), theme.MailComposeIcon(), func() { call(actions.letter) })
	buttons := newFlow(detailsBtn, p.letterBtn)

	p.busyBar = widget.NewProgressBarInfinite()
	p.busyBar.Stop()
	p.busy = container.NewVBox(widget.NewLabel(lang.X("checklist.reading", "Reading your reports to see what is there…")), p.busyBar)
	p.busy.Hide()

	p.errText = newWrapLabel("")
	p.errDetails = newWrapText("")
	p.errBox = newPanel(container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon()))), nil,
		container.NewVBox(p.errText, p.errDetails)), theme.ColorNameInputBackground, theme.ColorNameError)
	p.errBox.Hide()

	top := container.NewVBox(cancerRow, p.summary, p.bar, buttons, p.busy, p.errBox)
	p.body = container.NewVBox()
	p.scroll = container.NewVScroll(p.body)
	p.object = readingBorder(container.NewPadded(top), nil, nil, nil, p.scroll) // Tab: the cancer type first
	return p
}

func call(f func()) {
	if f != nil {
		f()
	}
}

// setCancer shows the cancer type chosen in the case details ("" shows none).
func (p *checklistPanel) setCancer(id string) {
	p.settingCancer = true
	defer func() { p.settingCancer = false }()
	for _, c := range p.cancers {
		if c.ID == id {
			p.cancer.SetSelected(cancerName(c))
			return
		}
	}
	p.cancer.ClearSelected()
}

// setBusy shows that the records are being read and checked.
func (p *checklistPanel) setBusy(busy bool) {
	if busy {
		p.busy.Show()
		p.busyBar.Start()
	} else {
		p.busyBar.Stop()
		p.busy.Hide()
	}
	p.relayout()
}

// relayout lays the panel out again after a line above the list was shown or hidden: Fyne does not
// when an object's visibility changes, and the list would stay where it was (a blank band above it,
// or under the line).
func (p *checklistPanel) relayout() {
	if p.object != nil {
		p.object.Refresh()
	}
}

// setLetterBusy shows that the letter is being written.
func (p *checklistPanel) setLetterBusy(busy bool) {
	if busy {
		p.letterBtn.SetText(lang.X("checklist.writing", "Writing the letter…"))
		p.letterBtn.Disable()
	} else {
		p.letterBtn.SetText(lang.X("button.letter", "Create request letter…"))
		p.letterBtn.Enable()
	}
}

// showError says what went wrong; the next report clears it.
func (p *checklistPanel) showError(text string, err error) {
	setWrapText(p.errText, text)
	p.errDetails.SetText("")
	if err != nil {
		setWrapText(p.errDetails, lang.X("error.details", "Details: {{.Err}}", map[string]any{"Err": err.Error()}))
	}
	p.errBox.Show()
	p.relayout()
}

// readyCounts returns how many required items are ready (met or not needed) and how many there are.
func readyCounts(rep *checklist.Report) (ready, required int) {
	for _, r := range rep.Rules {
		if r.Required {
			required++
			if r.Status == checklist.StatusMet || r.Status == checklist.StatusWaived {
				ready++
			}
		}
	}
	return ready, required
}

// setReport shows an evaluated checklist.
func (p *checklistPanel) setReport(rep *checklist.Report) {
	p.report = rep
	rep = localReport(rep)
	if p.errBox.Visible() {
		p.errBox.Hide()
		p.relayout()
	}
	p.settingCancer = true
	name := rep.CancerName
	for _, c := range p.cancers {
		if c.ID == rep.Cancer {
			name = cancerName(c)
		}
	}
	p.cancer.SetSelected(name)
	p.settingCancer = false

	ready, required := readyCounts(rep)
	text := lang.X("checklist.ready", "{{.Ready}} of {{.Required}} required items ready", map[string]any{"Ready": ready, "Required": required})
	if rep.Complete {
		text += lang.X("checklist.complete", ". Everything the reviewer must have is here.")
	}
	setWrapText(p.summary, text)
	if required > 0 {
		p.bar.setValue(float32(ready) / float32(required))
	}

	p.rows = map[string]*ruleRow{}
	objs := []fyne.CanvasObject{}
	if rep.Urgency.Urgent {
		msg := newWrapLabel(rep.Urgency.Message)
		head := widget.NewLabelWithStyle(lang.X("checklist.urgent", "This may be urgent"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		objs = append(objs, newPanel(container.NewBorder(nil, nil,
			container.NewCenter(widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon()))), nil,
			container.NewVBox(head, msg)), theme.ColorNameInputBackground, theme.ColorNameError))
	}
	for _, m := range rep.IdentityLines() {
		msg := newWrapLabel(m)
		objs = append(objs, newPanel(container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(warnIcon())), nil, msg),
			theme.ColorNameInputBackground, theme.ColorNameWarning))
	}
	for _, required := range []bool{true, false} {
		title := lang.X("checklist.needed", "Needed by the reviewer")
		if !required {
			title = lang.X("checklist.recommended", "Recommended")
		}
		var group []checklist.Result
		for _, done := range []bool{false, true} { // what is still open first
			for _, r := range rep.Rules {
				isDone := r.Status == checklist.StatusMet || r.Status == checklist.StatusWaived
				if r.Required == required && isDone == done {
					group = append(group, r)
				}
			}
		}
		if len(group) == 0 {
			continue
		}
		head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		head.SizeName = theme.SizeNameSubHeadingText
		objs = append(objs, head)
		for _, r := range group {
			row := newRuleRow(r, p.open[r.ID], p)
			p.rows[r.ID] = row
			objs = append(objs, row.object)
		}
	}
	if !rep.Urgency.Urgent && rep.Urgency.Message != "" {
		objs = append(objs, guidance(lang.X("checklist.time", "How much time is there?"), rep.Urgency.Message))
	}
	if rep.Remote != "" || rep.InPerson != "" {
		objs = append(objs, guidance(lang.X("checklist.remote", "Remote or in person?"), strings.TrimSpace(rep.Remote+"\n\n"+rep.InPerson)))
	}
	p.body.Objects = objs
	p.body.Refresh()
}

// guidance is a heading with a paragraph.
func guidance(title, text string) fyne.CanvasObject {
	head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.SizeName = theme.SizeNameSubHeadingText
	body := newWrapLabel(text)
	return container.NewVBox(head, body)
}

// ruleRow is one checklist item: status icon, title and a short status line, and a button to open it.
type ruleRow struct {
	object  fyne.CanvasObject
	result  checklist.Result
	status  *widget.Label
	toggle  *button
	details *fyne.Container
	waive   *button // "Not needed…" or "Undo: it is needed"
}

// Texts of the buttons of a checklist item.
const (
	moreText   = "More"
	lessText   = "Less"
	waiveText  = "Not needed…"
	undoWaiver = "Undo “not needed”"
	fillInText = "Fill in the case details…"
)

func statusIcon(r checklist.Result) fyne.Resource {
	switch r.Status {
	case checklist.StatusMet:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case checklist.StatusPartial:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	case checklist.StatusWaived:
		return theme.NewThemedResource(theme.ContentRemoveIcon())
	}
	if r.Required {
		return theme.NewErrorThemedResource(theme.CancelIcon())
	}
	return theme.NewThemedResource(theme.RadioButtonIcon())
}

// statusLine says in a few words where an item stands; title names the one file an item was found
// in (nil: by its file name).
func statusLine(r checklist.Result, title func(path string) string) (string, widget.Importance) {
	if title == nil {
		title = displayName
	}
	switch r.Status {
	case checklist.StatusMet:
		s := lang.X("checklist.status.ready", "Ready")
		switch len(r.Evidence) {
		case 0:
		case 1:
			s += ": " + title(r.Evidence[0])
		default:
			s += lang.X("checklist.status.foundn", ": found in {{.N}} files", map[string]any{"N": len(r.Evidence)})
		}
		return s, widget.SuccessImportance
	case checklist.StatusPartial:
		s := lang.X("checklist.status.partly", "Partly there")
		if len(r.Missing) > 0 {
			s += lang.X("checklist.status.stillmissing", ": still missing {{.What}}", map[string]any{"What": uiList(r.Missing)})
		}
		return s, widget.WarningImportance
	case checklist.StatusWaived:
		return lang.X("checklist.status.waived", "Not needed: {{.Reason}}", map[string]any{"Reason": r.WaiverReason}), widget.MediumImportance
	}
	if r.Required {
		return lang.X("checklist.status.missing", "Missing"), widget.DangerImportance
	}
	return lang.X("checklist.status.notyet", "Not here yet"), widget.MediumImportance
}

// checklistTexts is the checklist's wording in the language the UI is shown in (nil for English, or
// when there is no translation).
func checklistTexts() *checklist.Translation {
	t, err := checklist.Texts(currentLanguage())
	if err != nil {
		fyne.LogError("loading the checklist's translation", err)
	}
	return t
}

// cancerName is a cancer type's name in the UI's language.
func cancerName(c checklist.Cancer) string {
	if n := checklistTexts().Cancer(c.ID); n != "" {
		return n
	}
	return c.Name
}

// localReport is the checklist in the UI's language, where the checklist's translation and the
// message translations have it.
func localReport(rep *checklist.Report) *checklist.Report {
	if englishUI() {
		return rep
	}
	local, err := checklist.Localize(rep, currentLanguage())
	if err != nil {
		fyne.LogError("translating the checklist", err)
		return rep
	}
	return local
}

func newRuleRow(r checklist.Result, open bool, p *checklistPanel) *ruleRow {
	row := &ruleRow{result: r}
	title := newWrapLabelWithStyle(r.Title, fyne.TextStyle{Bold: true})
	text, imp := statusLine(r, p.actions.title)
	row.status = newWrapLabel(text)
	row.status.Importance = imp

	inner := container.NewVBox()
	section := func(head, body string) {
		if strings.TrimSpace(body) == "" {
			return
		}
		h := widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		b := newWrapLabel(body)
		inner.Add(container.NewVBox(h, b))
	}
	section(lang.X("checklist.why", "Why it matters"), r.Why)
	if len(r.Evidence) > 0 {
		var names []string
		for i, e := range r.Evidence {
			if i == maxEvidenceShown {
				names = append(names, lang.X("checklist.andmore", "and {{.N}} more", map[string]any{"N": len(r.Evidence) - i}))
				break
			}
			name := displayPath(e)
			if p.actions.name != nil {
				name = p.actions.name(e)
			}
			names = append(names, "• "+name)
		}
		section(lang.X("checklist.foundin", "Found in"), strings.Join(names, "\n"))
	}
	if r.Status == checklist.StatusMissing || r.Status == checklist.StatusPartial {
		var still []string
		if r.Note() != "" {
			still = append(still, r.Note())
		}
		if len(r.Missing) > 0 && r.Status != checklist.StatusPartial {
			still = append(still, lang.X("checklist.notfound", "Not found: {{.What}}.", map[string]any{"What": uiList(r.Missing)}))
		}
		section(lang.X("checklist.noticed", "What Dossier noticed"), strings.Join(still, "\n"))
		section(lang.X("checklist.todo", "What to do"), r.Advice)
	} else if r.Note() != "" {
		section(lang.X("checklist.note", "Note"), r.Note())
	}
	if r.Status == checklist.StatusWaived {
		section(lang.X("checklist.waivedwhy", "Why you said it is not needed"), r.WaiverReason)
		row.waive = newButtonWithIcon(lang.X("checklist.undowaive", undoWaiver), theme.ContentUndoIcon(), func() {
			if p.actions.unwaive != nil {
				p.actions.unwaive(r.ID)
			}
		})
	} else if r.Status != checklist.StatusMet {
		row.waive = newButtonWithIcon(lang.X("checklist.waive", waiveText), theme.ContentRemoveIcon(), func() {
			if p.actions.waive != nil {
				p.actions.waive(r.ID)
			}
		})
		row.waive.Importance = widget.LowImportance
	}
	var buttons []fyne.CanvasObject
	if r.Status != checklist.StatusMet && r.Status != checklist.StatusWaived && p.actions.fromDetails != nil && p.actions.fromDetails(r.ID) {
		buttons = append(buttons, newButtonWithIcon(lang.X("checklist.fillin", fillInText), theme.AccountIcon(), func() { call(p.actions.details) }))
	}
	if row.waive != nil {
		buttons = append(buttons, row.waive)
	}
	if len(buttons) > 0 {
		inner.Add(container.NewHBox(buttons...))
	}
	row.details = container.NewBorder(nil, nil, spacer(theme.IconInlineSize()+theme.Padding()), nil, inner)

	row.toggle = newButtonWithIcon(lang.X("checklist.more", moreText), theme.MenuDropDownIcon(), nil)
	row.toggle.Importance = widget.LowImportance
	row.toggle.IconPlacement = widget.ButtonIconTrailingText
	row.toggle.OnTapped = func() {
		p.open[r.ID] = !p.open[r.ID]
		row.setOpen(p.open[r.ID])
	}
	row.setOpen(open)

	head := container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(statusIcon(r))), container.NewCenter(row.toggle),
		container.NewVBox(title, row.status))
	row.object = container.NewVBox(head, row.details, widget.NewSeparator())
	return row
}

func (row *ruleRow) setOpen(open bool) {
	if open {
		row.toggle.SetText(lang.X("checklist.less", lessText))
		row.toggle.SetIcon(theme.MenuDropUpIcon())
		row.details.Show()
	} else {
		row.toggle.SetText(lang.X("checklist.more", moreText))
		row.toggle.SetIcon(theme.MenuDropDownIcon())
		row.details.Hide()
	}
}

// spacer is empty space of a fixed width.
func spacer(width float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(width, 0))
	return r
}

// meter is a thin bar showing how much of the required list is ready, in theme colours.
type meter struct {
	widget.BaseWidget
	value float32 // 0 to 1
}

func newMeter() *meter {
	m := &meter{}
	m.ExtendBaseWidget(m)
	return m
}

func (m *meter) setValue(v float32) {
	m.value = max(0, min(1, v))
	m.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (m *meter) CreateRenderer() fyne.WidgetRenderer {
	r := &meterRenderer{m: m, track: canvas.NewRectangle(nil), fill: canvas.NewRectangle(nil)}
	r.Refresh()
	return r
}

type meterRenderer struct {
	m           *meter
	track, fill *canvas.Rectangle
}

func (r *meterRenderer) Layout(s fyne.Size) {
	h := r.MinSize().Height
	y := (s.Height - h) / 2
	r.track.Resize(fyne.NewSize(s.Width, h))
	r.track.Move(fyne.NewPos(0, y))
	r.fill.Resize(fyne.NewSize(s.Width*r.m.value, h))
	r.fill.Move(fyne.NewPos(0, y))
}

func (r *meterRenderer) MinSize() fyne.Size { return fyne.NewSize(40, theme.Padding()*1.5) }

func (r *meterRenderer) Refresh() {
	th := r.m.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.track.FillColor = th.Color(theme.ColorNameInputBackground, v)
	r.fill.FillColor = th.Color(theme.ColorNameSuccess, v)
	radius := r.MinSize().Height / 2
	r.track.CornerRadius, r.fill.CornerRadius = radius, radius
	r.Layout(r.m.Size())
	r.track.Refresh()
	r.fill.Refresh()
}

func (r *meterRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.track, r.fill} }

func (r *meterRenderer) Destroy() {}
