package ui

import (
	"context"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"

	"dossier/packager/checklist"
)

// prefGeneratedName is the preference keeping the name Dossier last gave a case, so that autoName
// may still replace it after a restart: a name the person chose never matches it.
func prefGeneratedName(id int64) string { return "caseGeneratedName." + strconv.FormatInt(id, 10) }

// rememberGeneratedName keeps the name Dossier gave the case on screen for the next start.
func (v *mainView) rememberGeneratedName() {
	if v.caseID != 0 && v.generatedName != "" && v.generatedName == v.caseName {
		v.app.Preferences().SetString(prefGeneratedName(v.caseID), v.generatedName)
	}
}

// autoName names a new case after its patient and diagnosis once they are known ("Jane Doe –
// breast cancer", in the UI's language), as long as it still has the name Dossier gave it when it
// was made ("New case 4 December 2026") or last named it by itself, in this run or an earlier one
// (prefGeneratedName): a name the person chose is never changed.
func (v *mainView) autoName() {
	if v.caseID == 0 || v.generatedName == "" || v.caseName != v.generatedName {
		return
	}
	name := caseNameFor(v.checks.details, v.checks.rules)
	if name == "" || name == v.caseName {
		return
	}
	v.caseName, v.generatedName = name, name
	v.rememberGeneratedName()
	if v.caseTitle != nil {
		v.caseTitle.SetText(name)
	}
	v.win.SetTitle(name + " – Dossier")
	v.persist(lang.X("save.name", "The case's name"), func(ctx context.Context, st CaseStore, caseID int64) error {
		return st.RenameCase(ctx, caseID, name)
	})
}

// caseNameFor is "Patient – diagnosis" from what is known of the case; either part alone when only
// one is known; "" when neither is.
func caseNameFor(d checklist.Details, rules *checklist.Rules) string {
	patient := personName(d.Patient.Name)
	cancer := ""
	if d.Cancer != "" && d.Cancer != "other" && rules != nil {
		for _, c := range rules.Cancers {
			if c.ID == d.Cancer {
				cancer = lowerFirst(cancerName(c))
			}
		}
	}
	switch {
	case patient != "" && cancer != "":
		return lang.X("case.autoname", "{{.Patient}} – {{.Cancer}}", map[string]any{"Patient": patient, "Cancer": cancer})
	case patient != "":
		return patient
	case cancer != "":
		return upperFirst(cancer)
	}
	return ""
}

// personName writes a name as people read it: a DICOM name "DOE^JANE" becomes "Jane Doe".
func personName(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "^") {
		return s
	}
	parts := strings.Split(s, "^")
	family, given := parts[0], ""
	if len(parts) > 1 {
		given = parts[1]
	}
	title := func(w string) string {
		var out []string
		for _, f := range strings.Fields(strings.ToLower(w)) {
			out = append(out, upperFirst(f))
		}
		return strings.Join(out, " ")
	}
	return strings.TrimSpace(title(given) + " " + title(family))
}

// lowerFirst lowers the first letter of a name used inside a sentence, unless the word is an
// abbreviation ("HER2-positive").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
