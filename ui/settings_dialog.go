package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/envelope"
	"dossier/packager/privacy"
	"dossier/packager/store"
	exportui "dossier/ui/export"
	"dossier/ui/internal/kit"
	"dossier/ui/nativedialog"
)

// identityFile is the name of this computer's own Dossier key (for receiving bundles) in the data folder.
const identityFile = "identity.txt"

// dataDir is where Dossier keeps its data.
var dataDir = store.DataDir

// settingsView is the settings dialog: where data lives, the default privacy level, receiving centres,
// and this computer's own key for receiving bundles.
type settingsView struct {
	v       *mainView
	object  fyne.CanvasObject
	centres []*store.Centre
	list    *fyne.Container
	name    *field
	keys    *textArea
	keyErr  *widget.Label
	ownKey  *fyne.Container
	errBox  *errorBox
	dialog  dialog.Dialog

	theme    *dropDown
	textSize *dropDown
	language *radioGroup // each language by its own name, which shows in every UI language (kit.TextFont)
	langNote *widget.Label
	restart  *button // "Restart Dossier now", shown with langNote
}

func (v *mainView) showSettings() {
	s := newSettingsView(v)
	d := newCloseDialog(lang.X("settings.title", "Settings"), s.object, v.win)
	s.dialog = d
	d.Resize(fyne.NewSize(min(760, v.win.Canvas().Size().Width*0.95), min(640, v.win.Canvas().Size().Height*0.95)))
	d.Show()
}

func newSettingsView(v *mainView) *settingsView {
	s := &settingsView{v: v, errBox: newErrorBox()}
	bold := func(t string) *widget.Label {
		return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	wrap := func(t string) *widget.Label {
		l := newWrapLabel(t)
		return l
	}

	dir, err := dataDir()
	if err != nil {
		dir = lang.X("settings.data.unknown", "unknown: {{.Err}}", map[string]any{"Err": err.Error()})
	}
	// Not selectable: in a dialog, a selectable label would take the focus and keep Escape; the
	// button copies it.
	where := widget.NewLabel(dir)
	where.Wrapping = fyne.TextWrapBreak
	copyWhere := newButtonWithIcon(lang.X("docview.copy", "Copy where it is"), theme.ContentCopyIcon(), func() { copyText(dir) })

	level := kit.NewSelect(exportui.Levels, exportui.LevelTitle, func(l privacy.Level, ok bool) {
		if ok {
			v.app.Preferences().SetString(prefDefaultLevel, string(l))
		}
	})
	level.SetValue(v.defaultLevel())

	s.list = container.NewVBox()
	s.name = newField()
	s.name.SetPlaceHolder(lang.X("settings.centre.name", "The centre's name, e.g. University Hospital Tumour Board"))
	s.keys = newTextArea()
	s.keys.SetPlaceHolder(lang.X("settings.centre.keys", "Paste the centre's public key, or its keys one a line (age1… or ssh-ed25519 …)"))
	s.keys.SetMinRowsVisible(2)
	s.keys.Wrapping = fyne.TextWrapBreak
	s.keyErr = wrap("")
	add := newButtonWithIcon(lang.X("settings.centre.add", "Add centre"), theme.ContentAddIcon(), s.addCentre)
	imp := newButtonWithIcon(lang.X("settings.centre.import", "Import keys from a file…"), theme.FileIcon(), s.importKeys)

	s.ownKey = container.NewVBox()
	s.fillOwnKey()

	content := container.NewVBox(
		bold(lang.X("settings.look", "How Dossier looks")),
		widget.NewForm(
			widget.NewFormItem(lang.X("settings.theme", "Colours"), s.themeSelect()),
			widget.NewFormItem(lang.X("settings.textsize", "Text size"), s.textSizeSelect()),
			widget.NewFormItem(lang.X("settings.language", "Language"), s.languageSelect()),
		),
		s.langNote,
		container.NewHBox(s.restart),
		widget.NewSeparator(),
		bold(lang.X("settings.data", "Where your data is kept")), wrap(lang.X("settings.data.text", "Your cases, the code names your records were sent under and the list of what was sent are kept in this folder on this computer:")), where, container.NewHBox(copyWhere),
		widget.NewSeparator(),
		bold(lang.X("settings.level", "Privacy level to start with")), wrap(lang.X("settings.level.text", "The level the “Send to a specialist” steps start with. You can change it for each bundle.")), level.Object(),
		widget.NewSeparator(),
		bold(lang.X("settings.centres", "Receiving centres")), wrap(lang.X("settings.centres.text", "A centre that gave you its public key can open bundles locked for it, without a passphrase.")),
		s.list,
		s.name, s.keys, s.keyErr, container.NewHBox(add, imp),
		widget.NewSeparator(),
		bold(lang.X("settings.ownkey", "This computer's key for receiving bundles")), s.ownKey,
		s.errBox.Object,
	)
	s.object = container.NewVScroll(content)
	s.loadCentres()
	return s
}

func (s *settingsView) loadCentres() {
	st := s.v.cfg.Store
	if st == nil {
		s.list.Objects = []fyne.CanvasObject{widget.NewLabel(lang.X("settings.nostore", "Centres cannot be saved: Dossier could not open its data folder."))}
		s.list.Refresh()
		return
	}
	startJob(s.v.run, context.Background(), func(ctx context.Context, _ func(struct{})) ([]*store.Centre, error) {
		return st.Centres(ctx)
	}, nil, func(cs []*store.Centre, err error) {
		if err != nil {
			s.errBox.Show(explain(err, problem{Title: lang.X("settings.readerr", "The centres could not be read"), What: lang.X("settings.readerr.what", "Dossier could not read the list of saved centres.")}))
			return
		}
		s.centres = cs
		s.fillCentres()
	})
}

func (s *settingsView) fillCentres() {
	s.list.Objects = nil
	if len(s.centres) == 0 {
		s.list.Add(widget.NewLabel(lang.X("settings.nocentres", "No centres saved yet.")))
	}
	for _, c := range s.centres {
		c := c
		l := widget.NewLabel(fmt.Sprintf("%s (%s)", c.Name, countOf(len(c.Keys), "count.keys", "{{.N}} keys")))
		l.Truncation = fyne.TextTruncateEllipsis
		rm := newButtonWithIcon(lang.X("details.remove", "Remove"), theme.DeleteIcon(), func() { s.confirmRemove(c) })
		s.list.Add(container.NewBorder(nil, nil, nil, rm, l))
	}
	s.list.Refresh()
}

func (s *settingsView) confirmRemove(c *store.Centre) {
	showAsk(lang.X("settings.remove.title", "Remove {{.Name}}?", map[string]any{"Name": c.Name}),
		lang.X("settings.remove.text", "Bundles already sent to {{.Name}} are not affected. You can add the centre again later with its key.", map[string]any{"Name": c.Name}),
		lang.X("details.remove", "Remove"), lang.X("button.cancel", "Cancel"),
		func(ok bool) {
			if ok {
				s.removeCentre(c)
			}
		}, s.v.win)
}

func (s *settingsView) removeCentre(c *store.Centre) {
	st := s.v.cfg.Store
	startJob(s.v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		return struct{}{}, st.DeleteCentre(ctx, c.ID)
	}, nil, func(_ struct{}, err error) {
		if err != nil {
			s.errBox.Show(explain(err, problem{Title: lang.X("settings.removeerr", "The centre could not be removed"), What: lang.X("settings.changeerr", "Dossier could not change its list of centres.")}))
			return
		}
		s.loadCentres()
	})
}

func (s *settingsView) addCentre() {
	s.keyErr.SetText("")
	name := strings.TrimSpace(s.name.Text)
	if name == "" {
		s.keyErr.Importance = widget.DangerImportance
		s.keyErr.SetText(lang.X("settings.noname", "Give the centre a name, so you can find it when you send a bundle."))
		return
	}
	keys, err := parseKeys(s.keys.Text)
	if err != nil {
		s.keyErr.Importance = widget.DangerImportance
		s.keyErr.SetText(err.Error())
		return
	}
	st := s.v.cfg.Store
	if st == nil {
		s.keyErr.SetText(lang.X("settings.nostore", "Centres cannot be saved: Dossier could not open its data folder."))
		return
	}
	c := &store.Centre{Name: name, Keys: keys}
	startJob(s.v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		return struct{}{}, st.SaveCentre(ctx, c)
	}, nil, func(_ struct{}, err error) {
		if err != nil {
			s.errBox.Show(explain(err, problem{Title: lang.X("settings.saveerr", "The centre could not be saved"), What: lang.X("settings.changeerr", "Dossier could not change its list of centres.")}))
			return
		}
		s.name.SetText("")
		s.keys.SetText("")
		s.keyErr.Importance = widget.SuccessImportance
		s.keyErr.SetText(lang.X("settings.centre.saved", "{{.Name}} is saved.", map[string]any{"Name": name}))
		s.loadCentres()
	})
}

// importKeys reads a centre's public keys from a file (as age's -R takes) into the keys box.
func (s *settingsView) importKeys() {
	choosePath(s.v.win, pathRequest{kind: nativedialog.OpenFile, title: lang.X("settings.importkeys.title", "Choose the centre's key file")}, func(p string) {
		text, err := readRecipientsPath(p)
		if err != nil {
			s.keyErr.Importance = widget.DangerImportance
			s.keyErr.SetText(err.Error())
			return
		}
		s.keys.SetText(text)
		s.keyErr.Importance = widget.SuccessImportance
		s.keyErr.SetText(lang.X("settings.keysread", "The keys were read. Give the centre a name and press “Add centre”."))
	}, nil)
}

// readRecipientsPath is readRecipientsFile on the file at p.
func readRecipientsPath(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return readRecipientsFile(f)
}

// readRecipientsFile checks a recipients file and returns its keys, one a line.
func readRecipientsFile(r interface{ Read([]byte) (int, error) }) (string, error) {
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for b.Len() < 1<<20 {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if _, _, err := envelope.ParseRecipientsFile(strings.NewReader(b.String())); err != nil {
		return "", kindKeyError(err)
	}
	var keys []string
	for _, line := range strings.Split(b.String(), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			keys = append(keys, line)
		}
	}
	return strings.Join(keys, "\n"), nil
}

// ownPublicKey reads this computer's key and returns its public half ("" if there is none yet).
func ownPublicKey() (string, error) {
	p := ownKeyPath()
	if p == "" {
		return "", errors.New("the data folder is unknown")
	}
	ids, err := readIdentities(p)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if x, ok := id.(*age.X25519Identity); ok {
			return x.Recipient().String(), nil
		}
	}
	return "", errors.New("the key file holds no age key")
}

// createOwnKey makes this computer's key pair and keeps the secret half in identity.txt (only the user
// may read it). An existing key is never replaced.
func createOwnKey() (string, error) {
	dir, err := dataDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	id, pub := envelope.GenerateX25519()
	f, err := os.OpenFile(filepath.Join(dir, identityFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = fmt.Fprintf(f, "# Dossier's key for receiving bundles. Keep it secret; never send this file.\n# public key: %s\n%s\n", pub, id)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return pub, err
}

func (s *settingsView) fillOwnKey() {
	s.ownKey.Objects = nil
	pub, err := ownPublicKey()
	switch {
	case err != nil:
		s.ownKey.Add(widget.NewLabel(lang.X("settings.ownkey.readerr", "This computer's key could not be read: {{.Err}}", map[string]any{"Err": err.Error()})))
	case pub == "":
		l := newWrapLabel(lang.X("settings.ownkey.none", "If you receive bundles (for example at a hospital), create a key and give its public half to the people who send them. Only this computer can then open what they send you."))
		create := newButtonWithIcon(lang.X("settings.ownkey.create", "Create my key"), theme.ContentAddIcon(), func() {
			if _, err := createOwnKey(); err != nil {
				s.errBox.Show(explain(err, problem{Title: lang.X("settings.ownkey.createerr", "The key could not be created"), What: lang.X("settings.ownkey.createerr.what", "Dossier could not write the key into its data folder.")}))
			}
			s.fillOwnKey()
		})
		s.ownKey.Add(l)
		s.ownKey.Add(container.NewHBox(create))
	default:
		l := newWrapLabel(lang.X("settings.ownkey.give", "Give this public key to whoever sends you bundles. It is safe to share; the secret half stays on this computer."))
		key := widget.NewLabelWithStyle(pub, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		key.Wrapping = fyne.TextWrapBreak
		cp := newButtonWithIcon(lang.X("settings.copy", "Copy"), theme.ContentCopyIcon(), func() { copyText(pub) })
		save := newButtonWithIcon(lang.X("settings.savefile", "Save to a file…"), theme.DocumentSaveIcon(), func() { s.savePublicKey(pub) })
		s.ownKey.Add(l)
		s.ownKey.Add(key)
		s.ownKey.Add(container.NewHBox(cp, save))
	}
	s.ownKey.Refresh()
}

func (s *settingsView) savePublicKey(pub string) {
	choosePath(s.v.win, pathRequest{kind: nativedialog.SaveFile, title: lang.X("settings.savefile", "Save to a file…"),
		name: "dossier-public-key.txt"}, func(p string) {
		if err := os.WriteFile(p, []byte(pub+"\n"), 0o644); err != nil {
			s.errBox.Show(explain(err, problem{Title: lang.X("settings.keysaveerr", "The key could not be saved"), What: lang.X("settings.keysaveerr.what", "Dossier could not write the file.")}))
		}
	}, nil)
}

// themeChoices are the colour choices: the preference value and its name.
func themeChoices() [][2]string {
	return [][2]string{
		{"", lang.X("settings.theme.system", "Same as this computer")},
		{"light", lang.X("settings.theme.light", "Light")},
		{"dark", lang.X("settings.theme.dark", "Dark")},
	}
}

func (s *settingsView) themeSelect() *dropDown {
	choices := themeChoices()
	var names []string
	for _, c := range choices {
		names = append(names, c[1])
	}
	s.theme = newDropDown(names, nil)
	cur := s.v.app.Preferences().String(prefTheme)
	for _, c := range choices {
		if c[0] == cur {
			s.theme.SetSelected(c[1])
		}
	}
	s.theme.OnChanged = func(name string) {
		for _, c := range choices {
			if c[1] == name {
				s.v.app.Preferences().SetString(prefTheme, c[0])
				applyAppearance(s.v.app)
			}
		}
	}
	return s.theme
}

func (s *settingsView) textSizeSelect() *dropDown {
	var names []string
	for _, t := range textSizes {
		names = append(names, lang.X(t.key, t.name))
	}
	s.textSize = newDropDown(names, nil)
	cur := s.v.app.Preferences().FloatWithFallback(prefTextSize, 1)
	for i, t := range textSizes {
		if t.scale == cur {
			s.textSize.SetSelected(names[i])
		}
	}
	s.textSize.OnChanged = func(name string) {
		for i, t := range textSizes {
			if names[i] == name {
				s.v.app.Preferences().SetFloat(prefTextSize, t.scale)
				applyAppearance(s.v.app)
			}
		}
	}
	return s.textSize
}

func (s *settingsView) languageSelect() *radioGroup {
	langs := uiLanguages()
	var names []string
	for _, l := range langs {
		names = append(names, l.Name)
	}
	s.langNote = newWrapLabel(lang.X("settings.language.note", "A new language is used from the next time Dossier starts."))
	s.langNote.Hide()
	s.restart = newButtonWithIcon(lang.X("settings.restart", "Restart Dossier now"), theme.ViewRefreshIcon(), s.v.restart)
	s.restart.Importance = widget.HighImportance
	s.restart.Hide()
	s.language = newRadioGroup(names, nil)
	s.language.Required = true
	cur := s.v.app.Preferences().String(prefLanguage)
	for _, l := range langs {
		if l.Tag == cur {
			s.language.SetSelected(l.Name)
		}
	}
	s.language.OnChanged = func(name string) {
		for _, l := range langs {
			if l.Name == name {
				s.v.app.Preferences().SetString(prefLanguage, l.Tag)
				s.langNote.Show()
				s.restart.Show()
			}
		}
	}
	return s.language
}
