package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/checklist"
	"dossier/packager/summary"
)

// summaryTab returns the case's Summary tab, shown.
func summaryTab(t *testing.T, v *mainView) *summaryPanel {
	t.Helper()
	for _, it := range v.checks.tabs.Items {
		if p, ok := it.Content.(*summaryPanel); ok {
			v.checks.tabs.Select(it)
			return p
		}
	}
	t.Fatal("no Summary tab")
	return nil
}

// TestSummaryTab: the tab lists the facts read from the reports; choosing
// one shows its document's page with the quote; confirming a diagnosis
// puts it into the case details, and a correction is kept.
func TestSummaryTab(t *testing.T) {
	v, loop, _ := newBreastView(t)
	// The checklist uses the facts: the receptor results are there.
	if s := ruleStatus(t, v, "facts-breast-receptor-results"); s != checklist.StatusMet {
		t.Errorf("facts-breast-receptor-results = %s", s)
	}
	p := summaryTab(t, v)
	p.readIfChanged()
	loop.until(t, "the facts", func() bool { return p.reading == nil && len(p.facts) > 0 })
	var texts []string
	dx, er := -1, -1
	for i, f := range p.facts {
		texts = append(texts, p.rowText(f))
		if f.section == "diagnosis" {
			dx = i
		}
		if strings.HasPrefix(f.text, "ER positive") {
			er = i
		}
	}
	if dx < 0 || er < 0 {
		t.Fatalf("facts: %q", texts)
	}
	p.list.Select(er)
	page := p.page.String()
	if !strings.Contains(page, "path_2026.pdf, page 1") || !strings.Contains(page, p.facts[er].source.Quote) {
		t.Errorf("the page shown: %q", page)
	}
	bold := false
	for _, s := range p.page.Segments {
		if ts, ok := s.(*widget.TextSegment); ok && ts.Text == p.facts[er].source.Quote && ts.Style.TextStyle.Bold {
			bold = true
		}
	}
	if !bold {
		t.Error("the quote is not marked on the page")
	}

	// The details the person left empty are filled in from the records, marked as such.
	loop.until(t, "the details prefilled", func() bool { return idle(v)() && v.checks.details.Diagnosis != "" })
	if d := v.checks.details; !strings.Contains(strings.Join(d.FromRecords, ","), checklist.RecordDiagnosis) || d.Cancer != "breast" {
		t.Errorf("prefilled details: %+v", d)
	}
	p.list.Select(dx)
	test := p.facts[dx].text
	p.confirmChosen()
	loop.until(t, "the details saved", func() bool { return idle(v)() })
	if v.checks.details.Diagnosis != test || strings.Contains(strings.Join(v.checks.details.FromRecords, ","), checklist.RecordDiagnosis) {
		t.Errorf("confirmed diagnosis: %q, from records %q", v.checks.details.Diagnosis, v.checks.details.FromRecords)
	}
	if !strings.HasPrefix(p.rowText(p.facts[dx]), "✓") {
		t.Errorf("confirmed row: %q", p.rowText(p.facts[dx]))
	}
	// A diagnosis the person typed is not replaced by a confirmed fact.
	d := v.checks.details
	d.Diagnosis = "my own words"
	v.saveDetails(d)
	loop.until(t, "the details saved", func() bool { return idle(v)() })
	p.correctFact(dx, "corrected")
	if v.checks.details.Diagnosis != "my own words" {
		t.Errorf("typed diagnosis replaced: %q", v.checks.details.Diagnosis)
	}
	if !strings.Contains(p.rowText(p.facts[dx]), "corrected") {
		t.Errorf("corrected row: %q", p.rowText(p.facts[dx]))
	}
}

// TestFactCorrectionKept: a biomarker corrected in the Summary tab is kept with the case. The checklist
// follows it at once (HER2 2+ asks for ISH), and the app started again on the same data shows the
// correction and checks the case with it.
func TestFactCorrectionKept(t *testing.T) {
	a := test.NewTempApp(t)
	a.Preferences().SetBool(prefGuideSeen, true)
	v, loop, rs := newStoreView(t, a)
	v.add([]string{writeFiles(t, breastReports())})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	v.checks.panel.cancer.SetSelected("Breast cancer")
	loop.until(t, "the breast checklist", func() bool { return idle(v)() && v.checks.report.Cancer == "breast" })
	if s := factRule(v, "facts-her2-ish"); s != "" {
		t.Fatalf("facts-her2-ish = %s before the correction (HER2 1+)", s)
	}
	p := summaryTab(t, v)
	p.readIfChanged()
	loop.until(t, "the facts", func() bool { return p.reading == nil && len(p.facts) > 0 })
	her2 := -1
	for i, f := range p.facts {
		if strings.HasPrefix(f.text, "HER2 negative") {
			her2 = i
		}
	}
	if her2 < 0 {
		t.Fatalf("no HER2 fact in %+v", p.facts)
	}
	p.list.Select(her2)
	p.correctFact(her2, "HER2 2+ (equivocal)")
	loop.until(t, "the correction saved and the case checked", idle(v))
	if s := factRule(v, "facts-her2-ish"); s != checklist.StatusMissing {
		t.Errorf("the checklist does not follow the corrected HER2 result: facts-her2-ish = %q", s)
	}
	if row := p.rowText(p.facts[her2]); !strings.Contains(row, "HER2 2+ (equivocal)") || !strings.Contains(row, "HER2 negative") {
		t.Errorf("corrected row: %q", row)
	}
	kept, err := rs.FactChecks(context.Background(), v.caseID)
	if err != nil || len(kept) != 1 || kept[0].Text != "HER2 2+ (equivocal)" || kept[0].Source != p.facts[her2].source {
		t.Fatalf("kept %+v %v", kept, err)
	}

	// The app again, on the same data.
	loop2 := newUILoop()
	v2 := newMainView(a, Config{Store: rs, Scan: realScan}, loop2.post)
	t.Cleanup(v2.win.Close)
	loop2.until(t, "the list of cases", func() bool { return v2.cases != nil && len(v2.cases.shown) == 1 })
	v2.cases.list.Select(0)
	loop2.until(t, "the case", func() bool { return v2.inv != nil && idle(v2)() && v2.checks.report != nil })
	if s := factRule(v2, "facts-her2-ish"); s != checklist.StatusMissing {
		t.Errorf("after a restart the checklist forgot the corrected HER2 result: facts-her2-ish = %q", s)
	}
	p2 := summaryTab(t, v2)
	p2.readIfChanged()
	loop2.until(t, "the facts", func() bool { return p2.reading == nil && len(p2.facts) > 0 })
	found := false
	for _, f := range p2.facts {
		if strings.Contains(p2.rowText(f), "✎") && strings.Contains(p2.rowText(f), "HER2 2+ (equivocal)") {
			found = true
		}
	}
	if !found {
		t.Errorf("after a restart the Summary tab does not show the correction")
	}

	// Back to what the records say: forgotten in the store, the checklist follows.
	for i, f := range p2.facts {
		if strings.Contains(p2.rowText(f), "✎") {
			p2.list.Select(i)
		}
	}
	if p2.undo.Disabled() {
		t.Fatal("no way back to what the records say for a corrected fact")
	}
	p2.undo.OnTapped()
	loop2.until(t, "the correction forgotten and the case checked", idle(v2))
	if kept, _ := rs.FactChecks(context.Background(), v2.caseID); len(kept) != 0 {
		t.Errorf("still kept: %+v", kept)
	}
	if s := factRule(v2, "facts-her2-ish"); s != "" {
		t.Errorf("facts-her2-ish = %q once HER2 is as read again", s)
	}
	if !p2.undo.Disabled() {
		t.Error("undo still offered")
	}
}

// factRule is the status of a rule that shows only when the facts call for it ("" when not shown).
func factRule(v *mainView, id string) checklist.Status {
	for _, r := range v.checks.report.Rules {
		if r.ID == id {
			return r.Status
		}
	}
	return ""
}

// TestFactsOfMarksEarlierAndDisagreeing: the Summary tab says which result is an earlier one a
// report quotes and which disagree with another report's.
func TestFactsOfMarksEarlierAndDisagreeing(t *testing.T) {
	s, err := summary.Read(context.Background(), []summary.Document{
		{Path: "/r/path.txt", Pages: []string{"Report date: 2026-03-01\nThe primary tumour (2019, ER positive 90%) was treated.\nER negative (0%), PR negative (0%)."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, f := range factsOf(s, "en") {
		rows = append(rows, f.text)
	}
	all := strings.Join(rows, "\n")
	for _, want := range []string{"ER positive, 90% (an earlier result, 2019) (disagrees with another result)", "ER negative, 0% (disagrees with another result)", "PR negative, 0%\n"} {
		if !strings.Contains(all+"\n", want) {
			t.Errorf("rows lack %q:\n%s", want, all)
		}
	}
}
