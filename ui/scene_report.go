package ui

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"fyne.io/fyne/v2"

	"dossier/packager/atomicfile"
	"dossier/ui/internal/kit"
)

// playScene, set by screenshot.go in a build with -tags screenshots, puts the window into a scene of
// the documentation's screenshots; without the tag the app shows the case ("case", as the test of
// the real app uses it) and nothing else.
var playScene func(v *mainView, scene string)

// screenshotScene, once the case from the command line has been read, plays the scene named by
// Config.Screenshot (see playScene) and, with Config.SceneReport, reports what the window shows.
func (v *mainView) screenshotScene() {
	scene := v.cfg.Screenshot
	v.cfg.Screenshot = ""
	// Give the checklist a moment, so the cover is complete.
	startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		time.Sleep(1500 * time.Millisecond)
		return struct{}{}, nil
	}, nil, func(struct{}, error) {
		if playScene != nil {
			playScene(v, scene)
		}
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
					rep.Checklist = append(rep.Checklist, row.result.Title+": "+kit.Unmarked(row.status.Text))
				}
			}
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
			fyne.LogError("writing the scene report", err)
		}
	})
}
