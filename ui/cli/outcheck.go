package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"dossier/packager/bundle"
)

// minSplit is the smallest volume size --split accepts: smaller volumes
// would run into the 999-volume limit for any real case, after all the work.
const minSplit = 1_000_000

// realPath returns p made absolute with the symbolic links of its longest
// existing prefix resolved, so that two spellings of one place compare equal
// even when p itself does not exist yet.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	cur := abs
	for {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest), nil
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// within reports whether p is base or lies inside it (both real paths).
func within(p, base string) bool {
	rel, err := filepath.Rel(base, p)
	if err != nil {
		return false
	}
	return rel == "." || rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// checkOutsideInputs refuses an output (a file or folder) that is one of the
// inputs or lies inside an input folder: the next scan would read
// Dossier's own output as records, and a folder export would write into
// what it reads.
func checkOutsideInputs(option, out string, inputs []string) error {
	ro, err := realPath(out)
	if err != nil {
		return usagef("%s %s: %v", option, Printable(out), err)
	}
	for _, in := range inputs {
		ri, err := realPath(in)
		if err != nil {
			continue
		}
		if within(ro, ri) {
			return &usageError{msg: fmt.Sprintf("%s %s is inside the records being read (%s)", option, Printable(out), Printable(in)),
				hint: "write the output somewhere else, outside every folder you give"}
		}
	}
	return nil
}

// checkNewFile checks, before any work, that a file output can be created:
// its folder exists and nothing (a file, a folder, a symbolic link, a device)
// already has its name.
func checkNewFile(option, path string) error {
	if path == "" || strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator)) {
		return usagef("%s needs a file name", option)
	}
	if fi, err := os.Lstat(path); err == nil {
		what := "a file"
		switch {
		case fi.IsDir():
			what = "a folder"
		case fi.Mode()&fs.ModeSymlink != 0:
			what = "a symbolic link"
		case !fi.Mode().IsRegular():
			what = fileType(fi.Mode())
		}
		return &usageError{msg: fmt.Sprintf("%s %s: %s of that name already exists", option, Printable(path), what),
			hint: "choose a new file name; Dossier never replaces an existing file"}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s %s: %w", option, Printable(path), err)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return &usageError{msg: fmt.Sprintf("%s %s: the folder %s does not exist", option, Printable(path), Printable(dir)),
			hint: "create the folder first, or choose another place"}
	}
	return nil
}

// checkNewFolder checks that a folder output does not exist yet, or is an
// empty folder, and that its parent exists.
func checkNewFolder(option, path string) error {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.IsDir():
		entries, err := os.ReadDir(path)
		if err != nil {
			return fmt.Errorf("%s %s: %w", option, Printable(path), err)
		}
		if len(entries) > 0 {
			return &usageError{msg: fmt.Sprintf("%s %s: the folder is not empty", option, Printable(path)),
				hint: "choose a new or empty folder; Dossier never mixes an export with other files"}
		}
		return nil
	case err == nil:
		return &usageError{msg: fmt.Sprintf("%s %s: %s of that name already exists", option, Printable(path), fileType(fi.Mode())),
			hint: "choose a new or empty folder"}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: %w", option, Printable(path), err)
	}
	parent := filepath.Dir(filepath.Clean(path))
	if fi, err := os.Stat(parent); err != nil || !fi.IsDir() {
		return &usageError{msg: fmt.Sprintf("%s %s: the folder %s does not exist", option, Printable(path), Printable(parent)),
			hint: "create it first, or choose another place"}
	}
	return nil
}

// checkIncludes refuses an --include that is not among the inputs (a file
// given, or inside a folder or archive given): it could never match, and a
// typo would silently leave out what the user meant to send.
func checkIncludes(include, inputs []string) error {
	for _, inc := range include {
		outer, _, _ := strings.Cut(inc, "!/")
		ro, err := realPath(outer)
		if err != nil {
			return usagef("--include %s: %v", Printable(inc), err)
		}
		found := false
		for _, in := range inputs {
			if ri, err := realPath(in); err == nil && within(ro, ri) {
				found = true
				break
			}
		}
		if !found {
			return &usageError{msg: fmt.Sprintf("--include %s is not among the files and folders given", Printable(inc)),
				hint: "give the path as the list of left-out files shows it, and the folder it is in as an input"}
		}
	}
	return nil
}

// checkSplit refuses volume sizes too small to be meant (0 is no split).
func checkSplit(size int64) error {
	if size != 0 && size < minSplit {
		return &usageError{msg: fmt.Sprintf("--split: volumes of %s are too small", humanBytes(size)),
			hint: "give at least 1M (1 MB), for example 25M for e-mail or 2G for a FAT USB stick"}
	}
	return nil
}

// checkPackOutput checks pack's destination before any work (the scan,
// the key derivation): a bundle file, its volumes and its HOW-TO-OPEN file
// must all be new names in an existing folder, a --folder must not exist,
// neither may be inside the records, and every --include must be among
// them.
func checkPackOutput(o bundle.Output, out, folder string, inputs, include []string) error {
	if folder != "" {
		if fi, err := os.Lstat(folder); err == nil {
			return &usageError{msg: fmt.Sprintf("--folder %s: %s of that name already exists", Printable(folder), strings.TrimPrefix(fileType(fi.Mode()), "not ")),
				hint: "choose a new folder name (on an empty stick, for example)"}
		}
		if err := checkNewFolder("--folder", folder); err != nil {
			return err
		}
		if err := checkOutsideInputs("--folder", folder, inputs); err != nil {
			return err
		}
	} else {
		if fi, err := os.Stat(out); err == nil && fi.IsDir() {
			return &usageError{msg: fmt.Sprintf("--out %s is a folder", Printable(out)),
				hint: "give the bundle's file name, for example " + filepath.Join(out, "records.age")}
		}
		base := filepath.Join(o.Dir, o.Name+".age")
		for _, name := range []string{base, base + ".001", filepath.Join(o.Dir, o.Name+".HOW-TO-OPEN.txt")} {
			if err := checkNewFile("--out", name); err != nil {
				return err
			}
		}
		if err := checkOutsideInputs("--out", base, inputs); err != nil {
			return err
		}
	}
	return checkIncludes(include, inputs)
}
