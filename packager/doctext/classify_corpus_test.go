package doctext

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"dossier/internal/fixture/reportfix"
)

// TestClassifyCorpus sorts every report of the summary corpus (English and
// Chinese, read from their files as Dossier reads them) and needs at least
// 90% in the right kind.
func TestClassifyCorpus(t *testing.T) {
	corpus := reportfix.Corpus()
	right := 0
	for _, r := range corpus {
		data := r.Bytes()
		text, err := Extract(context.Background(), bytes.NewReader(data), int64(len(data)), r.Format(), Options{})
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		c := ClassifyDocument(r.Name, text)
		if string(c.Category) == r.Category {
			right++
		} else {
			t.Logf("%s: sorted as %s, is %s (evidence %q)", r.Name, c.Category, r.Category, c.Evidence)
		}
	}
	share := float64(right) / float64(len(corpus))
	fmt.Printf("classification: %d of %d documents (%.1f%%) sorted into the right kind\n", right, len(corpus), 100*share)
	if share < 0.9 {
		t.Errorf("%.1f%% sorted right, want at least 90%%", 100*share)
	}
}

// TestClassifyChinese checks the Chinese vocabularies one kind at a time.
func TestClassifyChinese(t *testing.T) {
	for _, c := range []struct {
		text string
		want Category
	}{
		{"病理诊断：（右肺上叶）浸润性腺癌。镜下所见：异型腺体。免疫组化：TTF-1(+)，NapsinA(+)。", CategoryPathology},
		{"基因检测报告：EGFR 19外显子缺失突变，未检测到ALK融合（二代测序）。", CategoryMolecular},
		{"出院小结 入院日期：2026年1月2日 出院日期：2026年1月9日 诊疗经过：行手术。出院医嘱：复查。", CategoryDischarge},
		{"影像报告 检查所见：右肺上叶结节，增强扫描不均匀强化。诊断意见：考虑肺癌。", CategoryRadiology},
		{"手术记录 手术名称：左乳癌改良根治术 麻醉方式：全麻 手术经过：顺利。", CategoryOperative},
		{"化疗记录：AC方案化疗第2周期，不良反应轻。", CategoryTreatment},
		{"病理診斷：直腸腺癌，中分化。免疫組化：MLH1(+)、PMS2(+)、MSH2(+)、MSH6(+)。", CategoryPathology},
	} {
		if got := ClassifyDocument("doc.txt", c.text); got.Category != c.want {
			t.Errorf("%q: %s (%v), want %s", c.text, got.Category, got.Evidence, c.want)
		}
	}
	if got := ClassifyDocument("病理報告.pdf", ""); got.Category != CategoryPathology {
		t.Errorf("a Chinese file name: %s", got.Category)
	}
}
