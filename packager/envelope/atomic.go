package envelope

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"dossier/packager/atomicfile"
)

// ErrDiskFull means the destination ran out of space (or quota) while
// writing; after Abort nothing of the export is left.
var ErrDiskFull = errors.New("envelope: the destination disk is full")

// ErrExists means a final name is already taken and overwriting was not
// allowed. It is atomicfile.ErrExists: one error for "that name is taken"
// everywhere.
var ErrExists = atomicfile.ErrExists

// PartialPrefix starts the name of every temporary file AtomicFiles writes:
// ".dossier-partial-GROUP-NNN" with GROUP random, so no name carries patient
// data, and ".dossier-partial-GROUP.lock" while the export runs.
const PartialPrefix = ".dossier-partial-"

// StaleAfter is how old a partial file must be before CleanStale removes it.
const StaleAfter = time.Hour

// AtomicFiles writes a set of output files (the volumes of a bundle and its
// side files) into one destination directory under temporary names, and
// gives them their final names only on Commit, after the caller has checked
// them. Abort (or a crash, with CleanStale later) leaves nothing under a
// final name. It is safe for use by one export at a time; its methods may be
// called from several goroutines.
type AtomicFiles struct {
	dir       string
	overwrite bool
	group     string
	lock      *os.File

	mu        sync.Mutex
	files     []*atomicFile
	byName    map[string]*atomicFile
	committed bool
	aborted   bool
}

type atomicFile struct {
	a      *AtomicFiles
	name   string // final base name
	temp   string // full temporary path
	f      *os.File
	err    error
	closed bool
	// written counts the bytes written; flushed is where the last early
	// write-back began (see writeBack).
	written, flushed int64
	// sum is the CRC-32C of what was written; check reads the file back
	// behind the writer and Close compares the two.
	sum   uint32
	check *checker
}

// writeBackEvery is how many bytes are written between two requests to the
// system to start writing them to disk. Close must wait for everything
// still unwritten: started early, the disk works while the bundle is still
// being made, and the wait at the end is short. Each such range is then
// read back (see checker) while the rest is written.
const writeBackEvery = 8 << 20

// NewAtomicFiles prepares writing into dir, first sweeping the stale
// staging of killed exports there (CleanStale). Unless overwrite is true, a file
// whose final name already exists is refused (at Create and again at
// Commit) with ErrExists.
func NewAtomicFiles(dir string, overwrite bool) (*AtomicFiles, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("envelope: destination: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("envelope: destination %s is not a folder", dir)
	}
	CleanStale(dir) // what a killed export left here
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	a := &AtomicFiles{dir: dir, overwrite: overwrite, group: hex.EncodeToString(b[:]), byName: map[string]*atomicFile{}}
	lock, err := os.OpenFile(filepath.Join(dir, PartialPrefix+a.group+".lock"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("envelope: cannot write in %s: %w", dir, diskErr(err))
	}
	markLock(lock) // tells CleanStale in another process that we are alive
	a.lock = lock
	return a, nil
}

// Dir returns the destination directory.
func (a *AtomicFiles) Dir() string { return a.dir }

// Create starts the file that will be called name (a plain file name) in the
// destination directory. The returned writer maps a full disk to
// ErrDiskFull; Close syncs the file to disk and checks that what the file
// holds, read back, is what was written (ErrReadBack if not). The reading
// back runs while the file is written (see checker).
func (a *AtomicFiles) Create(name string) (io.WriteCloser, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, PartialPrefix) {
		return nil, fmt.Errorf("envelope: %q is not a plain file name", name)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.committed || a.aborted {
		return nil, errors.New("envelope: output already committed or aborted")
	}
	if _, dup := a.byName[name]; dup {
		return nil, fmt.Errorf("envelope: %s is written twice", name)
	}
	if !a.overwrite {
		if _, err := os.Lstat(filepath.Join(a.dir, name)); err == nil {
			return nil, fmt.Errorf("%w: %s (choose another name or allow overwriting)", ErrExists, name)
		}
	}
	temp := filepath.Join(a.dir, fmt.Sprintf("%s%s-%03d", PartialPrefix, a.group, len(a.files)+1))
	f, err := os.OpenFile(temp, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("envelope: creating %s: %w", name, diskErr(err))
	}
	af := &atomicFile{a: a, name: name, temp: temp, f: f, check: newChecker(f)}
	a.files = append(a.files, af)
	a.byName[name] = af
	return af, nil
}

func (f *atomicFile) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.closed {
		return 0, fmt.Errorf("envelope: write to closed %s", f.name)
	}
	n, err := f.f.Write(p)
	f.written += int64(n)
	f.sum = crc32.Update(f.sum, castagnoli, p[:n])
	if err != nil {
		f.err = fmt.Errorf("envelope: writing %s: %w", f.name, diskErr(err))
		return n, f.err
	}
	if f.written-f.flushed >= writeBackEvery {
		writeBack(f.f, f.flushed, f.written-f.flushed)
		f.check.add(f.flushed, f.written-f.flushed)
		f.flushed = f.written
	}
	return n, nil
}

func (f *atomicFile) Close() error {
	if f.closed {
		return f.err
	}
	f.closed = true
	if err := f.f.Sync(); err != nil && f.err == nil {
		f.err = fmt.Errorf("envelope: writing %s: %w", f.name, diskErr(err))
	}
	if f.err != nil {
		f.check.abort()
	} else {
		f.check.add(f.flushed, f.written-f.flushed)
		sum, n, err := f.check.wait()
		switch {
		case err != nil:
			f.err = fmt.Errorf("envelope: checking %s: %w", f.name, err)
		case n != f.written || sum != f.sum:
			f.err = fmt.Errorf("%w (%s)", ErrReadBack, f.name)
		}
	}
	if err := f.f.Close(); err != nil && f.err == nil {
		f.err = fmt.Errorf("envelope: writing %s: %w", f.name, diskErr(err))
	}
	return f.err
}

// diskErr marks out-of-space errors with ErrDiskFull, keeping the cause.
func diskErr(err error) error {
	if errors.Is(err, syscall.ENOSPC) || isQuota(err) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}

// Open opens the file written as name (before Commit: its temporary file)
// for reading, so the caller can verify it.
func (a *AtomicFiles) Open(name string) (io.ReadCloser, error) {
	a.mu.Lock()
	af, ok := a.byName[name]
	a.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("envelope: %s was not written", name)
	}
	p := af.temp
	if a.committed {
		p = filepath.Join(a.dir, name)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	return f, nil
}

// Reader returns the files written as names read one after the other, as
// cat would join them: the volumes of a bundle, before or after Commit.
func (a *AtomicFiles) Reader(names ...string) (io.ReadCloser, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	paths := make([]string, len(names))
	for i, n := range names {
		af, ok := a.byName[n]
		if !ok {
			return nil, fmt.Errorf("envelope: %s was not written", n)
		}
		paths[i] = af.temp
		if a.committed {
			paths[i] = filepath.Join(a.dir, n)
		}
	}
	return &multiFile{paths: paths}, nil
}

// Names returns the final names of the files, in the order they were created.
func (a *AtomicFiles) Names() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, len(a.files))
	for i, f := range a.files {
		out[i] = f.name
	}
	return out
}

// Commit closes every file and renames each to its final name. It fails if
// any write failed, and if a final name is taken (unless overwriting was
// allowed); on failure it takes back what it had renamed and removes every
// temporary file, so nothing is left under a final name.
func (a *AtomicFiles) Commit() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.committed {
		return nil
	}
	if a.aborted {
		return errors.New("envelope: output was aborted")
	}
	var firstErr error
	for _, f := range a.files {
		if err := f.Close(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		a.abortLocked()
		return firstErr
	}
	var done []*atomicFile
	for _, f := range a.files {
		final := filepath.Join(a.dir, f.name)
		if err := a.place(f.temp, final); err != nil {
			for _, d := range done {
				os.Remove(filepath.Join(a.dir, d.name))
			}
			a.abortLocked()
			return fmt.Errorf("envelope: giving %s its name: %w", f.name, err)
		}
		done = append(done, f)
	}
	atomicfile.SyncDir(a.dir) // best effort: every file is already synced and named
	a.committed = true
	a.releaseLock()
	return nil
}

// place renames temp to final, without replacing an existing file unless
// overwriting is allowed.
func (a *AtomicFiles) place(temp, final string) error {
	if a.overwrite {
		return os.Rename(temp, final)
	}
	// A hard link fails if final exists: no window for a race.
	if err := os.Link(temp, final); err == nil {
		return os.Remove(temp)
	} else if errors.Is(err, os.ErrExist) {
		return ErrExists
	}
	// File systems without hard links (FAT, exFAT): check, then rename.
	if _, err := os.Lstat(final); err == nil {
		return ErrExists
	}
	return os.Rename(temp, final)
}

// Abort removes every temporary file. It does nothing after Commit, so
// "defer out.Abort()" is safe.
func (a *AtomicFiles) Abort() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.committed || a.aborted {
		return nil
	}
	return a.abortLocked()
}

func (a *AtomicFiles) abortLocked() error {
	a.aborted = true
	var firstErr error
	for _, f := range a.files {
		if !f.closed {
			f.closed = true
			f.check.abort()
			f.f.Close()
		}
		if err := os.Remove(f.temp); err != nil && !errors.Is(err, os.ErrNotExist) && firstErr == nil {
			firstErr = fmt.Errorf("envelope: removing a partial file: %w", err)
		}
	}
	a.releaseLock()
	return firstErr
}

func (a *AtomicFiles) releaseLock() {
	if a.lock != nil {
		name := a.lock.Name()
		a.lock.Close()
		os.Remove(name)
		a.lock = nil
	}
}

// CleanStale removes partial files and staging folders left in dir by an
// export that crashed or was killed: those whose export is certainly not
// running any more (its lock file is there, was taken, and is no longer
// held: the system drops the lock of a dead process), and, where locks are
// not available, those older than StaleAfter with no live lock. It returns
// the names it removed.
func CleanStale(dir string) ([]string, error) {
	return cleanStale(dir, StaleAfter)
}

// claimedLockGrace is how old an empty, unheld lock file must be before it
// counts as dead: an export writes its mark into the lock file right after
// taking the lock, so an empty one may be in that instant.
const claimedLockGrace = time.Minute

func cleanStale(dir string, age time.Duration) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	alive := map[string]bool{}
	dead := map[string]bool{}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, PartialPrefix) && strings.HasSuffix(n, ".lock") {
			group := strings.TrimSuffix(strings.TrimPrefix(n, PartialPrefix), ".lock")
			p := filepath.Join(dir, n)
			held, known := lockState(p)
			switch {
			case held:
				alive[group] = true
			case known:
				// Not held: dead, if it had been taken (its mark is written
				// after the lock) or is too old to be in that instant.
				if info, err := e.Info(); err == nil && (info.Size() > 0 || time.Since(info.ModTime()) > claimedLockGrace) {
					dead[group] = true
				}
			}
		}
	}
	var removed []string
	cutoff := time.Now().Add(-age)
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, PartialPrefix) {
			continue
		}
		group, _, _ := strings.Cut(strings.TrimPrefix(n, PartialPrefix), "-")
		group = strings.TrimSuffix(group, ".lock")
		if alive[group] {
			continue
		}
		if !dead[group] {
			info, err := e.Info()
			if err != nil || info.ModTime().After(cutoff) {
				continue
			}
		}
		if err := os.RemoveAll(filepath.Join(dir, n)); err == nil {
			removed = append(removed, n)
		}
	}
	return removed, nil
}
