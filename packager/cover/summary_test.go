package cover

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"dossier/internal/testtool"
	"dossier/packager/checklist"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

const testFingerprint = "3f2a9c01b7e4d5a60c1e2f3a4b5c6d7e8f9012345678abcdef0123456789abcd"

// bundleNames maps the test's original paths to names in the bundle.
var bundleNames = map[string]string{
	"/r/path.pdf":  "DOC00001.PDF",
	"/r/ihc.pdf":   "DOC00002.PDF",
	"/r/slide.svs": "SLIDES/SL000001.SVS",
}

func bundleName(p string) string { return bundleNames[p] }

func testInventory() *intake.Inventory {
	return &intake.Inventory{
		Studies: []*intake.Study{
			{Date: "2026-09-14", Description: "PET-CT whole body", Modalities: []string{"PT", "CT"}, Instances: 642,
				Series: []*intake.Series{{Modality: "CT", Instances: 321}, {Modality: "PT", Instances: 321}}},
			{Date: "2026-08-01", Description: "CT chest with contrast", Modalities: []string{"CT"}, Instances: 412,
				Series: []*intake.Series{{Modality: "CT", Instances: 2}, {Modality: "CT", Instances: 205}, {Modality: "CT", Instances: 205}}},
			{Date: "2026-10-20", Description: "MRI brain", Modalities: []string{"MR"}, Instances: 180,
				Series: []*intake.Series{{Modality: "MR", Instances: 180}}},
		},
		Slides: []*intake.Slide{{Path: "/r/slide.svs", Vendor: "aperio", Levels: 4, Width: 46000, Height: 32914}},
	}
}

// fullSummary is a complete lung cancer case at the given level, with the
// patient given as name.
func fullSummary(t *testing.T, level privacy.Level, name string) Summary {
	t.Helper()
	rules, err := checklist.Default()
	if err != nil {
		t.Fatal(err)
	}
	docs := []checklist.Document{
		checklist.NewDocument("/r/path.pdf", "Surgical pathology report. Final diagnosis: adenocarcinoma. Specimen: core biopsy."),
		checklist.NewDocument("/r/ihc.pdf", "Immunohistochemistry: PD-L1 (22C3) tumour proportion score 60%. ALK negative."),
	}
	inv := testInventory()
	rep, err := rules.Evaluate(&checklist.Case{Cancer: "lung", Documents: docs, Inventory: inv, Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC),
		Details: checklist.Details{
			Patient:   checklist.Patient{Name: "Jérôme Müller", BirthDate: "1961-02-03"},
			Questions: []string{"Is surgery the right plan?"}, ProposedPlan: "Chemotherapy then surgery.",
			Doctor: checklist.Contact{Name: "Dr Ana Silva", Hospital: "St Elsewhere Hospital", Phone: "+44 20 7946 0000"},
		},
		Waivers: []checklist.Waiver{{RuleID: "lab-results", Reason: "no blood tests were done"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return Summary{
		Level:       level,
		Created:     time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC),
		Fingerprint: testFingerprint,
		Questions: []string{
			"Is surgery after chemotherapy the right plan, or should I have chemoradiotherapy?",
			"Would immunotherapy help, given a PD-L1 score of 60%?",
		},
		ProposedPlan:  "Three cycles of carboplatin and pemetrexed, then surgery (right upper lobectomy).",
		Urgency:       "Treatment is due to start on 8 December 2026.",
		Patient:       checklist.Patient{Name: name, BirthDate: "1961-02-03", Sex: "F", ID: "H123456"},
		Doctor:        checklist.Contact{Name: "Dr Ana Silva", Hospital: "St Elsewhere Hospital"},
		CancerType:    "Lung cancer",
		Diagnosis:     "adenocarcinoma of the right upper lobe",
		DiagnosisDate: "2026-08-20",
		Stage:         "IIIA (cT2b N2 M0)",
		Timeline: []Event{
			{Date: "2026-09-30", What: "Multidisciplinary team meeting: chemotherapy then surgery proposed"},
			{Date: "2026-08-12", What: "Bronchoscopy with biopsy"},
		},
		Biomarkers: append(BiomarkersFrom(rules, rep, bundleName), Biomarker{Marker: "KRAS G12C", Result: "not detected (patient's note)"}),
		Studies:    StudiesFrom(inv),
		Reports:    ReportsFrom(rep.Documents, bundleName),
		Slides:     SlidesFrom(inv, bundleName),
		Missing:    MissingFrom(rep),
		Shipments: []checklist.Shipment{
			{Kind: checklist.ShipBlocks, Description: "2 paraffin blocks", Courier: "DHL", Tracking: "JD014600006281234567", Sent: "2026-11-20"},
			{Kind: checklist.ShipGlassSlides, Courier: "UPS", Tracking: "1Z999AA10123456784"},
		},
		LeftOut: []LeftOut{
			{Name: i18n.Plain("IMAGE0007.JPG"), Reason: i18n.NewText("photo of a screen with the patient's name burned in")},
			{Name: i18n.Plain("DOC00009.PDF"), Reason: i18n.NewText("a duplicate of DOC00001.PDF")},
			{Name: i18n.Plain("VIEWER.EXE"), Reason: i18n.NewText("a viewer program, not a record")},
		},
	}
}

// render writes the summary and returns the PDF's path and its text.
func render(t *testing.T, s Summary) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSummary(context.Background(), &buf, s); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	path := filepath.Join(t.TempDir(), "cover.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(testtool.Look(t, "qpdf", "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(testtool.Look(t, "pdftotext", "poppler-utils"), "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return path, string(out)
}

func pageCount(t *testing.T, path string) int {
	t.Helper()
	api.DisableConfigDir()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := api.PageCount(f, model.NewDefaultConfiguration())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSummaryFullCase(t *testing.T) {
	s := fullSummary(t, privacy.Identified, "Jérôme Müller")
	if len(s.Biomarkers) < 5 || len(s.Missing) == 0 || len(s.Reports) == 0 {
		t.Fatalf("fixture too thin: %d markers, %d missing, %d report groups", len(s.Biomarkers), len(s.Missing), len(s.Reports))
	}
	path, raw := render(t, s)
	text := squash(raw)
	// COVER_KEEP=FILE keeps the PDF, to look at (pdftoppm -png -r 60).
	if os.Getenv("COVER_KEEP") != "" {
		data, _ := os.ReadFile(path)
		os.WriteFile(os.Getenv("COVER_KEEP"), data, 0o644)
	}

	// Question first: the title, then the questions, before anything about
	// the patient.
	q := strings.Index(text, HeadingQuestions)
	if q < 0 || q > len("Second opinion summary ") {
		t.Errorf("text does not start with the questions: %.200q", text)
	}
	first := strings.Index(text, squash(s.Questions[0]))
	if first < 0 || first > strings.Index(text, HeadingPatient+" ") || first > strings.Index(text, "Jérôme Müller") {
		t.Errorf("question %d is not before the patient details", first)
	}
	// Every section heading, in order.
	last := -1
	for _, h := range []string{HeadingQuestions, HeadingPlan, HeadingPatient, HeadingDiagnosis, HeadingTimeline, HeadingBiomarkers,
		HeadingContents, HeadingMissing, HeadingShipped, HeadingLeftOut, HeadingPrivacy, HeadingFingerprint} {
		i := strings.Index(text, h)
		if i < 0 {
			t.Errorf("no heading %q", h)
			continue
		}
		if i < last {
			t.Errorf("heading %q out of order", h)
		}
		last = i
	}
	want := []string{
		s.Questions[1], s.ProposedPlan, "Jérôme Müller", "1961-02-03", "H123456", "Dr Ana Silva",
		"Lung cancer", "adenocarcinoma of the right upper lobe", "IIIA (cT2b N2 M0)",
		// Timeline, in date order.
		"2026-08-01: Scan CT: CT chest with contrast", "2026-08-12: Bronchoscopy with biopsy", "2026-08-20: Diagnosis: adenocarcinoma",
		// Studies by modality and date, with series and image counts.
		"2026-08-01 CT: CT chest with contrast, 3 series, 412 images",
		"2026-09-14 PT/CT: PET-CT whole body, 2 series, 642 images",
		"2026-10-20 MR: MRI brain, 1 series, 180 images",
		"Scans: 3 studies, 1234 images",
		// Biomarkers.
		"PD-L1: reported in DOC00002.PDF", "ALK: reported in DOC00002.PDF", "EGFR mutation: not found in the records",
		"KRAS G12C: not detected (patient's note)",
		// Reports and slides.
		"Reports and letters: 2 documents", "Pathology report (1): DOC00001.PDF", "SLIDES/SL000001.SVS: vendor aperio, 4 levels, 46000 x 32914 pixels",
		// Shipped separately, with tracking numbers.
		"Tissue blocks: 2 paraffin blocks, courier DHL, tracking number JD014600006281234567, sent 2026-11-20",
		"Glass slides: courier UPS, tracking number 1Z999AA10123456784",
		// Left out, and why.
		"IMAGE0007.JPG: photo of a screen with the patient's name burned in", "VIEWER.EXE: a viewer program, not a record",
		// Privacy level and fingerprint.
		"Identified: the files are the original records",
		"3f2a 9c01 b7e4 d5a6 0c1e 2f3a 4b5c 6d7e 8f90 1234 5678 abcd ef01 2345 6789 abcd",
		"27 November 2026",
		"60%",
	}
	for _, w := range want {
		if !strings.Contains(text, squash(w)) {
			t.Errorf("text lacks %q", w)
		}
	}
	// Missing items: every outstanding rule, required ones first, then
	// optional ones, then waived ones with the patient's reason.
	section := text[strings.Index(text, HeadingMissing):strings.Index(text, HeadingShipped)]
	pos := -1
	for _, m := range s.Missing { // MissingFrom's order is the expected one
		i := strings.Index(section, squash(m.What))
		if i < 0 {
			t.Errorf("missing item %q not named", m.What)
			continue
		}
		if i < pos {
			t.Errorf("missing item %q out of order", m.What)
		}
		pos = i
		if !strings.Contains(section, squash(m.Reason)) {
			t.Errorf("no reason for missing item %q", m.What)
		}
	}
	for _, w := range []string{"EGFR mutation result (required) The reports here do not mention EGFR.", "(not needed, says the patient) no blood tests were done"} {
		if !strings.Contains(section, w) {
			t.Errorf("missing section lacks %q", w)
		}
	}
	if n := pageCount(t, path); n < 2 || n > 6 {
		t.Errorf("%d pages", n)
	}
}

func TestSummaryNamesInEveryScript(t *testing.T) {
	for _, name := range []string{"Jérôme Müller", "Παπαδόπουλος Γιώργος", "Иванова Мария", "王小明", "山田太郎", "やまだ たろう", "김민준", "Łucja Wąsowska-Dvořák"} {
		t.Run(name, func(t *testing.T) {
			s := Summary{Level: privacy.Identified, Patient: checklist.Patient{Name: name}, Questions: []string{"Is " + name + " a candidate for surgery?"}}
			path, text := render(t, s)
			if !strings.Contains(text, "Name: "+name) {
				t.Errorf("text lacks %q:\n%s", name, text)
			}
			if !strings.Contains(squash(text), "Is "+name+" a candidate for surgery?") {
				t.Errorf("mixed-script line not extracted intact")
			}
			if n := pageCount(t, path); n < 1 || n > 2 {
				t.Errorf("%d pages", n)
			}
		})
	}
}

func TestSummaryPseudonymisedShowsNoIdentity(t *testing.T) {
	// What the test knows of the real identity, original file names included.
	identity := []string{"Jérôme", "Müller", "1961-02-03", "H123456", "Dr Ana Silva", "St Elsewhere", "7946", "path.pdf", "ihc.pdf", "slide.svs"}
	s := fullSummary(t, privacy.Pseudonymised, "DOSSIER-7KQ2-M4XD")
	// The caller filtered the name, but passes the rest of the patient
	// and the doctor as they were: the writer must still leave them out.
	_, raw := render(t, s)
	text := squash(raw)
	for _, v := range identity {
		if strings.Contains(text, v) {
			t.Errorf("pseudonymised cover shows %q", v)
		}
	}
	for _, w := range []string{"Pseudonym: DOSSIER-7KQ2-M4XD", "privacy level: pseudonymised", "Pseudonymised: names, birth dates"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}

	s = fullSummary(t, privacy.Anonymised, privacy.AnonymousName)
	_, raw = render(t, s)
	text = squash(raw)
	for _, v := range identity {
		if strings.Contains(text, v) {
			t.Errorf("anonymised cover shows %q", v)
		}
	}
	if !strings.Contains(text, "Patient: Anonymous") || !strings.Contains(text, "Anonymised: identity is removed") {
		t.Errorf("anonymised cover does not say so:\n%s", raw)
	}
}

func TestSummaryNeedsLevel(t *testing.T) {
	if err := WriteSummary(context.Background(), &bytes.Buffer{}, Summary{}); !errors.Is(err, ErrNoLevel) {
		t.Fatalf("got %v", err)
	}
	if err := WriteSummary(context.Background(), &bytes.Buffer{}, Summary{Level: "public"}); !errors.Is(err, privacy.ErrUnknownLevel) {
		t.Fatalf("got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := WriteSummary(ctx, &bytes.Buffer{}, Summary{Level: privacy.Identified}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

func TestFingerprintGroups(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"ABCDEF0123":       "abcd ef01 23",
		"3f2a9c01b7e4d5a6": "3f2a 9c01 b7e4 d5a6",
		" 3f2a 9c01 ":      "3f2a 9c01",
	} {
		if got := FingerprintGroups(in); got != want {
			t.Errorf("FingerprintGroups(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPercentSignsPrintAsWritten(t *testing.T) {
	d := NewDoc("Percent")
	line := "TPS 60% %p %P %t %v %%v 100%"
	d.Paragraph(line)
	var buf bytes.Buffer
	if err := d.Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "p.pdf")
	os.WriteFile(path, buf.Bytes(), 0o600)
	out, err := exec.Command(testtool.Look(t, "pdftotext", "poppler-utils"), path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), line) {
		t.Errorf("got %q", out)
	}
}

func TestFontsLeaveNothingBehind(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	var buf bytes.Buffer
	if err := WriteSummary(context.Background(), &buf, Summary{Level: privacy.Identified, Patient: checklist.Patient{Name: "王小明"}}); err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestLetterRendersNamesInAnyScript(t *testing.T) {
	rep := lungReport(t)
	l := Letter{Report: rep, Date: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Details: checklist.Details{
		Patient:       checklist.Patient{Name: "王小明", BirthDate: "1961-02-03"},
		RecordsOffice: checklist.Contact{Hospital: "Больница № 1", Address: "Οδός Αθηνάς 5"},
	}}
	var buf bytes.Buffer
	if err := WriteLetter(context.Background(), &buf, l); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	os.WriteFile(path, buf.Bytes(), 0o600)
	if out, err := exec.Command(testtool.Look(t, "qpdf", "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(testtool.Look(t, "pdftotext", "poppler-utils"), path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Patient: 王小明", "Больница № 1", "Οδός Αθηνάς 5"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("letter lacks %q", w)
		}
	}
}
