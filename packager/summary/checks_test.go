package summary

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestApplyChecks(t *testing.T) {
	s := read(t, "Invasive ductal carcinoma, Nottingham grade 2. Stage: pT2 N1a M0.\nER positive (95%), PR positive (40%), HER2 2+ (equivocal).\nBiopsy on 2026-01-20.")
	if len(s.Diagnoses) != 1 || len(s.Stages) != 1 || len(s.Biomarkers) != 3 {
		t.Fatalf("read %+v", s)
	}
	var pr, her2 Biomarker
	for _, b := range s.Biomarkers {
		switch b.Name {
		case "PR":
			pr = b
		case "HER2":
			her2 = b
		}
	}
	checks := []Check{
		pr.Check("negative, <1%"), // read with the marker's name understood
		her2.Check("HER2 3+"),     // a value only: the result stays null
		s.Diagnoses[0].Check(""),  // confirmed
		s.Stages[0].Check("ypT1c N0"),
	}
	// The checks survive JSON (the store keeps them so).
	b, _ := json.Marshal(checks)
	var back []Check
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got := Apply(s, back)
	if s.Biomarkers[1].Checked != nil || s.Stages[0].Text == "ypT1c N0" {
		t.Fatal("Apply changed the summary it was given")
	}
	for _, b := range got.Biomarkers {
		switch b.Name {
		case "PR":
			if b.Result != "negative" || b.Value != "<1%" || b.Checked == nil || !b.Checked.Corrected || b.Checked.Read != "PR positive, 40%" {
				t.Errorf("PR corrected to %+v %+v", b, b.Checked)
			}
			if b.Source != pr.Source {
				t.Errorf("the corrected fact lost its source: %+v", b.Source)
			}
		case "HER2":
			if b.Value != "3+" || !b.Checked.Corrected {
				t.Errorf("HER2 corrected to %+v", b)
			}
		case "ER":
			if b.Checked != nil {
				t.Errorf("ER was not checked but is marked %+v", b.Checked)
			}
		}
	}
	if d := got.Diagnoses[0]; d.Checked == nil || d.Checked.Corrected || d.Histology != s.Diagnoses[0].Histology {
		t.Errorf("confirmed diagnosis: %+v", d)
	}
	if x := got.Stages[0]; x.Describe("zh-Hans") != "ypT1c N0" || !x.Checked.Corrected || !strings.Contains(x.Checked.Read, "pT2") {
		t.Errorf("corrected stage: %+v %+v", x, x.Checked)
	}
	// A correction in words no rule reads is kept as written.
	d := Apply(s, []Check{s.Diagnoses[0].Check("lobular, per the second opinion")}).Diagnoses[0]
	if d.Describe("en") != "lobular, per the second opinion" || d.Describe("zh-Hans") != "lobular, per the second opinion" {
		t.Errorf("unread correction described as %q / %q", d.Describe("en"), d.Describe("zh-Hans"))
	}
	// A check whose fact is not read any more changes nothing.
	other := pr.Check("negative")
	other.Source.Quote = "not in the reports"
	if g := Apply(s, []Check{other}); g.Biomarkers[1].Checked != nil || g.Biomarkers[0].Checked != nil {
		t.Error("a check of another fact was applied")
	}
}

func TestApplyResolvesConflict(t *testing.T) {
	s, err := Read(t.Context(), []Document{
		{Path: "a.txt", Pages: []string{"Core biopsy 2025-03-01: ER positive (90%)."}},
		{Path: "b.txt", Pages: []string{"Liver metastasis biopsy 2026-01-10: ER negative (0%)."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Conflicts) != 1 {
		t.Fatalf("conflicts %+v", s.Conflicts)
	}
	var neg Biomarker
	for _, b := range s.Biomarkers {
		if b.Result == "negative" {
			neg = b
		}
	}
	if got := Apply(s, []Check{neg.Check("ER positive (90%)")}); len(got.Conflicts) != 0 {
		t.Errorf("the corrected result still conflicts: %+v", got.Conflicts)
	}
}
