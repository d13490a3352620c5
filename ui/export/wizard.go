// Package export is the send wizard of the desktop app: five steps from a case to a sent bundle,
// one file a step (level.go, decisions.go, recipient.go, progress.go, done.go). What the person
// chooses becomes a packager/export Choices, which packager/export.Send turns into the bundle, as
// it does for the command line. The widgets it shares with the rest of the app are in
// ui/internal/kit.
package export

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/bundle"
	"dossier/packager/deid"
	pexport "dossier/packager/export"
	"dossier/packager/privacy"
	"dossier/packager/redactview"
	"dossier/packager/store"
	"dossier/ui/internal/kit"
	"dossier/ui/redactbox"
)

// Step is one of the wizard's steps.
type Step int

// The steps of the wizard.
const (
	StepLevel Step = iota + 1
	StepDecisions
	StepRecipient
	StepProgress
	StepDone
)

// stepTitle is the heading of a step, in the language of the app.
func stepTitle(step Step) string {
	switch step {
	case StepLevel:
		return lang.X("export.step1", "How much should the centre see about you?")
	case StepDecisions:
		return lang.X("export.step2", "Please decide about these files")
	case StepRecipient:
		return lang.X("export.step3", "Who will open it, and where should it go?")
	case StepProgress:
		return lang.X("export.step4", "Making your bundle…")
	}
	return lang.X("export.step5", "Your bundle is ready")
}

// Store is what the wizard needs of the case store: the export's pseudonym and audit row, and the
// saved receiving centres.
type Store interface {
	pexport.Store
	Centres(ctx context.Context) ([]*store.Centre, error)
}

// Deps is what the wizard needs from the main window.
type Deps struct {
	Win   fyne.Window
	Run   *kit.Runner
	Store Store // nil: no pseudonym, no audit row, no saved centres
	Now   func() time.Time
	Level privacy.Level // preselected
	// Include holds the case's decisions of step 2 (the files to send although they may show the
	// patient), kept by the window between one opening of the wizard and the next (nil: none yet).
	Include map[string]bool
	// Boxes holds the redaction boxes the person confirmed in step 2, by path, kept by the window
	// like Include: the wizard starts from them and adds to it what is confirmed (nil: not kept).
	Boxes   map[string]*KeptBoxes
	OnClose func() // the person leaves the wizard
	OnSent  func() // a bundle was made
	// ChooseFolder asks for a folder (confirm is the button's text); OpenFolder and OpenDocument
	// show a folder or a document with the computer's own programs.
	ChooseFolder func(confirm string, use func(path string))
	OpenFolder   func(dir string)
	OpenDocument func(path string)
}

// Wizard walks the person from a case to a sent bundle in five steps.
type Wizard struct {
	in  pexport.Case // the case as it was when the wizard opened; the export never sees later changes
	win fyne.Window
	run *kit.Runner
	st  Store
	now func() time.Time
	d   Deps

	object    *fyne.Container
	stepTitle *widget.Label
	stepCount *widget.Label
	body      *fyne.Container
	info      *widget.Label
	errBox    *kit.ErrorBox
	back      *kit.Button
	next      *kit.Button
	cancel    *kit.Button
	step      Step

	// Step 1.
	levelRadios []*kit.Choice[privacy.Level] // one a level, each with its explanation below it
	level       privacy.Level
	levelScreen fyne.CanvasObject

	// Step 2.
	plan       *kit.Job
	planLevel  privacy.Level // the level decisions were made for ("": none yet)
	decisions  []deid.Decision
	excerpts   map[string]string
	include    map[string]bool
	decScreen  *fyne.Container
	decChoices map[string]*kit.Choice[bool] // send (true) or leave out, by path, for the files with a card of their own
	// preview, if set, adds to the card of a document that will be redacted a way to see what
	// redaction removes from it (see redactionRow).
	preview func(d deid.Decision) fyne.CanvasObject
	// redactions are the redaction boxes the person confirmed, by item path (see setRedactions).
	redactions map[string]*deid.Redactions
	// previewBoxes are the boxes confirmed in the redaction preview, by path, shown again when it is
	// opened again; shownPreview is the preview open (redaction.go).
	previewBoxes map[string][]redactview.Box
	shownPreview *redactbox.Preview
	// shownText is the text preview open of a document redacted with placeholders (redaction.go).
	shownText *redactview.Document

	// convertHEIC is the user's consent to convert HEIC photos that cannot
	// be cleaned in place to JPEG.
	convertHEIC bool

	// Step 3.
	mode       *kit.Choice[pexport.Lock]
	typed      *widget.Entry
	typedAgain *widget.Entry
	strength   *widget.Label
	typedBox   *fyne.Container
	centres    []*store.Centre
	centreSel  *widget.Select
	pasted     *kit.TextArea
	keyCheck   *widget.Label
	centreBox  *fyne.Container
	usbWarning fyne.CanvasObject
	split      *kit.Choice[splitChoice]
	customSize *widget.Entry
	coverLang  *kit.Choice[string] // the tag of the language of the cover summary, shown by its own name
	dir        string
	dirLabel   *widget.Label
	name       *widget.Entry
	recScreen  fyne.CanvasObject

	// Step 4.
	packing    *kit.Job
	started    time.Time
	bar        *widget.ProgressBar
	current    *widget.Label
	timeLeft   *widget.Label
	progScreen fyne.CanvasObject
	// packHook, if set, is called from the export's goroutine on every progress report (tests).
	packHook func(bundle.Progress)

	// Step 5: the bundle made, with the passphrase Dossier made (shown once on the done screen).
	result *pexport.Result
}

// New opens the wizard on case c at its first step.
func New(c pexport.Case, d Deps) *Wizard {
	w := &Wizard{in: c, win: d.Win, run: d.Run, st: d.Store, now: d.Now, d: d, level: d.Level, include: d.Include}
	if w.include == nil {
		w.include = map[string]bool{}
	}
	w.redactions = map[string]*deid.Redactions{}
	w.previewBoxes = map[string][]redactview.Box{}
	for path, k := range d.Boxes {
		if k != nil && k.Redactions != nil {
			w.previewBoxes[path] = k.Boxes
			w.redactions[path] = k.Redactions
		}
	}
	if w.level == "" {
		w.level = privacy.Identified
	}
	if w.now == nil {
		w.now = time.Now
	}
	w.stepTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.stepTitle.SizeName = theme.SizeNameSubHeadingText
	w.stepCount = widget.NewLabel("")
	w.info = kit.NewWrapLabel("")
	w.info.Hide()
	w.errBox = kit.NewErrorBox()
	w.back = kit.NewButtonWithIcon(lang.X("guide.back", "Back"), theme.NavigateBackIcon(), w.goBack)
	w.next = kit.NewButtonWithIcon(lang.X("guide.next", "Next"), theme.NavigateNextIcon(), w.goNext)
	w.next.Importance = widget.HighImportance
	w.next.IconPlacement = widget.ButtonIconTrailingText
	w.cancel = kit.NewButtonWithIcon(lang.X("button.close", "Close"), theme.CancelIcon(), w.close)
	w.body = container.NewStack()

	w.levelScreen = w.buildLevel()
	w.decScreen = container.NewVBox()
	w.recScreen = w.buildRecipient()
	w.progScreen = w.buildProgress()

	header := container.NewVBox(container.NewBorder(nil, nil, nil, w.stepCount, w.stepTitle), widget.NewSeparator())
	buttons := container.NewBorder(nil, nil, w.cancel, container.NewHBox(w.back, w.next))
	footer := container.NewVBox(w.info, w.errBox.Object, widget.NewSeparator(), buttons)
	w.object = container.NewPadded(container.NewBorder(header, footer, nil, nil, w.body))
	w.show(StepLevel)
	return w
}

// Object is the wizard on screen.
func (w *Wizard) Object() fyne.CanvasObject { return w.object }

// Step is the step shown.
func (w *Wizard) Step() Step { return w.step }

// Busy reports whether the wizard is working in the background (looking at the files, or making
// the bundle).
func (w *Wizard) Busy() bool { return w.plan != nil || w.packing != nil }

// Result is the bundle made, once the wizard is at its last step.
func (w *Wizard) Result() *pexport.Result { return w.result }

// show switches to a step.
func (w *Wizard) show(step Step) {
	w.step = step
	w.stepTitle.SetText(stepTitle(step))
	w.stepCount.SetText(lang.X("guide.count", "Step {{.N}} of {{.Total}}", map[string]any{"N": int(step), "Total": int(StepDone)}))
	w.errBox.Hide()
	var screen fyne.CanvasObject
	w.back.Show()
	w.next.Show()
	w.back.Enable()
	w.next.Enable()
	w.cancel.SetText(lang.X("button.close", "Close"))
	w.next.SetText(lang.X("guide.next", "Next"))
	switch step {
	case StepLevel:
		screen = container.NewVScroll(w.levelScreen)
		w.back.Disable()
	case StepDecisions:
		screen = container.NewVScroll(w.decScreen)
		w.startPlan()
	case StepRecipient:
		screen = container.NewVScroll(w.recScreen)
		w.next.SetText(lang.X("export.make", "Make the bundle"))
		w.loadCentres()
	case StepProgress:
		screen = w.progScreen
		w.back.Hide()
		w.next.Hide()
		w.cancel.SetText(lang.X("button.cancel", "Cancel"))
	case StepDone:
		screen = container.NewVScroll(w.buildDone())
		w.back.Hide()
		w.next.SetText(lang.X("export.backtocase", "Back to my case"))
		w.cancel.Hide()
	}
	if step != StepDone {
		w.cancel.Show()
	}
	w.body.Objects = []fyne.CanvasObject{screen}
	w.body.Refresh()
}

func (w *Wizard) goBack() {
	w.info.Hide()
	if w.step > StepLevel && w.step <= StepRecipient {
		w.show(w.step - 1)
	}
}

// goOn is Enter on a choice of the wizard (a radio button): what Next does, when Next is shown and
// can be pressed. The choice stays as it is.
func (w *Wizard) goOn() {
	if w.next.Visible() && !w.next.Disabled() {
		w.next.Tapped(nil)
	}
}

func (w *Wizard) goNext() {
	w.info.Hide()
	switch w.step {
	case StepLevel, StepDecisions:
		if w.step == StepDecisions && w.plan != nil {
			w.setInfo(lang.X("export.stilllooking", "Dossier is still looking at your files; please wait a moment."))
			return
		}
		w.show(w.step + 1)
	case StepRecipient:
		w.startExport()
	case StepDone:
		w.close()
	}
}

func (w *Wizard) setInfo(s string) {
	kit.SetWrapText(w.info, s)
	w.info.Show()
}

// chooseFolder, openFolder and openDocument use the main window's ways, when it gave them.
func (w *Wizard) chooseFolder(confirm string, use func(string)) {
	if w.d.ChooseFolder != nil {
		w.d.ChooseFolder(confirm, use)
	}
}

func (w *Wizard) openFolder(dir string) {
	if w.d.OpenFolder != nil {
		w.d.OpenFolder(dir)
	}
}

func (w *Wizard) openDocument(path string) {
	if w.d.OpenDocument != nil {
		w.d.OpenDocument(path)
	}
}

// close leaves the wizard (or, while the bundle is being made, stops it).
func (w *Wizard) close() {
	if w.step == StepProgress {
		if w.packing != nil {
			w.packing.Cancel()
			w.current.SetText(lang.X("export.stopping", "Stopping… nothing will be left behind."))
		}
		return
	}
	if w.plan != nil {
		w.plan.Cancel()
	}
	if w.d.OnClose != nil {
		w.d.OnClose()
	}
}
