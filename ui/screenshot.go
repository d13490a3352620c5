package ui

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"dossier/packager/bundle"
	"dossier/packager/privacy"
)

// screenshotScene puts the window into one of the scenes scripts/screenshots.sh captures, once the
// case from the command line has been read: "export-1" … "export-5" (the wizard's steps), "history",
// "open", "open-result" (a bundle just made, opened with its passphrase) and "settings". It is for the documentation only (Config.Screenshot).
func (v *mainView) screenshotScene() {
	scene := v.cfg.Screenshot
	v.cfg.Screenshot = ""
	// Give the checklist a moment, so the cover is complete.
	startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		time.Sleep(1500 * time.Millisecond)
		return struct{}{}, nil
	}, nil, func(struct{}, error) { v.playScene(scene) })
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
				pass, path := w.passphrase, w.result.Files[0]
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
