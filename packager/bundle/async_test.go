package bundle

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"testing"
)

// TestChunkWriters: asyncWriter (through its chunkQueue) and tee pass every
// byte on, in order, across chunk boundaries; asyncWriter reports its
// writer's error.
func TestChunkWriters(t *testing.T) {
	data := make([]byte, 3<<20+12345)
	rand.New(rand.NewSource(1)).Read(data)
	var out bytes.Buffer
	a := newAsyncWriter(&out)
	var copied bytes.Buffer
	tw := newTee(&copied, true, nil, "x", 100)
	for rest := data; len(rest) > 0; {
		k := min(len(rest), 1+len(rest)%700001)
		if _, err := a.Write(rest[:k]); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(rest[:k]); err != nil {
			t.Fatal(err)
		}
		rest = rest[k:]
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	tw.finish()
	if !bytes.Equal(out.Bytes(), data) || !bytes.Equal(copied.Bytes(), data) {
		t.Fatal("bytes differ")
	}
	want := newTee(io.Discard, false, nil, "y", 0)
	want.Write(data)
	want.finish()
	if !bytes.Equal(tw.sha256.Sum(nil), want.sha256.Sum(nil)) || tw.n != int64(len(data)) || !bytes.Equal(tw.prefix, data[:100]) {
		t.Fatal("tee's hash, count or prefix")
	}
	boom := errors.New("boom")
	b := newAsyncWriter(failWriter{boom})
	b.Write(make([]byte, 3<<20))
	if err := b.Close(); !errors.Is(err, boom) {
		t.Fatalf("Close = %v", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }
