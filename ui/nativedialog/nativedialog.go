// Package nativedialog shows the computer's own file and folder dialogs: the
// xdg desktop portal's FileChooser on Linux and the BSDs (over D-Bus, which
// every desktop answers with its own dialog, and which lists the CDs and USB
// sticks the desktop knows), Windows' IFileOpenDialog and IFileSaveDialog,
// and macOS's NSOpenPanel and NSSavePanel. Where there is none (a server, CI,
// Xvfb without a desktop session), System returns nil and the caller shows
// its own dialog instead.
//
// The package does not import Fyne: it takes the parent window's native
// handle as a number, and blocks while the dialog is open, so callers run it
// off their UI thread.
package nativedialog

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Kind is what a dialog asks for.
type Kind int

// The kinds of dialog.
const (
	Folder   Kind = iota // an existing folder
	OpenFile             // an existing file
	SaveFile             // a place and name to write a new file
)

// Filter narrows the files shown to those whose names end with one of Extensions (".pdf"; the case
// does not matter). Name is what the dialog calls them ("PDF documents").
type Filter struct {
	Name       string
	Extensions []string
}

// Request describes one dialog.
type Request struct {
	Kind   Kind
	Title  string  // the dialog's title
	Accept string  // the label of its accept button ("Add"); "" for the system's own
	Folder string  // the folder it starts in; "" for the system's choice
	Name   string  // the suggested file name (SaveFile)
	Filter *Filter // nil: every file
	// Parent is the native handle of the window the dialog belongs to (an X11 window ID, a Windows
	// HWND, an NSWindow pointer), 0 for none.
	Parent uintptr
}

// Chooser shows a system dialog.
type Chooser interface {
	// Choose shows the dialog and blocks until the person has chosen or closed it. It returns the
	// chosen local path, or "" with a nil error when the dialog was closed without a choice. A
	// cancelled ctx closes the dialog where the system allows it.
	Choose(ctx context.Context, r Request) (string, error)
	// Name says which system dialog this is ("xdg-desktop-portal", "windows", "macos"), for logs and
	// tests.
	Name() string
}

// ErrUnavailable is returned (wrapped) by a Chooser whose system dialog could not be shown at all,
// so the caller should show its own.
var ErrUnavailable = errors.New("the system's file dialog is not available")

// systemResult is Choose's answer from what a dialog library returned: closed without a choice
// (cancelled) is "" and no error; any other failure means the system's dialog could not be shown,
// so it is ErrUnavailable and the caller shows its own.
func systemResult(path string, err error, cancelled bool) (string, error) {
	switch {
	case cancelled:
		return "", nil
	case err != nil:
		return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return path, nil
}

// System returns the system's dialog, or nil where there is none. It may take a moment the first
// time on Linux (it asks the session bus whether a portal answers, within ctx and at most a few
// seconds); callers that cannot wait call it once in the background at start.
func System(ctx context.Context) Chooser { return system(ctx) }

// patterns returns the glob patterns of f's extensions ("*.pdf"), in lower and upper case, for
// dialogs whose matching is case-sensitive.
func patterns(f *Filter) []string {
	if f == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, e := range f.Extensions {
		e = strings.TrimPrefix(strings.TrimSpace(e), "*")
		if e == "" {
			continue
		}
		if !strings.HasPrefix(e, ".") {
			e = "." + e
		}
		for _, p := range []string{"*" + strings.ToLower(e), "*" + strings.ToUpper(e)} {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}
