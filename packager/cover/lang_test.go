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

	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/privacy"
)

// The Chinese headings, as a reader sees them.
var zhHeadings = []string{"请专家解答的问题", "拟定治疗方案", "患者信息", "诊断", "诊疗经过", "生物标志物",
	"资料包内容", "缺少的资料及原因", "另行寄送的材料", "未纳入资料包的文件", "隐私级别", "资料包指纹"}

func TestSummaryChinese(t *testing.T) {
	s := fullSummary(t, privacy.Identified, "王小明")
	s.Language = i18n.ChineseSimplified
	s.LeftOut = append(s.LeftOut, LeftOut{Name: i18n.NewText(i18n.Msg("a picture (%v)"), "jpeg"), Reason: i18n.NewText("a photo or scan may show names or other details in the picture itself")})
	_, raw := render(t, s) // qpdf --check and pdftotext
	text := squash(raw)
	if !strings.HasPrefix(text, "第二诊疗意见摘要 请专家解答的问题") {
		t.Errorf("text does not start with the title and the questions: %.200q", text)
	}
	last := -1
	for i, h := range zhHeadings {
		if got := i18n.MustLoad(i18n.ChineseSimplified).T(HeadingKeys[i]); got != h {
			t.Errorf("heading %s is %q, want %q", HeadingKeys[i], got, h)
		}
		// Each heading is a line of its own.
		j := strings.Index(raw, "\n"+h+"\n")
		if j < 0 {
			t.Errorf("no heading %q", h)
			continue
		}
		if j < last {
			t.Errorf("heading %q out of order", h)
		}
		last = j
	}
	for _, w := range []string{
		"姓名：王小明", "出生日期：1961-02-03", "病历号：H123456", "主治医师：Dr Ana Silva，St Elsewhere Hospital",
		"癌症类型：Lung cancer", "分期：IIIA (cT2b N2 M0)",
		"2026-08-20：确诊：adenocarcinoma of the right upper lobe，分期 IIIA (cT2b N2 M0)",
		"影像检查：3项检查，1234幅图像", "2026-08-01 CT：CT chest with contrast，3个序列，412幅图像",
		"报告及信函：2份文件", "病理报告（1）：DOC00001.PDF", "数字切片：1张数字切片",
		"PD-L1：见DOC00002.PDF", "EGFR mutation：病历中未找到",
		"组织蜡块：2 paraffin blocks，快递公司 DHL，运单号 JD014600006281234567，寄出日期 2026-11-20",
		"实名：文件为原始病历", "生成时间：2026年11月27日 14:30 UTC", "隐私级别：实名",
		"3f2a 9c01 b7e4 d5a6 0c1e 2f3a 4b5c 6d7e", "第 1 页，共",
		"一张图片（jpeg）：照片或扫描件的画面本身可能显示姓名或其他信息",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	section := text[strings.Index(text, "缺少的资料及原因"):strings.Index(text, "另行寄送的材料")]
	for _, w := range []string{"（必需）", "（患者表示无需提供） no blood tests were done"} {
		if !strings.Contains(section, w) {
			t.Errorf("missing section lacks %q:\n%s", w, section)
		}
	}
	// No fixed English text is left.
	for _, en := range []string{HeadingQuestions, HeadingPlan, HeadingTimeline, HeadingContents, HeadingMissing, HeadingFingerprint,
		"Name:", "Created", "images", "page 1 of", "documents", "tracking number", "Prepared with Dossier", "required", "Not found in the records"} {
		if strings.Contains(text, en) {
			t.Errorf("Chinese cover shows English %q", en)
		}
	}
}

func TestSummaryChineseLevels(t *testing.T) {
	s := fullSummary(t, privacy.Pseudonymised, "DOSSIER-7KQ2-M4XD")
	s.Language = i18n.ChineseSimplified
	_, raw := render(t, s)
	text := squash(raw)
	for _, w := range []string{"假名：DOSSIER-7KQ2-M4XD", "隐私级别：假名化", "假名化：姓名、出生日期和病历号均已替换为本病例的假名"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	s = fullSummary(t, privacy.Anonymised, privacy.AnonymousName)
	s.Language = "zh-hans"
	_, raw = render(t, s)
	if text := squash(raw); !strings.Contains(text, "患者：匿名") || !strings.Contains(text, "匿名化：身份信息已删除") {
		t.Errorf("anonymised Chinese cover does not say so:\n%s", raw)
	}
}

func TestLetterChinese(t *testing.T) {
	rep := lungReport(t)
	l := Letter{Language: i18n.ChineseSimplified, Report: rep, Date: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Details: checklist.Details{
		Patient:       checklist.Patient{Name: "王小明", BirthDate: "1961-02-03", ID: "H123"},
		Doctor:        checklist.Contact{Name: "李医生", Hospital: "北京协和医院"},
		RecordsOffice: checklist.Contact{Hospital: "北京协和医院", Address: "北京市东城区帅府园1号"},
	}}
	var buf bytes.Buffer
	if err := WriteLetter(context.Background(), &buf, l); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool(t, "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(tool(t, "pdftotext"), "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	raw := string(out)
	for _, h := range []string{"病历资料复印申请", "申请复印的资料", "如有，另请提供", "提供方式", "2026年11月27日", "病案室"} {
		if !strings.Contains(raw, "\n"+h+"\n") {
			t.Errorf("letter lacks the line %q:\n%s", h, raw)
		}
	}
	text := squash(raw)
	for _, w := range []string{"患者：王小明", "出生日期：1961-02-03", "病历号：H123", "主治医师：李医生，北京协和医院",
		"北京市东城区帅府园1号", "尊敬的病案室工作人员：", "请提供完整的复印件，而非摘要", "原始DICOM影像文件", "此致敬礼！", "签名："} {
		// Wrapped Chinese lines extract with a line break between them.
		if !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(w, " ", "")) {
			t.Errorf("letter lacks %q", w)
		}
	}
	// Every request is in the letter, in Chinese where the checklist has
	// it, in English otherwise.
	zh, err := checklist.Texts(i18n.ChineseSimplified)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range LetterItems(rep) {
		want := it.Request
		if r := zh.Rule(it.RuleID).Request; r != "" {
			want = r
		}
		if !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(want, " ", "")) {
			t.Errorf("letter does not ask for %s: %q", it.RuleID, want)
		}
	}
	for _, en := range []string{"Request for copies", "Dear Records Officer", "Yours sincerely", "How to send them", "Medical Records Department"} {
		if strings.Contains(text, en) {
			t.Errorf("Chinese letter shows English %q", en)
		}
	}
}

func TestUnknownLanguage(t *testing.T) {
	err := WriteSummary(context.Background(), &bytes.Buffer{}, Summary{Level: privacy.Identified, Language: "tlh"})
	if !errors.Is(err, i18n.ErrUnknownLanguage) {
		t.Errorf("summary: %v", err)
	}
	err = WriteLetter(context.Background(), &bytes.Buffer{}, Letter{Report: lungReport(t), Language: "tlh"})
	if !errors.Is(err, i18n.ErrUnknownLanguage) {
		t.Errorf("letter: %v", err)
	}
}

// English is the reference: its texts are the Heading constants and the
// category names of doctext.
func TestEnglishTexts(t *testing.T) {
	en := i18n.MustLoad(i18n.English)
	for i, h := range []string{HeadingQuestions, HeadingPlan, HeadingPatient, HeadingDiagnosis, HeadingTimeline, HeadingBiomarkers,
		HeadingContents, HeadingMissing, HeadingShipped, HeadingLeftOut, HeadingPrivacy, HeadingFingerprint} {
		if got := en.T(HeadingKeys[i]); got != h {
			t.Errorf("en.json %s = %q, want %q", HeadingKeys[i], got, h)
		}
	}
	for _, c := range doctext.Categories() {
		if got := en.T("cover.category." + string(c)); got != c.Name() {
			t.Errorf("en.json cover.category.%s = %q, doctext says %q", c, got, c.Name())
		}
	}
}

func TestWrapChinese(t *testing.T) {
	para := i18n.MustLoad(i18n.ChineseSimplified).T("letter.how.scans")
	lines := wrap(para, StyleBody, 200)
	if len(lines) < 3 {
		t.Fatalf("not wrapped: %q", lines)
	}
	for _, l := range lines {
		if textWidth(l, StyleBody) > 200 {
			t.Errorf("line too wide: %q", l)
		}
		if r := []rune(l)[0]; strings.ContainsRune(noBreakBefore, r) {
			t.Errorf("line starts with %q: %q", r, l)
		}
	}
	if got := strings.Join(lines, ""); strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(para, " ", "") {
		t.Errorf("text changed:\n%s\n%s", got, para)
	}
	// Latin text still breaks at spaces only.
	for _, l := range wrap("Scans: please copy the original DICOM image files", StyleBody, 120) {
		if strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ") || strings.Contains(l, "DICO ") {
			t.Errorf("bad line %q", l)
		}
	}
}

// What a partly met item still lacks is named in the letter's language.
func TestLetterChineseStill(t *testing.T) {
	rep := &checklist.Report{Rules: []checklist.Result{{ID: "aml-marrow", Title: "Bone marrow report", Status: checklist.StatusPartial,
		Required: true, Request: "The bone marrow report.", Missing: []string{"bone marrow", "FISH"}}}}
	var buf bytes.Buffer
	err := WriteLetter(context.Background(), &buf, Letter{Language: i18n.ChineseSimplified, Report: rep, Date: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool(t, "pdftotext"), "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if text := strings.ReplaceAll(squash(string(out)), " ", ""); !strings.Contains(text, "尤其需要：骨髓、FISH。") {
		t.Errorf("the letter does not name what is still needed in Chinese:\n%s", out)
	}
}
