package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/summary"
)

// tabSummary is the title of the Summary tab.
const tabSummary = "Summary"

// summaryFact is one fact of the Summary tab, in the UI's language, with
// where it was read.
type summaryFact struct {
	section string // diagnosis, stage, biomarker, event
	text    string
	source  summary.Source
	// check names the fact for a check of it (its Text empty).
	check summary.Check
}

// summaryPanel lists the facts read from the case's reports. Choosing one
// shows its document's page with the words it was read from marked; the
// person confirms a fact or corrects it. It reads the reports again when
// the case's files change and the tab is shown.
type summaryPanel struct {
	widget.BaseWidget
	v *mainView

	list    *widget.List
	status  *widget.Label
	page    *widget.RichText
	scroll  *container.Scroll
	confirm *button
	correct *button
	undo    *button // back to what the records say
	box     fyne.CanvasObject

	facts    []summaryFact
	docs     map[string]summary.Document
	chosen   int
	readFrom *intake.Inventory // the inventory the facts were read from
	reading  *job
}

// newSummaryPanel returns the Summary tab of a case: the diagnoses,
// stages, biomarkers and dated events read from its reports, each with the
// words it was read from.
func newSummaryPanel(v *mainView) fyne.CanvasObject {
	p := &summaryPanel{v: v, chosen: -1, docs: map[string]summary.Document{}}
	p.status = newWrapLabel(lang.X("summary.intro", "What Dossier read in your reports. Choose a line to see where it was read, then confirm it or correct it."))
	p.list = widget.NewList(func() int { return len(p.facts) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(p.facts) {
				o.(*widget.Label).SetText(p.rowText(p.facts[i]))
			}
		})
	p.list.OnSelected = p.choose
	p.page = widget.NewRichText()
	p.page.Wrapping = wordWrap()
	p.scroll = container.NewVScroll(p.page)
	p.confirm = newButton(lang.X("summary.confirm", "This is right"), p.confirmChosen)
	p.correct = newButton(lang.X("summary.correct", "Correct it…"), p.correctChosen)
	p.undo = newButton(lang.X("summary.undo", "Back to what the records say"), p.undoChosen)
	p.confirm.Disable()
	p.correct.Disable()
	p.undo.Disable()
	buttons := container.NewHBox(p.confirm, p.correct, p.undo)
	split := container.NewVSplit(p.list, container.NewBorder(buttons, nil, nil, nil, p.scroll))
	split.Offset = 0.55
	p.box = container.NewBorder(p.status, nil, nil, nil, split)
	p.ExtendBaseWidget(p)
	return p
}

func (p *summaryPanel) CreateRenderer() fyne.WidgetRenderer {
	return &summaryRenderer{p: p, WidgetRenderer: widget.NewSimpleRenderer(p.box)}
}

// summaryRenderer reads the reports when the tab is laid out with files it
// has not read yet (the tab being shown).
type summaryRenderer struct {
	fyne.WidgetRenderer
	p *summaryPanel
}

func (r *summaryRenderer) Layout(size fyne.Size) {
	r.WidgetRenderer.Layout(size)
	r.p.readIfChanged()
}

// readIfChanged reads the facts again when the case's files changed.
func (p *summaryPanel) readIfChanged() {
	inv := p.v.inv
	if inv == p.readFrom || p.v.run == nil {
		return
	}
	p.readFrom = inv
	if p.reading != nil {
		p.reading.Cancel()
	}
	if inv == nil || len(inv.Items) == 0 {
		p.setFacts(nil, nil)
		return
	}
	setWrapText(p.status, lang.X("summary.reading", "Reading the reports…"))
	p.reading = startJob(p.v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (summaryRead, error) {
		s, docs, err := caseFacts(ctx, inv)
		if err != nil {
			return summaryRead{}, err
		}
		plan, err := summary.ProposedPlan(ctx, docs)
		return summaryRead{s, docs, plan}, err
	}, nil, func(res summaryRead, err error) {
		p.reading = nil
		if errors.Is(err, context.Canceled) || p.readFrom != inv {
			return
		}
		if err != nil {
			setWrapText(p.status, lang.X("summary.failed", "The reports could not be read."))
			return
		}
		p.setFacts(res.s, res.docs)
		p.prefill(summary.Apply(res.s, p.v.checks.factChecks), res.plan)
	})
}

type summaryRead struct {
	s    *summary.Summary
	docs []summary.Document
	plan *summary.Plan
}

// prefill fills the case details the person left empty (cancer type,
// diagnosis, stage, proposed plan) from the facts, marked as from the
// records until confirmed; nothing typed is changed.
func (p *summaryPanel) prefill(s *summary.Summary, plan *summary.Plan) {
	c := &p.v.checks
	if s == nil || c.rules == nil || c.form == nil {
		return
	}
	d := checklist.PrefillFromSummary(c.details, s, plan, c.rules)
	if slices.Equal(d.FromRecords, c.details.FromRecords) && d.Cancer == c.details.Cancer {
		return
	}
	c.form.setInventory(p.v.inv, d)
	p.v.saveDetails(d)
}

// setFacts shows the facts of a summary.
func (p *summaryPanel) setFacts(s *summary.Summary, docs []summary.Document) {
	p.facts = factsOf(s, currentLanguage())
	p.docs = map[string]summary.Document{}
	for _, d := range docs {
		p.docs[d.Path] = d
	}
	p.chosen = -1
	p.list.UnselectAll()
	p.list.Refresh()
	p.page.ParseMarkdown("")
	p.confirm.Disable()
	p.correct.Disable()
	p.undo.Disable()
	if len(p.facts) == 0 {
		setWrapText(p.status, lang.X("summary.none", "Dossier found no diagnosis, stage, biomarker result or dated event in the text of your reports."))
		return
	}
	setWrapText(p.status, lang.X("summary.intro", "What Dossier read in your reports. Choose a line to see where it was read, then confirm it or correct it."))
}

// factsOf lists a summary's facts in a language.
func factsOf(s *summary.Summary, language string) []summaryFact {
	if s == nil {
		return nil
	}
	var out []summaryFact
	add := func(check summary.Check, text string) {
		out = append(out, summaryFact{section: check.Section, text: text, source: check.Source, check: check})
	}
	for _, d := range s.Diagnoses {
		add(d.Check(""), d.Describe(language))
	}
	for _, x := range s.Stages {
		add(x.Check(""), x.Describe(language))
	}
	disagree := map[string]bool{} // by the fact's check key
	for _, c := range s.Conflicts {
		for _, f := range c.Facts {
			disagree[f.Check("").Key()] = true
		}
	}
	for _, b := range s.Biomarkers {
		text := b.Describe(language)
		if b.Method != "" {
			text += " (" + b.Method + ")"
		}
		if b.History {
			text += " " + lang.X("summary.earlier", "(an earlier result, {{.Date}})", map[string]any{"Date": cmp.Or(b.Date, "-")})
		}
		if disagree[b.Check("").Key()] {
			text += " " + lang.X("summary.disagrees", "(disagrees with another result)")
		}
		add(b.Check(""), text)
	}
	for _, e := range s.Events {
		add(e.Check(""), e.Date+"  "+e.Describe(language))
	}
	return out
}

// sectionName is a fact's section in words.
func sectionName(section string) string {
	switch section {
	case "diagnosis":
		return lang.X("summary.section.diagnosis", "Diagnosis")
	case "stage":
		return lang.X("summary.section.stage", "Stage")
	case "biomarker":
		return lang.X("summary.section.biomarker", "Biomarker")
	}
	return lang.X("summary.section.event", "Event")
}

// rowText is a fact's line in the list, with what the person said about it: confirmed (✓), or
// corrected (✎, their words, and that the records said otherwise).
func (p *summaryPanel) rowText(f summaryFact) string {
	text := sectionName(f.section) + ": " + f.text
	if c, ok := p.checkOf(f); ok {
		if !c.Corrected() {
			return "✓ " + text
		}
		return "✎ " + sectionName(f.section) + ": " + c.Text + "  " + lang.X("summary.corrected", "(corrected by you; the records said: {{.Read}})", map[string]any{"Read": f.text})
	}
	return text
}

// checkOf returns what the person said about a fact, if anything.
func (p *summaryPanel) checkOf(f summaryFact) (summary.Check, bool) {
	key := f.check.Key()
	for _, c := range p.v.checks.factChecks {
		if c.Key() == key {
			return c, true
		}
	}
	return summary.Check{}, false
}

// choose shows where a fact was read: its document's page with the quote
// marked, scrolled to it.
func (p *summaryPanel) choose(i widget.ListItemID) {
	if i < 0 || i >= len(p.facts) {
		return
	}
	p.chosen = i
	f := p.facts[i]
	p.confirm.Enable()
	p.correct.Enable()
	p.showUndo()
	doc := p.docs[f.source.Path]
	text := ""
	if f.source.Page >= 1 && f.source.Page <= len(doc.Pages) {
		text = doc.Pages[f.source.Page-1]
	}
	header := fmt.Sprintf(lang.X("summary.where", "%s, page %d"), filepath.Base(f.source.Path), f.source.Page)
	before, after, found := strings.Cut(text, f.source.Quote)
	segs := []widget.RichTextSegment{&widget.TextSegment{Text: header, Style: widget.RichTextStyleSubHeading}}
	if !found {
		segs = append(segs, &widget.TextSegment{Text: f.source.Quote, Style: widget.RichTextStyleStrong})
		p.page.Segments = segs
		p.page.Refresh()
		return
	}
	segs = append(segs,
		&widget.TextSegment{Text: before, Style: widget.RichTextStyleInline},
		&widget.TextSegment{Text: f.source.Quote, Style: widget.RichTextStyle{ColorName: "primary", TextStyle: fyne.TextStyle{Bold: true}, Inline: true}},
		&widget.TextSegment{Text: after, Style: widget.RichTextStyleInline})
	p.page.Segments = segs
	p.page.Refresh()
	// Scroll so that the quote is in view: its place in the page's lines.
	lines := strings.Count(before, "\n")
	total := max(1, strings.Count(text, "\n"))
	h := p.page.MinSize().Height
	p.scroll.Offset = fyne.NewPos(0, max(0, h*float32(lines)/float32(total)-40))
	p.scroll.Refresh()
}

// confirmChosen marks the chosen fact as right. A diagnosis or stage the
// case details do not have yet, or have only from the records, becomes the
// person's own.
func (p *summaryPanel) confirmChosen() {
	if p.chosen < 0 || p.chosen >= len(p.facts) {
		return
	}
	f := p.facts[p.chosen]
	p.v.checkFact(f.check)
	p.toDetails(f, f.text)
	p.list.RefreshItem(p.chosen)
	p.showUndo()
}

// showUndo offers to go back to what the records say when the chosen fact was confirmed or
// corrected.
func (p *summaryPanel) showUndo() {
	if p.chosen >= 0 && p.chosen < len(p.facts) {
		if _, ok := p.checkOf(p.facts[p.chosen]); ok {
			p.undo.Enable()
			return
		}
	}
	p.undo.Disable()
}

// undoChosen forgets what the person said about the chosen fact: it is shown, and used, as the
// records say again (what it put into the case details stays, as the person's).
func (p *summaryPanel) undoChosen() {
	if p.chosen < 0 || p.chosen >= len(p.facts) {
		return
	}
	p.v.uncheckFact(p.facts[p.chosen].check)
	p.list.RefreshItem(p.chosen)
	p.showUndo()
}

// correctChosen asks for the right words of the chosen fact.
func (p *summaryPanel) correctChosen() {
	if p.chosen < 0 || p.chosen >= len(p.facts) || p.v.win == nil {
		return
	}
	f, i := p.facts[p.chosen], p.chosen
	entry := newField()
	entry.SetText(f.text)
	if c, ok := p.checkOf(f); ok && c.Corrected() {
		entry.SetText(c.Text)
	}
	d := newFormDialog(lang.X("summary.correct.title", "Correct what Dossier read"), lang.X("summary.correct.save", "Save"), lang.X("summary.correct.cancel", "Cancel"),
		[]*widget.FormItem{widget.NewFormItem(sectionName(f.section), entry)}, func(ok bool) {
			text := strings.TrimSpace(entry.Text)
			if !ok || text == "" {
				return
			}
			p.correctFact(i, text)
		}, p.v.win)
	d.Resize(fyne.NewSize(min(520, p.v.win.Canvas().Size().Width*0.9), 0))
	d.Show()
	p.v.win.Canvas().Focus(entry)
}

// correctFact keeps the person's words for fact i.
func (p *summaryPanel) correctFact(i int, text string) {
	f := p.facts[i]
	c := f.check
	c.Text = strings.TrimSpace(text)
	p.v.checkFact(c)
	p.toDetails(f, c.Text)
	p.list.RefreshItem(i)
	p.showUndo()
}

// factCheckStore is a case store that keeps what the person said about the facts read from the
// records (packager/store does); with another store they are kept for the session only.
type factCheckStore interface {
	SaveFactCheck(ctx context.Context, caseID int64, c summary.Check) error
	ClearFactCheck(ctx context.Context, caseID int64, c summary.Check) error
	FactChecks(ctx context.Context, caseID int64) ([]summary.Check, error)
}

// loadFactChecks reads what was said about a case's facts, when the store keeps it.
func loadFactChecks(ctx context.Context, st CaseStore, caseID int64) ([]summary.Check, error) {
	if fs, ok := st.(factCheckStore); ok {
		return fs.FactChecks(ctx, caseID)
	}
	return nil, nil
}

// checkFact keeps what the person said about a fact (replacing what they said before), stores it
// with the case and checks the case again with it: the checklist, the cover and the letter use the
// facts as corrected.
func (v *mainView) checkFact(c summary.Check) {
	cs := &v.checks
	key := c.Key()
	checks := slices.DeleteFunc(slices.Clone(cs.factChecks), func(o summary.Check) bool { return o.Key() == key })
	cs.factChecks = append(checks, c)
	v.persist(lang.X("save.fact", "Your correction of what Dossier read"), func(ctx context.Context, st CaseStore, caseID int64) error {
		if fs, ok := st.(factCheckStore); ok {
			return fs.SaveFactCheck(ctx, caseID, c)
		}
		return nil
	})
	v.evaluate()
}

// uncheckFact forgets what the person said about a fact, in the store too, and checks the case
// again with the fact as read.
func (v *mainView) uncheckFact(c summary.Check) {
	cs := &v.checks
	key := c.Key()
	cs.factChecks = slices.DeleteFunc(slices.Clone(cs.factChecks), func(o summary.Check) bool { return o.Key() == key })
	v.persist(lang.X("save.fact", "Your correction of what Dossier read"), func(ctx context.Context, st CaseStore, caseID int64) error {
		if fs, ok := st.(factCheckStore); ok {
			return fs.ClearFactCheck(ctx, caseID, c)
		}
		return nil
	})
	v.evaluate()
}

// toDetails writes a confirmed or corrected diagnosis or stage into the
// case details, unless the person typed their own there.
func (p *summaryPanel) toDetails(f summaryFact, text string) {
	d := p.v.checks.details
	field := ""
	switch f.section {
	case "diagnosis":
		field = checklist.RecordDiagnosis
		if strings.TrimSpace(d.Diagnosis) != "" && !slices.Contains(d.FromRecords, field) {
			return
		}
		d.Diagnosis = text
	case "stage":
		field = checklist.RecordStage
		if strings.TrimSpace(d.Stage) != "" && !slices.Contains(d.FromRecords, field) {
			return
		}
		d.Stage = text
	default:
		return
	}
	d.FromRecords = slices.Clone(d.FromRecords)
	d.Confirm(field)
	if p.v.checks.form != nil {
		p.v.saveDetails(d)
	}
}

// caseFacts reads the facts of an inventory's reports once: the checklist's
// evaluations and the Summary tab share them until the files change. They are
// as read; summary.Apply gives them as the person checked them.
func caseFacts(ctx context.Context, inv *intake.Inventory) (*summary.Summary, []summary.Document, error) {
	factsCache.mu.Lock()
	defer factsCache.mu.Unlock()
	if factsCache.inv == inv && factsCache.s != nil {
		return factsCache.s, factsCache.docs, nil
	}
	s, docs, err := summary.FromInventory(ctx, inv, doctext.Options{})
	if err != nil {
		return nil, nil, err
	}
	factsCache.inv, factsCache.s, factsCache.docs = inv, s, docs
	return s, docs, nil
}

var factsCache struct {
	mu   sync.Mutex
	inv  *intake.Inventory
	s    *summary.Summary
	docs []summary.Document
}
