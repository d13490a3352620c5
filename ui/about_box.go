package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// aboutVersion is the version line of the About box.
func aboutVersion(version string) string {
	if version == "" {
		version = lang.X("about.unknown", "unknown")
	}
	return lang.X("about.version", "Version {{.Version}}", map[string]any{"Version": version})
}

// showAbout shows the About box (Help › About Dossier): name, version and what Dossier is for.
func (v *mainView) showAbout() {
	var icon fyne.Resource = theme.FileIcon()
	if v.app.Icon() != nil {
		icon = v.app.Icon()
	}
	name := widget.NewLabelWithStyle("Dossier", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	name.SizeName = theme.SizeNameHeadingText
	ver := widget.NewLabelWithStyle(aboutVersion(v.cfg.Version), fyne.TextAlignCenter, fyne.TextStyle{})
	what := newWrapLabel(lang.X("about.text", "Gathers the medical records a specialist needs for a second opinion, shows what is missing, and sends them as one locked bundle. It only reads your files; it never changes them."))
	what.Alignment = fyne.TextAlignCenter
	content := container.NewVBox(container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(64), widget.NewIcon(icon))), name, ver, what)
	d := newCloseDialog(lang.X("menu.about", "About Dossier"), content, v.win)
	d.Resize(fyne.NewSize(min(440, v.win.Canvas().Size().Width*0.9), 0))
	d.Show()
}
