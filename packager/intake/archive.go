package intake

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
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
func (s *scanner) zip(ctx context.Context, it *Item, root string, ra io.ReaderAt, size int64, depth int) []*Item {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		it.Kind = KindUnreadable
		it.Problems = append(it.Problems, fmt.Sprintf(i18n.Msg("damaged ZIP archive: %s"), err))
		return []*Item{it}
	}
	if kind, format, reason := zipFlavour(zr); kind != "" {
		it.Kind, it.Format, it.Reason = kind, format, reason
		it.Problems = []string{}
		return []*Item{it}
	}
	it.Problems = []string{}
	out := []*Item{it}
	if depth >= s.opts.MaxArchiveDepth {
		it.Problems = append(it.Problems, fmt.Sprintf(i18n.Msg("archives nested more than %d deep are not opened: unpack this one first"), s.opts.MaxArchiveDepth))
		return out
	}
	if len(zr.File) > s.opts.MaxArchiveEntries {
		it.Problems = append(it.Problems, fmt.Sprintf(i18n.Msg("the archive holds %d entries, more than the %d Dossier reads: unpack it first"), len(zr.File), s.opts.MaxArchiveEntries))
		return out
	}
	budget := &byteBudget{left: s.opts.MaxArchiveBytes}
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
				Reason: i18n.Msg("refused: its name points outside the archive (for example '../'), which is unsafe"), Problems: []string{}})
			continue
		}
		entry = it.Path + "!/" + name
		if reason := junkDir(path.Base(path.Dir(name))); reason != "" || strings.HasPrefix(name, "__MACOSX/") {
			if reason == "" {
				reason = i18n.Msg("macOS copy metadata, not a record")
			}
			out = append(out, &Item{Path: entry, Kind: KindSkipped, Size: int64(f.UncompressedSize64), Reason: reason, Problems: []string{}})
			continue
		}
		src, cleanup, err := s.unpack(f, budget)
		if err != nil {
			out = append(out, unreadable(entry, int64(f.UncompressedSize64), fmt.Sprintf(i18n.Msg("cannot unpack from the archive: %s"), err)))
			if errors.Is(err, errBudget) {
				it.Problems = append(it.Problems, fmt.Sprintf(i18n.Msg("%s: unpack it first"), errBudget))
				break
			}
			continue
		}
		src.path, src.root, src.modTime = entry, parentRoot, f.Modified
		out = append(out, s.analyze(ctx, src, depth+1)...)
		cleanup()
	}
	return out
}

// zipFlavour recognises ZIP files that are not archives of records.
func zipFlavour(zr *zip.Reader) (kind Kind, format, reason string) {
	has := map[string]bool{}
	for _, f := range zr.File {
		has[f.Name] = true
	}
	switch {
	case has["word/document.xml"]:
		return KindDocument, "docx", ""
	case has["xl/workbook.xml"]:
		return KindDocument, "xlsx", ""
	case has["ppt/presentation.xml"]:
		return KindDocument, "pptx", ""
	case has["mimetype"] && has["content.xml"]:
		return KindDocument, "odf", ""
	case has["META-INF/MANIFEST.MF"]:
		return KindSkipped, "jar", i18n.Msg("a Java program (for example the viewer on a CD), not a record")
	}
	return "", "", ""
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

// byteBudget counts bytes unpacked from one archive.
type byteBudget struct{ left int64 }

// unpack reads one entry into memory, or into a private temporary file when
// large, checking its true size against the archive's bounds as it goes.
func (s *scanner) unpack(f *zip.File, budget *byteBudget) (source, func(), error) {
	rc, err := f.Open()
	if err != nil {
		return source{}, nil, err
	}
	defer rc.Close()
	// An entry may unpack to at most ratio x its packed size (plus a little,
	// for tiny entries), whatever its header claims.
	limit := int64(f.CompressedSize64)*s.opts.MaxArchiveRatio + 1<<20
	bound := errBomb
	if limit > budget.left {
		limit, bound = budget.left, errBudget
	}
	lr := &io.LimitedReader{R: rc, N: limit + 1}
	if f.UncompressedSize64 <= uint64(s.opts.MemoryEntryBytes) {
		var buf bytes.Buffer
		buf.Grow(int(min(int64(f.UncompressedSize64), s.opts.MemoryEntryBytes)))
		n, err := io.Copy(&buf, io.LimitReader(lr, s.opts.MemoryEntryBytes+1))
		if err == nil && n > s.opts.MemoryEntryBytes {
			err = errors.New(i18n.Msg("the entry is larger than its header says"))
		}
		if err == nil && lr.N <= 0 {
			err = bound
		}
		budget.left -= n
		if err != nil {
			return source{}, nil, err
		}
		return source{size: n, ra: bytes.NewReader(buf.Bytes())}, func() {}, nil
	}
	tmp, err := os.CreateTemp("", "dossier-entry-*")
	if err != nil {
		return source{}, nil, fmt.Errorf("no room for a temporary copy: %w", err)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	n, err := io.Copy(tmp, lr)
	budget.left -= n
	if err == nil && lr.N <= 0 {
		err = bound
	}
	if err != nil {
		cleanup()
		return source{}, nil, err
	}
	return source{size: n, ra: tmp}, cleanup, nil
}
