package export

import (
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/bundle"
	"dossier/packager/deid"
	"dossier/packager/privacy"
	"dossier/ui/internal/kit"
)

// buildDone is the last step: the passphrase (once), the fingerprint, the files and where they are.
func (w *Wizard) buildDone() fyne.CanvasObject {
	res := w.result
	o := res.Output
	box := container.NewVBox()
	where := kit.NewWrapLabel(lang.X("done.savedin", "Saved in {{.Dir}}.", map[string]any{"Dir": o.Dir}))
	buttons := container.NewHBox()
	box.Add(container.NewBorder(nil, nil, nil, buttons, where))

	if res.Passphrase != "" {
		h := widget.NewLabelWithStyle(lang.X("done.passphrase", "The passphrase — shown only now"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		pass := kit.NewSelectableText(res.Passphrase)
		pass.TextStyle.Monospace = true
		pass.SizeName = theme.SizeNameHeadingText
		pass.Wrapping = fyne.TextWrapBreak
		copyBtn := kit.NewButtonWithIcon(lang.X("done.copy", "Copy the passphrase"), theme.ContentCopyIcon(), func() {
			kit.CopyText(res.Passphrase)
		})
		advice := kit.NewWrapLabel(lang.X("done.advice", "Write it down or copy it now: Dossier does not keep it, and nobody can open the bundle without it. Send it another way than the bundle: read it out on the phone or send it by text message — never in the same e-mail."))
		box.Add(kit.NewPanel(container.NewVBox(h, pass, container.NewHBox(copyBtn), advice), theme.ColorNameInputBackground, theme.ColorNamePrimary))
	} else {
		var s string
		switch {
		case o.Folder:
			s = lang.X("done.nolock", "This copy is not locked: anyone who finds it can read it. Keep the USB stick with you and hand it over in person.")
		case o.Passphrase != "":
			s = lang.X("done.typed", "Send the passphrase you chose another way than the bundle: read it out on the phone or send it by text message.")
		default:
			s = lang.X("done.centre", "Only {{.Who}} can open it, with their own key. No passphrase needs to be sent.", map[string]any{"Who": res.Recipient})
		}
		l := kit.NewWrapLabel(s)
		box.Add(l)
	}
	named := sentNamed(res.Items, res.Privacy)
	if len(named) > 0 {
		// Said plainly, as on the cover: these documents were sent as they
		// are, so they carry the patient's name (no false "withheld").
		l := kit.NewWrapLabelWithStyle(lang.X("done.sentnamed", "Sent as they are, with your name or other details in them, as you chose: {{.Files}}.", map[string]any{"Files": strings.Join(named, ", ")}), fyne.TextStyle{Bold: true})
		box.Add(kit.NewPanel(l, theme.ColorNameInputBackground, theme.ColorNameWarning))
	}
	if res.Pseudonym != "" {
		s := lang.X("done.pseudonym", "Your records carry the code {{.Code}} instead of your name. When the centre replies about {{.Code}}, you will have to tell them who you are.", map[string]any{"Code": res.Pseudonym})
		if len(named) > 0 {
			s = lang.X("done.pseudonym.others", "Your other records carry the code {{.Code}} instead of your name. When the centre replies about {{.Code}}, you will have to tell them who you are.", map[string]any{"Code": res.Pseudonym})
		}
		l := kit.NewWrapLabel(s)
		box.Add(l)
	}

	fh := widget.NewLabelWithStyle(lang.X("done.fingerprint", "Fingerprint"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	fp := kit.NewSelectableText(kit.FingerprintGroups(res.Fingerprint))
	fp.TextStyle.Monospace = true
	fp.Wrapping = fyne.TextWrapBreak
	fexpl := kit.NewWrapLabel(lang.X("done.fingerprint.explain", "When the centre opens the bundle, Dossier shows them this fingerprint too. If it is the same, they have exactly what you sent."))
	box.Add(fh)
	box.Add(fp)
	box.Add(fexpl)

	fl := widget.NewLabelWithStyle(lang.X("done.saved", "What was saved"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	box.Add(fl)
	for _, f := range res.Files {
		box.Add(widget.NewLabel("• " + filepath.Base(f)))
	}
	inside := lang.X("done.inside", "{{.Files}} of your records are inside.", map[string]any{"Files": kit.FileCount(len(res.Items))})
	if n := len(res.LeftOut); n > 0 {
		inside += lang.X("done.leftout", " {{.Files}} left out, as listed on the cover summary.", map[string]any{"Files": kit.FileCount(n)})
	}
	box.Add(widget.NewLabel(inside))
	for _, d := range res.LeftOut {
		if d.Action == deid.Held { // the final check found identity in its cleaned copy
			l := kit.NewWrapLabel("• " + filepath.Base(d.Path) + " — " + kit.Text(d.Reason))
			box.Add(l)
		}
	}

	folder := o.Dir
	if o.Folder {
		folder = filepath.Join(o.Dir, o.Name)
	}
	show := kit.NewButtonWithIcon(lang.X("done.show", "Show in folder"), theme.FolderOpenIcon(), func() { w.openFolder(folder) })
	buttons.Add(show)
	if o.Folder {
		coverPath := filepath.Join(folder, bundle.NameCover)
		buttons.Add(kit.NewButtonWithIcon(lang.X("done.cover", "Open the cover summary"), theme.DocumentIcon(), func() { w.openDocument(coverPath) }))
	}
	return box
}

// sentNamed are the file names of the items the user chose to send as
// they are at a private level: they carry the patient's identity. A picture
// sent with the boxes she confirmed over her details is not one of them.
func sentNamed(items []deid.Written, level privacy.Level) []string {
	if level == privacy.Identified {
		return nil
	}
	var names []string
	for _, it := range items {
		if it.SentNamed() {
			names = append(names, filepath.Base(it.Path))
		}
	}
	return names
}
