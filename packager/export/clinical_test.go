package export

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dossier/internal/fixture/reportfix"
	"dossier/internal/testtool"
	"dossier/packager/bundle"
	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/privacy"
	"dossier/packager/store"
	"dossier/packager/summary"
)

// corpusCase writes the reports of corpus cases into a folder.
func corpusCase(t *testing.T, cases ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, r := range reportfix.Corpus() {
		for _, c := range cases {
			if r.Case == c {
				if err := os.WriteFile(filepath.Join(dir, r.Name), r.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return dir
}

// coverText packs a folder as an unencrypted bundle and returns the text of
// its cover, read by pdftotext.
func coverText(t *testing.T, dir string, level privacy.Level, lang string, details checklist.Details) string {
	t.Helper()
	pdftotext := testtool.Look(t, "pdftotext", "poppler-utils")
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
	rep, err := rules.Evaluate(&checklist.Case{Cancer: "breast", Inventory: inv, Documents: docs, Details: details})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	_, err = Pack(ctx, nil, Request{CaseID: 1, Inventory: inv, Rules: rules, Report: rep, Details: details, Level: level, Language: lang,
		Output: bundle.Output{Dir: out, Name: "case", Folder: true}, Include: includeAll(inv)})
	if err != nil {
		t.Fatal(err)
	}
	cover := filepath.Join(out, "case", bundle.NameCover)
	b, err := exec.Command(pdftotext, "-enc", "UTF-8", cover, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

func includeAll(inv *intake.Inventory) map[string]bool {
	m := map[string]bool{}
	for _, it := range inv.Items {
		m[it.Path] = true
	}
	return m
}

// TestCoverShowsTheClinicalSummary packs a case of English and Chinese
// reports and reads its cover with pdftotext: the diagnosis, the stage and
// the biomarker values are there, in the cover's language, with the
// report's words beside them and the bundle document named.
func TestCoverShowsTheClinicalSummary(t *testing.T) {
	dir := corpusCase(t, "breast-en", "breast-zh")
	text := coverText(t, dir, privacy.Identified, "en", checklist.Details{Questions: []string{"Is neoadjuvant therapy right?"}})
	for _, want := range []string{
		"Clinical summary",
		"Invasive carcinoma of no special type (ductal), left breast",
		"cT2 cN1 M0 Stage IIB",
		"pT2 N1a M0 Stage IIB",
		"ER: positive, Allred score 8/8",
		"HER2-ISH: positive, ratio: 3.2",
		"HER2: equivocal, 2+, IHC (4B5)",
		"Ki-67: about 25%",
		"DOC0000",
		"ER(+，约80%)",
		"Timeline (reports and imaging studies)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the cover lacks %q:\n%s", want, text)
		}
	}
	// The cover's own diagnosis, stage and plan come from the records when the details have none.
	for _, want := range []string{"Diagnosed: 2026-01-14",
		"for neoadjuvant chemotherapy with trastuzumab and pertuzumab"} {
		if !strings.Contains(text, want) {
			t.Errorf("the cover lacks %q", want)
		}
	}
	if i, j := strings.Index(text, "Is neoadjuvant therapy right?"), strings.Index(text, "Clinical summary"); i < 0 || j < i {
		t.Errorf("the clinical summary is not right after the question")
	}

	zh := coverText(t, dir, privacy.Identified, "zh-Hans", checklist.Details{})
	for _, want := range []string{"临床摘要", "浸润性癌（非特殊类型，导管癌）", "ER：阳性，约80%", "HER2-ISH：阳性"} {
		if !strings.Contains(zh, want) {
			t.Errorf("the Chinese cover lacks %q:\n%s", want, zh)
		}
	}
}

// At the private levels the quotes carry no identity and, anonymised, the
// facts' dates are shifted and the quotes' dates hidden.
func TestClinicalKeepsToThePrivacyLevel(t *testing.T) {
	s, err := summary.Read(context.Background(), []summary.Document{
		{Path: "/home/jane/path.txt", Pages: []string{"Collected: 2026-01-14\nJane Doe, left breast core biopsy 2026-01-14: invasive ductal carcinoma, grade 2.\nER positive (95%), per Dr House.\nDOB: 1961-02-03 PR positive (40%)"}},
		{Path: "/home/jane/not-sent.txt", Pages: []string{"Date: 2026-02-01\nHER2 3+ (positive)."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := checklist.Details{Patient: checklist.Patient{Name: "Jane Doe", BirthDate: "1961-02-03"}}
	info := bundle.CoverInfo{Names: map[string]string{"/home/jane/path.txt": "IHE_XDM/SUBSET01/DOC00001.PDF"}, Created: time.Now()}
	req := Request{Details: d, Clinical: s, Inventory: &intake.Inventory{}}

	p, _ := privacy.NewParams(privacy.Pseudonymised, make([]byte, 32), "DOSSIER-AAAA-BBBB")
	info.Level = privacy.Pseudonymised
	cl := Summary(req, info, p).Clinical
	if cl == nil || len(cl.Diagnoses) != 1 || len(cl.Biomarkers) != 2 {
		t.Fatalf("pseudonymised clinical summary: %+v", cl)
	}
	for _, b := range cl.Biomarkers {
		if b.Marker == "HER2" {
			t.Error("a fact of a document not in the bundle is on the cover")
		}
		if b.Marker == "PR" && b.Quote != "" {
			t.Errorf("a quote with a labelled birth date is on the cover: %q", b.Quote)
		}
	}
	if q := cl.Diagnoses[0].Quote; strings.Contains(q, "Jane") || strings.Contains(q, "Doe") || !strings.Contains(q, "[…]") || !strings.Contains(q, "2026-01-14") {
		t.Errorf("pseudonymised quote: %q", q)
	}
	if cl.Diagnoses[0].Document != "IHE_XDM/SUBSET01/DOC00001.PDF" {
		t.Errorf("document %q", cl.Diagnoses[0].Document)
	}

	a, _ := privacy.NewParams(privacy.Anonymised, nil, "")
	info.Level = privacy.Anonymised
	cl = Summary(req, info, a).Clinical
	for _, f := range append(cl.Diagnoses, cl.Timeline...) {
		if strings.Contains(f.Quote, "2026-01-14") || f.Date == "2026-01-14" || strings.Contains(f.Quote, "Jane") {
			t.Errorf("anonymised fact carries a true date or the name: %+v", f)
		}
	}
	if cl.Diagnoses[0].Date == "" || len(cl.Timeline) == 0 {
		t.Errorf("anonymised facts lost their shifted dates: %+v", cl)
	}

	p0, _ := privacy.NewParams(privacy.Identified, nil, "")
	info.Level = privacy.Identified
	if q := Summary(req, info, p0).Clinical.Diagnoses[0].Quote; !strings.Contains(q, "Jane Doe") {
		t.Errorf("identified quote changed: %q", q)
	}
}

// A fact read first in a document left out of the bundle is shown from a
// document in the bundle that says it too, and the cover's diagnosis from
// the records is in the cover's language.
func TestClinicalFromTheBundleOnly(t *testing.T) {
	docs := []summary.Document{
		{Path: "/r/left-out.txt", Pages: []string{"Collected: 2026-01-14\nLeft breast core biopsy: invasive ductal carcinoma, grade 2. ER positive (95%)."}},
		{Path: "/r/letter.txt", Pages: []string{"Clinic date: 2026-02-03\nDiagnosis: left breast invasive ductal carcinoma. ER positive (95%)."}},
	}
	s, err := summary.Read(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	d := checklist.PrefillFromSummary(checklist.Details{}, s, nil, nil)
	req := Request{Details: d, Clinical: s, clinicalDocs: docs, Inventory: &intake.Inventory{}, Language: "zh-Hans"}
	p, _ := privacy.NewParams(privacy.Pseudonymised, make([]byte, 32), "DOSSIER-AAAA-BBBB")
	info := bundle.CoverInfo{Level: privacy.Pseudonymised, Created: time.Now(), Names: map[string]string{"/r/letter.txt": "IHE_XDM/SUBSET01/DOC00001.TXT"}}
	cs := Summary(req, info, p)
	if len(cs.Clinical.Biomarkers) != 1 || cs.Clinical.Biomarkers[0].Document != "IHE_XDM/SUBSET01/DOC00001.TXT" || len(cs.Clinical.Diagnoses) != 1 {
		t.Errorf("clinical summary of the bundle: %+v", cs.Clinical)
	}
	if !strings.Contains(cs.Diagnosis, "浸润性癌") {
		t.Errorf("the cover's diagnosis is not in its language: %q", cs.Diagnosis)
	}
}

// TestCorrectedFactOnTheCover: a fact corrected in the app is kept with the case; after a restart
// (a new store handle) the exported bundle's cover shows the correction, marked as the sender's,
// with the report's own words still beside it.
func TestCorrectedFactOnTheCover(t *testing.T) {
	pdftotext := testtool.Look(t, "pdftotext", "poppler-utils")
	ctx := context.Background()
	dir := corpusCase(t, "breast-en")
	inv, err := intake.Scan(ctx, []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := summary.FromInventory(ctx, inv, doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var pr *summary.Biomarker
	for i, b := range s.Biomarkers {
		if b.Name == "PR" && pr == nil {
			pr = &s.Biomarkers[i]
		}
	}
	if pr == nil {
		t.Fatalf("no PR result read: %+v", s.Biomarkers)
	}
	dbPath := filepath.Join(t.TempDir(), store.FileName)
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	kase, err := st.CreateCase(ctx, "case")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveFactCheck(ctx, kase.ID, pr.Check("negative (<1%)")); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st, err = store.Open(ctx, dbPath) // the app started again
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rules, _ := checklist.Default()
	out := t.TempDir()
	if _, err := Pack(ctx, st, Request{CaseID: kase.ID, Inventory: inv, Rules: rules, Level: privacy.Identified,
		Output: bundle.Output{Dir: out, Name: "case", Folder: true}, Include: includeAll(inv)}); err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command(pdftotext, "-enc", "UTF-8", filepath.Join(out, "case", bundle.NameCover), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(b)), " ")
	for _, want := range []string{"PR: negative, <1%", "corrected by the sender (the report reads otherwise)", pr.Source.Quote, "ER: positive, Allred score 8/8"} {
		if !strings.Contains(text, strings.Join(strings.Fields(want), " ")) {
			t.Errorf("the cover lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "PR: positive, Allred score 6/8") {
		t.Errorf("the cover still gives the corrected result:\n%s", text)
	}
}
