package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/summary"
)

// runSummary prints the clinical summary read from the reports: diagnoses,
// stages, biomarkers, the timeline and the results that disagree, each with
// the words it was read from.
func runSummary(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("summary", env)
	asJSON := fs.Bool("json", false, "print the summary as JSON on stdout")
	lang := fs.String("lang", i18n.FromEnv(), "the language of the summary printed (not of --json): "+strings.Join(i18n.Languages(), ", "))
	caseID := caseFactsFlag(fs)
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	if err := checkPaths(paths); err != nil {
		return err
	}
	checks, err := caseFactChecks(ctx, *caseID)
	if err != nil {
		return err
	}
	inv, err := intake.Scan(ctx, paths, intake.Options{}, progressPrinter(env))
	if err != nil {
		return err
	}
	if env.Progress {
		fmt.Fprint(env.Stderr, "\rreading the reports...                    ")
	}
	s, docs, err := summary.FromInventory(ctx, inv, doctext.Options{})
	if env.Progress {
		fmt.Fprint(env.Stderr, "\r                                          \r")
	}
	if err != nil {
		return err
	}
	s = summary.Apply(s, checks)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(withEmptyLists(s))
	}
	return printSummary(env.Stdout, s, len(docs), *lang)
}

// caseFactsFlag is --case for the commands that read facts: the case whose facts the patient
// confirmed or corrected in the app.
func caseFactsFlag(fs *flag.FlagSet) *int64 {
	return fs.Int64("case", 0, "the case (as listed by the app) whose confirmed and corrected facts to use")
}

// caseFactChecks reads what was said about a case's facts in the app (nothing for case 0).
func caseFactChecks(ctx context.Context, caseID int64) ([]summary.Check, error) {
	if caseID == 0 {
		return nil, nil
	}
	st, err := openStore(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.FactChecks(ctx, caseID)
}

// withEmptyLists gives JSON lists, never null, for the sections.
func withEmptyLists(s *summary.Summary) *summary.Summary {
	c := *s
	if c.Diagnoses == nil {
		c.Diagnoses = []summary.Diagnosis{}
	}
	if c.Stages == nil {
		c.Stages = []summary.Stage{}
	}
	if c.Biomarkers == nil {
		c.Biomarkers = []summary.Biomarker{}
	}
	if c.Events == nil {
		c.Events = []summary.Event{}
	}
	if c.Conflicts == nil {
		c.Conflicts = []summary.Conflict{}
	}
	return &c
}

// printSummary writes a readable summary in a language: each fact in that
// language, with the document, page and the words it was read from as the
// report wrote them.
func printSummary(w io.Writer, s *summary.Summary, docs int, lang string) error {
	c, err := i18n.Load(lang)
	if err != nil {
		return err
	}
	p := func(format string, args ...any) { fmt.Fprint(w, c.Sprintf(format, args...)) }
	fmt.Fprint(w, c.Text(i18n.Plural(docs, i18n.Msg("Clinical summary, read from %d report or letter\n"), i18n.Msg("Clinical summary, read from %d reports and letters\n"))))
	if s.Empty() {
		p(i18n.Msg("Nothing was read from them: no diagnosis, stage, biomarker or dated event.\n"))
		return nil
	}
	src := func(x summary.Source) {
		p(i18n.Msg("      from %v, page %d: %v\n"), Printable(filepath.Base(x.Path)), x.Page, Printable(oneLine(x.Quote)))
	}
	when := func(date string) string {
		if date == "" {
			return ""
		}
		return "  (" + date + ")"
	}
	// checked says what the patient or their staff said about a fact.
	checked := func(ch *summary.Checked) {
		switch {
		case ch == nil:
		case ch.Corrected:
			p(i18n.Msg("      corrected in Dossier; the records said: %v\n"), Printable(ch.Read))
		default:
			p(i18n.Msg("      confirmed in Dossier\n"))
		}
	}
	if len(s.Diagnoses) > 0 {
		p(i18n.Msg("\nDiagnosis:\n"))
		for _, d := range s.Diagnoses {
			fmt.Fprintf(w, "  %s%s\n", d.Describe(lang), when(d.Date))
			checked(d.Checked)
			src(d.Source)
		}
	}
	if len(s.Stages) > 0 {
		p(i18n.Msg("\nStage:\n"))
		for _, x := range s.Stages {
			fmt.Fprintf(w, "  %s\n", x.Describe(lang))
			checked(x.Checked)
			src(x.Source)
		}
	}
	if len(s.Biomarkers) > 0 {
		p(i18n.Msg("\nBiomarkers:\n"))
		for _, b := range s.Biomarkers {
			line := b.Describe(lang)
			if b.Method != "" {
				line += "  [" + b.Method + "]"
			}
			if b.History {
				// An earlier result the report quotes, with the date it gives.
				fmt.Fprintf(w, "  %s  %s\n", line, c.Sprintf(i18n.Msg("(earlier result, %v)"), orDash(b.Date)))
				checked(b.Checked)
				src(b.Source)
				continue
			}
			fmt.Fprintf(w, "  %s%s\n", line, when(b.Date))
			checked(b.Checked)
			src(b.Source)
		}
	}
	if len(s.Events) > 0 {
		p(i18n.Msg("\nTimeline:\n"))
		for _, e := range s.Events {
			fmt.Fprintf(w, "  %s  %s\n", e.Date, e.Describe(lang))
			checked(e.Checked)
			src(e.Source)
		}
	}
	if len(s.Conflicts) > 0 {
		p(i18n.Msg("\nResults that disagree (both are kept; ask which is current):\n"))
		for _, x := range s.Conflicts {
			var parts []string
			for _, f := range x.Facts {
				parts = append(parts, fmt.Sprintf("%s (%s, %s)", f.Describe(lang), orDash(f.Date), Printable(filepath.Base(f.Source.Path))))
			}
			fmt.Fprintf(w, "  %s\n", strings.Join(parts, " / "))
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine joins a quote's lines for a one-line listing.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
