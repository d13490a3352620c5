package checklist

import (
	"context"
	"slices"
	"testing"

	"dossier/packager/summary"
)

func facts(t *testing.T, texts ...string) *summary.Summary {
	t.Helper()
	var docs []summary.Document
	for i, text := range texts {
		docs = append(docs, summary.Document{Path: string(rune('a'+i)) + ".txt", Pages: []string{text}})
	}
	s, err := summary.Read(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ruleResult(t *testing.T, cancer string, s *summary.Summary, id string) (Result, bool) {
	t.Helper()
	rules, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rules.Evaluate(&Case{Cancer: cancer, Summary: s})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Result{}, false
}

func TestFactRules(t *testing.T) {
	// HER2 2+ without ISH asks for it; with ISH it is met; HER2 1+ does not ask.
	r, ok := ruleResult(t, "breast", facts(t, "Invasive ductal carcinoma of the left breast. HER2 (4B5): 2+ (equivocal)."), "facts-her2-ish")
	if !ok || r.Status != StatusMissing || !slices.Equal(r.Missing, []string{"HER2-ISH"}) || r.Note() == "" {
		t.Errorf("HER2 2+ without ISH: %+v", r)
	}
	r, _ = ruleResult(t, "breast", facts(t, "HER2 2+ (equivocal).", "HER2 FISH: not amplified, ratio 1.4."), "facts-her2-ish")
	if r.Status != StatusMet || len(r.Evidence) != 1 || r.Evidence[0] != "b.txt" {
		t.Errorf("HER2 2+ with ISH: %+v", r)
	}
	if _, ok := ruleResult(t, "breast", facts(t, "HER2 1+ (negative)."), "facts-her2-ish"); ok {
		t.Error("HER2 1+ asks for ISH")
	}
	if r, _ := ruleResult(t, "breast", facts(t, "中文报告：HER-2(2+)"), "facts-her2-ish"); r.Status != StatusMissing {
		t.Errorf("Chinese HER2 2+: %+v", r)
	}
	// An earlier result a report quotes is not the tumour's status now: it neither asks for ISH nor
	// gives a receptor result.
	if _, ok := ruleResult(t, "breast", facts(t, "Report date: 2026-03-01\nThe primary tumour (2019, HER2 2+) was treated.\nHER2 1+ (negative)."), "facts-her2-ish"); ok {
		t.Error("an earlier HER2 2+ asks for ISH")
	}
	if r, _ := ruleResult(t, "breast", facts(t, "Report date: 2026-03-01\nPreviously ER positive, PR positive and HER2 negative (2019).\nChest wall recurrence: invasive ductal carcinoma."), "facts-breast-receptor-results"); r.Status != StatusMissing {
		t.Errorf("receptor results only from 2019 count as current: %+v", r)
	}

	// Lung adenocarcinoma: a mention is not a result.
	lung := facts(t, "Right upper lobe, core biopsy: invasive adenocarcinoma. PD-L1 (22C3) TPS 60%. ALK (D5F3): negative. EGFR testing is pending. ROS1 was not tested.")
	r, ok = ruleResult(t, "other", lung, "facts-lung-adeno-markers")
	if !ok || r.Status != StatusPartial || !slices.Equal(r.Missing, []string{"EGFR", "ROS1"}) {
		t.Errorf("lung adenocarcinoma: %+v", r)
	}
	if _, ok := ruleResult(t, "lung", facts(t, "Lung, right lower lobe: squamous cell carcinoma."), "facts-lung-adeno-markers"); ok {
		t.Error("squamous cell carcinoma asks for the adenocarcinoma markers")
	}

	// Colorectal: RAS (KRAS or NRAS), BRAF and MMR or MSI.
	crc := facts(t, "Sigmoid colon: adenocarcinoma, moderately differentiated.", "KRAS: p.G12D detected. NRAS: no mutation detected.")
	r, _ = ruleResult(t, "colorectal", crc, "facts-crc-markers")
	if r.Status != StatusPartial || !slices.Equal(r.Missing, []string{"BRAF", "MMR/MSI"}) {
		t.Errorf("colorectal: %+v", r)
	}

	// Glioma without MGMT.
	r, _ = ruleResult(t, "brain", facts(t, "Integrated diagnosis: Glioblastoma, IDH-wildtype, CNS WHO grade 4."), "facts-glioma-markers")
	if r.Status != StatusPartial || !slices.Equal(r.Missing, []string{"MGMT"}) {
		t.Errorf("glioma: %+v", r)
	}

	// No facts read: the facts rules are not listed.
	if _, ok := ruleResult(t, "breast", nil, "facts-breast-receptor-results"); ok {
		t.Error("a facts rule is listed without facts")
	}
}

func TestPrefillFromSummary(t *testing.T) {
	s := facts(t, "Collected: 2026-01-14\nLeft breast core biopsy: invasive ductal carcinoma, Nottingham grade 2.\nClinical stage: cT2 N1 M0, stage IIB.")
	plan, err := summary.ProposedPlan(context.Background(), []summary.Document{{Path: "mdt.txt", Pages: []string{"Meeting date: 2026-02-03\nOutcome: neoadjuvant chemotherapy, then surgery."}}})
	if err != nil || plan == nil || plan.Text != "neoadjuvant chemotherapy, then surgery" {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	d := PrefillFromSummary(Details{}, s, plan, nil)
	if d.Cancer != "breast" || d.Diagnosis == "" || d.DiagnosisDate != "2026-01-14" || d.Stage != "cT2 N1 M0 Stage IIB" || d.ProposedPlan != plan.Text {
		t.Errorf("prefilled: %+v", d)
	}
	if !slices.Equal(d.FromRecords, []string{RecordCancer, RecordDiagnosis, RecordStage, RecordPlan}) {
		t.Errorf("from records: %q", d.FromRecords)
	}
	// Nothing the patient typed is overwritten.
	typed := Details{Cancer: "lung", Diagnosis: "my words", Stage: "III", ProposedPlan: "surgery"}
	if got := PrefillFromSummary(typed, s, plan, nil); got.Cancer != "lung" || got.Diagnosis != "my words" || got.Stage != "III" || got.ProposedPlan != "surgery" || len(got.FromRecords) != 0 {
		t.Errorf("typed details changed: %+v", got)
	}
	d.Confirm(RecordStage)
	if slices.Contains(d.FromRecords, RecordStage) {
		t.Error("a confirmed field is still from the records")
	}
}
