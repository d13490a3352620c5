package ui

import (
	"os"
	"path/filepath"
	"strings"

	"dossier/packager/intake"
	"dossier/packager/store"
)

// letterFolder is where the request letter is offered to be saved: the Documents folder, the
// desktop or the home folder, whichever is not inside the folders the records were added from,
// so that adding those folders again does not bring the letter in (it would be skipped as made by
// Dossier, but a letter belongs with the patient's papers, not among the hospital's records).
// When every one of them is, it is a folder in Dossier's own data.
func letterFolder(inv *intake.Inventory, home string) string {
	added := recordsFolder(inv)
	for _, c := range []string{filepath.Join(home, "Documents"), filepath.Join(home, "Desktop"), home} {
		if home == "" {
			break
		}
		if fi, err := os.Stat(c); err != nil || !fi.IsDir() {
			continue
		}
		if added != "" && isWithin(c, added) {
			continue
		}
		return c
	}
	data, err := store.DataDir()
	if err != nil {
		return ""
	}
	d := filepath.Join(data, "letters")
	if err := os.MkdirAll(d, 0o700); err != nil {
		return ""
	}
	return d
}

// recordsFolder is the deepest folder holding every record of inv (empty when none).
func recordsFolder(inv *intake.Inventory) string {
	if inv == nil {
		return ""
	}
	common := ""
	for i, it := range inv.Items {
		outer, _, _ := strings.Cut(it.Path, "!/")
		dir := filepath.Dir(filepath.Clean(outer))
		if i == 0 {
			common = dir
			continue
		}
		for !isWithin(dir, common) {
			up := filepath.Dir(common)
			if up == common {
				return common
			}
			common = up
		}
	}
	return common
}

// isWithin reports whether path is dir or inside it.
func isWithin(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && !filepath.IsAbs(rel) && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
