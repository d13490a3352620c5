// Command dossier gathers a patient's medical records for a second opinion.
// Without arguments (or with paths) it opens the desktop app; with a
// subcommand it runs the command line. This is the only file that imports
// fyne.io/fyne/v2/app.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"dossier/assets"
	_ "dossier/internal/startup" // before Fyne reads the locale
	"dossier/packager/checklist"
	"dossier/packager/intake"
	"dossier/packager/store"
	"dossier/ui"
	"dossier/ui/cli"
)

// version is the release version. Builds through the Makefile set it from FyneApp.toml
// (-ldflags "-X main.version=..."); main_test.go keeps this default equal to FyneApp.toml's.
var version = "0.1.0"

func main() {
	args := os.Args[1:]
	fi, _ := os.Stderr.Stat()
	env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Version: version,
		Progress: fi != nil && fi.Mode()&os.ModeCharDevice != 0}
	if len(args) > 0 && cli.IsCommand(args[0]) {
		os.Exit(runCommand(env, args))
	}
	if code := cli.CheckDesktop(env, args, hasDisplay()); code >= 0 {
		os.Exit(code)
	}
	os.Exit(runDesktop(args))
}

// runCommand runs the command line; SIGTERM stops it like Ctrl+C (SIGINT):
// the context is cancelled and every command removes what it had begun.
func runCommand(env *cli.Env, args []string) int {
	runtime.UnlockOSThread()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Run(ctx, env, args)
}

// hasDisplay reports whether there is a screen to open the app on: on Linux
// and the BSDs an X11 or Wayland display must be named in the environment
// (without one, GLFW would panic); Windows and macOS always have one.
func hasDisplay() bool {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android":
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// runDesktop opens the desktop app; paths become a new case.
func runDesktop(paths []string) int {
	rules, err := checklist.Default() // a broken rules file stops here, with a clear message
	if err != nil {
		fmt.Fprintf(os.Stderr, "dossier: %v\n", err)
		return 1
	}
	cli.SweepStaging() // what exports killed last time left behind
	a := app.NewWithID("app.dossier.desktop")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))

	cfg := ui.Config{
		Scan: func(ctx context.Context, p []string, progress func(intake.Progress)) (*intake.Inventory, error) {
			return intake.Scan(ctx, p, intake.Options{}, progress)
		},
		Combine: intake.Combine,
		Paths:   paths,
		Rules:   rules,
		// For scripts/screenshots.sh only: show one scene of the app on the case from the paths.
		Screenshot: os.Getenv("DOSSIER_SCREENSHOT"),
		// For the test of the real app only (app_test.go): write what the window shows once it is ready.
		SceneReport: os.Getenv("DOSSIER_SCENE_REPORT"),
		Version:     version,
	}
	if dbPath, err := store.DefaultPath(); err != nil {
		fmt.Fprintf(os.Stderr, "dossier: warning: cases will not be saved: %v\n", err)
	} else if st, err := store.Open(context.Background(), dbPath); err != nil {
		fmt.Fprintf(os.Stderr, "dossier: warning: cases will not be saved: %v\n", err)
	} else {
		defer st.Close()
		cfg.Store = caseStore{st}
	}
	w := ui.NewMainWindow(a, cfg)
	// SIGINT and SIGTERM quit the app as its Quit does, so the deferred
	// clean-up runs; an export cut short leaves only staging, which the next
	// start sweeps.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
	return 0
}

// caseStore adapts *store.Store to the UI's CaseStore (details, waivers and categories it has as they are).
type caseStore struct{ *store.Store }

func (c caseStore) CreateCase(ctx context.Context, name string) (int64, error) {
	k, err := c.Store.CreateCase(ctx, name)
	if err != nil {
		return 0, err
	}
	return k.ID, nil
}
