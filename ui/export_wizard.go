package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/bundle"
	"dossier/packager/checklist"
	"dossier/packager/deid"
	"dossier/packager/doctext"
	"dossier/packager/envelope"
	"dossier/packager/export"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/privacy"
	"dossier/packager/store"
)

// The steps of the export wizard.
const (
	stepLevel = iota + 1
	stepDecisions
	stepRecipient
	stepProgress
	stepDone
)

// stepTitle is the heading of a step, in the language of the app.
func stepTitle(step int) string {
	keys := map[int]string{stepLevel: "export.step1", stepDecisions: "export.step2", stepRecipient: "export.step3",
		stepProgress: "export.step4", stepDone: "export.step5"}
	return lang.X(keys[step], stepTitles[step])
}

var stepTitles = map[int]string{
	stepLevel:     "How much should the centre see about you?",
	stepDecisions: "Please decide about these files",
	stepRecipient: "Who will open it, and where should it go?",
	stepProgress:  "Making your bundle…",
	stepDone:      "Your bundle is ready",
}

// levelText is what each privacy level means, in plain words, with its consequence.
var levelText = []struct {
	level       privacy.Level
	title, body string
}{
	{privacy.Identified, "With my name (for a second opinion about my treatment)",
		"Your files go exactly as they are, with your name, birth date and hospital numbers. " +
			"The specialist knows who you are and can write back to you or your doctor. Choose this when the opinion is about your own care."},
	{privacy.Pseudonymised, "With a code name instead of my name",
		"Your name, birth date and hospital numbers are replaced by a code; the real dates stay, so the story of your illness stays right. " +
			"The centre will not see your name: you will have to tell them who you are when they reply. " +
			"Dossier keeps the key to the code on this computer. Some files cannot be cleaned for sure: you decide about each one next."},
	{privacy.Anonymised, "Without anything that points to me",
		"Names, numbers and exact dates are removed (dates are moved by a random amount). " +
			"Nobody, not even you, can link these records back to you later. For teaching, research or an informal look; not for a decision about your treatment."},
}

// Choices of who can open the bundle.
const (
	keyGenerated = "A passphrase Dossier makes for me (recommended)"
	keyTyped     = "A passphrase I choose"
	keyCentre    = "The receiving centre's key (a saved centre, or a key they sent me)"
	keyFolder    = "No lock: a copy on a USB stick to take to a visit"
)

// Volume size presets.
const (
	splitNone   = "One file"
	splitMail   = "Pieces for e-mail (20 MB each, under the usual 25 MB limit)"
	splitPortal = "Pieces for upload portals (2 GB each)"
	splitCustom = "Pieces of a size I choose"
)

var splitSizes = map[string]string{splitMail: "20MB", splitPortal: "2GB"}

// shownKeys are the translation keys of texts the code also compares (radio and select choices):
// the widgets show local(text), and unlocal turns what they hold back into the English text.
var shownKeys = map[string]string{
	urgencyUnsaid:                "details.urgency.unsaid",
	urgencyRoutine:               "details.urgency.routine",
	urgencyUrgent:                "details.urgency.urgent",
	"Glass slides":               "details.ship.slides",
	"Tissue blocks":              "details.ship.blocks",
	"Scans on a CD or USB stick": "details.ship.disc",
	"Something else":             "details.ship.other",
	unlockPassphrase:             "open.how.passphrase",
	unlockOwnKey:                 "open.how.ownkey",
	unlockKeyFile:                "open.how.keyfile",
	openCheckOnly:                "open.what.check",
	openExtract:                  "open.what.extract",
	keyGenerated:                 "export.key.generated",
	keyTyped:                     "export.key.typed",
	keyCentre:                    "export.key.centre",
	keyFolder:                    "export.key.folder",
	splitNone:                    "export.split.none",
	splitMail:                    "export.split.mail",
	splitPortal:                  "export.split.portal",
	splitCustom:                  "export.split.custom",
	choiceSend:                   "export.choice.send",
	choiceleave:                  "export.choice.leave",
	choiceSendAll:                "export.choice.sendall",
	choiceLeaveAll:               "export.choice.leaveall",
	"With my name (for a second opinion about my treatment)": "export.level.identified",
	"Your files go exactly as they are, with your name, birth date and hospital numbers. The specialist knows who you are and can write back to you or your doctor. Choose this when the opinion is about your own care.": "export.level.identified.body",
	"With a code name instead of my name": "export.level.pseudonymised",
	"Your name, birth date and hospital numbers are replaced by a code; the real dates stay, so the story of your illness stays right. The centre will not see your name: you will have to tell them who you are when they reply. Dossier keeps the key to the code on this computer. Some files cannot be cleaned for sure: you decide about each one next.": "export.level.pseudonymised.body",
	"Without anything that points to me": "export.level.anonymised",
	"Names, numbers and exact dates are removed (dates are moved by a random amount). Nobody, not even you, can link these records back to you later. For teaching, research or an informal look; not for a decision about your treatment.": "export.level.anonymised.body",
}

// local is a text of the code in the UI's language.
func local(s string) string {
	if k, ok := shownKeys[s]; ok {
		return lang.X(k, s)
	}
	return s
}

// unlocal is the English text of the code that a widget shows as s.
func unlocal(s string) string {
	for en := range shownKeys {
		if local(en) == s {
			return en
		}
	}
	return s
}

// exportInput is the case as it was when the wizard opened; the export never sees later changes.
type exportInput struct {
	caseID  int64
	inv     *intake.Inventory
	rules   *checklist.Rules
	report  *checklist.Report
	details checklist.Details
}

// exportWizard walks the person from a case to a sent bundle in five steps.
type exportWizard struct {
	in      exportInput
	win     fyne.Window
	run     *runner
	st      CaseStore
	now     func() time.Time
	onClose func()
	onSent  func()

	object    *fyne.Container
	stepTitle *widget.Label
	stepCount *widget.Label
	body      *fyne.Container
	info      *widget.Label
	errBox    *errorBox
	back      *button
	next      *button
	cancel    *button
	step      int

	// Step 1.
	levelRadios []*widget.RadioGroup
	level       privacy.Level
	levelScreen fyne.CanvasObject

	// Step 2.
	plan       *job
	planLevel  privacy.Level // the level decisions were made for ("": none yet)
	decisions  []deid.Decision
	excerpts   map[string]string
	include    map[string]bool
	decScreen  *fyne.Container
	decChoices map[string]*widget.RadioGroup

	// convertHEIC is the user's consent to convert HEIC photos that cannot
	// be cleaned in place to JPEG.
	convertHEIC bool

	// Step 3.
	mode       *widget.RadioGroup
	typed      *widget.Entry
	typedAgain *widget.Entry
	strength   *widget.Label
	typedBox   *fyne.Container
	centres    []*store.Centre
	centreSel  *widget.Select
	pasted     *textArea
	keyCheck   *widget.Label
	centreBox  *fyne.Container
	usbWarning fyne.CanvasObject
	split      *widget.Select
	customSize *widget.Entry
	coverLang  *widget.Select // the language of the cover summary, by its own name
	coverLangs []string       // the tags of coverLang's options, in order
	dir        string
	dirLabel   *widget.Label
	name       *widget.Entry
	recScreen  fyne.CanvasObject

	// Step 4.
	packing    *job
	started    time.Time
	bar        *widget.ProgressBar
	current    *widget.Label
	timeLeft   *widget.Label
	progScreen fyne.CanvasObject
	// packHook, if set, is called from the export's goroutine on every progress report (tests).
	packHook func(bundle.Progress)

	// Step 5: the bundle made, with the passphrase Dossier made (shown once on the done screen).
	result *export.Result
}

// exportDeps is what the wizard needs from the main window.
type exportDeps struct {
	win     fyne.Window
	run     *runner
	st      CaseStore
	now     func() time.Time
	level   privacy.Level // preselected
	onClose func()        // the person leaves the wizard
	onSent  func()        // a bundle was made
	// include holds the case's decisions of step 2 (the files to send although they may show the
	// patient), kept by the window between one opening of the wizard and the next (nil: none yet).
	include map[string]bool
}

func newExportWizard(in exportInput, d exportDeps) *exportWizard {
	w := &exportWizard{in: in, win: d.win, run: d.run, st: d.st, now: d.now, onClose: d.onClose, onSent: d.onSent,
		level: d.level, include: d.include}
	if w.include == nil {
		w.include = map[string]bool{}
	}
	if w.level == "" {
		w.level = privacy.Identified
	}
	w.stepTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.stepTitle.SizeName = theme.SizeNameSubHeadingText
	w.stepCount = widget.NewLabel("")
	w.info = widget.NewLabel("")
	w.info.Wrapping = wordWrap()
	w.info.Hide()
	w.errBox = newErrorBox()
	w.back = newButtonWithIcon(lang.X("guide.back", "Back"), theme.NavigateBackIcon(), w.goBack)
	w.next = newButtonWithIcon(lang.X("guide.next", "Next"), theme.NavigateNextIcon(), w.goNext)
	w.next.Importance = widget.HighImportance
	w.next.IconPlacement = widget.ButtonIconTrailingText
	w.cancel = newButtonWithIcon(lang.X("button.close", "Close"), theme.CancelIcon(), w.close)
	w.body = container.NewStack()

	w.levelScreen = w.buildLevel()
	w.decScreen = container.NewVBox()
	w.recScreen = w.buildRecipient()
	w.progScreen = w.buildProgress()

	header := container.NewVBox(container.NewBorder(nil, nil, nil, w.stepCount, w.stepTitle), widget.NewSeparator())
	buttons := container.NewBorder(nil, nil, w.cancel, container.NewHBox(w.back, w.next))
	footer := container.NewVBox(w.info, w.errBox.Object, widget.NewSeparator(), buttons)
	w.object = container.NewPadded(container.NewBorder(header, footer, nil, nil, w.body))
	w.show(stepLevel)
	return w
}

// show switches to a step.
func (w *exportWizard) show(step int) {
	w.step = step
	w.stepTitle.SetText(stepTitle(step))
	w.stepCount.SetText(lang.X("guide.count", "Step {{.N}} of {{.Total}}", map[string]any{"N": step, "Total": 5}))
	w.errBox.Hide()
	var screen fyne.CanvasObject
	w.back.Show()
	w.next.Show()
	w.back.Enable()
	w.next.Enable()
	w.cancel.SetText(lang.X("button.close", "Close"))
	w.next.SetText(lang.X("guide.next", "Next"))
	switch step {
	case stepLevel:
		screen = container.NewVScroll(w.levelScreen)
		w.back.Disable()
	case stepDecisions:
		screen = container.NewVScroll(w.decScreen)
		w.startPlan()
	case stepRecipient:
		screen = container.NewVScroll(w.recScreen)
		w.next.SetText(lang.X("export.make", "Make the bundle"))
		w.loadCentres()
	case stepProgress:
		screen = w.progScreen
		w.back.Hide()
		w.next.Hide()
		w.cancel.SetText(lang.X("button.cancel", "Cancel"))
	case stepDone:
		screen = container.NewVScroll(w.buildDone())
		w.back.Hide()
		w.next.SetText(lang.X("export.backtocase", "Back to my case"))
		w.cancel.Hide()
	}
	if step != stepDone {
		w.cancel.Show()
	}
	w.body.Objects = []fyne.CanvasObject{screen}
	w.body.Refresh()
}

func (w *exportWizard) goBack() {
	w.info.Hide()
	if w.step > stepLevel && w.step <= stepRecipient {
		w.show(w.step - 1)
	}
}

func (w *exportWizard) goNext() {
	w.info.Hide()
	switch w.step {
	case stepLevel, stepDecisions:
		if w.step == stepDecisions && w.plan != nil {
			w.setInfo(lang.X("export.stilllooking", "Dossier is still looking at your files; please wait a moment."))
			return
		}
		w.show(w.step + 1)
	case stepRecipient:
		w.startExport()
	case stepDone:
		w.close()
	}
}

func (w *exportWizard) setInfo(s string) {
	w.info.SetText(s)
	w.info.Show()
}

// close leaves the wizard (or, while the bundle is being made, stops it).
func (w *exportWizard) close() {
	if w.step == stepProgress {
		if w.packing != nil {
			w.packing.Cancel()
			w.current.SetText(lang.X("export.stopping", "Stopping… nothing will be left behind."))
		}
		return
	}
	if w.plan != nil {
		w.plan.Cancel()
	}
	if w.onClose != nil {
		w.onClose()
	}
}

// --- Step 1: privacy level ---

func (w *exportWizard) buildLevel() fyne.CanvasObject {
	intro := widget.NewLabel(lang.X("export.level.intro", "Choose how much of who you are goes with your records. You can read each choice below; nothing is sent until the last step."))
	intro.Wrapping = wordWrap()
	box := container.NewVBox(intro)
	w.levelRadios = nil
	for _, lt := range levelText {
		r := widget.NewRadioGroup([]string{local(lt.title)}, nil)
		level := lt.level
		r.OnChanged = func(s string) {
			if s == "" {
				if w.level == level { // keep one choice: a click on the chosen one does not clear it
					r.SetSelected(local(lt.title))
				}
				return
			}
			w.setLevel(level)
		}
		body := widget.NewLabel(local(lt.body))
		body.Wrapping = wordWrap()
		w.levelRadios = append(w.levelRadios, r)
		box.Add(newPanel(container.NewVBox(r, body), theme.ColorNameInputBackground, ""))
	}
	w.setLevel(w.level)
	return box
}

// setLevel chooses a privacy level and marks it in the radio groups.
func (w *exportWizard) setLevel(l privacy.Level) {
	w.level = l
	for i, lt := range levelText {
		want := ""
		if lt.level == l {
			want = local(lt.title)
		}
		if w.levelRadios[i].Selected != want {
			w.levelRadios[i].SetSelected(want)
		}
	}
}

// --- Step 2: decisions ---

type planResult struct {
	decisions []deid.Decision
	excerpts  map[string]string
}

// startPlan works out what the export does with each file at the chosen level (reading documents).
func (w *exportWizard) startPlan() {
	if w.planLevel == w.level && w.decisions != nil {
		return
	}
	if w.plan != nil {
		w.plan.Cancel()
	}
	w.decScreen.Objects = []fyne.CanvasObject{widget.NewLabel(lang.X("export.looking", "Looking at each of your files for this choice…")), widget.NewProgressBarInfinite()}
	w.decScreen.Refresh()
	inv, level, details, convertHEIC := w.in.inv, w.level, w.in.details, w.convertHEIC
	w.plan = startJob(w.run, context.Background(), func(ctx context.Context, _ func(struct{})) (planResult, error) {
		// The case details tell who the patient is too (a case of reports alone).
		inv = export.WithDetails(inv, details)
		// NoRedact until step 2 shows what redaction removes (redactwire).
		ds, err := deid.Plan(ctx, inv, level, deid.Options{ConvertHEIC: convertHEIC, NoRedact: true})
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
			w.errBox.Show(explain(err, problem{Title: lang.X("export.lookerr", "Dossier could not look at your files"),
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

// Choices for an item needing a decision.
const (
	choiceSend  = "Send it"
	choiceleave = "Leave it out"
)

func (w *exportWizard) fillDecisions() {
	var review, exclude []deid.Decision
	sent := 0
	for _, d := range w.decisions {
		switch d.Action {
		case deid.Review:
			review = append(review, d)
		case deid.Exclude:
			exclude = append(exclude, d)
		default:
			sent++
		}
	}
	box := w.decScreen
	box.Objects = nil
	summary := lang.X("export.willsend.exact", "{{.N}} files will be sent exactly as they are.", map[string]any{"N": formatCount(sent)})
	if w.planLevel != privacy.Identified {
		summary = lang.X("export.willsend.clean", "{{.N}} files will be sent, cleaned of your name and other details.", map[string]any{"N": formatCount(sent)})
	}
	if sent == 1 {
		summary = strings.Replace(summary, "1 files", "1 file", 1)
	}
	if len(review) == 0 {
		summary += lang.X("export.nodecision", " No file needs a decision from you.")
	}
	intro := widget.NewLabel(summary)
	intro.Wrapping = wordWrap()
	box.Add(intro)
	w.decChoices = map[string]*widget.RadioGroup{}
	if len(review) > 0 {
		h := widget.NewLabelWithStyle(lang.X("export.review", "Your decision is needed ({{.N}})", map[string]any{"N": len(review)}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		expl := widget.NewLabel(lang.X("export.review.explain", "Dossier cannot be sure these files are free of your name or other details. They are left out unless you choose to send them. Send one only if you have looked at it and are happy for the centre to see it."))
		expl.Wrapping = wordWrap()
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
				l := widget.NewLabel(itemName(d) + " — " + uiMessage(d.Reason))
				l.Wrapping = wordWrap()
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
func (w *exportWizard) offerHEICConversion() bool {
	if w.convertHEIC {
		return true
	}
	for _, d := range w.decisions {
		if d.Action == deid.Exclude && d.Reason == deid.ReasonHEICConvert() {
			return true
		}
	}
	return false
}

// heicChoice is the check box that converts HEIC photos to JPEG (the
// pictures are re-encoded); changing it plans again.
func (w *exportWizard) heicChoice() fyne.CanvasObject {
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
		i, ok := at[d.Reason]
		if !ok {
			i = len(out)
			at[d.Reason] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], d)
	}
	return out
}

// Choices for a group of files needing a decision.
const (
	choiceSendAll  = "Send all of them"
	choiceLeaveAll = "Leave them all out"
)

// reviewGroup is one card for many files that need a decision for the same reason: the reason, a
// choice for all of them, and a list of the files, each with its own tick.
func (w *exportWizard) reviewGroup(ds []deid.Decision) fyne.CanvasObject {
	head := widget.NewLabelWithStyle(lang.X("export.group", "{{.N}} files, for the same reason", map[string]any{"N": formatCount(len(ds))}),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	reason := widget.NewLabel(lang.X("export.why", "Why: {{.Reason}}", map[string]any{"Reason": uiMessage(ds[0].Reason)}))
	reason.Wrapping = wordWrap()
	var list *widget.List
	var all *widget.RadioGroup
	// showAll shows whether all, none or some of the files are sent.
	showAll := func() {
		n := 0
		for _, d := range ds {
			if w.include[d.Path] {
				n++
			}
		}
		sel := ""
		switch n {
		case 0:
			sel = local(choiceLeaveAll)
		case len(ds):
			sel = local(choiceSendAll)
		}
		if all.Selected != sel {
			f := all.OnChanged
			all.OnChanged = nil
			all.SetSelected(sel)
			all.OnChanged = f
		}
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
	all = widget.NewRadioGroup([]string{local(choiceSendAll), local(choiceLeaveAll)}, func(s string) {
		switch unlocal(s) {
		case choiceLeaveAll:
			apply(false)
		case choiceSendAll:
			// Many files that may show who you are, at one tap: ask first.
			if w.win == nil {
				apply(true)
				return
			}
			n := map[string]any{"N": formatCount(len(ds))}
			c := dialog.NewConfirm(lang.X("export.sendall.title", "Send all {{.N}} files?", n),
				lang.X("export.sendall.text", "Each of them may show your name or other details. Send them all only if you have looked at them and are happy for the centre to see them."),
				func(ok bool) {
					if ok {
						apply(true)
					} else {
						showAll()
					}
				}, w.win)
			c.SetConfirmText(lang.X("export.sendall.ok", "Send them all"))
			c.SetDismissText(lang.X("button.cancel", "Cancel"))
			c.Show()
		default:
			showAll()
		}
	})
	all.Horizontal = true
	all.Required = true
	list = widget.NewList(func() int { return len(ds) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewCheck(local(choiceSend), nil), nil, name)
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
	detail := widget.NewLabel("")
	detail.Wrapping = wordWrap()
	detail.Hide()
	list.OnSelected = func(i widget.ListItemID) {
		text := itemName(ds[i])
		if ex := w.excerpts[ds[i].Path]; ex != "" {
			text += "\n“" + ex + "”"
		}
		detail.SetText(text)
		detail.Show()
	}
	showAll()
	body := container.NewVBox(head, reason, all, fixedHeight(list, min(len(ds), listRows)), detail)
	return newPanel(body, theme.ColorNameInputBackground, theme.ColorNameWarning)
}

// leftOutList lists many files left out, each with its reason, drawing only the rows in view; the row
// chosen is shown in full below the list.
func leftOutList(ds []deid.Decision) fyne.CanvasObject {
	detail := widget.NewLabel("")
	detail.Wrapping = wordWrap()
	detail.Hide()
	list := widget.NewList(func() int { return len(ds) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(itemName(ds[i]) + " — " + uiMessage(ds[i].Reason))
		})
	list.OnSelected = func(i widget.ListItemID) {
		detail.SetText(itemName(ds[i]) + " — " + uiMessage(ds[i].Reason))
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

func (w *exportWizard) reviewRow(d deid.Decision) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(itemName(d), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	reason := widget.NewLabel(lang.X("export.why", "Why: {{.Reason}}", map[string]any{"Reason": uiMessage(d.Reason)}))
	reason.Wrapping = wordWrap()
	path := d.Path
	choice := widget.NewRadioGroup([]string{local(choiceSend), local(choiceleave)}, func(s string) {
		if unlocal(s) == choiceSend {
			w.include[path] = true
		} else {
			delete(w.include, path)
		}
	})
	choice.Horizontal = true
	choice.Required = true
	if w.include[path] {
		choice.SetSelected(local(choiceSend))
	} else {
		choice.SetSelected(local(choiceleave))
	}
	w.decChoices[path] = choice
	rows := container.NewVBox(name, reason)
	if ex := w.excerpts[path]; ex != "" {
		l := widget.NewLabelWithStyle("“"+ex+"”", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		l.Wrapping = wordWrap()
		rows.Add(l)
	}
	rows.Add(choice)
	return newPanel(rows, theme.ColorNameInputBackground, theme.ColorNameWarning)
}

// --- Step 3: recipient, pieces and destination ---

func (w *exportWizard) buildRecipient() fyne.CanvasObject {
	w.typed = widget.NewPasswordEntry()
	w.typed.SetPlaceHolder(lang.X("export.typed.hint", "Six or more words nobody would guess"))
	w.typedAgain = widget.NewPasswordEntry()
	w.typedAgain.SetPlaceHolder(lang.X("export.typed.again", "The same passphrase again"))
	w.strength = widget.NewLabel("")
	w.strength.Wrapping = wordWrap()
	w.typed.OnChanged = func(s string) { w.showStrength(s) }
	w.typedBox = container.NewVBox(w.typed, w.typedAgain, w.strength)

	w.centreSel = widget.NewSelect(nil, nil)
	w.centreSel.PlaceHolder = lang.X("export.nocentres", "(no centres saved yet)")
	w.pasted = newTextArea()
	w.pasted.SetPlaceHolder(lang.X("export.pasted.hint", "Or paste the key the centre sent you (it starts with age1… or ssh-)"))
	w.pasted.SetMinRowsVisible(2)
	w.pasted.Wrapping = fyne.TextWrapBreak
	w.keyCheck = widget.NewLabel("")
	w.keyCheck.Wrapping = wordWrap()
	w.pasted.OnChanged = func(string) { w.checkPasted() }
	w.centreBox = container.NewVBox(w.centreSel, w.pasted, w.keyCheck)

	warn := widget.NewLabel(lang.X("export.usbwarn", "Anyone who finds this USB stick can read everything on it. Take it with you, hand it over in person, and do not post it. It is not locked because hospitals can only import unlocked discs and sticks."))
	warn.Wrapping = wordWrap()
	warn.Importance = widget.WarningImportance
	w.usbWarning = newPanel(container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(warnIcon())), nil, warn),
		theme.ColorNameInputBackground, theme.ColorNameWarning)

	w.mode = widget.NewRadioGroup([]string{local(keyGenerated), local(keyTyped), local(keyCentre), local(keyFolder)}, func(string) { w.modeChanged() })
	w.mode.Required = true
	explain := widget.NewLabel(lang.X("export.lockexplain", "The bundle is locked so that only the person with the passphrase or key can open it."))
	explain.Wrapping = wordWrap()

	w.split = widget.NewSelect([]string{local(splitNone), local(splitMail), local(splitPortal), local(splitCustom)}, func(s string) {
		if unlocal(s) == splitCustom {
			w.customSize.Show()
		} else {
			w.customSize.Hide()
		}
	})
	w.customSize = widget.NewEntry()
	w.customSize.SetPlaceHolder(lang.X("export.custom.hint", "For example 100 MB or 1 GB"))
	w.customSize.Hide()
	w.split.SetSelected(local(splitNone))

	w.name = widget.NewEntry()
	w.name.SetText("dossier-" + w.now().Format("2006-01-02"))
	if home, err := os.UserHomeDir(); err == nil {
		w.dir = home
	}
	w.dirLabel = widget.NewLabel(folderText(w.dir))
	w.dirLabel.Truncation = fyne.TextTruncateEllipsis
	choose := newButtonWithIcon(lang.X("button.choosefolder", "Choose folder…"), theme.FolderOpenIcon(), w.chooseDir)

	heading := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	w.coverLangs, w.coverLang = coverLanguageSelect()
	w.mode.SetSelected(local(keyGenerated))
	return container.NewVBox(
		heading(lang.X("export.whocan", "Who can open it")), explain, w.mode, w.typedBox, w.centreBox, w.usbWarning,
		heading(lang.X("export.size", "Size")), widget.NewLabel(lang.X("export.size.explain", "Some e-mail services and upload portals only take files up to a certain size.")),
		w.split, w.customSize,
		heading(lang.X("export.coverlang", "Language of the cover summary")),
		widget.NewLabel(lang.X("export.coverlang.explain", "The cover summary tells the specialist what the bundle holds. Choose the language the centre reads.")),
		w.coverLang,
		heading(lang.X("export.where", "Where to save it")),
		container.NewBorder(nil, nil, nil, choose, w.dirLabel),
		container.NewBorder(nil, nil, widget.NewLabel(lang.X("cases.name", "Name")), nil, w.name),
	)
}

// coverLanguageSelect offers the languages the cover summary can be written in, each by its own name,
// with the UI's language chosen (English when the cover has no translation into it).
func coverLanguageSelect() ([]string, *widget.Select) {
	tags := i18n.Languages()
	names := make([]string, len(tags))
	for i, tag := range tags {
		names[i] = i18n.MustLoad(tag).T("language.name")
	}
	sel := widget.NewSelect(names, nil)
	sel.SetSelectedIndex(0)
	if i := slices.Index(tags, documentLanguage()); i >= 0 {
		sel.SetSelectedIndex(i)
	}
	return tags, sel
}

// coverLanguage is the tag of the language chosen for the cover summary.
func (w *exportWizard) coverLanguage() string {
	if w.coverLang == nil {
		return documentLanguage()
	}
	if i := w.coverLang.SelectedIndex(); i >= 0 && i < len(w.coverLangs) {
		return w.coverLangs[i]
	}
	return i18n.English
}

func folderText(d string) string {
	if d == "" {
		return lang.X("export.nofolder", "No folder chosen yet")
	}
	return d
}

// setDir sets the destination folder.
func (w *exportWizard) setDir(d string) {
	w.dir = d
	w.dirLabel.SetText(folderText(d))
}

func (w *exportWizard) chooseDir() {
	chooseLocalFolder(w.win, lang.X("export.savehere", "Save here"), w.setDir)
}

func (w *exportWizard) modeChanged() {
	w.typedBox.Hide()
	w.centreBox.Hide()
	w.usbWarning.Hide()
	folder := false
	switch unlocal(w.mode.Selected) {
	case keyTyped:
		w.typedBox.Show()
		w.showStrength(w.typed.Text)
	case keyCentre:
		w.centreBox.Show()
	case keyFolder:
		w.usbWarning.Show()
		folder = true
	}
	if w.split != nil {
		if folder {
			w.split.SetSelected(local(splitNone))
			w.split.Disable()
		} else {
			w.split.Enable()
		}
	}
}

func (w *exportWizard) showStrength(s string) {
	bits, advice := envelope.PassphraseStrength(s)
	switch {
	case s == "":
		w.strength.Importance = widget.MediumImportance
		w.strength.SetText(advice)
	case advice != "":
		w.strength.Importance = widget.DangerImportance
		w.strength.SetText(advice)
	default:
		w.strength.Importance = widget.SuccessImportance
		w.strength.SetText(fmt.Sprintf(lang.X("export.strong", "Strong enough (about %.0f bits). Remember to send it another way than the bundle."), bits))
	}
}

// checkPasted says at once whether the pasted keys are public keys.
func (w *exportWizard) checkPasted() {
	_, err := parseKeys(w.pasted.Text)
	switch {
	case strings.TrimSpace(w.pasted.Text) == "":
		w.keyCheck.SetText("")
	case err != nil:
		w.keyCheck.Importance = widget.DangerImportance
		w.keyCheck.SetText(err.Error())
	default:
		w.keyCheck.Importance = widget.SuccessImportance
		w.keyCheck.SetText(lang.X("export.keyok", "This is a public key Dossier can use."))
	}
}

// parseKeys reads public keys, one a line, as export.ParseKeys does, with its errors in the UI's language.
func parseKeys(text string) ([]string, error) {
	keys, err := export.ParseKeys(text)
	if err != nil {
		return nil, errors.New(uiMessage(err.Error()))
	}
	return keys, nil
}

// kindKeyError words a key error for people, in the UI's language.
func kindKeyError(err error) error {
	return errors.New(uiMessage((&export.KeyError{Err: err}).Error()))
}

// loadCentres reads the saved receiving centres for the choice.
func (w *exportWizard) loadCentres() {
	if w.st == nil {
		return
	}
	st := w.st
	startJob(w.run, context.Background(), func(ctx context.Context, _ func(struct{})) ([]*store.Centre, error) {
		return st.Centres(ctx)
	}, nil, func(cs []*store.Centre, err error) {
		if err != nil {
			return // the pasted key still works
		}
		w.centres = cs
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		w.centreSel.SetOptions(names)
		if len(names) > 0 {
			w.centreSel.PlaceHolder = lang.X("export.choosecentre", "Choose a saved centre")
		}
		w.centreSel.Refresh()
	})
}

// choices gathers what the person chose in the three steps for export.Send, or says what is missing.
func (w *exportWizard) choices() (export.Choices, error) {
	ch := export.Choices{Level: w.level, Dir: w.dir, Name: strings.TrimSuffix(strings.TrimSpace(w.name.Text), ".age"),
		Language: w.coverLanguage(), Include: copyInclude(w.include), ConvertHEIC: w.convertHEIC,
		// NoRedact until step 2 shows what redaction removes (redactui).
		NoRedact: true}
	if ch.Dir == "" {
		return ch, errors.New(lang.X("export.err.folder", "Choose the folder where the bundle should be saved."))
	}
	if ch.Name == "" || strings.ContainsAny(ch.Name, `/\:*?"<>|`) || strings.HasPrefix(ch.Name, ".") {
		return ch, errors.New(lang.X("export.err.name", "Give the bundle a simple name, for example dossier-2026 (no slashes; do not use your own name)."))
	}
	switch unlocal(w.mode.Selected) {
	case keyGenerated:
		ch.Lock = export.LockGenerated
	case keyTyped:
		if err := export.CheckPassphrase(w.typed.Text); err != nil {
			return ch, err
		}
		if w.typed.Text != w.typedAgain.Text {
			return ch, errors.New(lang.X("export.err.mismatch", "The two passphrases are not the same. Please type it again in both boxes."))
		}
		ch.Lock, ch.Passphrase = export.LockPassphrase, w.typed.Text
	case keyCentre:
		ch.Lock = export.LockKeys
		if strings.TrimSpace(w.pasted.Text) != "" {
			k, err := export.ParseKeys(w.pasted.Text)
			if err != nil {
				return ch, errors.New(uiMessage(err.Error()))
			}
			ch.Keys = k
		} else {
			for _, c := range w.centres {
				if c.Name == w.centreSel.Selected {
					ch.Keys, ch.Centre = c.Keys, c.Name
				}
			}
			if len(ch.Keys) == 0 {
				return ch, errors.New(lang.X("export.err.centre", "Choose a saved centre, or paste the key the centre sent you."))
			}
		}
	case keyFolder:
		ch.Lock = export.LockNone
	default:
		return ch, errors.New(uiMessage(export.ErrNoLock.Error()))
	}
	if ch.Lock != export.LockNone {
		switch unlocal(w.split.Selected) {
		case splitMail, splitPortal:
			ch.Split, _ = envelope.ParseSize(splitSizes[unlocal(w.split.Selected)])
		case splitCustom:
			n, err := envelope.ParseSize(w.customSize.Text)
			if err != nil || n <= 0 {
				return ch, errors.New(lang.X("export.err.size", "Type a size such as 100 MB or 1 GB for the pieces."))
			}
			ch.Split = n
		}
	}
	// The keys and the passphrase are checked as export.Send will check them.
	if _, _, err := ch.Output(); err != nil {
		return ch, errors.New(uiMessage(err.Error()))
	}
	return ch, nil
}

// --- Step 4: progress ---

func (w *exportWizard) buildProgress() fyne.CanvasObject {
	w.bar = widget.NewProgressBar()
	w.current = widget.NewLabel("")
	w.current.Truncation = fyne.TextTruncateEllipsis
	w.timeLeft = widget.NewLabel("")
	note := widget.NewLabel(lang.X("export.note", "Your original files are only read, never changed. If you cancel, nothing is left behind."))
	note.Wrapping = wordWrap()
	return container.NewVBox(w.bar, w.current, w.timeLeft, note)
}

func (w *exportWizard) startExport() {
	ch, err := w.choices()
	if err != nil {
		w.errBox.Show(problem{Title: lang.X("export.almost", "Almost there"), What: err.Error(), Todo: lang.X("export.almost.todo", "Change this above, then press “Make the bundle” again.")})
		return
	}
	c := export.Case{ID: w.in.caseID, Inventory: w.in.inv, Rules: w.in.rules, Report: w.in.report, Details: w.in.details}
	var st export.Store
	if w.st != nil {
		st = w.st
	}
	hook := w.packHook
	w.show(stepProgress)
	w.bar.SetValue(0)
	w.current.SetText(lang.X("export.gettingready", "Getting ready…"))
	w.timeLeft.SetText("")
	w.started = time.Now()
	w.packing = startJob(w.run, context.Background(), func(ctx context.Context, report func(bundle.Progress)) (*export.Result, error) {
		return export.Send(ctx, st, c, ch, func(p bundle.Progress) {
			if hook != nil {
				hook(p)
			}
			report(p)
		})
	}, w.showProgress, w.exportDone)
}

func copyInclude(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (w *exportWizard) showProgress(p bundle.Progress) {
	if p.TotalBytes > 0 {
		w.bar.SetValue(float64(p.Bytes) / float64(p.TotalBytes))
	}
	switch {
	case p.Total > 0 && p.Done >= p.Total:
		w.current.SetText(lang.X("export.checking", "Checking what was written…"))
	case p.Current != "":
		w.current.SetText(fmt.Sprintf(lang.X("export.fileof", "File %d of %d: %s"), min(p.Done+1, p.Total), p.Total, p.Current))
	}
	w.timeLeft.SetText(timeLeft(time.Since(w.started), p.Bytes, p.TotalBytes))
}

// timeLeft estimates the time left from the bytes written so far.
func timeLeft(elapsed time.Duration, done, total int64) string {
	if done <= 0 || total <= 0 || elapsed < time.Second {
		return lang.X("export.eta.unknown", "Working out how long this takes…")
	}
	left := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
	switch {
	case left < 10*time.Second:
		return lang.X("export.eta.almost", "Almost done.")
	case left < time.Minute:
		return lang.X("export.eta.minute", "Less than a minute left.")
	case left < 90*time.Minute:
		return lang.X("export.eta.minutes", "About {{.N}} minutes left.", map[string]any{"N": int(left.Minutes() + 0.5)})
	}
	return lang.X("export.eta.hours", "About {{.N}} hours left.", map[string]any{"N": int(left.Hours() + 0.5)})
}

func (w *exportWizard) exportDone(res *export.Result, err error) {
	w.packing = nil
	switch {
	case errors.Is(err, export.ErrNotRecorded) && res != nil:
		// The bundle is complete; only its history row is missing. Show the
		// passphrase anyway, or the bundle would be useless.
		w.result = res
		w.show(stepDone)
		w.setInfo(lang.X("export.historyerr", "The bundle is ready, but it could not be added to this case's history of what was sent."))
	case errors.Is(err, context.Canceled):
		w.show(stepRecipient)
		w.setInfo(lang.X("export.stopped", "Stopped. Nothing was saved, and nothing was left behind. You can start again when you like."))
	case err != nil:
		w.show(stepRecipient)
		w.errBox.Show(explain(err, problem{Title: lang.X("export.failed", "The bundle could not be made"),
			What: lang.X("export.failed.what", "Something went wrong while making the bundle. Nothing was left behind in the folder you chose.")}))
	default:
		w.result = res
		w.show(stepDone)
		if w.onSent != nil {
			w.onSent()
		}
	}
}
