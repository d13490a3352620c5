package export

import (
	"context"
	"errors"
	"io/fs"

	"dossier/packager/atomicfile"
	"dossier/packager/bundle"
	"dossier/packager/deid"
	"dossier/packager/envelope"
	"dossier/packager/i18n"
)

// Problem is an error told to a person: what it is called, what happened
// and what to do about it in the app, and what to do at the command line.
// The texts are English message formats (i18n.Msg): each front end shows
// them in its own language.
type Problem struct {
	Title, What, Todo string
	// Hint is what to do at the command line ("" when there is nothing
	// more to say than the error): it names options where Todo names the
	// app's screens.
	Hint string
}

// problems is the one table from errors to what the desktop app's error
// box and the command line's hints say: the first entry one of whose
// errors err wraps is taken.
var problems = []struct {
	errs []error
	p    Problem
}{
	{[]error{envelope.ErrWrongKey}, Problem{
		Title: i18n.Msg("This passphrase or key does not open the bundle"),
		What:  i18n.Msg("The bundle is fine as far as Dossier can tell, but it was locked with a different passphrase or key."),
		Todo:  i18n.Msg("Type the passphrase again exactly as you received it (the words and the hyphens between them). If it was sent to your centre's key, choose that key file."),
		Hint:  "check the passphrase file (the words and the hyphens between them) or give the identity the bundle was sent to",
	}},
	{[]error{envelope.ErrDamaged, bundle.ErrCorrupt, bundle.ErrMismatch}, Problem{
		Title: i18n.Msg("The bundle is damaged or incomplete"),
		What:  i18n.Msg("Part of the bundle is missing or was changed on the way, so its contents cannot be trusted."),
		Todo:  i18n.Msg("If it came in several pieces (.age.001, .age.002, …), put all of them in the same folder and try again. Otherwise ask the sender to send it once more."),
		Hint:  "put every piece (.age.001, .age.002, ...) in the same folder, or ask the sender to send it again",
	}},
	{[]error{bundle.ErrNotBundle}, Problem{
		Title: i18n.Msg("This is not a Dossier bundle"),
		What:  i18n.Msg("The file opened, but there is no bundle inside it."),
		Todo:  i18n.Msg("Check that you chose the file that ends in .age (or its first piece, .age.001)."),
		Hint:  "give the file that ends in .age (or its first piece, .age.001)",
	}},
	{[]error{bundle.ErrExpands}, Problem{
		Title: i18n.Msg("The bundle unpacks to far more than its size"),
		What:  i18n.Msg("A bundle made by Dossier does not grow like this; it may have been built to fill the disk."),
		Todo:  i18n.Msg("Ask the sender how it was made. If you trust where it came from, the command line opens it: dossier open --allow-expansion."),
		Hint:  "if you trust where it came from, run again with --allow-expansion",
	}},
	{[]error{atomicfile.ErrExists}, Problem{
		Title: i18n.Msg("Files of this name are already there"),
		What:  i18n.Msg("The folder you chose already holds files with the same names. Nothing was replaced."),
		Todo:  i18n.Msg("Choose another folder, or another name, and try again."),
		Hint:  "choose another folder or name; Dossier never replaces files",
	}},
	{[]error{envelope.ErrDiskFull, bundle.ErrNoRoom}, Problem{
		Title: i18n.Msg("The disk is full"),
		What:  i18n.Msg("There was not enough room where you chose to save. Nothing was left behind."),
		Todo:  i18n.Msg("Free some space or choose another place (another disk or a USB stick), then try again."),
		Hint:  "free some space or write somewhere else",
	}},
	{[]error{envelope.ErrReadBack}, Problem{
		Title: i18n.Msg("The disk did not keep what was written"),
		What:  i18n.Msg("What Dossier read back from the disk differs from what it wrote, so the bundle was removed. The disk or USB stick may be failing."),
		Todo:  i18n.Msg("Save to another disk or USB stick and try again."),
		Hint:  "write to another disk; this one gave back different data",
	}},
	{[]error{envelope.ErrSSHKeyProtected}, Problem{
		Title: i18n.Msg("This key file is locked with its own passphrase"),
		What:  i18n.Msg("Dossier cannot use an SSH key that is protected by a passphrase."),
		Todo:  i18n.Msg("Choose a copy of the key without a passphrase (ssh-keygen -p removes it), or an age key file."),
		Hint:  "give a copy of the key without its passphrase (ssh-keygen -p removes it), or an age identity",
	}},
	{[]error{fs.ErrNotExist}, Problem{
		Title: i18n.Msg("A file is missing"),
		What:  i18n.Msg("A file Dossier needs is not where it was: it may have been moved, renamed or unplugged. For a bundle in several pieces, one of the pieces may be missing."),
		Todo:  i18n.Msg("Check that the drive is plugged in and that every piece is in the same folder, then try again."),
		Hint:  "check the path; a CD or USB stick may have been removed",
	}},
	{[]error{fs.ErrPermission}, Problem{
		Title: i18n.Msg("Dossier may not use that file or folder"),
		What:  i18n.Msg("This computer does not allow Dossier to read or write there."),
		Todo:  i18n.Msg("Choose a folder of your own, such as Documents or Desktop."),
		Hint:  "check that you may read the files (or copy them to a folder of your own first)",
	}},
	{[]error{deid.ErrNoIdentity}, Problem{
		Title: i18n.Msg("Dossier does not know your name yet"),
		What:  i18n.Msg("To send your records without your name, Dossier looks for your name, date of birth and hospital numbers in every file. Your records did not say who you are, so it could not check them, and it will not send them unchecked."),
		Todo:  i18n.Msg("Fill in your name and date of birth under Case details (and your hospital number if you know it), save, then come back to this step. Or choose to send with your name."),
		Hint:  `add --patient-name "Given Family" --birth-date YYYY-MM-DD (and --patient-id for hospital numbers), or send with --privacy identified`,
	}},
	{[]error{ErrWeakPassphrase}, Problem{
		Title: i18n.Msg("The passphrase is too easy to guess"),
		What:  i18n.Msg("Anyone who gets the bundle could try passphrases like this one until it opens."),
		Todo:  i18n.Msg("Let Dossier make a passphrase for you, or type 6 or more unrelated words."),
		Hint:  "leave out --passphrase-file and Dossier makes a strong passphrase for you, or use 6 or more unrelated words",
	}},
	{[]error{ErrNotRecorded}, Problem{
		Title: i18n.Msg("The bundle is ready, but not in the history"),
		What:  i18n.Msg("The bundle is complete, but it could not be added to this case's history of what was sent."),
		Todo:  i18n.Msg("Use the bundle as it is; there is no need to make it again."),
		Hint:  "the bundle is complete: use it as it is",
	}},
	{[]error{context.Canceled}, Problem{
		Title: i18n.Msg("Stopped"),
		What:  i18n.Msg("You stopped it. Nothing was left behind."),
		Todo:  i18n.Msg("You can start again at any time."),
	}},
}

// Explain finds what to tell a person about err: the Problem of the first
// table entry err wraps, and false when Dossier does not know the error.
func Explain(err error) (Problem, bool) {
	if err == nil {
		return Problem{}, false
	}
	for _, e := range problems {
		for _, target := range e.errs {
			if errors.Is(err, target) {
				return e.p, true
			}
		}
	}
	return Problem{}, false
}

// Unknown is what to tell a person about an error Explain does not know,
// besides the error itself.
var Unknown = Problem{
	Title: i18n.Msg("Something went wrong"),
	Todo:  i18n.Msg("Please try again. If it happens again, copy the details below and send them to whoever helps you."),
}
