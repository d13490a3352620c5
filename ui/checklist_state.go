package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/atomicfile"
	"dossier/packager/checklist"
	"dossier/packager/cover"
	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/summary"
	"dossier/ui/nativedialog"
)

// caseChecks is what the person tells Dossier about a case (details, waivers, corrected document
// categories) and the checklist evaluated from it. Used on the UI goroutine only; evaluation and saving
// go through the job runner.
type caseChecks struct {
	rules    *checklist.Rules
	rulesErr error

	details     checklist.Details
	waivers     []checklist.Waiver
	corrections map[string]doctext.Category // path -> category the person chose
	factChecks  []summary.Check             // what the person said about the facts read (summary_panel.go)
	// docCache holds every document read so far, by path, as classified from its own text (nil: the
	// item is not a document). It is replaced, never changed, so a running evaluation may read it.
	docCache map[string]*checklist.Document
	report   *checklist.Report // the latest evaluation, or nil

	gen    int  // evaluation generation: results of older ones are dropped
	eval   *job // the evaluation in progress, or nil
	letter *job // the letter being written, or nil

	saving bool       // a save is running
	queue  []saveTask // saves waiting their turn, in order

	panel *checklistPanel
	docs  *documentsPanel
	form  *detailsForm
	tabs  *container.AppTabs
	side  fyne.CanvasObject // what is shown beside the inventory
	// switcher makes the tabs reachable by keyboard (Tab, arrows, Ctrl+1..4).
	switcher *tabSwitch
}

// saveTask stores one change; what names it in an error message.
type saveTask struct {
	caseID int64 // the case it belongs to, fixed when the change is made
	what   string
	do     func(ctx context.Context, st CaseStore, caseID int64) error
}

// Titles of the tabs beside the inventory.
const (
	tabChecklist = "Checklist"
	tabDocuments = "Documents"
	tabDetails   = "Case details"
	tabSent      = "Sent"
)

func (v *mainView) initChecks() {
	c := &v.checks
	c.rules = v.cfg.Rules
	if c.rules == nil {
		c.rules, c.rulesErr = checklist.Default()
	}
	c.corrections = map[string]doctext.Category{}
	c.docCache = map[string]*checklist.Document{}
	var cancers []checklist.Cancer
	if c.rules != nil {
		cancers = c.rules.Cancers
	}
	c.panel = newChecklistPanel(cancers, checklistActions{
		cancer:  v.setCancer,
		waive:   v.askWaiver,
		unwaive: v.unwaive,
		details: v.showDetails,
		letter:  v.createLetter,
		name:    v.evidenceName,
		title:   v.evidenceTitle,
		fromDetails: func(id string) bool {
			r, ok := c.rules.Rule(id)
			return ok && (r.Check.Kind == checklist.KindDetails || r.Check.Kind == checklist.KindShipment || r.Check.Kind == checklist.KindSlides)
		},
	})
	if c.rulesErr != nil {
		c.panel.showError(lang.X("status.rulesload", "The checklist could not be loaded, so Dossier cannot say what is missing."), c.rulesErr)
	}
	c.docs = newDocumentsPanel(v.setCategory)
	c.form = newDetailsForm(cancers, v.saveDetails)
	c.form.onAutosave, c.form.post = v.autosaveDetails, v.run.Post
	c.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.X("tab.checklist", tabChecklist), theme.ListIcon(), c.panel.object),
		container.NewTabItemWithIcon(lang.X("tab.documents", tabDocuments), theme.DocumentIcon(), c.docs.object),
		container.NewTabItemWithIcon(lang.X("tab.details", tabDetails), theme.AccountIcon(), c.form.object),
	)
	c.tabs.Append(container.NewTabItemWithIcon(lang.X("tab.summary", tabSummary), theme.InfoIcon(), newSummaryPanel(v)))
	v.history = newHistoryPanel(v.sendToSpecialist)
	c.tabs.Append(container.NewTabItemWithIcon(lang.X("tab.sent", tabSent), theme.MailSendIcon(), v.history.object))
	// With icons, the five tabs do not fit in a row beside the inventory at 1024×768 with the
	// largest text (Fyne hides the rest in a menu): their titles alone do.
	for _, it := range c.tabs.Items {
		it.Icon = nil
	}
	c.switcher = newTabSwitch(c.tabs)
	c.side = c.switcher
}

// inventoryChanged fills in what the records say about the patient and checks the case again.
func (v *mainView) inventoryChanged() {
	c := &v.checks
	c.details = checklist.Prefill(c.details, v.inv)
	c.form.setInventory(v.inv, c.details)
	v.autoName()
	v.evaluate()
}

// evalInput is everything an evaluation needs, copied so the job shares nothing that changes.
type evalInput struct {
	rules       *checklist.Rules
	inv         *intake.Inventory
	details     checklist.Details
	waivers     []checklist.Waiver
	corrections map[string]doctext.Category
	factChecks  []summary.Check
	cache       map[string]*checklist.Document
	now         time.Time
}

type evalResult struct {
	report *checklist.Report
	cache  map[string]*checklist.Document
}

func (v *mainView) evalInput() evalInput {
	c := &v.checks
	return evalInput{rules: c.rules, inv: v.inv, details: c.details, waivers: slices.Clone(c.waivers),
		corrections: maps.Clone(c.corrections), factChecks: slices.Clone(c.factChecks), cache: c.docCache, now: v.cfg.Now()}
}

// isDocument reports whether checklist.Documents may turn an item into a document.
func isDocument(k intake.Kind) bool {
	return k == intake.KindPDF || k == intake.KindDocument || k == intake.KindImage
}

// evaluateCase reads the documents not read before (their text, which can take a while), applies the
// person's corrections and evaluates the checklist. It runs off the UI goroutine.
func evaluateCase(ctx context.Context, in evalInput) (evalResult, error) {
	if in.rules == nil {
		return evalResult{}, errors.New("the checklist is not available")
	}
	inv := in.inv
	if inv == nil {
		inv = &intake.Inventory{}
	}
	var fresh []*intake.Item
	for _, it := range inv.Items {
		if _, seen := in.cache[it.Path]; !seen && isDocument(it.Kind) {
			fresh = append(fresh, it)
		}
	}
	cache := in.cache
	if len(fresh) > 0 {
		docs, err := checklist.Documents(ctx, &intake.Inventory{Items: fresh}, nil, doctext.Options{})
		if err != nil {
			return evalResult{}, err
		}
		cache = maps.Clone(in.cache)
		for _, it := range fresh {
			cache[it.Path] = nil
		}
		for i := range docs {
			cache[docs[i].Path] = &docs[i]
		}
	}
	var docs []checklist.Document
	for _, it := range inv.Items {
		d := cache[it.Path]
		if d == nil {
			continue
		}
		doc := *d
		if cat, ok := in.corrections[it.Path]; ok && cat.Valid() {
			doc.Category, doc.Confidence, doc.Source, doc.Evidence, doc.Also = cat, 1, "user", nil, nil
		}
		docs = append(docs, doc)
	}
	if err := ctx.Err(); err != nil {
		return evalResult{}, err
	}
	facts, _, err := caseFacts(ctx, inv)
	if err != nil {
		return evalResult{}, err
	}
	rep, err := in.rules.Evaluate(&checklist.Case{Inventory: inv, Documents: docs, Details: in.details,
		Waivers: in.waivers, Now: in.now, Summary: summary.Apply(facts, in.factChecks)})
	if err != nil {
		return evalResult{}, err
	}
	return evalResult{report: rep, cache: cache}, nil
}

// evaluate checks the case again in the background; an evaluation still running is stopped first, and
// only the newest one's result is shown.
func (v *mainView) evaluate() {
	c := &v.checks
	if c.rules == nil || v.inv == nil {
		return
	}
	v.cancelEvaluation()
	c.gen++
	gen := c.gen
	in := v.evalInput()
	c.panel.setBusy(true)
	c.eval = startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (evalResult, error) {
		return evaluateCase(ctx, in)
	}, nil, func(res evalResult, err error) {
		if gen != c.gen {
			return // a newer evaluation has started
		}
		c.eval = nil
		c.panel.setBusy(false)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				c.panel.showError(lang.X("status.checkerr", "The checklist could not be worked out."), err)
			}
			return
		}
		if in.inv == v.inv {
			c.docCache = res.cache
		}
		c.report = res.report
		c.panel.setReport(res.report)
		if v.caseID != 0 && in.inv == v.inv {
			ready, required := readyCounts(res.report)
			v.app.Preferences().SetString(prefProgress(v.caseID), fmt.Sprintf("%d/%d", ready, required))
		}
		if v.preview != nil {
			v.preview.reportChanged()
		}
		c.docs.setDocuments(res.report.Documents)
	})
}

func (v *mainView) cancelEvaluation() {
	if c := &v.checks; c.eval != nil {
		c.eval.Cancel()
		c.eval = nil
	}
}

// persist stores a change in the background, one change at a time and in order. Without a store, or
// before the case exists in it, the change lives in memory only.
func (v *mainView) persist(what string, do func(ctx context.Context, st CaseStore, caseID int64) error) {
	if v.cfg.Store == nil || v.caseID == 0 {
		return
	}
	c := &v.checks
	c.queue = append(c.queue, saveTask{caseID: v.caseID, what: what, do: do})
	v.nextSave()
}

func (v *mainView) nextSave() {
	c := &v.checks
	if c.saving || len(c.queue) == 0 {
		return
	}
	t := c.queue[0]
	c.queue = c.queue[1:]
	c.saving = true
	st, id := v.cfg.Store, t.caseID
	startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		return struct{}{}, t.do(ctx, st, id)
	}, nil, func(_ struct{}, err error) {
		c.saving = false
		if err != nil {
			v.status.showError(lang.X("status.notsaved", "{{.What}} is used for now, but could not be saved on this computer.", map[string]any{"What": t.what}), err)
		}
		v.nextSave()
	})
}

// setCancer changes the cancer type the checklist is for.
func (v *mainView) setCancer(id string) {
	c := &v.checks
	if c.details.Cancer == id {
		return
	}
	c.details.Cancer = id
	c.form.setCancer(id)
	d := c.details
	v.persist(lang.X("save.cancer", "Your choice of cancer type"), func(ctx context.Context, st CaseStore, caseID int64) error {
		return st.SaveDetails(ctx, caseID, d)
	})
	v.autoName()
	v.evaluate()
}

// saveDetails keeps the details from the form (already checked) and checks the case again.
func (v *mainView) saveDetails(d checklist.Details) {
	c := &v.checks
	c.details = d
	c.panel.setCancer(d.Cancer)
	v.updateBanner()
	v.persist(lang.X("save.details", "Your case details"), func(ctx context.Context, st CaseStore, caseID int64) error {
		return st.SaveDetails(ctx, caseID, d)
	})
	v.autoName()
	v.evaluate()
	v.status.showInfo(lang.X("status.detailssaved", "The case details are saved."))
}

// autosaveDetails keeps the details as they are typed (see detailsForm.touched), quietly.
func (v *mainView) autosaveDetails(d checklist.Details) {
	c := &v.checks
	c.details = d
	c.panel.setCancer(d.Cancer)
	v.updateBanner()
	v.persist(lang.X("save.details", "Your case details"), func(ctx context.Context, st CaseStore, caseID int64) error {
		return st.SaveDetails(ctx, caseID, d)
	})
	v.autoName()
	v.evaluate()
}

// flushDetails keeps, at once and before returning, what was typed in the details and not yet
// kept: the window is closing.
func (v *mainView) flushDetails() {
	f := v.checks.form
	if f == nil || !f.dirty || v.cfg.Store == nil || v.caseID == 0 {
		return
	}
	d, ok := f.keepable()
	if !ok {
		return
	}
	f.autoGen++ // a pending timer does nothing now
	f.base, f.dirty = *d, false
	v.checks.details = *d
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = v.cfg.Store.SaveDetails(ctx, v.caseID, *d)
}

// askWaiver asks why a checklist item is not needed, then waives it.
func (v *mainView) askWaiver(ruleID string) {
	title := ruleID
	if r, ok := v.checks.rules.Rule(ruleID); ok {
		title = r.Title
	}
	if t := checklistTexts().Rule(ruleID).Title; t != "" {
		title = t
	}
	reason := newTextArea()
	reason.SetPlaceHolder(lang.X("waive.example", "For example: no operation has been done yet."))
	reason.Wrapping = wordWrap()
	reason.SetMinRowsVisible(3)
	reason.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(lang.X("waive.empty", "please say why, in a few words"))
		}
		return nil
	}
	intro := newWrapLabel(lang.X("waive.intro", "If the reviewer does not need “{{.Title}}” for your case, say why. The reason is kept with the case, and you can undo this at any time.", map[string]any{"Title": title}))
	d := newFormDialog(lang.X("waive.title", "Not needed for this case?"), lang.X("waive.ok", "Mark as not needed"), lang.X("button.cancel", "Cancel"),
		[]*widget.FormItem{
			{Widget: intro},
			{Text: lang.X("waive.why", "Why"), Widget: reason, HintText: lang.X("waive.hint", "Your reason, in your own words")},
		}, func(ok bool) {
			if ok {
				v.waive(ruleID, reason.Text)
			}
		}, v.win)
	d.Resize(fyne.NewSize(min(520, v.win.Canvas().Size().Width*0.9), 0))
	d.Show()
	v.win.Canvas().Focus(reason)
}

// waive marks a rule as not needed, with the person's reason.
func (v *mainView) waive(ruleID, reason string) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return
	}
	c := &v.checks
	c.waivers = slices.DeleteFunc(c.waivers, func(w checklist.Waiver) bool { return w.RuleID == ruleID })
	c.waivers = append(c.waivers, checklist.Waiver{RuleID: ruleID, Reason: reason, Created: v.cfg.Now()})
	v.persist(lang.X("save.waiver", "Your note that an item is not needed"), func(ctx context.Context, st CaseStore, caseID int64) error {
		return st.Waive(ctx, caseID, ruleID, reason)
	})
	v.evaluate()
}

// unwaive takes a waiver back.
func (v *mainView) unwaive(ruleID string) {
	c := &v.checks
	c.waivers = slices.DeleteFunc(c.waivers, func(w checklist.Waiver) bool { return w.RuleID == ruleID })
	v.persist(lang.X("save.change", "Your change"), func(ctx context.Context, st CaseStore, caseID int64) error {
		return st.Unwaive(ctx, caseID, ruleID)
	})
	v.evaluate()
}

// setCategory keeps the person's correction of what kind of document a file is.
func (v *mainView) setCategory(path string, cat doctext.Category) {
	c := &v.checks
	if !cat.Valid() || c.corrections[path] == cat {
		return
	}
	corr := maps.Clone(c.corrections)
	corr[path] = cat
	c.corrections = corr
	v.persist(lang.X("save.category", "Your choice of document kind"), func(ctx context.Context, st CaseStore, caseID int64) error {
		return st.SetCategory(ctx, caseID, path, cat)
	})
	v.evaluate()
}

// showDetails brings the case details form forward.
func (v *mainView) showDetails() {
	if v.inv == nil {
		v.status.showInfo(lang.X("status.addfirst.details", "Add your records first; then you can fill in the case details."))
		return
	}
	v.checks.tabs.SelectIndex(2)
	v.checks.form.focus(v.win)
}

// createLetter asks where to save the records-request letter, then writes it.
func (v *mainView) createLetter() {
	c := &v.checks
	switch {
	case v.inv == nil:
		v.status.showInfo(lang.X("status.addfirst.letter", "Add your records first; then Dossier can write a letter asking for what is missing."))
		return
	case c.letter != nil:
		v.status.showInfo(lang.X("status.letterbusy", "The letter is still being written."))
		return
	case c.report != nil && len(cover.LetterItems(c.report)) == 0:
		v.status.showInfo(lang.X("status.nothingtorequest", nothingToRequest))
		return
	}
	home, _ := os.UserHomeDir()
	choosePath(v.win, pathRequest{kind: nativedialog.SaveFile, title: lang.X("status.saveletter", "Save letter"),
		accept: lang.X("status.saveletter", "Save letter"), folder: letterFolder(v.inv, home),
		name: "records-request.pdf", exts: []string{".pdf"}, filterName: "PDF"},
		v.writeLetter,
		func(err error) {
			v.status.showError(lang.X("status.lettersave", "The letter could not be saved there."), err)
		})
}

const nothingToRequest = "Good news: nothing is missing that a records office can send, so no letter is needed."

// writeLetter checks the case with everything known now and writes the letter to path, through a
// temporary file so that a half-written letter never appears.
func (v *mainView) writeLetter(path string) {
	c := &v.checks
	in := v.evalInput()
	c.panel.setLetterBusy(true)
	c.letter = startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (int, error) {
		res, err := evaluateCase(ctx, in)
		if err != nil {
			return 0, err
		}
		n := len(cover.LetterItems(res.report))
		err = atomicfile.Write(path, func(w io.Writer) error {
			return cover.WriteLetter(ctx, w, cover.Letter{Details: in.details, Report: res.report, Date: in.now, Language: documentLanguage()})
		})
		if errors.Is(err, cover.ErrNothingToRequest) {
			// The save dialog may have left an empty file: do not leave it behind.
			if fi, serr := os.Stat(path); serr == nil && fi.Size() == 0 {
				_ = os.Remove(path)
			}
		}
		return n, err
	}, nil, func(n int, err error) {
		c.letter = nil
		c.panel.setLetterBusy(false)
		switch {
		case errors.Is(err, cover.ErrNothingToRequest):
			v.status.showInfo(lang.X("status.nothingtorequest", nothingToRequest))
		case errors.Is(err, context.Canceled):
		case err != nil:
			v.status.showError(lang.X("status.letterfail", "The letter could not be written."), err)
		default:
			v.status.showInfo(lang.X("status.lettersaved", "The letter asking for {{.Items}} is saved as “{{.File}}”. Print it or send it to the hospital's records office.",
				map[string]any{"Items": countOf(n, "count.missingitems", "{{.N}} missing items"), "File": filepath.Base(path)}))
		}
	})
}

// evidenceName says which file of the case path is: a DICOM image by its series ("MAMMOGRAM
// BILATERAL · 1 September 2026 · 4 images"), as the inventory shows it, since its file name is
// only an ID (IM000001); another file by its name and folder.
func (v *mainView) evidenceName(path string) string {
	if st, se := v.seriesOf(path); se != nil {
		parts := []string{seriesNode(se).title}
		if d := formatDate(st.Date); d != "" {
			parts = append(parts, d)
		}
		parts = append(parts, countOf(se.Instances, "count.images", "{{.N}} images"))
		return strings.Join(parts, " · ")
	}
	return displayPath(path)
}

// evidenceTitle is evidenceName in short, for an item's status line: a DICOM image by its series'
// title ("Series 2: MAMMOGRAM BILATERAL"), another file by its name.
func (v *mainView) evidenceTitle(path string) string {
	if _, se := v.seriesOf(path); se != nil {
		return seriesNode(se).title
	}
	return displayName(path)
}

// seriesOf finds the study and series of the case's DICOM image at path (nil when it is none).
func (v *mainView) seriesOf(path string) (*intake.Study, *intake.Series) {
	if v.inv == nil {
		return nil, nil
	}
	for _, it := range v.inv.Items {
		if it.Path != path || it.SeriesInstanceUID == "" {
			continue
		}
		for _, st := range v.inv.Studies {
			for _, se := range st.Series {
				if se.SeriesInstanceUID == it.SeriesInstanceUID {
					return st, se
				}
			}
		}
	}
	return nil, nil
}
