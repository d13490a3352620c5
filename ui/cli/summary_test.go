package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dossier/internal/fixture/reportfix"
	"dossier/internal/testtool"
	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/store"
	"dossier/packager/summary"
)

// summaryCase writes the reports of some corpus cases as files.
func summaryCase(t *testing.T, cases ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, r := range reportfix.Corpus() {
		if slices.Contains(cases, r.Case) {
			if err := os.WriteFile(filepath.Join(dir, r.Name), r.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func TestSummaryJSON(t *testing.T) {
	dir := summaryCase(t, "breast-en")
	code, out, errs := run(t, "summary", "--json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m map[string][]map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, k := range []string{"diagnoses", "stages", "biomarkers", "events", "conflicts"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in the JSON", k)
		}
	}
	found := false
	for _, b := range m["biomarkers"] {
		if b["name"] == "HER2-ISH" && b["result"] == "positive" && b["value"] == "ratio: 3.2" {
			found = true
			src := b["source"].(map[string]any)
			if !strings.HasSuffix(src["path"].(string), "supplementary_HER2_ISH.pdf") || src["page"].(float64) != 1 || !strings.Contains(src["quote"].(string), "3.2") {
				t.Errorf("HER2-ISH source: %v", src)
			}
		}
	}
	if !found {
		t.Errorf("no HER2-ISH result in %s", out)
	}
	idc := false
	for _, d := range m["diagnoses"] {
		if d["histology"] == "Invasive carcinoma of no special type (ductal)" && d["laterality"] == "left" && d["site"] == "breast" && d["date"] == "2026-01-14" {
			idc = true
		}
	}
	if !idc {
		t.Errorf("diagnoses: %v", m["diagnoses"])
	}
}

func TestSummaryHumanInBothLanguages(t *testing.T) {
	dir := summaryCase(t, "breast-zh", "breast-met")
	code, out, errs := run(t, "summary", "--lang", "en", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Clinical summary", "Diagnosis:", "ER positive, about 80%", "from 病理报告.txt, page 1: ", "ER(+，约80%)", "Timeline:", "Results that disagree"} {
		if !strings.Contains(out, want) {
			t.Errorf("the English summary lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, "summary", "--lang", "zh-Hans", dir)
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"临床摘要", "诊断：", "ER 阳性，约80%", "浸润性癌（非特殊类型，导管癌）", "时间线："} {
		if !strings.Contains(out, want) {
			t.Errorf("the Chinese summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "读自 6 份报告和信函") {
		t.Errorf("the Chinese summary does not count six reports:\n%s", out)
	}
	// One report is counted in the singular.
	one := t.TempDir()
	for _, r := range reportfix.Corpus() {
		if r.Case == "breast-met" {
			if err := os.WriteFile(filepath.Join(one, r.Name), r.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if _, out, _ := run(t, "summary", "--lang", "en", one); !strings.Contains(out, "read from 1 report or letter\n") {
		t.Errorf("one report:\n%s", out)
	}
	if code, _, _ := run(t, "summary"); code != ExitUsage {
		t.Errorf("no paths: exit %d", code)
	}
	if code, _, _ := run(t, "summary", "--lang", "xx", dir); code != ExitUsage {
		t.Errorf("unknown language: exit %d", code)
	}
}

// TestCheckUsesTheFacts: without --cancer the checklist takes the cancer
// type the reports' diagnosis points to, and its facts rules read the
// results (a HER2 2+ without ISH asks for ISH).
func TestCheckUsesTheFacts(t *testing.T) {
	dir := summaryCase(t, "breast-zh")
	if err := os.Remove(filepath.Join(dir, "HER2基因检测报告.txt")); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "check", "--lang", "en", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Checklist for: Breast cancer", "suggested by the diagnosis in your reports", "HER2 ISH/FISH result (HER2 2+ on immunohistochemistry)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the checklist lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, "check", "--json", summaryCase(t, "lung-en"))
	if code != 0 {
		t.Fatal(code)
	}
	var rep struct {
		Cancer string `json:"cancer"`
		Rules  []struct {
			ID, Status string
		} `json:"rules"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rep.Rules {
		if r.ID == "facts-lung-adeno-markers" {
			found = true
			if r.Status != "met" {
				t.Errorf("lung markers: %s", r.Status)
			}
		}
	}
	if rep.Cancer != "lung" || !found {
		t.Errorf("lung case: cancer %q, facts rule listed %v", rep.Cancer, found)
	}
}

// TestSummaryOfACase: --case applies what was said about the case's facts in the app: the
// corrected fact carries the person's words and what the records said, and keeps its source.
func TestSummaryOfACase(t *testing.T) {
	home := t.TempDir()
	t.Setenv("DOSSIER_HOME", home)
	dir := summaryCase(t, "breast-en")
	ctx := t.Context()
	inv, err := intake.Scan(ctx, []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := summary.FromInventory(ctx, inv, doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	kase, _ := st.CreateCase(ctx, "case")
	if err := st.SaveFactCheck(ctx, kase.ID, s.Stages[0].Check("ypT1c N0")); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, errs := run(t, "summary", "--json", "--case", strconv.FormatInt(kase.ID, 10), dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got summary.Summary
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	x := got.Stages[0]
	if x.Text != "ypT1c N0" || x.Checked == nil || !x.Checked.Corrected || x.Checked.Read != s.Stages[0].Text || x.Source != s.Stages[0].Source {
		t.Errorf("corrected stage in the JSON: %+v %+v", x, x.Checked)
	}
	code, out, _ = run(t, "summary", "--lang", "en", "--case", strconv.FormatInt(kase.ID, 10), dir)
	if code != 0 || !strings.Contains(out, "ypT1c N0\n      corrected in Dossier; the records said: "+s.Stages[0].Text) {
		t.Errorf("the printed summary does not show the correction:\n%s", out)
	}
	if code, out, _ = run(t, "summary", dir); code != 0 || strings.Contains(out, "ypT1c") {
		t.Errorf("without --case the correction is applied:\n%s", out)
	}
}

// TestCheckAndLetterOfACase: --case makes the checklist and the request letter use the facts as the
// patient corrected them: HER2 read as 1+ but corrected to 2+ asks for the ISH result.
func TestCheckAndLetterOfACase(t *testing.T) {
	home := t.TempDir()
	t.Setenv("DOSSIER_HOME", home)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pathology.txt"), []byte("SURGICAL PATHOLOGY REPORT\nCollected: 2026-01-14\n"+
		"Diagnosis: left breast, core biopsy: invasive ductal carcinoma, grade 2.\nER positive (95%), PR positive (40%), HER2 1+ (negative).\n"), 0o644)
	ctx := t.Context()
	inv, err := intake.Scan(ctx, []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := summary.FromInventory(ctx, inv, doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var her2 *summary.Biomarker
	for i := range s.Biomarkers {
		if s.Biomarkers[i].Name == "HER2" {
			her2 = &s.Biomarkers[i]
		}
	}
	if her2 == nil {
		t.Fatalf("no HER2 read: %+v", s.Biomarkers)
	}
	st, err := store.Open(ctx, filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	kase, _ := st.CreateCase(ctx, "case")
	if err := st.SaveFactCheck(ctx, kase.ID, her2.Check("2+ (equivocal)")); err != nil {
		t.Fatal(err)
	}
	st.Close()
	id := strconv.FormatInt(kase.ID, 10)
	ish := func(args ...string) string {
		code, out, errs := run(t, append([]string{"check", "--json", "--cancer", "breast"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var rep struct {
			Rules []struct{ ID, Status string }
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Rules {
			if r.ID == "facts-her2-ish" {
				return r.Status
			}
		}
		return ""
	}
	if got := ish(dir); got != "" {
		t.Errorf("without --case: facts-her2-ish %q", got)
	}
	if got := ish("--case", id, dir); got != "missing" {
		t.Errorf("with the corrected HER2: facts-her2-ish %q", got)
	}
	pdftotext := testtool.Look(t, "pdftotext", "poppler-utils")
	letter := filepath.Join(t.TempDir(), "letter.pdf")
	if code, _, errs := run(t, "letter", "--out", letter, "--cancer", "breast", "--lang", "en", "--case", id, dir); code != 0 {
		t.Fatalf("letter: %s", errs)
	}
	b, err := exec.Command(pdftotext, "-enc", "UTF-8", letter, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strings.Fields(string(b)), " "); !strings.Contains(text, "HER2 in situ hybridisation") {
		t.Errorf("the letter does not ask for the HER2 ISH report:\n%s", text)
	}
}
