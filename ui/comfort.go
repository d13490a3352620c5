package ui

import (
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
)

// rememberedSize is the window size of the last run, or the default.
func (v *mainView) rememberedSize() fyne.Size {
	p := v.app.Preferences()
	w, h := p.Float(prefWindowWidth), p.Float(prefWindowHeight)
	if w < 480 || h < 360 {
		return defaultWindowSize
	}
	return fyne.NewSize(float32(w), float32(h))
}

// rememberSize keeps the window's size for the next run.
func (v *mainView) rememberSize() {
	s := v.win.Canvas().Size()
	if s.Width < 480 || s.Height < 360 {
		return
	}
	v.app.Preferences().SetFloat(prefWindowWidth, float64(s.Width))
	v.app.Preferences().SetFloat(prefWindowHeight, float64(s.Height))
}

// rememberFolder keeps the folder of what was added last, for the next file dialog.
func (v *mainView) rememberFolder(paths []string) {
	if len(paths) == 0 {
		return
	}
	dir := filepath.Dir(filepath.Clean(paths[0]))
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		v.app.Preferences().SetString(prefLastFolder, dir)
	}
}
