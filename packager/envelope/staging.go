package envelope

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// markLock takes the lock on a new lock file and then writes a mark into
// it, so CleanStale can tell a lock that was taken and released (its
// process died) from one that is being taken.
func markLock(f *os.File) {
	if lockFile(f) {
		f.WriteString("locked\n")
	}
}

// StagingDir is a private folder in which an export or an extraction is
// written before one rename gives it (or its files) the final name:
// ".dossier-partial-GROUP-dir" beside ".dossier-partial-GROUP.lock", which
// stays locked while the process lives, so CleanStale in a later run
// removes a staging folder left by a killed process and never one in use.
type StagingDir struct {
	path string
	lock *os.File
	once sync.Once
}

// NewStagingDir creates a staging folder inside dir (mode 0700), first
// sweeping the stale staging of killed exports there (CleanStale).
func NewStagingDir(dir string) (*StagingDir, error) {
	CleanStale(dir)
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	group := hex.EncodeToString(b[:])
	lock, err := os.OpenFile(filepath.Join(dir, PartialPrefix+group+".lock"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("envelope: cannot write in %s: %w", dir, diskErr(err))
	}
	markLock(lock)
	p := filepath.Join(dir, PartialPrefix+group+"-dir")
	if err := os.Mkdir(p, 0o700); err != nil {
		lock.Close()
		os.Remove(lock.Name())
		return nil, fmt.Errorf("envelope: cannot write in %s: %w", dir, diskErr(err))
	}
	return &StagingDir{path: p, lock: lock}, nil
}

// Path returns the staging folder's path.
func (s *StagingDir) Path() string { return s.path }

// Release removes the staging folder with whatever is still in it, and its
// lock. Call it when done, after the content was moved away or on failure.
func (s *StagingDir) Release() {
	s.once.Do(func() {
		os.RemoveAll(s.path)
		name := s.lock.Name()
		s.lock.Close()
		os.Remove(name)
	})
}

// Places remembers the folders exports write into, in a small file (one
// path a line, at most maxPlaces), so that staging left there by a killed
// export is swept at the next start, not only at the next export into the
// same folder.
type Places struct {
	File string // the file that keeps the list (in Dossier's data folder)
}

const maxPlaces = 64

var placesMu sync.Mutex

// Add remembers dir (made absolute). Failure to remember is not an error
// of the export: the next export into dir sweeps it anyway.
func (p Places) Add(dir string) {
	if p.File == "" {
		return
	}
	abs, err := filepath.Abs(dir)
	if err != nil || strings.ContainsAny(abs, "\r\n") {
		return
	}
	placesMu.Lock()
	defer placesMu.Unlock()
	list := p.read()
	for _, d := range list {
		if d == abs {
			return
		}
	}
	list = append(list, abs)
	if len(list) > maxPlaces {
		list = list[len(list)-maxPlaces:]
	}
	p.write(list)
}

// Sweep runs CleanStale in every remembered folder and forgets the folders
// that hold no staging any more (or are gone). It returns how many stale
// files and folders it removed.
func (p Places) Sweep() int {
	if p.File == "" {
		return 0
	}
	placesMu.Lock()
	defer placesMu.Unlock()
	removed := 0
	var keep []string
	for _, d := range p.read() {
		r, err := CleanStale(d)
		if err != nil {
			continue // gone, or a stick that is not plugged in: forget it
		}
		removed += len(r)
		if entries, err := os.ReadDir(d); err == nil {
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), PartialPrefix) {
					keep = append(keep, d)
					break
				}
			}
		}
	}
	p.write(keep)
	return removed
}

func (p Places) read() []string {
	f, err := os.Open(p.File)
	if err != nil {
		return nil
	}
	defer f.Close()
	var list []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(list) < 4*maxPlaces {
		if line := strings.TrimSpace(sc.Text()); filepath.IsAbs(line) {
			list = append(list, line)
		}
	}
	return list
}

func (p Places) write(list []string) {
	if len(list) == 0 {
		os.Remove(p.File)
		return
	}
	tmp := p.File + ".new"
	if err := os.WriteFile(tmp, []byte(strings.Join(list, "\n")+"\n"), 0o600); err == nil {
		os.Rename(tmp, p.File)
	}
}
