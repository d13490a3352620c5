package export

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"filippo.io/age"

	"dossier/packager/bundle"
	"dossier/packager/checklist"
	"dossier/packager/deid"
	"dossier/packager/envelope"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

// Lock is how a bundle is locked: who can open it.
type Lock string

// The ways a bundle can be locked.
const (
	// LockGenerated encrypts to a passphrase Dossier makes (the default).
	LockGenerated Lock = "generated"
	// LockPassphrase encrypts to a passphrase the person chose.
	LockPassphrase Lock = "passphrase"
	// LockKeys encrypts to public keys: a saved centre's, or keys given.
	LockKeys Lock = "keys"
	// LockNone writes an unencrypted folder (a USB stick for a visit).
	LockNone Lock = "folder"
)

// The recipients an export records for the locks whose recipient is not a
// centre or a number of keys (store.Export.Recipient).
const (
	RecipientGenerated  = "generated passphrase"
	RecipientPassphrase = "passphrase"
	RecipientFolder     = "unencrypted folder"
)

// keysText is the recipient recorded for n public keys ("1 public key",
// "3 public keys").
func keysText(n int) i18n.Text {
	return i18n.Plural(n, i18n.Msg("%d public key"), i18n.Msg("%d public keys"))
}

// RecipientText is a recipient an export recorded (store.Export.Recipient)
// kept as a text, to be written in the reader's language: a number of
// public keys as Output recorded it, any other label (a centre's name) as
// it is. The labels of the other locks (RecipientGenerated and the others)
// are the caller's to word.
func RecipientText(label string) i18n.Text {
	num, _, _ := strings.Cut(label, " ")
	if n, err := strconv.Atoi(num); err == nil && n > 0 && label == keysText(n).String() {
		return keysText(n)
	}
	return i18n.Plain(label)
}

// Case is the case an export sends, as it was when the person chose to
// send it.
type Case struct {
	ID        int64
	Inventory *intake.Inventory
	Rules     *checklist.Rules
	Report    *checklist.Report
	Details   checklist.Details
}

// Choices are what the person chose for one export, in the app's wizard
// or with the command line's options. Send turns them into a Request.
type Choices struct {
	Level privacy.Level
	Lock  Lock // "" is LockGenerated
	// Passphrase is the passphrase chosen (LockPassphrase).
	Passphrase string
	// Keys are public keys as written (age1…, ssh-…), and Recipients keys
	// already parsed (LockKeys); Centre is the saved centre they belong to
	// ("" when they were given directly).
	Keys       []string
	Recipients []age.Recipient
	Centre     string
	// Dir and Name say where the bundle goes (Name without .age).
	Dir, Name string
	// Split is the largest volume in bytes (0: one file).
	Split int64
	// Language is the language of the cover summary ("" is English).
	Language string
	// Include lists items needing review that the person chose to send.
	Include map[string]bool
	// Redactions holds the boxes the person confirmed, by item path.
	Redactions map[string]*deid.Redactions
	// ConvertHEIC and NoRedact: see Request.
	ConvertHEIC, NoRedact bool
}

// ErrWeakPassphrase is wrapped by the error of a chosen passphrase that is
// too easy to guess.
var ErrWeakPassphrase = errors.New(i18n.Msg("The passphrase is too easy to guess."))

// weakPassphrase is ErrWeakPassphrase with the advice of the strength
// check, which is its message.
type weakPassphrase struct{ advice i18n.Text }

func (e weakPassphrase) Error() string        { return e.advice.String() }
func (e weakPassphrase) Is(target error) bool { return target == ErrWeakPassphrase }

// Text is the advice kept as a text, to be written in the reader's language.
func (e weakPassphrase) Text() i18n.Text { return e.advice }

// CheckPassphrase is the one strength check of a passphrase a person
// chose: nil when it is strong enough, else an error wrapping
// ErrWeakPassphrase whose message is plain advice.
func CheckPassphrase(p string) error {
	if bits, advice := envelope.PassphraseAdvice(p); bits < envelope.MinPassphraseBits {
		return weakPassphrase{advice}
	}
	return nil
}

// KeyError is a public key that cannot be used.
type KeyError struct{ Err error }

func (e *KeyError) Error() string { return e.Text().String() }

// Text is the error kept as a text, to be written in the reader's language:
// the reason is the key parser's, shown as it is without the low-level
// packages' prefixes (i18n.PlainError, as intake and deid show reasons).
func (e *KeyError) Text() i18n.Text {
	return i18n.NewText(i18n.Msg("This key cannot be used: %v."), i18n.PlainError(e.Err))
}

func (e *KeyError) Unwrap() error { return e.Err }

// ErrNoLock is returned by Output when the choices do not say who can open
// the bundle.
var ErrNoLock = errors.New(i18n.Msg("Choose who can open the bundle."))

// ErrNoKeys is returned by ParseKeys for a text without any key.
var ErrNoKeys = errors.New(i18n.Msg("Paste the centre's public key (it starts with age1… or ssh-)."))

// ParseKeys reads public keys written one a line (empty lines and lines
// starting with # are ignored), as pasted from a centre's message.
func ParseKeys(text string) ([]string, error) {
	var keys []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, _, err := envelope.ParseRecipient(line); err != nil {
			return nil, &KeyError{err}
		}
		keys = append(keys, line)
	}
	if len(keys) == 0 {
		return nil, ErrNoKeys
	}
	return keys, nil
}

// Output checks the choices of who can open the bundle and where it goes,
// and returns the bundle's output with the recipient to record. For
// LockGenerated it makes the passphrase, which is in the output.
func (c Choices) Output() (bundle.Output, string, error) {
	o := bundle.Output{Dir: c.Dir, Name: c.Name, Split: c.Split}
	var label string
	switch c.Lock {
	case LockGenerated, "":
		pass, err := envelope.NewPassphrase()
		if err != nil {
			return o, "", err
		}
		o.Passphrase, label = pass, RecipientGenerated
	case LockPassphrase:
		if err := CheckPassphrase(c.Passphrase); err != nil {
			return o, "", err
		}
		o.Passphrase, label = c.Passphrase, RecipientPassphrase
	case LockKeys:
		for _, k := range c.Keys {
			r, _, err := envelope.ParseRecipient(k)
			if err != nil {
				return o, "", &KeyError{err}
			}
			o.Recipients = append(o.Recipients, r)
		}
		o.Recipients = append(o.Recipients, c.Recipients...)
		switch n := len(o.Recipients); {
		case n == 0:
			return o, "", ErrNoKeys
		case c.Centre != "":
			label = c.Centre
		default:
			label = keysText(n).String()
		}
	case LockNone:
		if c.Split > 0 {
			return o, "", errors.New(i18n.Msg("An unlocked copy is written as a folder, which cannot be split into pieces."))
		}
		o.Folder, label = true, RecipientFolder
	default:
		return o, "", ErrNoLock
	}
	return o, label, nil
}

// request is the Request of the choices for case c, written to o.
func (ch Choices) request(c Case, o bundle.Output, label string, progress func(bundle.Progress)) Request {
	inv := c.Inventory
	if inv == nil {
		inv = &intake.Inventory{}
	}
	return Request{
		CaseID: c.ID, Inventory: inv, Rules: c.Rules, Report: c.Report, Details: c.Details,
		Level: ch.Level, Output: o, Include: ch.Include, Redactions: ch.Redactions,
		ConvertHEIC: ch.ConvertHEIC, NoRedact: ch.NoRedact,
		Recipient: label, Language: ch.Language, Progress: progress,
	}
}

// Send is the one way the app and the command line export a case: it
// checks the choices, writes the bundle with its cover summary and records
// the export (when st is not nil). The Result carries the output, and the
// passphrase when Dossier made it. As with Pack, an error wrapping
// ErrNotRecorded comes with the complete Result.
func Send(ctx context.Context, st Store, c Case, ch Choices, progress func(bundle.Progress)) (*Result, error) {
	o, label, err := ch.Output()
	if err != nil {
		return nil, err
	}
	res, err := Pack(ctx, st, ch.request(c, o, label, progress))
	if res != nil {
		res.Output = o
		if ch.Lock == LockGenerated || ch.Lock == "" {
			res.Passphrase = o.Passphrase
		}
	}
	return res, err
}
