// Package doctext reads the text of reports and letters (text PDFs, DOCX and
// OpenDocument files, plain text, HTML, RTF), bounded to the first pages and
// megabytes, and files each document into a category a reviewer uses
// (pathology, IHC/biomarker, molecular, radiology report, ...). The words that
// decide a category are data (assets/checklist/doctypes.json), not code.
package doctext

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ErrNoText is returned when a document has no text to read, for instance a
// scanned PDF that holds only pictures of pages.
var ErrNoText = errors.New("the document has no readable text")

// ErrUnsupported is returned for formats whose text Dossier does not read.
var ErrUnsupported = errors.New("reading text from this kind of file is not supported")

// Options bounds text extraction. The zero value gives sensible defaults.
type Options struct {
	// MaxPages is the number of PDF pages read (default 30).
	MaxPages int
	// MaxText caps the text returned, in bytes (default 1 MiB).
	MaxText int
	// MaxInput caps the bytes read into memory for formats that need the
	// whole file (DOCX inside an archive, for instance; default 64 MiB).
	MaxInput int64
}

func (o Options) withDefaults() Options {
	if o.MaxPages <= 0 {
		o.MaxPages = 30
	}
	if o.MaxText <= 0 {
		o.MaxText = 1 << 20
	}
	if o.MaxInput <= 0 {
		o.MaxInput = 64 << 20
	}
	return o
}

// Extract returns the text of a document of the given format ("pdf", "docx",
// "odf", "txt", "html", "rtf"; empty to sniff it from the first bytes).
// It returns ErrNoText for a document without text and ErrUnsupported for
// other formats.
func Extract(ctx context.Context, r io.ReaderAt, size int64, format string, opts Options) (string, error) {
	opts = opts.withDefaults()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if format == "" {
		format = sniff(r)
	}
	var text string
	var err error
	switch format {
	case "pdf":
		text, err = pdfText(ctx, r, size, opts)
	case "docx", "odf":
		text, err = officeText(r, size, format, opts)
	case "txt", "html", "rtf":
		var b []byte
		b, err = io.ReadAll(io.NewSectionReader(r, 0, min(size, int64(opts.MaxText)*2)))
		if err == nil {
			text = plainText(b, format)
		}
	default:
		return "", ErrUnsupported
	}
	if err != nil {
		return "", err
	}
	text = strings.TrimSpace(truncate(text, opts.MaxText))
	if text == "" {
		return "", ErrNoText
	}
	return text, nil
}

// ExtractFile is Extract for a file on disk. An entry inside a ZIP archive is
// named as intake names it, "ARCHIVE!/ENTRY" (nesting allowed); such entries
// are read into memory up to Options.MaxInput.
func ExtractFile(ctx context.Context, path, format string, opts Options) (string, error) {
	opts = opts.withDefaults()
	parts := strings.Split(path, "!/")
	f, err := os.Open(parts[0])
	if err != nil {
		return "", fmt.Errorf("opening a document: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("opening a document: %w", err)
	}
	var ra io.ReaderAt = f
	size := st.Size()
	for _, entry := range parts[1:] {
		data, err := zipEntry(ra, size, entry, opts.MaxInput)
		if err != nil {
			return "", err
		}
		ra, size = bytes.NewReader(data), int64(len(data))
	}
	return Extract(ctx, ra, size, format, opts)
}

func zipEntry(ra io.ReaderAt, size int64, name string, limit int64) ([]byte, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("opening an archive: %w", err)
	}
	for _, f := range zr.File {
		if f.Name != name && strings.TrimPrefix(f.Name, "./") != name {
			continue
		}
		if f.UncompressedSize64 > uint64(limit) {
			return nil, fmt.Errorf("an archive entry is too large to read its text (over %d MiB)", limit>>20)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("opening an archive entry: %w", err)
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, limit+1))
		if err != nil {
			return nil, fmt.Errorf("reading an archive entry: %w", err)
		}
		if int64(len(data)) > limit {
			return nil, fmt.Errorf("an archive entry is too large to read its text (over %d MiB)", limit>>20)
		}
		return data, nil
	}
	return nil, fmt.Errorf("archive entry: %w", os.ErrNotExist)
}

func sniff(r io.ReaderAt) string {
	head := make([]byte, 1024)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.Contains(head, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "docx"
	case bytes.HasPrefix(head, []byte(`{\rtf`)):
		return "rtf"
	case bytes.Contains(bytes.ToLower(head), []byte("<html")) || bytes.Contains(bytes.ToLower(head), []byte("<!doctype html")):
		return "html"
	}
	return "txt"
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s[len(s)-1:]) {
		r, size := utf8.DecodeLastRuneInString(s)
		if r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

// officeText reads the main text part of a DOCX or OpenDocument file.
func officeText(r io.ReaderAt, size int64, format string, opts Options) (string, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return "", fmt.Errorf("reading a %s document: %w", format, err)
	}
	part := "word/document.xml"
	if format == "odf" {
		part = "content.xml"
	}
	for _, f := range zr.File {
		if f.Name != part {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return "", fmt.Errorf("reading a %s document: %w", format, err)
		}
		defer rc.Close()
		return xmlText(io.LimitReader(rc, opts.MaxInput), opts.MaxText)
	}
	return "", ErrNoText
}

// xmlText collects character data, breaking lines at paragraphs, rows and
// line breaks (WordprocessingML and OpenDocument use the same local names).
func xmlText(r io.Reader, limit int) (string, error) {
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
			return "", fmt.Errorf("reading document text: %w", err)
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
		case xml.EndElement:
			switch t.Name.Local {
			case "p", "h", "tr", "tc", "table-cell":
				b.WriteByte('\n')
			}
		}
	}
	return b.String(), nil
}

var (
	scriptStyle = regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)>`)
	blockTag    = regexp.MustCompile(`(?i)<(br|/p|/div|/tr|/li|/h[1-6]|/td|/th)[^>]*>`)
	anyTag      = regexp.MustCompile(`(?s)<[^>]*>`)
	rtfSkip     = regexp.MustCompile(`\{\\\*[^{}]*\}`)
	rtfPar      = regexp.MustCompile(`\\(par|line|row|cell)\b ?`)
	rtfHex      = regexp.MustCompile(`\\'([0-9a-fA-F]{2})`)
	rtfWord     = regexp.MustCompile(`\\[a-zA-Z]+-?\d* ?`)
)

// plainText turns text, HTML or RTF bytes into plain text.
func plainText(b []byte, format string) string {
	s := string(b)
	if !utf8.ValidString(s) {
		// Not UTF-8: read it as Latin-1, the usual older encoding.
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		s = string(r)
	}
	switch format {
	case "html":
		s = scriptStyle.ReplaceAllString(s, " ")
		s = blockTag.ReplaceAllString(s, "\n")
		s = anyTag.ReplaceAllString(s, " ")
		s = html.UnescapeString(s)
	case "rtf":
		s = rtfSkip.ReplaceAllString(s, "")
		s = rtfPar.ReplaceAllString(s, "\n")
		s = rtfHex.ReplaceAllStringFunc(s, func(m string) string {
			var c byte
			fmt.Sscanf(m[2:], "%02x", &c)
			return string(rune(c))
		})
		s = rtfWord.ReplaceAllString(s, "")
		s = strings.NewReplacer("{", "", "}", "", `\\`, `\`).Replace(s)
	}
	return s
}
