package envelope

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"io"
	mrand "math/rand/v2"
	"os"
	"strings"
	"testing"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"
)

func TestMain(m *testing.M) {
	// Cheap scrypt keeps the race-enabled suite fast; age 1.1.1 accepts it.
	ScryptWorkFactor = 10
	os.Exit(m.Run())
}

// payload returns n reproducible pseudo-random bytes.
func payload(n int) []byte {
	r := mrand.New(mrand.NewPCG(uint64(n), 42))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func seal(t *testing.T, plain []byte, recipients ...age.Recipient) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := Encrypt(&buf, recipients...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(ct []byte, ids ...age.Identity) ([]byte, error) {
	r, err := Decrypt(bytes.NewReader(ct), ids...)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// sshKeys returns an OpenSSH private key (PEM) and its authorized_keys line.
func sshKeys(t *testing.T, kind string) (priv []byte, pub string) {
	t.Helper()
	var key any
	var pk any
	switch kind {
	case "ed25519":
		p, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key, pk = k, p
	case "rsa":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key, pk = k, &k.PublicKey
	}
	block, err := ssh.MarshalPrivateKey(key, "test key")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " doctor@centre"
}

func TestRoundTrips(t *testing.T) {
	plain := payload(200_000) // several 64 KiB chunks
	pass, err := NewPassphrase()
	if err != nil {
		t.Fatal(err)
	}
	xID, xRec := GenerateX25519()
	pqID, pqRec := GenerateHybrid()
	edPriv, edPub := sshKeys(t, "ed25519")
	rsaPriv, rsaPub := sshKeys(t, "rsa")

	cases := []struct {
		name      string
		recipient func() (age.Recipient, Kind, error)
		identity  func() ([]age.Identity, error)
		kind      Kind
	}{
		{"passphrase", func() (age.Recipient, Kind, error) {
			r, err := PassphraseRecipient(pass)
			return r, KindOf(r), err
		}, func() ([]age.Identity, error) {
			i, err := PassphraseIdentity(pass)
			return []age.Identity{i}, err
		}, KindPassphrase},
		{"x25519", func() (age.Recipient, Kind, error) { return ParseRecipient(xRec) },
			func() ([]age.Identity, error) { return ParseIdentities(strings.NewReader("# key\n" + xID + "\n")) }, KindX25519},
		{"hybrid", func() (age.Recipient, Kind, error) { return ParseRecipient(pqRec) },
			func() ([]age.Identity, error) { return ParseIdentities(strings.NewReader(pqID)) }, KindHybrid},
		{"ssh-ed25519", func() (age.Recipient, Kind, error) { return ParseRecipient(edPub) },
			func() ([]age.Identity, error) { return ParseIdentities(bytes.NewReader(edPriv)) }, KindSSHEd25519},
		{"ssh-rsa", func() (age.Recipient, Kind, error) { return ParseRecipient("  " + rsaPub + "\r\n") },
			func() ([]age.Identity, error) { return ParseIdentities(bytes.NewReader(rsaPriv)) }, KindSSHRSA},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, k, err := c.recipient()
			if err != nil {
				t.Fatal(err)
			}
			if k != c.kind {
				t.Fatalf("kind %v, want %v", k, c.kind)
			}
			if got := k.OpensWithDebianAge(); got != (c.kind != KindHybrid) {
				t.Errorf("OpensWithDebianAge = %v", got)
			}
			ct := seal(t, plain, r)
			ids, err := c.identity()
			if err != nil {
				t.Fatal(err)
			}
			if KindOf(ids[0]) != c.kind {
				t.Errorf("identity kind %v, want %v", KindOf(ids[0]), c.kind)
			}
			got, err := open(ct, ids...)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Fatal("plaintext differs after round trip")
			}
		})
	}

	t.Run("empty", func(t *testing.T) {
		r, _, _ := ParseRecipient(xRec)
		ids, _ := ParseIdentities(strings.NewReader(xID))
		got, err := open(seal(t, nil, r), ids...)
		if err != nil || len(got) != 0 {
			t.Fatalf("got %d bytes, %v", len(got), err)
		}
	})
	t.Run("several recipients", func(t *testing.T) {
		r1, _, _ := ParseRecipient(xRec)
		r2, _, _ := ParseRecipient(edPub)
		ct := seal(t, plain, r1, r2)
		ids, _ := ParseIdentities(bytes.NewReader(edPriv))
		if got, err := open(ct, ids...); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("second recipient cannot open: %v", err)
		}
	})
}

func TestEncryptRules(t *testing.T) {
	if _, err := Encrypt(io.Discard); !errors.Is(err, ErrNoRecipients) {
		t.Errorf("no recipients: %v", err)
	}
	_, x := GenerateX25519()
	_, pq := GenerateHybrid()
	rx, _, _ := ParseRecipient(x)
	rpq, _, _ := ParseRecipient(pq)
	if _, err := Encrypt(io.Discard, rx, rpq); err == nil || !strings.Contains(err.Error(), "mixed") {
		t.Errorf("mixing post-quantum and classic: %v", err)
	}
	rp, _ := PassphraseRecipient("some long passphrase")
	if _, err := Encrypt(io.Discard, rp, rx); err == nil {
		t.Error("a passphrase mixed with a key was accepted")
	}
}

func TestWrongKey(t *testing.T) {
	plain := payload(1000)
	rp, _ := PassphraseRecipient("right-right-right-right")
	ct := seal(t, plain, rp)
	wrong, _ := PassphraseIdentity("wrong-wrong-wrong-wrong")
	if _, err := open(ct, wrong); !errors.Is(err, ErrWrongKey) {
		t.Errorf("wrong passphrase: %v", err)
	}
	xID, _ := GenerateX25519()
	ids, _ := ParseIdentities(strings.NewReader(xID))
	if _, err := open(ct, ids...); !errors.Is(err, ErrWrongKey) {
		t.Errorf("key for a passphrase bundle: %v", err)
	}

	_, xRec := GenerateX25519()
	rx, _, _ := ParseRecipient(xRec)
	ct = seal(t, plain, rx)
	if _, err := open(ct, ids...); !errors.Is(err, ErrWrongKey) {
		t.Errorf("wrong X25519 key: %v", err)
	}
	edPriv, _ := sshKeys(t, "ed25519")
	edIDs, _ := ParseIdentities(bytes.NewReader(edPriv))
	if _, err := open(ct, edIDs...); !errors.Is(err, ErrWrongKey) {
		t.Errorf("wrong SSH key: %v", err)
	}
	pqID, _ := GenerateHybrid()
	pqIDs, _ := ParseIdentities(strings.NewReader(pqID))
	if _, err := open(ct, pqIDs...); !errors.Is(err, ErrWrongKey) {
		t.Errorf("wrong hybrid key: %v", err)
	}
	if _, err := open(ct, wrong); !errors.Is(err, ErrWrongKey) {
		t.Errorf("passphrase for a key bundle: %v", err)
	}
	if _, err := Decrypt(bytes.NewReader(ct)); err == nil {
		t.Error("no identity accepted")
	}
}

func TestDamaged(t *testing.T) {
	plain := payload(300_000)
	xID, xRec := GenerateX25519()
	rx, _, _ := ParseRecipient(xRec)
	ids, _ := ParseIdentities(strings.NewReader(xID))
	ct := seal(t, plain, rx)
	hdrEnd := bytes.Index(ct, []byte("\n---"))
	macLine := hdrEnd + 1
	payloadStart := bytes.IndexByte(ct[macLine:], '\n') + macLine + 1

	flip := func(i int) []byte {
		c := bytes.Clone(ct)
		c[i] ^= 0x01
		return c
	}
	cases := map[string][]byte{
		"version line":   flip(3),
		"header MAC":     flip(macLine + 10),
		"nonce":          flip(payloadStart + 3),
		"first chunk":    flip(payloadStart + 16 + 100),
		"middle chunk":   flip(payloadStart + 16 + 70_000),
		"last byte":      flip(len(ct) - 1),
		"truncated":      ct[:len(ct)-1000],
		"cut at a chunk": ct[:payloadStart+16+2*(64<<10+16)],
		"header only":    ct[:payloadStart],
		"half header":    ct[:hdrEnd/2],
		"empty":          nil,
		"trailing data":  append(bytes.Clone(ct), 'x'),
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := open(c, ids...)
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("got %v (%d bytes), want ErrDamaged", err, len(got))
			}
			if errors.Is(err, ErrWrongKey) {
				t.Fatal("damaged reported as wrong key")
			}
		})
	}
	// A changed byte inside the recipient stanza cannot be told from another
	// person's key: age reports that no identity matched.
	stanza := bytes.Index(ct, []byte("\n-> X25519 ")) + 15
	if _, err := open(flip(stanza), ids...); !errors.Is(err, ErrWrongKey) && !errors.Is(err, ErrDamaged) {
		t.Errorf("flipped stanza: %v", err)
	}
}

// failReader fails after n bytes with a disk error.
type failReader struct {
	r io.Reader
	n int
}

var errDisk = errors.New("input/output error")

func (f *failReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errDisk
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

func TestDecryptReadErrorIsNotDamage(t *testing.T) {
	xID, xRec := GenerateX25519()
	rx, _, _ := ParseRecipient(xRec)
	ids, _ := ParseIdentities(strings.NewReader(xID))
	ct := seal(t, payload(200_000), rx)
	r, err := Decrypt(&failReader{r: bytes.NewReader(ct), n: 100_000}, ids...)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(r)
	if !errors.Is(err, errDisk) || errors.Is(err, ErrDamaged) {
		t.Fatalf("got %v, want the read error", err)
	}
}

func TestParseRecipient(t *testing.T) {
	_, x := GenerateX25519()
	_, pq := GenerateHybrid()
	_, ed := sshKeys(t, "ed25519")
	_, rs := sshKeys(t, "rsa")
	for _, c := range []struct {
		in   string
		kind Kind
	}{{x, KindX25519}, {pq, KindHybrid}, {ed, KindSSHEd25519}, {rs, KindSSHRSA}} {
		r, k, err := ParseRecipient(c.in)
		if err != nil || k != c.kind || r == nil {
			t.Errorf("%.20s: %v %v", c.in, k, err)
		}
	}
	xID, _ := GenerateX25519()
	bad := map[string]string{
		"":      "empty",
		"hello": "not an age",
		"age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t": "plugin",
		x[:len(x)-2] + "qq": "",
		"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY=": "not supported",
		"ssh-dss AAAAB3NzaC1kc3MAAACBAP":                                       "not supported",
		xID:                                                                    "private key",
		"-----BEGIN OPENSSH PRIVATE KEY-----":                                  "private key",
	}
	for in, want := range bad {
		_, _, err := ParseRecipient(in)
		if err == nil {
			t.Errorf("%q accepted", in)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want it to say %q", in, err, want)
		}
		if strings.Contains(err.Error(), "AGE-SECRET-KEY") {
			t.Errorf("error quotes a private key: %v", err)
		}
	}
}

func TestParseRecipientsFile(t *testing.T) {
	_, x := GenerateX25519()
	_, ed := sshKeys(t, "ed25519")
	f := "# Centre for second opinions\n\n" + x + "\r\n   # another\n" + ed + "\n"
	recs, kinds, err := ParseRecipientsFile(strings.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || kinds[0] != KindX25519 || kinds[1] != KindSSHEd25519 {
		t.Fatalf("got %d recipients, kinds %v", len(recs), kinds)
	}
	_, _, err = ParseRecipientsFile(strings.NewReader(x + "\nnonsense\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: %v", err)
	}
	if _, _, err := ParseRecipientsFile(strings.NewReader("# nothing\n")); err == nil {
		t.Error("empty recipients file accepted")
	}
}

// protectedKey is a throwaway ed25519 key protected by the passphrase
// "secret" (ssh-keygen -t ed25519 -N secret).
const protectedKey = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABDRY5olxk
szoF5Af4JmsFvZAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAINTclIFHwT6CJizz
HDBwmk2yJH/1rP0fgCHJAajRpU9wAAAAkGdqZ/6S0c1e19Z/ItFdFkx/wXELgc2HT1kRkz
saXy5oc/Wy7xFHIY0gX8y2mpKUdJHvYHX8mPqpeNERp7OMKuWytv9k7d0Y3dOh4AEYNmM6
VgCaatqBgOMUvzisJhOgDUskONQt1CCrl2s9BAvbf9YlTEC+DgrOu5B2umu2cHqG1toFon
x7AhqiJlXqwFA0dQ==
-----END OPENSSH PRIVATE KEY-----
`

func TestParseIdentitiesErrors(t *testing.T) {
	_, err := ParseIdentities(strings.NewReader(protectedKey))
	if !errors.Is(err, ErrSSHKeyProtected) {
		t.Errorf("protected SSH key: %v", err)
	}
	for _, in := range []string{"", "# only a comment\n", "AGE-SECRET-KEY-1NOTAKEY\n", "age1notanidentity\n"} {
		if _, err := ParseIdentities(strings.NewReader(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
