package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"dossier/packager/atomicfile"
	"dossier/packager/cover"
	"dossier/packager/i18n"
)

// langFlag adds --lang, the language of the PDFs a command writes: by
// default the environment's (LC_ALL, LC_MESSAGES, LANG: Chinese locales
// give zh-Hans, others en).
func langFlag(fs *flag.FlagSet) *string {
	return fs.String("lang", i18n.FromEnv(), "the language of the PDF: "+strings.Join(i18n.Languages(), ", "))
}

// checkLang refuses a language there is no translation for.
func checkLang(lang string) error {
	if _, err := i18n.Load(lang); err != nil {
		return usagef("--lang: no translation for %q (available: %s)", lang, strings.Join(i18n.Languages(), ", "))
	}
	return nil
}

func runLetter(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("letter", env)
	out := fs.String("out", "", "the PDF file to write")
	cancer := fs.String("cancer", "", "the cancer type, for its extra checks")
	lang := langFlag(fs)
	caseID := caseFactsFlag(fs)
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE is required")
	}
	if err := checkNewFile("--out", *out); err != nil {
		return err
	}
	if err := checkOutsideInputs("--out", *out, paths); err != nil {
		return err
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	rules, id, err := cancerFlag(*cancer)
	if err != nil {
		return err
	}
	checks, err := caseFactChecks(ctx, *caseID)
	if err != nil {
		return err
	}
	cc, err := evaluatePaths(ctx, env, rules, id, paths, checks...)
	if err != nil {
		return err
	}
	items := cover.LetterItems(cc.report)
	if len(items) == 0 {
		fmt.Fprintln(env.Stdout, "Nothing is missing that a records office can send, so no letter was written.")
		return nil
	}
	if err := atomicfile.WriteNew(*out, func(w io.Writer) error {
		return cover.WriteLetter(ctx, w, cover.Letter{Language: *lang, Details: cc.details, Report: cc.report})
	}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Wrote %s: a request for %d item(s).\n", *out, len(items))
	return nil
}
