package deid

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"dossier/packager/doctext"
	"dossier/packager/identity"
)

// RedactDOCX writes to dst the Word document src with its hidden parts
// cleaned (StripOOXML: comments, properties, tracked changes, hidden text
// go) and every spelling m finds in the text of its body, headers,
// footers and notes replaced by "[label]". A spelling split over several
// runs (w:t) is replaced in the first and removed from the others, so the
// runs are merged where it was. The copy is read back: if its text still
// names the patient it fails with errSpellingLeft. It returns the places
// replaced by kind of identity.
func RedactDOCX(ctx context.Context, dst io.Writer, src io.ReaderAt, size int64, m *identity.Matcher, label string) ([]Redaction, error) {
	var clean bytes.Buffer
	if err := StripOOXML(&clean, src, size); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(clean.Bytes()), int64(clean.Len()))
	if err != nil {
		return nil, fmt.Errorf("cannot read this document: %w", err)
	}
	kinds := map[string]int{}
	var out bytes.Buffer
	err = rewriteZip(&out, zr, func(name string, data []byte) ([]byte, bool, error) {
		if !wordContentPart(name) {
			return data, true, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		root, err := parseXML(data)
		if err != nil {
			return nil, false, fmt.Errorf("cannot read %s: %w", name, err)
		}
		changed := false
		root.walk(func(n *xnode) {
			if n.local() == "p" && redactParagraph(n, m, "["+label+"]", kinds) {
				changed = true
			}
		})
		if !changed {
			return data, true, nil
		}
		var b bytes.Buffer
		writeXML(&b, root)
		return b.Bytes(), true, nil
	})
	if err != nil {
		return nil, err
	}
	text, err := doctext.Extract(ctx, bytes.NewReader(out.Bytes()), int64(out.Len()), "docx", doctext.Options{})
	if err != nil && err != doctext.ErrNoText {
		return nil, fmt.Errorf("reading the redacted document back: %w", err)
	}
	if len(m.FindAll(text)) > 0 {
		return nil, errSpellingLeft
	}
	if _, err := dst.Write(out.Bytes()); err != nil {
		return nil, err
	}
	counts := make([]Redaction, 0, len(kinds))
	for k, n := range kinds {
		counts = append(counts, Redaction{Kind: k, Count: n})
	}
	sort.Slice(counts, func(i, j int) bool { return counts[i].Kind < counts[j].Kind })
	return counts, nil
}

// textRun is one w:t of a paragraph and where its text lies in the
// paragraph's text.
type textRun struct {
	n          *xnode
	start, end int
}

// redactParagraph replaces the spellings in one w:p; it reports whether it
// changed anything. Paragraphs nested in it (text boxes) are their own.
func redactParagraph(p *xnode, m *identity.Matcher, with string, kinds map[string]int) bool {
	var runs []textRun
	var b strings.Builder
	var collect func(n *xnode)
	collect = func(n *xnode) {
		for _, k := range n.kids {
			c, ok := k.(*xnode)
			if !ok {
				continue
			}
			switch c.local() {
			case "p":
				continue // a nested paragraph is walked on its own
			case "t":
				var s strings.Builder
				for _, kk := range c.kids {
					if cd, ok := kk.(xml.CharData); ok {
						s.Write(cd)
					}
				}
				runs = append(runs, textRun{n: c, start: b.Len(), end: b.Len() + s.Len()})
				b.WriteString(s.String())
			default:
				collect(c)
			}
		}
	}
	collect(p)
	text := b.String()
	spans := m.FindAll(text)
	// A run is also read on its own (readers that put a break between
	// runs see "J. Doe" in "for J. Doe" + "end", which joined runs on).
	alone := false
	for _, r := range runs {
		if own := m.FindAll(text[r.start:r.end]); len(own) > 0 {
			alone = true
			for _, s := range own {
				s.Start += r.start
				s.End += r.start
				if !covered(spans, s) {
					spans = append(spans, s)
				}
			}
		}
	}
	if len(spans) == 0 {
		return false
	}
	if alone {
		sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	}
	for _, s := range spans {
		kinds[string(s.Kind)]++
	}
	ranges := identity.Merge(spans)
	for _, r := range runs {
		var nb strings.Builder
		at := r.start
		for _, g := range ranges {
			if g[1] <= r.start || g[0] >= r.end {
				continue
			}
			lo, hi := max(g[0], r.start), min(g[1], r.end)
			nb.WriteString(text[at:lo])
			if g[0] >= r.start { // the spelling starts in this run
				nb.WriteString(with)
			}
			at = hi
		}
		if at == r.start {
			continue // untouched
		}
		nb.WriteString(text[at:r.end])
		r.n.kids = []any{xml.CharData(nb.String())}
		if r.n.attr("space") == "" {
			r.n.start.Attr = append(r.n.start.Attr, xml.Attr{Name: xml.Name{Space: "xml", Local: "space"}, Value: "preserve"})
		}
	}
	return true
}

// covered reports whether s lies within one of spans.
func covered(spans []identity.Span, s identity.Span) bool {
	for _, o := range spans {
		if o.Start <= s.Start && s.End <= o.End {
			return true
		}
	}
	return false
}
