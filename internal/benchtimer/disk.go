//go:build linux

package main

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Dossier's writing commands return only once what they wrote is on disk: deidentify syncs each
// file and its folders before the output gets its name, and pack syncs its bundle and reads it back
// from the disk to check it. cp, gdcmanon and tar | age return as soon as their output is in the
// page cache, and the system writes it out later. Timed as they return, the comparison sets a
// durable write against a cached one. So, to compare like with like, each writing run (Dossier's
// and the baseline's alike) is followed by a timed syncfs of the file system that holds its output,
// before anything is removed: the figure judged against a target is the time until the output is on
// disk, and the time as the tools return is printed beside it.

// settle syncs the file system that holds path (syncfs) right after a timed run and records how
// long that took in s.disk. The interleaving syncs after every run, so what syncfs writes is the run's
// own output. An error of the run is passed through untouched.
func settle(s sample, err error, path string) (sample, error) {
	if err != nil {
		return s, err
	}
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return s, fmt.Errorf("syncing the output: %w", err)
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return s, fmt.Errorf("syncing the output: %w", err)
	}
	s.disk = time.Since(start)
	return s, nil
}

// medianOnDisk is the median time until the output was on disk (wall plus the settle's sync).
func medianOnDisk(s []sample) float64 {
	return medianOf(s, func(x sample) time.Duration { return x.wall + x.disk })
}

// diskRatio records dossier's median time until its output is on disk over the baseline's, against
// at most limit, with the ratio of the times as the programs return beside it.
func (b *bench) diskRatio(what string, ours, theirs *contender, limit float64) {
	o, t := medianOnDisk(ours.samples), medianOnDisk(theirs.samples)
	r := o / t
	ro, rt := medianWall(ours.samples), medianWall(theirs.samples)
	b.add(check{what: what + ", on disk", value: r, unit: "×", limit: limit, ok: r <= limit,
		detail: fmt.Sprintf("%s / %s", seconds(o), seconds(t)),
		beside: fmt.Sprintf("%.2f× as returned: %s / %s", ro/rt, seconds(ro), seconds(rt))})
}
