package doctext

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// bodyPart reports whether a part is the body of a document (what a
// reader reads first: the document, the sheets, the slides and their
// notes), as opposed to its side parts (headers, comments, properties).
func bodyPart(name, format string) bool {
	switch format {
	case "odf":
		return name == "content.xml"
	case "xlsx":
		return name == "xl/sharedStrings.xml" || strings.HasPrefix(name, "xl/worksheets/sheet")
	case "pptx":
		return strings.HasPrefix(name, "ppt/slides/slide") || strings.HasPrefix(name, "ppt/notesSlides/")
	}
	return name == "word/document.xml"
}

// OfficeTextPart reports whether a part of a DOCX, XLSX, PPTX or
// OpenDocument file holds text a reader of the document sees or its author
// wrote: the body (sheets and shared strings, slides and speaker notes),
// headers and footers, comments, footnotes and endnotes, the document
// properties, custom XML data and the list of people who edited it.
// (Hidden text, tracked changes and the alternative text of pictures live
// inside these parts.)
func OfficeTextPart(name, format string) bool {
	name = strings.TrimPrefix(name, "/")
	if format == "odf" {
		switch name {
		case "content.xml", "styles.xml", "meta.xml":
			return true
		}
		return false
	}
	dir, base := path.Split(name)
	if !strings.HasSuffix(base, ".xml") {
		return false
	}
	switch dir {
	case "xl/":
		return base == "sharedStrings.xml" || strings.HasPrefix(base, "comments")
	case "xl/worksheets/", "xl/threadedComments/", "xl/persons/", "ppt/slides/", "ppt/notesSlides/", "ppt/comments/":
		return true
	case "ppt/":
		return base == "commentAuthors.xml" || base == "authors.xml"
	case "word/":
		for _, p := range []string{"document", "header", "footer", "comments", "footnotes", "endnotes", "people"} {
			if strings.HasPrefix(base, p) {
				return true
			}
		}
	case "docProps/":
		return base == "core.xml" || base == "app.xml" || base == "custom.xml"
	case "customXml/":
		return strings.HasPrefix(base, "item") && !strings.HasPrefix(base, "itemProps")
	}
	return false
}

// propertyPart reports whether a part is a list of properties (one value
// per element) rather than running text.
func propertyPart(name string) bool {
	return strings.HasPrefix(name, "docProps/") || strings.HasPrefix(name, "customXml/") || name == "meta.xml" || name == "word/people.xml" ||
		strings.HasPrefix(name, "xl/persons/") || name == "ppt/commentAuthors.xml" || name == "ppt/authors.xml"
}

// officeText reads the text of a DOCX or OpenDocument file: the body first
// (so the document's kind is judged on it), then the headers, footers,
// comments, notes, properties and custom data. The other parts get a
// quarter of the text budget, so a long body cannot push a name in a
// comment out of what is checked.
func officeText(r io.ReaderAt, size int64, format string, opts Options) (string, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return "", fmt.Errorf("doctext: reading a %s document: %w", format, err)
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.SliceStable(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	// The side parts first, within their budget, then the body in what is left.
	var others, bodies []string
	otherLen := 0
	var body []*zip.File
	for _, f := range files {
		name := strings.TrimPrefix(f.Name, "/")
		if !OfficeTextPart(name, format) {
			continue
		}
		if bodyPart(name, format) {
			body = append(body, f)
			continue
		}
		limit := opts.MaxText/4 - otherLen
		if limit <= 0 {
			continue
		}
		text, err := zipPartText(f, limit, propertyPart(name), opts)
		if err != nil {
			continue // a damaged side part does not hide the body
		}
		if strings.TrimSpace(text) != "" {
			others = append(others, text)
			otherLen += len(text) + 1
		}
	}
	if len(body) == 0 && len(others) == 0 {
		return "", ErrNoText
	}
	// Slides before their speaker notes.
	sort.SliceStable(body, func(i, j int) bool {
		return !strings.HasPrefix(body[i].Name, "ppt/notesSlides/") && strings.HasPrefix(body[j].Name, "ppt/notesSlides/")
	})
	left := opts.MaxText - otherLen - 1
	for i, f := range body {
		if left <= 0 {
			break
		}
		text, err := zipPartText(f, left, false, opts)
		if err != nil {
			if i == 0 && len(body) == 1 {
				return "", fmt.Errorf("%w (reading a %s document)", err, format)
			}
			continue
		}
		bodies = append(bodies, text)
		left -= len(text) + 1
	}
	return strings.Join(append(bodies, others...), "\n"), nil
}

func zipPartText(f *zip.File, limit int, everyElement bool, opts Options) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", fmt.Errorf("doctext: opening a document part: %w", err)
	}
	defer rc.Close()
	return XMLText(io.LimitReader(rc, opts.MaxInput), limit, everyElement)
}

// textAttrs are the attributes whose values are text people wrote: the
// alternative text and title of pictures (descr, title), the authors of
// comments and tracked changes, and the names of the people who edited.
var textAttrs = map[string]bool{"descr": true, "title": true, "author": true, "initials": true, "userId": true, "displayName": true}

// XMLText collects the character data of a WordprocessingML or OpenDocument
// part, with line breaks at paragraphs, rows, cells and breaks, and the
// values of the attributes that hold text people wrote (picture
// descriptions and names, authors). everyElement breaks the line after every element
// (for property lists). It stops at limit bytes.
func XMLText(r io.Reader, limit int, everyElement bool) (string, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	var b strings.Builder
	for b.Len() < limit {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if b.Len() > 0 {
				break // keep what was read from a damaged file
			}
			return "", fmt.Errorf("doctext: reading document text: %w", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			switch t.Name.Local {
			case "tab", "s":
				b.WriteByte(' ')
			case "br", "line-break", "cr":
				b.WriteByte('\n')
			}
			for _, a := range t.Attr {
				picName := a.Name.Local == "name" && (t.Name.Local == "docPr" || t.Name.Local == "cNvPr" || t.Name.Local == "cmAuthor" || t.Name.Local == "author")
				if (textAttrs[a.Name.Local] || picName) && strings.TrimSpace(a.Value) != "" {
					b.WriteString("\n" + a.Value + "\n")
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p", "h", "tr", "tc", "table-cell", "row", "si":
				b.WriteByte('\n')
			case "c":
				b.WriteByte('\t') // a spreadsheet cell
			case "creator", "date", "initials", "title", "desc", "annotation", "note-citation", "note-body", "comment", "footnote", "endnote":
				// Fields that sit beside running text (a comment's author and
				// date before its text) end their own line.
				b.WriteByte('\n')
			default:
				if everyElement {
					b.WriteByte('\n')
				}
			}
		}
	}
	return truncate(b.String(), limit), nil
}
