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
	if len(args) > 0 && cli.IsCommand(args[0]) {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		fi, _ := os.Stderr.Stat()
		env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Version: version,
			Progress: fi != nil && fi.Mode()&os.ModeCharDevice != 0}
		os.Exit(cli.Run(ctx, env, args))
	}
	os.Exit(runDesktop(args))
}

// runDesktop opens the desktop app; paths become a new case.
func runDesktop(paths []string) int {
	rules, err := checklist.Default() // a broken rules file stops here, with a clear message
	if err != nil {
		fmt.Fprintf(os.Stderr, "dossier: %v\n", err)
		return 1
	}
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
