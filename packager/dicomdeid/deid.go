// Package dicomdeid de-identifies DICOM files as a streaming transform:
// src in, dst out, no temporary copies.
//
// Levels (privacy.Level):
//   - identified: the bytes are copied unchanged.
//   - pseudonymised: PS3.15 Annex E Basic Application Confidentiality
//     Profile (the whole of Table E.1-1, embedded as data in e1_1.txt) with
//     the options Retain Longitudinal Temporal Information with Full Dates,
//     Retain Patient Characteristics and Clean Descriptors; Patient's Name
//     and Patient ID become the case pseudonym.
//   - anonymised: Basic Profile with Retain Patient Characteristics and
//     Retain Longitudinal Temporal Information with Modified Dates: every
//     DA and the date part of every DT is moved by Params.DateShift days
//     (intervals kept), DT values lose their UTC offset and Timezone Offset
//     From UTC is removed (an offset tells where the patient was); name and
//     ID become privacy.AnonymousName.
//
// The header (every element before Pixel Data) is parsed by a bounded walk
// of its elements (packager/dicomwire), after packager/dicomx has checked the whole
// file and located Pixel Data; it is transformed and written in the input's
// encoding (implicit or explicit VR, little or big endian). The Pixel Data
// element (header and value, native or encapsulated with its Basic Offset
// Table and fragments) is then copied byte for byte from src, so memory
// stays flat however large the file; DeidentifyMasked instead writes native
// pixel data frame by frame with boxes filled (packager/pixelmask), and
// may then set Burned In Annotation to NO (pixels.go). Elements after Pixel Data (trailing
// padding, digital signatures, private groups) are dropped. The
// suyashkumar/dicom writer is not used: it rewrites sequences, byte-swaps
// big-endian OW, cannot write OV/SV/UV and writes UTF-8 under the old
// character set; writing elements here is simpler and exact.
//
// UID rule: every UI value is replaced by Params.UID (a keyed 2.25 UID)
// unless its tag is in keepUIDTags (SOP classes, transfer syntaxes, coding
// schemes, implementation class and similar well-known identifiers) or the
// value lies under the DICOM root 1.2.840.10008 (standard-defined UIDs are
// never instance identifiers). This covers every row E.1-1 marks U, the
// file meta's Media Storage SOP Instance UID, and instance UIDs inside any
// sequence, so references between files still resolve.
//
// Beyond Table E.1-1 Dossier also: removes private elements everywhere,
// except, when pseudonymising, the few of safeprivate.go (the Retain Safe
// Private Option: PET SUV factors, MR scale and diffusion values), every overlay (60xx) and curve (50xx) group,
// group lengths, and the source application entity titles of the meta
// group; empties Label Text (2200,0002) even under Clean Descriptors;
// refuses elements whose VR is unknown or contradicts the dictionary
// (readers would disagree on them); removes the file's own identity
// strings (name parts, IDs, birth date, accession number, addresses...)
// from every text value it keeps, as whole words; replaces Text Value (0040,A160) inside Content Sequence by a
// dummy (Content Sequence is D in the Basic Profile and Clean Structured
// Content is not claimed), and so any DA or DT there whose date is the
// patient's birth date (an SR DATE item equal to the birth date is the
// birth date); writes all text as UTF-8 under ISO_IR 192; and
// sets Patient Identity Removed, De-identification Method, its code
// sequence (CID 7050, only the options applied, never Clean Pixel Data) and
// Longitudinal Temporal Information Modified.
package dicomdeid

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"sort"
	"strings"
	"sync"

	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
	"dossier/packager/identity"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
)

// ErrUnsupported is wrapped by errors for inputs that are valid DICOM but
// that this package does not transform (deflated datasets, DICOMDIR,
// character sets it cannot decode).
var ErrUnsupported = errors.New("dicomdeid: unsupported DICOM input")

// ErrDamaged is wrapped by errors for damaged or truncated inputs.
var ErrDamaged = errors.New("dicomdeid: damaged DICOM input")

// Code is a coded entry (here: PS3.16 CID 7050 de-identification methods).
type Code struct {
	Value, Scheme, Meaning string
}

// The CID 7050 codes Dossier can claim.
var (
	CodeBasic             = Code{"113100", "DCM", "Basic Application Confidentiality Profile"}
	CodeCleanDescriptors  = Code{"113105", "DCM", "Clean Descriptors Option"}
	CodeRetainFullDates   = Code{"113106", "DCM", "Retain Longitudinal Temporal Information Full Dates Option"}
	CodeRetainModifDates  = Code{"113107", "DCM", "Retain Longitudinal Temporal Information Modified Dates Option"}
	CodeRetainPatientChar = Code{"113108", "DCM", "Retain Patient Characteristics Option"}
	CodeRetainSafePrivate = Code{"113111", "DCM", "Retain Safe Private Option"}
)

// Report says what Deidentify did. It never holds patient values.
type Report struct {
	Level privacy.Level
	// Copied: identified level, bytes copied unchanged.
	Copied bool
	// Counts of elements by action (recursively, inside sequences too).
	Removed, Emptied, Dummied, Cleaned, Replaced int
	// IdentityScrubbed counts text values kept or cleaned from which
	// identity strings of the same file (name parts, IDs, birth date,
	// accession, address...) were removed.
	IdentityScrubbed int
	// UIDsRemapped counts UID values replaced.
	UIDsRemapped int
	// PrivateRemoved counts private elements removed (creators included);
	// PrivateKept those kept under the Retain Safe Private Option (creators
	// not counted).
	PrivateRemoved, PrivateKept int
	// DatesShifted counts DA/DT elements moved; DatesEmptied those that
	// could not be parsed and were emptied.
	DatesShifted, DatesEmptied int
	// Options lists the CID 7050 codes written (the profile and the options
	// actually applied).
	Options []Code
	// CharacterSet is the input's Specific Character Set (defined terms);
	// text is written as UTF-8 under ISO_IR 192.
	CharacterSet []string
	// BurnedInRisk is dicomx.Header.BurnedInRisk: excluding such images is
	// the caller's decision.
	BurnedInRisk bool
	// PixelDataBytes is the size of the Pixel Data element copied byte for
	// byte (header included); TrailingBytesRemoved the bytes after it that
	// were dropped.
	PixelDataBytes, TrailingBytesRemoved int64
	// BoxesMasked is the number of boxes given to DeidentifyMasked;
	// FramesMasked the frames in which pixels were filled, PixelsMasked
	// the pixels filled.
	BoxesMasked, FramesMasked int
	PixelsMasked              int64
	// BurnedInCleared reports that Burned In Annotation was written as NO
	// (the user confirmed boxes covering every suggested region).
	BurnedInCleared bool
	// Decompressed reports compressed pixel data written decoded (native,
	// explicit VR little endian) once masked; RLE Lossless pixel data is
	// written as RLE Lossless again.
	Decompressed bool
	// Warnings are non-fatal findings, never patient values.
	Warnings []string
}

func (r *Report) warn(s string) {
	if !slices.Contains(r.Warnings, s) && len(r.Warnings) < 32 {
		r.Warnings = append(r.Warnings, s)
	}
}

// ShouldDrop reports whether an instance must be left out of a
// non-identified export, and why: VL Whole Slide Microscopy images whose
// Image Type value 3 is LABEL or OVERVIEW show the slide label. VOLUME and
// THUMBNAIL images go through Deidentify. Callers apply it only at the
// pseudonymised and anonymised levels.
func ShouldDrop(h *dicomx.Header) (drop bool, reason string) {
	if h == nil || !h.IsWSI() || len(h.ImageType) < 3 {
		return false, ""
	}
	switch v := strings.ToUpper(strings.TrimSpace(h.ImageType[2])); v {
	case "LABEL", "OVERVIEW":
		return true, "whole-slide " + v + " image: it shows the slide label"
	}
	return false, ""
}

// Deidentify writes to dst the de-identified form of the DICOM file in src
// (size bytes) at level p.Level. At the identified level the bytes are
// copied unchanged. Nothing is buffered beyond the header: on error dst may
// hold a partial file, which the caller discards (exports write
// atomically). Errors wrap ErrDamaged, ErrUnsupported, context errors or I/O
// errors, and never contain patient values.
func Deidentify(ctx context.Context, dst io.Writer, src io.ReaderAt, size int64, p privacy.Params) (*Report, error) {
	return deidentify(ctx, dst, src, size, p, Pixels{})
}

func deidentify(ctx context.Context, dst io.Writer, src io.ReaderAt, size int64, p privacy.Params, px Pixels) (rep *Report, err error) {
	defer func() {
		if r := recover(); r != nil {
			// The panic value may quote file content: do not pass it on.
			rep, err = nil, fmt.Errorf("%w: internal error while de-identifying", ErrDamaged)
		}
	}()
	rep = &Report{Level: p.Level}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dicomdeid: %w", err)
	}
	switch p.Level {
	case privacy.Identified:
		if err := copyRange(ctx, dst, src, 0, size); err != nil {
			return nil, wrap("copy", err)
		}
		rep.Copied = true
		return rep, nil
	case privacy.Pseudonymised:
		if p.Pseudonym == "" {
			return nil, errors.New("dicomdeid: pseudonymised export without a pseudonym")
		}
	case privacy.Anonymised:
	default:
		return nil, fmt.Errorf("dicomdeid: %q: %w", p.Level, privacy.ErrUnknownLevel)
	}
	if len(p.Secret) < 16 {
		return nil, errors.New("dicomdeid: the case secret is missing or too short")
	}
	// The header is read from one read of the file's first bytes; fastCopy
	// still sees the file itself.
	orig := src
	hr := newHeadReader(src, size)
	defer hr.release()
	src = hr
	l, lerr := dicomx.ReadLayout(ctx, src, size)
	if err = lerr; err != nil {
		if dicomx.IsDamaged(err) {
			return nil, fmt.Errorf("%w: %w", ErrDamaged, err)
		}
		return nil, fmt.Errorf("dicomdeid: %w", err)
	}
	h := l.Header
	switch {
	case l.Deflated:
		return nil, fmt.Errorf("%w: deflated transfer syntax", ErrUnsupported)
	case h.IsDICOMDIR:
		return nil, fmt.Errorf("%w: a DICOMDIR is regenerated, not de-identified", ErrUnsupported)
	}
	rep.BurnedInRisk = h.BurnedInRisk()
	rep.CharacterSet = h.SpecificCharacterSet
	for _, w := range h.Warnings {
		rep.warn("input: " + w.String())
	}
	d, err := newDeid(ctx, l, src, size, p, rep)
	if err != nil {
		return nil, err
	}
	d.px = px
	d.orig = orig
	if err := d.run(dst); err != nil {
		return nil, err
	}
	return rep, nil
}

// keepUIDTags are UI attributes whose values identify classes, syntaxes,
// schemes or software, never an instance: they are not remapped.
var keepUIDTags = map[dicomwire.Tag]bool{
	0x00020002: true, // Media Storage SOP Class UID
	0x00020010: true, // Transfer Syntax UID
	0x00020012: true, // Implementation Class UID
	0x00020100: true, // Private Information Creator UID
	0x00041510: true, // Referenced SOP Class UID in File
	0x00041512: true, // Referenced Transfer Syntax UID in File
	0x0004151A: true, // Referenced Related General SOP Class UID in File
	0x00080016: true, // SOP Class UID
	0x0008001A: true, // Related General SOP Class UID
	0x0008001B: true, // Original Specialized SOP Class UID
	0x00080062: true, // SOP Classes in Study
	0x0008010C: true, // Coding Scheme UID
	0x0008010D: true, // Context Group Extension Creator UID
	0x00080118: true, // Mapping Resource UID
	0x00081150: true, // Referenced SOP Class UID
	0x00089123: true, // Creator-Version UID
	0x00083002: true, // Available Transfer Syntax UID
	0x04000010: true, // MAC Calculation Transfer Syntax UID
	0x04000510: true, // Encrypted Content Transfer Syntax UID
}

// dicomRoot prefixes UIDs defined by the standard.
const dicomRoot = "1.2.840.10008."

// implementationUID is Dossier's Implementation Class UID, derived once.
var implementationUID = func() string {
	s := sha256.Sum256([]byte("dossier implementation class v1"))
	return "2.25." + new(big.Int).SetBytes(s[:16]).String()
}()

const implementationVersion = "DOSSIER_1"

var writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// copyRange copies n bytes at off from r to w, checking ctx between chunks.
func copyRange(ctx context.Context, w io.Writer, r io.ReaderAt, off, n int64) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for n > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		k := int64(len(buf))
		if n < k {
			k = n
		}
		m, err := r.ReadAt(buf[:k], off)
		if int64(m) < k {
			if err == nil || errors.Is(err, io.EOF) {
				return fmt.Errorf("%w: file shorter than expected", ErrDamaged)
			}
			return err
		}
		if _, err := w.Write(buf[:k]); err != nil {
			return err
		}
		off += k
		n -= k
	}
	return nil
}

// deid holds one transform.
type deid struct {
	ctx  context.Context
	l    *dicomx.Layout
	src  io.ReaderAt
	orig io.ReaderAt // src as given (src serves the header from memory)
	size int64
	p    privacy.Params
	rep  *Report
	anon bool
	opts []Option
	e    dicomwire.Syntax
	// tokens are identity strings of this file (lower case), longest first,
	// for cleaning descriptors.
	tokens []string
	// match finds the tokens and the case's identity spellings as they
	// are also written: folded ("Kare Odegard" for "Kåre Ødegård"),
	// spaced or reordered; nil when there are none.
	match *identity.Matcher
	// births are the patient's birth dates (YYYYMMDD) from this file and
	// the case's identity: a date equal to one is identity.
	births map[string]bool
	// px holds the boxes to mask (DeidentifyMasked).
	px Pixels
	// decoded is the native format compressed pixel data is written in
	// once masked, and outTS the transfer syntax then written (both unset
	// when pixel data is copied or masked in place).
	decoded *pixelmask.Format
	outTS   string
}

func newDeid(ctx context.Context, l *dicomx.Layout, src io.ReaderAt, size int64, p privacy.Params, rep *Report) (*deid, error) {
	d := &deid{ctx: ctx, l: l, src: src, size: size, p: p, rep: rep, e: datasetSyntax(l)}
	if p.Level == privacy.Anonymised {
		d.anon = true
		d.opts = []Option{OptRetainModifDates, OptRetainPatientChars}
		rep.Options = []Code{CodeBasic, CodeRetainModifDates, CodeRetainPatientChar}
	} else {
		d.opts = []Option{OptRetainFullDates, OptRetainPatientChars, OptCleanDescriptors}
		rep.Options = []Code{CodeBasic, CodeRetainFullDates, CodeRetainPatientChar, CodeCleanDescriptors}
	}
	return d, nil
}

func (d *deid) patientName() string {
	if d.anon {
		return privacy.AnonymousName
	}
	return d.p.Pseudonym
}

func (d *deid) run(dst io.Writer) error {
	l := d.l
	regionEnd := d.size
	if l.PixelElementOffset >= 0 {
		regionEnd = l.PixelElementOffset
	}
	pr := &parser{ctx: d.ctx, r: d.src, base: l.DatasetOffset, end: regionEnd}
	if n := regionEnd - l.DatasetOffset; n <= maxHeaderLoad {
		pr.buf = make([]byte, n)
		if _, err := d.src.ReadAt(pr.buf, l.DatasetOffset); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("%w: file shorter than expected", ErrDamaged)
			}
			return fmt.Errorf("dicomdeid: read: %w", err)
		}
	}
	ds, err := pr.dataset(l.DatasetOffset, regionEnd, d.e)
	if err != nil {
		return wrap("", err)
	}
	meta, err := readMeta(d.ctx, d.src, l)
	if err != nil {
		return wrap("meta information", err)
	}
	var pf pixelmask.Format
	masking := len(d.px.Boxes) > 0
	if masking {
		if l.PixelElementOffset < 0 {
			return fmt.Errorf("%w: boxes to mask but no pixel data", ErrUnsupported)
		}
		pf = pixelFormat(ds, d.e.BigEndian)
		if l.Header.PixelData.Encapsulated {
			out, err := pixelmask.Decoded(l.Header.TransferSyntaxUID, pf)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrUnsupported, err)
			}
			d.decoded = &out
			if l.Header.TransferSyntaxUID != pixelmask.RLELosslessUID {
				d.outTS = dicomwire.ExplicitVRLittleEndianUID
			}
		} else if err := pf.Check(); err != nil {
			return fmt.Errorf("%w: %w", ErrUnsupported, err)
		}
		if d.px.burnedInCleared(pf) {
			d.rep.BurnedInCleared = true
			d.rep.Options = append(d.rep.Options, CodeCleanPixelData)
		}
	}
	cs, err := charsetOf(ds)
	if err != nil {
		return wrap("", err)
	}
	d.collectTokens(ds, cs)
	ds, err = d.elems(ds, cs, true, flags{})
	if err != nil {
		return wrap("", err)
	}
	ds = append(ds, d.markers()...)
	if d.rep.BurnedInCleared {
		ds = d.setBurnedIn(ds, "NO")
	}
	if d.decoded != nil {
		ds = d.decodedAttributes(ds, pf)
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].tag < ds[j].tag })
	if len(ds) > 0 && ds[len(ds)-1].tag >= dicomwire.PixelData {
		// Elements after Pixel Data in tag order cannot be written before it.
		for len(ds) > 0 && ds[len(ds)-1].tag >= dicomwire.PixelData {
			ds = ds[:len(ds)-1]
			d.rep.Removed++
		}
	}
	newMeta, err := d.meta(meta, ds)
	if err != nil {
		return err
	}

	bw := writerPool.Get().(*bufio.Writer)
	bw.Reset(dst)
	defer func() { bw.Reset(nil); writerPool.Put(bw) }()
	w := newWriter(d.ctx, bw, d.e, d.src)
	bw.Write(dicomwire.AppendPreamble(nil))
	bw.Write(newMeta)
	for _, el := range ds {
		if err := w.elem(el); err != nil {
			return wrap("write", err)
		}
	}
	if l.PixelElementOffset >= 0 {
		n := l.PixelElementEnd - l.PixelElementOffset
		if masking {
			if err := d.writeMaskedPixels(w, pf); err != nil {
				return wrap("pixel data", err)
			}
			n = 0
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("dicomdeid: write: %w", err)
		}
		done, err := n == 0, error(nil)
		if n > 0 {
			done, err = fastCopy(d.ctx, dst, d.orig, l.PixelElementOffset, n)
		}
		if !done && err == nil {
			err = copyRange(d.ctx, dst, d.src, l.PixelElementOffset, n)
		}
		if err != nil {
			return wrap("pixel data", err)
		}
		d.rep.PixelDataBytes = l.PixelElementEnd - l.PixelElementOffset
		if l.PixelElementEnd < d.size {
			d.rep.TrailingBytesRemoved = d.size - l.PixelElementEnd
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("dicomdeid: write: %w", err)
	}
	return nil
}
