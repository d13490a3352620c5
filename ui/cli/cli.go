// Package cli is Dossier's command-line front end. It drives the same
// packager API as the desktop app and never imports Fyne.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"dossier/packager/envelope"
	"dossier/packager/export"
	"dossier/packager/store"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Env is what a command may touch: its streams and whether stderr is a
// terminal (progress is shown only then).
type Env struct {
	Stdout, Stderr io.Writer
	// Progress is true when stderr is a terminal.
	Progress bool
	Version  string
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string
	run     func(ctx context.Context, env *Env, args []string) error
}

var commands []*command

func init() {
	commands = []*command{
		{name: "scan", summary: "list what a set of files, folders, CDs or ZIPs holds", usage: "dossier scan [--json] PATH...", run: runScan},
		{name: "pack", summary: "write the encrypted bundle (or an unencrypted folder for a visit) with its cover summary", usage: "dossier pack (--out FILE | --folder DIR) [--privacy LEVEL] [--cancer TYPE] [--passphrase-file F | --recipient KEY ... | --recipients-file F | --centre NAME] [--question TEXT] [--split SIZE] [--include PATH ...] [--patient-name N ...] [--birth-date D ...] [--patient-id ID ...] [--case ID] [--lang LANG] [--json] PATH...", run: runPack},
		{name: "verify", summary: "check a bundle: decrypt it and compare every file with its checksum", usage: "dossier verify [--passphrase-file F | --identity F] [--json] BUNDLE", run: runVerify},
		{name: "open", summary: "verify a bundle and extract it into a folder", usage: "dossier open [--passphrase-file F | --identity F] --to DIR [--overwrite] [--allow-expansion] BUNDLE", run: runOpen},
		{name: "deidentify", summary: "write copies with identity removed, and check them for leaks", usage: "dossier deidentify --privacy LEVEL --out DIR [--include PATH ...] [--patient-name N ...] [--birth-date D ...] [--patient-id ID ...] [--case ID] [--json] PATH...", run: runDeidentify},
		{name: "check", summary: "show what a reviewer still needs (the checklist)", usage: "dossier check [--json] [--cancer TYPE] [--case ID] PATH...", run: runCheck},
		{name: "summary", summary: "show the diagnosis, stage, biomarkers and timeline read from the reports, each with its source", usage: "dossier summary [--json] [--lang LANG] [--case ID] PATH...", run: runSummary},
		{name: "letter", summary: "write a PDF letter asking the hospital for what is missing", usage: "dossier letter --out FILE [--cancer TYPE] [--lang LANG] [--case ID] PATH...", run: runLetter},
	}
}

// IsCommand reports whether name is a subcommand (or a global flag the
// command line handles), so main knows to run the command line.
func IsCommand(name string) bool {
	switch name {
	case "help", "-h", "-help", "--help", "version", "-version", "--version":
		return true
	}
	return lookup(name) != nil
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usageError marks errors that are the caller's mistake (exit 2). Without
// a hint the command's usage line is printed after the message.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// Run runs the command line and returns the process exit code; DOSSIER_CPUPROFILE and
// DOSSIER_TRACE profile the whole command (profile.go).
func Run(ctx context.Context, env *Env, args []string) int {
	return runProfiled(env, func() int { return runCommand(ctx, env, args) })
}

// runCommand runs the command line and returns the process exit code.
func runCommand(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		printUsage(env.Stderr)
		return ExitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			if args[1] == "version" {
				printVersionUsage(env.Stdout)
				return ExitOK
			}
			c := lookup(args[1])
			if c == nil {
				fmt.Fprintf(env.Stderr, "dossier: error: unknown command %s\nhint: run \"dossier help\" for the list of commands\n", strconv.Quote(args[1]))
				return ExitUsage
			}
			c.run(ctx, env, []string{"-h"}) // prints its usage and options
			return ExitOK
		}
		printUsage(env.Stdout)
		return ExitOK
	case "version", "-version", "--version":
		if len(args) > 1 && slices.Contains([]string{"-h", "-help", "--help"}, args[1]) {
			printVersionUsage(env.Stdout)
			return ExitOK
		}
		fmt.Fprintf(env.Stdout, "dossier %s\n", env.Version)
		return ExitOK
	}
	c := lookup(args[0])
	if c != nil {
		SweepStaging()
	}
	if c == nil {
		fmt.Fprintf(env.Stderr, "dossier: error: unknown command %s\nhint: run \"dossier help\" for the list of commands\n", strconv.Quote(args[0]))
		return ExitUsage
	}
	err := c.run(ctx, env, args[1:])
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue) && ue.hint != "":
		fmt.Fprintf(env.Stderr, "dossier: error: %s\nhint: %s\n", ue.msg, ue.hint)
		return ExitUsage
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "dossier: error: %s\nusage: %s\n", ue.msg, c.usage)
		return ExitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(env.Stderr, "dossier: error: stopped before finishing; nothing was changed")
		return ExitFailure
	default:
		fmt.Fprintf(env.Stderr, "dossier: error: %v\n", err)
		if h := hint(err); h != "" {
			fmt.Fprintf(env.Stderr, "hint: %s\n", h)
		}
		return ExitFailure
	}
}

// hint suggests what to do about common failures: the command line's
// column of export's error table.
func hint(err error) string {
	p, _ := export.Explain(err)
	return p.Hint
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Dossier gathers medical records for a second opinion.")
	fmt.Fprintln(w, "\nRun it without arguments to open the desktop app, or with files and folders to start a new case in it.")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n             %s\n", c.name, c.summary, c.usage)
	}
	fmt.Fprintln(w, "  version    print the version")
}

// printVersionUsage is the help of `dossier version`, which has no options.
func printVersionUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: dossier version\n\nPrint the version.")
}

// newFlags returns a flag set that reports errors instead of exiting; -h,
// -help and --help print the command's usage and options on stdout.
func newFlags(name string, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	helpOut.Store(fs, env.Stdout)
	return fs
}

// helpOut maps each flag set to where its -h output goes.
var helpOut sync.Map

// printCommandUsage prints a command's usage line, summary and options.
func printCommandUsage(fs *flag.FlagSet) {
	v, ok := helpOut.Load(fs)
	if !ok {
		return
	}
	w := v.(io.Writer)
	if c := lookup(fs.Name()); c != nil {
		fmt.Fprintf(w, "usage: %s\n\n%s.\n", c.usage, upperFirst(c.summary))
	}
	fmt.Fprintln(w, "\nOptions:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// parse parses args (flags may follow paths) and requires at least one path.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printCommandUsage(fs)
				return nil, err
			}
			msg := err.Error()
			if rest, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
				msg = "unknown option " + rest
			}
			return nil, usagef("%s", msg)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			paths = append(paths, args[1:]...)
			break
		}
		paths = append(paths, args[0])
		args = args[1:]
	}
	if len(paths) == 0 {
		return nil, usagef("no files or folders given")
	}
	return paths, nil
}

// CheckDesktop checks the arguments of a run that would open the desktop
// app (no command: nothing, or paths for a new case). It returns -1 when the
// app may start, or else prints why not and returns the exit code: an
// unknown command or option, a path that does not exist, or no display to
// show the app on (display is false).
func CheckDesktop(env *Env, args []string, display bool) int {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			fmt.Fprintf(env.Stderr, "dossier: error: unknown command or option %s\nhint: run \"dossier help\" for the list of commands\n", strconv.Quote(a))
			return ExitUsage
		}
		if _, err := os.Lstat(a); err != nil {
			if !strings.ContainsAny(a, `/\.:`) {
				fmt.Fprintf(env.Stderr, "dossier: error: unknown command %s (and there is no file or folder of that name)\nhint: run \"dossier help\" for the list of commands\n", strconv.Quote(a))
			} else {
				fmt.Fprintf(env.Stderr, "dossier: error: %s does not exist\nhint: check the path; a CD or USB stick may have been removed\n", Printable(a))
			}
			return ExitUsage
		}
	}
	if !display {
		fmt.Fprintln(env.Stderr, "dossier: error: no display: use one of the commands\nhint: run \"dossier help\" for the list of commands")
		return ExitUsage
	}
	return -1
}

// places are the folders exports write into, remembered in Dossier's data
// folder so staging that a killed export left there is swept at start-up.
func places() envelope.Places {
	d, err := store.DataDir()
	if err != nil {
		return envelope.Places{}
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return envelope.Places{}
	}
	return envelope.Places{File: filepath.Join(d, "staging-places")}
}

// remember notes a folder an export is about to write into.
func remember(dir string) { places().Add(dir) }

// SweepStaging removes what killed exports left in the folders Dossier
// wrote into (only staging whose process is gone). The command line runs
// it at start; the app calls it too.
func SweepStaging() int { return places().Sweep() }
