// Package privacy holds Dossier's privacy levels and the keyed, repeatable
// replacements every de-identifier shares: UID remapping, date shifting and
// the case pseudonym.
package privacy

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Level says how much identity an export keeps.
type Level string

// The privacy levels.
const (
	// Identified keeps every file byte-identical: the centre must know who
	// the patient is (the default, for a clinical second opinion).
	Identified Level = "identified"
	// Pseudonymised replaces identity by the case pseudonym and keeps real
	// dates; the mapping stays on this computer so identity can be revealed.
	Pseudonymised Level = "pseudonymised"
	// Anonymised removes identity and shifts dates; nothing is kept.
	Anonymised Level = "anonymised"
)

// Levels lists the levels, least private first.
var Levels = []Level{Identified, Pseudonymised, Anonymised}

// ErrUnknownLevel is returned by ParseLevel.
var ErrUnknownLevel = errors.New("privacy: unknown privacy level (use identified, pseudonymised or anonymised)")

// ParseLevel reads a level name; American spellings are accepted too.
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "identified", "":
		return Identified, nil
	case "pseudonymised", "pseudonymized", "pseudonymous":
		return Pseudonymised, nil
	case "anonymised", "anonymized", "anonymous":
		return Anonymised, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownLevel, s)
}

// SecretSize is the length of a case secret in bytes.
const SecretSize = 32

// Params are what a de-identifier needs for one export.
type Params struct {
	Level Level
	// Secret keys UID remapping (and the anonymised date shift). For
	// pseudonymised exports it is the case's stored secret, so re-exports
	// give the same UIDs; for anonymised exports a fresh one.
	Secret []byte
	// Pseudonym replaces the patient's name and ID when pseudonymised
	// (e.g. "DOSSIER-7KQ2-M4XD"). Anonymised exports use AnonymousName.
	Pseudonym string
	// DateShift moves every date of an anonymised export by this many days
	// (negative: into the past). Zero for other levels.
	DateShift int
	// Identity lists spellings of the case's identity (from every record,
	// not only the file at hand) that de-identifiers also remove from the
	// text they keep, such as descriptions and comments.
	Identity []string
}

// AnonymousName is the patient name and ID written by anonymised exports.
const AnonymousName = "ANONYMOUS"

// NewSecret returns a random case secret.
func NewSecret() ([]byte, error) {
	b := make([]byte, SecretSize)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("privacy: making a case secret: %w", err)
	}
	return b, nil
}

// pseudonymAlphabet avoids letters and digits that are easily confused
// when read aloud or written by hand (0/O, 1/I/L, 5/S, 8/B, 2/Z, U/V).
const pseudonymAlphabet = "ACDEFGHJKMNPQRTWXY34679"

// NewPseudonym returns a random pseudonym such as "DOSSIER-7KQ2-M4XD".
func NewPseudonym() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("privacy: making a pseudonym: %w", err)
	}
	out := []byte("DOSSIER-")
	for i, c := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, pseudonymAlphabet[int(c)%len(pseudonymAlphabet)])
	}
	return string(out), nil
}

// NewParams prepares the parameters for an export at level. For
// pseudonymised exports secret and pseudonym come from the case store; for
// anonymised exports a one-time secret and a random date shift (between
// 1 and 3 years into the past) are made here; identified needs nothing.
func NewParams(level Level, secret []byte, pseudonym string) (Params, error) {
	p := Params{Level: level}
	switch level {
	case Identified:
		return p, nil
	case Pseudonymised:
		if len(secret) < 16 || pseudonym == "" {
			return p, errors.New("privacy: a pseudonymised export needs the case secret and pseudonym")
		}
		p.Secret, p.Pseudonym = secret, pseudonym
		return p, nil
	case Anonymised:
		s, err := NewSecret()
		if err != nil {
			return p, err
		}
		p.Secret, p.Pseudonym = s, AnonymousName
		p.DateShift = -(365 + int(binary.BigEndian.Uint16(s[:2]))%(2*365))
		return p, nil
	}
	return p, fmt.Errorf("%w: %q", ErrUnknownLevel, level)
}

// UID maps a DICOM UID to a new one, deterministically for the secret: the
// same input always gives the same output, so references between files
// stay consistent. The result is "2.25." followed by the decimal form of a
// 128-bit number derived with HMAC-SHA-256 (at most 44 characters, within
// DICOM's 64). Empty input gives empty output.
func (p Params) UID(uid string) string {
	uid = strings.TrimRight(uid, "\x00 ")
	if uid == "" {
		return ""
	}
	m := hmac.New(sha256.New, p.Secret)
	m.Write([]byte("dossier uid v1\x00"))
	m.Write([]byte(uid))
	sum := m.Sum(nil)
	n := new(big.Int).SetBytes(sum[:16])
	return "2.25." + n.String()
}

// ShiftDate moves a DICOM date (YYYYMMDD) by DateShift days. Values that
// are not valid dates are returned unchanged with ok false, so the caller
// can decide (usually: empty them).
func (p Params) ShiftDate(da string) (shifted string, ok bool) {
	t, err := time.Parse("20060102", strings.TrimSpace(da))
	if err != nil {
		return da, false
	}
	return t.AddDate(0, 0, p.DateShift).Format("20060102"), true
}
