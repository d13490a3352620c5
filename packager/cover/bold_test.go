package cover

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"dossier/internal/testtool"
	"dossier/packager/i18n"
	"dossier/packager/privacy"
)

// TestChineseHeadingsBoldOnCover: the Chinese cover sets its headings in a bold Chinese face
// (embedded beside the regular one), and its body text in the regular face.
func TestChineseHeadingsBoldOnCover(t *testing.T) {
	s := fullSummary(t, privacy.Identified, "王小明")
	s.Language = i18n.ChineseSimplified
	path, _ := render(t, s)
	if dst := os.Getenv("DOSSIER_KEEP_COVER"); dst != "" { // to look at it: pdftoppm -png
		b, _ := os.ReadFile(path)
		_ = os.WriteFile(dst, b, 0o600)
	}
	out, err := exec.Command(testtool.Look(t, "pdffonts", "poppler-utils"), path).Output()
	if err != nil {
		t.Fatalf("pdffonts: %v", err)
	}
	if !strings.Contains(string(out), FontCJKBold) || !strings.Contains(string(out), FontCJK) {
		t.Fatalf("the Chinese cover does not embed both Chinese faces:\n%s", out)
	}
	// Each heading's Chinese characters are set in the bold face.
	for _, h := range zhHeadings {
		for _, r := range runs(h, FontBold) {
			if r.font != FontCJKBold && strings.TrimSpace(r.text) != "" {
				t.Errorf("heading %q: %q is set in %s", h, r.text, r.font)
			}
		}
	}
	// Body text stays regular.
	for _, r := range runs("病理报告：见附件", FontRegular) {
		if r.font == FontCJKBold {
			t.Errorf("body text %q is bold", r.text)
		}
	}
	// A character outside the bold cut falls back to the regular Chinese face, not to "?".
	if rs := runs("龘", FontBold); len(rs) != 1 || rs[0].font != FontCJK {
		t.Errorf("a rare character in a heading: %+v", rs)
	}
}

// TestWrapMixedKeepsLatinWords: Chinese text with Latin words, numbers and codes in it breaks
// between Chinese characters and at spaces, never inside a Latin word.
func TestWrapMixedKeepsLatinWords(t *testing.T) {
	para := "请提供PET-CT检查的原始DICOM图像文件以及HER2和Ki-67免疫组化结果，并附上2026-08-20的病理报告（编号H123456）和Dr Ana Silva的联系方式。"
	words := []string{"PET-CT", "DICOM", "HER2", "Ki-67", "2026-08-20", "H123456", "Ana", "Silva"}
	for _, width := range []float64{60, 90, 120, 150, 200} {
		lines := wrap(para, StyleBody, width)
		if len(lines) < 2 {
			t.Fatalf("width %v: not wrapped: %q", width, lines)
		}
		for _, l := range lines {
			if textWidth(l, StyleBody) > width {
				t.Errorf("width %v: line too wide: %q", width, l)
			}
		}
		joined := strings.Join(lines, "\n")
		for _, w := range words {
			if textWidth(w, StyleBody) > width {
				continue // a word wider than a line is cut: there is no other way
			}
			if !strings.Contains(joined, w) {
				t.Errorf("width %v: %q broken across lines: %q", width, w, lines)
			}
		}
	}
}
