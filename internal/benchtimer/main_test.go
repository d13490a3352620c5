//go:build linux

package main

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	s := []sample{{wall: 3 * time.Second, rss: 10}, {wall: time.Second, rss: 30}, {wall: 2 * time.Second, rss: 20}}
	if medianWall(s) != 2 || peakRSS(s) != 30 {
		t.Errorf("medianWall %v, peakRSS %v", medianWall(s), peakRSS(s))
	}
}

// A missed target fails only at full scale; a figure not measured fails always.
func TestVerdicts(t *testing.T) {
	b := &bench{enforce: false, out: new(strings.Builder)}
	b.add(check{what: "scan", value: 1.2, unit: "×", limit: 0.8})
	if b.failed() {
		t.Error("small scale failed on a missed target")
	}
	if l := b.checks[0].line(false); !strings.Contains(l, "1.20×") || !strings.Contains(l, "≤ 0.80×") || !strings.Contains(l, "not enforced") {
		t.Errorf("line %q", l)
	}
	b.enforce = true
	if !b.failed() || !strings.Contains(b.checks[0].line(true), "MISSED") {
		t.Error("full scale passed a missed target")
	}
	b = &bench{enforce: false, out: new(strings.Builder)}
	b.add(check{what: "pack", failed: "tar | age failed"})
	if !b.failed() {
		t.Error("a figure not measured passed")
	}
}

// xwdColours reads an XWD picture: a flat window is one colour, a drawn one many.
func TestXWDColours(t *testing.T) {
	pic := func(pixels []uint32) []byte {
		h := make([]byte, 100+12*2) // header and two colormap entries
		put := func(i int, v uint32) { binary.BigEndian.PutUint32(h[4*i:], v) }
		put(0, 100)
		put(11, 32)
		put(19, 2)
		for _, p := range pixels {
			h = binary.LittleEndian.AppendUint32(h, p)
		}
		return h
	}
	if n, err := xwdColours(pic([]uint32{5, 5, 5, 5}), 16); err != nil || n != 1 {
		t.Errorf("flat: %d, %v", n, err)
	}
	var many []uint32
	for i := range 40 {
		many = append(many, uint32(i*1000))
	}
	if n, err := xwdColours(pic(many), 16); err != nil || n != 16 {
		t.Errorf("drawn: %d, %v", n, err)
	}
	if _, err := xwdColours([]byte("short"), 16); err == nil {
		t.Error("a short picture read")
	}
}

// TestCountItems: scan --json's items are counted without holding them, whatever comes around them.
func TestCountItems(t *testing.T) {
	for in, want := range map[string]int{
		`{"items":[]}`: 0,
		`{"version":1,"items":[{"a":[1,2]},{"b":"}"}],"x":{}}`: 2,
		`{"x":{"items":[1]},"items":[1,2,3]}`:                  3,
	} {
		if n, err := countItems(json.NewDecoder(strings.NewReader(in))); err != nil || n != want {
			t.Errorf("%s: %d, %v; want %d", in, n, err, want)
		}
	}
	for _, in := range []string{`[]`, `{"x":1}`, `{"items":{}}`, `{"items":[1,}`} {
		if _, err := countItems(json.NewDecoder(strings.NewReader(in))); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

// TestInheritedPeak: a run whose figure is no larger than the bench's own peak is not taken as its own.
func TestInheritedPeak(t *testing.T) {
	if why := inherited([]sample{{rss: 50 << 20, own: 20 << 20}}); why != "" {
		t.Errorf("a figure above the bench's own: %s", why)
	}
	if inherited([]sample{{rss: 50 << 20, own: 20 << 20}, {rss: 90 << 20, own: 99 << 20}}) == "" {
		t.Error("a figure below the bench's own peak was taken as the command's")
	}
}
