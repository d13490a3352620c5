package intake

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"dossier/packager/i18n"
)

// File is an item's content opened for reading.
type File interface {
	io.ReaderAt
	io.Reader
	io.Seeker
	io.Closer
	// Size is the content's length in bytes.
	Size() int64
}

// ErrChanged is returned by Open when a file on disk no longer has the size
// or modification time intake recorded: it changed since it was added.
var ErrChanged = errors.New(i18n.Msg("the file changed since it was added"))

// Open opens an item's content: a file on disk, or an entry inside a (possibly
// nested) ZIP archive, which is unpacked within the same bounds as during the
// scan (in memory when small, else into a private temporary file that is
// removed on Close). When it is a disk file whose size or modification time
// differ from the item's, Open returns ErrChanged (and no file).
func Open(it *Item, opts Options) (File, error) {
	opts = opts.withDefaults()
	parts := strings.Split(it.Path, "!/")
	f, err := openFile(parts[0])
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if len(parts) == 1 {
		if it.Size != fi.Size() || !it.ModTime.IsZero() && !it.ModTime.Equal(fi.ModTime()) {
			f.Close()
			return nil, ErrChanged
		}
		return diskFile{f, fi.Size()}, nil
	}
	var cur File = diskFile{f, fi.Size()}
	s := &scanner{opts: opts}
	budget := s.newBudget(fi.Size()) // one for the archive and those nested in it
	for _, name := range parts[1:] {
		next, err := openEntry(s, cur, name, budget)
		cur.Close()
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

func openEntry(s *scanner, archive File, name string, budget *byteBudget) (File, error) {
	zr, err := zip.NewReader(archive, archive.Size())
	if err != nil {
		return nil, fmt.Errorf("opening the archive: %w", err)
	}
	if problem := sharedData(zr, archive, archive.Size()); !problem.IsZero() {
		return nil, errors.New(problem.String())
	}
	for _, zf := range zr.File {
		clean, ok := safeEntryName(zf.Name)
		if !ok || clean != name {
			continue
		}
		if entryLocked(zf) {
			return nil, errLocked
		}
		src, cleanup, err := s.unpack(zf, budget)
		if err != nil {
			return nil, fmt.Errorf("unpacking from the archive: %w", err)
		}
		switch ra := src.ra.(type) {
		case *bytes.Reader:
			return memFile{ra, src.size}, nil
		case *os.File:
			if _, err := ra.Seek(0, io.SeekStart); err != nil {
				cleanup()
				return nil, err
			}
			return tempFile{ra, src.size, cleanup}, nil
		}
		cleanup()
		return nil, errors.New("unexpected entry storage")
	}
	return nil, fmt.Errorf("the archive has no entry %q: %w", name, os.ErrNotExist)
}

type diskFile struct {
	*os.File
	size int64
}

func (d diskFile) Size() int64 { return d.size }

type memFile struct {
	*bytes.Reader
	size int64
}

func (m memFile) Size() int64  { return m.size }
func (m memFile) Close() error { return nil }

type tempFile struct {
	*os.File
	size    int64
	cleanup func()
}

func (t tempFile) Size() int64  { return t.size }
func (t tempFile) Close() error { t.cleanup(); return nil }
