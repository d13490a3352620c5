package ui

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/bundle"
	"dossier/packager/envelope"
	"dossier/packager/privacy"
	"dossier/ui/internal/kit"
	"dossier/ui/nativedialog"
)

// unlock is how a bundle is unlocked.
type unlock int

// The ways to unlock a bundle.
const (
	unlockPassphrase unlock = iota
	unlockOwnKey
	unlockKeyFile
)

// unlockLabel names a way to unlock a bundle for people.
func unlockLabel(u unlock) string {
	switch u {
	case unlockOwnKey:
		return lang.X("open.how.ownkey", "With this computer's own Dossier key")
	case unlockKeyFile:
		return lang.X("open.how.keyfile", "With a key file")
	}
	return lang.X("open.how.passphrase", "With the passphrase I was given")
}

// extractLabel names what to do with a bundle: put its files into a folder (true), or only check it.
func extractLabel(extract bool) string {
	if extract {
		return lang.X("open.what.extract", "Check it and put its files into a folder")
	}
	return lang.X("open.what.check", "Only check that it is complete")
}

// openProgress is how far checking a bundle has come.
type openProgress struct {
	files int
	bytes int64
}

// openScreen takes a bundle someone sent: how to unlock it, check it (and extract it), and what is inside.
type openScreen struct {
	object  fyne.CanvasObject
	win     fyne.Window
	run     *runner
	onClose func()

	path      string
	pathLabel *widget.Label
	how       *kit.Choice[unlock]
	pass      *widget.Entry
	keyFile   string
	keyLabel  *widget.Label
	keyBox    *fyne.Container
	what      *kit.Choice[bool] // extract (true) or only check
	dest      string
	destLabel *widget.Label
	destBox   *fyne.Container
	start     *button
	form      *fyne.Container

	busy     *fyne.Container
	bar      *widget.ProgressBarInfinite
	progress *widget.Label
	cancel   *button
	job      *job

	errBox *errorBox
	result *fyne.Container
	report *bundle.Report
}

// ownKeyPath is where this computer's own Dossier key (for receiving) is kept, or "" if unknown.
func ownKeyPath() string {
	d, err := dataDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, identityFile)
}

func newOpenScreen(win fyne.Window, run *runner, path string, onClose func()) *openScreen {
	s := &openScreen{win: win, run: run, onClose: onClose}
	title := widget.NewLabelWithStyle(lang.X("open.title", "Open a bundle"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	intro := newWrapLabel(lang.X("open.intro", "Dossier unlocks the bundle, checks that every file arrived exactly as it was sent, and then shows you what is inside."))

	s.pathLabel = widget.NewLabel("")
	s.pathLabel.Truncation = fyne.TextTruncateEllipsis
	chooseBundle := newButtonWithIcon(lang.X("open.choosebundle", "Choose bundle…"), theme.FileIcon(), s.chooseBundle)

	options := []unlock{unlockPassphrase}
	if p := ownKeyPath(); p != "" {
		if _, err := os.Stat(p); err == nil {
			options = append(options, unlockOwnKey)
		}
	}
	options = append(options, unlockKeyFile)
	s.pass = widget.NewPasswordEntry()
	s.pass.SetPlaceHolder(lang.X("open.pass.hint", "The passphrase, for example: word-word-word-…"))
	s.pass.OnSubmitted = func(string) { s.begin() }
	s.keyLabel = widget.NewLabel(lang.X("open.nokey", "No key file chosen"))
	chooseKey := newButtonWithIcon(lang.X("open.choosekey", "Choose key file…"), theme.FileIcon(), s.chooseKey)
	s.keyBox = container.NewBorder(nil, nil, nil, chooseKey, s.keyLabel)
	s.how = kit.NewRadio(options, unlockLabel, func(unlock, bool) { s.howChanged() })
	s.how.Radio.Required = true
	s.how.Radio.OnSubmitted = s.begin

	s.destLabel = widget.NewLabel(lang.X("export.nofolder", "No folder chosen yet"))
	s.destLabel.Truncation = fyne.TextTruncateEllipsis
	chooseDest := newButtonWithIcon(lang.X("button.choosefolder", "Choose folder…"), theme.FolderOpenIcon(), s.chooseDest)
	s.destBox = container.NewBorder(nil, nil, nil, chooseDest, s.destLabel)
	s.what = kit.NewRadio([]bool{true, false}, extractLabel, func(extract, _ bool) {
		if extract {
			s.destBox.Show()
		} else {
			s.destBox.Hide()
		}
	})
	s.what.Radio.Required = true
	s.what.Radio.OnSubmitted = s.begin

	s.start = newButtonWithIcon(lang.X("cases.open", "Open"), theme.ConfirmIcon(), s.begin)
	s.start.Importance = widget.HighImportance
	back := newButtonWithIcon(lang.X("button.close", "Close"), theme.CancelIcon(), s.close)

	bold := func(t string) *widget.Label {
		return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.form = container.NewVBox(
		bold(lang.X("open.bundle", "The bundle")), container.NewBorder(nil, nil, nil, chooseBundle, s.pathLabel),
		bold(lang.X("open.how", "How to unlock it")), s.how.Object(), s.pass, s.keyBox,
		bold(lang.X("checklist.todo", "What to do")), s.what.Object(), s.destBox,
	)

	s.bar = widget.NewProgressBarInfinite()
	s.bar.Stop()
	s.progress = widget.NewLabel("")
	s.cancel = newButtonWithIcon(lang.X("button.cancel", "Cancel"), theme.CancelIcon(), func() {
		if s.job != nil {
			s.job.Cancel()
		}
	})
	s.busy = container.NewVBox(widget.NewLabel(lang.X("open.busy", "Unlocking and checking every file…")), s.bar, container.NewBorder(nil, nil, nil, s.cancel, s.progress))
	s.busy.Hide()
	s.errBox = newErrorBox()
	s.result = container.NewVBox()
	s.result.Hide()

	s.how.SetValue(unlockPassphrase)
	s.what.SetValue(true)
	s.setPath(path)
	body := container.NewVScroll(container.NewVBox(intro, s.form, s.busy, s.errBox.Object, s.result))
	buttons := container.NewBorder(nil, nil, back, s.start)
	s.object = container.NewPadded(container.NewBorder(container.NewVBox(title, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), buttons), nil, nil, body))
	return s
}

func (s *openScreen) setPath(p string) {
	s.path = p
	if p == "" {
		s.pathLabel.SetText(lang.X("open.nobundle", "No bundle chosen yet"))
	} else {
		s.pathLabel.SetText(p)
	}
	if s.dest == "" && p != "" {
		// Beside the bundle, in a folder of its name.
		base := bundleName.ReplaceAllString(filepath.Base(p), "")
		s.setDest(filepath.Join(filepath.Dir(p), base))
	}
}

func (s *openScreen) setDest(d string) {
	s.dest = d
	s.destLabel.SetText(kit.FolderText(d))
}

func (s *openScreen) setKeyFile(p string) {
	s.keyFile = p
	s.keyLabel.SetText(p)
}

func (s *openScreen) howChanged() {
	s.pass.Hide()
	s.keyBox.Hide()
	switch how, _ := s.how.Value(); how {
	case unlockPassphrase:
		s.pass.Show()
	case unlockKeyFile:
		s.keyBox.Show()
	}
}

func (s *openScreen) chooseBundle() {
	choosePath(s.win, pathRequest{kind: nativedialog.OpenFile, title: lang.X("dialog.openbundle", "Choose a bundle"),
		accept: lang.X("open.choose", "Choose"), exts: []string{".age", ".001", ".002", ".003"},
		filterName: lang.X("dialog.bundles", "Dossier bundles")}, func(p string) {
		s.dest = ""
		s.setPath(p)
	}, nil)
}

func (s *openScreen) chooseKey() {
	choosePath(s.win, pathRequest{kind: nativedialog.OpenFile, title: lang.X("open.usekey", "Use this key"),
		accept: lang.X("open.usekey", "Use this key")}, s.setKeyFile, nil)
}

func (s *openScreen) chooseDest() {
	chooseLocalFolder(s.win, lang.X("open.puthere", "Put the files here"), s.setDest)
}

func (s *openScreen) close() {
	if s.job != nil {
		s.job.Cancel()
	}
	if s.onClose != nil {
		s.onClose()
	}
}

// identities reads what unlocks the bundle, with a kind message when something is missing.
func (s *openScreen) identities() ([]age.Identity, error) {
	switch how, _ := s.how.Value(); how {
	case unlockPassphrase:
		if s.pass.Text == "" {
			return nil, errors.New(lang.X("open.err.pass", "Type the passphrase you were given."))
		}
		id, err := envelope.PassphraseIdentity(s.pass.Text)
		if err != nil {
			return nil, err
		}
		return []age.Identity{id}, nil
	case unlockOwnKey:
		return readIdentities(ownKeyPath())
	case unlockKeyFile:
		if s.keyFile == "" {
			return nil, errors.New(lang.X("open.err.keyfile", "Choose the key file that unlocks the bundle."))
		}
		return readIdentities(s.keyFile)
	}
	return nil, errors.New(lang.X("open.err.how", "Choose how to unlock the bundle."))
}

func readIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return envelope.ParseIdentities(f)
}

// begin unlocks and checks the bundle in the background.
func (s *openScreen) begin() {
	if s.job != nil {
		return
	}
	s.errBox.Hide()
	s.result.Hide()
	if s.path == "" {
		s.errBox.Show(problem{Title: lang.X("open.which", "Which bundle?"), What: lang.X("open.which.what", "No bundle is chosen yet."), Todo: lang.X("open.which.todo", "Press “Choose bundle…” and pick the file that ends in .age.")})
		return
	}
	ids, err := s.identities()
	if err != nil {
		s.errBox.Show(problem{Title: lang.X("open.howerr", "How should it be unlocked?"), What: err.Error(), Todo: lang.X("open.howerr.todo", "Then press “Open” again.")})
		return
	}
	path, dest := s.path, ""
	if s.what.Is(true) {
		if s.dest == "" {
			s.errBox.Show(problem{Title: lang.X("open.where", "Where should the files go?"), What: lang.X("open.where.what", "No folder is chosen yet."), Todo: lang.X("open.where.todo", "Press “Choose folder…”, or choose to only check the bundle.")})
			return
		}
		dest = s.dest
	}
	s.form.Hide()
	s.start.Disable()
	s.busy.Show()
	s.bar.Start()
	s.progress.SetText("")
	s.job = startJob(s.run, context.Background(), func(ctx context.Context, report func(openProgress)) (*bundle.Report, error) {
		return openBundle(ctx, path, ids, dest, func(files int, bytes int64) { report(openProgress{files, bytes}) })
	}, func(p openProgress) {
		s.progress.SetText(lang.X("open.progress", "{{.Files}} checked ({{.Size}})", map[string]any{
			"Files": fileCount(p.files), "Size": humanSize(p.bytes)}))
	}, s.done)
}

// openBundle decrypts path (any of its volumes may be named) and verifies it, extracting into dest
// unless dest is "".
func openBundle(ctx context.Context, path string, ids []age.Identity, dest string, progress func(int, int64)) (*bundle.Report, error) {
	rc, _, err := envelope.OpenVolumes(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	r, err := envelope.Decrypt(rc, ids...)
	if err != nil {
		return nil, err
	}
	r = ctxReader{ctx, r}
	if dest == "" {
		return bundle.Verify(ctx, r, bundle.VerifyOptions{Progress: progress})
	}
	return bundle.Open(ctx, r, dest, false, progress)
}

// ctxReader stops reading when ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (s *openScreen) done(rep *bundle.Report, err error) {
	s.job = nil
	s.bar.Stop()
	s.busy.Hide()
	s.form.Show()
	s.start.Enable()
	if err != nil {
		p := explain(err, problem{Title: lang.X("open.failed", "The bundle could not be opened"), What: lang.X("open.failed.what", "Something went wrong while unlocking or checking it. Nothing was put into the folder.")})
		if errors.Is(err, context.Canceled) {
			p = problem{Title: lang.X("err.stopped", "Stopped"), What: lang.X("open.stopped.what", "You stopped it. Nothing was put into the folder."), Todo: lang.X("open.stopped.todo", "Press “Open” to start again.")}
		}
		s.errBox.Show(p)
		return
	}
	s.report = rep
	s.form.Hide() // what is inside matters now; "Open another" brings the form back
	s.start.Hide()
	s.showResult(rep)
}

func (s *openScreen) showResult(rep *bundle.Report) {
	s.result.Objects = nil
	ok := widget.NewLabelWithStyle(lang.X("open.ok", "The bundle is complete and intact"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	ok.Importance = widget.SuccessImportance
	summary := lang.X("open.summary", "{{.Files}} ({{.Size}}), each one exactly as it was sent.", map[string]any{
		"Files": fileCount(rep.Files), "Size": humanSize(rep.Bytes)})
	if s.what.Is(true) {
		summary += lang.X("open.summary.where", " They are in {{.Dir}}.", map[string]any{"Dir": s.dest})
	}
	sl := newWrapLabel(summary)
	level := newWrapLabel(lang.X("open.privacy", "Privacy: {{.Level}}", map[string]any{"Level": privacyWords(rep.Privacy)}))
	fp := kit.NewSelectableText(fingerprintGroups(rep.Fingerprint))
	fp.TextStyle.Monospace = true
	fp.Wrapping = fyne.TextWrapBreak
	fexpl := newWrapLabel(lang.X("open.fingerprint", "Fingerprint — if the sender reads out the same one, you have exactly what they sent:"))
	s.result.Add(ok)
	s.result.Add(sl)
	s.result.Add(level)
	s.result.Add(fexpl)
	s.result.Add(fp)
	if s.what.Is(true) {
		dest := s.dest
		coverBtn := newButtonWithIcon(lang.X("done.cover", "Open the cover summary"), theme.DocumentIcon(), func() { openDocument(s.win, s.run, filepath.Join(dest, bundle.NameCover)) })
		coverBtn.Importance = widget.HighImportance
		s.result.Add(container.NewHBox(coverBtn,
			newButtonWithIcon(lang.X("done.show", "Show in folder"), theme.FolderOpenIcon(), func() { openFolder(s.win, s.run, dest) })))
	}
	inside := newWrapLabel(lang.X("open.inside", "Inside: {{.Names}}", map[string]any{"Names": strings.Join(topLevel(rep.Names), ", ")}))
	s.result.Add(inside)
	s.result.Add(container.NewHBox(newButtonWithIcon(lang.X("open.another", "Open another bundle…"), theme.FileIcon(), func() {
		s.result.Hide()
		s.form.Show()
		s.start.Show()
		s.pass.SetText("")
	})))
	s.result.Show()
	s.result.Refresh()
}

// topLevel lists the files and folders at the top of a bundle's tree.
func topLevel(names []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		top, _, more := strings.Cut(n, "/")
		if more {
			top += "/"
		}
		if !seen[top] {
			seen[top] = true
			out = append(out, top)
		}
	}
	return out
}

// privacyWords says what a bundle's privacy level means for its reader.
func privacyWords(level string) string {
	switch privacy.Level(level) {
	case privacy.Identified:
		return lang.X("open.level.identified", "identified — the records carry the patient's name.")
	case privacy.Pseudonymised:
		return lang.X("open.level.pseudonymised", "pseudonymised — the patient's name is replaced by a code; ask the sender who it is.")
	case privacy.Anonymised:
		return lang.X("open.level.anonymised", "anonymised — nothing in it points to the patient.")
	case "":
		return lang.X("open.level.none", "not stated in the bundle.")
	}
	return level
}

// openBundle asks for a bundle and shows the open screen.
func (v *mainView) openBundle() { v.showOpen("") }

// showOpen shows the open screen for path ("": the person chooses).
func (v *mainView) showOpen(path string) {
	if v.wizard != nil {
		v.status.showInfo(lang.X("status.finishsend", "Finish or close sending your bundle first."))
		return
	}
	v.opener = newOpenScreen(v.win, v.run, path, func() {
		v.opener = nil
		v.showHome()
	})
	v.content.Objects = []fyne.CanvasObject{v.opener.object}
	v.content.Refresh()
}
