package ui

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"dossier/packager/export"
	"dossier/packager/privacy"
	"dossier/packager/store"
	exportui "dossier/ui/export"
)

// prefDefaultLevel is the preference holding the privacy level the export wizard starts with.
const prefDefaultLevel = "defaultPrivacyLevel"

// defaultLevel is the privacy level the person chose in the settings, identified if none.
func (v *mainView) defaultLevel() privacy.Level {
	l, err := privacy.ParseLevel(v.app.Preferences().StringWithFallback(prefDefaultLevel, string(privacy.Identified)))
	if err != nil {
		return privacy.Identified
	}
	return l
}

// sendToSpecialist opens the export wizard on the case as it is now.
func (v *mainView) sendToSpecialist() {
	if v.inv == nil || len(v.inv.Items) == 0 {
		v.status.showInfo(lang.X("status.addfirst.send", "Add your records first; then you can send them to a specialist."))
		return
	}
	if v.wizard != nil {
		return
	}
	c := &v.checks
	in := export.Case{ID: v.caseID, Inventory: v.inv, Rules: c.rules, Report: c.report, Details: c.details}
	d := exportui.Deps{Win: v.win, Run: v.run, Now: v.cfg.Now, Level: v.defaultLevel(), Include: v.decisionsFor(v.caseID),
		OnClose: func() {
			v.keepDecisions()
			v.wizard = nil
			v.showCase()
		},
		OnSent: func() {
			v.keepDecisions()
			v.loadHistory()
		},
		ChooseFolder: func(confirm string, use func(string)) { chooseLocalFolder(v.win, confirm, use) },
		OpenFolder:   func(dir string) { openFolder(v.win, v.run, dir) },
		OpenDocument: func(path string) { openDocument(v.win, v.run, path) },
	}
	if v.cfg.Store != nil {
		d.Store = v.cfg.Store
	}
	v.wizard = exportui.New(in, d)
	v.content.Objects = []fyne.CanvasObject{v.wizard.Object()}
	v.content.Refresh()
}

// loadHistory reads the case's exports for the "Sent" tab.
func (v *mainView) loadHistory() {
	st, id := v.cfg.Store, v.caseID
	if st == nil || id == 0 {
		return
	}
	type history struct {
		exports []*store.Export
		code    string
	}
	startJob(v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (history, error) {
		es, err := st.Exports(ctx, id)
		if err != nil {
			return history{}, err
		}
		h := history{exports: es}
		for _, e := range es {
			if e.Level == string(privacy.Pseudonymised) { // a bundle carried the code name: show it
				h.code, _, err = st.Pseudonym(ctx, id)
				break
			}
		}
		return h, err
	}, nil, func(h history, err error) {
		if err != nil {
			v.status.showError(lang.X("status.historyerr", "The list of what was sent from this case could not be read."), err)
			return
		}
		if id == v.caseID {
			v.history.setExports(h.exports)
			v.history.code.set(h.code)
			if v.caseCode != nil {
				v.caseCode.set(h.code)
			}
		}
	})
}

// sendChoiceStore is a case store that keeps the decisions of step 2 (packager/store does); with
// another store they are kept while the app runs.
type sendChoiceStore interface {
	SaveSendChoices(ctx context.Context, caseID int64, paths []string) error
	SendChoices(ctx context.Context, caseID int64) ([]string, error)
}

// loadSendChoices reads a case's decisions of step 2, when the store keeps them.
func loadSendChoices(ctx context.Context, st CaseStore, caseID int64) (map[string]bool, error) {
	cs, ok := st.(sendChoiceStore)
	if !ok {
		return nil, nil
	}
	paths, err := cs.SendChoices(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range paths {
		out[p] = true
	}
	return out, nil
}

// chosenPaths are the paths a case's decisions of step 2 send.
func (v *mainView) chosenPaths() []string {
	var paths []string
	for p, on := range v.decisions[v.caseID] {
		if on {
			paths = append(paths, p)
		}
	}
	return paths
}

// keepDecisions stores the case's decisions of step 2 in the background (the steps closed, or a
// bundle was made), so that they are there after a restart.
func (v *mainView) keepDecisions() {
	paths := v.chosenPaths()
	v.persist(lang.X("save.sendchoices", "Your choices of what to send"), func(ctx context.Context, st CaseStore, caseID int64) error {
		if cs, ok := st.(sendChoiceStore); ok {
			return cs.SaveSendChoices(ctx, caseID, paths)
		}
		return nil
	})
}

// flushDecisions stores the decisions of step 2 at once, before returning: the window is closing
// with the steps of sending open.
func (v *mainView) flushDecisions() {
	cs, ok := v.cfg.Store.(sendChoiceStore)
	if !ok || v.caseID == 0 || v.wizard == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = cs.SaveSendChoices(ctx, v.caseID, v.chosenPaths())
}

// decisionsFor is the case's decisions of step 2: closing the wizard, or going back to the case,
// loses none of them, and the store keeps them for the next start (keepDecisions, flushDecisions).
func (v *mainView) decisionsFor(caseID int64) map[string]bool {
	if v.decisions == nil {
		v.decisions = map[int64]map[string]bool{}
	}
	if v.decisions[caseID] == nil {
		v.decisions[caseID] = map[string]bool{}
	}
	return v.decisions[caseID]
}

// bundleName matches a bundle file or one of its volumes: NAME.age, NAME.age.001.
var bundleName = regexp.MustCompile(`(?i)\.age(\.[0-9]{3,4})?$`)

// splitBundlePaths separates bundles to open from records to add to a case.
func splitBundlePaths(paths []string) (records, bundles []string) {
	for _, p := range paths {
		if bundleName.MatchString(strings.TrimSpace(filepath.Base(p))) {
			bundles = append(bundles, p)
		} else {
			records = append(records, p)
		}
	}
	return records, bundles
}

// showHome shows the case, or the welcome screen when there is none yet.
func (v *mainView) showHome() {
	if v.inv != nil {
		v.showCase()
		return
	}
	v.content.Objects = []fyne.CanvasObject{newWelcomeScreen(v.addFiles, v.addFolder, v.openBundle, v.newMediaPanel().object)}
	v.content.Refresh()
}
