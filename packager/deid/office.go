package deid

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"dossier/packager/i18n"
)

// maxOfficePart bounds the bytes read from one part of an office document.
const maxOfficePart = 256 << 20

// ErrDamagedDocument is returned when an office document's parts cannot be
// read well enough to clean them.
var ErrDamagedDocument = errors.New(i18n.Msg("the document's structure is damaged"))

// ooxmlProperties are the parts of an Office document that name its author,
// editors, company and dates; they are replaced by empty property sets.
var ooxmlProperties = map[string]string{
	"docProps/core.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>`,
	"docProps/app.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>`,
	"docProps/custom.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>`,
}

// ooxmlDropped reports whether a part is left out of a cleaned Office
// document: comments and the people who wrote them (in Word, Excel and
// PowerPoint files), custom XML data (often a copy of the record the letter
// was made from) and the picture of the first page.
func ooxmlDropped(name string) bool {
	base := path.Base(name)
	switch {
	case strings.HasPrefix(name, "customXml/"):
		return true
	case strings.HasPrefix(name, "docProps/thumbnail"):
		return true
	case path.Dir(name) == "word" && (strings.HasPrefix(base, "comments") || base == "people.xml"):
		return true
	case path.Dir(name) == "word/_rels" && (strings.HasPrefix(base, "comments") || base == "people.xml.rels"):
		return true
	// Spreadsheets: comments, threaded comments and the people who wrote them.
	case path.Dir(name) == "xl" && strings.HasPrefix(base, "comments"),
		strings.HasPrefix(name, "xl/threadedComments/"), strings.HasPrefix(name, "xl/persons/"):
		return true
	// Presentations: comments and their authors.
	case strings.HasPrefix(name, "ppt/comments/"), name == "ppt/commentAuthors.xml", name == "ppt/authors.xml":
		return true
	}
	return false
}

// wordHeaderFooter reports whether a part is a page header or footer.
func wordHeaderFooter(name string) bool {
	base := path.Base(name)
	return path.Dir(name) == "word" && (strings.HasPrefix(base, "header") || strings.HasPrefix(base, "footer")) && strings.HasSuffix(base, ".xml")
}

// wordContentPart reports whether a part holds WordprocessingML content
// (body, headers, footers, notes).
func wordContentPart(name string) bool {
	if path.Dir(name) != "word" && path.Dir(name) != "word/glossary" {
		return false
	}
	base := path.Base(name)
	for _, p := range []string{"document", "header", "footer", "footnotes", "endnotes"} {
		if strings.HasPrefix(base, p) && strings.HasSuffix(base, ".xml") {
			return true
		}
	}
	return false
}

// wordRemoved are WordprocessingML elements removed with their content:
// comment anchors and references, deleted and moved-away text of tracked
// changes, the former formatting kept by tracked formatting changes,
// editing permissions (which name users) and links to custom XML data.
var wordRemoved = map[string]bool{
	"commentRangeStart": true, "commentRangeEnd": true, "commentReference": true, "annotationRef": true,
	"del": true, "moveFrom": true, "moveFromRangeStart": true, "moveFromRangeEnd": true,
	"moveToRangeStart": true, "moveToRangeEnd": true,
	"rPrChange": true, "pPrChange": true, "sectPrChange": true, "tblPrChange": true, "tblPrExChange": true,
	"trPrChange": true, "tcPrChange": true, "tblGridChange": true, "numberingChange": true,
	"customXmlInsRangeStart": true, "customXmlInsRangeEnd": true, "customXmlDelRangeStart": true, "customXmlDelRangeEnd": true,
	"customXmlMoveFromRangeStart": true, "customXmlMoveFromRangeEnd": true, "customXmlMoveToRangeStart": true, "customXmlMoveToRangeEnd": true,
	"permStart": true, "permEnd": true, "dataBinding": true,
}

// wordUnwrapped are tracked insertions: accepting them keeps their content.
var wordUnwrapped = map[string]bool{"ins": true, "moveTo": true}

// wordSettingsRemoved are settings that name people or their files: the
// template's path, document variables and mail-merge data sources.
var wordSettingsRemoved = map[string]bool{"attachedTemplate": true, "docVars": true, "mailMerge": true}

// StripOOXML copies an Office Open XML document (DOCX, XLSX, PPTX) without
// what it hides besides its visible content: the property parts (author,
// last editor, company, dates, custom fields) are emptied; comments, the
// list of people, custom XML data and the first-page thumbnail are
// removed; in Word content, tracked changes are accepted (insertions kept,
// deletions and former formatting dropped), hidden text (w:vanish, directly
// or through a character or paragraph style) is removed, and pictures lose their
// alternative text, title and original name; page headers and footers are
// emptied. Notes are kept (their text, like the body's, is checked for the
// patient's identity when the export is planned).
//
// Office documents embedded in it (word/embeddings/*.docx, .xlsx, .pptx, a
// spreadsheet behind a chart, for instance) are cleaned the same way, up to
// three levels deep.
func StripOOXML(dst io.Writer, src io.ReaderAt, size int64) error {
	return stripOOXML(dst, src, size, 0)
}

// maxEmbedding is how deep documents embedded in documents are cleaned.
const maxEmbedding = 3

// embeddedOffice reports whether a part is an Office Open XML document
// embedded in another.
func embeddedOffice(name string) bool {
	if !strings.Contains(name, "/embeddings/") {
		return false
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm":
		return true
	}
	return false
}

func stripOOXML(dst io.Writer, src io.ReaderAt, size int64, depth int) error {
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return fmt.Errorf("cannot read this document: %w", err)
	}
	hidden := map[string]bool{}
	if f := zipFile(zr, "word/styles.xml"); f != nil {
		data, err := readZipFile(f)
		if err != nil {
			return err
		}
		if root, err := parseXML(data); err == nil {
			hidden = hiddenWordStyles(root)
		}
	}
	dropped := map[string]bool{}
	for _, f := range zr.File {
		if ooxmlDropped(strings.TrimPrefix(f.Name, "/")) {
			dropped[strings.TrimPrefix(f.Name, "/")] = true
		}
	}
	return rewriteZip(dst, zr, func(name string, data []byte) ([]byte, bool, error) {
		switch {
		case dropped[name]:
			return nil, false, nil
		case embeddedOffice(name):
			if depth >= maxEmbedding {
				return nil, false, nil // deeper than anyone nests: left out
			}
			var b bytes.Buffer
			if err := stripOOXML(&b, bytes.NewReader(data), int64(len(data)), depth+1); err != nil {
				return nil, false, err
			}
			return b.Bytes(), true, nil
		case ooxmlProperties[name] != "":
			return []byte(ooxmlProperties[name]), true, nil
		case name == "[Content_Types].xml":
			return filterXML(data, func(n *xnode) action {
				if n.local() == "Override" && dropped[strings.TrimPrefix(n.attr("PartName"), "/")] {
					return remove
				}
				return keep
			})
		case strings.HasSuffix(name, ".rels"):
			dir := relsSourceDir(name)
			return filterXML(data, func(n *xnode) action {
				if n.local() != "Relationship" {
					return keep
				}
				if strings.HasSuffix(n.attr("Type"), "/attachedTemplate") {
					return remove
				}
				if n.attr("TargetMode") == "External" {
					return keep
				}
				t := n.attr("Target")
				if strings.HasPrefix(t, "/") {
					t = strings.TrimPrefix(t, "/")
				} else {
					t = path.Join(dir, t)
				}
				if dropped[t] {
					return remove
				}
				return keep
			})
		case name == "word/settings.xml":
			return filterXML(data, func(n *xnode) action {
				if wordSettingsRemoved[n.local()] {
					return remove
				}
				return keep
			})
		case wordHeaderFooter(name):
			// Page headers and footers repeat the letterhead and, often,
			// the patient's label on every page: they are emptied.
			return filterXML(data, func(n *xnode) action {
				if n.local() == "hdr" || n.local() == "ftr" {
					n.kids = []any{&xnode{start: xml.StartElement{Name: xml.Name{Space: n.start.Name.Space, Local: "p"}}}}
					return keep
				}
				return keep
			})
		case wordContentPart(name):
			pictures := 0
			return filterXML(data, func(n *xnode) action {
				l := n.local()
				switch {
				case wordRemoved[l]:
					return remove
				case wordUnwrapped[l]:
					return unwrap
				case l == "r" && hiddenRun(n, hidden):
					return remove
				case l == "p" && hiddenParagraph(n, hidden):
					removeHiddenRuns(n, 0)
				case l == "docPr" || l == "cNvPr":
					pictures++
					n.dropAttrs("descr", "title")
					n.setAttr("name", fmt.Sprintf("Picture %d", pictures))
				}
				return keep
			})
		}
		return data, true, nil
	})
}

// relsSourceDir is the folder relationship targets in a .rels part are
// relative to: "word/_rels/document.xml.rels" -> "word".
func relsSourceDir(rels string) string {
	return path.Dir(path.Dir(rels))
}

// hiddenWordStyles returns the IDs of character styles that hide text.
//
// A style hides text when its run properties say vanish, or, without a
// vanish of its own, when the style it is based on hides text. Character
// and paragraph styles are both listed (a paragraph style's run properties
// apply to the paragraph's runs).
func hiddenWordStyles(root *xnode) map[string]bool {
	type style struct {
		vanish, set bool
		basedOn     string
	}
	styles := map[string]style{}
	root.walk(func(n *xnode) {
		if n.local() != "style" {
			return
		}
		var s style
		if rpr := n.child("rPr"); rpr != nil && rpr.child("vanish") != nil {
			s.set, s.vanish = true, isOn(rpr.child("vanish"))
		}
		if b := n.child("basedOn"); b != nil {
			s.basedOn = b.attr("val")
		}
		styles[n.attr("styleId")] = s
	})
	out := map[string]bool{}
	for id := range styles {
		seen := map[string]bool{}
		for cur := id; cur != "" && !seen[cur]; cur = styles[cur].basedOn {
			seen[cur] = true
			if s := styles[cur]; s.set {
				if s.vanish {
					out[id] = true
				}
				break
			}
		}
	}
	return out
}

// hiddenParagraph reports whether a paragraph's style hides its text.
func hiddenParagraph(p *xnode, hiddenStyles map[string]bool) bool {
	ppr := p.child("pPr")
	if ppr == nil {
		return false
	}
	s := ppr.child("pStyle")
	return s != nil && hiddenStyles[s.attr("val")]
}

// removeHiddenRuns removes the runs of a paragraph whose style hides them,
// except runs that say they are not hidden (vanish off), and the
// paragraph's tracked-change and comment markers with them.
func removeHiddenRuns(n *xnode, depth int) {
	if depth > maxXMLDepth {
		return
	}
	var out []any
	for _, k := range n.kids {
		c, ok := k.(*xnode)
		if !ok {
			out = append(out, k)
			continue
		}
		if c.local() == "r" {
			if rpr := c.child("rPr"); rpr == nil || rpr.child("vanish") == nil || isOn(rpr.child("vanish")) {
				continue
			}
		}
		if c.local() != "pPr" {
			removeHiddenRuns(c, depth+1)
		}
		out = append(out, c)
	}
	n.kids = out
}

// hiddenRun reports whether a run is hidden text: its own properties say
// vanish, or its character style does.
func hiddenRun(r *xnode, hiddenStyles map[string]bool) bool {
	rpr := r.child("rPr")
	if rpr == nil {
		return false
	}
	if v := rpr.child("vanish"); v != nil {
		return isOn(v) // direct formatting wins over the style
	}
	if isOn(rpr.child("specVanish")) {
		return true
	}
	if s := rpr.child("rStyle"); s != nil && hiddenStyles[s.attr("val")] {
		return true
	}
	return false
}

// isOn reports whether a WordprocessingML on/off property is present and on.
func isOn(n *xnode) bool {
	if n == nil {
		return false
	}
	switch n.attr("val") {
	case "0", "false", "off":
		return false
	}
	return true
}

// odfRemoved are OpenDocument elements removed with their content:
// comments, the record of tracked changes (deleted text, authors) and the
// markers that point into it, hidden text and paragraphs, and the titles
// and descriptions of pictures.
var odfRemoved = map[string]bool{
	"annotation": true, "annotation-end": true, "tracked-changes": true, "change": true, "change-start": true,
	"change-end": true, "hidden-text": true, "hidden-paragraph": true,
}

// odfHeaderFooter are the header and footer elements of an OpenDocument
// master page.
var odfHeaderFooter = map[string]bool{"header": true, "footer": true, "header-left": true, "footer-left": true, "header-first": true, "footer-first": true}

// StripODF copies an OpenDocument file (ODT and the like) without what it
// hides besides its visible content: the metadata (meta.xml: author,
// title, user-defined fields) is emptied; comments, tracked changes (the
// deleted text and the authors; the document as shown is kept), hidden
// text and sections, the titles and descriptions of pictures and the
// first-page thumbnail are removed; page headers and footers are emptied. The mimetype entry stays first and
// stored, as the format requires.
func StripODF(dst io.Writer, src io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return fmt.Errorf("cannot read this document: %w", err)
	}
	hidden := map[string]bool{}
	for _, part := range []string{"styles.xml", "content.xml"} {
		if f := zipFile(zr, part); f != nil {
			data, err := readZipFile(f)
			if err != nil {
				return err
			}
			if root, err := parseXML(data); err == nil {
				for k := range hiddenODFStyles(root) {
					hidden[k] = true
				}
			}
		}
	}
	return rewriteZip(dst, zr, func(name string, data []byte) ([]byte, bool, error) {
		switch {
		case strings.HasPrefix(name, "Thumbnails/"):
			return nil, false, nil
		case name == "meta.xml":
			return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.3"><office:meta/></office:document-meta>`), true, nil
		case name == "META-INF/manifest.xml":
			return filterXML(data, func(n *xnode) action {
				if n.local() == "file-entry" && strings.HasPrefix(n.attr("full-path"), "Thumbnails/") {
					return remove
				}
				return keep
			})
		case name == "content.xml" || name == "styles.xml":
			frames := 0
			return filterXML(data, func(n *xnode) action {
				l := n.local()
				switch {
				case n.start.Name.Space == "style" && odfHeaderFooter[l]:
					// Emptied, as in Word documents: letterheads and labels.
					n.kids = []any{&xnode{start: xml.StartElement{Name: xml.Name{Space: "text", Local: "p"}}}}
					return keep
				case odfRemoved[l]:
					return remove
				case (l == "title" || l == "desc") && n.start.Name.Space == "svg":
					return remove
				case (l == "span" || l == "p" || l == "h") && hidden[n.attr("style-name")]:
					return remove
				case l == "section" && n.attr("display") == "none":
					return remove
				case l == "frame":
					frames++
					n.setAttr("name", fmt.Sprintf("Image%d", frames))
				}
				return keep
			})
		}
		return data, true, nil
	})
}

// hiddenODFStyles returns the names of styles whose text properties hide
// text (text:display="none").
func hiddenODFStyles(root *xnode) map[string]bool {
	out := map[string]bool{}
	root.walk(func(n *xnode) {
		if n.local() != "style" {
			return
		}
		if tp := n.child("text-properties"); tp != nil && tp.attr("display") == "none" {
			out[n.attr("name")] = true
		}
	})
	return out
}

func zipFile(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if strings.TrimPrefix(f.Name, "/") == name {
			return f
		}
	}
	return nil
}

func readZipFile(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxOfficePart {
		return nil, fmt.Errorf("a part of the document is too large: %w", ErrDamagedDocument)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("cannot read this document: %w", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxOfficePart+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read this document: %w", err)
	}
	if len(data) > maxOfficePart {
		return nil, fmt.Errorf("a part of the document is too large: %w", ErrDamagedDocument)
	}
	return data, nil
}

// rewriteZip copies a ZIP-based document entry by entry through fn, which
// returns the new data and whether to keep the entry. A "mimetype" entry
// is written stored (uncompressed), as OpenDocument requires of its first
// entry; the rest are compressed.
func rewriteZip(dst io.Writer, zr *zip.Reader, fn func(name string, data []byte) ([]byte, bool, error)) error {
	zw := zip.NewWriter(dst)
	seen := map[string]bool{}
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, "/")
		if seen[name] || strings.HasSuffix(name, "/") {
			continue // a duplicate or a folder entry
		}
		seen[name] = true
		data, err := readZipFile(f)
		if err != nil {
			return err
		}
		out, ok, err := fn(name, data)
		if err != nil {
			return fmt.Errorf("cleaning %s: %w", name, err)
		}
		if !ok {
			continue
		}
		method := zip.Deflate
		if name == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			return err
		}
		if _, err := w.Write(out); err != nil {
			return err
		}
	}
	return zw.Close()
}

// xnode is an element of an XML part, kept with its raw prefixes so the
// part is written back as it was, apart from what a filter changes.
type xnode struct {
	start xml.StartElement // Name.Space holds the prefix
	kids  []any            // *xnode, xml.CharData, xml.Comment, xml.ProcInst, xml.Directive
}

func (n *xnode) local() string { return n.start.Name.Local }

func (n *xnode) attr(local string) string {
	for _, a := range n.start.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (n *xnode) setAttr(local, value string) {
	for i, a := range n.start.Attr {
		if a.Name.Local == local {
			n.start.Attr[i].Value = value
			return
		}
	}
}

func (n *xnode) dropAttrs(locals ...string) {
	out := n.start.Attr[:0]
	for _, a := range n.start.Attr {
		drop := false
		for _, l := range locals {
			if a.Name.Local == l {
				drop = true
			}
		}
		if !drop {
			out = append(out, a)
		}
	}
	n.start.Attr = out
}

func (n *xnode) child(local string) *xnode {
	for _, k := range n.kids {
		if c, ok := k.(*xnode); ok && c.local() == local {
			return c
		}
	}
	return nil
}

func (n *xnode) walk(fn func(*xnode)) {
	for _, k := range n.kids {
		if c, ok := k.(*xnode); ok {
			fn(c)
			c.walk(fn)
		}
	}
}

// maxXMLDepth bounds element nesting in a part.
const maxXMLDepth = 1000

// parseXML reads a part into a tree of raw tokens.
func parseXML(data []byte) (*xnode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	root := &xnode{}
	stack := []*xnode{root}
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrDamagedDocument, err)
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > maxXMLDepth {
				return nil, fmt.Errorf("elements nested too deep: %w", ErrDamagedDocument)
			}
			n := &xnode{start: t.Copy()}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 1 || t.Name != top.start.Name {
				return nil, fmt.Errorf("mismatched element: %w", ErrDamagedDocument)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.kids = append(top.kids, t.Copy())
		case xml.Comment:
			// Comments in XML parts are dropped: nothing needs them.
		case xml.ProcInst:
			top.kids = append(top.kids, t.Copy())
		case xml.Directive:
			top.kids = append(top.kids, t.Copy())
		}
	}
	if len(stack) != 1 {
		return nil, fmt.Errorf("the part ends inside an element: %w", ErrDamagedDocument)
	}
	return root, nil
}

type action int

const (
	keep action = iota
	remove
	unwrap
)

// filterXML parses a part, applies fn to every element (outermost first;
// fn may change its attributes) and writes the result.
func filterXML(data []byte, fn func(*xnode) action) ([]byte, bool, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, false, err
	}
	var filter func(n *xnode, depth int)
	filter = func(n *xnode, depth int) {
		var out []any
		for _, k := range n.kids {
			c, ok := k.(*xnode)
			if !ok {
				out = append(out, k)
				continue
			}
			switch fn(c) {
			case remove:
				continue
			case unwrap:
				filter(c, depth+1)
				out = append(out, c.kids...)
				continue
			}
			filter(c, depth+1)
			out = append(out, c)
		}
		n.kids = out
	}
	filter(root, 0)
	var b bytes.Buffer
	writeXML(&b, root)
	return b.Bytes(), true, nil
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#xA;", "\r", "&#xD;", "\t", "&#x9;")
)

// writeXML writes the children of n (the root holds the declaration and
// the document element).
func writeXML(b *bytes.Buffer, n *xnode) {
	for _, k := range n.kids {
		switch t := k.(type) {
		case *xnode:
			b.WriteString("<" + rawName(t.start.Name))
			for _, a := range t.start.Attr {
				b.WriteString(" " + rawName(a.Name) + `="` + attrEscaper.Replace(a.Value) + `"`)
			}
			if len(t.kids) == 0 {
				b.WriteString("/>")
				continue
			}
			b.WriteString(">")
			writeXML(b, t)
			b.WriteString("</" + rawName(t.start.Name) + ">")
		case xml.CharData:
			b.WriteString(textEscaper.Replace(string(t)))
		case xml.ProcInst:
			b.WriteString("<?" + t.Target + " " + string(t.Inst) + "?>")
		case xml.Directive:
			b.WriteString("<!" + string(t) + ">")
		}
	}
}
