package bundle

import (
	"archive/zip"
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
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"dossier/packager/atomicfile"
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
	nameSet                                *nameSet
	seen                                   map[string]seenFile
	names                                  []string
	manifestData, metadataData, readmeData []byte
	rep                                    Report
}

func newCollector() *collector { return &collector{seen: map[string]seenFile{}, nameSet: newNameSet()} }

// admit checks a file's name before its content is read: only the bundle
// layout's own names, each once (see checkName and nameSet).
func (c *collector) admit(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	return c.nameSet.add(name)
}

// add reads one file's content from r, also copying it to extra if set. The
// name must have been admitted.
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
func Verify(ctx context.Context, r io.Reader, opts VerifyOptions) (rep *Report, err error) {
	// An error of the reader itself (the decryption's verdict on a changed
	// or missing volume, or the disk's) is the real cause of whatever the
	// ZIP reader then says: report it.
	src := &readErr{r: r}
	defer func() {
		if err != nil && src.err != nil && !errors.Is(err, src.err) && ctx.Err() == nil {
			err = src.err
		}
	}()
	sr := newStreamReader(src)
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
		if err := c.admit(name); err != nil {
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

// readErr remembers the first error other than io.EOF of a reader.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
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
		if err := c.admit(filepath.ToSlash(rel)); err != nil {
			return err
		}
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
// destination folder and overwriting was not asked for. It is
// atomicfile.ErrExists: one error for "that name is taken" everywhere.
var ErrExists = atomicfile.ErrExists

// ErrExpands is returned by Open when a bundle unpacks to more than
// MaxExpansion times its size on disk: real records never do, a crafted
// bundle would fill the disk. OpenOptions.AllowExpansion accepts it.
var ErrExpands = errors.New("the bundle unpacks to far more data than its size makes likely")

// ErrNoRoom is returned by Open when the destination has not enough free
// space for what the bundle holds.
var ErrNoRoom = errors.New("not enough free space in the destination folder")

// MaxExpansion is how many times its size on disk a bundle may unpack to
// without OpenOptions.AllowExpansion (DICOM and PDF deflate 2-5 times; text
// at most about 10).
const MaxExpansion = 100

// expansionSlack is what any bundle may unpack to, whatever its size.
var expansionSlack int64 = 64 << 20

// roomMargin is the free space Open leaves on the destination.
const roomMargin = 64 << 20

// OpenOptions adjust OpenWith.
type OpenOptions struct {
	// Overwrite replaces files already in the folder.
	Overwrite bool
	// Progress, if set, is called after each entry.
	Progress func(files int, bytes int64)
	// PackedSize is the bundle's size on disk (all its volumes), or 0 when
	// unknown; it is checked against the free space first, and bounds what
	// the bundle may unpack to (MaxExpansion times as much).
	PackedSize int64
	// AllowExpansion accepts a bundle that unpacks to more than
	// MaxExpansion times PackedSize.
	AllowExpansion bool
	// Declared is what the bundle's ZIP directory says its files add up to
	// (DeclaredSize), or 0 when unknown: it is checked against the free
	// space and MaxExpansion before anything is read, and the extraction
	// may not write more.
	Declared int64
}

// DeclaredSize reads a bundle's inner ZIP directory (from a random-access
// view of the plaintext, see envelope.DecryptAt) and returns the total size
// its files declare. It reads only the directory, not the files.
func DeclaredSize(ra io.ReaderAt, size int64) (int64, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return 0, fmt.Errorf("%w: its directory cannot be read", ErrCorrupt)
	}
	var total int64
	for _, f := range zr.File {
		if f.UncompressedSize64 > 1<<62 || total > 1<<62 {
			return 0, fmt.Errorf("%w: its directory declares impossible sizes", ErrCorrupt)
		}
		total += int64(f.UncompressedSize64)
	}
	return total, nil
}

// Open verifies a bundle and extracts it into dir (OpenWith without limits
// on the expansion ratio).
func Open(ctx context.Context, r io.Reader, dir string, overwrite bool, progress func(files int, bytes int64)) (*Report, error) {
	return OpenWith(ctx, r, dir, OpenOptions{Overwrite: overwrite, Progress: progress})
}

// OpenWith verifies a bundle and extracts it into dir. Files are extracted
// into a locked staging folder inside dir while being verified, and given
// their names only when everything checked out, each claimed exclusively
// (unless Overwrite), under a lock on dir, so two extractions into one
// folder never mix. Every path is resolved inside dir (os.Root): neither an
// entry name nor a symbolic link already in dir can make a file land outside
// it, and a link on the way is refused. Only the bundle layout's names are
// accepted (checkName). What is written is bounded by the free space and,
// with PackedSize, by MaxExpansion.
func OpenWith(ctx context.Context, r io.Reader, dir string, opts OpenOptions) (*Report, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	defer root.Close()
	limit := int64(-1)
	var limitErr error
	if free, ok := atomicfile.FreeSpace(dir); ok {
		if opts.PackedSize > 0 && opts.PackedSize+roomMargin > free {
			return nil, fmt.Errorf("%w: the bundle alone is %d MB, %d MB are free", ErrNoRoom, opts.PackedSize>>20, free>>20)
		}
		limit, limitErr = max(free-roomMargin, 0), fmt.Errorf("%w: it would not fit (%d MB free)", ErrNoRoom, free>>20)
	}
	if opts.Declared > 0 {
		if free, ok := atomicfile.FreeSpace(dir); ok && opts.Declared+roomMargin > free {
			return nil, fmt.Errorf("%w: the bundle holds %d MB, %d MB are free", ErrNoRoom, opts.Declared>>20, free>>20)
		}
		if opts.PackedSize > 0 && !opts.AllowExpansion && opts.Declared > opts.PackedSize*MaxExpansion+expansionSlack {
			return nil, fmt.Errorf("%w (it declares %d MB in %d KB)", ErrExpands, opts.Declared>>20, opts.PackedSize>>10)
		}
		if limit < 0 || opts.Declared < limit {
			limit, limitErr = opts.Declared, fmt.Errorf("%w: its files are larger than its directory declares", ErrCorrupt)
		}
	}
	if opts.PackedSize > 0 && !opts.AllowExpansion {
		if l := opts.PackedSize*MaxExpansion + expansionSlack; limit < 0 || l < limit {
			limit, limitErr = l, fmt.Errorf("%w (more than %d times its %d KB)", ErrExpands, MaxExpansion, opts.PackedSize>>10)
		}
	}
	st, err := envelope.NewStagingDir(dir)
	if err != nil {
		return nil, err
	}
	defer st.Release()
	stage := filepath.Base(st.Path())
	var written int64
	rep, err := Verify(ctx, r, VerifyOptions{Progress: opts.Progress, Extract: func(name string) (io.WriteCloser, error) {
		if err := checkName(name); err != nil {
			return nil, err
		}
		if err := noLinkOnTheWay(root, name); err != nil {
			return nil, err
		}
		if !opts.Overwrite {
			if _, err := root.Lstat(name); err == nil {
				return nil, fmt.Errorf("%w: %s", ErrExists, name)
			}
		}
		p := stage + "/" + name
		if err := root.MkdirAll(path.Dir(p), 0o700); err != nil {
			return nil, err
		}
		f, err := root.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, err
		}
		return &boundedFile{f: f, written: &written, limit: limit, err: limitErr}, nil
	}})
	if err != nil {
		return nil, err
	}
	unlock, err := atomicfile.LockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	defer unlock()
	if !opts.Overwrite {
		for _, name := range rep.Names {
			if _, err := root.Lstat(name); err == nil {
				return nil, fmt.Errorf("%w: %s", ErrExists, name)
			}
		}
	}
	var placed []string
	for _, name := range rep.Names {
		err := noLinkOnTheWay(root, name)
		if err == nil {
			err = root.MkdirAll(path.Dir(name), 0o755)
		}
		if err == nil {
			err = place(root, stage+"/"+name, name, opts.Overwrite)
		}
		if err != nil {
			if !opts.Overwrite {
				for _, p := range placed {
					root.Remove(p)
				}
			}
			return nil, fmt.Errorf("moving %s into place: %w", name, err)
		}
		placed = append(placed, name)
	}
	return rep, nil
}

// place gives the staged file its final name inside root: replacing what
// is there with overwrite, else claiming the name with a hard link, which
// fails if it exists.
func place(root *os.Root, staged, final string, overwrite bool) error {
	if overwrite {
		return root.Rename(staged, final)
	}
	err := root.Link(staged, final)
	if err == nil {
		return root.Remove(staged)
	}
	if errors.Is(err, os.ErrExist) {
		return ErrExists
	}
	if _, err := root.Lstat(final); err == nil { // no hard links (FAT): check, then rename
		return ErrExists
	}
	return root.Rename(staged, final)
}

// noLinkOnTheWay refuses a name whose folders, already in the destination,
// include a symbolic link (or something other than a folder): Open writes
// only through real folders.
func noLinkOnTheWay(root *os.Root, name string) error {
	for i := 0; i < len(name); i++ {
		if name[i] != '/' {
			continue
		}
		fi, err := root.Lstat(name[:i])
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return fmt.Errorf("the destination holds %s, which is not a plain folder (a link?): Dossier does not write through it", name[:i])
		}
	}
	if fi, err := root.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("the destination holds %s as a link: Dossier does not write through it", name)
	}
	return nil
}

// boundedFile counts what is extracted against the budget of one Open.
type boundedFile struct {
	f       *os.File
	written *int64
	limit   int64
	err     error
}

func (b *boundedFile) Write(p []byte) (int, error) {
	if b.limit >= 0 && *b.written+int64(len(p)) > b.limit {
		return 0, b.err
	}
	n, err := b.f.Write(p)
	*b.written += int64(n)
	return n, err
}

func (b *boundedFile) Close() error { return b.f.Close() }
