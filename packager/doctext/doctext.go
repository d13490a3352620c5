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
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"dossier/packager/textenc"
)

// ErrNoText is returned when a document has no text to read, for instance a
// scanned PDF that holds only pictures of pages.
var ErrNoText = errors.New("doctext: the document has no readable text")

// ErrUnsupported is returned for formats whose text Dossier does not read.
var ErrUnsupported = errors.New("doctext: reading text from this kind of file is not supported")

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
// "xlsx", "pptx", "odf", "txt", "html", "rtf"; empty to sniff it from the first bytes).
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
	case "docx", "odf", "xlsx", "pptx":
		text, err = officeText(r, size, format, opts)
	case "txt", "html", "rtf":
		var b []byte
		limit := int64(opts.MaxText) * 2
		if format == "rtf" {
			limit = opts.MaxInput // pictures in the file come before or between the text
		}
		b, err = io.ReadAll(io.NewSectionReader(r, 0, min(size, limit)))
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
		return "", fmt.Errorf("doctext: opening a document: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("doctext: opening a document: %w", err)
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
		return nil, fmt.Errorf("doctext: opening an archive: %w", err)
	}
	for _, f := range zr.File {
		if f.Name != name && strings.TrimPrefix(f.Name, "./") != name {
			continue
		}
		if f.UncompressedSize64 > uint64(limit) {
			return nil, fmt.Errorf("doctext: an archive entry is too large to read its text (over %d MiB)", limit>>20)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("doctext: opening an archive entry: %w", err)
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, limit+1))
		if err != nil {
			return nil, fmt.Errorf("doctext: reading an archive entry: %w", err)
		}
		if int64(len(data)) > limit {
			return nil, fmt.Errorf("doctext: an archive entry is too large to read its text (over %d MiB)", limit>>20)
		}
		return data, nil
	}
	return nil, fmt.Errorf("doctext: archive entry: %w", os.ErrNotExist)
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

var (
	scriptStyle = regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)>`)
	blockTag    = regexp.MustCompile(`(?i)<(br|/p|/div|/tr|/li|/h[1-6]|/td|/th)[^>]*>`)
	anyTag      = regexp.MustCompile(`(?s)<[^>]*>`)
	// textAttr finds the attributes of HTML tags that hold text a reader
	// or the page's author wrote: meta contents (author, description),
	// picture descriptions and titles.
	textAttr = regexp.MustCompile(`(?is)\s(?:content|alt|title)\s*=\s*("[^"]*"|'[^']*')`)
)

// plainText turns text, HTML or RTF bytes into plain text. Text and HTML
// are decoded from the encoding textenc detects (UTF-8, UTF-16,
// Windows-1252, GB18030, Shift-JIS); RTF from its own escapes and code page.
func plainText(b []byte, format string) string {
	if format == "rtf" {
		return RTFText(b)
	}
	s, _ := textenc.Decode(b)
	s = strings.TrimPrefix(s, "\uFEFF")
	if format == "html" {
		var attrs strings.Builder
		for _, tag := range anyTag.FindAllString(s, 10000) {
			for _, m := range textAttr.FindAllStringSubmatch(tag, -1) {
				attrs.WriteString(m[1][1:len(m[1])-1] + "\n")
			}
		}
		s = scriptStyle.ReplaceAllString(s, " ")
		s = blockTag.ReplaceAllString(s, "\n")
		s = anyTag.ReplaceAllString(s, " ")
		s = html.UnescapeString(s + "\n" + attrs.String())
	}
	return s
}
