package export

import (
	"context"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/bundle"
	"dossier/packager/checklist"
	"dossier/packager/deid"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
)

// TestCoverSaysWhatWasRedactedAndWhatWasSentNamed: at the anonymised
// level a pathology PDF naming the patient is redacted and the cover says
// so by counts; a letter naming her that the sender chose to send as it is
// makes the cover say plainly that it carries her details, instead of
// "identity removed". No value is on the cover.
func TestCoverSaysWhatWasRedactedAndWhatWasSentNamed(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a-pathology.pdf"), docfix.PDF("Surgical pathology report for Jane Doe", "Invasive ductal carcinoma"), 0o644)
	// An ODT letter that names her is still held for review (ODT is not redacted), so including it sends it named.
	os.WriteFile(filepath.Join(dir, "b-letter.odt"), docfix.ODT(docfix.ODTParts{Body: []string{"Dear colleague, I saw Jane Doe today."}}), 0o644)
	d := checklist.Details{Patient: checklist.Patient{Name: "Jane Doe"}}
	for _, lang := range []string{"en", "zh-Hans"} {
		text := coverText(t, dir, privacy.Anonymised, lang, d)
		if strings.Contains(text, "Jane") || strings.Contains(text, "Doe") {
			t.Errorf("%s: the cover names the patient: %s", lang, text)
		}
		if n := strings.Count(text, "DOC00002.ODT"); n < 2 {
			t.Errorf("%s: the privacy section does not say the letter was sent named (%d mentions)", lang, n)
		}
		want := []string{"DOC00001.PDF: the patient's details were removed in 1 place (name 1)", "Not all identity is withheld", "DOC00002.ODT"}
		if lang == "zh-Hans" {
			want = []string{"DOC00001.PDF：已在 1 处删除患者信息", "并非所有身份信息均已隐去", "DOC00002.ODT"}
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the cover lacks %q: %s", lang, w, text)
			}
		}
		if strings.Contains(text, "Identity removed") || strings.Contains(text, "身份信息已删除：") {
			t.Errorf("%s: the cover says identity is removed although a named letter was sent: %s", lang, text)
		}
	}
}

// TestCoverSaysWhatWasBlackedOut: at the anonymised level two photos
// held for review are sent, one with a box the sender confirmed over her
// name and one as it is. The cover lists the first by the areas blacked
// out (a count) and never as sent with her name; it says plainly that the
// second carries her details. The written items say the same
// (deid.Written.SentNamed), as the done screen and the command line read it.
func TestCoverSaysWhatWasBlackedOut(t *testing.T) {
	pdftotext := testtool.Look(t, "pdftotext", "poppler-utils")
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "IMG_0001.jpg"), docfix.JPEG(80, 60), 0o644)
	os.WriteFile(filepath.Join(dir, "IMG_0002.jpg"), docfix.JPEG(80, 60), 0o644)
	inv, err := intake.Scan(ctx, []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var boxed, plain string
	for _, it := range inv.Items {
		switch filepath.Base(it.Path) {
		case "IMG_0001.jpg":
			boxed = it.Path
		case "IMG_0002.jpg":
			plain = it.Path
		}
	}
	rules, _ := checklist.Default()
	details := checklist.Details{Patient: checklist.Patient{Name: "Jane Doe"}}
	rep, err := rules.Evaluate(&checklist.Case{Cancer: "breast", Inventory: inv, Details: details})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "zh-Hans"} {
		out := t.TempDir()
		res, err := Pack(ctx, nil, Request{CaseID: 1, Inventory: inv, Rules: rules, Report: rep, Details: details, Level: privacy.Anonymised, Language: lang,
			Output: bundle.Output{Dir: out, Name: "case", Folder: true}, Include: includeAll(inv),
			Redactions: map[string]*deid.Redactions{boxed: {Pixels: []pixelmask.Box{{X: 4, Y: 4, Width: 30, Height: 10}}, Confirmed: true}}})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		for _, it := range res.Items {
			names[it.Path] = path.Base(it.Name)
			if named := it.SentNamed(); named != (it.Path == plain) {
				t.Errorf("%s: %s sent named %v", lang, filepath.Base(it.Path), named)
			}
		}
		if names[boxed] == "" || names[plain] == "" {
			t.Fatalf("%s: written %+v", lang, res.Items)
		}
		b, err := exec.Command(pdftotext, "-enc", "UTF-8", filepath.Join(out, "case", bundle.NameCover), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(b)), " ")
		want := []string{names[boxed] + ": 1 area the sender marked was blacked out.", "Not all identity is withheld", names[plain]}
		sentNamed := "carry the patient's name or other details: " + names[plain] + "."
		if lang == "zh-Hans" {
			want = []string{names[boxed] + "：发送者标出的 1 处区域已涂黑。", "并非所有身份信息均已隐去", names[plain]}
			sentNamed = "载有患者的姓名或其他信息：" + names[plain] + "。"
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the cover lacks %q: %s", lang, w, text)
			}
		}
		if !strings.Contains(text, sentNamed) {
			t.Errorf("%s: the cover does not name only %s as sent with the name: %s", lang, names[plain], text)
		}
		if strings.Contains(text, "Jane") || strings.Contains(text, "Doe") {
			t.Errorf("%s: the cover names the patient: %s", lang, text)
		}
	}
}
