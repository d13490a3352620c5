package bundle

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"dossier/packager/envelope"
)

// Report is what verifying a bundle found.
type Report struct {
	Files       int    `json:"files"`
	Bytes       int64  `json:"bytes"`
	Fingerprint string `json:"fingerprint"`
	Privacy     string `json:"privacy"`
	// Names lists every file of the inner tree.
	Names []string `json:"names"`
}

// VerifyOptions adjust Verify.
type VerifyOptions struct {
	// Extract, if set, receives every entry's content as it is read (for
	// Open). The caller must not trust the content until Verify returned nil.
	Extract func(name string) (io.WriteCloser, error)
	// Progress, if set, is called after each entry.
	Progress func(files int, bytes int64)
}

// ErrMismatch is returned (wrapped, with what and where) when a file does
// not match MANIFEST.SHA256 or METADATA.XML, or either is missing.
var ErrMismatch = errors.New("the bundle's contents do not match its manifest")

type seenFile struct {
	size   int64
	sha256 string
	sha1   string
}

// collector hashes the files of a bundle as they are read (from the ZIP
// stream or from a folder), keeps the three small files verification needs,
// and checks everything at the end.
type collector struct {
	seen                                   map[string]seenFile
	names                                  []string
	manifestData, metadataData, readmeData []byte
	rep                                    Report
}

func newCollector() *collector { return &collector{seen: map[string]seenFile{}} }

// add reads one file's content from r, also copying it to extra if set.
func (c *collector) add(name string, r io.Reader, extra io.Writer) error {
	h256, h1 := sha256.New(), sha1.New()
	dst := io.MultiWriter(h256, h1)
	var keep *bytes.Buffer
	if name == NameManifest || name == NameMetadata || name == NameReadme {
		keep = &bytes.Buffer{}
		dst = io.MultiWriter(dst, limitedBuffer{keep, 64 << 20})
	}
	if extra != nil {
		dst = io.MultiWriter(dst, extra)
	}
	n, err := io.Copy(dst, r)
	if err != nil {
		return err
	}
	c.seen[name] = seenFile{size: n, sha256: hex.EncodeToString(h256.Sum(nil)), sha1: hex.EncodeToString(h1.Sum(nil))}
	c.names = append(c.names, name)
	c.rep.Files++
	c.rep.Bytes += n
	switch name {
	case NameManifest:
		c.manifestData = keep.Bytes()
	case NameMetadata:
		c.metadataData = keep.Bytes()
	case NameReadme:
		c.readmeData = keep.Bytes()
	}
	return nil
}

// check compares the files with MANIFEST.SHA256 and METADATA.XML and
// completes the report.
func (c *collector) check() (*Report, error) {
	if err := checkManifest(c.manifestData, c.seen); err != nil {
		return nil, err
	}
	if err := checkMetadata(c.metadataData, c.seen); err != nil {
		return nil, err
	}
	lines := map[string]string{}
	for n, f := range c.seen {
		if n != NameManifest {
			lines[n] = f.sha256
		}
	}
	rep := c.rep
	rep.Fingerprint = Fingerprint(lines)
	rep.Privacy = privacyOf(c.readmeData)
	rep.Names = append([]string(nil), c.names...)
	sort.Strings(rep.Names)
	return &rep, nil
}

// Verify reads a bundle's inner ZIP as a stream (as it comes out of the age
// decryption) and checks every file against MANIFEST.SHA256 (hash, and that
// no file is missing or extra) and every document against METADATA.XML
// (hash, size, URI). It returns the first problem found, wrapped in
// ErrCorrupt or ErrMismatch with a plain description.
func Verify(ctx context.Context, r io.Reader, opts VerifyOptions) (*Report, error) {
	sr := newStreamReader(r)
	c := newCollector()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name, er, err := sr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		var out io.WriteCloser
		if opts.Extract != nil {
			if out, err = opts.Extract(name); err != nil {
				return nil, err
			}
		}
		var extra io.Writer
		if out != nil {
			extra = out
		}
		err = c.add(name, er, extra)
		if out != nil {
			if cerr := out.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(c.rep.Files, c.rep.Bytes)
		}
	}
	return c.check()
}

// limitedBuffer keeps at most max bytes (the manifest and metadata are small;
// a hostile bundle must not make us hold gigabytes).
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// checkManifest compares MANIFEST.SHA256 with the files read.
func checkManifest(data []byte, seen map[string]seenFile) error {
	if data == nil {
		return fmt.Errorf("%w: MANIFEST.SHA256 is missing", ErrMismatch)
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			return fmt.Errorf("%w: MANIFEST.SHA256 has a malformed line", ErrMismatch)
		}
		f, ok := seen[name]
		if !ok {
			return fmt.Errorf("%w: %s is listed but missing", ErrMismatch, name)
		}
		if f.sha256 != sum {
			return fmt.Errorf("%w: %s was changed (its checksum differs)", ErrMismatch, name)
		}
		listed[name] = true
	}
	for name := range seen {
		if name != NameManifest && !listed[name] {
			return fmt.Errorf("%w: %s is not in the manifest", ErrMismatch, name)
		}
	}
	return nil
}

// xdsEntry is the part of an XDS DocumentEntry that verification reads.
type xdsEntry struct {
	Slots []struct {
		Name   string   `xml:"name,attr"`
		Values []string `xml:"ValueList>Value"`
	} `xml:"Slot"`
}

// checkMetadata compares METADATA.XML's DocumentEntries with the files.
func checkMetadata(data []byte, seen map[string]seenFile) error {
	if data == nil {
		return fmt.Errorf("%w: %s is missing", ErrMismatch, NameMetadata)
	}
	var doc struct {
		Entries []xdsEntry `xml:"RegistryObjectList>ExtrinsicObject"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%w: %s cannot be read", ErrMismatch, NameMetadata)
	}
	described := map[string]bool{}
	for _, e := range doc.Entries {
		slot := func(n string) string {
			for _, s := range e.Slots {
				if s.Name == n && len(s.Values) > 0 {
					return s.Values[0]
				}
			}
			return ""
		}
		name := "IHE_XDM/SUBSET01/" + slot("URI")
		f, ok := seen[name]
		if !ok || slot("URI") == "" || strings.Contains(slot("URI"), "/") {
			return fmt.Errorf("%w: %s describes a document that is not there", ErrMismatch, NameMetadata)
		}
		if size, err := strconv.ParseInt(slot("size"), 10, 64); err != nil || size != f.size {
			return fmt.Errorf("%w: %s has the wrong size in %s", ErrMismatch, name, NameMetadata)
		}
		if !strings.EqualFold(slot("hash"), f.sha1) {
			return fmt.Errorf("%w: %s has the wrong hash in %s", ErrMismatch, name, NameMetadata)
		}
		described[name] = true
	}
	for name := range seen {
		if strings.HasPrefix(name, "IHE_XDM/SUBSET01/") && name != NameMetadata && !described[name] {
			return fmt.Errorf("%w: %s is not described in %s", ErrMismatch, name, NameMetadata)
		}
	}
	return nil
}

func privacyOf(readme []byte) string {
	for _, line := range strings.Split(string(readme), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Privacy level: "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// VerifyFolder checks an unencrypted bundle folder (a USB stick) the same
// way: every file against MANIFEST.SHA256 and METADATA.XML.
func VerifyFolder(ctx context.Context, dir string) (*Report, error) {
	c := newCollector()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%w: %s is not a plain file", ErrMismatch, d.Name())
		}
		rel, _ := filepath.Rel(dir, p)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return c.add(filepath.ToSlash(rel), f, nil)
	})
	if err != nil {
		return nil, err
	}
	return c.check()
}

// ErrExists is returned by Open when a file of the bundle is already in the
// destination folder: nothing is overwritten without asking.
var ErrExists = errors.New("the destination folder already holds files of this bundle")

// Open verifies a bundle and extracts it into dir. Files are extracted
// into a private staging folder inside dir while being verified and moved
// into place only when everything checked out; entry names cannot point
// outside dir (the stream reader refuses them). Existing files are not
// overwritten unless overwrite is true.
func Open(ctx context.Context, r io.Reader, dir string, overwrite bool, progress func(files int, bytes int64)) (*Report, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	stage, err := os.MkdirTemp(dir, envelope.PartialPrefix+"open-")
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	defer os.RemoveAll(stage)
	rep, err := Verify(ctx, r, VerifyOptions{Progress: progress, Extract: func(name string) (io.WriteCloser, error) {
		if unsafeName(name) {
			return nil, fmt.Errorf("%w: an entry name points outside the folder", ErrCorrupt)
		}
		if !overwrite {
			if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
				return nil, fmt.Errorf("%w: %s", ErrExists, name)
			}
		}
		p := filepath.Join(stage, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		return os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	}})
	if err != nil {
		return nil, err
	}
	for _, name := range rep.Names {
		final := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(stage, filepath.FromSlash(name)), final); err != nil {
			return nil, fmt.Errorf("moving %s into place: %w", name, err)
		}
	}
	return rep, nil
}
