package bundle

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"math/rand/v2"
	"slices"
	"testing"

	"dossier/packager/identity"
	"dossier/packager/leakscan"
)

// TestTeeLargeAndSmallWrites checks that the tee hashes, scans, counts and
// passes on the bytes of small writes (hashed and scanned where they are
// written) and of large ones (on another goroutine while they are written), in
// any mix, exactly as one pass over the whole would: the same SHA-256 and
// SHA-1, the same hits at the same offsets (a name across the seam of two
// writes included), the same first bytes kept.
func TestTeeLargeAndSmallWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 9<<20+12345)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	name := "Zanzibar-Quixote"
	needles := []identity.Needle{{Text: name, Kind: identity.Name, Source: "test"}}
	for _, off := range []int{10, 1<<20 - 5, 3<<20 + 100, 5<<20 - 3, len(data) - len(name)} {
		copy(data[off:], name)
	}
	want := leakscan.New(needles)
	var st leakscan.State
	wantHits := want.Feed(&st, "x", data, nil)
	if len(wantHits) != 5 {
		t.Fatalf("one pass found %d hits, want 5", len(wantHits))
	}
	wantSHA256, wantSHA1 := sha256.Sum256(data), sha1.Sum(data)

	sizes := [][]int{
		{4 << 20},                          // large writes only
		{1000, 300 << 10, 17},              // small writes only
		{5, 4 << 20, 70 << 10, 2 << 20, 1}, // a mix
	}
	for _, pattern := range sizes {
		var out bytes.Buffer
		tt := newTee(&out, true, leakscan.New(needles), "x", 1<<20+7)
		for off, i := 0, 0; off < len(data); i++ {
			n := min(pattern[i%len(pattern)], len(data)-off)
			chunk := slices.Clone(data[off : off+n])
			if k, err := tt.Write(chunk); k != n || err != nil {
				t.Fatalf("%v: Write = %d, %v", pattern, k, err)
			}
			clear(chunk) // the caller reuses its buffer once Write returns
			off += n
		}
		hits := tt.finish()
		if !bytes.Equal(out.Bytes(), data) {
			t.Errorf("%v: the bytes passed on differ", pattern)
		}
		if tt.n != int64(len(data)) || !bytes.Equal(tt.prefix, data[:1<<20+7]) {
			t.Errorf("%v: counted %d bytes and kept %d, want %d and %d", pattern, tt.n, len(tt.prefix), len(data), 1<<20+7)
		}
		if got := tt.sha256.Sum(nil); !bytes.Equal(got, wantSHA256[:]) {
			t.Errorf("%v: SHA-256 differs", pattern)
		}
		if got := tt.sha1.Sum(nil); !bytes.Equal(got, wantSHA1[:]) {
			t.Errorf("%v: SHA-1 differs", pattern)
		}
		if !slices.Equal(hits, wantHits) {
			t.Errorf("%v: hits %v, want %v", pattern, hits, wantHits)
		}
	}
}
