package envelope

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A missing, extra, swapped or renamed volume is named as such, and
// tampering is failed authentication, not a wrong key.
func TestVolumeProblemsAreNamed(t *testing.T) {
	idStr, recStr := GenerateX25519()
	rec, _, _ := ParseRecipient(recStr)
	ids, _ := ParseIdentities(strings.NewReader(idStr))
	seal := func() []byte {
		plain := make([]byte, 400_000)
		rand.Read(plain)
		var b bytes.Buffer
		w, _ := Encrypt(&b, rec)
		w.Write(plain)
		w.Close()
		return b.Bytes()
	}
	one, other := seal(), seal()
	read := func(dir string) error {
		rc, _, err := OpenVolumes(filepath.Join(dir, "b.age.001"))
		if err != nil {
			return err
		}
		defer rc.Close()
		r, err := Decrypt(rc, ids...)
		if err == nil {
			_, err = io.Copy(io.Discard, r)
		}
		return err
	}
	setup := func() string {
		dir := t.TempDir()
		writeVolumes(t, dir, "b.age", 100_000, one, 8192) // five volumes
		return dir
	}
	vol := func(dir string, n int) string { return filepath.Join(dir, VolumeName("b.age", n)) }
	cases := map[string]struct {
		change func(dir string)
		want   string
	}{
		"swapped": {func(dir string) {
			os.Rename(vol(dir, 2), filepath.Join(dir, "x"))
			os.Rename(vol(dir, 3), vol(dir, 2))
			os.Rename(filepath.Join(dir, "x"), vol(dir, 3))
		}, "volume b.age.002 does not fit after b.age.001: it was swapped"},
		"first swapped": {func(dir string) {
			os.Rename(vol(dir, 1), filepath.Join(dir, "x"))
			os.Rename(vol(dir, 2), vol(dir, 1))
			os.Rename(filepath.Join(dir, "x"), vol(dir, 2))
		}, "volume b.age.001 does not start this bundle"},
		"from another bundle": {func(dir string) {
			os.WriteFile(vol(dir, 3), other[200_000:300_000], 0o600)
		}, "volume b.age.003 does not fit after b.age.002"},
		"extra": {func(dir string) {
			os.WriteFile(vol(dir, 6), other[:1000], 0o600)
		}, "or it is the last volume and b.age.006 is extra"},
		"last missing": {func(dir string) {
			os.Remove(vol(dir, 5))
		}, "the bundle does not end properly in volume b.age.004, the last one found: a last volume is missing"},
		"tampered": {func(dir string) {
			b, _ := os.ReadFile(vol(dir, 4))
			b[500] ^= 1
			os.WriteFile(vol(dir, 4), b, 0o600)
		}, "volume b.age.004 does not fit after b.age.003"},
	}
	for name, c := range cases {
		dir := setup()
		c.change(dir)
		err := read(dir)
		if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", name, err)
		}
		if !strings.Contains(err.Error(), "fails authentication") {
			t.Errorf("%s: not called failed authentication: %v", name, err)
		}
	}
	// An unsplit bundle changed in its payload fails authentication.
	changed := bytes.Clone(one)
	changed[len(changed)/2] ^= 1
	if _, err := open(changed, ids...); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "fails authentication") {
		t.Errorf("tampered payload: %v", err)
	}
}
