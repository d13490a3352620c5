package ui

import (
	"encoding/json"
	"os"
	"path"
	"runtime"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"dossier/assets"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/intake"
)

// prefLanguage holds the language the person chose in Settings ("" follows the system).
const prefLanguage = "language"

// uiLanguage is one language the app can be shown in.
type uiLanguage struct {
	Tag  string // BCP 47 tag, the file's name without .json ("" is the system's language)
	Name string // the language's own name, from the file's "language.name" key
}

// uiLanguages lists the translations embedded in assets/translations/ui, English first, after the
// choice "System".
func uiLanguages() []uiLanguage {
	out := []uiLanguage{{Tag: "", Name: lang.X("settings.language.system", "Same as this computer")}}
	ents, _ := assets.UITranslations.ReadDir(assets.UITranslationsDir)
	for _, e := range ents {
		tag, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		name := tag
		m, err := readUITranslation(tag)
		if s, ok := m["language.name"].(string); err == nil && ok && s != "" {
			name = s
		}
		out = append(out, uiLanguage{Tag: tag, Name: name})
	}
	slices.SortStableFunc(out[1:], func(a, b uiLanguage) int {
		switch {
		case a.Tag == "en":
			return -1
		case b.Tag == "en":
			return 1
		}
		return strings.Compare(a.Tag, b.Tag)
	})
	return out
}

// readUITranslation reads one embedded translation file: texts, and the plural forms of counted
// texts ({"one": …, "other": …}, for lang.XN).
func readUITranslation(tag string) (map[string]any, error) {
	b, err := assets.UITranslations.ReadFile(path.Join(assets.UITranslationsDir, tag+".json"))
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	return m, json.Unmarshal(b, &m)
}

// posixLocale turns a tag into the form of the LANGUAGE variable ("zh-Hans" -> "zh_CN").
func posixLocale(tag string) string {
	switch tag {
	case "zh-Hans":
		return "zh_CN"
	case "zh-Hant":
		return "zh_TW"
	}
	return strings.ReplaceAll(tag, "-", "_")
}

// useLanguage loads the app's translations and picks the language the texts are shown in: tag, or the
// system's language when tag is "". It must run before the window is built; texts already shown keep
// their language (Settings says a change applies from the next start).
//
// Fyne's lang follows the system locale and has no call to override it (Fyne 2.7). Dossier overrides
// it in two ways: on Linux and the BSDs it sets the LANGUAGE variable (which the locale lookup reads
// first, as gettext does) before the translations are loaded; on Windows and macOS, whose locale comes
// from the system, it also registers the chosen file under the system's own locale, which then is the
// closest match.
func useLanguage(tag string) { useLanguageOn(runtime.GOOS, tag) }

// useLanguageOn is useLanguage as it works on the system goos (so that a test can take the Windows
// and macOS way on Linux).
func useLanguageOn(goos, tag string) {
	bySystemLocale := tag != "" && (goos == "windows" || goos == "darwin")
	if tag != "" && goos != "windows" {
		os.Setenv("LANGUAGE", posixLocale(tag))
	}
	if err := lang.AddTranslationsFS(assets.UITranslations, assets.UITranslationsDir); err != nil {
		fyne.LogError("loading the app's translations", err)
	}
	if bySystemLocale {
		if b, err := assets.UITranslations.ReadFile(path.Join(assets.UITranslationsDir, tag+".json")); err == nil {
			if err := lang.AddTranslationsForLocale(everyPluralForm(b), lang.SystemLocale()); err != nil {
				fyne.LogError("choosing the app's language", err)
			}
		}
	}
}

// pluralForms are the plural categories a language's counting rules can ask for (CLDR).
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// everyPluralForm gives each counted text of a UI translation file every plural form, copied from
// its "other" where the file has none. A file registered under the system's locale is counted by
// that locale's rules: Chinese has only "other", and an English system asks for "one" for 1, which
// Fyne would answer with the English fallback ("1 files" in a Chinese UI). Copying "other" is what
// the file's own language does for every number. A file that cannot be read is returned as it is.
func everyPluralForm(b []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return b
	}
	for k, raw := range m {
		var forms map[string]string
		if json.Unmarshal(raw, &forms) != nil || forms["other"] == "" {
			continue
		}
		for _, f := range pluralForms {
			if forms[f] == "" {
				forms[f] = forms["other"]
			}
		}
		if r, err := json.Marshal(forms); err == nil {
			m[k] = r
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return b
	}
	return out
}

// uiDate writes a day in the UI's language ("27 November 2026", "2026年11月27日").
func uiDate(t time.Time) string {
	if englishUI() {
		return t.Format("2 January 2006")
	}
	return i18n.MustLoad(currentLanguage()).Date(t)
}

// uiDateTime writes a day and its time of day in the UI's language ("27 November 2026, 14:30").
func uiDateTime(t time.Time) string {
	if englishUI() {
		return t.Format("2 January 2006, 15:04")
	}
	c := i18n.MustLoad(currentLanguage())
	return c.T("date.time.format", c.Date(t), t.Format("15:04"))
}

// problemText is an intake finding in the UI's language: its English Message, or the translation of
// its Code written with its Args (or the number of its Paths).
func problemText(p intake.Problem) string {
	if englishUI() {
		return p.Message
	}
	n, ok := len(p.Paths), len(p.Paths) > 0
	if len(p.Args) > 0 {
		n, ok = p.Args[0].(int)
	}
	data := map[string]any{"N": n}
	switch p.Code {
	case intake.ProblemSeveralPatients:
		if ok {
			return lang.X("problem.several-patients", p.Message, data)
		}
	case intake.ProblemImagingNotDICOM:
		return lang.X("problem.imaging-not-dicom", p.Message)
	case intake.ProblemDICOMDIRMismatch:
		return lang.X("problem.dicomdir-mismatch", p.Message)
	case intake.ProblemDuplicateSOP:
		if ok {
			return lang.X("problem.duplicate-sop-instance", p.Message, data)
		}
	case intake.ProblemDamaged:
		if ok {
			return lang.X("problem.damaged-files", p.Message, data)
		}
	case intake.ProblemBurnedIn:
		if ok {
			return lang.X("problem.burned-in-risk", p.Message, data)
		}
	case intake.ProblemMissingInstances:
		if len(p.Args) != 6 {
			break
		}
		modality, _ := p.Args[0].(string)
		desc, _ := p.Args[1].(string)
		if modality == "" {
			modality = "DICOM"
		}
		if desc == "" {
			desc = lang.X("problem.nodescription", "no description")
		}
		return lang.X("problem.missing-instances", p.Message, map[string]any{"Modality": modality, "Description": desc,
			"Missing": p.Args[2], "Span": p.Args[3], "Low": p.Args[4], "High": p.Args[5]})
	}
	return p.Message
}

// uiList joins a list with the UI language's separator ("a, b"; "a、b"), translating each item
// that is a message (i18n.Catalog.List).
func uiList(items []string) string {
	if englishUI() {
		return strings.Join(items, ", ")
	}
	return i18n.MustLoad(currentLanguage()).List(items)
}

// categoryName is a document category's name in the UI's language.
func categoryName(c doctext.Category) string {
	if englishUI() {
		return c.Name()
	}
	return lang.X("category."+string(c), c.Name())
}
