// Package envelope is the encryption around a Dossier bundle: age
// (filippo.io/age) to a generated or typed passphrase (scrypt) or to the
// receiving centre's public keys (X25519 "age1...", SSH ed25519 and RSA, and
// age's post-quantum hybrid "age1pq1..." keys), optional volumes of a chosen
// size that cat joins, and atomic output: every file is written under a
// temporary name and renamed only when the whole export is complete and
// verified.
//
// What Debian's age 1.1.1 can decrypt is the default: X25519, passphrase and
// SSH recipients. Post-quantum hybrid recipients (KindHybrid) need age 1.3.0
// or later on the receiving side, and age refuses to mix them with classic
// recipients in one file.
//
// Nothing in this package puts patient data in a file name, an error message
// or a side file.
//
// Writing a bundle, in order:
//
//	out, _ := envelope.NewAtomicFiles(dir, false)
//	defer out.Abort()                                // no-op after Commit
//	vw, _ := envelope.NewVolumeWriter(out, "NAME.age", size) // size 0: one file
//	w, _ := envelope.Encrypt(vw, recipients...)
//	// ... stream the ZIP into w ...
//	w.Close(); vw.Close()                            // check both errors
//	r, _ := out.Reader(vw.Names()...)                // verify before the rename
//	p, _ := envelope.Decrypt(r, identities...)       // read p to the end
//	h, _ := out.Create(envelope.HowToName("NAME.age"))
//	io.WriteString(h, envelope.HowToOpen("NAME.age", passphrase, vw.Volumes())); h.Close()
//	out.Commit()
package envelope

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// ErrWrongKey means no identity given to Decrypt could open the envelope: the
// passphrase is wrong, the key is not one the bundle was encrypted to, or the
// kind of secret does not fit (a key for a passphrase bundle or the reverse).
// A damaged recipient line in the header also looks like this, because age
// cannot tell a damaged wrapped key from someone else's.
var ErrWrongKey = errors.New("envelope: the passphrase or key does not open this bundle (if you are sure it is the right one, the bundle's header was changed)")

// ErrDamaged means the envelope fails authentication: a changed byte in the
// header or the payload, a truncated file, a missing, extra, swapped or
// renamed volume, or trailing data. For a split bundle the error names the
// volume and what is likely wrong with it.
var ErrDamaged = errors.New("envelope: the bundle fails authentication: it was changed, damaged or is incomplete")

// ErrNoRecipients is returned by Encrypt when it is given no recipient.
var ErrNoRecipients = errors.New("envelope: no passphrase or recipient to encrypt to")

// ErrSSHKeyProtected is returned by ParseIdentities for an SSH private key
// that is itself protected by a passphrase; Dossier needs it unprotected (or
// an age identity file).
var ErrSSHKeyProtected = errors.New("envelope: the SSH private key is protected by a passphrase")

// ScryptWorkFactor is the log2 of the scrypt cost used for passphrase
// envelopes (age's default, about a second on a modern machine). Tests lower
// it to run fast; age 1.1.1 accepts any value up to 22.
var ScryptWorkFactor = 18

// Kind tells which kind of recipient or identity a key is.
type Kind int

// The kinds of recipients Dossier encrypts to.
const (
	KindUnknown    Kind = iota
	KindPassphrase      // scrypt passphrase
	KindX25519          // "age1..." native age key
	KindHybrid          // "age1pq1..." ML-KEM-768 + X25519 post-quantum hybrid key (age >= 1.3.0)
	KindSSHEd25519      // "ssh-ed25519 ..." OpenSSH public key
	KindSSHRSA          // "ssh-rsa ..." OpenSSH public key (2048 bits or more)
)

// String returns a short human name of k.
func (k Kind) String() string {
	switch k {
	case KindPassphrase:
		return "passphrase"
	case KindX25519:
		return "age X25519 key"
	case KindHybrid:
		return "age post-quantum hybrid key"
	case KindSSHEd25519:
		return "SSH ed25519 key"
	case KindSSHRSA:
		return "SSH RSA key"
	}
	return "unknown"
}

// OpensWithDebianAge reports whether a bundle encrypted to k can be opened
// with Debian's age 1.1.1 (every kind but the post-quantum hybrid keys, which
// need age 1.3.0 or later).
func (k Kind) OpensWithDebianAge() bool {
	switch k {
	case KindPassphrase, KindX25519, KindSSHEd25519, KindSSHRSA:
		return true
	}
	return false
}

// KindOf returns the kind of an age recipient or identity made by this
// package or by filippo.io/age.
func KindOf(v any) Kind {
	switch v.(type) {
	case *age.ScryptRecipient, *age.ScryptIdentity:
		return KindPassphrase
	case *age.X25519Recipient, *age.X25519Identity:
		return KindX25519
	case *age.HybridRecipient, *age.HybridIdentity:
		return KindHybrid
	case *agessh.Ed25519Recipient, *agessh.Ed25519Identity:
		return KindSSHEd25519
	case *agessh.RSARecipient, *agessh.RSAIdentity:
		return KindSSHRSA
	}
	return KindUnknown
}

// PassphraseRecipient returns the recipient that encrypts to passphrase with
// scrypt at ScryptWorkFactor.
func PassphraseRecipient(passphrase string) (age.Recipient, error) {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	r.SetWorkFactor(ScryptWorkFactor)
	return r, nil
}

// PassphraseIdentity returns the identity that opens a bundle encrypted to
// passphrase.
func PassphraseIdentity(passphrase string) (age.Identity, error) {
	i, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	return i, nil
}

// ParseRecipient parses one public key as written by its owner: an age
// X25519 key ("age1..."), an age post-quantum hybrid key ("age1pq1..."), or
// an OpenSSH public key line ("ssh-ed25519 AAAA... comment", "ssh-rsa ...").
// Surrounding spaces are ignored. Plugin and tag recipients are refused.
func ParseRecipient(s string) (age.Recipient, Kind, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, KindUnknown, errors.New("envelope: empty recipient")
	case strings.HasPrefix(s, "age1pq1"):
		r, err := age.ParseHybridRecipient(s)
		if err != nil {
			return nil, KindUnknown, fmt.Errorf("envelope: %w", err)
		}
		return r, KindHybrid, nil
	case strings.HasPrefix(s, "age1") && strings.Count(s, "1") > 1:
		// Bech32 data never contains "1": a second one means "age1NAME1...",
		// a plugin, tag or hardware key.
		return nil, KindUnknown, fmt.Errorf("envelope: %q looks like an age plugin or hardware key, which Dossier does not support; ask for an age1... X25519 key or an SSH key", short(s))
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return nil, KindUnknown, fmt.Errorf("envelope: %w", err)
		}
		return r, KindX25519, nil
	case strings.HasPrefix(s, "ssh-ed25519 "), strings.HasPrefix(s, "ssh-rsa "):
		r, err := agessh.ParseRecipient(s)
		if err != nil {
			return nil, KindUnknown, fmt.Errorf("envelope: %w", err)
		}
		return r, KindOf(r), nil
	case strings.HasPrefix(s, "ssh-"), strings.HasPrefix(s, "ecdsa-"), strings.HasPrefix(s, "sk-"):
		return nil, KindUnknown, fmt.Errorf("envelope: SSH key type %q is not supported by age; use an ssh-ed25519 or ssh-rsa key", strings.Fields(s)[0])
	case strings.HasPrefix(s, "AGE-SECRET-KEY-"), strings.Contains(s, "PRIVATE KEY"):
		// Never echo a private key back.
		return nil, KindUnknown, errors.New("envelope: this is a private key, not a public one; give the recipient's public key (age1... or ssh-...) and keep the private key secret")
	}
	return nil, KindUnknown, fmt.Errorf("envelope: %q is not an age (age1...) or SSH (ssh-ed25519, ssh-rsa) public key", short(s))
}

// short cuts s for an error message.
func short(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// ParseRecipientsFile parses a recipients file in age's format: one public
// key per line (any form ParseRecipient accepts), empty lines and lines
// starting with "#" ignored. It returns the recipients with their kinds, in
// file order. Errors name the line number.
func ParseRecipientsFile(r io.Reader) ([]age.Recipient, []Kind, error) {
	const limit = 16 << 20
	lr := &io.LimitedReader{R: r, N: limit + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var recs []age.Recipient
	var kinds []Kind
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, nil, fmt.Errorf("envelope: recipients file line %d is not valid UTF-8", n)
		}
		rec, k, err := ParseRecipient(line)
		if err != nil {
			return nil, nil, fmt.Errorf("%w (recipients file line %d)", err, n)
		}
		recs = append(recs, rec)
		kinds = append(kinds, k)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("envelope: reading recipients file: %w", err)
	}
	if lr.N == 0 {
		return nil, nil, errors.New("envelope: recipients file is too long")
	}
	if len(recs) == 0 {
		return nil, nil, errors.New("envelope: no recipients in the recipients file")
	}
	return recs, kinds, nil
}

// ParseIdentities parses the secret side: an age identity file (lines of
// "AGE-SECRET-KEY-1..." or "AGE-SECRET-KEY-PQ-1...", "#" comments, as written
// by age-keygen or GenerateX25519) or an unprotected OpenSSH/PEM private key
// (ed25519 or RSA). An SSH key protected by a passphrase gives
// ErrSSHKeyProtected. Errors never quote key material.
func ParseIdentities(r io.Reader) ([]age.Identity, error) {
	const limit = 16 << 20
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("envelope: reading identity file: %w", err)
	}
	if len(data) > limit {
		return nil, errors.New("envelope: identity file is too long")
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		id, err := agessh.ParseIdentity(data)
		if err != nil {
			var missing *ssh.PassphraseMissingError
			if errors.As(err, &missing) {
				return nil, fmt.Errorf("%w; remove it with ssh-keygen -p or use an age key", ErrSSHKeyProtected)
			}
			return nil, fmt.Errorf("envelope: SSH private key: %w", err)
		}
		return []age.Identity{id}, nil
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("envelope: identity file: %w", err)
	}
	return ids, nil
}

// GenerateX25519 returns a new age X25519 key pair: identity is the secret
// "AGE-SECRET-KEY-1..." string (the content of an identity file) and
// recipient its public "age1..." string.
func GenerateX25519() (identity, recipient string) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		// crypto/rand never fails since Go 1.24; keep the API simple.
		panic("envelope: generating an X25519 key: " + err.Error())
	}
	return id.String(), id.Recipient().String()
}

// GenerateHybrid returns a new age post-quantum hybrid key pair
// ("AGE-SECRET-KEY-PQ-1...", "age1pq1..."). Opening needs age 1.3.0 or later.
func GenerateHybrid() (identity, recipient string) {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		panic("envelope: generating a hybrid key: " + err.Error())
	}
	return id.String(), id.Recipient().String()
}

// Encrypt returns a writer that encrypts what is written to it into dst for
// the recipients. Close must be called to write the last chunk; it does not
// close dst. A passphrase recipient must be alone, and post-quantum hybrid
// recipients cannot be mixed with classic ones (age's own rules).
func Encrypt(dst io.Writer, recipients ...age.Recipient) (io.WriteCloser, error) {
	if len(recipients) == 0 {
		return nil, ErrNoRecipients
	}
	var pq, classic bool
	for _, r := range recipients {
		if KindOf(r) == KindHybrid {
			pq = true
		} else {
			classic = true
		}
	}
	if pq && classic {
		return nil, errors.New("envelope: post-quantum and classic recipients cannot be mixed in one bundle (it would not be quantum-safe); make one bundle per kind")
	}
	w, err := age.Encrypt(dst, recipients...)
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	return w, nil
}

// Decrypt opens an envelope read from src with the first identity that fits
// and returns a reader of the plaintext. Failures are typed: ErrWrongKey when
// no identity opens it, ErrDamaged when the header or any part of the payload
// is corrupt or truncated (reported by Decrypt or later by Read; the plaintext
// read before a damaged chunk must be discarded). An error reading src itself
// is returned wrapped as it is.
func Decrypt(src io.Reader, identities ...age.Identity) (io.Reader, error) {
	if len(identities) == 0 {
		return nil, errors.New("envelope: no passphrase or key to open the bundle with")
	}
	t := &trackReader{r: src}
	r, err := age.Decrypt(t, identities...)
	if err != nil {
		return nil, t.classify(err)
	}
	return &decryptReader{r: r, t: t}, nil
}

// trackReader remembers the first real error of the underlying reader, so a
// failing disk is not reported as a damaged bundle, and counts the bytes
// read, so damage in a split bundle can be placed in its volume.
type trackReader struct {
	r   io.Reader
	err error
	n   int64
}

func (t *trackReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.n += int64(n)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

func (t *trackReader) classify(err error) error {
	var noMatch *age.NoIdentityMatchError
	switch {
	case t.err != nil:
		return fmt.Errorf("envelope: reading the bundle: %w", t.err)
	case errors.As(err, &noMatch):
		return fmt.Errorf("%w (%v)", ErrWrongKey, err)
	}
	if mf, ok := t.r.(*multiFile); ok && len(mf.paths) > 1 {
		if what := mf.blame(t.n, err); what != "" {
			return fmt.Errorf("%w: %s", ErrDamaged, what)
		}
	}
	return fmt.Errorf("%w: %w", ErrDamaged, err)
}

type decryptReader struct {
	r   io.Reader
	t   *trackReader
	err error
}

func (d *decryptReader) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		d.err = d.t.classify(err)
		return n, d.err
	}
	return n, err
}

// PassphrasePair returns the recipient that encrypts to passphrase (as
// PassphraseRecipient) and an identity that opens only what that recipient
// wrapped, by the file key it kept, without a second scrypt derivation: the
// read-back check of a freshly written bundle costs no second 256 MiB of
// memory and second of time. The identity accepts only the very stanza the
// recipient wrote (same salt, work factor and wrapped key), so a changed
// header still fails, and it holds the file key until it is dropped; use it
// only to verify what was just written.
func PassphrasePair(passphrase string) (age.Recipient, age.Identity, error) {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, nil, fmt.Errorf("envelope: %w", err)
	}
	r.SetWorkFactor(ScryptWorkFactor)
	k := &keptKey{}
	return &keepingRecipient{r: r, k: k}, &keptIdentity{k: k}, nil
}

type keptKey struct {
	mu      sync.Mutex
	fileKey []byte
	stanza  *age.Stanza
}

type keepingRecipient struct {
	r *age.ScryptRecipient
	k *keptKey
}

func (r *keepingRecipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	s, _, err := r.WrapWithLabels(fileKey)
	return s, err
}

// WrapWithLabels keeps scrypt's rule that a passphrase recipient is alone.
func (r *keepingRecipient) WrapWithLabels(fileKey []byte) ([]*age.Stanza, []string, error) {
	stanzas, labels, err := r.r.WrapWithLabels(fileKey)
	// scrypt's 256 MiB work area is garbage now: give it back at once, so
	// the export that follows does not grow its heap on top of it.
	debug.FreeOSMemory()
	if err != nil || len(stanzas) != 1 {
		return stanzas, labels, err
	}
	r.k.mu.Lock()
	r.k.fileKey = bytes.Clone(fileKey)
	st := *stanzas[0]
	st.Args = append([]string(nil), st.Args...)
	st.Body = bytes.Clone(st.Body)
	r.k.stanza = &st
	r.k.mu.Unlock()
	return stanzas, labels, nil
}

type keptIdentity struct{ k *keptKey }

func (i *keptIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	i.k.mu.Lock()
	defer i.k.mu.Unlock()
	if i.k.stanza == nil || len(stanzas) != 1 {
		return nil, age.ErrIncorrectIdentity
	}
	s, w := stanzas[0], i.k.stanza
	if s.Type != w.Type || !slices.Equal(s.Args, w.Args) || !bytes.Equal(s.Body, w.Body) {
		return nil, age.ErrIncorrectIdentity
	}
	return bytes.Clone(i.k.fileKey), nil
}
