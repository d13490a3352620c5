package export

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"dossier/packager/privacy"
	"dossier/ui/internal/kit"
)

// Step 1: how much of who the person is goes with the records.

// Levels are the privacy levels step 1 offers, in order.
var Levels = []privacy.Level{privacy.Identified, privacy.Pseudonymised, privacy.Anonymised}

// LevelTitle is the choice of a privacy level, in plain words (also in the settings).
func LevelTitle(l privacy.Level) string {
	switch l {
	case privacy.Identified:
		return lang.X("export.level.identified", "With my name (for a second opinion about my treatment)")
	case privacy.Pseudonymised:
		return lang.X("export.level.pseudonymised", "With a code name instead of my name")
	}
	return lang.X("export.level.anonymised", "Without anything that points to me")
}

// levelBody is what a privacy level means, with its consequence.
func levelBody(l privacy.Level) string {
	switch l {
	case privacy.Identified:
		return lang.X("export.level.identified.body", "Your files go exactly as they are, with your name, birth date and hospital numbers. The specialist knows who you are and can write back to you or your doctor. Choose this when the opinion is about your own care.")
	case privacy.Pseudonymised:
		return lang.X("export.level.pseudonymised.body", "Your name, birth date and hospital numbers are replaced by a code; the real dates stay, so the story of your illness stays right. The centre will not see your name: you will have to tell them who you are when they reply. Dossier keeps the key to the code on this computer. Some files cannot be cleaned for sure: you decide about each one next.")
	}
	return lang.X("export.level.anonymised.body", "Names, numbers and exact dates are removed (dates are moved by a random amount). Nobody, not even you, can link these records back to you later. For teaching, research or an informal look; not for a decision about your treatment.")
}

func (w *Wizard) buildLevel() fyne.CanvasObject {
	intro := kit.NewWrapLabel(lang.X("export.level.intro", "Choose how much of who you are goes with your records. You can read each choice below; nothing is sent until the last step."))
	box := container.NewVBox(intro)
	w.levelRadios = nil
	for _, level := range Levels {
		var r *kit.Choice[privacy.Level]
		r = kit.NewRadio([]privacy.Level{level}, LevelTitle, func(_ privacy.Level, ok bool) {
			if !ok {
				if w.level == level { // keep one choice: a click on the chosen one does not clear it
					r.SetValue(level)
				}
				return
			}
			w.setLevel(level)
		})
		r.Radio.Required = true // a click on the chosen level keeps it
		r.Radio.OnSubmitted = w.goOn
		body := kit.NewWrapLabel(levelBody(level))
		w.levelRadios = append(w.levelRadios, r)
		box.Add(kit.NewPanel(container.NewVBox(r.Object(), body), theme.ColorNameInputBackground, ""))
	}
	// The levels are one choice shown in four panels: the arrows move between all of them.
	groups := make([]*kit.RadioGroup, len(w.levelRadios))
	for i, r := range w.levelRadios {
		groups[i] = r.Radio
	}
	kit.LinkRadios(groups...)
	w.setLevel(w.level)
	return box
}

// setLevel chooses a privacy level and marks it in the radio groups.
func (w *Wizard) setLevel(l privacy.Level) {
	w.level = l
	for i, r := range w.levelRadios {
		switch {
		case Levels[i] == l && !r.Is(l):
			r.SetValue(l)
		case Levels[i] != l && r.Is(Levels[i]):
			r.Clear()
		}
	}
}
