package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/intake"
)

// statusPanel sits above every screen: it shows intake's progress with a Cancel button while files are
// being read, and afterwards one message (done, stopped, or what went wrong) until dismissed.
type statusPanel struct {
	object *fyne.Container

	scanning *panel
	bar      *widget.ProgressBarInfinite
	counts   *widget.Label
	current  *widget.Label
	waiting  *widget.Label
	cancel   *button

	message *panel
	icon    *widget.Icon
	text    *widget.Label
	details *selectableText
}

func newStatusPanel(onCancel func()) *statusPanel {
	s := &statusPanel{}
	title := widget.NewLabelWithStyle(lang.X("status.reading", "Reading your files…"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.bar = widget.NewProgressBarInfinite()
	s.bar.Stop()
	s.counts = widget.NewLabel("")
	s.current = widget.NewLabel("")
	s.current.Truncation = fyne.TextTruncateEllipsis
	s.waiting = widget.NewLabel("")
	s.waiting.Hide()
	s.cancel = newButtonWithIcon(lang.X("button.cancel", "Cancel"), theme.CancelIcon(), onCancel)
	s.scanning = newPanel(container.NewBorder(nil, nil, nil, container.NewCenter(s.cancel),
		container.NewVBox(container.NewHBox(title, s.counts, s.waiting), s.bar, s.current)),
		theme.ColorNameInputBackground, theme.ColorNamePrimary)
	s.scanning.Hide()

	s.icon = widget.NewIcon(theme.InfoIcon())
	s.text = newWrapLabel("")
	s.details = newWrapText("")
	closeBtn := newButtonWithIcon("", theme.CancelIcon(), func() { s.hideMessage() })
	s.message = newPanel(container.NewBorder(nil, nil, container.NewCenter(s.icon), container.NewCenter(closeBtn),
		container.NewVBox(s.text, s.details)), theme.ColorNameInputBackground, theme.ColorNamePrimary)
	s.message.Hide()

	s.object = container.NewPadded(container.NewVBox(s.scanning, s.message))
	s.object.Hide()
	return s
}

func (s *statusPanel) showScanning() {
	s.hideMessage()
	s.counts.SetText("")
	s.current.SetText(lang.X("status.looking", "Looking at what you added…"))
	s.waiting.Hide()
	s.cancel.Enable()
	s.scanning.Show()
	s.bar.Start()
	s.object.Show()
	s.object.Refresh()
}

func (s *statusPanel) setProgress(p intake.Progress) {
	s.counts.SetText(lang.X("status.sofar", "{{.Files}} so far ({{.Size}})", map[string]any{
		"Files": fileCount(p.Files), "Size": humanSize(p.Bytes)}))
	if p.Current != "" {
		s.current.SetText(displayPath(p.Current))
	}
}

func (s *statusPanel) setWaiting(n int) {
	s.waiting.SetText(lang.X("status.thenmore", "· then {{.Batches}} more", map[string]any{
		"Batches": countOf(n, "count.batches", "{{.N}} batches")}))
	s.waiting.Show()
}

func (s *statusPanel) stopScanning() {
	s.bar.Stop()
	s.scanning.Hide()
	s.object.Hide()
}

func (s *statusPanel) showMessage(icon fyne.Resource, stroke fyne.ThemeColorName, text, details string) {
	s.stopScanning()
	s.message.SetStroke(stroke)
	s.icon.SetResource(icon)
	setWrapText(s.text, text)
	setWrapText(s.details, details)
	if details == "" {
		s.details.Hide()
	} else {
		s.details.Show()
	}
	s.message.Show()
	s.object.Show()
	s.object.Refresh()
}

func (s *statusPanel) hideMessage() {
	s.message.Hide()
	if !s.scanning.Visible() {
		s.object.Hide()
	}
	s.object.Refresh()
}

func (s *statusPanel) showInfo(text string) {
	s.showMessage(theme.NewPrimaryThemedResource(theme.InfoIcon()), theme.ColorNamePrimary, text, "")
}

func (s *statusPanel) showError(text string, err error) {
	details := ""
	if err != nil {
		details = lang.X("error.details", "Details: {{.Err}}", map[string]any{"Err": err.Error()})
	}
	s.showMessage(theme.NewErrorThemedResource(theme.ErrorIcon()), theme.ColorNameError, text, details)
}

func (s *statusPanel) showAdded(added *intake.Inventory) {
	s.showMessage(theme.NewSuccessThemedResource(theme.ConfirmIcon()), theme.ColorNameSuccess,
		addedText(len(added.Items)), "")
}

// addedText says how many files were added to the case.
func addedText(n int) string {
	return countOf(n, "status.added", "Added {{.N}} files to your case.")
}
