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
	"strings"
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
		{name: "pack", summary: "write the encrypted bundle (or an unencrypted folder for a visit) with its cover summary", usage: "dossier pack (--out FILE | --folder DIR) [--privacy LEVEL] [--cancer TYPE] [--passphrase-file F | --recipient KEY ... | --recipients-file F | --centre NAME] [--question TEXT] [--split SIZE] [--include PATH ...] [--case ID] [--lang LANG] [--json] PATH...", run: runPack},
		{name: "verify", summary: "check a bundle: decrypt it and compare every file with its checksum", usage: "dossier verify [--passphrase-file F | --identity F] [--json] BUNDLE", run: runVerify},
		{name: "open", summary: "verify a bundle and extract it into a folder", usage: "dossier open [--passphrase-file F | --identity F] --to DIR [--overwrite] BUNDLE", run: runOpen},
		{name: "deidentify", summary: "write copies with identity removed, and check them for leaks", usage: "dossier deidentify --privacy LEVEL --out DIR [--include PATH ...] [--case ID] [--json] PATH...", run: runDeidentify},
		{name: "check", summary: "show what a reviewer still needs (the checklist)", usage: "dossier check [--json] [--cancer TYPE] PATH...", run: runCheck},
		{name: "letter", summary: "write a PDF letter asking the hospital for what is missing", usage: "dossier letter --out FILE [--cancer TYPE] [--lang LANG] PATH...", run: runLetter},
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

// usageError marks errors that are the caller's mistake (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

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
		printUsage(env.Stdout)
		return ExitOK
	case "version", "-version", "--version":
		fmt.Fprintf(env.Stdout, "dossier %s\n", env.Version)
		return ExitOK
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(env.Stderr, "dossier: error: unknown command %q\n", args[0])
		printUsage(env.Stderr)
		return ExitUsage
	}
	err := c.run(ctx, env, args[1:])
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
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

// hint suggests what to do about common failures.
func hint(err error) string {
	switch {
	case errors.Is(err, os.ErrPermission):
		return "check that you may read the files (or copy them to a folder of your own first)"
	case errors.Is(err, os.ErrNotExist):
		return "check the path; a CD or USB stick may have been removed"
	}
	return ""
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

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args (flags may follow paths) and requires at least one path.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
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
