package checklist

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"dossier/packager/i18n"
	"dossier/packager/summary"
)

// KindFacts is met by biomarker results read from the reports (see
// packager/summary): every name of Check.Need (alternatives separated by
// "|") must have a result or a value. A facts rule applies only when its
// condition (Check.When) holds on the facts; otherwise it is not listed.
const KindFacts = "facts"

// FactCondition says when a facts rule applies: a diagnosis of one of the
// histologic types (WHO names) or cancer types, and/or a biomarker fact of a
// name with one of the values or results. Empty parts are not checked; an
// empty condition always holds.
type FactCondition struct {
	Histology []string `json:"histology,omitempty"`
	Cancer    []string `json:"cancer,omitempty"`
	Biomarker string   `json:"biomarker,omitempty"`
	Values    []string `json:"values,omitempty"`
	Results   []string `json:"results,omitempty"`
}

var (
	noteNoResult      = i18n.Msg("The reports here give no result for %s.")
	noteMentionedOnly = i18n.Msg("The reports here give results for some markers but not for %s.")
)

func validateFacts(c Check) error {
	if len(c.Need) == 0 {
		return errors.New("a facts check needs the markers it asks for")
	}
	known := summary.MarkerNames()
	for _, n := range c.Need {
		for _, alt := range strings.Split(n, "|") {
			if !slices.Contains(known, alt) {
				return fmt.Errorf("unknown marker %q", alt)
			}
		}
	}
	if w := c.When; w != nil && w.Biomarker != "" && !slices.Contains(known, w.Biomarker) {
		return fmt.Errorf("unknown marker %q", w.Biomarker)
	}
	return nil
}

// applies reports whether a facts rule's condition holds.
func (e *evaluator) applies(c Check) bool {
	w := c.When
	if w == nil {
		return true
	}
	if e.facts == nil {
		return false
	}
	if len(w.Histology) > 0 || len(w.Cancer) > 0 {
		ok := false
		for _, d := range e.facts.Diagnoses {
			if (len(w.Histology) == 0 || slices.Contains(w.Histology, d.Histology)) && (len(w.Cancer) == 0 || slices.Contains(w.Cancer, d.Cancer())) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if w.Biomarker != "" {
		ok := false
		for _, b := range e.facts.Biomarkers {
			if b.Name != w.Biomarker || b.History {
				continue // an earlier result a report quotes is not the tumour's status now
			}
			if len(w.Values) == 0 && len(w.Results) == 0 || slices.Contains(w.Values, strings.TrimSpace(b.Value)) || slices.Contains(w.Results, string(b.Result)) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// factsResults checks that the reports give a result for every marker asked
// for.
func (e *evaluator) factsResults(c Check, res *Result) {
	var missing []string
	for _, need := range c.Need {
		alts := strings.Split(need, "|")
		found := false
		if e.facts != nil {
			for _, b := range e.facts.Biomarkers {
				if slices.Contains(alts, b.Name) && (b.Result != "" || b.Value != "") && !b.History {
					found = true
					if p := b.Source.Path; p != "" && !slices.Contains(res.Evidence, p) {
						res.Evidence = append(res.Evidence, p)
					}
				}
			}
		}
		if !found {
			missing = append(missing, strings.Join(alts, "/"))
		}
	}
	res.Missing = missing
	switch {
	case len(missing) == 0:
		res.Status = StatusMet
	case len(missing) < len(c.Need):
		res.Status = StatusPartial
		res.note(noteMentionedOnly, i18n.List(missing))
	default:
		res.Status = StatusMissing
		res.note(noteNoResult, i18n.List(missing))
	}
}

// Fields of the case details that Dossier can fill in from the records.
const (
	RecordCancer    = "cancer"
	RecordDiagnosis = "diagnosis"
	RecordStage     = "stage"
	RecordPlan      = "plan"
)

// PrefillFromSummary fills the case details the patient has left empty
// from the facts read from the reports: the cancer type (suggested from the
// diagnosis), the diagnosis with its date, the stage and the proposed plan.
// Each field filled is listed in Details.FromRecords ("from your records")
// until the patient confirms or edits it; nothing the patient typed is
// changed. rules resolves the cancer type (nil: the default rules).
func PrefillFromSummary(d Details, s *summary.Summary, plan *summary.Plan, rules *Rules) Details {
	if s == nil {
		return d
	}
	mark := func(field string) {
		if !slices.Contains(d.FromRecords, field) {
			d.FromRecords = append(d.FromRecords, field)
		}
	}
	if c := s.CancerType(); c != "" && (d.Cancer == "" || d.Cancer == "other" && slices.Contains(d.FromRecords, RecordCancer)) {
		if rules == nil {
			rules, _ = Default()
		}
		if rules != nil {
			if known, err := rules.Cancer(c); err == nil {
				d.Cancer = known.ID
				mark(RecordCancer)
			}
		}
	}
	if strings.TrimSpace(d.Diagnosis) == "" && len(s.Diagnoses) > 0 {
		dx := s.Diagnoses[0]
		d.Diagnosis = dx.Text
		if d.DiagnosisDate == "" {
			d.DiagnosisDate = dx.Date
		}
		mark(RecordDiagnosis)
	}
	if strings.TrimSpace(d.Stage) == "" && len(s.Stages) > 0 {
		d.Stage = s.Stages[len(s.Stages)-1].Text
		mark(RecordStage)
	}
	if strings.TrimSpace(d.ProposedPlan) == "" && plan != nil && plan.Text != "" {
		d.ProposedPlan = plan.Text
		mark(RecordPlan)
	}
	return d
}

// Confirm marks a field filled from the records as confirmed by the patient
// (it is no longer "from your records").
func (d *Details) Confirm(field string) {
	d.FromRecords = slices.DeleteFunc(d.FromRecords, func(f string) bool { return f == field })
}
