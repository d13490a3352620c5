package deid

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sync"

	"dossier/packager/atomicfile"
	"dossier/packager/leakscan"
)

// stager writes the files of WriteTree into its staging folder and syncs
// them to disk. Each written file is handed over still open, and the
// system is asked to start writing it to disk right away (without
// waiting); the files are then synced, many at once, at the end, when
// most of their data is on disk already, or as soon as maxUnsynced of
// them wait (so a large tree does not hold too many files open).
type stager struct {
	checksums bool
	dirs      sync.Map // folders made already
	files     chan *os.File
	start     sync.Once
	wg        sync.WaitGroup
	once      sync.Once
	mu        sync.Mutex
	err       error // the first fsync or close error
}

// syncers is how many files are synced at once: each mostly waits for the
// disk. maxUnsynced is how many written files may wait, open, before
// they are synced.
const (
	syncers     = 32
	maxUnsynced = 512
)

func newStager(checksums bool) *stager {
	return &stager{checksums: checksums, files: make(chan *os.File, maxUnsynced)}
}

// startSyncing starts the goroutines that sync and close the files handed
// over, once.
func (st *stager) startSyncing() {
	st.start.Do(func() {
		for range syncers {
			st.wg.Go(func() {
				for f := range st.files {
					err := f.Sync()
					if cerr := f.Close(); err == nil {
						err = cerr
					}
					if err != nil {
						st.mu.Lock()
						if st.err == nil {
							st.err = err
						}
						st.mu.Unlock()
					}
				}
			})
		}
	})
}

// sync hands a written file over to be synced and closed, and asks the
// system to start writing it to disk.
func (st *stager) sync(f *os.File) {
	startWriteback(f)
	select {
	case st.files <- f:
	default: // maxUnsynced files wait: sync them from now on
		st.startSyncing()
		st.files <- f
	}
}

// finish waits until every file handed to sync is on disk and closed, and
// returns the first error. Nothing may be handed to sync afterwards.
func (st *stager) finish() error {
	st.once.Do(func() {
		st.startSyncing()
		close(st.files)
		st.wg.Wait()
	})
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.err
}

// mkdir makes the folder dir and its parents, once.
func (st *stager) mkdir(dir string) error {
	if _, ok := st.dirs.Load(dir); ok {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	st.dirs.Store(dir, true)
	return nil
}

// stagedFile is one file written into the staging folder, still open.
type stagedFile struct {
	f       *os.File
	n       int64
	sum     string // SHA-256, hex ("" without checksums)
	hits    []leakscan.Hit
	head    []byte // the first bytes written (up to headKept)
	started bool   // a byte was given to write's writer
}

// headKept is how much of a written file is kept in memory for the leak
// scan's reading of its layers (a DICOM header), so the file is not read
// back for it.
const headKept = 16 << 10

// reader reads the written file: its start from memory, the rest from the
// file.
func (sf *stagedFile) reader() io.ReaderAt { return headThen{sf.head, sf.f} }

type headThen struct {
	head []byte
	f    io.ReaderAt
}

// Prefix returns the file's first bytes, kept from the write (see
// dicomwire.OpenPart10).
func (h headThen) Prefix() []byte { return h.head }

func (h headThen) ReadAt(p []byte, off int64) (int, error) {
	if off >= 0 && off+int64(len(p)) <= int64(len(h.head)) {
		return copy(p, h.head[off:]), nil
	}
	return h.f.ReadAt(p, off)
}

// write writes one file of the output at dst (creating its folder) through
// write, hashing it and, with a scanner, scanning the bytes on their way to
// disk for the case's identity. On success the file is left open for the
// caller to read and then hand to sync; on error it is removed, and started
// says whether write had begun to write.
func (st *stager) write(dst, name string, sc *leakscan.Scanner, write func(io.Writer) error) (stagedFile, error) {
	var sf stagedFile
	if err := st.mkdir(filepath.Dir(dst)); err != nil {
		return sf, err
	}
	f, err := createFile(dst)
	if err != nil {
		return sf, err
	}
	cw := &countWriter{w: newWriteBehind(f)}
	if st.checksums {
		cw.h = sha256.New()
	}
	var out io.Writer = cw
	var tap *leakscan.Tap
	if sc != nil {
		tap = sc.Writer(name, cw)
		out = tap
	}
	fw := &firstWriter{w: out}
	err = write(fw)
	sf.started = fw.started
	if err != nil {
		f.Close()
		return sf, errors.Join(err, removeQuiet(dst))
	}
	sf.f, sf.n, sf.head = f, cw.n, cw.head
	if cw.h != nil {
		sf.sum = hex.EncodeToString(cw.h.Sum(nil))
	}
	if tap != nil {
		sf.hits = tap.Hits
	}
	return sf, nil
}

// removeQuiet removes a partial file; a file already gone is no error.
func removeQuiet(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// countWriter counts, hashes (when h is set) and keeps the first bytes of
// what it writes.
type countWriter struct {
	w    io.Writer
	h    hash.Hash
	n    int64
	head []byte
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if c.h != nil {
		c.h.Write(p[:n])
	}
	if k := min(n, headKept-len(c.head)); k > 0 {
		c.head = append(c.head, p[:k]...)
	}
	c.n += int64(n)
	return n, err
}

// firstWriter records whether anything was written through it.
type firstWriter struct {
	w       io.Writer
	started bool
}

func (f *firstWriter) Write(p []byte) (int, error) {
	f.started = true
	return f.w.Write(p)
}

// folders makes or records the folders of the output tree under root and
// syncs them once the files are in them, so that their names are on disk
// too.
type folders struct {
	root string
	made map[string]bool
	list []string
}

func newFolders(root string) *folders {
	return &folders{root: root, made: map[string]bool{}}
}

// make makes dir (under root) and its parents, once.
func (fs *folders) make(dir string) error {
	if fs.made[dir] {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fs.add(dir)
	return nil
}

// add records dir (under root) and its parents as folders of the tree.
func (fs *folders) add(dir string) {
	for d := dir; !fs.made[d]; d = filepath.Dir(d) {
		fs.made[d] = true
		fs.list = append(fs.list, d)
		if d == fs.root || filepath.Dir(d) == d {
			break
		}
	}
}

// sync syncs every folder made and root, syncers at once: each mostly
// waits for the disk.
func (fs *folders) sync() error {
	if !fs.made[fs.root] {
		fs.list = append(fs.list, fs.root)
	}
	errs := make([]error, len(fs.list))
	sem := make(chan struct{}, syncers)
	var wg sync.WaitGroup
	for i, d := range fs.list {
		sem <- struct{}{}
		wg.Go(func() {
			errs[i] = atomicfile.SyncDir(d)
			<-sem
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
