package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"dossier/packager/deid"
	"dossier/packager/export"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// identityFlags are the patient's identity given on the command line, for
// batch use: what the export looks for besides what the records carry.
type identityFlags struct{ names, births, ids multiFlag }

func addIdentityFlags(fs *flag.FlagSet) *identityFlags {
	f := &identityFlags{}
	fs.Var(&f.names, "patient-name", "the patient's name, to look for in the files (repeatable)")
	fs.Var(&f.births, "birth-date", "the patient's birth date, YYYY-MM-DD (repeatable)")
	fs.Var(&f.ids, "patient-id", "a hospital number or other ID of the patient (repeatable)")
	return f
}

// check rejects birth dates that are not dates.
func (f *identityFlags) check() error {
	for _, b := range f.births {
		if _, ok := identity.ParseDate(b); !ok {
			return usagef("--birth-date %s: write it as YYYY-MM-DD", b)
		}
	}
	return nil
}

// apply returns inv with the given identity added (inv is not changed).
func (f *identityFlags) apply(inv *intake.Inventory) *intake.Inventory {
	if len(f.names)+len(f.births)+len(f.ids) == 0 {
		return inv
	}
	return export.WithIdentity(inv, func(s *identity.Set) {
		for _, v := range f.names {
			s.Add(identity.Name, v, "command line")
		}
		for _, v := range f.births {
			s.Add(identity.BirthDate, v, "command line")
		}
		for _, v := range f.ids {
			s.Add(identity.ID, v, "command line")
		}
	})
}

// deidentifyHeadroom is how far the heap of `dossier deidentify` may grow
// before its first collection (see collectLater): a series of a few
// hundred slices then collects once or not at all, and a larger tree
// collects as usual once past it.
const deidentifyHeadroom = 24 << 20

func runDeidentify(ctx context.Context, env *Env, args []string) error {
	defer collectLater(deidentifyHeadroom)()
	fs := newFlags("deidentify", env)
	who := addIdentityFlags(fs)
	level := fs.String("privacy", "", "identified, pseudonymised or anonymised")
	out := fs.String("out", "", "folder to write the copies into")
	caseID := fs.Int64("case", 0, "the case (as listed by the app) whose pseudonym to use")
	asJSON := fs.Bool("json", false, "print the result as JSON on stdout")
	var include multiFlag
	fs.Var(&include, "include", "include this file although it needs review (repeatable)")
	convertHEIC := fs.Bool("convert-heic", false, "convert HEIC photos whose hidden details cannot be removed in place to JPEG (re-encodes them)")
	noRedact := fs.Bool("no-redact", false, "hold documents whose text names the patient for review instead of removing the name from them")
	redactions := fs.String("redactions", "", "JSON file of boxes to black out: [{\"path\",\"page\",\"x\",\"y\",\"width\",\"height\"}] (pixels from the top left for pictures)")
	suggest := fs.String("suggest-redactions", "", "write the boxes Dossier suggests for pictures held for review to this JSON file, to check and pass back with --redactions")
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *level == "" {
		return usagef("--privacy is required (identified, pseudonymised or anonymised)")
	}
	lv, err := privacy.ParseLevel(*level)
	if err != nil {
		return usagef("%v", err)
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if err := who.check(); err != nil {
		return err
	}
	if err := checkPaths(paths); err != nil {
		return err
	}
	if err := checkFolderOutput("--out", *out, paths, include); err != nil {
		return err
	}
	inv, err := intake.Scan(ctx, paths, intake.Options{}, progressPrinter(env))
	if err != nil {
		return err
	}
	inv = who.apply(inv)
	if env.Progress {
		fmt.Fprintln(env.Stderr)
	}
	included := map[string]bool{}
	for _, p := range include {
		abs, err := filepath.Abs(p)
		if err != nil {
			return usagef("--include %s: %v", p, err)
		}
		included[abs] = true
		included[p] = true
	}
	red, err := readRedactions(*redactions, lv)
	if err != nil {
		return err
	}
	// The case's pseudonym is found in the store while the plan is made,
	// and the inventory is saved into the case while the copies are
	// written (nothing written depends on it).
	type found struct {
		params    privacy.Params
		pseudonym string
		err       error
	}
	fc := make(chan found, 1)
	saved := make(chan error, 1)
	go func() {
		p, ps, save, err := exportParams(ctx, lv, *caseID, inv, paths)
		fc <- found{p, ps, err}
		saved <- save()
	}()
	// One leak scanner of the case's identity serves the plan and the write.
	var sc *leakscan.Scanner
	if lv != privacy.Identified && inv.Identity != nil {
		sc = leakscan.New(inv.Identity.Needles())
	}
	// The plan is written right away and shown only afterwards, so the
	// DICOM files are checked as they are written (each read once).
	ds, planErr := deid.Plan(ctx, inv, lv, deid.Options{Include: included, ConvertHEIC: *convertHEIC, Redactions: red, NoRedact: *noRedact, CheckDICOMOnWrite: true, Scanner: sc})
	f := <-fc
	if f.err != nil {
		return f.err
	}
	if planErr != nil {
		return joinSaved(planErr, saved)
	}
	params, pseudonym := f.params, f.pseudonym
	if err := checkRedactionsUsed(red, ds); err != nil {
		return joinSaved(err, saved)
	}
	if *suggest != "" {
		ocr, err := writeSuggestions(ctx, *suggest, inv, ds)
		if err != nil {
			return joinSaved(fmt.Errorf("--suggest-redactions: %w", err), saved)
		}
		if !ocr {
			fmt.Fprintln(env.Stderr, "tesseract is not installed (Debian package tesseract-ocr), so the suggested boxes cover only the known header regions of ultrasound machines, not names read in the pictures.")
		}
	}
	res, err := writeFolder(*out, func(dir string) (*deid.Result, error) {
		// Checksums are printed only with --json.
		return deid.WriteTree(ctx, dir, inv, ds, params, deid.TreeOptions{NoChecksums: !*asJSON, Scanner: sc})
	})
	if err := joinSaved(err, saved); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*deid.Result
			Pseudonym string `json:"pseudonym,omitempty"`
			Out       string `json:"out"`
		}{res, pseudonym, *out})
	}
	fmt.Fprintf(env.Stdout, "Wrote %v (%s) into %s.\n", filesText(len(res.Written)), res.Privacy, *out)
	if pseudonym != "" {
		fmt.Fprintf(env.Stdout, "They carry the pseudonym %s instead of the patient's name; keep it to say who you are when the centre replies.\n", pseudonym)
	}
	for _, w := range res.Written {
		for _, warn := range w.Warnings {
			fmt.Fprintf(env.Stdout, "  ! %s: %s\n", Printable(w.Name), Printable(warn.String()))
		}
	}
	if len(res.LeftOut) > 0 {
		fmt.Fprintf(env.Stdout, "\nLeft out (%d):\n", len(res.LeftOut))
		for _, d := range res.LeftOut {
			line := fmt.Sprintf("  %s: %s", Printable(d.Path), Printable(d.Reason.String()))
			if d.Action == deid.Review {
				line += " (add --include " + strconv.Quote(d.Path) + " to send it anyway)"
			}
			fmt.Fprintln(env.Stdout, line)
			printLeaks(env.Stdout, d)
		}
	}
	return nil
}

// printLeaks lists where the leak scan found identity in a held-back file:
// the place and the kind, and where Dossier learned it, never the value.
func printLeaks(w io.Writer, d deid.Decision) {
	for _, l := range d.Leaks {
		fmt.Fprintf(w, "      found the patient's %s in %s (known from %s)\n", deid.KindName(l.Kind), l.Place, l.Source)
	}
}

// joinSaved waits for the inventory to be saved and returns err, joined
// with the saving's error if there was one.
func joinSaved(err error, saved <-chan error) error {
	if serr := <-saved; serr != nil {
		return errors.Join(err, serr)
	}
	return err
}

// exportParams finds the case's pseudonym and secret (pseudonymised), or
// makes one-time ones (anonymised). The command line keeps a case per
// patient so that re-exports give the same pseudonym and UIDs. save, which
// is never nil and must be called once, saves the inventory into that case
// and closes the store.
func exportParams(ctx context.Context, lv privacy.Level, caseID int64, inv *intake.Inventory, paths []string) (p privacy.Params, pseudonym string, save func() error, err error) {
	save = func() error { return nil }
	if lv != privacy.Pseudonymised {
		p, pseudonym, err = export.Params(ctx, nil, lv, 0)
		return p, pseudonym, save, err
	}
	st, err := openStore(ctx)
	if err != nil {
		return p, "", save, err
	}
	c, err := findCase(ctx, st, caseID, inv, paths)
	if err == nil {
		p, pseudonym, err = export.Params(ctx, st, lv, c.ID)
	}
	if err != nil {
		st.Close()
		return p, "", save, err
	}
	return p, pseudonym, func() error {
		defer st.Close()
		return st.SaveInventory(ctx, c.ID, inv)
	}, nil
}

// cliCaseName names the case the command line keeps for a patient.
func cliCaseName(inv *intake.Inventory, paths []string) string {
	if len(inv.Patients) == 1 && inv.Patients[0].Name != "" {
		p := inv.Patients[0]
		return fmt.Sprintf("%s (%s) from the command line", p.Name, p.ID)
	}
	abs, _ := filepath.Abs(paths[0])
	return "Files in " + abs + " from the command line"
}
