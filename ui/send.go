package ui

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"

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
			v.wizard = nil
			v.showCase()
		},
		OnSent:       v.loadHistory,
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

// decisionsFor is the case's decisions of step 2, kept while the app runs: closing the wizard, or
// going back to the case, loses none of them.
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
