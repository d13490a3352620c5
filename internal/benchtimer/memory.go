package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// maxRSS is the process's peak resident memory in bytes, from wait4's rusage.
func maxRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return ru.Maxrss // bytes there
	}
	return ru.Maxrss << 10 // kilobytes on Linux
}

// checkScan checks that dossier's JSON lists every file of the set.
func checkScan(path string, files int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// The items are counted one by one, not held: the bench's own peak memory would otherwise be
	// carried into the next command's figure (see sample.own).
	n, err := countItems(json.NewDecoder(bufio.NewReader(f)))
	if err != nil {
		return fmt.Errorf("scan --json: %w", err)
	}
	if n != files {
		return fmt.Errorf("scan --json listed %d items of %d files", n, files)
	}
	return nil
}

// countItems counts the elements of the top-level object's "items" array, decoding one at a time.
func countItems(d *json.Decoder) (int, error) {
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return 0, fmt.Errorf("not a JSON object (%v)", err)
	}
	n := -1
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return 0, err
		}
		if k != "items" {
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				return 0, err
			}
			continue
		}
		if t, err := d.Token(); err != nil || t != json.Delim('[') {
			return 0, fmt.Errorf("items is not a list (%v)", err)
		}
		for n = 0; d.More(); n++ {
			var item json.RawMessage
			if err := d.Decode(&item); err != nil {
				return 0, err
			}
		}
		if _, err := d.Token(); err != nil {
			return 0, err
		}
	}
	if n < 0 {
		return 0, errors.New("no items")
	}
	return n, nil
}

// peakRSS is the largest peak resident memory of the samples.
func peakRSS(s []sample) int64 {
	var m int64
	for _, x := range s {
		m = max(m, x.rss)
	}
	return m
}

// ownPeak is the bench's own peak resident memory in bytes so far.
func ownPeak() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return ru.Maxrss
	}
	return ru.Maxrss << 10
}

// memory records the peak resident memory of samples against at most limit MiB; a figure that may
// be the bench's own (see sample.own) is not measured.
func (b *bench) memory(what string, s []sample, limit float64) {
	rss := mib(peakRSS(s))
	c := check{what: what, value: rss, unit: "MiB", limit: limit, ok: rss <= limit}
	if why := inherited(s); why != "" {
		c.failed = why
	}
	b.add(c)
}

// inherited says why the peak memory of samples cannot be told from the bench's own, or "".
func inherited(s []sample) string {
	for _, x := range s {
		if x.rss > 0 && x.rss <= x.own {
			return fmt.Sprintf("the bench itself had peaked at %.1f MiB, and a run's figure (%.1f MiB) may be that", mib(x.own), mib(x.rss))
		}
	}
	return ""
}
