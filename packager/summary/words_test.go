package summary

import "testing"

func TestDescribeAcrossLanguages(t *testing.T) {
	zhReport := read(t, "免疫组化：ER(+，约80%)")
	if got := zhReport.Biomarkers[0].Describe("en"); got != "ER positive, about 80%" {
		t.Errorf("a Chinese ER on an English cover: %q", got)
	}
	enReport := read(t, "EGFR exon 19 deletion detected.")
	if got := enReport.Biomarkers[0].Describe("zh-Hans"); got != "EGFR 19外显子缺失突变" {
		t.Errorf("an English EGFR on a Chinese cover: %q", got)
	}
	for _, c := range []struct {
		b    Biomarker
		lang string
		want string
	}{
		{Biomarker{Name: "ER", Result: "positive", Value: "95%"}, "zh-Hans", "ER 阳性，95%"},
		{Biomarker{Name: "EGFR", Result: "mutated", Value: "第19外显子缺失突变"}, "en", "EGFR exon 19 deletion"},
		{Biomarker{Name: "EGFR", Result: "mutated", Value: "21外显子L858R点突变"}, "en", "EGFR exon 21 L858R"},
		{Biomarker{Name: "HER2-ISH", Result: "positive", Value: "比值为2.0"}, "en", "HER2-ISH positive, ratio 2.0"},
		{Biomarker{Name: "PD-L1", Value: "TPS约5%"}, "en", "PD-L1 TPS about 5%"},
		{Biomarker{Name: "Ki-67", Value: "approximately 35%"}, "zh-Hans", "Ki-67 约35%"},
		{Biomarker{Name: "KRAS", Result: "wild-type"}, "zh-Hans", "KRAS 野生型"},
		{Biomarker{Name: "MMR", Result: "proficient"}, "en", "MMR proficient"},
	} {
		if got := c.b.Describe(c.lang); got != c.want {
			t.Errorf("%+v in %s: %q, want %q", c.b, c.lang, got, c.want)
		}
	}
	d := Diagnosis{Histology: "Invasive carcinoma of no special type (ductal)", Site: "breast", Laterality: "left", Grade: "Nottingham grade 2"}
	if got := d.Describe("zh-Hans"); got != "左侧乳腺 浸润性癌（非特殊类型，导管癌），Nottingham 2级" {
		t.Errorf("diagnosis in Chinese: %q", got)
	}
	if got := (Stage{Text: "pT2 N1a M0 Stage IIB"}).Describe("zh-Hans"); got != "pT2 N1a M0 IIB期" {
		t.Errorf("stage in Chinese: %q", got)
	}
	if got := ResultText("negative", "zh-Hans"); got != "阴性" {
		t.Errorf("result word: %q", got)
	}
	if got := KindText(KindSurgery, "zh-Hans"); got != "手术" {
		t.Errorf("kind word: %q", got)
	}
}
