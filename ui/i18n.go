package ui

import (
	"encoding/json"
	"os"
	"path"
	"runtime"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"dossier/assets"
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
		if m, err := readUITranslation(tag); err == nil && m["language.name"] != "" {
			name = m["language.name"]
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

// readUITranslation reads one embedded translation file.
func readUITranslation(tag string) (map[string]string, error) {
	b, err := assets.UITranslations.ReadFile(path.Join(assets.UITranslationsDir, tag+".json"))
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
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
func useLanguage(tag string) {
	if tag != "" {
		os.Setenv("LANGUAGE", posixLocale(tag))
	}
	if err := lang.AddTranslationsFS(assets.UITranslations, assets.UITranslationsDir); err != nil {
		fyne.LogError("loading the app's translations", err)
	}
	if tag != "" && (runtime.GOOS == "windows" || runtime.GOOS == "darwin") {
		if b, err := assets.UITranslations.ReadFile(path.Join(assets.UITranslationsDir, tag+".json")); err == nil {
			_ = lang.AddTranslationsForLocale(b, lang.SystemLocale())
		}
	}
}

// currentLanguage is the tag of the language the texts are shown in ("en" unless a translation
// matched).
func currentLanguage() string {
	return lang.X("language.tag", "en")
}
