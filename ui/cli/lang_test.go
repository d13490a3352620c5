package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dossier/internal/testtool"
	"dossier/packager/i18n"
)

// TestMain runs the tests in English whatever the machine's locale, as the
// language of the PDFs follows it by default.
func TestMain(m *testing.M) {
	if i18n.FromEnv() != i18n.English {
		os.Unsetenv("LC_ALL")
		os.Unsetenv("LC_MESSAGES")
		os.Setenv("LANG", "C.UTF-8")
	}
	os.Exit(m.Run())
}

// pdfText checks a PDF with qpdf and returns its text, squashed.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	if out, err := exec.Command(testtool.Look(t, "qpdf", "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(testtool.Look(t, "pdftotext", "poppler-utils"), "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestLetterChinese(t *testing.T) {
	pdf := filepath.Join(t.TempDir(), "request.pdf")
	code, out, errOut := run(t, "letter", "--lang", "zh-Hans", "--cancer", "lung", "--out", pdf, lungDir(t))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "request.pdf") {
		t.Errorf("stdout: %q", out)
	}
	raw := pdfText(t, pdf)
	for _, line := range []string{"病历资料复印申请", "申请复印的资料", "提供方式"} {
		if !strings.Contains(raw, "\n"+line+"\n") {
			t.Errorf("letter lacks the line %q:\n%s", line, raw)
		}
	}
	if !regexp.MustCompile(`\n20\d\d年1?\d月[123]?\d日\n`).MatchString(raw) {
		t.Errorf("letter has no date in Chinese:\n%s", raw)
	}
	if strings.Contains(raw, "Dear Records Officer") || strings.Contains(raw, "Records requested") {
		t.Errorf("Chinese letter has English text:\n%s", raw)
	}
}

func TestLangFromEnvironment(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	for locale, want := range map[string]string{"zh_CN.UTF-8": "病历资料复印申请", "en_GB.UTF-8": "Request for copies of medical records"} {
		t.Setenv("LANG", locale)
		pdf := filepath.Join(t.TempDir(), "request.pdf")
		if code, _, errOut := run(t, "letter", "--cancer", "lung", "--out", pdf, lungDir(t)); code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if raw := pdfText(t, pdf); !strings.Contains(raw, want) {
			t.Errorf("LANG=%s: letter lacks %q", locale, want)
		}
	}
	// --lang wins over the environment.
	t.Setenv("LANG", "zh_CN.UTF-8")
	pdf := filepath.Join(t.TempDir(), "request.pdf")
	if code, _, errOut := run(t, "letter", "--lang", "en", "--cancer", "lung", "--out", pdf, lungDir(t)); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if raw := pdfText(t, pdf); !strings.Contains(raw, "Request for copies of medical records") {
		t.Errorf("--lang en is not English")
	}
}

func TestLangUnknown(t *testing.T) {
	for _, args := range [][]string{
		{"letter", "--lang", "tlh", "--out", filepath.Join(t.TempDir(), "l.pdf"), t.TempDir()},
		{"pack", "--lang", "tlh", "--folder", filepath.Join(t.TempDir(), "b"), t.TempDir()},
	} {
		code, _, errOut := run(t, args...)
		if code != ExitUsage || !strings.Contains(errOut, `"tlh"`) || !strings.Contains(errOut, "zh-Hans") {
			t.Errorf("%s: exit %d, %s", args[0], code, errOut)
		}
	}
}

func TestPackChineseCover(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := deidCase(t)
	folder := filepath.Join(t.TempDir(), "visit")
	code, _, errOut := run(t, "pack", "--lang", "zh-Hans", "--folder", folder, "--cancer", "breast", "--question", "手术是否应该先做？", src)
	if code != ExitOK {
		t.Fatalf("pack: exit %d: %s", code, errOut)
	}
	covers, _ := filepath.Glob(filepath.Join(folder, "COVER.PDF"))
	more, _ := filepath.Glob(filepath.Join(folder, "*", "COVER.PDF"))
	covers = append(covers, more...)
	if len(covers) == 0 {
		t.Fatalf("no COVER.PDF in %s", folder)
	}
	raw := pdfText(t, covers[0])
	for _, line := range []string{"第二诊疗意见摘要", "请专家解答的问题", "1. 手术是否应该先做？", "资料包指纹"} {
		if !strings.Contains(raw, "\n"+line+"\n") && !strings.HasPrefix(raw, line+"\n") {
			t.Errorf("cover lacks the line %q:\n%s", line, raw)
		}
	}
}
