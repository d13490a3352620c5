package bundle

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"filippo.io/age"

	"dossier/packager/atomicfile"
	"dossier/packager/deid"
	"dossier/packager/dicomdir"
	"dossier/packager/doctext"
	"dossier/packager/envelope"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

// Output says where and how a bundle is written.
type Output struct {
	// Dir is the destination folder; Name the bundle's base name (no
	// extension, no patient data: e.g. "dossier-2026-11-27").
	Dir, Name string
	// Folder writes the inner tree unencrypted into Dir/Name (for a USB
	// stick taken to a visit: IHE PDI forbids encrypted media).
	Folder bool
	// Passphrase or Recipients encrypt the bundle (one of them is required
	// unless Folder).
	Passphrase string
	Recipients []age.Recipient
	// Split is the largest volume in bytes (0: one file).
	Split int64
	// Overwrite allows replacing existing files of the same name.
	Overwrite bool
}

// CoverInfo is what the cover summary needs from the bundle being written.
type CoverInfo struct {
	Level       privacy.Level
	Fingerprint string
	Created     time.Time
	// LeftOut are the items not in the bundle, by name or kind and reason,
	// never with an original file name at private levels.
	LeftOut []LeftOutLine
	// Names maps each written item's original path to its name in the
	// bundle (an item absent from the map is not in the bundle).
	Names map[string]string
	// Studies are the imaging studies as written (de-identified values).
	Studies []StudySummary
	// Redacted maps the bundle name of each item the patient's details
	// were removed from to what was removed (kinds and counts).
	Redacted map[string][]deid.Redaction
	// SentNamed are the bundle names of items that needed review and that
	// the user chose to send as they are: at a private level they carry
	// the patient's identity.
	SentNamed []string
}

// StudySummary is one imaging study as written into the bundle.
type StudySummary struct {
	Date        string // YYYY-MM-DD
	Modalities  []string
	Description string // empty at private levels
	Series      int
	Images      int
	Folder      string // e.g. DICOM/ST000001
}

// Options adjust Pack.
type Options struct {
	Params privacy.Params
	// Include lists items that need review which the user chose to send.
	Include map[string]bool
	// Redactions holds the boxes the user confirmed, by item path.
	Redactions map[string]*deid.Redactions
	// ConvertHEIC lets HEIC photos that cannot be cleaned in place be
	// converted to JPEG (the user's consent).
	ConvertHEIC bool
	// NoRedact holds documents whose text names the patient for review
	// instead of redacting them (see deid.Options).
	NoRedact bool
	// Language is the language of the labels in redaction boxes.
	Language string
	// Categories maps item paths to document categories (METADATA.XML).
	Categories map[string]string
	// Recipient describes who can open the bundle, for README and audit.
	Recipient string
	// Cover writes COVER.PDF. Required.
	Cover func(ctx context.Context, w io.Writer, info CoverInfo) error
	// Intake bounds reading items inside archives.
	Intake intake.Options
	// Progress, if set, is called as items are written (from Pack's goroutine).
	Progress func(Progress)
	// Index is what INDEX.HTM says besides the files (the question, the clinical summary).
	Index IndexText
	// Now tells the time (for tests); nil means time.Now.
	Now func() time.Time
}

// Progress reports how far Pack has come.
type Progress struct {
	Done, Total int
	Bytes       int64
	TotalBytes  int64
	// Current is the output name being written (never an original name).
	Current string
}

// Result is what Pack wrote.
type Result struct {
	Name        string          `json:"name"`
	Files       []string        `json:"files"` // final paths of what was written
	Fingerprint string          `json:"fingerprint"`
	Privacy     privacy.Level   `json:"privacy"`
	Items       []deid.Written  `json:"items"`
	LeftOut     []deid.Decision `json:"leftOut"`
	InnerBytes  int64           `json:"innerBytes"`
	OutputBytes int64           `json:"outputBytes"`
	Created     time.Time       `json:"created"`
}

// descriptive files carry the fingerprint or describe the rest, so the
// fingerprint does not cover them.
var descriptive = map[string]bool{NameReadme: true, NameIndex: true, NameCover: true, NameManifest: true}

// Fingerprint computes a bundle's fingerprint from its manifest entries:
// the SHA-256 of the manifest lines of every file except the descriptive
// ones (README.TXT, INDEX.HTM, COVER.PDF, MANIFEST.SHA256), in name order.
func Fingerprint(lines map[string]string) string {
	names := make([]string, 0, len(lines))
	for n := range lines {
		if !descriptive[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s  %s\n", lines[n], n)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sink receives the inner tree's files.
type sink interface {
	create(name string, compress bool) (io.Writer, error)
}

type zipSink struct{ z *zipWriter }

// discardSink takes files and keeps nothing.
type discardSink struct{}

func (discardSink) create(string, bool) (io.Writer, error) { return io.Discard, nil }

func (s zipSink) create(name string, compress bool) (io.Writer, error) {
	return s.z.create(name, compress)
}

// folderSink writes files into a staging folder.
type folderSink struct {
	dir  string
	open *os.File
}

func (s *folderSink) create(name string, _ bool) (io.Writer, error) {
	if err := s.closeOpen(); err != nil {
		return nil, err
	}
	p := filepath.Join(s.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	s.open = f
	return f, nil
}

func (s *folderSink) closeOpen() error {
	if s.open == nil {
		return nil
	}
	err := s.open.Close()
	s.open = nil
	return err
}

// ErrNoKey is returned when an encrypted bundle has neither a passphrase
// nor recipients.
var ErrNoKey = errors.New("a bundle needs a passphrase or at least one recipient key")

// Pack writes the bundle for inv: plans each item at the level of
// opts.Params, streams every item once through de-identification, hashing
// and the leak scan into the inner tree, adds the generated files, and
// writes it encrypted (or as a folder) under temporary names; it verifies
// what is on disk and only then gives the files their final names. On any
// failure, cancellation or leak nothing is left under a final name.
func Pack(ctx context.Context, inv *intake.Inventory, out Output, opts Options) (res *Result, err error) {
	if opts.Cover == nil {
		return nil, errors.New("bundle: no cover writer")
	}
	if !out.Folder && out.Passphrase == "" && len(out.Recipients) == 0 {
		return nil, ErrNoKey
	}
	if out.Name == "" || strings.ContainsAny(out.Name, `/\`) || strings.HasPrefix(out.Name, ".") {
		return nil, fmt.Errorf("bundle: %q is not a plain name", out.Name)
	}
	if err := os.MkdirAll(out.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the destination folder: %w", err)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	level := opts.Params.Level
	// The case's identity in its usual spellings, worked out once: for the
	// plan (documents that name the patient), the transforms (identity in
	// kept text) and the leak scan of what is written.
	var scanner *leakscan.Scanner
	if level != privacy.Identified && inv.Identity != nil {
		needles := inv.Identity.Needles()
		scanner = leakscan.New(needles)
		opts.Params = deid.WithSpellings(opts.Params, needles)
	}
	// Each DICOM file is checked by the de-identifier as it is written
	// rather than also run through it to plan: read and transformed once.
	ds, err := deid.Plan(ctx, inv, level, deid.Options{Include: opts.Include, Intake: opts.Intake, Scanner: scanner, ConvertHEIC: opts.ConvertHEIC, Redactions: opts.Redactions, NoRedact: opts.NoRedact, Language: opts.Language, CheckDICOMOnWrite: true})
	if err != nil {
		return nil, err
	}
	dedupe(ds)
	// The safety net: a file whose written copy the leak scan finds the
	// patient's identity in is held back and the bundle is made again
	// without it (what was written cannot be taken back out of an
	// encrypted stream). The transforms are deterministic, so the second
	// round finds nothing new; should a third still find something, Pack
	// gives up with errHeld rather than loop.
	for round := 0; ; round++ {
		p := &packer{ctx: ctx, inv: inv, opts: opts, level: level, created: now().UTC().Truncate(time.Second), scanner: scanner, held: map[string][]leakscan.Hit{}}
		res = &Result{Name: out.Name, Privacy: level, Created: p.created, Items: []deid.Written{}, LeftOut: []deid.Decision{}}
		for i := range ds {
			if d := &ds[i]; d.Writes() {
				p.todo = append(p.todo, d)
				p.totalBytes += itemBytes(d.Item)
			} else {
				res.LeftOut = append(res.LeftOut, *d)
			}
		}
		if out.Folder {
			res, err = p.packFolder(out, res)
		} else {
			res, err = p.packEncrypted(out, res)
		}
		if err == nil {
			// Made now that the ZIP's directory and the DICOMDIR's entries
			// are gone: a pack of 30,000 files held both until the end.
			res.Items = p.written()
		}
		if !errors.Is(err, errHeld) || round == 2 {
			return res, err
		}
		for i, d := range ds {
			if hits, ok := p.held[d.Path]; ok {
				ds[i] = deid.Hold(d, hits)
			}
		}
	}
}

// errHeld stops a round of Pack that found identity in a written record;
// Pack then holds those records back and writes the bundle again.
var errHeld = errors.New("the leak scan found the patient's identity in a written file")

// dedupe leaves out second copies of the same DICOM image: a DICOMDIR may
// list each image once only.
func dedupe(ds []deid.Decision) {
	seen := map[string]bool{}
	for i := range ds {
		d := &ds[i]
		if !d.Writes() || d.Item.Kind != intake.KindDICOM || d.Item.SOPInstanceUID == "" {
			continue
		}
		if seen[d.Item.SOPInstanceUID] {
			d.Action, d.Reason, d.Included = deid.Exclude, i18n.NewText(i18n.Msg("a second copy of an image that is already included")), false
			continue
		}
		seen[d.Item.SOPInstanceUID] = true
	}
}

// packer holds the state of one Pack.
type packer struct {
	ctx        context.Context
	inv        *intake.Inventory
	opts       Options
	level      privacy.Level
	created    time.Time
	scanner    *leakscan.Scanner
	todo       []*deid.Decision // into Pack's plan, not copies
	totalBytes int64

	// What is kept of each written file until the end is small (see
	// fileEntry, deid.Written and dicomdir.Builder): a bundle of 30,000
	// images holds it all while it writes the rest.
	files []fileEntry // the records' files, in the order written
	gen   []fileEntry // Dossier's own files (the manifest excepted)
	// dir collects the DICOMDIR's entries; dirErr is the first entry it
	// refused (the DICOMDIR cannot then be made).
	dir     *dicomdir.Builder
	dirErr  error
	studies map[string]*studyLine
	order   []string
	series  map[string]bool // the series folders written (DICOM/ST000001/SE000001)
	leaks   []leakscan.Hit
	// held are the records (by original path) whose written copy the leak
	// scan found identity in, with what it found.
	held map[string][]leakscan.Hit
	// prefix is the buffer the first bytes of each DICOM file are kept in.
	prefix []byte
	// refused are the DICOM files the de-identifier refused when they were
	// written (the plan left that check to the writing, see
	// deid.WriteChecked); they join the left out.
	refused []deid.Decision
	// early makes INDEX.HTM's pictures while the records are written.
	early *earlyThumbs
	done  int
	bytes int64
}

func (p *packer) packEncrypted(out Output, res *Result) (*Result, error) {
	files, err := envelope.NewAtomicFiles(out.Dir, out.Overwrite)
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			files.Abort()
		}
	}()
	recipients := out.Recipients
	var readBack age.Identity // opens the read-back by the kept file key: no second scrypt
	if out.Passphrase != "" {
		r, id, err := envelope.PassphrasePair(out.Passphrase)
		if err != nil {
			return nil, err
		}
		recipients, readBack = append([]age.Recipient{r}, recipients...), id
	}
	base := out.Name + ".age"
	vw, err := envelope.NewVolumeWriter(files, base, out.Split)
	if err != nil {
		return nil, err
	}
	// The disk writes run on a goroutine of their own, in 1 MiB writes,
	// so that encryption goes on while the system takes the last chunk
	// (and the hashes and the leak scan run on others, see tee). Each
	// volume is read back from the disk as it is written, and its Close
	// fails if the disk did not keep what it was given
	// (envelope.ErrReadBack). Encrypting on the disk writer's goroutine
	// instead was tried: it cost more CPU (age's 64 KiB chunks gathered
	// again into 1 MiB writes) for no gain on two cores.
	disk := newAsyncWriter(vw)
	enc, err := envelope.Encrypt(disk, recipients...)
	if err != nil {
		disk.Close()
		return nil, err
	}
	z := newZipWriter(enc)
	if err := p.writeTree(zipSink{z}, res); err != nil {
		disk.Close()
		return nil, err
	}
	if err := z.close(); err != nil {
		disk.Close()
		return nil, fmt.Errorf("finishing the bundle: %w", err)
	}
	if err := enc.Close(); err != nil {
		disk.Close()
		return nil, fmt.Errorf("finishing the encryption: %w", err)
	}
	if err := disk.Close(); err != nil {
		return nil, readBackErr(fmt.Errorf("writing the bundle: %w", err))
	}
	if err := vw.Close(); err != nil {
		return nil, readBackErr(err)
	}
	// With a passphrase, check that what is on disk opens and verifies.
	if out.Passphrase != "" {
		rd, err := files.Reader(vw.Names()...)
		if err != nil {
			return nil, err
		}
		plain, err := envelope.Decrypt(rd, readBack)
		if err == nil {
			_, err = Verify(p.ctx, plain, VerifyOptions{})
		}
		rd.Close()
		if err != nil {
			return nil, fmt.Errorf("the written bundle does not check out, so it was removed: %w", err)
		}
	}
	how, err := files.Create(out.Name + ".HOW-TO-OPEN.txt")
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(how, envelope.HowToOpenIn(p.opts.Language, base, out.Passphrase != "", vw.Volumes())); err != nil {
		how.Close()
		return nil, err
	}
	if err := how.Close(); err != nil {
		return nil, err
	}
	if err := files.Commit(); err != nil {
		return nil, err
	}
	committed = true
	for _, n := range files.Names() {
		res.Files = append(res.Files, filepath.Join(out.Dir, n))
	}
	for _, s := range vw.Sizes() {
		res.OutputBytes += s
	}
	return res, nil
}

// readBackErr says what a volume that did not read back as written means
// to the user.
func readBackErr(err error) error {
	if errors.Is(err, envelope.ErrReadBack) {
		return fmt.Errorf("the bundle read back from disk differs from what was written, so it was removed (is the disk failing?): %w", err)
	}
	return err
}

func (p *packer) packFolder(out Output, res *Result) (*Result, error) {
	final := filepath.Join(out.Dir, out.Name)
	if _, err := os.Lstat(final); err == nil && !out.Overwrite {
		return nil, fmt.Errorf("%w: %s: choose another name or an empty stick", ErrExists, filepath.Base(final))
	}
	staging, err := envelope.NewStagingDir(out.Dir)
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", out.Dir, err)
	}
	defer staging.Release()
	stage := staging.Path()
	fs := &folderSink{dir: stage}
	if err := p.writeTree(fs, res); err != nil {
		fs.closeOpen()
		return nil, err
	}
	if err := fs.closeOpen(); err != nil {
		return nil, err
	}
	if _, err := VerifyFolder(p.ctx, stage); err != nil {
		return nil, fmt.Errorf("the written folder does not check out, so it was removed: %w", err)
	}
	if out.Overwrite {
		os.RemoveAll(final)
	}
	if err := atomicfile.PlaceDir(stage, final); err != nil {
		return nil, fmt.Errorf("moving the folder into place: %w", err)
	}
	res.Files = []string{final}
	res.OutputBytes = res.InnerBytes
	return res, nil
}

// writeTree writes every item and then the generated files into s.
func (p *packer) writeTree(s sink, res *Result) error {
	p.studies, p.series = map[string]*studyLine{}, map[string]bool{}
	p.files = make([]fileEntry, 0, len(p.todo))
	p.early = p.startThumbnails()
	defer func() {
		p.early.stop()
		p.early = nil
	}()
	for _, d := range p.todo {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		if len(p.held) > 0 {
			// This round's bundle will be thrown away: only scan the rest,
			// to hold back every leaking record at once.
			s = discardSink{}
		}
		if err := p.writeItem(s, d); err != nil {
			return fmt.Errorf("%s: %w", d.Path, err)
		}
	}
	if len(p.held) > 0 {
		return errHeld
	}
	res.LeftOut = append(res.LeftOut, p.refused...)
	if err := p.writeGenerated(s, res); err != nil {
		return err
	}
	if len(p.leaks) > 0 {
		return &deid.LeakError{Hits: p.leaks}
	}
	for _, f := range p.files {
		res.InnerBytes += f.Size
	}
	for _, f := range p.gen {
		res.InnerBytes += f.Size
	}
	return nil
}

// tee collects what an entry's bytes are needed for: the hashes and the
// leak scan. A large write (directWrite) is hashed and scanned from the
// caller's bytes on a second goroutine while it is zipped and encrypted on
// the first (the disk writes run on a third); the leak scan of a write of
// 256 KiB or more runs beside its hashing, on a goroutine of its own
// (leakscan.Tap). Smaller writes (DICOM files, documents) are hashed and
// scanned where they are written: handing copies of them to a goroutine
// cost more CPU, in copies and wake-ups, than it overlapped, and was no
// faster on two cores.
type tee struct {
	w      io.Writer
	sha256 hash.Hash
	sha1   hash.Hash
	sums   io.Writer // the hashes
	scan   *leakscan.Tap
	n      int64
	prefix []byte // the first bytes of DICOM files, for their header
	keep   int
}

func newTee(w io.Writer, docs bool, sc *leakscan.Scanner, name string, keep int) *tee {
	t := &tee{w: w, sha256: sha256.New(), keep: keep}
	t.sums = t.sha256
	if docs {
		t.sha1 = sha1.New()
		t.sums = io.MultiWriter(t.sha256, t.sha1)
	}
	if sc != nil {
		// The scan of a chunk of leakscan's parallel size runs while the
		// chunk is hashed.
		t.scan = sc.Writer(name, t.sums)
	}
	return t
}

// consume hashes and scans b, in order after what came before.
func (t *tee) consume(b []byte) {
	if t.scan != nil {
		t.scan.Write(b)
	} else {
		t.sums.Write(b)
	}
}

// directWrite is the size from which a write is hashed and scanned on a
// second goroutine while it is written: a slide streams through in writes
// of several MiB. Lower (64 KiB, so a CT's 512 KiB of pixels went too),
// the pack took as much CPU and more time.
const directWrite = 1 << 20

func (t *tee) Write(b []byte) (int, error) {
	if len(b) >= directWrite {
		done := make(chan struct{})
		go func() {
			defer close(done)
			t.consume(b)
		}()
		n, err := t.w.Write(b)
		<-done // the caller may reuse b once Write returns
		// Bytes after n were hashed and scanned but not written: the error
		// ends the entry.
		t.kept(b[:n])
		return n, err
	}
	n, err := t.w.Write(b)
	t.consume(b[:n])
	t.kept(b[:n])
	return n, err
}

// kept counts the bytes written and keeps the first of them (see keep).
func (t *tee) kept(b []byte) {
	if room := t.keep - len(t.prefix); room > 0 {
		t.prefix = append(t.prefix, b[:min(len(b), room)]...)
	}
	t.n += int64(len(b))
}

// finish returns what the leak scan found; call it once, after the last
// write.
func (t *tee) finish() []leakscan.Hit {
	if t.scan != nil {
		return t.scan.Hits
	}
	return nil
}

// maxScannedDocument is the largest written document whose text is
// extracted again for the leak scan (its bytes are kept in memory).
const maxScannedDocument = 64 << 20

// hasText reports whether an item's written copy has text that may sit in
// compressed streams.
func hasText(it *intake.Item) bool {
	switch it.Format {
	case "pdf", "docx", "odf", "rtf":
		return true
	}
	return false
}

// headerPrefix is how much of a written DICOM file is kept to read its
// header for the DICOMDIR: de-identified headers (private tags gone) are
// far smaller; an original copied at the identified level whose header is
// larger is read again from the original instead.
const headerPrefix = 256 << 10

func (p *packer) writeItem(s sink, d *deid.Decision) error {
	it := d.Item
	if deid.MultiFile(it) {
		return p.writeMRXS(s, d)
	}
	w := &lazyEntry{s: s, name: d.Name}
	keep := 0
	layers := ""
	if p.scanner != nil {
		layers = deid.LayerFormat(it)
	}
	switch {
	case it.Kind == intake.KindDICOM:
		keep = headerPrefix
	case layers != "":
		keep = maxScannedDocument
	}
	t := newTee(w, strings.HasPrefix(d.Name, "IHE_XDM/"), p.scanner, d.Name, keep)
	if keep == headerPrefix {
		// One buffer for the prefix of every DICOM file: nothing read from
		// it is kept past this item (addDICOM keeps copies).
		t.prefix = p.prefix[:0]
		defer func() { p.prefix = t.prefix[:0] }()
	}
	left, werr := deid.WriteChecked(p.ctx, t, *d, p.opts.Params, p.opts.Intake)
	hits := t.finish()
	if werr != nil {
		return werr
	}
	if !left.IsZero() {
		// Refused before a byte was written: left out, with the reason
		// the plan would have given, and no entry was begun.
		d.Action, d.Reason, d.Name = deid.Exclude, left, ""
		p.refused = append(p.refused, *d)
		p.advance(d)
		return nil
	}
	if err := w.open(); err != nil {
		return err
	}
	if p.scanner != nil {
		p.leaks = append(p.leaks, p.scanner.String("entry name", d.Name)...)
	}
	if layers != "" {
		// Text in compressed streams (PDF, DOCX), metadata blocks and DICOM
		// values in their character set are not all in the raw bytes: read
		// the written copy's layers (a DICOM file's header, which is kept).
		if int64(len(t.prefix)) == t.n || it.Kind == intake.KindDICOM {
			if hasText(it) {
				if text, err := doctext.Extract(p.ctx, bytes.NewReader(t.prefix), t.n, it.Format, doctext.Options{}); err == nil {
					hits = append(hits, p.scanner.Text(d.Name, i18n.Msg("the document's text"), text)...)
				}
			}
			more, _ := p.scanner.Explain(p.ctx, d.Name, bytes.NewReader(t.prefix), int64(len(t.prefix)), layers)
			hits = append(hits, more...)
		}
		if it.Kind != intake.KindDICOM {
			t.prefix = nil
		}
	}
	if len(hits) > 0 && !d.Included {
		p.held[d.Path] = hits
		return nil
	}
	entry := fileEntry{Name: d.Name, Size: t.n, Item: it, d: d}
	t.sha256.Sum(entry.sum[:0])
	if t.sha1 != nil || strings.HasPrefix(d.Name, "SLIDES/") {
		entry.doc = p.docOf(it)
		if t.sha1 != nil {
			entry.doc.SHA1 = hex.EncodeToString(t.sha1.Sum(nil))
		}
	}
	if d.Included {
		if w := deid.IncludedWarnings(hits); len(w) > 0 {
			entry.more = &fileMore{warnings: w}
		}
	}
	p.files = append(p.files, entry)
	if it.Kind == intake.KindDICOM {
		if err := p.addDICOM(d, t.prefix, t.n); err != nil {
			return err
		}
	}
	p.advance(d)
	return nil
}

// advance counts an item of p.todo done and reports the progress.
func (p *packer) advance(d *deid.Decision) {
	p.done++
	p.bytes += d.Item.Size
	if p.opts.Progress != nil {
		p.opts.Progress(Progress{Done: p.done, Total: len(p.todo), Bytes: p.bytes, TotalBytes: p.totalBytes, Current: d.Name})
	}
}
