package ui

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// medium is an inserted CD or DVD, or a USB stick or memory card: where it is mounted, its name,
// and what is on it.
type medium struct {
	Path     string // the folder to add: /media/jane/HOSPITAL CD, D:\, /Volumes/HOSPITAL CD
	Drive    string // the drive letter on Windows ("D:"), else ""
	Label    string // the volume's name ("HOSPITAL CD"); may be empty
	DICOMDIR bool   // a DICOMDIR at its top: a hospital's imaging CD
	Files    int    // files on it, counted up to mediaCountLimit
	More     bool   // there are more than Files
}

// mediaCountLimit bounds the files counted on one medium (a large USB disk is not walked whole).
const mediaCountLimit = 20000

// mediaPoll is how often the list of media is read again, so an inserted disc appears by itself
// (a variable for tests).
var mediaPoll = 3 * time.Second

// removableMounts reads a Linux mount table (/proc/self/mounts) and returns the mount points of
// removable media, which desktops mount under /media/USER/ and /run/media/USER/ (udisks), or
// /media/ directly.
func removableMounts(r io.Reader) []string {
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 {
			continue
		}
		mp := unescapeMount(f[1])
		if !(strings.HasPrefix(mp, "/media/") || strings.HasPrefix(mp, "/run/media/")) || seen[mp] {
			continue
		}
		seen[mp] = true
		out = append(out, mp)
	}
	return out
}

// unescapeMount undoes the octal escapes of the mount table ("\040" for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// describeMedium looks at what is on a medium: a DICOMDIR at its top and how many files.
func describeMedium(ctx context.Context, m medium) medium {
	for _, name := range []string{"DICOMDIR", "dicomdir", "DICOMDIR.;1"} {
		if fi, err := os.Stat(filepath.Join(m.Path, name)); err == nil && fi.Mode().IsRegular() {
			m.DICOMDIR = true
		}
	}
	_ = filepath.WalkDir(m.Path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable folder is skipped, not fatal
		}
		if ctx.Err() != nil {
			return filepath.SkipAll
		}
		if d.Type().IsRegular() {
			m.Files++
			if m.Files >= mediaCountLimit {
				m.More = true
				return filepath.SkipAll
			}
		}
		return nil
	})
	return m
}

// findMedia lists the removable media of this computer with what is on them.
func findMedia(ctx context.Context) []medium {
	ms := mediaMounts()
	for i := range ms {
		ms[i] = describeMedium(ctx, ms[i])
	}
	return ms
}

// mountTable is where Linux lists what is mounted. Tests give a fake one; the media watcher of a
// view reads it on its own goroutine, which may outlive the test that set it, hence atomic.
var mountTable atomic.Pointer[string]

func init() {
	linux := "/proc/self/mounts"
	mountTable.Store(&linux)
}

// mediaMounts lists the removable media of this computer, without looking at what is on them.
func mediaMounts() []medium {
	var ms []medium
	switch runtime.GOOS {
	case "windows":
		ms = windowsMedia()
	case "darwin":
		ents, _ := os.ReadDir("/Volumes")
		for _, e := range ents {
			p := filepath.Join("/Volumes", e.Name())
			if t, err := os.Readlink(p); err == nil && t == "/" {
				continue // the start-up disk
			}
			ms = append(ms, medium{Path: p, Label: e.Name()})
		}
	default:
		f, err := os.Open(*mountTable.Load())
		if err != nil {
			return nil
		}
		for _, mp := range removableMounts(f) {
			ms = append(ms, medium{Path: mp, Label: filepath.Base(mp)})
		}
		f.Close()
	}
	return ms
}

// mediaPanel is "Discs and USB sticks": the inserted media, each with what is on it and a button
// that adds it. It is hidden while there are none.
type mediaPanel struct {
	object *fyne.Container
	list   *fyne.Container
	add    func(paths []string)
	shown  []medium
}

func newMediaPanel(add func([]string)) *mediaPanel {
	p := &mediaPanel{add: add, list: container.NewVBox()}
	head := widget.NewLabelWithStyle(lang.X("media.title", "Discs and USB sticks"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.object = container.NewVBox(newPanel(container.NewVBox(head, p.list), theme.ColorNameInputBackground, ""))
	p.object.Hide()
	return p
}

// set shows ms (hiding the panel when there are none).
func (p *mediaPanel) set(ms []medium) {
	if reflect.DeepEqual(ms, p.shown) {
		return
	}
	p.shown = ms
	p.list.RemoveAll()
	for _, m := range ms {
		path := m.Path
		b := newButtonWithIcon(mediumButton(m), theme.StorageIcon(), func() { p.add([]string{path}) })
		what := newWrapLabel(mediumContents(m))
		p.list.Add(container.NewVBox(newFlow(b), what))
	}
	if len(ms) == 0 {
		p.object.Hide()
	} else {
		p.object.Show()
	}
	p.object.Refresh()
}

// mediumButton is "Add the disc in drive D: (HOSPITAL CD)" or "Add HOSPITAL CD".
func mediumButton(m medium) string {
	switch {
	case m.Drive != "" && m.Label != "":
		return lang.X("media.adddrive", "Add the disc in drive {{.Drive}} ({{.Label}})", map[string]any{"Drive": m.Drive, "Label": m.Label})
	case m.Drive != "":
		return lang.X("media.adddriveonly", "Add the disc in drive {{.Drive}}", map[string]any{"Drive": m.Drive})
	}
	return lang.X("media.add", "Add “{{.Label}}”", map[string]any{"Label": m.Label})
}

// mediumContents says what is on a medium, in words.
func mediumContents(m medium) string {
	files := fileCount(m.Files)
	if m.More {
		files = lang.X("media.more", "more than {{.Files}}", map[string]any{"Files": files})
	}
	if m.DICOMDIR {
		return lang.X("media.dicomdir", "A hospital imaging disc (it has a DICOMDIR, the list of its scans): {{.Files}}, at {{.Path}}.", map[string]any{"Files": files, "Path": m.Path})
	}
	return lang.X("media.files", "{{.Files}}, at {{.Path}}.", map[string]any{"Files": files, "Path": m.Path})
}

// watchMedia reads the list of media now and every mediaPoll, and shows it in every panel given,
// until ctx ends. The reading runs in the background (a disc being read can be slow).
func (v *mainView) watchMedia(ctx context.Context) {
	startJob(v.run, ctx, func(ctx context.Context, report func([]medium)) (struct{}, error) {
		var last []medium
		first := true
		t := time.NewTicker(mediaPoll)
		defer t.Stop()
		for {
			ms := v.mediaSource(ctx)
			if first || !reflect.DeepEqual(ms, last) {
				report(ms)
				last, first = ms, false
			}
			select {
			case <-ctx.Done():
				return struct{}{}, nil
			case <-t.C:
			}
		}
	}, func(ms []medium) {
		v.media = ms
		for _, p := range v.mediaPanels {
			p.set(ms)
		}
	}, nil)
}

// newMediaPanel makes a "Discs and USB sticks" panel for a screen being built, showing the media
// known now and kept up to date (the few most recent panels are; older screens are gone).
func (v *mainView) newMediaPanel() *mediaPanel {
	p := newMediaPanel(v.add)
	p.set(v.media)
	v.mediaPanels = append(v.mediaPanels, p)
	if n := len(v.mediaPanels); n > 4 {
		v.mediaPanels = append([]*mediaPanel(nil), v.mediaPanels[n-4:]...)
	}
	return p
}
