package ui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/store"
	"dossier/packager/summary"
	exportui "dossier/ui/export"
)

// caseEntry is one case in the list, with what is known of its progress.
type caseEntry struct {
	c          *store.Case
	lastExport *store.Export // nil: never sent
}

// prefProgress is the preference keeping a case's last checklist summary ("ready/required"), so the
// list shows each case's progress without evaluating every case.
func prefProgress(id int64) string { return "caseProgress." + strconv.FormatInt(id, 10) }

// casesScreen lists the cases kept on this computer: search, open (resume), rename, delete, and a new
// case. It is the start screen when there are cases.
type casesScreen struct {
	v      *mainView
	object fyne.CanvasObject
	search *widget.Entry
	list   *widget.List
	empty  *widget.Label
	all    []caseEntry
	shown  []caseEntry
}

func newCasesScreen(v *mainView) *casesScreen {
	s := &casesScreen{v: v}
	title := widget.NewLabelWithStyle(lang.X("cases.title", "Your cases"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	intro := newWrapLabel(lang.X("cases.intro", "Each case is one person's records for one second opinion. Choose a case to carry on where you left off."))
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(lang.X("cases.search", "Search cases by name"))
	s.search.OnChanged = func(string) { s.filter() }
	newBtn := newButtonWithIcon(lang.X("menu.newcase", "New case"), theme.ContentAddIcon(), v.newCase)
	newBtn.Importance = widget.HighImportance
	openBundle := newButtonWithIcon(lang.X("menu.openbundle", "Open a bundle…"), theme.MailAttachmentIcon(), v.openBundle)
	s.empty = widget.NewLabel("")
	s.empty.Hide()
	s.list = widget.NewList(
		func() int { return len(s.shown) },
		func() fyne.CanvasObject { return newCaseRow(s) },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*caseRow).set(s.shown[id], s.v) },
	)
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.UnselectAll()
		if id >= 0 && id < len(s.shown) {
			v.openCase(s.shown[id].c)
		}
	}
	top := container.NewVBox(title, intro,
		readingBorder(nil, nil, nil, container.NewHBox(newBtn, openBundle), s.search), s.empty)
	s.object = container.NewPadded(readingBorder(top, nil, nil, nil, s.list))
	return s
}

// setCases shows the cases read from the store.
func (s *casesScreen) setCases(es []caseEntry) {
	s.all = es
	s.filter()
}

func (s *casesScreen) filter() {
	q := strings.ToLower(strings.TrimSpace(s.search.Text))
	s.shown = s.shown[:0]
	for _, e := range s.all {
		if q == "" || strings.Contains(strings.ToLower(e.c.Name), q) {
			s.shown = append(s.shown, e)
		}
	}
	switch {
	case len(s.all) == 0:
		s.empty.SetText(lang.X("cases.none", "No cases yet. Start a new case and add your records."))
		s.empty.Show()
	case len(s.shown) == 0:
		s.empty.SetText(lang.X("cases.nomatch", "No case has that in its name."))
		s.empty.Show()
	default:
		s.empty.Hide()
	}
	s.list.Refresh()
}

// caseProgress says how far a case is, from its last checklist summary and its last export.
func caseProgress(v *mainView, e caseEntry) string {
	parts := []string{lang.X("cases.updated", "Changed {{.Date}}", map[string]any{"Date": uiDate(e.c.Updated.Local())})}
	if p := v.app.Preferences().String(prefProgress(e.c.ID)); p != "" {
		var ready, required int
		if _, err := fmt.Sscanf(p, "%d/%d", &ready, &required); err == nil && required > 0 {
			parts = append(parts, lang.X("cases.progress", "{{.Ready}} of {{.Required}} required items ready, {{.Missing}} missing",
				map[string]any{"Ready": ready, "Required": required, "Missing": required - ready}))
		}
	}
	if x := e.lastExport; x != nil {
		parts = append(parts, lang.X("cases.sent", "last sent {{.Date}}", map[string]any{"Date": uiDate(x.Created.Local())}))
	} else {
		parts = append(parts, lang.X("cases.notsent", "not sent yet"))
	}
	return strings.Join(parts, " · ")
}

// caseRow is one case: its name and progress, with buttons to open, rename and delete it.
type caseRow struct {
	widget.BaseWidget
	s      *casesScreen
	c      *store.Case
	name   *widget.Label
	detail *widget.Label
	box    *fyne.Container
}

func newCaseRow(s *casesScreen) *caseRow {
	r := &caseRow{s: s, name: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), detail: widget.NewLabel("")}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.detail.Truncation = fyne.TextTruncateEllipsis
	open := newButtonWithIcon(lang.X("cases.open", "Open"), theme.FolderOpenIcon(), func() {
		if r.c != nil {
			s.v.openCase(r.c)
		}
	})
	rename := newButtonWithIcon(lang.X("cases.rename", "Rename…"), theme.DocumentCreateIcon(), func() {
		if r.c != nil {
			s.v.askRename(r.c)
		}
	})
	del := newButtonWithIcon(lang.X("cases.delete", "Delete…"), theme.DeleteIcon(), func() {
		if r.c != nil {
			s.v.askDelete(r.c)
		}
	})
	r.box = readingBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.FolderIcon())),
		container.NewCenter(container.NewHBox(open, rename, del)), container.NewVBox(r.name, r.detail))
	r.ExtendBaseWidget(r)
	return r
}

func (r *caseRow) set(e caseEntry, v *mainView) {
	r.c = e.c
	r.name.SetText(e.c.Name)
	r.detail.SetText(caseProgress(v, e))
}

// CreateRenderer is part of fyne.Widget.
func (r *caseRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

// readCases lists the cases with their last export (off the UI goroutine).
func readCases(ctx context.Context, st CaseStore) ([]caseEntry, error) {
	cs, err := st.Cases(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]caseEntry, 0, len(cs))
	for _, c := range cs {
		e := caseEntry{c: c}
		if xs, err := st.Exports(ctx, c.ID); err == nil && len(xs) > 0 {
			e.lastExport = xs[0]
		}
		out = append(out, e)
	}
	return out, nil
}

// loadCasesAtStart shows the list of cases instead of the welcome screen when there are cases.
func (v *mainView) loadCasesAtStart() {
	st := v.cfg.Store
	if st == nil {
		return
	}
	startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) ([]caseEntry, error) {
		return readCases(ctx, st)
	}, nil, func(es []caseEntry, err error) {
		// Only while nothing else has started: the person may already be adding files.
		if err != nil || len(es) == 0 || v.inv != nil || v.scan != nil || v.opener != nil || v.wizard != nil || v.opening != nil {
			return
		}
		v.cases = newCasesScreen(v)
		v.cases.setCases(es)
		v.content.Objects = []fyne.CanvasObject{v.cases.object}
		v.content.Refresh()
	})
}

// showCases shows the list of cases (File › Your cases).
func (v *mainView) showCases() {
	st := v.cfg.Store
	if st == nil {
		v.status.showInfo(lang.X("cases.nostore", "Cases cannot be kept: Dossier could not open its data folder."))
		return
	}
	if v.wizard != nil {
		return // finish or close the steps of sending first
	}
	v.cases = newCasesScreen(v)
	v.content.Objects = []fyne.CanvasObject{v.cases.object}
	v.content.Refresh()
	v.reloadCases()
}

func (v *mainView) reloadCases() {
	st, s := v.cfg.Store, v.cases
	if st == nil || s == nil {
		return
	}
	startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) ([]caseEntry, error) {
		return readCases(ctx, st)
	}, nil, func(es []caseEntry, err error) {
		if err != nil {
			v.status.showError(lang.X("cases.readerr", "The list of cases could not be read."), err)
			return
		}
		s.setCases(es)
	})
}

// resetCase forgets the case on screen (not the stored one) so another can be started or opened.
func (v *mainView) resetCase() {
	v.cancelScan()
	v.cancelEvaluation()
	if v.preview != nil {
		v.preview.stop()
	}
	v.pending = nil
	v.inv, v.caseID, v.caseName = nil, 0, ""
	if v.caseCode != nil {
		v.caseCode.set("")
	}
	old := v.checks
	v.checks = caseChecks{gen: old.gen, saving: old.saving, queue: old.queue}
	v.initChecks()
}

// newCase starts an empty case: the welcome screen with its drop area.
func (v *mainView) newCase() {
	if v.wizard != nil || v.scan != nil {
		return
	}
	v.resetCase()
	v.opener = nil
	v.cases = nil
	v.showHome()
}

// caseData is what resuming a case reads from the store.
type caseData struct {
	inv         *intake.Inventory
	details     checklist.Details
	waivers     []checklist.Waiver
	corrections map[string]doctext.Category
	factChecks  []summary.Check
	include     map[string]bool // the decisions of step 2
	boxes       map[string]*exportui.KeptBoxes
}

// openCase resumes a stored case: its inventory, details, waivers and document kinds are read back,
// and the checklist is worked out again.
func (v *mainView) openCase(c *store.Case) {
	st := v.cfg.Store
	if st == nil || c == nil || v.wizard != nil || v.scan != nil {
		return
	}
	if v.opening != nil {
		v.opening.Cancel()
	}
	id, name := c.ID, c.Name
	var j *job
	j = startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (caseData, error) {
		var d caseData
		var err error
		if d.inv, err = st.Inventory(ctx, id); err != nil {
			return d, err
		}
		if d.details, err = st.Details(ctx, id); err != nil {
			return d, err
		}
		if d.waivers, err = st.Waivers(ctx, id); err != nil {
			return d, err
		}
		if d.factChecks, err = loadFactChecks(ctx, st, id); err != nil {
			return d, err
		}
		if d.include, err = loadSendChoices(ctx, st, id); err != nil {
			return d, err
		}
		if d.boxes, err = loadSendBoxes(ctx, st, id); err != nil {
			return d, err
		}
		d.corrections, err = st.Categories(ctx, id)
		return d, err
	}, nil, func(d caseData, err error) {
		if v.opening != j {
			return // another case was chosen meanwhile
		}
		v.opening = nil
		switch {
		case errors.Is(err, context.Canceled):
			return
		case err != nil:
			v.status.showError(lang.X("cases.openerr", "This case could not be opened. Your original files are not affected."), err)
			return
		}
		v.resetCase()
		v.opener, v.cases = nil, nil
		v.caseID, v.caseName = id, name
		v.generatedName = "" // a name the person chose, unless Dossier gave it (checked below)
		if v.app.Preferences().String(prefGeneratedName(id)) == name {
			v.generatedName = name
		}
		c := &v.checks
		c.details = d.details
		c.waivers = d.waivers
		c.factChecks = d.factChecks
		if d.corrections != nil {
			c.corrections = d.corrections
		}
		if d.include != nil {
			maps.Copy(v.decisionsFor(id), d.include)
		}
		maps.Copy(v.boxesFor(id), d.boxes)
		c.panel.setCancer(d.details.Cancer)
		if d.inv == nil || len(d.inv.Items) == 0 {
			v.showHome() // a case with nothing in it yet: its drop area
			return
		}
		v.inv = d.inv
		v.inventoryChanged()
		v.showCase()
		v.loadHistory()
	})
	v.opening = j
}

// askRename asks for a case's new name.
func (v *mainView) askRename(c *store.Case) {
	e := newField()
	e.SetText(c.Name)
	e.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(lang.X("cases.noname", "please give the case a name"))
		}
		return nil
	}
	d := newFormDialog(lang.X("cases.renametitle", "Rename case"), lang.X("cases.renameok", "Rename"), lang.X("button.cancel", "Cancel"),
		[]*widget.FormItem{{Text: lang.X("cases.name", "Name"), Widget: e}}, func(ok bool) {
			if ok {
				v.renameCase(c.ID, strings.TrimSpace(e.Text))
			}
		}, v.win)
	d.Resize(fyne.NewSize(min(480, v.win.Canvas().Size().Width*0.9), 0))
	d.Show()
	v.win.Canvas().Focus(e)
}

func (v *mainView) renameCase(id int64, name string) {
	st := v.cfg.Store
	if st == nil || name == "" {
		return
	}
	startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		return struct{}{}, st.RenameCase(ctx, id, name)
	}, nil, func(_ struct{}, err error) {
		if err != nil {
			v.status.showError(lang.X("cases.renameerr", "The case could not be renamed."), err)
			return
		}
		v.app.Preferences().RemoveValue(prefGeneratedName(id)) // the person's name now: kept as it is
		if id == v.caseID {
			v.caseName = name
		}
		v.reloadCases()
	})
}

// askDelete asks before a case is forgotten, saying that the original files stay as they are.
func (v *mainView) askDelete(c *store.Case) {
	showAsk(lang.X("cases.deletetitle", "Delete “{{.Name}}”?", map[string]any{"Name": c.Name}),
		lang.X("cases.deletetext", "Dossier forgets this case: its list of files, the details you wrote, your notes and the record of what was sent.\nYour original files are never touched: they stay where they are."),
		lang.X("cases.deleteok", "Delete case"), lang.X("button.keep", "Keep it"),
		func(ok bool) {
			if ok {
				v.deleteCase(c.ID)
			}
		}, v.win)
}

func (v *mainView) deleteCase(id int64) {
	st := v.cfg.Store
	if st == nil {
		return
	}
	startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		return struct{}{}, st.DeleteCase(ctx, id)
	}, nil, func(_ struct{}, err error) {
		if err != nil {
			v.status.showError(lang.X("cases.deleteerr", "The case could not be deleted."), err)
			return
		}
		v.app.Preferences().RemoveValue(prefProgress(id))
		v.app.Preferences().RemoveValue(prefGeneratedName(id))
		if id == v.caseID {
			v.resetCase()
		}
		v.status.showInfo(lang.X("cases.deleted", "The case is deleted. Your original files were not touched."))
		v.reloadCases()
	})
}

// needsQuestion tells whether the reviewer's question is still to be written.
func (v *mainView) needsQuestion() bool {
	for _, q := range v.checks.details.Questions {
		if strings.TrimSpace(q) != "" {
			return false
		}
	}
	return true
}
