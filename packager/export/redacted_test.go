package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/checklist"
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
