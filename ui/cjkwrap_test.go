package ui

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/bundle"
)

func TestMarkBreaks(t *testing.T) {
	for in, want := range map[string]string{
		"请提供PET-CT检查": "请|提|供|PET-CT|检|查",
		"共 10 张影像，缺少 2 张（编号从 1 到 10）。": "共 10 张|影|像，|缺|少 2 张|（编|号|从 1 到 10）。",
		"Dossier 对报告和信函的分类":            "Dossier 对|报|告|和|信|函|的|分|类",
		"2026年9月5日":                    "2026|年|9|月|5|日",
		"only English here":            "only English here",
	} {
		if got := strings.ReplaceAll(markBreaks(in), string(breakMark), "|"); got != want {
			t.Errorf("markBreaks(%q) = %q, want %q", in, got, want)
		}
		if unmarked(markBreaks(in)) != in {
			t.Errorf("unmarked(markBreaks(%q)) changed the text", in)
		}
	}
}

// shownLines returns the text of each line a wrapping label shows.
func shownLines(l *widget.Label) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *canvas.Text:
			if o.Visible() && o.Text != "" {
				out = append(out, o.Text)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(o).Objects() {
				walk(k)
			}
		case *fyne.Container:
			for _, k := range o.Objects {
				walk(k)
			}
		}
	}
	walk(l)
	return out
}

// TestChineseWrapKeepsLatinWords: in the Chinese UI a wrapping label of mixed Chinese and Latin
// text breaks between Chinese characters, fills its lines, and never cuts a Latin word, a number or
// a date; the break marks take no room.
func TestChineseWrapKeepsLatinWords(t *testing.T) {
	t.Cleanup(func() { useLanguage("") })
	t.Setenv("LANGUAGE", "")
	a := test.NewTempApp(t)
	useLanguage("zh-Hans")
	applyAppearance(a)
	const text = "请提供PET-CT检查的原始DICOM图像文件以及HER2和Ki-67免疫组化结果，并附上2026-08-20的病理报告和Dossier生成的摘要。"
	words := []string{"PET-CT", "DICOM", "HER2", "Ki-67", "2026-08-20", "Dossier"}
	if w, m := fyne.MeasureText("中文", 14, fyne.TextStyle{}), fyne.MeasureText(markBreaks("中文"), 14, fyne.TextStyle{}); w != m {
		t.Errorf("the break mark takes room: %v without, %v with", w, m)
	}
	if w, m := fyne.MeasureText("中文", 14, fyne.TextStyle{Bold: true}), fyne.MeasureText(markBreaks("中文"), 14, fyne.TextStyle{Bold: true}); w != m {
		t.Errorf("the break mark takes room in bold: %v without, %v with", w, m)
	}
	for _, width := range []float32{120, 160, 220, 300} {
		l := newWrapLabel(text)
		w := test.NewWindow(container.NewVBox(l))
		w.Resize(fyne.NewSize(width, 600))
		lines := shownLines(l)
		w.Close()
		if len(lines) < 2 {
			t.Fatalf("width %v: not wrapped: %q", width, lines)
		}
		joined := unmarked(strings.Join(lines, "\n"))
		if strings.ReplaceAll(joined, "\n", "") != text {
			t.Errorf("width %v: the text changed: %q", width, joined)
		}
		for _, word := range words {
			if !strings.Contains(joined, word) {
				t.Errorf("width %v: %q is broken across lines: %q", width, word, lines)
			}
		}
		// Lines are filled: none but the last is less than half the width.
		for _, line := range lines[:len(lines)-1] {
			if lw := fyne.MeasureText(line, theme.TextSize(), fyne.TextStyle{}).Width; lw < (width-30)/2 {
				t.Errorf("width %v: short line %q (%v)", width, unmarked(line), lw)
			}
		}
	}
}

// TestChineseLabelsKeepLatinWords: in the Chinese UI no label of running text on the case screen
// (each tab), in Settings, the About box, the open screen or an error box wraps between any two
// characters, which breaks Latin words such as "Dossier" or "DICOM" mid-word: they wrap as
// newWrapLabel does. (Monospace keys and fingerprints, and paths, may break anywhere.)
func TestChineseLabelsKeepLatinWords(t *testing.T) {
	t.Cleanup(func() { useLanguage("") })
	t.Setenv("LANGUAGE", "")
	useLanguage("zh-Hans")
	t.Setenv("DOSSIER_HOME", t.TempDir())
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, breastReports())}})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)
	n := 0
	look := func(where string) {
		t.Helper()
		loop.drain(20e6)
		for _, o := range shown(v.win) {
			l, ok := o.(*widget.Label)
			if !ok || l.TextStyle.Monospace || l.Wrapping != fyne.TextWrapBreak || filepath.IsAbs(l.Text) { // a path may break anywhere
				continue
			}
			n++
			if latin.MatchString(l.Text) {
				t.Errorf("%s: %q wraps between any two characters", where, l.Text)
			}
		}
	}
	for i := range v.checks.tabs.Items {
		v.checks.tabs.SelectIndex(i)
		look(fmt.Sprintf("tab %d", i+1))
	}
	v.showSettings()
	look("Settings")
	closeDialogs(v)
	v.showAbout()
	look("About")
	closeDialogs(v)
	v.showOpen("")
	v.opener.errBox.Show(problem{Title: "Dossier", What: "Dossier 无法打开这个 DICOM 文件。", Todo: "请再试一次。"})
	v.opener.dest = "/home/jane/received"
	v.opener.showResult(&bundle.Report{Files: 3, Bytes: 1 << 20, Privacy: "identified", Fingerprint: strings.Repeat("ab", 32),
		Names: []string{"COVER.PDF", "DICOM/IM1", "INDEX.HTM"}})
	look("the open screen")
	t.Logf("%d labels wrap anywhere", n)
}
