package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/summary"
)

// checkedCase is a scanned and evaluated case.
type checkedCase struct {
	rules   *checklist.Rules
	inv     *intake.Inventory
	details checklist.Details
	report  *checklist.Report
}

// cancerFlag resolves --cancer before any work starts, so that a typo is a
// usage error listing the known types.
func cancerFlag(name string) (*checklist.Rules, string, error) {
	rules, err := checklist.Default()
	if err != nil {
		return nil, "", err
	}
	if strings.TrimSpace(name) == "" {
		return rules, "other", nil
	}
	c, err := rules.Cancer(name)
	if errors.Is(err, checklist.ErrUnknownCancer) {
		return nil, "", usagef("unknown cancer type %q; known types: %s", name, strings.Join(rules.CancerIDs(), ", "))
	}
	if err != nil {
		return nil, "", err
	}
	return rules, c.ID, nil
}

// evaluatePaths scans paths, reads and classifies the documents, and
// evaluates the checklist. Identity is prefilled from the records.
func evaluatePaths(ctx context.Context, env *Env, rules *checklist.Rules, cancer string, paths []string, checks ...summary.Check) (*checkedCase, error) {
	if err := checkPaths(paths); err != nil {
		return nil, err
	}
	inv, err := intake.Scan(ctx, paths, intake.Options{}, progressPrinter(env))
	if err != nil {
		return nil, err
	}
	if env.Progress {
		fmt.Fprint(env.Stderr, "\rreading the reports...                    ")
	}
	docs, err := checklist.Documents(ctx, inv, nil, doctext.Options{})
	if env.Progress {
		fmt.Fprint(env.Stderr, "\r                                          \r")
	}
	if err != nil {
		return nil, err
	}
	facts, factDocs, err := summary.FromInventory(ctx, inv, doctext.Options{})
	if err != nil {
		return nil, err
	}
	facts = summary.Apply(facts, checks) // as the patient confirmed or corrected them in the app (--case)
	plan, err := summary.ProposedPlan(ctx, factDocs)
	if err != nil {
		return nil, err
	}
	// Without a cancer type, the one the reports' diagnosis points to is
	// suggested (and marked as from the records in the details).
	base := checklist.Details{Cancer: cancer}
	if cancer == "other" {
		base.Cancer = ""
	}
	details := checklist.PrefillFromSummary(checklist.Prefill(base, inv), facts, plan, rules)
	if details.Cancer == "" {
		details.Cancer = cancer
	}
	if cancer == "other" && details.Cancer != "other" {
		cancer = details.Cancer
	}
	rep, err := rules.Evaluate(&checklist.Case{Cancer: cancer, Inventory: inv, Documents: docs, Details: details, Summary: facts})
	if err != nil {
		return nil, err
	}
	return &checkedCase{rules: rules, inv: inv, details: details, report: rep}, nil
}

func runCheck(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("check", env)
	asJSON := fs.Bool("json", false, "print the checklist as JSON on stdout")
	cancer := fs.String("cancer", "", "the cancer type, for its extra checks")
	lang := fs.String("lang", i18n.FromEnv(), "the language of the checklist printed (not of --json): "+strings.Join(i18n.Languages(), ", "))
	caseID := caseFactsFlag(fs)
	paths, err := parse(fs, args)
	if err != nil {
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
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cc.report)
	}
	return printChecklist(env.Stdout, cc.report, *cancer == "", *lang)
}

// statusMark is how the printed checklist marks a rule's status.
var statusMark = map[checklist.Status]string{
	checklist.StatusMet:     i18n.Msg("[done]"),
	checklist.StatusPartial: i18n.Msg("[partly]"),
	checklist.StatusMissing: i18n.Msg("[missing]"),
	checklist.StatusWaived:  i18n.Msg("[waived]"),
}

// printChecklist writes a readable checklist in a language: what is still
// needed first, then what is done, then the documents as Dossier sorted
// them.
func printChecklist(w io.Writer, rep *checklist.Report, noCancer bool, lang string) error {
	c, err := i18n.Load(lang)
	if err != nil {
		return err
	}
	if rep, err = checklist.Localize(rep, c.Lang()); err != nil {
		return err
	}
	p := func(format string, args ...any) { fmt.Fprint(w, c.Sprintf(format, args...)) }
	p(i18n.Msg("Checklist for: %v\n"), rep.CancerName)
	switch {
	case noCancer && rep.Cancer != "other":
		p(i18n.Msg("  (the type of cancer is suggested by the diagnosis in your reports; choose another with --cancer TYPE)\n"))
	case noCancer:
		p(i18n.Msg("  (only the checks for every case; add --cancer TYPE for the checks of your cancer type)\n"))
	}
	p(i18n.Msg("%d of %d done, %d partly, %d missing, %d marked not needed\n"), rep.Met, len(rep.Rules), rep.Partial, rep.Missing, rep.Waived)
	if rep.Complete {
		p(i18n.Msg("Everything the reviewer must have is here.\n"))
	}
	if rep.Urgency.Urgent {
		p(i18n.Msg("\nURGENT: %v\n"), rep.Urgency.Message)
	}
	for _, m := range rep.IdentityLines() {
		fmt.Fprintf(w, "\n! %s\n", m)
	}

	width := 0
	for _, m := range statusMark {
		width = max(width, len([]rune(c.Message(m))))
	}
	mark := func(st checklist.Status) string {
		m := c.Message(statusMark[st])
		return m + strings.Repeat(" ", width-len([]rune(m)))
	}
	section := func(title string, keep func(checklist.Result) bool, detail bool) {
		var rows []checklist.Result
		for _, r := range rep.Rules {
			if keep(r) {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", c.Message(title))
		for _, r := range rows {
			fmt.Fprintf(w, "  %s %s\n", mark(r.Status), r.Title)
			if detail {
				p(i18n.Msg("            Why: %v\n"), r.Why)
				if r.Note() != "" {
					fmt.Fprintf(w, "            %s\n", r.Note())
				}
				p(i18n.Msg("            What to do: %v\n"), r.Advice)
			}
			if r.WaiverReason != "" {
				p(i18n.Msg("            Reason: %v\n"), r.WaiverReason)
			}
			for _, e := range r.Evidence {
				fmt.Fprintf(w, "            - %s\n", Printable(e))
			}
		}
	}
	open := func(r checklist.Result) bool {
		return r.Status == checklist.StatusMissing || r.Status == checklist.StatusPartial
	}
	section(i18n.Msg("Still needed:"), func(r checklist.Result) bool { return r.Required && open(r) }, true)
	section(i18n.Msg("Recommended:"), func(r checklist.Result) bool { return !r.Required && open(r) }, true)
	section(i18n.Msg("Done:"), func(r checklist.Result) bool {
		return r.Status == checklist.StatusMet || r.Status == checklist.StatusWaived
	}, false)

	if len(rep.Documents) > 0 {
		p(i18n.Msg("\nReports and letters, as Dossier sorted them:\n"))
		for _, d := range rep.Documents {
			how := i18n.Msg("from its text")
			if d.Source == "name" {
				how = i18n.Msg("from its file name only")
			}
			p(i18n.Msg("  %v  %v (%s, %d%% sure)\n"), Printable(filepath.Base(d.Path)), c.T("cover.category."+string(d.Category)), how, int(d.Confidence*100+0.5))
			if d.Problem != "" {
				fmt.Fprintf(w, "      ! %s\n", c.Message(d.Problem))
			}
		}
	}
	p(i18n.Msg("\nRemote or in person?\n  %v\n  %v\n"), rep.Remote, rep.InPerson)
	if !rep.Urgency.Urgent && rep.Urgency.Message != "" {
		p(i18n.Msg("\nHow much time is there?\n  %v\n"), rep.Urgency.Message)
	}
	return nil
}
