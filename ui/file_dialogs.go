package ui

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"

	"dossier/ui/nativedialog"
)

// envFileDialog names the environment variable that chooses the file dialogs: "fyne" always shows
// the app's own, drawn with Fyne (scripts that drive the app with xdotool use it); anything else
// shows the computer's own where there is one.
const envFileDialog = "DOSSIER_FILE_DIALOG"

// pathRequest is one question for a file or folder: what to choose and how the dialog reads.
type pathRequest struct {
	kind   nativedialog.Kind
	title  string // the system dialog's title
	accept string // the accept button
	folder string // where to start; "" for the dialog's choice
	name   string // the suggested file name (saving)
	exts   []string
	// filterName names the files exts allow, in the system dialog's list of types.
	filterName string
}

// systemDialogs finds the computer's own dialog once, in the background, and remembers when it has
// failed, so that every later question goes straight to the app's own.
type systemDialogs struct {
	once    sync.Once
	ready   chan struct{}
	mu      sync.Mutex
	chooser nativedialog.Chooser // nil: none, or it failed
	open    bool                 // a system dialog is showing
	find    func(context.Context) nativedialog.Chooser
	post    func(func()) // runs on the UI goroutine; nil: fyne.Do
}

// sysDialogs is the app's one systemDialogs; tests replace its find.
var sysDialogs = &systemDialogs{find: nativedialog.System}

// start looks for the system's dialog in the background (at most a few seconds; at once where there
// is no desktop session).
func (s *systemDialogs) start() {
	s.once.Do(func() {
		s.ready = make(chan struct{})
		if os.Getenv(envFileDialog) == "fyne" {
			close(s.ready)
			return
		}
		find := s.find
		r := newRunner(s.post)
		startJob(r, context.Background(), func(ctx context.Context, _ func(struct{})) (nativedialog.Chooser, error) {
			return find(ctx), nil
		}, nil, func(c nativedialog.Chooser, _ error) {
			s.mu.Lock()
			s.chooser = c
			s.mu.Unlock()
			close(s.ready)
		})
	})
}

// current returns the system's dialog if it is known to be there, or nil; found says whether the
// look is over.
func (s *systemDialogs) current() (c nativedialog.Chooser, found bool) {
	s.start()
	select {
	case <-s.ready:
	default:
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chooser, true
}

// choosePath asks for a file or folder with the computer's own dialog where there is one and
// the app's own otherwise (and when the system's fails to show), and gives use the chosen local path. A
// closed dialog calls nothing; a failure calls failed (when not nil).
func choosePath(win fyne.Window, req pathRequest, use func(path string), failed func(error)) {
	sysDialogs.choose(win, req, use, failed)
}

func (s *systemDialogs) choose(win fyne.Window, req pathRequest, use func(path string), failed func(error)) {
	c, found := s.current()
	if !found {
		// Still looking (only in the first moments after start): wait a little in the background.
		r := newRunner(s.post)
		ready := s.ready
		startJob(r, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
			select {
			case <-ready:
			case <-time.After(5 * time.Second):
			}
			return struct{}{}, nil
		}, nil, func(struct{}, error) {
			c, _ := s.current()
			s.ask(win, c, req, use, failed)
		})
		return
	}
	s.ask(win, c, req, use, failed)
}

func (s *systemDialogs) ask(win fyne.Window, c nativedialog.Chooser, req pathRequest, use func(string), failed func(error)) {
	if c == nil {
		ownChoosePath(win, req, use, failed)
		return
	}
	s.mu.Lock()
	if s.open { // one system dialog at a time: it is on screen already
		s.mu.Unlock()
		return
	}
	s.open = true
	s.mu.Unlock()
	nr := nativedialog.Request{Kind: req.kind, Title: req.title, Accept: req.accept, Folder: req.folder,
		Name: req.name, Parent: nativeHandle(win)}
	if len(req.exts) > 0 {
		nr.Filter = &nativedialog.Filter{Name: req.filterName, Extensions: req.exts}
	}
	startJob(newRunner(s.post), context.Background(), func(ctx context.Context, _ func(struct{})) (string, error) {
		return c.Choose(ctx, nr)
	}, nil, func(path string, err error) {
		s.mu.Lock()
		s.open = false
		if errors.Is(err, nativedialog.ErrUnavailable) {
			s.chooser = nil // it could not show: the app's own from now on
		}
		s.mu.Unlock()
		switch {
		case errors.Is(err, nativedialog.ErrUnavailable):
			ownChoosePath(win, req, use, failed)
		case err != nil:
			if failed != nil {
				failed(err)
			}
		case path != "":
			use(path)
		}
	})
}

// nativeHandle is the window's handle for a system dialog's parent, 0 when there is none.
func nativeHandle(win fyne.Window) uintptr {
	nw, ok := win.(driver.NativeWindow)
	if !ok {
		return 0
	}
	var h uintptr
	nw.RunNative(func(ctx any) {
		switch c := ctx.(type) {
		case driver.X11WindowContext:
			h = c.WindowHandle
		case driver.WindowsWindowContext:
			h = c.HWND
		case driver.MacWindowContext:
			h = c.NSWindow
		}
	})
	return h
}

// ownChoosePath is choosePath with the app's own dialog (path_dialog.go), which the keyboard
// drives and which speaks the app's language; Fyne's cannot be left with Escape or accepted with
// Enter once a control in it has the focus, and offers only Home and Computer.
func ownChoosePath(win fyne.Window, req pathRequest, use func(string), _ func(error)) {
	showPathDialog(win, req, use)
}

// lastFolder is the folder files were last added from, if it still exists ("" otherwise).
func (v *mainView) lastFolder() string {
	dir := v.app.Preferences().String(prefLastFolder)
	if dir == "" {
		return ""
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	return dir
}
