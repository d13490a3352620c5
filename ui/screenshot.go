//go:build screenshots

package ui

// The scenes of the documentation's screenshots, built only with -tags screenshots
// (scripts/screenshots.sh): "export-1" … "export-5" (the wizard's steps), "history", "open",
// "open-result" (a bundle just made, opened with its passphrase), "settings", "cases" (the list of
// cases), "preview" (a series' picture below the inventory), "checklist" (the first checklist item
// with a note, opened), "walkthrough" and "about".

import (
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"

	"dossier/packager/checklist"
)

func init() { playScene = (*mainView).playScreenshotScene }

func (v *mainView) playScreenshotScene(scene string) {
	dir, _ := os.MkdirTemp("", "dossier-screenshot-")
	switch scene {
	case "open":
		v.openBundle()
		return
	case "settings":
		v.showSettings()
		return
	case "case":
		return
	case "cases":
		v.showCases()
		return
	case "walkthrough":
		v.showGuide()
		return
	case "about":
		v.showAbout()
		return
	case "preview":
		v.previewFirstSeries()
		return
	case "checklist":
		v.openFirstNote()
		return
	}
	v.sendToSpecialist()
	w := v.wizard
	if w == nil {
		return
	}
	w.PlayScene(scene, dir, func() {
		switch scene {
		case "history":
			w.Close()
			v.checks.tabs.SelectIndex(len(v.checks.tabs.Items) - 1) // Sent, the last tab
		case "open-result":
			res := w.Result()
			pass, path := res.Passphrase, res.Files[0]
			w.Close()
			v.showOpen(path)
			v.opener.pass.SetText(pass)
			v.opener.setDest(filepath.Join(dir, "received"))
			v.opener.begin()
		}
	})
}

// previewFirstSeries selects the first series of the first study, for its preview.
func (v *mainView) previewFirstSeries() {
	if v.tree == nil || v.treeWidget == nil {
		return
	}
	for _, sid := range v.tree.children["imaging"] {
		for _, id := range v.tree.children[sid] {
			v.treeWidget.OpenBranch(sid)
			v.treeWidget.Select(id)
			v.treeWidget.ScrollTo(id)
			return
		}
	}
}

// openFirstNote opens the first checklist item that has a note (one not yet met, if there is one) and scrolls the checklist to it.
func (v *mainView) openFirstNote() {
	p := v.checks.panel
	if p == nil || p.report == nil {
		return
	}
	for _, open := range []bool{true, false} { // an item still open first
		for _, r := range p.report.Rules {
			row := p.rows[r.ID]
			if row == nil || len(row.result.Notes) == 0 || row.toggle == nil || open && r.Status == checklist.StatusMet {
				continue
			}
			row.toggle.OnTapped()
			p.scroll.Offset = fyne.NewPos(0, row.object.Position().Y)
			p.scroll.Refresh()
			return
		}
	}
}
