package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/assets"
	"dossier/internal/fixture/dcmfix"
	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/store"
	"dossier/ui/internal/kit"
)

// TestAboutShowsVersion: Help › About shows the version from the Config.
func TestAboutShowsVersion(t *testing.T) {
	v, _ := newTestView(t, Config{Version: "1.2.3"})
	closeDialogs(v)
	v.showAbout()
	if !hasLabel(v.win, "Version 1.2.3") || !hasLabel(v.win, "never changes them") {
		t.Errorf("about box shows %q", labels(v.win))
	}
}

// TestGuideShownOnce: the walkthrough opens on the first start only, goes through its five steps, and
// is there again from Help.
func TestGuideShownOnce(t *testing.T) {
	a := test.NewTempApp(t)
	w1 := newMainView(a, Config{}, newUILoop().post)
	defer w1.win.Close()
	if !hasLabel(w1.win, "1. Ask for your records") {
		t.Fatalf("no walkthrough at the first start: %q", labels(w1.win))
	}
	// Where DICOM first appears, it is explained.
	if !hasLabel(w1.win, "(the DICOM files — DICOM is the format hospitals keep scans in") {
		t.Errorf("DICOM is not explained where it first appears: %q", labels(w1.win))
	}
	for i := 0; i < 4; i++ {
		test.Tap(findButton(w1.win, "Next"))
	}
	if !hasLabel(w1.win, "5. Send everything at once") || !hasLabel(w1.win, "Step 5 of 5") {
		t.Errorf("last step: %q", labels(w1.win))
	}
	test.Tap(findButton(w1.win, "Start"))
	if hasLabel(w1.win, "Step 5 of 5") {
		t.Error("the walkthrough did not close")
	}
	w2 := newMainView(a, Config{}, newUILoop().post)
	defer w2.win.Close()
	if hasLabel(w2.win, "1. Ask for your records") {
		t.Error("the walkthrough came back at the second start")
	}
	w2.showGuide()
	if !hasLabel(w2.win, "1. Ask for your records") {
		t.Error("Help › How Dossier works shows nothing")
	}
}

// TestSettingsLookPersisted: colours, text size and language are kept in the preferences; colours and
// text size apply at once.
func TestSettingsLookPersisted(t *testing.T) {
	v, _ := newTestView(t, Config{})
	closeDialogs(v)
	s := newSettingsView(v)
	s.theme.SetSelected("Dark")
	s.textSize.SetSelected("Larger")
	s.language.SetSelected("简体中文")
	p := v.app.Preferences()
	if p.String(prefTheme) != "dark" || p.Float(prefTextSize) != 1.4 || p.String(prefLanguage) != "zh-Hans" {
		t.Errorf("preferences: theme %q, size %v, language %q", p.String(prefTheme), p.Float(prefTextSize), p.String(prefLanguage))
	}
	th := v.app.Settings().Theme()
	if _, ok := th.(*appTheme); !ok {
		t.Fatalf("theme is %T", th)
	}
	base := th.(*appTheme).base
	if th.Size(theme.SizeNameText) != base.Size(theme.SizeNameText)*1.4 {
		t.Errorf("text size %v, base %v", th.Size(theme.SizeNameText), base.Size(theme.SizeNameText))
	}
	if th.Color(theme.ColorNameBackground, theme.VariantLight) != base.Color(theme.ColorNameBackground, theme.VariantDark) {
		t.Error("dark colours are not forced")
	}
	if !s.langNote.Visible() {
		t.Error("no note that the language changes at the next start")
	}
	// Restart now: what was typed is kept and Dossier starts again (here the start fails, and says so).
	started := 0
	startAgain = func() error { started++; return errors.New("not in a test") }
	t.Cleanup(func() { startAgain = defaultStartAgain })
	if !s.restart.Visible() {
		t.Fatal("no Restart button with the note")
	}
	test.Tap(s.restart)
	if started != 1 || !hasLabel(v.win, "could not start again by itself") {
		t.Errorf("restart: started %d times; %q", started, labels(v.win))
	}
	// A new settings dialog shows the choices made.
	s2 := newSettingsView(v)
	if s2.theme.Selected != "Dark" || s2.textSize.Selected != "Larger" || s2.language.Selected != "简体中文" {
		t.Errorf("settings show %q %q %q", s2.theme.Selected, s2.textSize.Selected, s2.language.Selected)
	}
}

// TestWindowSizeAndFolderRemembered: the window size and the last folder are kept for the next run.
func TestWindowSizeAndFolderRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	a.Preferences().SetBool(prefGuideSeen, true)
	v := newMainView(a, Config{}, newUILoop().post)
	v.win.Resize(fyne.NewSize(900, 640))
	dir := t.TempDir()
	v.rememberFolder([]string{filepath.Join(dir, "report.pdf")})
	v.closed()
	v.win.Close()
	if got := a.Preferences().String(prefLastFolder); got != dir {
		t.Errorf("last folder %q, want %q", got, dir)
	}
	v2 := newMainView(a, Config{}, newUILoop().post)
	defer v2.win.Close()
	if s := v2.rememberedSize(); s.Width != 900 || s.Height != 640 {
		t.Errorf("remembered size %v", s)
	}
}

// TestFocusOrder: Tab goes through the case screen's buttons in reading order and the focus is seen.
func TestFocusOrder(t *testing.T) {
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, breastReports())}})
	loop.until(t, "the scan", func() bool { return idle(v)() && v.checks.report != nil })
	closeDialogs(v)
	v.status.hideMessage() // "Added 3 files", whose close button comes first
	c := v.win.Canvas()
	var order []string
	for i := 0; i < 6; i++ {
		test.FocusNext(c)
		switch f := c.Focused().(type) {
		case *widget.Button:
			order = append(order, f.Text)
		case *button:
			order = append(order, f.Text)
		case nil:
			order = append(order, "<nothing>")
		default:
			order = append(order, "other")
		}
	}
	want := []string{"Your cases", "Add files…", "Add folder…", "Send to a specialist…", "Write my question…"}
	for i, w := range want {
		if i >= len(order) || order[i] != w {
			t.Fatalf("Tab order %q, want it to start %q", order, want)
		}
	}
}

// TestTranslationsComplete: every key of en.json is in every other language file, and every text the
// UI asks lang for (lang.X with literal key and English) is in en.json with the same English.
func TestTranslationsComplete(t *testing.T) {
	read := func(name string) map[string]string {
		b, err := assets.UITranslations.ReadFile(path.Join(assets.UITranslationsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		raw := map[string]any{}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// A counted text (lang.XN) has its plural forms; "other" stands for it.
		m := map[string]string{}
		for k, v := range raw {
			switch v := v.(type) {
			case string:
				m[k] = v
			case map[string]any:
				if s, ok := v["other"].(string); ok && strings.Contains(s, "{{.N}}") {
					m[k] = s
				}
				if one, ok := v["one"].(string); ok && !strings.Contains(one, "{{.N}}") {
					t.Errorf("%s: the one form of %q lacks {{.N}}", name, k)
				}
			default:
				t.Errorf("%s: %q is neither a text nor plural forms", name, k)
			}
		}
		return m
	}
	en := read("en.json")
	ents, _ := assets.UITranslations.ReadDir(assets.UITranslationsDir)
	if len(ents) < 2 {
		t.Fatalf("only %d translation files", len(ents))
	}
	for _, e := range ents {
		m := read(e.Name())
		for k := range en {
			if m[k] == "" {
				t.Errorf("%s lacks %q", e.Name(), k)
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has %q, which en.json has not", e.Name(), k)
			}
		}
	}
	var files []string
	for _, dir := range []string{".", "export", "internal/kit"} { // the app and the packages of its screens
		fs, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		files = append(files, fs...)
	}
	if len(files) < 30 {
		t.Fatalf("only %d Go files to look at", len(files))
	}
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) < 2 {
				return true
			}
			if sel, ok := c.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "X" && sel.Sel.Name != "XN" || fmtIdent(sel.X) != "lang" {
				return true
			}
			k, ok1 := c.Args[0].(*ast.BasicLit)
			if !ok1 {
				return true
			}
			key, _ := strconv.Unquote(k.Value)
			if _, ok := en[key]; !ok {
				t.Errorf("%s: key %q is not in en.json", fset.Position(c.Pos()), key)
			}
			s, ok2 := c.Args[1].(*ast.BasicLit)
			if !ok2 {
				return true
			}
			eng, _ := strconv.Unquote(s.Value)
			if en[key] != eng {
				t.Errorf("%s: key %q is %q in the code and %q in en.json", fset.Position(c.Pos()), key, eng, en[key])
			}
			return true
		})
	}
}

func fmtIdent(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// On Windows and macOS the locale comes from the system, not from LANGUAGE: the chosen language is
// registered under the system's own locale instead. Taken here on Linux with an English locale.
func TestLanguageChoiceBySystemLocale(t *testing.T) {
	for _, v := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES"} {
		t.Setenv(v, "")
	}
	t.Setenv("LANG", "en_US.UTF-8")
	sys := lang.SystemLocale()
	t.Cleanup(func() {
		// The system's locale speaks English again for the tests after this one.
		en, _ := readUITranslation("en")
		b, _ := json.Marshal(en)
		_ = lang.AddTranslationsForLocale(b, sys)
		useLanguage("")
	})
	useLanguageOn("windows", "zh-Hans")
	if os.Getenv("LANGUAGE") != "" {
		t.Error("LANGUAGE set on Windows")
	}
	if got := currentLanguage(); got != "zh-Hans" {
		t.Errorf("Chinese chosen on a %s system: the UI is in %q", sys, got)
	}
	if got := lang.X("button.cancel", "Cancel"); got != "取消" {
		t.Errorf("Cancel is %q", got)
	}
	// Counted by the English system's rules, the Chinese texts still have a form for 1 and for 3.
	for _, n := range []int{1, 3} {
		if got, want := kit.FileCount(n), fmt.Sprintf("%d 个文件", n); got != want {
			t.Errorf("%d files on a Chinese UI over an English system: %q, want %q", n, got, want)
		}
	}
	useLanguageOn("darwin", "en")
	if got := currentLanguage(); got != "en" {
		t.Errorf("English chosen again: the UI is in %q", got)
	}
}

// TestChineseRun: with Chinese chosen, the cases list, case screen, checklist, walkthrough and
// settings show Chinese titles, in a font that has them.
func TestChineseRun(t *testing.T) {
	t.Cleanup(func() { useLanguage("") }) // runs after LANGUAGE is restored
	t.Setenv("LANGUAGE", "")
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefLanguage, "zh-Hans")
	v, loop, _ := newStoreView(t, a)
	if currentLanguage() != "zh-Hans" {
		t.Fatalf("language %q", currentLanguage())
	}
	if !hasLabel(v.win, "1. 索取病历") {
		t.Errorf("walkthrough not in Chinese: %q", labels(v.win))
	}
	closeDialogs(v)
	if !hasLabel(v.win, "将您的病历拖放到这里") && !hasLabel(v.win, "收集专科医生") {
		t.Errorf("welcome not in Chinese: %q", labels(v.win))
	}
	// The reports, and an ultrasound image, whose burned-in risk intake reports in English.
	files := breastReports()
	files["US/IM1"] = dcmfix.Instance(dcmfix.Spec{Modality: "US", StudyUID: "1.2.826.0.1.3680043.10.1999.8",
		SeriesUID: "1.2.826.0.1.3680043.10.1999.8.1", InstanceNumber: 1, StudyDate: "20260905",
		PatientName: "Doe^Jane", PatientID: "PID0001", BirthDate: "19610203"})
	v.add([]string{writeFiles(t, files)})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	for _, want := range []string{"Jane Doe", "报告和文件", "必需项目", "您希望专科医生回答什么问题？",
		"有 1 张影像的画面本身可能显示姓名或其他信息", "2026年9月5日"} {
		if !hasLabel(v.win, want) {
			t.Errorf("case screen lacks %q: %q", want, labels(v.win))
		}
	}
	for _, english := range []string{"New case", "November", "September", "image may show names"} {
		if hasLabel(v.win, english) {
			t.Errorf("case screen shows English %q: %q", english, labels(v.win))
		}
	}
	gap := intake.Problem{Code: intake.ProblemMissingInstances, Message: "One series (CT, no description) seems incomplete: …",
		Args: []any{"CT", "", 2, 10, 1, 10}}
	if got, want := problemText(gap), "有一个序列（CT，无描述）似乎不完整：共 10 张影像中缺少 2 张（编号从 1 到 10）。"; !strings.HasPrefix(got, want) {
		t.Errorf("missing instances: %q, want %q…", got, want)
	}
	// Findings written into the inventory (kept in English in the store) are shown in Chinese, details
	// that no one translated (a file name) as they are.
	se := &intake.Series{Modality: "CT", Instances: 8, Problems: []i18n.Text{i18n.NewText("%d of %d images are missing (numbers run from %d to %d)", 2, 10, 1, 10)}}
	if got := seriesNode(se).detail; !strings.Contains(got, "10 张影像中缺少 2 张（编号从 1 到 10）") {
		t.Errorf("series gap: %q", got)
	}
	for it, want := range map[*intake.Item]string{
		{Path: "/c/.Trashes", Kind: intake.KindSkipped, Reason: i18n.NewText("system folder, not a record")}:                                                                                   "系统文件夹，不是病历",
		{Path: "/c/a.pdf", Kind: intake.KindPDF, Format: "pdf", Problems: []i18n.Text{i18n.NewText("this PDF is locked with a password: ask for an unlocked copy, or print it to a new PDF")}}: "此 PDF 设有密码",
		{Path: "/c/b.dcm", Kind: intake.KindDICOM, Problems: []i18n.Text{i18n.NewText("the same image as %v: probably a second copy", "CD/IM1")}}:                                              "与 CD/IM1 是同一张影像",
	} {
		if got := itemNode(it).detail; !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", it.Path, got, want)
		}
	}
	// Sizes, the history and the date check speak Chinese too.
	if got := humanSize(761); got != "761 字节" {
		t.Errorf("size %q", got)
	}
	x := &store.Export{Recipient: "generated passphrase", Level: "pseudonymised", Bytes: 2000, Items: make([]store.ExportItem, 3)}
	if got := historyDetail(x); !strings.HasPrefix(got, "以自动生成的密码加密 · 用代号 · ") || !strings.HasSuffix(got, "3 个文件") {
		t.Errorf("history %q", got)
	}
	if got := historyDetail(&store.Export{Recipient: "2 public keys", Level: "identified"}); !strings.HasPrefix(got, "发给 2 个公钥 · 实名") {
		t.Errorf("history for a centre %q", got)
	}
	if err := checkDate("出生日期", "1961-02-03", "3 Feb"); err == nil || err.Error() != "请按“年-月-日”填写出生日期，例如 1961-02-03" {
		t.Errorf("date check: %v", err)
	}
	// Every note the checklist shows, however it was built, and its guidance are in Chinese.
	notes := 0
	for id, row := range v.checks.panel.rows {
		if n := row.result.Note(); n != "" {
			notes++
			if !regexp.MustCompile(`\p{Han}`).MatchString(n) {
				t.Errorf("%s: note %q", id, n)
			}
		}
	}
	if notes == 0 {
		t.Error("no checklist item has a note")
	}
	for _, want := range []string{"对于大多数实体肿瘤", "对大多数癌症来说，远程会诊效果很好"} {
		if !hasLabel(v.win, want) {
			t.Errorf("checklist guidance lacks %q", want)
		}
	}
	// Document kinds are named in Chinese; what is chosen is the kind, not its name.
	var set doctext.Category
	row := newDocRow(&documentsPanel{onSet: func(_ string, c doctext.Category) { set = c }})
	row.set(checklist.Document{Path: "/r/report.pdf", Category: doctext.CategoryTreatment})
	if got := row.kind.Select.Options; !slices.Contains(got, "治疗总结") || slices.Contains(got, "Treatment summary") {
		t.Errorf("document kinds not in Chinese: %q", got)
	}
	if !row.kind.Is(doctext.CategoryTreatment) || row.kind.Select.Selected != "治疗总结" {
		t.Errorf("the treatment summary is shown as %q", row.kind.Select.Selected)
	}
	row.kind.Select.SetSelected("病理报告")
	if set != doctext.CategoryPathology {
		t.Errorf("choosing the Chinese pathology kind set %q", set)
	}
	send := findButton(v.win, "发送给专科医生…")
	if send == nil {
		t.Error("no Chinese send button")
	}
	// The checklist's rules are in Chinese too (rules.zh-Hans.json), and so are their buttons.
	if !hasLabel(v.win, "病理报告") || !hasLabel(v.win, "审阅专家必需的资料") {
		t.Errorf("checklist rules not in Chinese: %q", labels(v.win))
	}
	if hasLabel(v.win, "Pathology report") {
		t.Errorf("an English rule title in the Chinese checklist: %q", labels(v.win))
	}
	if findButton(v.win, "展开") == nil {
		t.Error("no Chinese “More” button in the checklist")
	}
	if row := v.checks.panel.rows["pathology-report"]; row == nil {
		t.Error("no pathology report row in the checklist")
	} else {
		test.Tap(row.toggle)
		if row.toggle.Text != "收起" || !hasLabel(v.win, "为什么重要") || !hasLabel(v.win, "病理报告就是诊断本身") {
			t.Errorf("an opened checklist item is not in Chinese: %q", labels(v.win))
		}
	}
	if send != nil {
		test.Tap(send)
		if v.wizard == nil {
			t.Fatal("the export wizard did not open")
		}
		w := v.wizard
		level := radioWith(t, v.root, "附带我的姓名（用于针对我本人治疗的第二诊疗意见）")
		if !hasLabel(v.win, "专科中心应该了解您的多少信息？") || !hasLabel(v.win, "第 1 步，共 5 步") {
			t.Errorf("export wizard step title not in Chinese: %q", labels(v.win))
		}
		if level.Selected != level.Options[0] || !hasLabel(v.win, "请选择随病历一起发送多少") {
			t.Errorf("export wizard choices not in Chinese: %q / %q", level.Options, labels(v.win))
		}
		if findButton(v.win, "下一步") == nil || findButton(v.win, "关闭") == nil {
			t.Errorf("export wizard buttons not in Chinese: %q", labels(v.win))
		}
		coded := radioWith(t, v.root, "用代号代替我的姓名")
		coded.SetSelected(coded.Options[0])
		test.Tap(findButton(v.win, "下一步"))
		loop.until(t, "the decisions", func() bool { return !w.Busy() })
		if !hasLabel(v.win, "请对这些文件做出决定") && !hasLabel(v.win, "将发送") {
			t.Errorf("export wizard step 2 not in Chinese: %q", labels(v.win))
		}
		if !hasLabel(v.win, "这类影像（超声") || hasLabel(v.win, "this kind of image") {
			t.Errorf("the ultrasound image's reason is not in Chinese: %q", labels(v.win))
		}
		test.Tap(findButton(v.win, "下一步"))
		var cover *radioGroup
		walk(v.root, func(o fyne.CanvasObject) {
			if s, ok := o.(*radioGroup); ok && slices.Contains(s.Options, "简体中文") {
				cover = s
			}
		})
		if cover == nil || cover.Selected != "简体中文" {
			t.Errorf("the cover summary would not be in Chinese: %v", cover)
		}
		test.Tap(findButton(v.win, "关闭"))
	}
	v.showCases()
	loop.until(t, "the list", func() bool { return v.cases != nil && len(v.cases.shown) == 1 })
	if !hasLabel(v.win, "我的病例") {
		t.Errorf("cases list not in Chinese: %q", labels(v.win))
	}
	th, ok := a.Settings().Theme().(*appTheme)
	if !ok || th.font == nil {
		t.Error("no CJK font in the theme")
	}
}

// TestLetterFolderOutsideTheRecords: the request letter is offered a folder outside the folders the
// records were added from: Documents, else the desktop, else home, else Dossier's own folder.
func TestLetterFolderOutsideTheRecords(t *testing.T) {
	home := t.TempDir()
	t.Setenv("DOSSIER_HOME", filepath.Join(t.TempDir(), "dossier"))
	for _, d := range []string{"Documents/records/CD", "Desktop"} {
		os.MkdirAll(filepath.Join(home, d), 0o755)
	}
	inv := func(paths ...string) *intake.Inventory {
		out := &intake.Inventory{}
		for _, p := range paths {
			out.Items = append(out.Items, &intake.Item{Path: filepath.Join(home, p)})
		}
		return out
	}
	for _, c := range []struct {
		inv  *intake.Inventory
		want string
	}{
		{inv("Documents/records/CD/DICOM/IM1", "Documents/records/report.pdf"), filepath.Join(home, "Documents")},
		{inv("Documents/a.pdf", "Documents/records/b.pdf"), filepath.Join(home, "Desktop")},
		{inv("Documents/a.pdf", "Desktop/b.pdf"), filepath.Join(os.Getenv("DOSSIER_HOME"), "letters")},
		{nil, filepath.Join(home, "Documents")},
	} {
		if got := letterFolder(c.inv, home); got != c.want {
			t.Errorf("%v: %q, want %q", c.inv, got, c.want)
		}
	}
}
