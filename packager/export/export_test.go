package export

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"dossier/packager/bundle"
	"dossier/packager/checklist"
	"dossier/packager/cover"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

func TestSummaryKeepsToThePrivacyLevel(t *testing.T) {
	d := checklist.Details{
		Patient:       checklist.Patient{Name: "DOE^JANE", BirthDate: "1961-02-03", ID: "PID-0042", Sex: "F"},
		Doctor:        checklist.Contact{Name: "Dr Gregory House", Phone: "+1 555 0199"},
		DiagnosisDate: "2026-01-10",
		Questions:     []string{"Is surgery first right?"},
		Shipments:     []checklist.Shipment{{Kind: checklist.ShipmentKinds()[0], Courier: "DHL", Tracking: "JD014600003828", Sent: "2026-02-01"}},
	}
	info := bundle.CoverInfo{Names: map[string]string{"/home/jane/Doe pathology.pdf": "IHE_XDM/SUBSET01/DOC00001.PDF"}, Created: time.Now()}
	// The checklist noted the date of the newest scan: a true date beside shifted ones gives the shift away.
	scanOld := checklist.Note{Format: "The newest scan here is from %v, more than %d days ago.", Args: []any{"2026-01-09", 90}}
	rep := &checklist.Report{Cancer: "lung", CancerName: "Lung cancer", Rules: []checklist.Result{{ID: "lung-ct", Title: "CT",
		Status: checklist.StatusPartial, Required: true, Notes: []checklist.Note{scanOld}}}}
	req := Request{Details: d, Report: rep}
	leaks := []string{"DOE", "1961", "PID-0042", "House", "555 0199", "Doe pathology"}

	p, _ := privacy.NewParams(privacy.Pseudonymised, make([]byte, 32), "DOSSIER-AAAA-BBBB")
	info.Level = privacy.Pseudonymised
	s := Summary(req, info, p)
	b, _ := json.Marshal(s)
	for _, l := range leaks {
		if strings.Contains(string(b), l) {
			t.Errorf("pseudonymised cover carries %q", l)
		}
	}
	if s.Patient.Name != "DOSSIER-AAAA-BBBB" || s.DiagnosisDate != "2026-01-10" || s.Shipments[0].Tracking == "" {
		t.Errorf("pseudonymised summary: %+v", s)
	}

	a, _ := privacy.NewParams(privacy.Anonymised, nil, "")
	info.Level = privacy.Anonymised
	s = Summary(req, info, a)
	b, _ = json.Marshal(s)
	if len(s.Missing) != 1 || !regexp.MustCompile(`^The newest scan here is from \d{4}-\d\d-\d\d, more than 90 days ago\.$`).MatchString(s.Missing[0].Reason) {
		t.Errorf("anonymised note: %+v", s.Missing)
	}
	if rep.Rules[0].Note() != "The newest scan here is from 2026-01-09, more than 90 days ago." {
		t.Errorf("the case's report changed: %q", rep.Rules[0].Note())
	}
	for _, l := range append(leaks, "2026-01-10", "2026-01-09", "JD014600003828", "2026-02-01") {
		if strings.Contains(string(b), l) {
			t.Errorf("anonymised cover carries %q", l)
		}
	}
	if s.DiagnosisDate == "" || s.Patient.Name != privacy.AnonymousName {
		t.Errorf("anonymised summary: %+v", s)
	}

	p0, _ := privacy.NewParams(privacy.Identified, nil, "")
	info.Level = privacy.Identified
	if s := Summary(req, info, p0); s.Patient.Name != "DOE^JANE" || s.Doctor.Name == "" {
		t.Errorf("identified summary lost the patient: %+v", s)
	}
}

func TestSummaryLanguage(t *testing.T) {
	rep := &checklist.Report{Cancer: "lung", CancerName: "Lung cancer"}
	p, _ := privacy.NewParams(privacy.Identified, nil, "")
	info := bundle.CoverInfo{Level: privacy.Identified, Created: time.Now()}
	s := Summary(Request{Report: rep, Language: "zh-hans"}, info, p)
	if s.Language != "zh-hans" || s.CancerType != "肺癌" {
		t.Errorf("Chinese summary: language %q, cancer %q", s.Language, s.CancerType)
	}
	if s := Summary(Request{Report: rep}, info, p); s.Language != "" || s.CancerType != "Lung cancer" {
		t.Errorf("English summary: language %q, cancer %q", s.Language, s.CancerType)
	}
	// What the checklist noted and its urgency are in the cover's language too.
	rules, err := checklist.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err = rules.Evaluate(&checklist.Case{Cancer: "aml", Details: checklist.Details{Doctor: checklist.Contact{Name: "Dr Lee"}}})
	if err != nil {
		t.Fatal(err)
	}
	s = Summary(Request{Report: rep, Language: "zh-Hans"}, info, p)
	if !strings.Contains(s.Urgency, "急性白血病") {
		t.Errorf("Chinese urgency %q", s.Urgency)
	}
	found := false
	for _, m := range s.Missing {
		if m.RuleID == "treating-doctor" {
			found = m.Reason == "请填写医生的电话、电子邮箱或地址。"
		}
	}
	if !found {
		t.Errorf("the doctor's note is not in Chinese: %+v", s.Missing)
	}
	if en := Summary(Request{Report: rep}, info, p); !strings.HasPrefix(en.Urgency, "Acute leukaemia") {
		t.Errorf("English urgency %q", en.Urgency)
	}
	if _, err := Pack(t.Context(), nil, Request{Language: "tlh", Level: privacy.Identified}); err == nil || !strings.Contains(err.Error(), "tlh") {
		t.Errorf("Pack with an unknown language: %v", err)
	}
}

// TestCoverAgreesAboutTheQuestion: a checklist evaluated before the question was written (dossier
// pack --question, or typing just before sending) does not make a cover that carries the question
// list it as missing, at any level.
func TestCoverAgreesAboutTheQuestion(t *testing.T) {
	rules, err := checklist.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rules.Evaluate(&checklist.Case{Cancer: "lung", Inventory: &intake.Inventory{}})
	if err != nil {
		t.Fatal(err)
	}
	missing := func(s cover.Summary) (ids []string) {
		for _, m := range s.Missing {
			ids = append(ids, m.RuleID)
		}
		return ids
	}
	for _, level := range []privacy.Level{privacy.Identified, privacy.Pseudonymised, privacy.Anonymised} {
		p, _ := privacy.NewParams(level, make([]byte, 32), "DOSSIER-AAAA-BBBB")
		info := bundle.CoverInfo{Level: level, Created: time.Now(), Names: map[string]string{}}
		without := Summary(Request{Rules: rules, Report: rep}, info, p)
		if !slices.Contains(missing(without), "reviewer-question") {
			t.Fatalf("%s: no question, yet not missing: %q", level, missing(without))
		}
		with := Summary(Request{Rules: rules, Report: rep, Details: checklist.Details{Questions: []string{"Is surgery first right?"}}}, info, p)
		if len(with.Questions) != 1 || slices.Contains(missing(with), "reviewer-question") {
			t.Errorf("%s: the cover carries the question and lists it as missing: %q", level, missing(with))
		}
		if len(missing(with)) != len(missing(without))-1 {
			t.Errorf("%s: more than the question changed: %q, %q", level, missing(with), missing(without))
		}
	}
}

// TestBiomarkerLabelsTranslated: the biomarker table of a Chinese cover names the markers in Chinese.
func TestBiomarkerLabelsTranslated(t *testing.T) {
	rules, err := checklist.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rules.Evaluate(&checklist.Case{Cancer: "breast", Inventory: &intake.Inventory{}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := privacy.NewParams(privacy.Identified, nil, "")
	info := bundle.CoverInfo{Level: privacy.Identified, Created: time.Now()}
	en := Summary(Request{Rules: rules, Report: rep}, info, p)
	zh := Summary(Request{Rules: rules, Report: rep, Language: "zh-Hans"}, info, p)
	if len(en.Biomarkers) == 0 || len(zh.Biomarkers) != len(en.Biomarkers) {
		t.Fatalf("biomarkers: %d English, %d Chinese", len(en.Biomarkers), len(zh.Biomarkers))
	}
	for i, b := range zh.Biomarkers {
		latinOnly := true
		for _, r := range b.Marker {
			if r > 0x2E80 {
				latinOnly = false
			}
		}
		if latinOnly {
			t.Errorf("marker %d on the Chinese cover: %q (English %q)", i, b.Marker, en.Biomarkers[i].Marker)
		}
	}
}
