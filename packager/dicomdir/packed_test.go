package dicomdir

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

// A packed UID reads back as it was, and two compare as equal exactly when
// they are the same UID.
func TestPackedUIDs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	uids := []string{"1", "12", "1.2", "1.20", "1.2.0", "10.2", "2.25.0", "2.25.00",
		"1.2.840.10008.5.1.4.1.1.2", strings.Repeat("9", 64), "1." + strings.Repeat("0", 62)}
	for range 300 {
		var sb strings.Builder
		for sb.Len() < 1+r.IntN(64) {
			if sb.Len() > 0 && r.IntN(4) == 0 {
				sb.WriteByte('.')
			}
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
		if u := sb.String(); len(u) <= 64 {
			uids = append(uids, u, u) // some twice: equal ones must compare equal
		}
	}
	b, err := NewBuilder("")
	if err != nil {
		t.Fatal(err)
	}
	leaves := make([]leaf, len(uids))
	for i, u := range uids {
		if err := b.keepUID(&leaves[i], u); err != nil {
			t.Fatal(err)
		}
	}
	for i, u := range uids {
		if got := b.sopInstance(&leaves[i]); got != u {
			t.Fatalf("%q read back as %q", u, got)
		}
		for j, v := range uids {
			if c := b.compareUIDs(&leaves[i], &leaves[j]); (c == 0) != (u == v) || c != -b.compareUIDs(&leaves[j], &leaves[i]) && (c < 0) == (b.compareUIDs(&leaves[j], &leaves[i]) < 0) {
				t.Fatalf("%q and %q compare as %d", u, v, c)
			}
		}
	}
	if n := unsafe.Sizeof(leaf{}); n > 40 {
		t.Errorf("a leaf is %d bytes, more than 40", n)
	}
}
