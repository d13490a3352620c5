// Package ui is the Fyne desktop front end of Dossier: one file per screen, the send wizard in
// ui/export, and what the screens share in ui/internal/kit, among it the one job runner
// (kit/jobs.go) that owns every goroutine and every hand-over to the UI goroutine.
package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/store"
	exportui "dossier/ui/export"
	"dossier/ui/nativedialog"
)

// Config is what the desktop UI needs from the rest of the program.
type Config struct {
	// Scan reads the given files and folders into an inventory, calling progress now and then. It must
	// stop soon after ctx is cancelled and then return an error wrapping ctx.Err(). Required.
	Scan func(ctx context.Context, paths []string, progress func(intake.Progress)) (*intake.Inventory, error)
	// Combine merges inventories when more files are added to a case; nil means intake.Combine.
	Combine func(invs ...*intake.Inventory) *intake.Inventory
	// Store keeps cases. Nil means nothing is persisted.
	Store CaseStore
	// Paths come from the command line; they become a new case exactly as if they had been dropped. A path
	// ending in .age or .age.NNN (a bundle or one of its volumes) opens the open-a-bundle screen instead.
	Paths []string
	// Now tells the time, for the new case's name and the checklist's "recent"; nil means time.Now.
	Now func() time.Time
	// Rules is the checklist the case is measured against; nil means checklist.Default().
	Rules *checklist.Rules
	// Screenshot, for the documentation only, names a scene to show once the case from Paths is read
	// (see screenshot.go, built with -tags screenshots, and scripts/screenshots.sh).
	Screenshot string
	// media lists the inserted discs and USB sticks (nil: this computer's; tests give a fake).
	media func(context.Context) []medium
	// SceneReport, for tests of the real app only, is a file to write what the window shows (a
	// SceneReport, as JSON) once the Screenshot scene is played and the checklist is ready.
	SceneReport string
	// Version is the release version, shown in the About box.
	Version string
}

// CaseStore is the part of the case store the desktop UI uses. Its methods run off the UI goroutine.
// (*store.Store returns a *store.Case from CreateCase; wrap it to return the case's ID.)
type CaseStore interface {
	// CreateCase makes a new, empty case and returns its ID.
	CreateCase(ctx context.Context, name string) (caseID int64, err error)
	// SaveInventory replaces the stored inventory of a case.
	SaveInventory(ctx context.Context, caseID int64, inv *intake.Inventory) error
	// SaveDetails replaces the case details (patient, questions, contacts, shipments...).
	SaveDetails(ctx context.Context, caseID int64, d checklist.Details) error
	// Waive marks a checklist rule as not needed for the case, with the person's reason.
	Waive(ctx context.Context, caseID int64, ruleID, reason string) error
	// Unwaive takes a waiver back.
	Unwaive(ctx context.Context, caseID int64, ruleID string) error
	// SetCategory keeps the person's correction of what kind of document a file is.
	SetCategory(ctx context.Context, caseID int64, path string, c doctext.Category) error

	// Pseudonym returns the case's pseudonym and secret (made on first use), for pseudonymised exports.
	Pseudonym(ctx context.Context, caseID int64) (pseudonym string, secret []byte, err error)
	// AddExport records an export in the audit trail.
	AddExport(ctx context.Context, e *store.Export) error
	// Exports lists a case's exports, newest first.
	Exports(ctx context.Context, caseID int64) ([]*store.Export, error)
	// Centres lists the saved receiving centres by name.
	Centres(ctx context.Context) ([]*store.Centre, error)
	// SaveCentre adds a centre or replaces the keys of the one with that name.
	SaveCentre(ctx context.Context, c *store.Centre) error
	// DeleteCentre removes a saved centre.
	DeleteCentre(ctx context.Context, id int64) error

	// Cases lists every case, most recently updated first.
	Cases(ctx context.Context) ([]*store.Case, error)
	// RenameCase changes a case's name.
	RenameCase(ctx context.Context, id int64, name string) error
	// DeleteCase forgets a case and everything stored about it (never the original files).
	DeleteCase(ctx context.Context, id int64) error
	// Inventory rebuilds a case's stored inventory, to resume it.
	Inventory(ctx context.Context, caseID int64) (*intake.Inventory, error)
	// Details returns a case's details (the zero Details if none were saved).
	Details(ctx context.Context, caseID int64) (checklist.Details, error)
	// Waivers lists the checklist items marked as not needed for a case.
	Waivers(ctx context.Context, caseID int64) ([]checklist.Waiver, error)
	// Categories returns the person's corrections of document kinds, by path.
	Categories(ctx context.Context, caseID int64) (map[string]doctext.Category, error)
}

// Default window size.
var defaultWindowSize = fyne.NewSize(1000, 700)

// NewMainWindow builds Dossier's main window in a: a new case with a drop area and buttons to add files
// and folders, the inventory of what was added, and background intake with progress and cancel. If
// cfg.Paths is not empty their intake starts at once. The caller shows it (w.ShowAndRun()).
func NewMainWindow(a fyne.App, cfg Config) fyne.Window {
	return newMainView(a, cfg, nil).win
}

// mainView owns the main window and the state of the case being built. All of its fields are used on
// the UI goroutine only; background work goes through run.
type mainView struct {
	app  fyne.App
	cfg  Config
	win  fyne.Window
	run  *runner
	root *fyne.Container // status panel on top, current screen in the middle

	status  *statusPanel
	content *fyne.Container // holds the current screen

	caseID   int64 // 0 until the case exists in the store
	caseName string
	inv      *intake.Inventory // what the case holds so far; never modified in place

	scan    *job       // the scan in progress, or nil
	pending [][]string // paths added while a scan was running, scanned next

	checks caseChecks // the checklist, case details, waivers and categories (checklist_state.go)

	wizard  *exportui.Wizard // the send wizard while it is open
	history *historyPanel    // the case's exports (export_history.go)
	// media are the inserted discs and USB sticks, shown in mediaPanels (media.go); mediaSource
	// lists them, stopMedia stops watching.
	media       []medium
	mediaPanels []*mediaPanel
	mediaSource func(context.Context) []medium
	stopMedia   context.CancelFunc
	// decisions are each case's decisions of step 2 of sending (decisionsFor).
	decisions map[int64]map[string]bool
	// boxes are each case's redaction boxes confirmed in step 2 of sending (boxesFor).
	boxes map[int64]map[string]*exportui.KeptBoxes
	// generatedName is the name Dossier gave the case, which autoName may replace ("": none).
	generatedName string
	// caseTitle is the case's name in the case screen's header.
	caseTitle *widget.Label
	// caseCode is the case's code name on the case screen, once a bundle carried it.
	caseCode *codeName
	opener   *openScreen // the open-a-bundle screen while it is shown

	cases   *casesScreen // the list of cases (cases_screen.go)
	preview *previewPanel
	opening *job // a case being reopened, or nil

	banner     fyne.CanvasObject // asks for the reviewer's question while there is none
	tree       *invTree          // the inventory tree shown
	treeWidget *widget.Tree      // and its widget
}

// newMainView builds the window; post delivers to the UI goroutine (nil: fyne.Do).
func newMainView(a fyne.App, cfg Config, post func(func())) *mainView {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Combine == nil {
		cfg.Combine = intake.Combine
	}
	v := &mainView{app: a, cfg: cfg, run: newRunner(post), mediaSource: cfg.media}
	if v.mediaSource == nil {
		v.mediaSource = findMedia
	}
	useLanguage(a.Preferences().String(prefLanguage))
	applyAppearance(a)
	v.win = a.NewWindow("Dossier")
	v.initChecks()
	v.win.Resize(v.rememberedSize())
	v.status = newStatusPanel(v.cancelScan)
	v.content = container.NewStack(newWelcomeScreen(v.addFiles, v.addFolder, v.openBundle, v.newMediaPanel().object))
	v.root = readingBorder(v.status.object, nil, nil, nil, v.content)
	v.win.SetContent(v.root)
	v.win.SetOnDropped(v.dropped)
	v.win.SetOnClosed(v.closed) // stop reading files when the window goes away
	var mediaCtx context.Context
	mediaCtx, v.stopMedia = context.WithCancel(context.Background())
	v.watchMedia(mediaCtx)
	v.keepFocusInView(mediaCtx)
	v.installCommands() // the menu and the shortcuts (keyboard.go)
	v.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { dialogKeys(v.win.Canvas(), ev) })
	records, bundles := splitBundlePaths(cfg.Paths)
	if len(records) > 0 {
		v.add(records)
	}
	if len(bundles) > 0 {
		v.showOpen(bundles[0])
	}
	if len(cfg.Paths) == 0 {
		v.loadCasesAtStart()
		v.guideAtFirstRun()
	}
	return v
}

// showTab shows the i-th tab beside the inventory (Ctrl+1 to Ctrl+6, as many as there are) and puts the keyboard focus on the tabs.
func (v *mainView) showTab(i int) {
	c := &v.checks
	if c.tabs == nil || i >= len(c.tabs.Items) {
		return
	}
	c.tabs.SelectIndex(i)
	if c.switcher != nil && v.win.Canvas().Content() != nil && isShown(v.win.Canvas().Content(), c.switcher) {
		v.win.Canvas().Focus(c.switcher)
	}
}

// isShown reports whether o is inside root and visible.
func isShown(root, o fyne.CanvasObject) bool {
	if root == nil || !root.Visible() {
		return false
	}
	if root == o {
		return true
	}
	for _, k := range children(root) {
		if isShown(k, o) {
			return true
		}
	}
	return false
}

// dropped handles files and folders dropped anywhere on the window (the position is unreliable).
func (v *mainView) dropped(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if p := uriPath(u); p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		v.status.showInfo(lang.X("status.localonly", "Only files and folders on this computer can be added."))
		return
	}
	v.add(paths)
}

// uriPath returns the local path of a file URI, or "" for anything else.
func uriPath(u fyne.URI) string {
	if u == nil || u.Scheme() != "file" {
		return ""
	}
	return filepath.FromSlash(u.Path())
}

func (v *mainView) addFiles() {
	choosePath(v.win, pathRequest{kind: nativedialog.OpenFile, title: lang.X("dialog.addfile", "Add a file"),
		accept: lang.X("button.add", "Add"), folder: v.lastFolder()},
		func(p string) { v.add([]string{p}) },
		func(err error) { v.status.showError(lang.X("status.fileopen", "The file could not be opened."), err) })
}

func (v *mainView) addFolder() {
	choosePath(v.win, pathRequest{kind: nativedialog.Folder, title: lang.X("dialog.addfolder", "Add a folder"),
		accept: lang.X("button.add", "Add"), folder: v.lastFolder()},
		func(p string) { v.add([]string{p}) },
		func(err error) {
			v.status.showError(lang.X("status.folderopen", "The folder could not be opened."), err)
		})
}

// chooseLocalFolder asks for a folder on this computer and gives its path to
// use; closing the dialog, or choosing something that is not a local
// folder, does nothing.
func chooseLocalFolder(win fyne.Window, confirm string, use func(path string)) {
	choosePath(win, pathRequest{kind: nativedialog.Folder, title: confirm, accept: confirm}, use, nil)
}

// dialogSize makes file dialogs roomy but never larger than the window.
func dialogSize(w fyne.Window) fyne.Size {
	s := w.Canvas().Size()
	return fyne.NewSize(min(900, s.Width*0.9), min(650, s.Height*0.9))
}

// add is the one way files enter a case: command line, drop and dialogs all come here.
func (v *mainView) add(paths []string) {
	v.rememberFolder(paths)
	if v.scan != nil {
		v.pending = append(v.pending, paths)
		v.status.setWaiting(len(v.pending))
		return
	}
	v.startScan(paths)
}

// scanResult is what a finished scan job hands back.
type scanResult struct {
	added   *intake.Inventory // what this scan found
	merged  *intake.Inventory // the case's inventory with it
	caseID  int64
	saveErr error // the inventory is shown but could not be stored
}

func (v *mainView) startScan(paths []string) {
	scan, combine, st := v.cfg.Scan, v.cfg.Combine, v.cfg.Store
	before, caseID := v.inv, v.caseID
	if v.caseName == "" {
		v.caseName = lang.X("case.newname", "New case {{.Date}}", map[string]any{"Date": uiDate(v.cfg.Now())})
		v.generatedName = v.caseName
	}
	name := v.caseName
	v.status.showScanning()
	work := func(ctx context.Context, report func(intake.Progress)) (scanResult, error) {
		if scan == nil {
			return scanResult{}, errors.New("reading files is not available in this build")
		}
		added, err := scan(ctx, paths, report)
		if err != nil {
			return scanResult{}, err
		}
		if err := ctx.Err(); err != nil {
			return scanResult{}, fmt.Errorf("stopped: %w", err)
		}
		if added == nil || len(added.Items) == 0 {
			return scanResult{added: added}, nil
		}
		res := scanResult{added: added, merged: added, caseID: caseID}
		if before != nil {
			res.merged = combine(before, added)
		}
		if st != nil {
			// Once the files are read, finish storing them even if Cancel is pressed now.
			sctx := context.WithoutCancel(ctx)
			if res.caseID == 0 {
				id, err := st.CreateCase(sctx, name)
				if err != nil {
					res.saveErr = err
					return res, nil
				}
				res.caseID = id
			}
			res.saveErr = st.SaveInventory(sctx, res.caseID, res.merged)
		}
		return res, nil
	}
	v.scan = startJob(v.run, context.Background(), work, v.status.setProgress, v.scanDone)
}

func (v *mainView) scanDone(res scanResult, err error) {
	v.scan = nil
	switch {
	case errors.Is(err, context.Canceled):
		v.pending = nil
		v.status.showInfo(lang.X("status.stopped", "Stopped. Nothing from this batch was added; you can add it again at any time."))
		return
	case err != nil:
		v.status.showError(lang.X("status.readerr", "Something went wrong while reading what you added, so none of it was added. You can try again."), err)
	case res.merged == nil:
		v.status.showInfo(lang.X("status.nofiles", "No files were found in what you added."))
	default:
		v.inv, v.caseID = res.merged, res.caseID
		v.rememberGeneratedName()
		v.inventoryChanged()
		if v.wizard == nil && v.opener == nil {
			v.showCase()
		}
		v.loadHistory()
		if v.cfg.Screenshot != "" {
			v.screenshotScene()
		}
		if res.saveErr != nil {
			v.status.showError(lang.X("status.saveerr", "Your files are listed below, but the case could not be saved on this computer."), res.saveErr)
		} else {
			v.status.showAdded(res.added)
		}
	}
	if len(v.pending) > 0 {
		next := v.pending[0]
		v.pending = v.pending[1:]
		v.startScan(next)
	}
}

// cancelScan stops the scan in progress (Cancel button, window closed).
func (v *mainView) cancelScan() {
	if v.scan != nil {
		v.scan.Cancel()
	}
}

// closed stops all background reading when the window goes away.
func (v *mainView) closed() {
	v.flushDetails()
	v.flushDecisions()
	if v.stopMedia != nil {
		v.stopMedia()
	}
	v.rememberSize()
	v.cancelScan()
	v.cancelEvaluation()
}

func (v *mainView) showCase() {
	if v.preview != nil {
		v.preview.stop()
	}
	v.preview = newPreviewPanel(v)
	var cases func()
	if v.cfg.Store != nil {
		cases = v.showCases
	}
	v.banner = newQuestionBanner(v.showDetails)
	v.updateBanner()
	if v.caseCode == nil {
		v.caseCode = newCodeName()
	}
	if v.caseName != "" {
		v.win.SetTitle(v.caseName + " – Dossier") // the whole name, which the header may shorten
	}
	v.content.Objects = []fyne.CanvasObject{newCaseScreen(v.caseName, v.inv, caseScreenActions{
		addFiles: v.addFiles, addFolder: v.addFolder, send: v.sendToSpecialist, cases: cases,
		details: v.showDetails, selected: v.preview.show,
		built: func(t *invTree, w *widget.Tree) { v.tree, v.treeWidget = t, w },
		title: func(l *widget.Label) { v.caseTitle = l },
	}, v.checks.side, v.preview.object, container.NewVBox(v.banner, v.caseCode.object, v.newMediaPanel().object))}
	v.content.Refresh()
}

// updateBanner shows the question banner while the reviewer's question is not written.
func (v *mainView) updateBanner() {
	if v.banner == nil {
		return
	}
	if v.needsQuestion() {
		v.banner.Show()
	} else {
		v.banner.Hide()
	}
}
