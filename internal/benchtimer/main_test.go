//go:build linux

package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
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

// A writing run is judged by the time until its output is on disk, for both sides; the ratio as
// the programs return is printed beside it, not judged.
func TestDiskRatio(t *testing.T) {
	b := &bench{enforce: true, out: new(strings.Builder)}
	ours := &contender{samples: []sample{{wall: 60 * time.Millisecond}, {wall: 70 * time.Millisecond, disk: time.Millisecond}, {wall: 80 * time.Millisecond}}}
	theirs := &contender{samples: []sample{{wall: 20 * time.Millisecond, disk: 40 * time.Millisecond}, {wall: 30 * time.Millisecond, disk: 40 * time.Millisecond}, {wall: 25 * time.Millisecond, disk: 50 * time.Millisecond}}}
	b.diskRatio("cine / cp", ours, theirs, 2)
	c := b.checks[0]
	if want := 71.0 / 70; c.value < want-1e-9 || c.value > want+1e-9 || !c.ok {
		t.Errorf("ratio %v (ok %v), want %v", c.value, c.ok, want)
	}
	l := c.line(true)
	if !strings.Contains(l, "cine / cp, on disk") || !strings.Contains(l, "2.80× as returned: 70 ms / 25 ms") || b.failed() {
		t.Errorf("line %q", l)
	}
	if d := describe(theirs.samples); !strings.Contains(d, "median 25 ms") || !strings.Contains(d, "on disk 70 ms") {
		t.Errorf("describe %q", d)
	}
}

// settle syncs what a run wrote and times it; a failed run's error passes through untouched.
func TestSettle(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "out"), make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := settle(sample{wall: time.Second}, nil, dir)
	if err != nil || s.wall != time.Second || s.disk <= 0 {
		t.Errorf("settle = %+v, %v", s, err)
	}
	failed := errors.New("the run failed")
	if _, err := settle(sample{}, failed, dir); err != failed {
		t.Errorf("settle passed %v, want the run's error", err)
	}
	if _, err := settle(sample{}, nil, filepath.Join(dir, "missing")); err == nil {
		t.Error("settle of a missing folder reported no error")
	}
}
