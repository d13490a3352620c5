package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"dossier/packager/checklist"
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
	p.checked[p.facts[dx].key] = "corrected"
	p.toDetails(p.facts[dx], "corrected")
	if v.checks.details.Diagnosis != "my own words" {
		t.Errorf("typed diagnosis replaced: %q", v.checks.details.Diagnosis)
	}
	if !strings.Contains(p.rowText(p.facts[dx]), "corrected") {
		t.Errorf("corrected row: %q", p.rowText(p.facts[dx]))
	}
}
