package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
)

// The keyboard-friendly widgets (buttons Enter presses, text areas Tab leaves, the focus ring, the
// tab switch) are in ui/internal/kit; this file holds the window's commands and their shortcuts.

// command is one thing the File menu offers, with its keyboard shortcut (nil for none).
type command struct {
	label    string
	shortcut *desktop.CustomShortcut
	action   func()
}

// ctrl is the platform's shortcut key (Ctrl; Cmd on macOS) with key.
func ctrl(key fyne.KeyName) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
}

// ctrlShift is ctrl with Shift.
func ctrlShift(key fyne.KeyName) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
}

// fileCommands is the one table of the File menu and the window's shortcuts, in the menu's order; a
// nil entry is a separator. installCommands makes the menu and the canvas's shortcuts from it, so
// a shortcut shown in the menu is always the one that works.
func (v *mainView) fileCommands() []*command {
	return []*command{
		{lang.X("menu.cases", "Your cases…"), ctrl(fyne.KeyK), v.showCases},
		{lang.X("menu.newcase", "New case"), ctrl(fyne.KeyN), v.newCase},
		nil,
		{lang.X("button.addfiles", "Add files…"), ctrl(fyne.KeyO), v.addFiles},
		{lang.X("button.addfolder", "Add folder…"), ctrlShift(fyne.KeyO), v.addFolder},
		nil,
		{lang.X("button.details", "Case details…"), ctrl(fyne.KeyD), v.showDetails},
		{lang.X("button.letter", "Create request letter…"), ctrl(fyne.KeyL), v.createLetter},
		nil,
		{lang.X("button.send", "Send to a specialist…"), ctrl(fyne.KeyE), v.sendToSpecialist},
		{lang.X("menu.openbundle", "Open a bundle…"), ctrl(fyne.KeyB), v.openBundle},
		nil,
		{lang.X("menu.settings", "Settings…"), nil, v.showSettings},
	}
}

// tabKeys are the shortcuts of the tabs beside the inventory, Ctrl+1 to Ctrl+6 (as many as there
// are: Checklist, Summary, Documents, Case details, Sent).
var tabKeys = []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6}

// installCommands gives the window its menu and its shortcuts, from fileCommands and tabKeys.
func (v *mainView) installCommands() {
	var file []*fyne.MenuItem
	for _, c := range v.fileCommands() {
		if c == nil {
			file = append(file, fyne.NewMenuItemSeparator())
			continue
		}
		item := &fyne.MenuItem{Label: c.label, Action: c.action}
		if c.shortcut != nil {
			item.Shortcut = c.shortcut
			// The canvas answers it too: the menu bar Fyne draws inside the window does not.
			action := c.action
			v.win.Canvas().AddShortcut(c.shortcut, func(fyne.Shortcut) { action() })
		}
		file = append(file, item)
	}
	v.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu(lang.X("menu.file", "File"), file...),
		fyne.NewMenu(lang.X("menu.help", "Help"),
			&fyne.MenuItem{Label: lang.X("menu.guide", "How Dossier works…"), Action: v.showGuide},
			&fyne.MenuItem{Label: lang.X("menu.about", "About Dossier"), Action: v.showAbout},
		),
	))
	for i, key := range tabKeys {
		v.win.Canvas().AddShortcut(ctrl(key), func(fyne.Shortcut) { v.showTab(i) })
	}
}

// focusPoll is how often the window looks whether the keyboard focus has moved (a variable for
// tests).
var focusPoll = 100 * time.Millisecond

// keepFocusInView scrolls the control that has the keyboard focus into view whenever the focus
// moves, until ctx ends. The app's own controls do so as they get the focus; Fyne's (fields,
// drop-downs, radios, lists) do not say when they get it, so the window looks a few times a second.
func (v *mainView) keepFocusInView(ctx context.Context) {
	var last fyne.Focusable
	startJob(v.run, ctx, func(ctx context.Context, tick func(struct{})) (struct{}, error) {
		t := time.NewTicker(focusPoll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return struct{}{}, nil
			case <-t.C:
				tick(struct{}{})
			}
		}
	}, func(struct{}) {
		f := v.win.Canvas().Focused()
		if f != nil && f != last {
			if o, ok := f.(fyne.CanvasObject); ok {
				scrollIntoView(o)
			}
		}
		last = f
	}, nil)
}
