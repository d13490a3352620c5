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

type countingIdentity struct {
	id age.Identity
	n  *int
}

func (c countingIdentity) Unwrap(s []*age.Stanza) ([]byte, error) { *c.n++; return c.id.Unwrap(s) }

// DecryptAt reads split volumes by offset, and RememberKey makes the two
// readings of one bundle cost one unwrapping (one scrypt).
func TestDecryptAtAndRememberKey(t *testing.T) {
	defer func(w int) { ScryptWorkFactor = w }(ScryptWorkFactor)
	ScryptWorkFactor = 10
	const pass = "correct horse battery staple moon river"
	r, _ := PassphraseRecipient(pass)
	plain := make([]byte, 300_000)
	for i := range plain {
		plain[i] = byte(i * 31 >> 4)
	}
	var ct bytes.Buffer
	w, _ := Encrypt(&ct, r)
	w.Write(plain)
	w.Close()
	dir := t.TempDir()
	vw := writeVolumes(t, dir, "b.age", 70_000, ct.Bytes(), 4096)
	var paths []string
	for _, n := range vw.Names() {
		paths = append(paths, dir+"/"+n)
	}
	id, _ := PassphraseIdentity(pass)
	calls := 0
	ids := RememberKey(countingIdentity{id, &calls})
	ra, n, c, err := DecryptAt(paths, ids...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n != int64(len(plain)) {
		t.Fatalf("size %d", n)
	}
	got := make([]byte, 1000)
	if _, err := ra.ReadAt(got, 69_500); err != nil || !bytes.Equal(got, plain[69_500:70_500]) {
		t.Fatalf("ReadAt across volumes: %v", err)
	}
	rc, _, _ := OpenVolumes(paths[0])
	defer rc.Close()
	pr, err := Decrypt(rc, ids...)
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(pr)
	if err != nil || !bytes.Equal(all, plain) {
		t.Fatalf("stream: %v", err)
	}
	if calls != 1 {
		t.Errorf("the passphrase was unwrapped %d times", calls)
	}
}
