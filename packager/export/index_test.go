package export

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/packager/bundle"
	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/privacy"
	"dossier/packager/store"
	"dossier/packager/summary"
)

// indexOf packs a folder of corpus reports and returns its INDEX.HTM.
func indexOf(t *testing.T, dir string, st Store, caseID int64, level privacy.Level, lang string, d checklist.Details) string {
	t.Helper()
	ctx := context.Background()
	inv, err := intake.Scan(ctx, []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := checklist.Documents(ctx, inv, nil, doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := checklist.Default()
	rep, err := rules.Evaluate(&checklist.Case{Cancer: "breast", Inventory: inv, Documents: docs, Details: d})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := Pack(ctx, st, Request{CaseID: caseID, Inventory: inv, Rules: rules, Report: rep, Details: d, Level: level, Language: lang,
		Output: bundle.Output{Dir: out, Name: "case", Folder: true}, Include: includeAll(inv)}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "case", bundle.NameIndex))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestIndexShowsTheSummary: INDEX.HTM gives the question, the clinical summary with the patient's
// correction marked, and each document's kind, date and title: the report's own title at the
// identified level; at the private levels only a title that names no institution, and dates as the
// level shows them.
func TestIndexShowsTheSummary(t *testing.T) {
	ctx := context.Background()
	dir := corpusCase(t, "breast-en")
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	kase, _ := st.CreateCase(ctx, "case")
	inv, _ := intake.Scan(ctx, []string{dir}, intake.Options{}, nil)
	read, _, err := summary.FromInventory(ctx, inv, doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveFactCheck(ctx, kase.ID, read.Stages[0].Check("cT2 cN0 M0")); err != nil {
		t.Fatal(err)
	}
	d := checklist.Details{Questions: []string{"Is neoadjuvant therapy right for Jane Doe?"}, Patient: checklist.Patient{Name: "Jane Doe"}}

	page := indexOf(t, dir, st, kase.ID, privacy.Identified, "en", d)
	for _, want := range []string{
		"Is neoadjuvant therapy right for Jane Doe?",
		"<h2>Clinical summary</h2>",
		"cT2 cN0 M0", "corrected by the sender (the report reads otherwise)",
		"Invasive carcinoma of no special type (ductal), left breast",
		"ER</th><td>positive",
		`<a href="IHE_XDM/SUBSET01/DOC0000`,
		"Report: &#34;HER2/CEP17 ratio: 3.2",
		// Documents: kind, date, title, and the file's name at this level.
		`<td class="kind">Pathology report</td><td class="date">2026-01-14</td>`,
		">HISTOPATHOLOGY REPORT</a><span class=\"file\">histopathology_core_biopsy.txt</span>",
		">SUPPLEMENTARY REPORT - HER2 GENE STATUS</a>",
		`<td class="date">2026-01-09</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the identified INDEX.HTM lacks %q", want)
		}
	}

	page = indexOf(t, dir, st, kase.ID, privacy.Pseudonymised, "en", d)
	for _, want := range []string{"Is neoadjuvant therapy right for ***?", "<h2>Clinical summary</h2>", "cT2 cN0 M0",
		">HISTOPATHOLOGY REPORT</a>", `<td class="date">2026-01-14</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the pseudonymised INDEX.HTM lacks %q", want)
		}
	}
	for _, never := range []string{"Jane", "histopathology_core_biopsy", "ALDHELM", "RX4471203"} {
		if strings.Contains(page, never) {
			t.Errorf("the pseudonymised INDEX.HTM shows %q", never)
		}
	}

	page = indexOf(t, dir, st, kase.ID, privacy.Anonymised, "zh-Hans", d)
	for _, want := range []string{`lang="zh-Hans"`, "临床摘要", "已由寄送者更正", "向审阅医生提出的问题", "病理报告"} {
		if !strings.Contains(page, want) {
			t.Errorf("the anonymised Chinese INDEX.HTM lacks %q", want)
		}
	}
	for _, never := range []string{"2026-01-14", "2026-01-09", "Jane"} {
		if strings.Contains(page, never) {
			t.Errorf("the anonymised INDEX.HTM shows %q", never)
		}
	}
}
