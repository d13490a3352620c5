package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"dossier/packager/cover"
)

func runLetter(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("letter", env)
	out := fs.String("out", "", "the PDF file to write")
	cancer := fs.String("cancer", "", "the cancer type, for its extra checks")
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE is required")
	}
	rules, id, err := cancerFlag(*cancer)
	if err != nil {
		return err
	}
	cc, err := evaluatePaths(ctx, env, rules, id, paths)
	if err != nil {
		return err
	}
	items := cover.LetterItems(cc.report)
	if len(items) == 0 {
		fmt.Fprintln(env.Stdout, "Nothing is missing that a records office can send, so no letter was written.")
		return nil
	}
	if err := writeAtomically(*out, func(w *bufio.Writer) error {
		return cover.WriteLetter(ctx, w, cover.Letter{Details: cc.details, Report: cc.report})
	}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Wrote %s: a request for %d item(s).\n", *out, len(items))
	return nil
}

// writeAtomically writes a file through a temporary file in the same folder
// and renames it into place only when complete, so a failure never leaves a
// half-written file under the final name. The temporary name carries no
// patient data, and the file is readable by the user only (it names the
// patient).
func writeAtomically(path string, write func(w *bufio.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".dossier-*.tmp")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriter(f)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("writing the letter: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing the letter: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing the letter: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing the letter: %w", err)
	}
	return nil
}
