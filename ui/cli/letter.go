package cli

import (
	"context"
	"fmt"
	"io"

	"dossier/packager/atomicfile"
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
	if err := atomicfile.Write(*out, func(w io.Writer) error {
		return cover.WriteLetter(ctx, w, cover.Letter{Details: cc.details, Report: cc.report})
	}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Wrote %s: a request for %d item(s).\n", *out, len(items))
	return nil
}
