package envelope

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"filippo.io/age"
)

// The read-back identity opens what its recipient wrote, without scrypt,
// and nothing else: not another bundle to the same passphrase, not a
// changed header; the passphrase itself still opens the bundle.
func TestPassphrasePairOpensOnlyItsOwnBundle(t *testing.T) {
	defer func(w int) { ScryptWorkFactor = w }(ScryptWorkFactor)
	ScryptWorkFactor = 10
	const pass = "correct horse battery staple moon river"
	seal := func(r age.Recipient) []byte {
		var b bytes.Buffer
		w, err := Encrypt(&b, r)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "the records")
		w.Close()
		return b.Bytes()
	}
	open := func(data []byte, id age.Identity) (string, error) {
		r, err := Decrypt(bytes.NewReader(data), id)
		if err != nil {
			return "", err
		}
		b, err := io.ReadAll(r)
		return string(b), err
	}
	r, id, err := PassphrasePair(pass)
	if err != nil {
		t.Fatal(err)
	}
	mine := seal(r)
	if got, err := open(mine, id); err != nil || got != "the records" {
		t.Fatalf("read-back: %q, %v", got, err)
	}
	byPass, _ := PassphraseIdentity(pass)
	if got, err := open(mine, byPass); err != nil || got != "the records" {
		t.Fatalf("by passphrase: %q, %v", got, err)
	}
	other, _ := PassphraseRecipient(pass)
	if _, err := open(seal(other), id); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("another bundle to the same passphrase: %v", err)
	}
	changed := bytes.Clone(mine)
	i := bytes.Index(changed, []byte("-> scrypt ")) + len("-> scrypt ")
	changed[i] ^= 1 // the salt
	if _, err := open(changed, id); err == nil {
		t.Fatal("a changed header opened")
	}
}
