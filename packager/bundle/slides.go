package bundle

import (
	"os"

	"dossier/packager/deid"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
)

// writeMRXS writes a MIRAX slide, its .mrxs file and its folder (the
// parts of deid.Parts: copies at the identified level, the de-identified
// copy at the private levels), each hashed and scanned like a record. A
// part the leak scan finds identity in holds the whole slide back.
func (p *packer) writeMRXS(s sink, d *deid.Decision) error {
	parts, err := deid.Parts(p.ctx, *d, p.opts.Params)
	if err != nil {
		return err
	}
	if p.scanner != nil {
		for _, pt := range parts {
			p.leaks = append(p.leaks, p.scanner.String("entry name", pt.Name)...)
		}
	}
	var hits []leakscan.Hit
	var entries []fileEntry
	for _, pt := range parts {
		w, err := s.create(pt.Name, false)
		if err != nil {
			return err
		}
		t := newTee(w, false, p.scanner, pt.Name, 0)
		werr := pt.Write(p.ctx, t)
		hits = append(hits, t.finish()...)
		if werr != nil {
			return werr
		}
		e := fileEntry{Name: pt.Name, Size: t.n, d: d, more: &fileMore{source: pt.Source}}
		t.sha256.Sum(e.sum[:0])
		if pt.Name == d.Name {
			// The .mrxs file stands for the slide in INDEX.HTM; the
			// folder's files are in the manifest only.
			e.Item, e.doc = d.Item, p.docOf(d.Item)
			e.doc.MIME = "application/octet-stream"
		}
		entries = append(entries, e)
	}
	if len(hits) > 0 && !d.Included {
		p.held[d.Path] = hits
		return nil
	}
	if d.Included && len(entries) > 0 {
		entries[0].more.warnings = deid.IncludedWarnings(hits)
	}
	p.files = append(p.files, entries...)
	p.done++
	p.bytes += itemBytes(d.Item)
	if p.opts.Progress != nil {
		p.opts.Progress(Progress{Done: p.done, Total: len(p.todo), Bytes: p.bytes, TotalBytes: p.totalBytes, Current: d.Name})
	}
	return nil
}

// itemBytes is how many bytes an item's original holds, for the progress:
// a MIRAX slide's .mrxs file is small, its folder's data files are not.
func itemBytes(it *intake.Item) int64 {
	if !deid.MultiFile(it) {
		return it.Size
	}
	n := int64(0)
	for _, f := range it.Slide.Files {
		if fi, err := os.Stat(f); err == nil {
			n += fi.Size()
		}
	}
	return n
}
