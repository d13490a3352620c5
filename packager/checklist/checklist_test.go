package checklist

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dossier/assets"
	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/doctext"
	"dossier/packager/intake"
)

// caseDir writes files (relative path -> bytes) into a temporary folder.
func caseDir(t *testing.T, files map[string][]byte) string {
	t.Helper()
	return testtool.WriteTree(t, t.TempDir(), files)
}

func dicomSeries(prefix, modality, study string, n int) map[string][]byte {
	out := map[string][]byte{}
	for i := 1; i <= n; i++ {
		out[prefix+"/IM"+string(rune('0'+i))] = dcmfix.Instance(dcmfix.Spec{
			Modality: modality, StudyUID: study, SeriesUID: study + ".1", InstanceNumber: i,
			StudyDate: "20260901", PatientName: "Doe^Jane", PatientID: "PID0001", BirthDate: "19610203",
		})
	}
	return out
}

// breastFiles is a complete breast case (slides are shipped, see breastDetails).
func breastFiles(withDICOM bool) map[string][]byte {
	files := map[string][]byte{
		"reports/path_2026.pdf": docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: invasive ductal carcinoma, left breast",
			"Microscopic description: grade 2 (Nottingham)", "Immunohistochemistry: ER positive (Allred 8), PR positive (Allred 6),",
			"HER2 negative (IHC 1+). Ki-67 15%."),
		"reports/imaging.pdf": docfix.PDF("RADIOLOGY REPORT", "Bilateral mammogram and breast MRI with contrast.",
			"Findings: 22 mm mass in the left breast.", "Impression: BI-RADS 6."),
		"reports/operation.docx": docfix.DOCX("OPERATIVE REPORT", "Preoperative diagnosis: left breast carcinoma",
			"Procedure performed: wide local excision and sentinel node biopsy", "Estimated blood loss: 20 ml"),
		"reports/doc0004.docx": docfix.DOCX("Oncology clinic", "Treatment summary",
			"Regimen: 4 cycles of docetaxel and cyclophosphamide; radiotherapy 40 Gy in 15 fractions.", "Response: complete response."),
	}
	if withDICOM {
		for k, v := range dicomSeries("CD/DICOM/ST1", "MG", "1.2.826.0.1.3680043.10.1999.7", 2) {
			files[k] = v
		}
	}
	return files
}

func breastDetails() Details {
	return Details{
		Cancer:    "breast",
		Patient:   Patient{Name: "Jane Doe", BirthDate: "1961-02-03"},
		Questions: []string{"Is chemotherapy needed after surgery?"},
		Doctor:    Contact{Name: "Dr A. Smith", Hospital: "General Hospital", Phone: "+44 20 0000 0000"},
		Shipments: []Shipment{{Kind: ShipGlassSlides, Courier: "DHL", Tracking: "JD0123456789"}},
	}
}

func evaluate(t *testing.T, dir string, c *Case) *Report {
	t.Helper()
	ctx := context.Background()
	inv, err := intake.Scan(ctx, []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := Documents(ctx, inv, nil, doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	c.Inventory, c.Documents = inv, docs
	if c.Now.IsZero() {
		c.Now = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	rep, err := rules.Evaluate(c)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func result(t *testing.T, rep *Report, id string) Result {
	t.Helper()
	for _, r := range rep.Rules {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("rule %q not evaluated", id)
	return Result{}
}

func dump(rep *Report) string {
	b, _ := json.MarshalIndent(rep.Rules, "", " ")
	return string(b)
}

func TestCompleteBreastCasePasses(t *testing.T) {
	dir := caseDir(t, breastFiles(true))
	rep := evaluate(t, dir, &Case{Details: breastDetails()})
	if !rep.Complete {
		t.Fatalf("complete breast case not complete:\n%s", dump(rep))
	}
	for _, r := range rep.Rules {
		if r.Required && r.Status != StatusMet {
			t.Errorf("%s: %s", r.ID, r.Status)
		}
	}
	if r := result(t, rep, "imaging-dicom"); len(r.Evidence) == 0 || !strings.Contains(r.Evidence[0], "ST1") {
		t.Errorf("imaging evidence %v", r.Evidence)
	}
	if r := result(t, rep, "breast-receptors"); len(r.Evidence) != 1 || filepath.Base(r.Evidence[0]) != "path_2026.pdf" {
		t.Errorf("receptor evidence %v", r.Evidence)
	}
	if rep.Urgency.Urgent {
		t.Error("breast cancer marked urgent by default")
	}
}

func TestBreastWithoutDICOMShowsImagingMissing(t *testing.T) {
	files := breastFiles(false)
	files["photos/mammogram.jpg"] = docfix.JPEG(64, 64)
	dir := caseDir(t, files)
	rep := evaluate(t, dir, &Case{Details: breastDetails()})
	if rep.Complete {
		t.Fatal("case without DICOM is complete")
	}
	if r := result(t, rep, "radiology-reports"); r.Status != StatusMet {
		t.Fatalf("radiology report not found: %+v", r)
	}
	for _, id := range []string{"imaging-dicom", "breast-imaging"} {
		r := result(t, rep, id)
		if r.Status != StatusMissing {
			t.Errorf("%s: %s, want missing (report and JPEG must not count)", id, r.Status)
		}
		if len(r.Evidence) != 0 {
			t.Errorf("%s: evidence %v", id, r.Evidence)
		}
		if !strings.Contains(r.Note(), "report is here, but not the images") {
			t.Errorf("%s: note %q", id, r.Note())
		}
	}
}

func TestTreatmentSummaryFoundFromText(t *testing.T) {
	dir := caseDir(t, breastFiles(true))
	rep := evaluate(t, dir, &Case{Details: breastDetails()})
	var doc *Document
	for i := range rep.Documents {
		if filepath.Base(rep.Documents[i].Path) == "doc0004.docx" {
			doc = &rep.Documents[i]
		}
	}
	if doc == nil || doc.Category != doctext.CategoryTreatment || doc.Source != "text" {
		t.Fatalf("doc0004.docx: %+v", doc)
	}
	r := result(t, rep, "treatment-summary")
	if r.Status != StatusMet || len(r.Evidence) != 1 || filepath.Base(r.Evidence[0]) != "doc0004.docx" {
		t.Fatalf("treatment-summary: %+v", r)
	}
}

func TestLungWithoutBiomarkersShowsThemMissing(t *testing.T) {
	files := map[string][]byte{
		"path.pdf": docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: adenocarcinoma of the lung, right upper lobe",
			"Specimen: CT-guided core biopsy. Margins not applicable."),
		"ct-report.pdf": docfix.PDF("CT chest with contrast", "Findings: 31 mm spiculated nodule, right upper lobe.", "Impression: suspicious for malignancy."),
	}
	for k, v := range dicomSeries("CD/ST1", "CT", "1.2.826.0.1.3680043.10.1999.8", 2) {
		files[k] = v
	}
	dir := caseDir(t, files)
	rep := evaluate(t, dir, &Case{Cancer: "lung"})
	for _, id := range []string{"lung-egfr", "lung-alk", "lung-pdl1", "lung-ros1"} {
		r := result(t, rep, id)
		if r.Status != StatusMissing || !r.Required {
			t.Errorf("%s: status %s required %v, want missing and required", id, r.Status, r.Required)
		}
		if r.Request == "" || r.Advice == "" {
			t.Errorf("%s: no advice or request", id)
		}
	}
	if r := result(t, rep, "lung-ct"); r.Status != StatusMet {
		t.Errorf("lung-ct: %s", r.Status)
	}
	// The same case with an NGS report naming EGFR only: EGFR met, ALK still missing.
	files["ngs.pdf"] = docfix.PDF("Next-generation sequencing report", "EGFR exon 19 deletion detected. Variant allele frequency 23%.")
	dir = caseDir(t, files)
	rep = evaluate(t, dir, &Case{Cancer: "lung"})
	if r := result(t, rep, "lung-egfr"); r.Status != StatusMet {
		t.Errorf("lung-egfr with NGS report: %s", r.Status)
	}
	if r := result(t, rep, "lung-alk"); r.Status != StatusMissing {
		t.Errorf("lung-alk: %s", r.Status)
	}
}

func TestPartialKeywords(t *testing.T) {
	files := map[string][]byte{"p.pdf": docfix.PDF("Pathology report", "Final diagnosis: invasive carcinoma", "ER positive, PR negative.")}
	rep := evaluate(t, caseDir(t, files), &Case{Cancer: "breast"})
	r := result(t, rep, "breast-receptors")
	if r.Status != StatusPartial || len(r.Missing) != 1 || r.Missing[0] != "HER2" {
		t.Fatalf("breast-receptors: %+v", r)
	}
}

func TestWaiverAndShipment(t *testing.T) {
	d := breastDetails()
	d.Shipments = []Shipment{{Kind: ShipGlassSlides, Courier: "DHL"}}
	rep := evaluate(t, caseDir(t, breastFiles(true)), &Case{Details: d, Waivers: []Waiver{{RuleID: "operative-biopsy-report", Reason: "no operation yet"}}})
	if r := result(t, rep, "slides"); r.Status != StatusPartial {
		t.Errorf("slides without tracking: %s", r.Status)
	}
	if r := result(t, rep, "operative-biopsy-report"); r.Status != StatusWaived || r.WaiverReason != "no operation yet" {
		t.Errorf("waiver: %+v", r)
	}
}

func TestUrgentAndUnknownCancer(t *testing.T) {
	rules, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"aml", "leukemia", "Lymphoma"} {
		rep, err := rules.Evaluate(&Case{Cancer: name})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Urgency.Urgent || rep.Urgency.Message == "" {
			t.Errorf("%s: not urgent", name)
		}
	}
	rep, _ := rules.Evaluate(&Case{Cancer: "aml"})
	for _, r := range rep.Rules {
		if r.ID == "imaging-dicom" {
			t.Error("AML asks for DICOM imaging")
		}
	}
	if _, err := rules.Evaluate(&Case{Cancer: "kidney-stones"}); !errors.Is(err, ErrUnknownCancer) || !strings.Contains(err.Error(), "breast") {
		t.Errorf("unknown cancer: %v", err)
	}
	for _, c := range []string{"breast", "lung", "colorectal", "lymphoma", "brain", "sarcoma", "prostate", "melanoma", "aml", "pancreas", "other"} {
		if _, err := rules.Cancer(c); err != nil {
			t.Errorf("cancer %s: %v", c, err)
		}
		if c != "other" && len(rules.For(c)) == len(rules.For("other")) && c != "aml" {
			t.Errorf("%s has no extra rules", c)
		}
	}
}

func TestIdentityPrefillAndMismatch(t *testing.T) {
	inv := &intake.Inventory{Patients: []*intake.Patient{{Name: "DOE^JANE", ID: "PID1", BirthDate: "1961-02-03"}}}
	d := Prefill(Details{}, inv)
	if d.Patient.Name != "JANE DOE" || !d.Patient.FromRecords || d.Patient.BirthDate != "1961-02-03" {
		t.Fatalf("prefill: %+v", d.Patient)
	}
	if m := Mismatches(d, inv); len(m) != 0 {
		t.Errorf("mismatch on prefilled identity: %v", m)
	}
	d.Patient = Patient{Name: "Jane Smith", BirthDate: "1961-02-03"}
	if m := Mismatches(d, inv); len(m) != 1 || strings.Contains(m[0].String(), "Smith") {
		t.Errorf("mismatch: %v", m)
	}
	if got := Prefill(d, inv); got.Patient.Name != "Jane Smith" {
		t.Error("prefill overwrote what the user typed")
	}
}

// TestRulesFileValid validates the embedded rules and shows that broken
// files are refused.
func TestRulesFileValid(t *testing.T) {
	data, err := assets.Checklist.ReadFile("checklist/rules.json")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Parse(data)
	if err != nil {
		t.Fatalf("embedded rules: %v", err)
	}
	if len(rules.Rules) < 40 {
		t.Errorf("only %d rules", len(rules.Rules))
	}
	if _, err := Default(); err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	rule := func(m map[string]any, i int) map[string]any { return m["rules"].([]any)[i].(map[string]any) }
	check := func(m map[string]any, i int) map[string]any { return rule(m, i)["check"].(map[string]any) }
	find := func(m map[string]any, id string) int {
		for i, r := range m["rules"].([]any) {
			if r.(map[string]any)["id"] == id {
				return i
			}
		}
		t.Fatalf("no rule %s", id)
		return -1
	}
	cases := map[string]func(m map[string]any){
		"unknown category": func(m map[string]any) {
			check(m, find(m, "pathology-report"))["categories"] = []any{"pathologyy"}
		},
		"unknown modality": func(m map[string]any) { check(m, find(m, "imaging-dicom"))["modalities"] = []any{"CT", "JPEG"} },
		"non-diagnostic modality": func(m map[string]any) {
			check(m, find(m, "imaging-dicom"))["modalities"] = []any{"SC"}
		},
		"duplicate id":    func(m map[string]any) { rule(m, 1)["id"] = rule(m, 0)["id"] },
		"upper-case id":   func(m map[string]any) { rule(m, 0)["id"] = "Reviewer-Question" },
		"missing advice":  func(m map[string]any) { delete(rule(m, 2), "advice") },
		"missing title":   func(m map[string]any) { rule(m, 3)["title"] = " " },
		"missing why":     func(m map[string]any) { delete(rule(m, 3), "why") },
		"missing request": func(m map[string]any) { rule(m, find(m, "lung-egfr"))["request"] = "" },
		"unknown cancer":  func(m map[string]any) { rule(m, find(m, "lung-egfr"))["cancers"] = []any{"lungs"} },
		"unknown kind":    func(m map[string]any) { check(m, 0)["kind"] = "telepathy" },
		"recency on documents": func(m map[string]any) {
			check(m, find(m, "pathology-report"))["withinDays"] = 30
		},
		"keywords on imaging": func(m map[string]any) {
			check(m, find(m, "imaging-dicom"))["keywords"] = []any{"CT"}
		},
		"unknown field": func(m map[string]any) { rule(m, 0)["typo"] = true },
		"unknown shipment": func(m map[string]any) {
			check(m, find(m, "sarcoma-blocks"))["shipment"] = "pigeons"
		},
		"urgent without note": func(m map[string]any) {
			for _, c := range m["cancers"].([]any) {
				if c.(map[string]any)["id"] == "aml" {
					delete(c.(map[string]any), "urgencyNote")
				}
			}
		},
	}
	for name, f := range cases {
		if _, err := Parse(mutate(f)); !errors.Is(err, ErrInvalidRules) {
			t.Errorf("%s: got %v, want ErrInvalidRules", name, err)
		}
	}
}

// A surgical pathology report that gives its immunohistochemistry too is
// the pathology report, and the receptors' report; choosing another kind
// for it in the app takes that back.
func TestCombinedPathologyReport(t *testing.T) {
	files := map[string][]byte{"pathology-2026.pdf": docfix.PDF("SURGICAL PATHOLOGY REPORT",
		"Final diagnosis: invasive ductal carcinoma, left breast",
		"Immunohistochemistry: ER positive (Allred 8), PR positive (Allred 6),", "HER2 negative (IHC 1+). Ki-67 15%.")}
	rep := evaluate(t, caseDir(t, files), &Case{Cancer: "breast"})
	if r := result(t, rep, "pathology-report"); r.Status != StatusMet {
		t.Errorf("pathology report: %s (documents %+v)", r.Status, rep.Documents)
	}
	if r := result(t, rep, "breast-receptors"); r.Status != StatusMet {
		t.Errorf("receptors: %s", r.Status)
	}
	dir := caseDir(t, files)
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := Documents(context.Background(), inv, map[string]doctext.Category{inv.Items[0].Path: doctext.CategoryIHC}, doctext.Options{})
	if err != nil || len(docs) != 1 || len(docs[0].Also) != 0 || docs[0].Source != "user" {
		t.Fatalf("corrected: %+v %v", docs, err)
	}
}
