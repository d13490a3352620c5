package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/ui/nativedialog"
)

func TestMain(m *testing.M) {
	// The tests drive the app's own dialogs: never the developer's desktop's.
	os.Setenv(envFileDialog, "fyne")
	// The window's watchers of the focus and of the media post to the UI through fyne.Do, which the
	// test driver runs at once on the watcher's goroutine, beside the test's own: go test -race saw
	// the focus watcher read the canvas while a test showed a dialog. A test that needs them sets a
	// short interval and delivers through a uiLoop (TestTabKeepsFocusInView, the media tests).
	focusPoll, mediaPoll = time.Hour, time.Hour
	os.Exit(m.Run())
}

// fakeChooser answers as a system dialog would, and records what it was asked.
type fakeChooser struct {
	mu     sync.Mutex
	asked  []nativedialog.Request
	answer func(nativedialog.Request) (string, error)
}

func (f *fakeChooser) Name() string { return "fake" }

func (f *fakeChooser) Choose(_ context.Context, r nativedialog.Request) (string, error) {
	f.mu.Lock()
	f.asked = append(f.asked, r)
	f.mu.Unlock()
	return f.answer(r)
}

func (f *fakeChooser) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.asked)
}

// ownDialogShown reports whether a dialog covers the window.
func ownDialogShown(w fyne.Window) bool { return w.Canvas().Overlays().Top() != nil }

func newDialogTest(t *testing.T, find func(context.Context) nativedialog.Chooser) (*systemDialogs, fyne.Window, *uiLoop) {
	t.Helper()
	t.Setenv(envFileDialog, "")
	a := test.NewTempApp(t)
	w := a.NewWindow("dialogs")
	w.Resize(fyne.NewSize(1024, 768))
	t.Cleanup(w.Close)
	loop := newUILoop()
	return &systemDialogs{find: find, post: loop.post}, w, loop
}

// TestChoosePathSystemDialog: where the computer has its own dialog, it is asked (with the
// request's words, folder, file name and filter), its path is used, and the app's own is not shown.
func TestChoosePathSystemDialog(t *testing.T) {
	fc := &fakeChooser{answer: func(r nativedialog.Request) (string, error) {
		if r.Kind == nativedialog.OpenFile {
			return "", nil // the person closed it
		}
		return "/media/cdrom", nil
	}}
	s, w, loop := newDialogTest(t, func(context.Context) nativedialog.Chooser { return fc })
	var got []string
	use := func(p string) { got = append(got, p) }
	fail := func(err error) { t.Errorf("failed: %v", err) }
	s.choose(w, pathRequest{kind: nativedialog.Folder, title: "Add a folder", accept: "Add", folder: "/home"}, use, fail)
	loop.until(t, "the folder", func() bool { return len(got) == 1 })
	if got[0] != "/media/cdrom" || ownDialogShown(w) {
		t.Fatalf("got %q, the app's own dialog shown: %v", got, ownDialogShown(w))
	}
	s.choose(w, pathRequest{kind: nativedialog.SaveFile, title: "Save letter", name: "records-request.pdf",
		exts: []string{".pdf"}, filterName: "PDF"}, use, fail)
	loop.until(t, "the save", func() bool { return len(got) == 2 })
	s.choose(w, pathRequest{kind: nativedialog.OpenFile}, use, fail)
	loop.until(t, "the closed dialog", func() bool { return fc.count() == 3 && !s.open })
	loop.drain(50 * time.Millisecond)
	if len(got) != 2 || ownDialogShown(w) {
		t.Fatalf("a closed dialog gave %q (own shown: %v)", got, ownDialogShown(w))
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if r := fc.asked[0]; r.Kind != nativedialog.Folder || r.Title != "Add a folder" || r.Accept != "Add" || r.Folder != "/home" {
		t.Errorf("folder request %+v", r)
	}
	if r := fc.asked[1]; r.Kind != nativedialog.SaveFile || r.Name != "records-request.pdf" || r.Filter == nil ||
		r.Filter.Name != "PDF" || len(r.Filter.Extensions) != 1 {
		t.Errorf("save request %+v", r)
	}
}

// TestChoosePathFallback: without a system dialog, or when it cannot show, the app's own dialog is shown
// at once; after a failure the system's is not asked again; another error is reported, not hidden.
func TestChoosePathFallback(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		s, w, loop := newDialogTest(t, func(context.Context) nativedialog.Chooser { return nil })
		s.choose(w, pathRequest{kind: nativedialog.Folder}, func(string) { t.Error("used") }, nil)
		loop.until(t, "the app's own dialog", func() bool { return ownDialogShown(w) })
	})
	t.Run("unavailable", func(t *testing.T) {
		fc := &fakeChooser{answer: func(nativedialog.Request) (string, error) {
			return "", fmt.Errorf("portal: %w", nativedialog.ErrUnavailable)
		}}
		s, w, loop := newDialogTest(t, func(context.Context) nativedialog.Chooser { return fc })
		s.choose(w, pathRequest{kind: nativedialog.OpenFile}, func(string) { t.Error("used") }, func(err error) { t.Error(err) })
		loop.until(t, "the app's own dialog", func() bool { return ownDialogShown(w) })
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
		s.choose(w, pathRequest{kind: nativedialog.Folder}, func(string) { t.Error("used") }, nil)
		loop.until(t, "the app's own dialog again", func() bool { return ownDialogShown(w) })
		if fc.count() != 1 {
			t.Errorf("the failed system dialog was asked %d times", fc.count())
		}
	})
	t.Run("error", func(t *testing.T) {
		fc := &fakeChooser{answer: func(nativedialog.Request) (string, error) { return "", errors.New("disc not ready") }}
		s, w, loop := newDialogTest(t, func(context.Context) nativedialog.Chooser { return fc })
		var failed error
		s.choose(w, pathRequest{kind: nativedialog.Folder}, func(string) { t.Error("used") }, func(err error) { failed = err })
		loop.until(t, "the failure", func() bool { return failed != nil })
		if ownDialogShown(w) {
			t.Error("the app's own dialog shown after a real error")
		}
	})
	t.Run("forced", func(t *testing.T) {
		s, w, loop := newDialogTest(t, func(context.Context) nativedialog.Chooser {
			t.Error("looked for a system dialog although the app's own was asked for")
			return nil
		})
		t.Setenv(envFileDialog, "fyne")
		s.choose(w, pathRequest{kind: nativedialog.Folder}, func(string) {}, nil)
		loop.until(t, "the app's own dialog", func() bool { return ownDialogShown(w) })
	})
}

// TestChoosePathWithoutDesktop: the real look-up on a machine with no desktop session (CI, Xvfb)
// ends at once in the app's own dialog, with no D-Bus time-out on the way.
func TestChoosePathWithoutDesktop(t *testing.T) {
	s, w, loop := newDialogTest(t, nativedialog.System)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	start := time.Now()
	s.choose(w, pathRequest{kind: nativedialog.Folder}, func(string) {}, nil)
	loop.until(t, "the app's own dialog", func() bool { return ownDialogShown(w) })
	if d := time.Since(start); d > time.Second {
		t.Errorf("the app's own dialog came after %v", d)
	}
}

// TestChoosePathOwnGivesPath: the app's own dialog hands back the chosen local path.
func TestChoosePathOwnGivesPath(t *testing.T) {
	s, w, loop := newDialogTest(t, func(context.Context) nativedialog.Chooser { return nil })
	dir := t.TempDir()
	var got string
	s.choose(w, pathRequest{kind: nativedialog.SaveFile, folder: dir, name: "letter.pdf", exts: []string{".pdf"}},
		func(p string) { got = p }, func(err error) { t.Error(err) })
	loop.until(t, "the app's own dialog", func() bool { return ownDialogShown(w) })
	// Press the dialog's save button: the name and the starting folder were filled in.
	save := findButton(w, "Save")
	if save == nil || save.Disabled() {
		t.Fatalf("no Save button to press: %v", save)
	}
	test.Tap(save)
	loop.until(t, "the path", func() bool { return got != "" })
	if got != filepath.Join(dir, "letter.pdf") {
		t.Errorf("got %q", got)
	}
}
