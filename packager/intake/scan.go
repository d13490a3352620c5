// Package intake turns what a patient brings (files, folders, CDs, USB
// sticks, ZIP downloads, in any nesting) into an Inventory: every file
// detected by its content, DICOM headers read without pixel data, slides
// recognised by vendor, and the findings a reviewer would ask about.
package intake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"dossier/packager/i18n"
	"dossier/packager/identity"
)

// Options bounds a scan. The zero value gives sensible defaults.
type Options struct {
	// MaxArchiveBytes caps the bytes unpacked from one top-level archive
	// (default 32 GiB).
	MaxArchiveBytes int64
	// MaxArchiveRatio caps an entry's unpacked/packed size ratio (default 200).
	MaxArchiveRatio int64
	// MaxArchiveDepth caps archives nested in archives (default 3).
	MaxArchiveDepth int
	// MaxArchiveEntries caps the entries read from one archive (default 200,000).
	MaxArchiveEntries int
	// MemoryEntryBytes: archive entries up to this size are unpacked in memory,
	// larger ones into a private temporary file (default 32 MiB).
	MemoryEntryBytes int64
	// Workers is the number of files read at once (default 2 per CPU).
	Workers int
}

func (o Options) withDefaults() Options {
	if o.MaxArchiveBytes <= 0 {
		o.MaxArchiveBytes = 32 << 30
	}
	if o.MaxArchiveRatio <= 0 {
		o.MaxArchiveRatio = 200
	}
	if o.MaxArchiveDepth <= 0 {
		o.MaxArchiveDepth = 3
	}
	if o.MaxArchiveEntries <= 0 {
		o.MaxArchiveEntries = 200_000
	}
	if o.MemoryEntryBytes <= 0 {
		o.MemoryEntryBytes = 32 << 20
	}
	if o.Workers <= 0 {
		o.Workers = 2 * runtime.NumCPU()
	}
	return o
}

// Progress reports how far a scan has come.
type Progress struct {
	Files   int    // files looked at so far
	Bytes   int64  // their total size
	Current string // the file being looked at (a path; show it, never log it)
}

// progressInterval keeps progress reports at or under 20 a second.
const progressInterval = 50 * time.Millisecond

// Scan looks at every path (files, folders recursively, archives) and returns
// the grouped inventory. Bad inputs become items with specific problems; the
// scan carries on with the rest. progress (may be nil) is called from one
// goroutine at most 20 times a second. When ctx is cancelled, Scan stops soon
// and returns an error wrapping ctx.Err().
func Scan(ctx context.Context, paths []string, opts Options, progress func(Progress)) (*Inventory, error) {
	opts = opts.withDefaults()
	ids := identity.NewSet()
	s := &scanner{opts: opts, ids: ids}

	// Files go to the workers, and their items come back, in batches: a
	// channel operation per file costs more than reading a small header.
	jobs := make(chan []source, opts.Workers*2)
	results := make(chan []*Item, opts.Workers*2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range jobs {
				if ctx.Err() != nil {
					releaseAll(batch)
					continue // drain
				}
				var items []*Item
				for _, src := range batch {
					if ctx.Err() == nil {
						items = append(items, s.analyze(ctx, src, 0)...)
					}
					src.dir.release()
				}
				results <- items
			}
		}()
	}
	go func() {
		w := walker{ctx: ctx, out: jobs, emit: func(it *Item) { results <- []*Item{it} }}
		for _, p := range paths {
			w.walkRoot(p)
		}
		w.flush()
		close(jobs)
		wg.Wait()
		close(results)
	}()

	var items []*Item
	var prog Progress
	last := time.Time{}
	for batch := range results {
		for _, it := range batch {
			items = append(items, it)
			prog.Files++
			prog.Bytes += it.Size
			prog.Current = it.Path
		}
		if progress != nil && len(batch) > 0 && time.Since(last) >= progressInterval {
			last = time.Now()
			progress(prog)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan stopped: %w", err)
	}
	if progress != nil {
		progress(prog)
	}
	inv := Group(items, ids)
	checkDICOMDIRs(inv)
	for _, it := range inv.Items {
		it.dirFiles = nil // checked: a DICOMDIR of a large CD lists thousands
	}
	return inv, nil
}

// Combine merges inventories (for instance, files added to a case at two
// different times) and groups the result again. Items with the same path
// are kept once, the later one winning.
func Combine(invs ...*Inventory) *Inventory {
	ids := identity.NewSet()
	byPath := map[string]*Item{}
	for _, inv := range invs {
		if inv == nil {
			continue
		}
		for _, it := range inv.Items {
			byPath[it.Path] = it
		}
		if inv.Identity != nil {
			ids.Merge(inv.Identity)
		}
	}
	items := make([]*Item, 0, len(byPath))
	for _, it := range byPath {
		items = append(items, it)
	}
	inv := Group(items, ids)
	checkDICOMDIRs(inv)
	return inv
}

// source is one file to analyse: on disk or unpacked from an archive.
type source struct {
	path    string // display path
	disk    string // path on disk, when the source is a plain file
	root    string // the path the user gave, which path lies in (or is)
	size    int64
	modTime time.Time
	// stat: size and modTime are not known yet; they are read from the
	// file once it is open (a file the walker saw only in its folder's list).
	stat bool
	// dir is the folder the walker listed the file in, held open for it
	// (released once the file has been read), and name the file's name in it.
	dir    *dirHandle
	name   string
	ra     io.ReaderAt // when the source is already open (archive entries)
	budget *byteBudget // the top-level archive's, for an archive entry
}

// sizeOf returns the size of a source whose file could not be opened, as far
// as it is known.
func (s *scanner) sizeOf(src source) int64 {
	if !src.stat {
		return src.size
	}
	if fi, err := os.Lstat(src.disk); err == nil && fi.Mode().IsRegular() {
		return fi.Size()
	}
	return 0
}

// batchSize is how many files the walker hands a worker at once.
const batchSize = 16

// walker expands roots into sources. It does not follow a directory symlink
// that leads back to one of its own ancestors. A regular file in a folder's
// list is handed on without a stat of its own: the worker that opens it
// asks the open file (one path lookup instead of two, and on the workers
// instead of the walker).
type walker struct {
	ctx   context.Context
	out   chan<- []source
	emit  func(*Item)
	batch []source
}

// send queues src for the workers.
func (w *walker) send(src source) {
	w.batch = append(w.batch, src)
	if len(w.batch) >= batchSize {
		w.flush()
	}
}

// flush hands the queued sources to a worker.
func (w *walker) flush() {
	if len(w.batch) == 0 {
		return
	}
	select {
	case w.out <- w.batch:
	case <-w.ctx.Done():
		releaseAll(w.batch)
	}
	w.batch = make([]source, 0, batchSize)
}

// releaseAll releases the folders of sources that will not be read.
func releaseAll(batch []source) {
	for _, src := range batch {
		src.dir.release()
	}
}

func (w *walker) walkRoot(p string) {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	w.visit(p, p, nil)
}

func (w *walker) visit(root, p string, ancestors []os.FileInfo) {
	if w.ctx.Err() != nil {
		return
	}
	lfi, err := os.Lstat(p)
	if err != nil {
		w.emit(unreadable(p, 0, readProblem(err)))
		return
	}
	fi := lfi
	if lfi.Mode()&os.ModeSymlink != 0 {
		fi, err = os.Stat(p)
		if err != nil {
			w.emit(unreadable(p, 0, i18n.NewText(i18n.Msg("this shortcut (symbolic link) leads nowhere or loops: %s"), i18n.PlainError(err))))
			return
		}
	}
	switch {
	case fi.IsDir():
		for _, a := range ancestors {
			if os.SameFile(a, fi) {
				w.emit(&Item{Path: p, Kind: KindSkipped, Reason: i18n.NewText(i18n.Msg("folder shortcut that loops back to a folder already being scanned"))})
				return
			}
		}
		if reason := junkDir(filepath.Base(p)); !reason.IsZero() {
			w.emit(&Item{Path: p, Kind: KindSkipped, Reason: reason})
			return
		}
		d, entries, err := openDir(p)
		if err != nil {
			w.emit(unreadable(p, 0, readProblem(err)))
			return
		}
		defer d.release()
		// A MIRAX slide is a .mrxs file plus a folder of the same name: the
		// folder belongs to the slide and is not scanned on its own.
		slideDirs := map[string]bool{}
		for _, e := range entries {
			if !e.IsDir() && mrxsCompanion(filepath.Join(p, e.Name())) != "" {
				slideDirs[strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))] = true
			}
		}
		anc := append(ancestors[:len(ancestors):len(ancestors)], fi)
		for _, e := range entries {
			if e.IsDir() && slideDirs[e.Name()] {
				continue
			}
			q := filepath.Join(p, e.Name())
			switch t := e.Type(); {
			case t.IsRegular():
				if w.ctx.Err() != nil {
					return
				}
				d.hold()
				w.send(source{path: q, disk: q, root: root, stat: true, dir: d, name: e.Name()})
			case t&(os.ModeDevice|os.ModeNamedPipe|os.ModeSocket|os.ModeCharDevice) != 0:
				w.emit(notRegular(q))
			default: // folders, symbolic links, and what the list does not say
				w.visit(root, q, anc)
			}
		}
	case fi.Mode().IsRegular():
		w.send(source{path: p, disk: p, root: root, size: fi.Size(), modTime: fi.ModTime()})
	default:
		w.emit(notRegular(p))
	}
}

// notRegular is the item of a device, pipe or socket.
func notRegular(p string) *Item {
	return &Item{Path: p, Kind: KindSkipped, Reason: i18n.NewText(i18n.Msg("not a regular file (device, pipe or socket)"))}
}

// junkDir names folders that never hold records.
func junkDir(name string) i18n.Text {
	switch strings.ToLower(name) {
	case "__macosx":
		return i18n.NewText(i18n.Msg("macOS copy metadata, not a record"))
	case ".git", ".svn", "$recycle.bin", "system volume information", ".trashes", ".spotlight-v100", ".fseventsd":
		return i18n.NewText(i18n.Msg("system folder, not a record"))
	}
	return i18n.Text{}
}

func unreadable(p string, size int64, problem i18n.Text) *Item {
	return &Item{Path: p, Kind: KindUnreadable, Size: size, Problems: []i18n.Text{problem}}
}

// readProblem turns an I/O error into plain words without echoing paths.
func readProblem(err error) i18n.Text {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return i18n.NewText(i18n.Msg("cannot read: permission denied (ask whoever made the copy, or copy it to your own folder first)"))
	case errors.Is(err, fs.ErrNotExist):
		return i18n.NewText(i18n.Msg("not found: the file or folder is gone (was the CD or USB stick removed?)"))
	}
	return i18n.NewText(i18n.Msg("cannot read: %s"), i18n.PlainError(err))
}

func sortItems(items []*Item) {
	slices.SortFunc(items, func(a, b *Item) int { return strings.Compare(a.Path, b.Path) })
}
