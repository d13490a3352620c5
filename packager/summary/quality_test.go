package summary

import (
	"slices"
	"testing"
)

// An earlier result a report quotes is kept with the date it gives and marked as earlier, never as
// the report's own; a history line's results are taken only when it dates them; the current result
// beside it stays the document's, and the two are flagged when they disagree.
func TestHistoryResults(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string // NAME|result|value|date|history
	}{
		{"a year in brackets", "Report date: 2026-03-01\nComment: the receptor status differs from the primary tumour (2019, ER 90%).\nER negative (0%).",
			[]string{"ER||90%|2019|true", "ER|negative|0%|2026-03-01|false"}},
		{"previously, in a year", "Report date: 2026-03-01\nThe tumour was previously ER positive in 2019; now ER negative (<1%).",
			[]string{"ER|positive||2019|true", "ER|negative|<1%|2026-03-01|false"}},
		{"a history line with its year", "Report date: 2026-03-01\nClinical history: left breast cancer (2019), ER positive, HER2 negative.\nLiver biopsy: ER negative (0%).",
			[]string{"ER|positive||2019|true", "HER2|negative||2019|true", "ER|negative|0%|2026-03-01|false"}},
		{"a history line without a date is not read", "Report date: 2026-03-01\nClinical history: ER positive breast cancer.\nER positive (95%).",
			[]string{"ER|positive|95%|2026-03-01|false"}},
		{"Chinese history", "报告日期：2026年3月1日\n既往史：2019年左乳癌术后，ER(+，90%)。\n本次肝穿刺：ER(-)。",
			[]string{"ER|positive|90%|2019|true", "ER|negative||2026-03-01|false"}},
		{"a dated test of this year is not history", "Letter date: 2026-11-14\nBone biopsy on 2 July 2026 confirmed metastatic carcinoma, ER positive (80%).",
			[]string{"ER|positive|80%|2026-11-14|false"}},
		{"a cue and a year, in an undated report", "The previous biopsy in 2024 showed PD-L1 TPS 5%.",
			[]string{"PD-L1||TPS 5%|2024|true"}},
		{"a year alone in an undated report is no history", "ER positive (90%), 2024 WHO classification.",
			[]string{"ER|positive|90%||false"}},
		{"a cue without a date", "Report date: 2026-03-01\nPreviously reported: HER2 2+ (equivocal).\nHER2 FISH: amplified, ratio 3.1.",
			[]string{"HER2|equivocal|2+||true", "HER2-ISH|positive|ratio 3.1|2026-03-01|false"}},
	} {
		s := read(t, c.text)
		var got []string
		for _, b := range s.Biomarkers {
			h := "false"
			if b.History {
				h = "true"
			}
			got = append(got, b.Name+"|"+string(b.Result)+"|"+b.Value+"|"+b.Date+"|"+h)
		}
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, want)
		}
	}
	// The earlier and the current receptor status disagree: both kept, flagged.
	s := read(t, "Report date: 2026-03-01\nPreviously ER positive (2019).\nCurrent biopsy: ER negative.")
	if len(s.Conflicts) != 1 || len(s.Conflicts[0].Facts) != 2 {
		t.Errorf("conflicts %+v", s.Conflicts)
	}
}

// A DCIS component of an invasive carcinoma in the same report is part of that diagnosis; DCIS
// alone is a diagnosis of its own.
func TestInSituComponent(t *testing.T) {
	s := read(t, "Collected: 2026-01-14\nA small focus of intermediate grade DCIS is present.\nDIAGNOSIS: Left breast, core biopsy: invasive ductal carcinoma, grade 2.")
	if len(s.Diagnoses) != 1 {
		t.Fatalf("diagnoses %+v", s.Diagnoses)
	}
	d := s.Diagnoses[0]
	if d.Histology != "Invasive carcinoma of no special type (ductal)" || d.InSitu != "Ductal carcinoma in situ" ||
		d.Describe("en") != "Invasive carcinoma of no special type (ductal), left breast, Nottingham grade 2, with ductal carcinoma in situ" ||
		d.Describe("zh-Hans") != "左侧乳腺 浸润性癌（非特殊类型，导管癌），Nottingham 2级，伴导管原位癌" {
		t.Errorf("diagnosis %+v\n%q\n%q", d, d.Describe("en"), d.Describe("zh-Hans"))
	}
	if s := read(t, "Collected: 2026-01-14\nDIAGNOSIS: Left breast, excision: ductal carcinoma in situ, high grade. No invasion."); len(s.Diagnoses) != 1 || s.Diagnoses[0].Histology != "Ductal carcinoma in situ" || s.Diagnoses[0].InSitu != "" {
		t.Errorf("DCIS alone: %+v", s.Diagnoses)
	}
	if s := read(t, "病理诊断：（左乳）浸润性导管癌，II级，伴导管原位癌（中级别）。"); len(s.Diagnoses) != 1 || s.Diagnoses[0].InSitu != "Ductal carcinoma in situ" {
		t.Errorf("Chinese: %+v", s.Diagnoses)
	}
}

// A Chinese form's labelled fields give a short clean event phrase: the field that says what was
// done, else the date's label without its date word; reference numbers never.
func TestChineseEventPhrases(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"检查项目：胸部CT增强扫描    检查日期：2026年3月30日", "胸部CT增强扫描"},
		{"检查日期：2026年2月20日    检查项目：双侧乳腺及腋窝淋巴结彩超", "双侧乳腺及腋窝淋巴结彩超"},
		{"病理号：S2026-08812    手术日期：2026-06-15", "手术"},
		{"入院日期：2026年7月10日", "入院"},
		{"化疗开始日期：2026年4月1日", "化疗开始"},
		{"诊疗经过：2026年4月8日行CT引导下左肺穿刺活检，病理示浸润性腺癌。", "行CT引导下左肺穿刺活检，病理示浸润性腺癌"},
		{"2026年8月25日 PET-CT评估：Deauville 2分，完全缓解。", "PET-CT评估：Deauville 2分，完全缓解"},
		{"病理诊断报告\n送检日期：2026年6月9日\n标本名称：（右颈部）淋巴结切除活检", "（右颈部）淋巴结切除活检"},
	} {
		s := read(t, c.text)
		if len(s.Events) == 0 {
			t.Errorf("%q: no event", c.text)
			continue
		}
		if got := s.Events[0].Text; got != c.want {
			t.Errorf("%q: event %q, want %q", c.text, got, c.want)
		}
	}
}

// A span's words are not left behind when its dates are taken out, and a word between two dates is
// no label.
func TestSpanEventWords(t *testing.T) {
	s := read(t, "Date: 2026-05-05\nChemotherapy: 6 cycles of FOLFOX from 10 January 2026 to 20 April 2026.")
	if len(s.Events) != 2 {
		t.Fatalf("events %+v", s.Events)
	}
	for _, e := range s.Events {
		if e.Text != "Chemotherapy: 6 cycles of FOLFOX" {
			t.Errorf("event %s: %q", e.Date, e.Text)
		}
	}
	if s := read(t, "化疗：自2026年1月10日至2026年4月20日行FOLFOX方案6周期。"); len(s.Events) == 0 || s.Events[0].Text != "化疗：行FOLFOX方案6周期" {
		t.Errorf("Chinese span: %+v", s.Events)
	}
}

// When nothing else tells the order of 05/03/2026 and 02/11/2026, the reading that puts a report's
// dates of one year close together wins.
func TestDateOrderBySpan(t *testing.T) {
	s := read(t, "Report date: 05/03/2026\nBiopsy on 02/11/2026.")
	if len(s.Events) != 1 || s.Events[0].Date != "2026-02-11" {
		t.Errorf("events %+v", s.Events)
	}
	s = read(t, "Report date: 05/11/2026\nBiopsy on 02/11/2026.") // both readings close: day first
	if len(s.Events) != 1 || s.Events[0].Date != "2026-11-02" {
		t.Errorf("events %+v", s.Events)
	}
}
