package intake

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"path"
	"sort"
	"strings"

	"dossier/packager/i18n"
)

// errBomb is returned when an archive entry unpacks to far more than it
// should.
var errBomb = errors.New(i18n.Msg("unpacks to far more data than its size allows (a damaged archive or a 'zip bomb')"))

// errBudget is returned when an archive as a whole unpacks to more than
// Options.MaxArchiveBytes.
var errBudget = errors.New(i18n.Msg("the archive unpacks to more data than Dossier accepts from one download"))

// zip looks inside a ZIP archive. Office documents (DOCX, XLSX, ODT) are
// documents, Java archives belong to viewer programs; anything else is an
// archive whose entries are analysed like files, with guards against path
// traversal, zip bombs and deep nesting.
//
// budget is shared by a top-level archive and every archive nested in it
// (nil for a top-level archive: zip makes it).
func (s *scanner) zip(ctx context.Context, it *Item, root string, ra io.ReaderAt, size int64, depth int, budget *byteBudget) []*Item {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		it.Kind = KindUnreadable
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("damaged ZIP archive: %s"), err))
		return []*Item{it}
	}
	if kind, format, reason := zipFlavour(zr); kind != "" {
		it.Kind, it.Format, it.Reason = kind, format, reason
		it.Problems = []i18n.Text{}
		return []*Item{it}
	}
	it.Problems = []i18n.Text{}
	out := []*Item{it}
	if depth >= s.opts.MaxArchiveDepth {
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("archives nested more than %d deep are not opened: unpack this one first"), s.opts.MaxArchiveDepth))
		return out
	}
	if len(zr.File) > s.opts.MaxArchiveEntries {
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("the archive holds %d entries, more than the %d Dossier reads: unpack it first"), len(zr.File), s.opts.MaxArchiveEntries))
		return out
	}
	if problem := sharedData(zr, ra, size); !problem.IsZero() {
		it.Problems = append(it.Problems, problem)
		return out
	}
	if budget == nil {
		budget = s.newBudget(size)
	}
	locked := false
	parentRoot := root
	if parentRoot == "" {
		parentRoot = it.Path
	}
	for _, f := range zr.File {
		if ctx.Err() != nil {
			break
		}
		if f.FileInfo().IsDir() {
			continue
		}
		entry := it.Path + "!/" + f.Name
		name, ok := safeEntryName(f.Name)
		if !ok {
			out = append(out, &Item{Path: entry, Kind: KindSkipped, Size: int64(f.UncompressedSize64),
				Reason: i18n.NewText(i18n.Msg("refused: its name points outside the archive (for example '../'), which is unsafe")), Problems: []i18n.Text{}})
			continue
		}
		entry = it.Path + "!/" + name
		if reason := junkDir(path.Base(path.Dir(name))); !reason.IsZero() || strings.HasPrefix(name, "__MACOSX/") {
			if reason.IsZero() {
				reason = i18n.NewText(i18n.Msg("macOS copy metadata, not a record"))
			}
			out = append(out, &Item{Path: entry, Kind: KindSkipped, Size: int64(f.UncompressedSize64), Reason: reason, Problems: []i18n.Text{}})
			continue
		}
		if entryLocked(f) {
			if !locked {
				it.Problems = append(it.Problems, i18n.NewText(errLocked.Error()))
				locked = true
			}
			out = append(out, &Item{Path: entry, Kind: KindUnreadable, Size: int64(f.UncompressedSize64), Problems: []i18n.Text{i18n.NewText(errLocked.Error())}})
			continue
		}
		src, cleanup, err := s.unpack(f, budget)
		if err != nil {
			out = append(out, unreadable(entry, int64(f.UncompressedSize64), i18n.NewText(i18n.Msg("cannot unpack from the archive: %s"), err)))
			if errors.Is(err, errBudget) {
				it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("%s: unpack it first"), errBudget))
				break
			}
			continue
		}
		src.path, src.root, src.modTime, src.budget = entry, parentRoot, f.Modified, budget
		out = append(out, s.analyze(ctx, src, depth+1)...)
		cleanup()
	}
	return out
}

// zipFlavour recognises ZIP files that are not archives of records.
func zipFlavour(zr *zip.Reader) (kind Kind, format string, reason i18n.Text) {
	has := map[string]bool{}
	for _, f := range zr.File {
		has[f.Name] = true
	}
	switch {
	case has["word/document.xml"]:
		return KindDocument, "docx", i18n.Text{}
	case has["xl/workbook.xml"]:
		return KindDocument, "xlsx", i18n.Text{}
	case has["ppt/presentation.xml"]:
		return KindDocument, "pptx", i18n.Text{}
	case has["mimetype"] && has["content.xml"]:
		return KindDocument, "odf", i18n.Text{}
	case has["META-INF/MANIFEST.MF"]:
		return KindSkipped, "jar", i18n.NewText(i18n.Msg("a Java program (for example the viewer on a CD), not a record"))
	}
	return "", "", i18n.Text{}
}

// safeEntryName cleans an entry name and refuses names that are absolute or
// climb out of the archive.
func safeEntryName(name string) (string, bool) {
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || (len(n) > 1 && n[1] == ':') {
		return "", false
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", false
		}
	}
	n = path.Clean(n)
	if n == "." || n == "" {
		return "", false
	}
	return n, true
}

// archiveSlack and entrySlack are what any archive, and any entry, may
// unpack to beyond the ratio (tiny files compress very well); tests lower
// them.
var (
	archiveSlack int64 = 16 << 20
	entrySlack   int64 = 1 << 20
)

// byteBudget counts the bytes unpacked from one top-level archive and the
// archives nested in it: nesting cannot multiply what a download unpacks to.
type byteBudget struct{ left int64 }

// newBudget is the budget of a top-level archive of size bytes: at most
// MaxArchiveRatio times its size (plus a little), and never more than
// MaxArchiveBytes.
func (s *scanner) newBudget(size int64) *byteBudget {
	return &byteBudget{left: min(s.opts.MaxArchiveBytes, size*s.opts.MaxArchiveRatio+archiveSlack)}
}

// errLocked is the problem of a password-protected ZIP (classic ZipCrypto or
// AES).
var errLocked = errors.New(i18n.Msg("this ZIP is locked with a password: unpack it first"))

// entryLocked reports an encrypted entry: bit 0 of the flags (ZipCrypto and
// AES alike), or WinZip's AES method 99.
func entryLocked(f *zip.File) bool { return f.Flags&0x1 != 0 || f.Method == 99 }

// sharedData refuses an archive whose entries share data or whose data runs
// into or past its central directory: a ZIP written by any archiver has
// neither, and a crafted one uses them to make a small file unpack to many
// times the same large stream. It returns the problem, or "".
func sharedData(zr *zip.Reader, ra io.ReaderAt, size int64) i18n.Text {
	type span struct{ start, end int64 }
	spans := make([]span, 0, len(zr.File))
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			continue // the entry itself will be reported as damaged
		}
		end := off + int64(f.CompressedSize64)
		if f.CompressedSize64 > uint64(size) || end > size || end < off {
			return i18n.NewText(i18n.Msg("an entry's data runs past the end of the archive: it is damaged or crafted (a 'zip bomb'); unpack it with a tool you trust first"))
		}
		spans = append(spans, span{off, end})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	for i := 1; i < len(spans); i++ {
		if spans[i].start < spans[i-1].end {
			return i18n.NewText(i18n.Msg("entries of this archive share their data, which only a crafted archive (a 'zip bomb') does: unpack it with a tool you trust first"))
		}
	}
	if dir, ok := directoryStart(ra, size); ok && len(spans) > 0 && spans[len(spans)-1].end > dir {
		return i18n.NewText(i18n.Msg("an entry's data runs into the archive's directory: it is damaged or crafted (a 'zip bomb'); unpack it with a tool you trust first"))
	}
	return i18n.Text{}
}

// directoryStart finds where a ZIP's central directory starts (the end
// record's position minus the directory's size, which holds also for a ZIP
// with data before it, as Go's reader assumes).
func directoryStart(ra io.ReaderAt, size int64) (int64, bool) {
	n := min(size, 65535+22)
	buf := make([]byte, n)
	if _, err := ra.ReadAt(buf, size-n); err != nil && !errors.Is(err, io.EOF) {
		return 0, false
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || i+22 > len(buf) {
		return 0, false
	}
	end := size - n + int64(i)
	dirSize := int64(binary.LittleEndian.Uint32(buf[i+12:]))
	if dirSize == 0xFFFFFFFF || binary.LittleEndian.Uint16(buf[i+10:]) == 0xFFFF {
		// ZIP64: the locator just before the end record points at the ZIP64
		// end record, which holds the real size.
		if i < 20 || string(buf[i-20:i-16]) != "PK\x06\x07" {
			return 0, false
		}
		rec := int64(binary.LittleEndian.Uint64(buf[i-12:]))
		var z [56]byte
		if rec < 0 || rec+56 > size {
			return 0, false
		}
		if _, err := ra.ReadAt(z[:], rec); err != nil || string(z[:4]) != "PK\x06\x06" {
			return 0, false
		}
		end, dirSize = rec, int64(binary.LittleEndian.Uint64(z[40:]))
	}
	if dirSize < 0 || dirSize > end {
		return 0, false
	}
	return end - dirSize, true
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// entryReader unpacks one entry from its raw data, counting the packed
// bytes really consumed and checking the CRC at the end.
type entryReader struct {
	raw  *countingReader
	r    io.Reader
	fr   io.ReadCloser
	crc  hash.Hash32
	want uint32
	done bool
}

// errMethod is returned for an entry packed with a method Dossier does not
// read (only stored and deflated entries are).
var errMethod = errors.New(i18n.Msg("the entry is compressed with a method Dossier cannot read: unpack the archive with your computer first"))

func openEntryData(f *zip.File) (*entryReader, error) {
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, err
	}
	e := &entryReader{raw: &countingReader{r: raw}, crc: crc32.NewIEEE(), want: f.CRC32}
	switch f.Method {
	case zip.Store:
		e.r = e.raw
	case zip.Deflate:
		e.fr = flate.NewReader(e.raw)
		e.r = e.fr
	default:
		return nil, errMethod
	}
	return e, nil
}

func (e *entryReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.crc.Write(p[:n])
	if err == io.EOF && !e.done {
		e.done = true
		if e.crc.Sum32() != e.want && e.want != 0 {
			return n, zip.ErrChecksum
		}
	}
	return n, err
}

func (e *entryReader) Close() error {
	if e.fr != nil {
		return e.fr.Close()
	}
	return nil
}

// unpack reads one entry into memory, or into a private temporary file
// without a name when large, checking as it goes that it unpacks to at most
// MaxArchiveRatio times the packed bytes it really consumed (plus a little,
// for tiny entries), whatever its header claims, and within the budget.
func (s *scanner) unpack(f *zip.File, budget *byteBudget) (source, func(), error) {
	rc, err := openEntryData(f)
	if err != nil {
		return source{}, nil, err
	}
	defer rc.Close()
	w := &boundedWriter{ratio: s.opts.MaxArchiveRatio, raw: rc.raw, budget: budget}
	if f.UncompressedSize64 <= uint64(s.opts.MemoryEntryBytes) {
		var buf bytes.Buffer
		buf.Grow(int(min(int64(f.UncompressedSize64), s.opts.MemoryEntryBytes)))
		w.w, w.max = &buf, s.opts.MemoryEntryBytes
		_, err := io.Copy(w, rc)
		if err != nil {
			return source{}, nil, err
		}
		return source{size: int64(buf.Len()), ra: bytes.NewReader(buf.Bytes())}, func() {}, nil
	}
	tmp, err := privateTemp()
	if err != nil {
		return source{}, nil, fmt.Errorf("no room for a temporary copy: %w", err)
	}
	cleanup := func() { tmp.Close() }
	w.w, w.max = tmp, -1
	n, err := io.Copy(w, rc)
	if err != nil {
		cleanup()
		return source{}, nil, err
	}
	return source{size: n, ra: tmp}, cleanup, nil
}

// boundedWriter writes an entry's content to w, failing with errBomb when
// it grows past ratio times the packed bytes consumed so far (plus 1 MiB),
// with errBudget when the archive's budget runs out, and when max >= 0 with
// an error once it exceeds max bytes.
type boundedWriter struct {
	w      io.Writer
	max    int64
	ratio  int64
	raw    *countingReader
	budget *byteBudget
	n      int64
}

func (b *boundedWriter) Write(p []byte) (int, error) {
	n := int64(len(p))
	switch {
	case b.max >= 0 && b.n+n > b.max:
		return 0, errors.New(i18n.Msg("the entry is larger than its header says"))
	case b.n+n > b.raw.n*b.ratio+entrySlack:
		return 0, errBomb
	case n > b.budget.left:
		return 0, errBudget
	}
	m, err := b.w.Write(p)
	b.n += int64(m)
	b.budget.left -= int64(m)
	return m, err
}
