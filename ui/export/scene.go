//go:build screenshots

package export

import (
	"time"

	"dossier/packager/bundle"
	"dossier/packager/privacy"
)

// PlayScene puts the wizard into one of the scenes of the documentation's screenshots
// (scripts/screenshots.sh, which builds with -tags screenshots): "export-1" … "export-5" are its
// steps; "history" and "open-result" make the bundle as "export-5" does. Bundles go to dir; sent, if
// not nil, is called once a bundle is made.
func (w *Wizard) PlayScene(scene, dir string, sent func()) {
	w.setDir(dir)
	if scene == "export-1" {
		return
	}
	w.setLevel(privacy.Pseudonymised)
	switch scene {
	case "export-2":
		w.show(StepDecisions)
	case "export-3":
		w.show(StepRecipient)
	case "export-4":
		w.show(StepProgress)
		w.started = time.Now().Add(-40 * time.Second)
		w.showProgress(bundle.Progress{Done: 4, Total: 11, Bytes: 210 << 20, TotalBytes: 610 << 20, Current: "DICOM/ST000001/SE000001/IM000004"})
	default:
		w.show(StepRecipient)
		prev := w.d.OnSent
		w.d.OnSent = func() {
			if prev != nil {
				prev()
			}
			if sent != nil {
				sent()
			}
		}
		w.startExport()
	}
}

// Close leaves the wizard as its Close button does.
func (w *Wizard) Close() { w.close() }
