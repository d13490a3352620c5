package summary

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func read(t *testing.T, text string) *Summary {
	t.Helper()
	s, err := ReadDocument(context.Background(), Document{Path: "r.txt", Pages: Pages(text)})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range allSources(s) {
		if !strings.Contains(text, q.Quote) || q.Quote == "" {
			t.Errorf("quote %q is not in the text", q.Quote)
		}
	}
	return s
}

func allSources(s *Summary) []Source {
	var out []Source
	for _, d := range s.Diagnoses {
		out = append(out, d.Source)
	}
	for _, x := range s.Stages {
		out = append(out, x.Source)
	}
	for _, b := range s.Biomarkers {
		out = append(out, b.Source)
	}
	for _, e := range s.Events {
		out = append(out, e.Source)
	}
	return out
}

func bioKeys(s *Summary) []string {
	var out []string
	for _, b := range s.Biomarkers {
		out = append(out, b.Name+"|"+string(b.Result)+"|"+b.Value)
	}
	return out
}

func TestBiomarkerPatterns(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"narrative list", "ER positive (95%), PR positive (40%), HER2 1+ (negative). Ki-67: 20%",
			[]string{"ER|positive|95%", "PR|positive|40%", "HER2|negative|1+", "Ki-67||20%"}},
		{"negated list", "No ALK, ROS1 or RET fusions were detected.",
			[]string{"ALK|negative|", "ROS1|negative|", "RET|negative|"}},
		{"no pathogenic variant is wild-type", "KRAS: no pathogenic variant detected",
			[]string{"KRAS|wild-type|"}},
		{"the ISH result after the score", "HER2: 2+, FISH not amplified (ratio 1.3).",
			[]string{"HER2||2+", "HER2-ISH|negative|ratio 1.3"}},
		{"ISH only pending", "HER2 (4B5) score 2+ (equivocal), ISH pending.",
			[]string{"HER2|equivocal|2+"}},
		{"a name that holds its variant", "IDH1 R132H mutant. BRAF: wild-type.",
			[]string{"IDH|mutated|R132H", "BRAF|wild-type|"}},
		{"a variant only looked for", "IDH1 R132H (IHC): negative.",
			[]string{"IDH|wild-type|"}},
		{"Ventana ALK in a Chinese panel", "免疫组化：CK7(+)，TTF-1(+)，ALK-V(D5F3)(-)，ROS1(-)，PD-L1(22C3) TPS约30%。",
			[]string{"ALK|negative|", "ROS1|negative|", "PD-L1||TPS约30%"}},
		{"negative for a list", "The tumour is negative for ER, PR and HER2.",
			[]string{"ER|negative|", "PR|negative|", "HER2|negative|"}},
		{"MMR retained is proficient", "MLH1, PMS2, MSH2 and MSH6: retained.",
			[]string{"MMR|proficient|"}},
		{"MMR table with a loss", "MLH1        Lost\nPMS2        Lost\nMSH2        Retained\nMSH6        Retained",
			[]string{"MMR|deficient|"}},
		{"loss of", "There is loss of MLH1 and PMS2 expression.", []string{"MMR|deficient|"}},
		{"no loss of", "No loss of mismatch repair protein expression.", []string{"MMR|proficient|"}},
		{"mention only: may be considered", "PD-L1 testing may be considered.", nil},
		{"mention only: not tested", "NRAS was not tested.", nil},
		{"mention only: recommend", "Recommend testing for EGFR, ALK and ROS1.", nil},
		{"mention after a value is still a fact", "HER2 2+, FISH pending.", []string{"HER2||2+"}},
		{"Chinese signs", "ER(+，约80%)，PR(-)，HER-2(2+)，Ki-67(+，约30%)",
			[]string{"ER|positive|约80%", "PR|negative|", "HER2||2+", "Ki-67|positive|约30%"}},
		{"Chinese negation list", "未检测到ALK、ROS1、RET基因融合。", []string{"ALK|negative|", "ROS1|negative|", "RET|negative|"}},
		{"Chinese exon deletion", "EGFR基因第19外显子缺失突变", []string{"EGFR|mutated|第19外显子缺失突变"}},
		{"Chinese traditional wild type", "KRAS：未檢測到突變（野生型）", []string{"KRAS|wild-type|"}},
		{"Chinese suggestion is mention", "建议行HER-2基因FISH检测。", nil},
		{"HER2 ISH ratio", "HER2 FISH: amplified, HER2/CEP17 ratio 2.6", []string{"HER2-ISH|positive|ratio 2.6"}},
		{"HER2 ISH not amplified", "HER2 SISH: not amplified (ratio 1.3).", []string{"HER2-ISH|negative|ratio 1.3"}},
		{"PD-L1 TPS and CPS", "PD-L1 (22C3): TPS 60%, CPS 70.", []string{"PD-L1||TPS 60%"}},
		{"Gleason", "Gleason score 4+3=7 (Grade Group 3)", []string{"Gleason||4+3=7"}},
		{"PSA", "PSA 8.4 ng/mL (raised)", []string{"PSA||8.4 ng/mL"}},
		{"free PSA is not PSA", "Free PSA 0.9 ng/mL", nil},
		{"variant point mutation", "EGFR L858R mutation detected (VAF 23%).", []string{"EGFR|mutated|L858R"}},
		{"variant table row is mutated", "TP53      p.R273H      28.9%", []string{"TP53|mutated|p.R273H"}},
		{"wild-type group", "KRAS, NRAS and BRAF: wild type.", []string{"KRAS|wild-type|", "NRAS|wild-type|", "BRAF|wild-type|"}},
		{"MSI implied", "Microsatellite status: MSS", []string{"MSI|stable|"}},
		{"MSI-H", "The tumour is MSI-H.", []string{"MSI|high|"}},
		{"TMB", "Tumor mutational burden: 12 mut/Mb (high)", []string{"TMB|high|12 mut/Mb"}},
		{"MGMT", "MGMT promoter: unmethylated.", []string{"MGMT|unmethylated|"}},
		{"1p/19q", "1p/19q codeletion present.", []string{"1p/19q|codeleted|"}},
		{"1p/19q intact", "1p/19q: no codeletion.", []string{"1p/19q|intact|"}},
		{"IDH wildtype", "Glioblastoma, IDH-wildtype", []string{"IDH|wild-type|"}},
		{"CD20 sign", "CD20+, CD30-", []string{"CD20|positive|", "CD30|negative|"}},
		{"synoptic value on the next line", "Estrogen Receptor (ER) Status: Positive\n  Percentage of cells with nuclear positivity: 91-100%\nProgesterone Receptor (PgR) Status: Negative",
			[]string{"ER|positive|91-100%", "PR|negative|"}},
		{"partial response is not PR", "Restaging CT showed partial response (PR) after 4 cycles.", nil},
		{"history line is not a result", "Clinical history: EGFR-mutant adenocarcinoma on osimertinib.", nil},
		{"ER low", "ER: low positive (5%)", []string{"ER|low|5%"}},
		{"equivocal", "HER2 (4B5): equivocal (2+)", []string{"HER2|equivocal|2+"}},
		{"ALK with clone and sign", "ALK(D5F3)(-)", []string{"ALK|negative|"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := read(t, c.text)
			if got := bioKeys(s); !slices.Equal(got, c.want) {
				t.Errorf("%q:\n got %q\nwant %q", c.text, got, c.want)
			}
		})
	}
}

func TestMethods(t *testing.T) {
	for _, c := range []struct{ text, name, method string }{
		{"PD-L1 (SP263): TC 30%", "PD-L1", "IHC (SP263)"},
		{"IMMUNOHISTOCHEMISTRY\nER: positive (90%)", "ER", "IHC"},
		{"Method: next-generation sequencing\n\nEGFR: exon 19 deletion detected", "EGFR", "NGS"},
		{"MGMT promoter methylation (pyrosequencing): methylated", "MGMT", "PCR"},
		{"HER2 FISH: not amplified", "HER2-ISH", "FISH"},
	} {
		s := read(t, c.text)
		found := false
		for _, b := range s.Biomarkers {
			if b.Name == c.name {
				found = true
				if b.Method != c.method {
					t.Errorf("%q: method %q, want %q", c.text, b.Method, c.method)
				}
			}
		}
		if !found {
			t.Errorf("%q: no %s fact", c.text, c.name)
		}
	}
}

func TestDates(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"Biopsy on 2026年1月20日.", "2026-01-20"},
		{"Biopsy on 02/11/2026. Date of birth: 23/04/1961", "2026-11-02"},
		{"Biopsy on 02/11/2026. DOB: 04/23/1961", "2026-02-11"},
		{"Biopsy on 02/11/2026. Surgery on March 3, 2026.", "2026-02-11"},
		{"Biopsy on 02/11/2026. Surgery on 3 March 2026.", "2026-11-02"},
		{"Biopsy on 02.11.2026", "2026-11-02"},
		{"Biopsy on 2026-01-20", "2026-01-20"},
		{"Biopsy on 2026/1/5", "2026-01-05"},
		{"Biopsy on 20 de enero de 2026", "2026-01-20"},
		{"Biopsy: 20. Januar 2026", "2026-01-20"},
		{"Biopsy on 14-Jan-2026", "2026-01-14"},
		{"Biopsy in January 2026", "2026-01"},
		{"2026年3月 穿刺活检", "2026-03"},
		{"Biopsy on 02/11/2026, NHS Trust", "2026-11-02"},
		{"Biopsy on 02/11/2026, MRN 0012", "2026-02-11"},
		{"Biopsy on 31/02/2026", ""},
	} {
		s := read(t, c.text)
		var got []string
		for _, e := range s.Events {
			got = append(got, e.Date)
		}
		if c.want == "" && len(got) > 0 || c.want != "" && !slices.Contains(got, c.want) {
			t.Errorf("%q: dates %q, want %q", c.text, got, c.want)
		}
	}
}

func TestEvents(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"2026-02-01: CT-guided biopsy of the right upper lobe mass.", []string{"2026-02-01|biopsy"}},
		{"Left mastectomy and sentinel node biopsy on 2026-03-03.", []string{"2026-03-03|surgery"}},
		{"Cycle 1 of FOLFOX on 2026-04-01; cycle 2 on 2026-04-15.", []string{"2026-04-01|systemic therapy", "2026-04-15|systemic therapy"}},
		{"SBRT 54 Gy in 3 fractions completed 2026-05-20.", []string{"2026-05-20|radiotherapy"}},
		{"PET-CT 2026-06-01: complete metabolic response.", []string{"2026-06-01|imaging"}},
		{"Admitted 2026-01-05 with neutropenic fever.", []string{"2026-01-05|other"}},
		{"Next cycle due 2026-03-15.", nil},
		{"Date of birth: 1961-04-23", nil},
		{"Printed 2026-02-02 by the records office.", nil},
		{"Plan: MRI brain 2026-09-08.", nil},
		{"于2026年3月2日行左乳癌改良根治术。", []string{"2026-03-02|surgery"}},
		{"2026年4月19日开始口服奥希替尼靶向治疗。", []string{"2026-04-19|systemic therapy"}},
		{"CT CHEST WITH CONTRAST\nDate: 12/03/2026\nFindings: no change.", []string{"2026-03-12|imaging"}},
		{"Treatment: 60 Gy in 30 fractions with temozolomide\nStart date: 2026-07-01   End date: 2026-08-11", []string{"2026-07-01|radiotherapy", "2026-08-11|radiotherapy"}},
	} {
		s := read(t, c.text)
		var got []string
		for _, e := range s.Events {
			got = append(got, e.Date+"|"+e.Kind)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q:\n got %q\nwant %q", c.text, got, c.want)
		}
	}
}

func TestStagePatterns(t *testing.T) {
	for _, c := range []struct {
		text  string
		texts []string
	}{
		{"Stage: pT2 pN1a M0, stage IIB", []string{"pT2 pN1a M0 Stage IIB"}},
		{"ypT1c ypN0 (AJCC 8th)", []string{"ypT1c ypN0"}},
		{"pT2(m) N1(sn) cM0", []string{"pT2(m) N1(sn) cM0"}},
		{"rT2 N0 M0", []string{"rT2 N0 M0"}},
		{"pTNM分期：pT2N1aM0，ⅡB期。", []string{"pT2 N1a M0 Stage IIB"}},
		{"Primary tumour (pT): pT3\nRegional lymph nodes (pN): pN2a\nDistant metastasis (pM): not applicable", []string{"pT3 pN2a"}},
		{"Ann Arbor stage IVB", []string{"Ann Arbor IVB"}},
		{"Ann Arbor分期：IIA期", []string{"Ann Arbor IIA"}},
		{"FIGO (2018) stage IIIC1", []string{"FIGO IIIC1"}},
		{"BCLC stage B", []string{"BCLC B"}},
		{"BCLC分期B期", []string{"BCLC B"}},
		{"ISS stage III; R-ISS II", []string{"ISS III", "R-ISS II"}},
		{"T1-weighted images show no lesion.", nil},
	} {
		s := read(t, c.text)
		var got []string
		for _, x := range s.Stages {
			got = append(got, x.Text)
		}
		if !slices.Equal(got, c.texts) {
			t.Errorf("%q:\n got %q\nwant %q", c.text, got, c.texts)
		}
	}
	s := read(t, "Stage: pT2 pN1a M0, stage IIB")
	if !slices.Equal(s.Stages[0].Components, []string{"pT2", "pN1a", "M0", "Stage IIB"}) {
		t.Errorf("components %q", s.Stages[0].Components)
	}
}

func TestDiagnosisPatterns(t *testing.T) {
	for _, c := range []struct {
		text                               string
		histology, site, laterality, grade string
	}{
		{"DIAGNOSIS: Left breast, core biopsy: invasive ductal carcinoma, Nottingham grade 2.", "Invasive carcinoma of no special type (ductal)", "breast", "left", "Nottingham grade 2"},
		{"Lung, right upper lobe: invasive adenocarcinoma, acinar predominant.", "Adenocarcinoma", "lung", "right", ""},
		{"Sigmoid colon: adenocarcinoma, moderately differentiated.", "Adenocarcinoma", "colon", "", "G2"},
		{"Integrated diagnosis: Glioblastoma, IDH-wildtype, CNS WHO grade 4.", "Glioblastoma, IDH-wildtype", "", "", "CNS WHO grade 4"},
		{"Prostate: acinar adenocarcinoma, Gleason 4+3=7, Grade Group 3.", "Acinar adenocarcinoma", "prostate", "", "Grade Group 3"},
		{"（左侧乳腺）浸润性导管癌，组织学分级II级。", "Invasive carcinoma of no special type (ductal)", "breast", "left", "Nottingham grade 2"},
		{"（右颈部淋巴结）弥漫大B细胞淋巴瘤。", "Diffuse large B-cell lymphoma", "lymph node", "right", ""},
		{"直腸腺癌，中分化。", "Adenocarcinoma", "rectum", "", "G2"},
		{"Gastric adenocarcinoma, G3.", "Adenocarcinoma", "stomach", "", "G3"},
	} {
		s := read(t, c.text)
		if len(s.Diagnoses) != 1 {
			t.Errorf("%q: %d diagnoses", c.text, len(s.Diagnoses))
			continue
		}
		d := s.Diagnoses[0]
		if d.Histology != c.histology || d.Site != c.site || d.Laterality != c.laterality || d.Grade != c.grade {
			t.Errorf("%q: got %q / %q / %q / %q", c.text, d.Histology, d.Site, d.Laterality, d.Grade)
		}
	}
	for _, text := range []string{
		"Sentinel lymph nodes: negative for carcinoma (0/3).",
		"No evidence of lymphoma.",
		"Clinical history: known adenocarcinoma of the lung.",
		"Impression: mass suspicious for carcinoma; rule out lymphoma.",
		"Findings most consistent with glioblastoma.",
		"未见癌转移（0/15）。",
	} {
		if s := read(t, text); len(s.Diagnoses) != 0 {
			t.Errorf("%q: read %v as a diagnosis", text, s.Diagnoses[0].Histology)
		}
	}
}

func TestConflictsKeepBothFacts(t *testing.T) {
	s, err := Read(context.Background(), []Document{
		{Path: "2019.txt", Pages: []string{"Collected: 2019-06-11\nEstrogen receptor: positive (90%)."}},
		{Path: "2026.txt", Pages: []string{"Collected: 2026-02-16\nER: negative (<1%)."}},
		{Path: "egfr.txt", Pages: []string{"Date: 2026-01-01\nEGFR L858R mutation detected. EGFR T790M: not detected."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Conflicts) != 1 || s.Conflicts[0].Name != "ER" || len(s.Conflicts[0].Facts) != 2 {
		t.Fatalf("conflicts: %+v", s.Conflicts)
	}
	if s.Conflicts[0].Facts[0].Date != "2019-06-11" || s.Conflicts[0].Facts[1].Date != "2026-02-16" {
		t.Errorf("conflict dates: %+v", s.Conflicts[0].Facts)
	}
	n := 0
	for _, b := range s.Biomarkers {
		if b.Name == "ER" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d ER facts kept, want both", n)
	}
}

func TestJSONFieldNames(t *testing.T) {
	s := read(t, "Collected: 2026-01-14\nLeft breast core biopsy: invasive ductal carcinoma, grade 2. pT2 N0 M0. Ki-67: 20%. Core biopsy 2026-01-14.")
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string][]map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"diagnoses":  {"date", "grade", "histology", "laterality", "site", "source", "text"},
		"stages":     {"components", "source", "text"},
		"biomarkers": {"date", "method", "name", "result", "source", "value"},
		"events":     {"date", "kind", "source", "text"},
	}
	for sec, fields := range want {
		if len(m[sec]) == 0 {
			t.Errorf("no %s", sec)
			continue
		}
		var got []string
		for k := range m[sec][0] {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, fields) {
			t.Errorf("%s fields %q, want %q", sec, got, fields)
		}
		src := m[sec][0]["source"].(map[string]any)
		if len(src) != 3 || src["path"] == nil || src["page"] == nil || src["quote"] == nil {
			t.Errorf("%s source %v", sec, src)
		}
	}
	if _, ok := m["conflicts"]; !ok {
		t.Error("no conflicts field")
	}
	if !strings.Contains(string(b), `"result":null`) {
		t.Error("a value-only result is not null")
	}
}

func TestPagesAndContext(t *testing.T) {
	s := read(t, "Page one: nothing.\fER: positive (90%).")
	if len(s.Biomarkers) != 1 || s.Biomarkers[0].Source.Page != 2 {
		t.Fatalf("page: %+v", s.Biomarkers)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, []Document{{Path: "a", Pages: []string{"ER positive"}}}); err == nil {
		t.Error("a cancelled read did not fail")
	}
	if err := CheckVocabularies(); err != nil {
		t.Error(err)
	}
}
