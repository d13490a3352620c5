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

// englishUI reports whether the texts are shown in English, in which case the domain's own English
// texts are shown as they are.
func englishUI() bool {
	l := currentLanguage()
	return l == "en" || strings.HasPrefix(l, "en-")
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

// categoryName is a document category's name in the UI's language.
func categoryName(c doctext.Category) string {
	if englishUI() {
		return c.Name()
	}
	return lang.X("category."+string(c), c.Name())
}

// reasonText is a deid decision's reason in the UI's language: the fixed sentences deid writes are
// translated, and so is the start of those that add a detail (which stays as deid wrote it); any other
// reason is shown as it is.
func reasonText(r string) string {
	if englishUI() {
		return r
	}
	switch r {
	case "a disc index; a new one is made for what is sent":
		return lang.X("reason.discindex", "a disc index; a new one is made for what is sent")
	case "an archive; the files inside it are sent on their own":
		return lang.X("reason.archive", "an archive; the files inside it are sent on their own")
	case "not a medical record Dossier can send":
		return lang.X("reason.notrecord", "not a medical record Dossier can send")
	case "this DICOM file lacks its identifiers (SOP Class and Instance UID), which viewers and the disc index need":
		return lang.X("reason.nouids", "this DICOM file lacks its identifiers (SOP Class and Instance UID), which viewers and the disc index need")
	case "the slide's label image (it shows the patient's details)":
		return lang.X("reason.slidelabel", "the slide's label image (it shows the patient's details)")
	case "the slide's overview image (it shows the label)":
		return lang.X("reason.slideoverview", "the slide's overview image (it shows the label)")
	case "this kind of image (ultrasound, screenshot, scanned document, or marked as such) may show identity inside the picture, which cannot be removed automatically":
		return lang.X("reason.burnedin", "this kind of image (ultrasound, screenshot, scanned document, or marked as such) may show identity inside the picture, which cannot be removed automatically")
	case "a photo or scan may show names or other details in the picture itself":
		return lang.X("reason.photo", "a photo or scan may show names or other details in the picture itself")
	case "the file changed since it was added; add it again":
		return lang.X("reason.changed", "the file changed since it was added; add it again")
	case "no readable text (perhaps a scan): its pages may show names or other details":
		return lang.X("reason.notext", "no readable text (perhaps a scan): its pages may show names or other details")
	case "its text could not be read to check it for names and other details":
		return lang.X("reason.textunread", "its text could not be read to check it for names and other details")
	}
	if rest, ok := strings.CutPrefix(r, "skipped when reading: "); ok {
		return lang.X("reason.skipped", "skipped when reading: {{.Detail}}", map[string]any{"Detail": rest})
	}
	if rest, ok := strings.CutPrefix(r, "could not be read: "); ok {
		return lang.X("reason.unreadable", "could not be read: {{.Detail}}", map[string]any{"Detail": rest})
	}
	if rest, ok := strings.CutPrefix(r, "could not be read again: "); ok {
		return lang.X("reason.unreadableagain", "could not be read again: {{.Detail}}", map[string]any{"Detail": rest})
	}
	if rest, ok := strings.CutPrefix(r, "its text mentions the patient ("); ok && strings.HasSuffix(rest, ")") {
		rest = strings.TrimSuffix(rest, ")")
		return lang.X("reason.mentions", "its text mentions the patient ({{.Detail}})", map[string]any{"Detail": rest})
	}
	return r
}
