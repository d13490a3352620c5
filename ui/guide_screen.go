package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// guideStep is one page of the walkthrough.
type guideStep struct {
	title, text string
	icon        fyne.Resource
}

// guideSteps are the steps of getting a second opinion, in plain words.
func guideSteps() []guideStep {
	return []guideStep{
		{lang.X("guide.1.title", "1. Ask for your records"),
			lang.X("guide.1.text", "Ask each hospital's records office for your whole file: the pathology reports with all the extra tests on the tissue, the scans themselves (the DICOM files — DICOM is the format hospitals keep scans in, which specialists' viewers read — on a CD or download, not just printed pictures) with their reports, the reports of any operation or biopsy, and a summary of every treatment so far. Dossier can write the letter for you and shows what is still missing."),
			theme.MailComposeIcon()},
		{lang.X("guide.2.title", "2. Get the slides"),
			lang.X("guide.2.text", "The specialist will want to look at the tissue again with their own eyes. Ask the pathology department for the glass slides (and often the tissue blocks) to be sent, or for scans of the slides. Write down when and how they were sent in the case details."),
			theme.GridIcon()},
		{lang.X("guide.3.title", "3. Choose the specialist"),
			lang.X("guide.3.text", "The most useful opinion comes from a team that sees many people with your particular kind of cancer every year. How often they see it matters more than how famous the hospital is. Your own doctor can help you choose."),
			theme.AccountIcon()},
		{lang.X("guide.4.title", "4. Remotely or in person"),
			lang.X("guide.4.text", "For most cancers the records, scans and slide images can be reviewed from afar, with a video call if needed; this is usually quicker. A visit makes sense when an operation is being considered and that team might do it."),
			theme.ComputerIcon()},
		{lang.X("guide.5.title", "5. Send everything at once"),
			lang.X("guide.5.text", "When the checklist shows that what the reviewer needs is here, write your question in the case details and use “Send to a specialist”. Dossier makes one locked bundle with a cover summary; your original files are never changed. Some cancers move fast: if yours may be one of them, do not wait for everything."),
			theme.MailSendIcon()},
	}
}

// guide is the walkthrough dialog: one step at a time, Back and Next, and Done at the end.
type guide struct {
	steps   []guideStep
	at      int
	icon    *widget.Icon
	title   *widget.Label
	text    *widget.Label
	count   *widget.Label
	back    *button
	next    *button
	dialog  dialog.Dialog
	buttons *fyne.Container
	object  fyne.CanvasObject
}

func newGuide(onDone func()) *guide {
	g := &guide{steps: guideSteps()}
	g.icon = widget.NewIcon(nil)
	g.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	g.title.SizeName = theme.SizeNameSubHeadingText
	g.text = newWrapLabel("")
	g.count = widget.NewLabel("")
	g.back = newButtonWithIcon(lang.X("guide.back", "Back"), theme.NavigateBackIcon(), func() { g.show(g.at - 1) })
	g.next = newButtonWithIcon(lang.X("guide.next", "Next"), theme.NavigateNextIcon(), func() {
		if g.at == len(g.steps)-1 {
			if g.dialog != nil {
				g.dialog.Hide()
			}
			call(onDone)
			return
		}
		g.show(g.at + 1)
	})
	g.next.Importance = widget.HighImportance
	intro := newWrapLabel(lang.X("guide.intro", "How a second opinion usually goes. You can see this again at any time from Help › How Dossier works."))
	head := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSquareSize(48), g.icon), nil, g.title)
	g.buttons = container.NewHBox(g.back, g.next)
	g.object = container.NewBorder(container.NewVBox(intro, widget.NewSeparator(), head), container.NewBorder(nil, nil, g.count, g.buttons),
		nil, nil, g.text)
	g.show(0)
	return g
}

func (g *guide) show(i int) {
	if i < 0 || i >= len(g.steps) {
		return
	}
	g.at = i
	s := g.steps[i]
	g.icon.SetResource(theme.NewPrimaryThemedResource(s.icon))
	g.title.SetText(s.title)
	setWrapText(g.text, s.text)
	g.count.SetText(lang.X("guide.count", "Step {{.N}} of {{.Total}}", map[string]any{"N": i + 1, "Total": len(g.steps)}))
	if i == 0 {
		g.back.Disable()
	} else {
		g.back.Enable()
	}
	if i == len(g.steps)-1 {
		g.next.SetText(lang.X("guide.done", "Start"))
		g.next.SetIcon(theme.ConfirmIcon())
	} else {
		g.next.SetText(lang.X("guide.next", "Next"))
		g.next.SetIcon(theme.NavigateNextIcon())
	}
}

// showGuide shows the walkthrough (Help › How Dossier works) and remembers that it was seen.
func (v *mainView) showGuide() {
	v.app.Preferences().SetBool(prefGuideSeen, true)
	g := newGuide(nil)
	d := dialog.NewCustomWithoutButtons(lang.X("guide.title", "How Dossier works"), g.object, v.win)
	g.dialog = d
	skip := newButton(lang.X("guide.skip", "Close"), d.Hide)
	skip.Dismiss = true
	g.buttons.Objects = append([]fyne.CanvasObject{skip}, g.buttons.Objects...)
	d.Resize(fyne.NewSize(min(620, v.win.Canvas().Size().Width*0.95), min(430, v.win.Canvas().Size().Height*0.9)))
	d.Show()
	v.win.Canvas().Focus(g.next)
}

// guideAtFirstRun shows the walkthrough the first time Dossier starts.
func (v *mainView) guideAtFirstRun() {
	if v.app.Preferences().Bool(prefGuideSeen) {
		return
	}
	v.showGuide()
}
