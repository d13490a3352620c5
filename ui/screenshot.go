package ui

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"dossier/packager/atomicfile"
	"dossier/packager/bundle"
	"dossier/packager/checklist"
	"dossier/packager/privacy"
)

// screenshotScene puts the window into one of the scenes scripts/screenshots.sh captures, once the
// case from the command line has been read: "export-1" … "export-5" (the wizard's steps), "history",
// "open", "open-result" (a bundle just made, opened with its passphrase), "settings", "cases" (the list
// of cases), "preview" (a series' picture below the inventory), "checklist" (the first checklist item
// with a note, opened), "walkthrough" and "about". It is for the documentation only (Config.Screenshot).
func (v *mainView) screenshotScene() {
	scene := v.cfg.Screenshot
	v.cfg.Screenshot = ""
	// Give the checklist a moment, so the cover is complete.
	startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		time.Sleep(1500 * time.Millisecond)
		return struct{}{}, nil
	}, nil, func(struct{}, error) {
		v.playScene(scene)
		if v.cfg.SceneReport != "" {
			v.reportScene(v.cfg.SceneReport)
		}
	})
}

// busy reports whether a scan, an evaluation of the checklist, a save or a letter is running.
func (v *mainView) busy() bool {
	c := &v.checks
	return v.scan != nil || c.eval != nil || c.saving || len(c.queue) > 0 || c.letter != nil
}

// SceneReport is what the window shows once a scene is played: what a test of the real app checks.
type SceneReport struct {
	Language  string   `json:"language"`  // the UI's language tag
	Case      string   `json:"case"`      // the case's name, as in the header
	Inventory []string `json:"inventory"` // the inventory's top rows, "title · detail"
	Checklist []string `json:"checklist"` // the checklist's items, "title: status line"
}

// reportScene waits until the case is read and checked, then writes a SceneReport to path (through a
// temporary file, so that a reader never sees half of it). The app stays open, to be looked at.
func (v *mainView) reportScene(path string) {
	startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		time.Sleep(time.Second)
		return struct{}{}, nil
	}, nil, func(struct{}, error) {
		if v.busy() || v.checks.report == nil {
			v.reportScene(path) // still working: look again in a second
			return
		}
		rep := SceneReport{Language: currentLanguage(), Case: v.caseName}
		if v.tree != nil {
			for _, id := range v.tree.groups {
				n := v.tree.nodes[id]
				rep.Inventory = append(rep.Inventory, n.title+" · "+n.detail)
			}
		}
		if p := v.checks.panel; p != nil && p.report != nil {
			for _, r := range p.report.Rules {
				if row := p.rows[r.ID]; row != nil {
					rep.Checklist = append(rep.Checklist, row.result.Title+": "+row.status.Text)
				}
			}
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
			fyne.LogError("writing the scene report", err)
		}
	})
}

func (v *mainView) playScene(scene string) {
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
	w.setDir(dir)
	if scene == "export-1" {
		return
	}
	w.setLevel(privacy.Pseudonymised)
	switch scene {
	case "export-2":
		w.show(stepDecisions)
	case "export-3":
		w.show(stepRecipient)
	case "export-4":
		w.show(stepProgress)
		w.started = time.Now().Add(-40 * time.Second)
		w.showProgress(bundle.Progress{Done: 4, Total: 11, Bytes: 210 << 20, TotalBytes: 610 << 20, Current: "DICOM/ST000001/SE000001/IM000004"})
	case "export-5", "history", "open-result":
		w.show(stepRecipient)
		prev := w.onSent
		w.onSent = func() {
			prev()
			switch scene {
			case "history":
				w.close()
				v.checks.tabs.SelectIndex(3)
			case "open-result":
				pass, path := w.result.Passphrase, w.result.Files[0]
				w.close()
				v.showOpen(path)
				v.opener.pass.SetText(pass)
				v.opener.setDest(filepath.Join(dir, "received"))
				v.opener.begin()
			}
		}
		w.startExport()
	}
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
			if row == nil || row.result.Note == "" || row.toggle == nil || open && r.Status == checklist.StatusMet {
				continue
			}
			row.toggle.OnTapped()
			p.scroll.Offset = fyne.NewPos(0, row.object.Position().Y)
			p.scroll.Refresh()
			return
		}
	}
}
