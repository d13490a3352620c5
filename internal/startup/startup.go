// Package startup prepares the process environment before any other package
// initialises. Import it first (blank) from main: Go initialises packages in
// import-path order when nothing else decides, and "dossier/..." sorts before
// "fyne.io/...".
package startup

import "os"

// init replaces the POSIX "C" locale, which Fyne cannot parse (it logs an
// error on every start, also for command-line use), by US English. Real
// locales are left alone.
func init() {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		switch os.Getenv(v) {
		case "":
			continue
		case "C", "POSIX", "C.UTF-8", "C.utf8":
			os.Setenv(v, "en_US.UTF-8")
			continue
		}
		return // the first set variable decides, and it is a real locale
	}
}
