package export

import (
	"context"
	"errors"
	"image/color"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/deid"
	"dossier/packager/doctext"
	pexport "dossier/packager/export"
	"dossier/packager/intake"
	"dossier/packager/privacy"
	"dossier/ui/internal/kit"
)

// --- Step 2: decisions ---

type planResult struct {
	decisions []deid.Decision
	excerpts  map[string]string
}

// startPlan works out what the export does with each file at the chosen level (reading documents).
func (w *Wizard) startPlan() {
	if w.planLevel == w.level && w.decisions != nil {
		return
	}
	if w.plan != nil {
		w.plan.Cancel()
	}
	w.decScreen.Objects = []fyne.CanvasObject{widget.NewLabel(lang.X("export.looking", "Looking at each of your files for this choice…")), widget.NewProgressBarInfinite()}
	w.decScreen.Refresh()
	inv, level, details, convertHEIC := w.in.Inventory, w.level, w.in.Details, w.convertHEIC
	w.plan = kit.Start(w.run, context.Background(), func(ctx context.Context, _ func(struct{})) (planResult, error) {
		// The case details tell who the patient is too (a case of reports alone).
		inv = pexport.WithDetails(inv, details)
		ds, err := deid.Plan(ctx, inv, level, deid.Options{ConvertHEIC: convertHEIC})
		if err != nil {
			return planResult{}, err
		}
		return planResult{decisions: ds, excerpts: excerpts(ctx, ds)}, nil
	}, nil, func(res planResult, err error) {
		w.plan = nil
		switch {
		case errors.Is(err, context.Canceled):
			w.planLevel = ""
			return
		case err != nil:
			w.decScreen.Objects = nil
			w.decScreen.Refresh()
			w.errBox.Show(kit.Explain(err, kit.Problem{Title: lang.X("export.lookerr", "Dossier could not look at your files"),
				What: lang.X("export.lookerr.what", "Something went wrong while checking what can be sent.")}))
			return
		}
		w.decisions, w.excerpts, w.planLevel = res.decisions, res.excerpts, level
		w.fillDecisions()
	})
}

// excerpts reads the beginning of each document that needs a decision, so the person sees what it is.
func excerpts(ctx context.Context, ds []deid.Decision) map[string]string {
	out := map[string]string{}
	for _, d := range ds {
		if d.Action != deid.Review || d.Item == nil || (d.Item.Kind != intake.KindPDF && d.Item.Kind != intake.KindDocument) {
			continue
		}
		if ctx.Err() != nil {
			return out
		}
		f, err := intake.Open(d.Item, intake.Options{})
		if err != nil {
			continue
		}
		text, err := doctext.Extract(ctx, f, f.Size(), d.Item.Format, doctext.Options{})
		f.Close()
		if err != nil {
			continue
		}
		text = strings.Join(strings.Fields(text), " ")
		if utf8.RuneCountInString(text) > 240 {
			text = string([]rune(text)[:240]) + "…"
		}
		out[d.Path] = text
	}
	return out
}

// sendLabel is the choice of sending a file that needs a decision (true) or leaving it out.
func sendLabel(send bool) string {
	if send {
		return lang.X("export.choice.send", "Send it")
	}
	return lang.X("export.choice.leave", "Leave it out")
}

// sendAllLabel is the choice for a group of files needing a decision: all sent (true), or none.
func sendAllLabel(send bool) string {
	if send {
		return lang.X("export.choice.sendall", "Send all of them")
	}
	return lang.X("export.choice.leaveall", "Leave them all out")
}

func (w *Wizard) fillDecisions() {
	var review, exclude, redacted []deid.Decision
	sent := 0
	for _, d := range w.decisions {
		switch d.Action {
		case deid.Review:
			review = append(review, d)
		case deid.Exclude:
			exclude = append(exclude, d)
		case deid.Redact:
			redacted = append(redacted, d)
			sent++
		default:
			sent++
		}
	}
	box := w.decScreen
	box.Objects = nil
	summary := lang.XN("export.willsend.exact", "{{.N}} files will be sent exactly as they are.", sent, map[string]any{"N": kit.FormatCount(sent)})
	if w.planLevel != privacy.Identified {
		summary = lang.XN("export.willsend.clean", "{{.N}} files will be sent, cleaned of your name and other details.", sent, map[string]any{"N": kit.FormatCount(sent)})
	}
	if len(review) == 0 {
		summary += lang.X("export.nodecision", " No file needs a decision from you.")
	}
	intro := kit.NewWrapLabel(summary)
	box.Add(intro)
	w.decChoices = map[string]*kit.Choice[bool]{}
	if len(redacted) > 0 {
		h := widget.NewLabelWithStyle(lang.X("export.redacted", "Sent with your details removed ({{.N}})", map[string]any{"N": len(redacted)}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		expl := kit.NewWrapLabel(lang.X("export.redacted.explain", "These documents name you. Dossier removes your name and other details from their text and pictures, and sends the rest."))
		box.Add(h)
		box.Add(expl)
		for _, d := range redacted {
			box.Add(w.redactionRow(d))
		}
	}
	if len(review) > 0 {
		h := widget.NewLabelWithStyle(lang.X("export.review", "Your decision is needed ({{.N}})", map[string]any{"N": len(review)}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		expl := kit.NewWrapLabel(lang.X("export.review.explain", "Dossier cannot be sure these files are free of your name or other details. They are left out unless you choose to send them. Send one only if you have looked at it and are happy for the centre to see it."))
		box.Add(h)
		box.Add(expl)
		// Files left out for the same reason are decided together when there are many of them (a
		// disc of ultrasound images): one card, a choice for all, and a list to choose one by one.
		for _, g := range groupByReason(review) {
			if len(g) > maxReviewCards {
				box.Add(w.reviewGroup(g))
				continue
			}
			for _, d := range g {
				box.Add(w.reviewRow(d))
			}
		}
	}
	if len(exclude) > 0 {
		h := widget.NewLabelWithStyle(lang.X("export.leftout", "Left out ({{.N}})", map[string]any{"N": len(exclude)}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		box.Add(h)
		if len(exclude) > maxReviewCards {
			box.Add(leftOutList(exclude))
		} else {
			for _, d := range exclude {
				l := kit.NewWrapLabel(itemName(d) + " — " + kit.Text(d.Reason))
				box.Add(l)
			}
		}
	}
	if w.offerHEICConversion() {
		box.Add(w.heicChoice())
	}
	box.Refresh()
}

// offerHEICConversion reports whether step 2 offers to convert HEIC photos:
// some were left out because they cannot be cleaned in place, or the user
// already chose conversion (so they can change their mind).
func (w *Wizard) offerHEICConversion() bool {
	if w.convertHEIC {
		return true
	}
	for _, d := range w.decisions {
		if d.Action == deid.Exclude && d.Reason.Format == deid.ReasonHEICConvert() {
			return true
		}
	}
	return false
}

// heicChoice is the check box that converts HEIC photos to JPEG (the
// pictures are re-encoded); changing it plans again.
func (w *Wizard) heicChoice() fyne.CanvasObject {
	check := widget.NewCheck(lang.X("export.convertheic", "Convert my HEIC photos to JPEG so they can be sent (the pictures are re-encoded; their hidden details are removed)"), nil)
	check.SetChecked(w.convertHEIC)
	check.OnChanged = func(on bool) {
		if on == w.convertHEIC {
			return
		}
		w.convertHEIC = on
		w.planLevel = ""
		w.startPlan()
	}
	return check
}

// maxReviewCards is how many files with the same reason step 2 shows as cards of their own; more
// are shown as one card with a list, which draws only the rows in view.
const maxReviewCards = 8

// listRows is how many rows the lists of step 2 show at once.
const listRows = 8

// groupByReason groups decisions by their reason, in the order each reason first appears.
func groupByReason(ds []deid.Decision) [][]deid.Decision {
	var out [][]deid.Decision
	at := map[string]int{}
	for _, d := range ds {
		i, ok := at[d.Reason.String()]
		if !ok {
			i = len(out)
			at[d.Reason.String()] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], d)
	}
	return out
}

// reviewGroup is one card for many files that need a decision for the same reason: the reason, a
// choice for all of them, and a list of the files, each with its own tick.
func (w *Wizard) reviewGroup(ds []deid.Decision) fyne.CanvasObject {
	head := widget.NewLabelWithStyle(lang.X("export.group", "{{.N}} files, for the same reason", map[string]any{"N": kit.FormatCount(len(ds))}),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	reason := kit.NewWrapLabel(lang.X("export.why", "Why: {{.Reason}}", map[string]any{"Reason": kit.Text(ds[0].Reason)}))
	var list *widget.List
	var all *kit.Choice[bool]
	quiet := false // showAll is setting the choice: do not act on it
	// showAll shows whether all, none or some of the files are sent.
	showAll := func() {
		n := 0
		for _, d := range ds {
			if w.include[d.Path] {
				n++
			}
		}
		quiet = true
		switch n {
		case 0:
			all.SetValue(false)
		case len(ds):
			all.SetValue(true)
		default:
			all.Clear()
		}
		quiet = false
	}
	apply := func(send bool) {
		for _, d := range ds {
			if send {
				w.include[d.Path] = true
			} else {
				delete(w.include, d.Path)
			}
		}
		list.Refresh()
	}
	all = kit.NewRadio([]bool{true, false}, sendAllLabel, func(send, ok bool) {
		switch {
		case quiet:
		case ok && !send:
			apply(false)
		case ok && send:
			// Many files that may show who you are, at one tap: ask first.
			if w.win == nil {
				apply(true)
				return
			}
			n := map[string]any{"N": kit.FormatCount(len(ds))}
			c, _ := kit.NewAskDialog(lang.X("export.sendall.title", "Send all {{.N}} files?", n),
				lang.X("export.sendall.ok", "Send them all"), lang.X("button.cancel", "Cancel"),
				kit.NewWrapLabel(lang.X("export.sendall.text", "Each of them may show your name or other details. Send them all only if you have looked at them and are happy for the centre to see them.")),
				func(ok bool) {
					if ok {
						apply(true)
					} else {
						showAll()
					}
				}, w.win)
			c.Resize(fyne.NewSize(min(520, w.win.Canvas().Size().Width*0.9), 0))
			c.Show()
		default:
			showAll()
		}
	})
	all.Radio.Horizontal = true
	all.Radio.Required = true
	all.Radio.OnSubmitted = w.goOn
	list = widget.NewList(func() int { return len(ds) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewCheck(sendLabel(true), nil), nil, name)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			name, check := row.Objects[0].(*widget.Label), row.Objects[1].(*widget.Check)
			d := ds[i]
			text := itemName(d)
			if ex := w.excerpts[d.Path]; ex != "" {
				text += " — “" + ex + "”"
			}
			name.SetText(text)
			check.OnChanged = nil
			check.SetChecked(w.include[d.Path])
			path := d.Path
			check.OnChanged = func(on bool) {
				if on {
					w.include[path] = true
				} else {
					delete(w.include, path)
				}
				showAll()
			}
		})
	// The row chosen in the list is shown in full below it: its name and what its text says.
	detail := kit.NewWrapLabel("")
	detail.Hide()
	preview := container.NewHBox()
	list.OnSelected = func(i widget.ListItemID) {
		text := itemName(ds[i])
		if ex := w.excerpts[ds[i].Path]; ex != "" {
			text += "\n“" + ex + "”"
		}
		kit.SetWrapText(detail, text)
		detail.Show()
		// The chosen picture's redaction preview: accepting its boxes sends it.
		preview.Objects = nil
		if o := w.previewButtonThen(ds[i], func() { list.Refresh(); showAll() }); o != nil {
			preview.Objects = []fyne.CanvasObject{o}
		}
		preview.Refresh()
	}
	showAll()
	body := container.NewVBox(head, reason, all.Object(), fixedHeight(list, min(len(ds), listRows)), detail, preview)
	return kit.NewPanel(body, theme.ColorNameInputBackground, theme.ColorNameWarning)
}

// leftOutList lists many files left out, each with its reason, drawing only the rows in view; the row
// chosen is shown in full below the list.
func leftOutList(ds []deid.Decision) fyne.CanvasObject {
	detail := kit.NewWrapLabel("")
	detail.Hide()
	list := widget.NewList(func() int { return len(ds) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(itemName(ds[i]) + " — " + kit.Text(ds[i].Reason))
		})
	list.OnSelected = func(i widget.ListItemID) {
		kit.SetWrapText(detail, itemName(ds[i])+" — "+kit.Text(ds[i].Reason))
		detail.Show()
	}
	return container.NewVBox(fixedHeight(list, min(len(ds), listRows)), detail)
}

// fixedHeight gives a list the height of rows of its items, so that it can sit in a scrolled page.
func fixedHeight(l *widget.List, rows int) fyne.CanvasObject {
	h := l.CreateItem().MinSize().Height
	space := canvas.NewRectangle(color.Transparent)
	space.SetMinSize(fyne.NewSize(0, float32(rows)*(h+theme.Padding())))
	return container.NewStack(space, l)
}

// itemName is how a file is called on screen: its own name.
func itemName(d deid.Decision) string {
	if d.Item != nil && d.Item.Kind == intake.KindDICOM && d.Item.Modality != "" {
		return lang.X("export.itemname", "{{.Name}} ({{.Modality}} image)", map[string]any{"Name": filepath.Base(d.Path), "Modality": d.Item.Modality})
	}
	return filepath.Base(d.Path)
}

func (w *Wizard) reviewRow(d deid.Decision) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(itemName(d), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	reason := kit.NewWrapLabel(lang.X("export.why", "Why: {{.Reason}}", map[string]any{"Reason": kit.Text(d.Reason)}))
	path := d.Path
	choice := kit.NewRadio([]bool{true, false}, sendLabel, func(send, ok bool) {
		if ok && send {
			w.include[path] = true
		} else {
			delete(w.include, path)
		}
	})
	choice.Radio.Horizontal = true
	choice.Radio.Required = true
	choice.Radio.OnSubmitted = w.goOn
	choice.SetValue(w.include[path])
	w.decChoices[path] = choice
	rows := container.NewVBox(name, reason)
	if ex := w.excerpts[path]; ex != "" {
		l := kit.NewWrapLabelWithStyle("“"+ex+"”", fyne.TextStyle{Italic: true})
		rows.Add(l)
	}
	if o := w.previewButton(d); o != nil {
		rows.Add(container.NewHBox(choice.Object(), o))
	} else {
		rows.Add(choice.Object())
	}
	return kit.NewPanel(rows, theme.ColorNameInputBackground, theme.ColorNameWarning)
}

// redactionRow is the card of a document that will be sent redacted: its name, and a row of
// actions. This is where the per-file redaction preview attaches: when w.preview is set, what it
// returns for the document (a "Preview" button opening its pages before and after, with the boxes
// the person can change) is added to the actions; the boxes it confirms go into w.redactions, which
// the export carries to the bundle (Choices.Redactions).
func (w *Wizard) redactionRow(d deid.Decision) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(itemName(d), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	actions := container.NewHBox()
	preview := w.preview
	if preview == nil {
		preview = w.previewButton
	}
	if o := preview(d); o != nil {
		actions.Add(o)
	}
	return kit.NewPanel(container.NewBorder(nil, nil, nil, actions, name), theme.ColorNameInputBackground, "")
}

// setRedactions keeps the boxes the person confirmed for a document (nil: Dossier's own).
func (w *Wizard) setRedactions(path string, r *deid.Redactions) {
	if r == nil {
		delete(w.redactions, path)
		return
	}
	w.redactions[path] = r
}
