package deid

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/identity"
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
	Included bool        `json:"included,omitempty"`
	Warnings []i18n.Text `json:"warnings,omitempty"`
	// Redacted says what was masked in a picture (kinds and counts).
	Redacted []Redaction `json:"redacted,omitempty"`
}

// Result is what WriteTree did.
type Result struct {
	Privacy privacy.Level `json:"privacy"`
	Written []Written     `json:"written"`
	LeftOut []Decision    `json:"leftOut"`
}

// LeakError is returned when the leak scan finds the case's identity in
// a file Dossier makes itself (an index, the cover summary), which cannot
// be left out like a record. Nothing is left in the output folder.
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

// Hold turns the decision for an item whose written copy the leak scan
// found identity in into a Held one: left out, with the places and kinds
// found and what the user can do.
func Hold(d Decision, hits []leakscan.Hit) Decision {
	d.Action, d.Included, d.Name = Held, false, ""
	d.Leaks = leaksOf(hits)
	d.Reason = heldReason(d.Leaks)
	return d
}

// leaksOf turns hits into leaks, one per place, kind and source. A hit in
// the raw bytes is left out when a layer of the file placed the same kind
// and source more closely.
func leaksOf(hits []leakscan.Hit) []Leak {
	type ks struct {
		kind   identity.Kind
		source string
	}
	placed := map[ks]bool{}
	for _, h := range hits {
		if h.Place != "" {
			placed[ks{h.Kind, h.Source}] = true
		}
	}
	seen := map[Leak]bool{}
	var out []Leak
	for _, h := range hits {
		if h.Place == "" && placed[ks{h.Kind, h.Source}] {
			continue
		}
		l := Leak{Place: h.Place, Kind: h.Kind, Source: h.Source}
		if l.Place == "" {
			l.Place = placeData
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// The places of a leak when the layer it was found in says no more.
var (
	placeData = i18n.Msg("the file's data")
	placeText = i18n.Msg("the document's text")
)

// heldReason says why an item was held back and what the user can do.
func heldReason(leaks []Leak) i18n.Text {
	var ks, places []string
	seenK, seenP := map[string]bool{}, map[string]bool{}
	for _, l := range leaks {
		k := kindNames[l.Kind]
		if k == "" {
			k = string(l.Kind)
		}
		if !seenK[k] {
			seenK[k] = true
			ks = append(ks, k)
		}
		if !seenP[l.Place] && len(places) < 4 {
			seenP[l.Place] = true
			places = append(places, l.Place)
		}
	}
	sort.Strings(ks)
	return i18n.NewText(i18n.Msg("held back: the check of the cleaned copy found the patient's %s in %s, so this file was left out and the rest was sent. You can black out those details (or ask the hospital for a copy without them) and add the file again, or send it with your name"), i18n.List(ks), placeParts(places))
}

// placeParts are the places of leaks, each a message or a place as it is.
func placeParts(places []string) i18n.Parts {
	out := make(i18n.Parts, len(places))
	for i, p := range places {
		out[i] = i18n.NewText(p)
	}
	return out
}

// TreeOptions adjust WriteTree.
type TreeOptions struct {
	Intake intake.Options
	// Progress, if set, is called after each item with the count done.
	Progress func(done, total int)
	// Scanner, when set, is the leak scanner of the inventory's identity
	// (the one given to Plan, so that it is built once); nil makes one.
	Scanner *leakscan.Scanner
	// NoChecksums leaves Written.SHA256 empty, for a caller that shows no
	// checksums: hashing every byte written costs as much as the rest of
	// the work on a series of large images.
	NoChecksums bool
}

// WriteTree writes every decision that writes into dir under its normalised
// name. It works in a private staging folder inside dir, scans every byte it
// writes (and the text of written documents) for the case's identity, and
// moves the files into place only when everything was written and synced to
// disk (then the folders of the tree are synced too); on any failure or
// cancellation nothing is left in dir. A DICOM file planned with
// Options.CheckDICOMOnWrite that the de-identifier refuses is left out (in
// LeftOut, as Exclude with the reason Plan would have given). A file the
// scan finds identity in is held back (left out, listed in LeftOut as Held
// with where and what was found) and the rest goes on. Items the user
// included despite a review are scanned too; what is found in them is
// reported as a warning: it was the user's choice.
func WriteTree(ctx context.Context, dir string, inv *intake.Inventory, ds []Decision, p privacy.Params, opts TreeOptions) (res *Result, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the output folder: %w", err)
	}
	var scanner *leakscan.Scanner
	if p.Level != privacy.Identified && inv.Identity != nil {
		scanner = opts.Scanner
		if scanner == nil {
			scanner = leakscan.New(inv.Identity.Needles())
		}
		p = WithIdentity(p, inv)
	}
	res = &Result{Privacy: p.Level, Written: []Written{}, LeftOut: []Decision{}}
	var todo []Decision
	for _, d := range ds {
		if d.Writes() {
			names := []string{d.Name}
			if MultiFile(d.Item) {
				names = append(names, strings.TrimSuffix(d.Name, filepath.Ext(d.Name))) // its folder
			}
			for _, n := range names {
				if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(n))); err == nil {
					return nil, fmt.Errorf("the output folder already holds %s: choose an empty folder", n)
				}
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
	st := newStager(!opts.NoChecksums)
	defer st.finish() // after the workers, before the staging folder is removed
	// The items are written by a few workers at once (each file is read,
	// transformed, hashed, scanned and written on its own), and their
	// outcomes taken in order here, as if written one after the other.
	ctx, cancel := context.WithCancel(ctx)
	outs := make([]treeOutcome, len(todo))
	for i := range outs {
		outs[i].done = make(chan struct{})
	}
	next := make(chan int)
	var wg sync.WaitGroup
	defer wg.Wait() // before the staging folder is removed
	defer cancel()
	for range min(treeWorkers(), len(todo)) {
		wg.Go(func() {
			for i := range next {
				o, d := &outs[i], todo[i]
				if MultiFile(d.Item) {
					o.ws, o.hits, o.err = writeParts(ctx, st, stage, d, p, scanner)
				} else {
					var w Written
					w, o.hits, o.left, o.err = writeOne(ctx, st, stage, d, p, scanner, opts.Intake)
					o.ws = []Written{w}
				}
				close(o.done)
			}
		})
	}
	go func() {
		defer close(next)
		for i := range todo {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var heldBack []Written // files removed once synced
	var gone []string      // names of files left out after they were begun
	for i, d := range todo {
		o := &outs[i]
		select {
		case <-o.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		ws, hits := o.ws, o.hits
		if o.err != nil {
			return nil, fmt.Errorf("%s: %w", d.Path, o.err)
		}
		switch {
		case !o.left.IsZero():
			// Refused by the de-identifier when written (CheckDICOMOnWrite).
			gone = append(gone, d.Name)
			d.Action, d.Reason, d.Name, d.checkOnWrite = Exclude, o.left, "", false
			res.LeftOut = append(res.LeftOut, d)
		case d.Included:
			ws[0].Warnings = append(ws[0].Warnings, IncludedWarnings(hits)...)
			res.Written = append(res.Written, ws...)
		case len(hits) > 0:
			// The safety net: this item is held back, the rest goes on.
			heldBack = append(heldBack, ws...)
			res.LeftOut = append(res.LeftOut, Hold(d, hits))
		default:
			res.Written = append(res.Written, ws...)
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(todo))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Every file is on disk before any gets its name in dir.
	if err := st.finish(); err != nil {
		return nil, fmt.Errorf("writing to disk: %w", err)
	}
	for _, w := range heldBack {
		if err := os.Remove(filepath.Join(stage, filepath.FromSlash(w.Name))); err != nil {
			return nil, fmt.Errorf("removing a held-back file: %w", err)
		}
		gone = append(gone, w.Name)
	}
	for _, name := range gone {
		pruneEmpty(stage, name)
	}
	// A folder of the tree that dir does not have yet (DICOM, SLIDES...)
	// moves whole: one rename for a series instead of one for each file.
	moved := map[string]bool{}
	for _, w := range res.Written {
		top, _, nested := strings.Cut(w.Name, "/")
		if !nested || moved[top] {
			continue
		}
		if _, err := os.Lstat(filepath.Join(dir, top)); !errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := os.Rename(filepath.Join(stage, top), filepath.Join(dir, top)); err != nil {
			return nil, fmt.Errorf("moving %s into place: %w", top, err)
		}
		moved[top] = true
	}
	folders := newFolders(dir)
	for _, w := range res.Written {
		final := filepath.Join(dir, filepath.FromSlash(w.Name))
		if top, _, _ := strings.Cut(w.Name, "/"); moved[top] {
			folders.add(filepath.Dir(final))
			continue
		}
		if err := folders.make(filepath.Dir(final)); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(stage, filepath.FromSlash(w.Name)), final); err != nil {
			return nil, fmt.Errorf("moving %s into place: %w", w.Name, err)
		}
	}
	os.RemoveAll(stage)
	if err := folders.sync(); err != nil {
		return nil, fmt.Errorf("writing to disk: %w", err)
	}
	return res, nil
}

// pruneEmpty removes the folders of name (a path under stage) that are left
// empty, from the deepest up, so that a folder moved whole carries no empty
// folder of a file left out.
func pruneEmpty(stage, name string) {
	for d := filepath.Dir(filepath.FromSlash(name)); d != "." && d != string(filepath.Separator); d = filepath.Dir(d) {
		if os.Remove(filepath.Join(stage, d)) != nil {
			return // not empty
		}
	}
}

// treeOutcome is what writing one item of WriteTree gave; done is closed
// when it is known. left is the reason to leave out a file the
// de-identifier refused when written (CheckDICOMOnWrite).
type treeOutcome struct {
	ws   []Written
	hits []leakscan.Hit
	left i18n.Text
	err  error
	done chan struct{}
}

// treeWorkers is how many items WriteTree writes at once: one per core.
func treeWorkers() int { return max(1, min(runtime.NumCPU(), 4)) }

// writeOne writes one item into the staging folder, hashing and scanning
// the bytes on their way to disk, then scanning the text of documents. For
// a decision planned with CheckDICOMOnWrite, a file that cannot be opened
// again or that the de-identifier refuses before writing a byte gives the
// reason to leave it out instead of an error.
func writeOne(ctx context.Context, st *stager, stage string, d Decision, p privacy.Params, sc *leakscan.Scanner, opts intake.Options) (Written, []leakscan.Hit, i18n.Text, error) {
	w := Written{Path: d.Path, Name: d.Name, Action: d.Action, Included: d.Included, Redacted: RedactedOf(d)}
	if d.Warning != "" {
		w.Warnings = append(w.Warnings, i18n.NewText(d.Warning))
	}
	if d.Action == Review {
		w.Action = Transform
	}
	write := func(out io.Writer) error { return Write(ctx, out, d, p, opts) }
	if d.checkOnWrite {
		f, err := intake.Open(d.Item, opts)
		if err != nil {
			return w, nil, reopenReason(err), nil
		}
		defer f.Close()
		write = func(out io.Writer) error { return writeFile(ctx, out, f, d, p) }
	}
	dst := filepath.Join(stage, filepath.FromSlash(d.Name))
	sf, err := st.write(dst, d.Name, sc, write)
	if err != nil {
		if d.checkOnWrite && !sf.started && ctx.Err() == nil {
			return w, nil, refusedReason(err), nil
		}
		return w, nil, i18n.Text{}, err
	}
	w.Bytes, w.SHA256 = sf.n, sf.sum
	hits := sf.hits
	w.Redacted = RedactedOf(d) // known once written (a redacted PDF)
	if sc != nil {
		if d.redact != nil && d.redact.written != nil {
			// A redacted PDF written as Plan made it: the text of those
			// bytes was read back then, every page of it.
			if text := strings.TrimSpace(*d.redact.written); text != "" {
				hits = append(hits, sc.Text(d.Name, placeText, text)...)
			}
		} else if text, ok := writtenText(ctx, dst, d.Item.Format); ok {
			hits = append(hits, sc.Text(d.Name, placeText, text)...)
		}
		format := LayerFormat(d.Item)
		if d.Convert {
			format = "jpeg" // a HEIC photo written as a JPEG
		}
		if format != "" {
			// Read from what was kept of the file's start, and from the
			// file still open for the rest.
			more, _ := sc.Explain(ctx, d.Name, sf.reader(), w.Bytes, format)
			hits = append(hits, more...)
		}
	}
	st.sync(sf.f)
	return w, hits, i18n.Text{}, nil
}

// writeParts writes the files of a MultiFile item into the staging folder,
// each hashed and scanned like the items written as one file.
func writeParts(ctx context.Context, st *stager, stage string, d Decision, p privacy.Params, sc *leakscan.Scanner) ([]Written, []leakscan.Hit, error) {
	parts, err := Parts(ctx, d, p)
	if err != nil {
		return nil, nil, err
	}
	var ws []Written
	var hits []leakscan.Hit
	for _, pt := range parts {
		w := Written{Path: pt.Source, Name: pt.Name, Action: d.Action, Included: d.Included}
		if d.Action == Review {
			w.Action = Transform
		}
		sf, err := st.write(filepath.Join(stage, filepath.FromSlash(pt.Name)), pt.Name, sc, func(out io.Writer) error { return pt.Write(ctx, out) })
		if err != nil {
			return nil, nil, err
		}
		st.sync(sf.f)
		w.Bytes, w.SHA256 = sf.n, sf.sum
		ws = append(ws, w)
		hits = append(hits, sf.hits...)
	}
	return ws, hits, nil
}

// LayerFormat returns the format whose layers the leak scan reads in an
// item's written copy (see leakscan.Explain), or "" for items read as raw
// bytes only (slides).
func LayerFormat(it *intake.Item) string {
	if it.Kind == intake.KindDICOM {
		return "dicom"
	}
	switch it.Format {
	case "pdf", "docx", "xlsx", "pptx", "odf", "rtf", "txt", "html", "jpeg", "png", "heic":
		return it.Format
	case "tiff":
		if it.Kind == intake.KindImage {
			return it.Format
		}
	}
	return ""
}

// writtenText extracts the text of a written document so that identity in
// compressed PDF or DOCX text is seen too.
func writtenText(ctx context.Context, path, format string) (string, bool) {
	switch format {
	case "pdf", "docx", "odf", "rtf":
	default:
		return "", false
	}
	text, err := doctext.ExtractFile(ctx, path, format, doctext.Options{})
	return text, err == nil
}

// IncludedWarnings says what the leak scan found in an item the user chose
// to include despite a review.
func IncludedWarnings(hits []leakscan.Hit) []i18n.Text {
	var out []i18n.Text
	for _, l := range leaksOf(hits) {
		k := kindNames[l.Kind]
		if k == "" {
			k = string(l.Kind)
		}
		out = append(out, i18n.NewText(i18n.Msg("contains the patient's %s (in %s; from %s); included by your choice"), k, l.Place, l.Source))
	}
	return out
}
