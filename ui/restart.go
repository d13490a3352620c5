package ui

import (
	"os"
	"os/exec"

	"fyne.io/fyne/v2/lang"
)

// startAgain starts this program again with the same arguments (a variable for tests).
var startAgain = defaultStartAgain

func defaultStartAgain() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, os.Stdout, os.Stderr
	return cmd.Start()
}

// restart keeps what was typed and decided, starts Dossier again (in the language just chosen: Fyne reads the
// language once, when it starts) and closes this one.
func (v *mainView) restart() {
	v.flushDetails()
	v.flushDecisions()
	if err := startAgain(); err != nil {
		v.status.showError(lang.X("status.restartfail", "Dossier could not start again by itself. Close it and open it again to use the new language."), err)
		return
	}
	v.app.Quit()
}
