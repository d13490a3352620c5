package export

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/envelope"
	pexport "dossier/packager/export"
	"dossier/packager/i18n"
	"dossier/packager/store"
	"dossier/ui/internal/kit"
)

// Step 3: who can open the bundle, in how many pieces, in which language its cover is, and where
// it goes.

// locks are the ways to lock the bundle step 3 offers, in order.
var locks = []pexport.Lock{pexport.LockGenerated, pexport.LockPassphrase, pexport.LockKeys, pexport.LockNone}

// lockLabel is a way to lock the bundle, in plain words.
func lockLabel(l pexport.Lock) string {
	switch l {
	case pexport.LockGenerated:
		return lang.X("export.key.generated", "A passphrase Dossier makes for me (recommended)")
	case pexport.LockPassphrase:
		return lang.X("export.key.typed", "A passphrase I choose")
	case pexport.LockKeys:
		return lang.X("export.key.centre", "The receiving centre's key (a saved centre, or a key they sent me)")
	}
	return lang.X("export.key.folder", "No lock: a copy on a USB stick to take to a visit")
}

// splitChoice is a size of the pieces of the bundle.
type splitChoice int

// The sizes of pieces step 3 offers.
const (
	splitNone splitChoice = iota
	splitMail
	splitPortal
	splitCustom
)

// splitSizes are the sizes of the presets, in bytes.
var splitSizes = map[splitChoice]int64{splitMail: 20_000_000, splitPortal: 2_000_000_000}

// splitLabel is a size of pieces, in plain words.
func splitLabel(c splitChoice) string {
	switch c {
	case splitMail:
		return lang.X("export.split.mail", "Pieces for e-mail (20 MB each, under the usual 25 MB limit)")
	case splitPortal:
		return lang.X("export.split.portal", "Pieces for upload portals (2 GB each)")
	case splitCustom:
		return lang.X("export.split.custom", "Pieces of a size I choose")
	}
	return lang.X("export.split.none", "One file")
}

func (w *Wizard) buildRecipient() fyne.CanvasObject {
	w.typed = widget.NewPasswordEntry()
	w.typed.SetPlaceHolder(lang.X("export.typed.hint", "Six or more words nobody would guess"))
	w.typedAgain = widget.NewPasswordEntry()
	w.typedAgain.SetPlaceHolder(lang.X("export.typed.again", "The same passphrase again"))
	w.strength = kit.NewWrapLabel("")
	w.typed.OnChanged = func(s string) { w.showStrength(s) }
	w.typedBox = container.NewVBox(w.typed, w.typedAgain, w.strength)

	w.centreSel = widget.NewSelect(nil, nil)
	w.centreSel.PlaceHolder = lang.X("export.nocentres", "(no centres saved yet)")
	w.pasted = kit.NewTextArea()
	w.pasted.SetPlaceHolder(lang.X("export.pasted.hint", "Or paste the key the centre sent you (it starts with age1… or ssh-)"))
	w.pasted.SetMinRowsVisible(2)
	w.pasted.Wrapping = fyne.TextWrapBreak
	w.keyCheck = kit.NewWrapLabel("")
	w.pasted.OnChanged = func(string) { w.checkPasted() }
	w.centreBox = container.NewVBox(w.centreSel, w.pasted, w.keyCheck)

	warn := kit.NewWrapLabel(lang.X("export.usbwarn", "Anyone who finds this USB stick can read everything on it. Take it with you, hand it over in person, and do not post it. It is not locked because hospitals can only import unlocked discs and sticks."))
	warn.Importance = widget.WarningImportance
	w.usbWarning = kit.NewPanel(container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(kit.WarnIcon())), nil, warn),
		theme.ColorNameInputBackground, theme.ColorNameWarning)

	w.mode = kit.NewRadio(locks, lockLabel, func(pexport.Lock, bool) { w.modeChanged() })
	w.mode.Radio.Required = true
	w.mode.Radio.OnSubmitted = w.goOn
	explain := kit.NewWrapLabel(lang.X("export.lockexplain", "The bundle is locked so that only the person with the passphrase or key can open it."))

	w.split = kit.NewSelect([]splitChoice{splitNone, splitMail, splitPortal, splitCustom}, splitLabel, func(c splitChoice, _ bool) {
		if c == splitCustom {
			w.customSize.Show()
		} else {
			w.customSize.Hide()
		}
	})
	w.customSize = widget.NewEntry()
	w.customSize.SetPlaceHolder(lang.X("export.custom.hint", "For example 100 MB or 1 GB"))
	w.customSize.Hide()
	w.split.SetValue(splitNone)

	w.name = widget.NewEntry()
	w.name.SetText("dossier-" + w.now().Format("2006-01-02"))
	if home, err := os.UserHomeDir(); err == nil {
		w.dir = home
	}
	w.dirLabel = widget.NewLabel(kit.FolderText(w.dir))
	w.dirLabel.Truncation = fyne.TextTruncateEllipsis
	choose := kit.NewButtonWithIcon(lang.X("button.choosefolder", "Choose folder…"), theme.FolderOpenIcon(), w.chooseDir)

	heading := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	w.coverLang = coverLanguageSelect()
	w.mode.SetValue(pexport.LockGenerated)
	return container.NewVBox(
		heading(lang.X("export.whocan", "Who can open it")), explain, w.mode.Object(), w.typedBox, w.centreBox, w.usbWarning,
		heading(lang.X("export.size", "Size")), widget.NewLabel(lang.X("export.size.explain", "Some e-mail services and upload portals only take files up to a certain size.")),
		w.split.Object(), w.customSize,
		heading(lang.X("export.coverlang", "Language of the cover summary")),
		widget.NewLabel(lang.X("export.coverlang.explain", "The cover summary tells the specialist what the bundle holds. Choose the language the centre reads.")),
		w.coverLang.Object(),
		heading(lang.X("export.where", "Where to save it")),
		container.NewBorder(nil, nil, nil, choose, w.dirLabel),
		container.NewBorder(nil, nil, widget.NewLabel(lang.X("cases.name", "Name")), nil, w.name),
	)
}

// coverLanguageSelect offers the languages the cover summary can be written in, each by its own name,
// with the UI's language chosen (English when the cover has no translation into it).
func coverLanguageSelect() *kit.Choice[string] {
	tags := i18n.Languages()
	sel := kit.NewSelect(tags, func(tag string) string { return i18n.MustLoad(tag).T("language.name") }, nil)
	sel.SetValue(tags[0])
	sel.SetValue(kit.DocumentLanguage())
	return sel
}

// coverLanguage is the tag of the language chosen for the cover summary.
func (w *Wizard) coverLanguage() string {
	if w.coverLang == nil {
		return kit.DocumentLanguage()
	}
	if tag, ok := w.coverLang.Value(); ok {
		return tag
	}
	return i18n.English
}

// setDir sets the destination folder.
func (w *Wizard) setDir(d string) {
	w.dir = d
	w.dirLabel.SetText(kit.FolderText(d))
}

func (w *Wizard) chooseDir() {
	w.chooseFolder(lang.X("export.savehere", "Save here"), w.setDir)
}

func (w *Wizard) modeChanged() {
	w.typedBox.Hide()
	w.centreBox.Hide()
	w.usbWarning.Hide()
	folder := false
	lock, _ := w.mode.Value()
	switch lock {
	case pexport.LockPassphrase:
		w.typedBox.Show()
		w.showStrength(w.typed.Text)
	case pexport.LockKeys:
		w.centreBox.Show()
	case pexport.LockNone:
		w.usbWarning.Show()
		folder = true
	}
	if w.split != nil {
		if folder {
			w.split.SetValue(splitNone)
			w.split.Select.Disable()
		} else {
			w.split.Select.Enable()
		}
	}
}

// showStrength says, as the person types, whether the passphrase passes the export's one check.
func (w *Wizard) showStrength(s string) {
	err := pexport.CheckPassphrase(s)
	switch {
	case s == "":
		w.strength.Importance = widget.MediumImportance
		kit.SetWrapText(w.strength, kit.ErrorText(err))
	case err != nil:
		w.strength.Importance = widget.DangerImportance
		kit.SetWrapText(w.strength, kit.ErrorText(err))
	default:
		bits, _ := envelope.PassphraseStrength(s)
		w.strength.Importance = widget.SuccessImportance
		kit.SetWrapText(w.strength, fmt.Sprintf(lang.X("export.strong", "Strong enough (about %.0f bits). Remember to send it another way than the bundle."), bits))
	}
}

// checkPasted says at once whether the pasted keys are public keys.
func (w *Wizard) checkPasted() {
	_, err := kit.ParseKeys(w.pasted.Text)
	switch {
	case strings.TrimSpace(w.pasted.Text) == "":
		kit.SetWrapText(w.keyCheck, "")
	case err != nil:
		w.keyCheck.Importance = widget.DangerImportance
		kit.SetWrapText(w.keyCheck, err.Error())
	default:
		w.keyCheck.Importance = widget.SuccessImportance
		kit.SetWrapText(w.keyCheck, lang.X("export.keyok", "This is a public key Dossier can use."))
	}
}

// loadCentres reads the saved receiving centres for the choice.
func (w *Wizard) loadCentres() {
	if w.st == nil {
		return
	}
	st := w.st
	kit.Start(w.run, context.Background(), func(ctx context.Context, _ func(struct{})) ([]*store.Centre, error) {
		return st.Centres(ctx)
	}, nil, func(cs []*store.Centre, err error) {
		if err != nil {
			return // the pasted key still works
		}
		w.centres = cs
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		w.centreSel.SetOptions(names)
		if len(names) > 0 {
			w.centreSel.PlaceHolder = lang.X("export.choosecentre", "Choose a saved centre")
		}
		w.centreSel.Refresh()
	})
}

// choices gathers what the person chose in the three steps for pexport.Send, or says what is missing.
func (w *Wizard) choices() (pexport.Choices, error) {
	ch := pexport.Choices{Level: w.level, Dir: w.dir, Name: strings.TrimSuffix(strings.TrimSpace(w.name.Text), ".age"),
		Language: w.coverLanguage(), Include: maps.Clone(w.include), Redactions: maps.Clone(w.redactions),
		ConvertHEIC: w.convertHEIC}
	if ch.Dir == "" {
		return ch, errors.New(lang.X("export.err.folder", "Choose the folder where the bundle should be saved."))
	}
	if ch.Name == "" || strings.ContainsAny(ch.Name, `/\:*?"<>|`) || strings.HasPrefix(ch.Name, ".") {
		return ch, errors.New(lang.X("export.err.name", "Give the bundle a simple name, for example dossier-2026 (no slashes; do not use your own name)."))
	}
	lock, ok := w.mode.Value()
	if !ok {
		return ch, errors.New(kit.ErrorText(pexport.ErrNoLock))
	}
	ch.Lock = lock
	switch lock {
	case pexport.LockPassphrase:
		if err := pexport.CheckPassphrase(w.typed.Text); err != nil {
			return ch, errors.New(kit.ErrorText(err))
		}
		if w.typed.Text != w.typedAgain.Text {
			return ch, errors.New(lang.X("export.err.mismatch", "The two passphrases are not the same. Please type it again in both boxes."))
		}
		ch.Passphrase = w.typed.Text
	case pexport.LockKeys:
		if strings.TrimSpace(w.pasted.Text) != "" {
			k, err := kit.ParseKeys(w.pasted.Text)
			if err != nil {
				return ch, err
			}
			ch.Keys = k
		} else {
			for _, c := range w.centres {
				if c.Name == w.centreSel.Selected {
					ch.Keys, ch.Centre = c.Keys, c.Name
				}
			}
			if len(ch.Keys) == 0 {
				return ch, errors.New(lang.X("export.err.centre", "Choose a saved centre, or paste the key the centre sent you."))
			}
		}
	}
	if ch.Lock != pexport.LockNone {
		switch c, _ := w.split.Value(); c {
		case splitMail, splitPortal:
			ch.Split = splitSizes[c]
		case splitCustom:
			n, err := envelope.ParseSize(w.customSize.Text)
			if err != nil || n <= 0 {
				return ch, errors.New(lang.X("export.err.size", "Type a size such as 100 MB or 1 GB for the pieces."))
			}
			ch.Split = n
		}
	}
	// The keys and the passphrase are checked as pexport.Send will check them.
	if _, _, err := ch.Output(); err != nil {
		return ch, errors.New(kit.ErrorText(err))
	}
	return ch, nil
}
