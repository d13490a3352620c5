package deid

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

// Written is one file WriteTree wrote.
type Written struct {
	Path   string `json:"path"` // the original
	Name   string `json:"name"` // its path in the output tree
	Action Action `json:"action"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	// Included is set when the user chose to include an item that needed
	// review; Warnings then says what the leak scan found in it.
	Included bool     `json:"included,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Result is what WriteTree did.
type Result struct {
	Privacy privacy.Level `json:"privacy"`
	Written []Written     `json:"written"`
	LeftOut []Decision    `json:"leftOut"`
}

// LeakError is returned when the leak scan finds the case's identity in
// what was written. Nothing is left in the output folder.
type LeakError struct {
	Hits []leakscan.Hit
}

func (e *LeakError) Error() string {
	var where []string
	for i, h := range e.Hits {
		if i == 5 {
			where = append(where, fmt.Sprintf("and %d more", len(e.Hits)-5))
			break
		}
		where = append(where, h.String())
	}
	return "the leak scan found the patient's identity in what was written, so nothing was kept: " + strings.Join(where, "; ")
}

// TreeOptions adjust WriteTree.
type TreeOptions struct {
	Intake intake.Options
	// Progress, if set, is called after each item with the count done.
	Progress func(done, total int)
}

// WriteTree writes every decision that writes into dir under its normalised
// name. It works in a private staging folder inside dir, scans every byte it
// writes (and the text of written documents) for the case's identity, and
// moves the files into place only when everything was written and nothing
// leaked; on any failure, cancellation or leak, nothing is left in dir.
// Items the user included despite a review are scanned too; what is found
// in them is reported as a warning, not a failure: it was the user's choice.
func WriteTree(ctx context.Context, dir string, inv *intake.Inventory, ds []Decision, p privacy.Params, opts TreeOptions) (res *Result, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the output folder: %w", err)
	}
	var scanner *leakscan.Scanner
	if p.Level != privacy.Identified && inv.Identity != nil {
		scanner = leakscan.New(inv.Identity.Needles())
		p = WithIdentity(p, inv)
	}
	res = &Result{Privacy: p.Level, Written: []Written{}, LeftOut: []Decision{}}
	var todo []Decision
	for _, d := range ds {
		if d.Writes() {
			if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(d.Name))); err == nil {
				return nil, fmt.Errorf("the output folder already holds %s: choose an empty folder", d.Name)
			}
			todo = append(todo, d)
		} else {
			res.LeftOut = append(res.LeftOut, d)
		}
	}
	stage, err := os.MkdirTemp(dir, ".dossier-partial-")
	if err != nil {
		return nil, fmt.Errorf("creating a staging folder: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(stage)
		}
	}()
	var leaks []leakscan.Hit
	for i, d := range todo {
		w, hits, err := writeOne(ctx, stage, d, p, scanner, opts.Intake)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Path, err)
		}
		if d.Included {
			for _, h := range hits {
				w.Warnings = append(w.Warnings, fmt.Sprintf("contains a %s (from %s); included by your choice", h.Kind, h.Source))
			}
		} else {
			leaks = append(leaks, hits...)
		}
		res.Written = append(res.Written, w)
		if opts.Progress != nil {
			opts.Progress(i+1, len(todo))
		}
	}
	if len(leaks) > 0 {
		return nil, &LeakError{Hits: leaks}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, w := range res.Written {
		final := filepath.Join(dir, filepath.FromSlash(w.Name))
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(stage, filepath.FromSlash(w.Name)), final); err != nil {
			return nil, fmt.Errorf("moving %s into place: %w", w.Name, err)
		}
	}
	os.RemoveAll(stage)
	return res, nil
}

// writeOne writes one item into the staging folder, hashing and scanning
// the bytes on their way to disk, then scanning the text of documents.
func writeOne(ctx context.Context, stage string, d Decision, p privacy.Params, sc *leakscan.Scanner, opts intake.Options) (Written, []leakscan.Hit, error) {
	w := Written{Path: d.Path, Name: d.Name, Action: d.Action, Included: d.Included}
	if d.Action == Review {
		w.Action = Transform
	}
	dst := filepath.Join(stage, filepath.FromSlash(d.Name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return w, nil, err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return w, nil, err
	}
	h := sha256.New()
	cw := &countWriter{w: f, h: h}
	var out io.Writer = cw
	var tap *leakscan.Tap
	if sc != nil {
		tap = sc.Writer(d.Name, cw)
		out = tap
	}
	err = Write(ctx, out, d, p, opts)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return w, nil, err
	}
	w.Bytes, w.SHA256 = cw.n, hex.EncodeToString(h.Sum(nil))
	var hits []leakscan.Hit
	if tap != nil {
		hits = append(hits, tap.Hits...)
		if text, ok := writtenText(ctx, dst, d.Item.Format); ok {
			hits = append(hits, sc.String(d.Name+" (text)", text)...)
		}
	}
	return w, hits, nil
}

// writtenText extracts the text of a written document so that identity in
// compressed PDF or DOCX text is seen too.
func writtenText(ctx context.Context, path, format string) (string, bool) {
	switch format {
	case "pdf", "docx":
	default:
		return "", false
	}
	text, err := doctext.ExtractFile(ctx, path, format, doctext.Options{})
	return text, err == nil
}

type countWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}
