// Package atomicfile writes a file so that it appears complete or not at all.
//
// It is a low-level package: the errors it returns start with "atomicfile:"
// (the front ends say what they mean through export.Explain), and ErrExists is
// the one error for a name that is already taken, which packager/bundle and
// packager/envelope return too.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes the file at path through a temporary file in the same folder
// and renames it into place only when write has succeeded and the data is on
// disk, so a failure never leaves a half-written file under the final name;
// the folder is synced after the rename, so the new name is on disk too when
// Write returns.
// The temporary name carries no patient data, and the file is readable by
// the user only (mode 0600: what Dossier writes names the patient). An
// existing file at path is replaced.
func Write(path string, write func(w io.Writer) error) error {
	return write1(path, write, true)
}

// ErrExists is returned by WriteNew when something already has the name.
var ErrExists = errors.New("atomicfile: a file of that name already exists")

// WriteNew is Write for a file that must not exist yet: the finished
// temporary file is given its name with a hard link, which fails if
// anything (a file, a folder, a symbolic link, a device) took the name
// meanwhile, so WriteNew never replaces or writes through anything. It
// returns an error wrapping ErrExists then.
func WriteNew(path string, write func(w io.Writer) error) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%w: %s", ErrExists, filepath.Base(path))
	}
	return write1(path, write, false)
}

func write1(path string, write func(w io.Writer) error, replace bool) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".dossier-*.tmp")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("atomicfile: cannot write in %s: %w", dir, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	name := filepath.Base(path)
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", name, err)
	}
	bw := bufio.NewWriter(f)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", name, err)
	}
	if replace {
		err = os.Rename(tmp, path)
	} else {
		err = Claim(tmp, path)
	}
	if errors.Is(err, ErrExists) {
		return fmt.Errorf("%w: %s", ErrExists, name)
	}
	if err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", name, err)
	}
	if err := SyncDir(dir); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", name, err)
	}
	return nil
}

// Claim gives the finished file at temp the name final, which must not
// exist: a hard link fails if it does, so two writers can never both
// succeed. Where hard links are not supported (FAT, exFAT) it checks and
// renames. temp is gone afterwards on success.
func Claim(temp, final string) error {
	err := os.Link(temp, final)
	if err == nil {
		return os.Remove(temp)
	}
	if errors.Is(err, os.ErrExist) {
		return ErrExists
	}
	if _, err := os.Lstat(final); err == nil {
		return ErrExists
	}
	return os.Rename(temp, final)
}

// PlaceDir gives a finished staging folder the name final in one rename,
// so the folder appears complete or not at all, and syncs the folder that
// holds final so that the name is on disk when it returns (the staging
// folder's own files and folders must be synced before). final must not
// exist, or be an empty folder; if another process put anything there
// first, PlaceDir fails with ErrExists and nothing of either is changed.
func PlaceDir(stage, final string) error {
	if err := placeDir(stage, final); err != nil {
		return err
	}
	if err := SyncDir(filepath.Dir(final)); err != nil {
		return fmt.Errorf("atomicfile: giving %s its name: %w", filepath.Base(final), err)
	}
	return nil
}

func placeDir(stage, final string) error {
	err := os.Rename(stage, final)
	if err == nil {
		return nil
	}
	fi, lerr := os.Lstat(final)
	if lerr != nil {
		return err
	}
	if fi.IsDir() {
		if entries, rerr := os.ReadDir(final); rerr == nil && len(entries) == 0 {
			// Windows will not rename onto an empty folder: remove it and
			// try once more (a racing export then wins or loses cleanly).
			if os.Remove(final) == nil {
				if err := os.Rename(stage, final); err == nil {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("%w: %s", ErrExists, filepath.Base(final))
}
