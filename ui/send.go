package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
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
		Boxes: v.freshBoxes(),
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

// keepDecisions stores the case's decisions of step 2, and the redaction boxes confirmed there, in
// the background (the steps closed, or a bundle was made), so that they are there after a restart.
func (v *mainView) keepDecisions() {
	paths := v.chosenPaths()
	boxes, boxErr := v.keptBoxes()
	v.persist(lang.X("save.sendchoices", "Your choices of what to send"), func(ctx context.Context, st CaseStore, caseID int64) error {
		return saveDecisions(ctx, st, caseID, paths, boxes, boxErr)
	})
}

// flushDecisions stores the decisions of step 2 at once, before returning: the window is closing
// with the steps of sending open.
func (v *mainView) flushDecisions() {
	if v.caseID == 0 || v.wizard == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	boxes, boxErr := v.keptBoxes()
	_ = saveDecisions(ctx, v.cfg.Store, v.caseID, v.chosenPaths(), boxes, boxErr)
}

// saveDecisions writes a case's decisions of step 2 (the paths sent) and its redaction boxes into
// st, as far as st keeps them; boxErr, when the boxes could not be written out, leaves the kept
// boxes as they were and is returned.
func saveDecisions(ctx context.Context, st CaseStore, caseID int64, paths []string, boxes []store.SendBoxes, boxErr error) error {
	if cs, ok := st.(sendChoiceStore); ok {
		if err := cs.SaveSendChoices(ctx, caseID, paths); err != nil {
			return err
		}
	}
	if boxErr != nil {
		return boxErr
	}
	if bs, ok := st.(sendBoxStore); ok {
		return bs.SaveSendBoxes(ctx, caseID, boxes)
	}
	return nil
}

// sendBoxStore is a case store that keeps the redaction boxes confirmed in step 2 (packager/store
// does); with another store they are kept while the app runs.
type sendBoxStore interface {
	SaveSendBoxes(ctx context.Context, caseID int64, files []store.SendBoxes) error
	SendBoxesOf(ctx context.Context, caseID int64) ([]store.SendBoxes, error)
}

// loadSendBoxes reads the redaction boxes kept for a case's files, when the store keeps them. The
// boxes of a file that is gone or changed since (its size or time differ) are dropped: they were
// drawn on other pixels. A file inside a ZIP is checked by its stamp in the ZIP's directory (its
// CRC-32 and size): its boxes are kept while it is unchanged, even when the ZIP around it changed.
func loadSendBoxes(ctx context.Context, st CaseStore, caseID int64) (map[string]*exportui.KeptBoxes, error) {
	bs, ok := st.(sendBoxStore)
	if !ok {
		return nil, nil
	}
	rows, err := bs.SendBoxesOf(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := map[string]*exportui.KeptBoxes{}
	for _, r := range rows {
		member := exportui.IsMember(r.Path)
		if !member {
			fi, err := os.Stat(r.Path)
			if err != nil || !fi.Mode().IsRegular() || fi.Size() != r.Size || r.ModTime.IsZero() || !fi.ModTime().Equal(r.ModTime) {
				continue
			}
		}
		k := &exportui.KeptBoxes{}
		if err := json.Unmarshal([]byte(r.Boxes), k); err != nil || k.Redactions == nil {
			continue // not boxes this version can read: Dossier's own suggestions again
		}
		if member && (k.Member == nil || k.Member.Size != r.Size || !k.Unchanged(r.Path)) {
			continue
		}
		k.Size, k.ModTime = r.Size, r.ModTime
		out[r.Path] = k
	}
	return out, nil
}

// keptBoxes are the case's redaction boxes of step 2 as the store keeps them.
func (v *mainView) keptBoxes() ([]store.SendBoxes, error) {
	var out []store.SendBoxes
	for p, k := range v.boxes[v.caseID] {
		if k == nil || k.Redactions == nil {
			continue
		}
		b, err := json.Marshal(k)
		if err != nil {
			return nil, fmt.Errorf("keeping the redaction boxes: %w", err)
		}
		out = append(out, store.SendBoxes{Path: p, Size: k.Size, ModTime: k.ModTime, Boxes: string(b)})
	}
	return out, nil
}

// boxesFor is the case's redaction boxes confirmed in step 2, by path, kept like its decisions.
func (v *mainView) boxesFor(caseID int64) map[string]*exportui.KeptBoxes {
	if v.boxes == nil {
		v.boxes = map[int64]map[string]*exportui.KeptBoxes{}
	}
	if v.boxes[caseID] == nil {
		v.boxes[caseID] = map[string]*exportui.KeptBoxes{}
	}
	return v.boxes[caseID]
}

// freshBoxes is the case's redaction boxes for the steps of sending opening now, without those of
// a file the case now knows with another size or time (added again after it changed). A file inside
// a ZIP whose time differs (the ZIP was made again) keeps its boxes while its stamp is unchanged.
func (v *mainView) freshBoxes() map[string]*exportui.KeptBoxes {
	boxes := v.boxesFor(v.caseID)
	if v.inv == nil {
		return boxes
	}
	for _, it := range v.inv.Items {
		k := boxes[it.Path]
		if k == nil || k.Size == it.Size && k.ModTime.Equal(it.ModTime) {
			continue
		}
		if k.Size == it.Size && k.Member != nil && k.Unchanged(it.Path) {
			k.ModTime = it.ModTime
			continue
		}
		delete(boxes, it.Path)
	}
	return boxes
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
