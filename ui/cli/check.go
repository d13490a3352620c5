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
	"dossier/packager/intake"
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
func evaluatePaths(ctx context.Context, env *Env, rules *checklist.Rules, cancer string, paths []string) (*checkedCase, error) {
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
	details := checklist.Prefill(checklist.Details{Cancer: cancer}, inv)
	rep, err := rules.Evaluate(&checklist.Case{Cancer: cancer, Inventory: inv, Documents: docs, Details: details})
	if err != nil {
		return nil, err
	}
	return &checkedCase{rules: rules, inv: inv, details: details, report: rep}, nil
}

func runCheck(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("check", env)
	asJSON := fs.Bool("json", false, "print the checklist as JSON on stdout")
	cancer := fs.String("cancer", "", "the cancer type, for its extra checks")
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	rules, id, err := cancerFlag(*cancer)
	if err != nil {
		return err
	}
	cc, err := evaluatePaths(ctx, env, rules, id, paths)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cc.report)
	}
	printChecklist(env.Stdout, cc.report, *cancer == "")
	return nil
}

var statusMark = map[checklist.Status]string{
	checklist.StatusMet:     "[done]   ",
	checklist.StatusPartial: "[partly] ",
	checklist.StatusMissing: "[missing]",
	checklist.StatusWaived:  "[waived] ",
}

// printChecklist writes a readable checklist: what is still needed first,
// then what is done, then the documents as Dossier sorted them.
func printChecklist(w io.Writer, rep *checklist.Report, noCancer bool) {
	fmt.Fprintf(w, "Checklist for: %s\n", rep.CancerName)
	if noCancer {
		fmt.Fprintln(w, "  (only the checks for every case; add --cancer TYPE for the checks of your cancer type)")
	}
	total := len(rep.Rules)
	fmt.Fprintf(w, "%d of %d done, %d partly, %d missing, %d marked not needed\n", rep.Met, total, rep.Partial, rep.Missing, rep.Waived)
	if rep.Complete {
		fmt.Fprintln(w, "Everything the reviewer must have is here.")
	}
	if rep.Urgency.Urgent {
		fmt.Fprintf(w, "\nURGENT: %s\n", rep.Urgency.Message)
	}
	for _, m := range rep.Identity {
		fmt.Fprintf(w, "\n! %s\n", m)
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
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, r := range rows {
			fmt.Fprintf(w, "  %s %s\n", statusMark[r.Status], r.Title)
			if detail {
				fmt.Fprintf(w, "            Why: %s\n", r.Why)
				if r.Note != "" {
					fmt.Fprintf(w, "            %s\n", r.Note)
				}
				fmt.Fprintf(w, "            What to do: %s\n", r.Advice)
			}
			if r.WaiverReason != "" {
				fmt.Fprintf(w, "            Reason: %s\n", r.WaiverReason)
			}
			for _, e := range r.Evidence {
				fmt.Fprintf(w, "            - %s\n", e)
			}
		}
	}
	open := func(r checklist.Result) bool {
		return r.Status == checklist.StatusMissing || r.Status == checklist.StatusPartial
	}
	section("Still needed", func(r checklist.Result) bool { return r.Required && open(r) }, true)
	section("Recommended", func(r checklist.Result) bool { return !r.Required && open(r) }, true)
	section("Done", func(r checklist.Result) bool {
		return r.Status == checklist.StatusMet || r.Status == checklist.StatusWaived
	}, false)

	if len(rep.Documents) > 0 {
		fmt.Fprintln(w, "\nReports and letters, as Dossier sorted them:")
		for _, d := range rep.Documents {
			how := "from its text"
			if d.Source == "name" {
				how = "from its file name only"
			}
			fmt.Fprintf(w, "  %s  %s (%s, %.0f%% sure)\n", filepath.Base(d.Path), d.Category.Name(), how, d.Confidence*100)
			if d.Problem != "" {
				fmt.Fprintf(w, "      ! %s\n", d.Problem)
			}
		}
	}
	fmt.Fprintf(w, "\nRemote or in person?\n  %s\n  %s\n", rep.Remote, rep.InPerson)
	if !rep.Urgency.Urgent && rep.Urgency.Message != "" {
		fmt.Fprintf(w, "\nHow much time is there?\n  %s\n", rep.Urgency.Message)
	}
}
