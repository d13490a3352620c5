package cli

import (
	"fmt"
	"path/filepath"

	"dossier/packager/atomicfile"
	"dossier/packager/envelope"
)

// checkFolderOutput checks a folder output before any work: new or empty,
// in an existing folder, outside the records, and every --include among
// them.
func checkFolderOutput(option, out string, inputs, include []string) error {
	if err := checkNewFolder(option, out); err != nil {
		return err
	}
	if err := checkOutsideInputs(option, out, inputs); err != nil {
		return err
	}
	return checkIncludes(include, inputs)
}

// writeFolder has write fill a new folder inside a locked staging folder
// beside out, and then gives it the name out in one rename: a finished
// export appears whole, a killed one leaves only staging (swept by the next
// export there or the next start), and of two exports into one folder
// exactly one succeeds.
func writeFolder[T any](out string, write func(dir string) (T, error)) (T, error) {
	var zero T
	parent := filepath.Dir(filepath.Clean(out))
	remember(parent)
	st, err := envelope.NewStagingDir(parent)
	if err != nil {
		return zero, err
	}
	defer st.Release()
	dir := filepath.Join(st.Path(), "out")
	res, err := write(dir)
	if err != nil {
		return zero, err
	}
	if err := atomicfile.PlaceDir(dir, out); err != nil {
		return zero, fmt.Errorf("%s: another export got there first (%w); nothing of this one was kept", Printable(out), err)
	}
	return res, nil
}
