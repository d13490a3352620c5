package intake

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/gif" // header-only decode of small graphics
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unique"

	"dossier/packager/dicomx"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/slide"
)

// scanner holds what every worker shares during one scan.
type scanner struct {
	opts Options
	ids  *identity.Set
	// lists are the multi-valued fields (Image Type) of the files read so
	// far, by their values joined: the files of a series share one slice.
	lists sync.Map
	// details are the DICOMDetails of the files read so far, by their
	// values (detailKey): the files of a series share one.
	detailsMu sync.Mutex
	details   map[detailKey]*DICOMDetail
}

// relative returns the source's path below the folder the user gave, so
// that folder names above it (such as /usr/lib) say nothing about it.
func (src source) relative() string {
	if src.root == "" || !strings.HasPrefix(src.path, src.root) {
		return filepath.Base(src.path)
	}
	return strings.TrimPrefix(src.path[len(src.root):], string(filepath.Separator))
}

// openFile opens files for reading; tests replace it to simulate failures.
var openFile = os.Open

// smallGraphic is the size (in pixels, each side) under which a picture is
// an icon or a button, not a record.
const smallGraphic = 64

// analyze looks at one source and returns its item, plus the items inside it
// when it is an archive. depth counts archives around the source.
func (s *scanner) analyze(ctx context.Context, src source, depth int) []*Item {
	ra := src.ra
	if ra == nil {
		f, err := openRead(src)
		if err != nil {
			return []*Item{unreadable(src.path, s.sizeOf(src), readProblem(err))}
		}
		defer f.Close()
		if src.stat {
			fi, err := f.info()
			if err != nil {
				return []*Item{unreadable(src.path, 0, readProblem(err))}
			}
			if !fi.regular {
				// Its name was taken by something else since the walker saw it.
				return []*Item{notRegular(src.path)}
			}
			src.size, src.modTime = fi.size, fi.modTime
		}
		ra = f
	}
	it := &Item{Path: src.path, Size: src.size, ModTime: src.modTime}
	if src.size == 0 {
		it.Kind = KindUnreadable
		it.Problems = []i18n.Text{i18n.NewText(i18n.Msg("the file is empty (0 bytes): copy it again from the original disc, stick or download"))}
		return []*Item{it}
	}
	var head []byte
	if src.ra == nil {
		// A file on disk: its first bytes are read once, into a buffer
		// reused by the next file (nothing read here outlives this call),
		// and later reads of them are served from memory. A DICOM file's
		// header usually fits in the first dicomPrefix bytes; other files
		// get prefixSize.
		buf := prefixes.Get().(*[]byte)
		defer prefixes.Put(buf)
		pre := (*buf)[:min(src.size, dicomPrefix)]
		if n, err := ra.ReadAt(pre, 0); err != nil && !(errors.Is(err, io.EOF) && n == len(pre)) {
			return []*Item{unreadable(src.path, src.size, readProblem(err))}
		}
		if dicomx.Sniff(pre) == dicomx.NotDICOM && src.size > int64(len(pre)) {
			more := (*buf)[len(pre):min(src.size, prefixSize)]
			if n, err := ra.ReadAt(more, int64(len(pre))); err != nil && !(errors.Is(err, io.EOF) && n == len(more)) {
				return []*Item{unreadable(src.path, src.size, readProblem(err))}
			}
			pre = (*buf)[:len(pre)+len(more)]
		}
		head = pre[:min(len(pre), headSize)]
		ra = &prefixed{pre: pre, ra: ra}
	} else {
		head = make([]byte, min(src.size, headSize))
		if n, err := ra.ReadAt(head, 0); err != nil && !(errors.Is(err, io.EOF) && n == len(head)) {
			return []*Item{unreadable(src.path, src.size, readProblem(err))}
		}
	}

	if k := dicomx.Sniff(head); k != dicomx.NotDICOM {
		s.dicom(ctx, it, ra, src.size)
		return []*Item{it}
	}
	if slide.IsTIFF(head) {
		s.tiff(it, ra, src.size)
		return []*Item{it}
	}
	if src.disk != "" {
		if companion := mrxsCompanion(src.disk); companion != "" {
			s.mrxs(it, src.disk)
			return []*Item{it}
		}
	}
	sn := sniff(head, src.path)
	if sn.kind == KindOther && sn.format == "" && src.size > 32774 {
		var cd [5]byte
		if _, err := ra.ReadAt(cd[:], 32769); err == nil && string(cd[:]) == "CD001" {
			sn.format = "iso"
		}
	}
	it.Kind, it.Format, it.Reason = sn.kind, sn.format, sn.reason
	if reason := viewerDir(src.relative()); !reason.IsZero() && (it.Kind == KindImage || it.Kind == KindOther || it.Kind == KindDocument && it.Format == "html") {
		it.Kind, it.Reason = KindSkipped, reason
		return []*Item{it}
	}
	if skipOwn(it, ra, src.size) {
		return []*Item{it}
	}
	switch it.Kind {
	case KindPDF:
		checkPDF(it, ra, src.size)
		s.labelled(ctx, it, ra, src.size, src.path)
	case KindDocument:
		s.labelled(ctx, it, ra, src.size, src.path)
	case KindImage:
		checkImage(it, ra, src.size)
	case KindArchive:
		return s.zip(ctx, it, src.root, ra, src.size, depth, src.budget)
	case KindOther:
		switch it.Format {
		case "iso":
			it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("a disc image (.iso): open it on your computer (double-click) and add the files inside")))
		case "gzip", "7z", "rar":
			it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("a %v archive, which Dossier cannot open yet: unpack it first, then add the folder"), it.Format))
		}
	}
	if it.Problems == nil {
		it.Problems = []i18n.Text{}
	}
	return []*Item{it}
}

// dicom reads a DICOM header (never its pixel data).
func (s *scanner) dicom(ctx context.Context, it *Item, ra io.ReaderAt, size int64) {
	it.Kind, it.Format = KindDICOM, "dicom"
	h, err := dicomx.ReadHeader(ctx, ra, size)
	if err != nil {
		it.Kind = KindUnreadable
		var d *dicomx.DamagedError
		if errors.As(err, &d) {
			it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("damaged DICOM file: %s"), d.Reason))
		} else {
			it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("could not read this DICOM file: %s"), i18n.PlainError(err)))
		}
		return
	}
	if h.IsDICOMDIR {
		it.Kind, it.Format = KindDICOMDIR, "dicomdir"
		// Kept until the end of the scan (checkDICOMDIRs), as keys in one
		// string.
		it.dirFiles = dirFileKeys(h.DirRecords)
		for _, w := range h.Warnings {
			it.Problems = append(it.Problems, w)
		}
		return
	}
	// The values files of one study or series share are kept once (a CD
	// of 30,000 images names its study 30,000 times).
	it.Modality = shared(h.Modality)
	it.SOPClassUID = shared(h.SOPClassUID)
	it.SOPInstanceUID = h.SOPInstanceUID
	it.StudyInstanceUID = shared(h.StudyInstanceUID)
	it.SeriesInstanceUID = shared(h.SeriesInstanceUID)
	it.BurnedIn = h.BurnedInRisk()
	it.InstanceNumber = int32(min(max(h.InstanceNumber, math.MinInt32), math.MaxInt32))
	it.DICOM = s.sharedDetail(DICOMDetail{
		StudyDate:         shared(isoDate(h.StudyDate)),
		StudyDescription:  shared(h.StudyDescription),
		Accession:         shared(h.AccessionNumber),
		SeriesNumber:      h.SeriesNumber,
		SeriesDescription: shared(h.SeriesDescription),
		BodyPart:          shared(h.BodyPartExamined),
		ImageType:         s.sharedList(h.ImageType),
		Rows:              h.Rows,
		Columns:           h.Columns,
		Frames:            h.NumberOfFrames,
		PatientName:       shared(identity.Normalize(h.PatientName)),
		PatientID:         shared(identity.Normalize(h.PatientID)),
		PatientBirthDate:  shared(isoDate(h.PatientBirthDate)),
		PatientSex:        shared(h.PatientSex),
		TransferSyntaxUID: shared(h.TransferSyntaxUID),
	})
	it.Problems = append(it.Problems, h.Warnings...)
	if h.SOPInstanceUID == "" {
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("the image has no number of its own, so it cannot be told apart from others")))
	}
	if h.StudyInstanceUID == "" {
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("the image does not say which examination it belongs to")))
	}
	if h.IsWSI() {
		it.Format = "dicom-wsi"
	}
	s.ids.Add(identity.Name, h.PatientName, "DICOM PatientName")
	s.ids.Add(identity.ID, h.PatientID, "DICOM PatientID")
	for _, o := range h.OtherPatientIDs {
		s.ids.Add(identity.ID, o, "DICOM OtherPatientIDs")
	}
	for _, o := range h.OtherPatientNames {
		s.ids.Add(identity.Name, o, "DICOM OtherPatientNames")
	}
	s.ids.Add(identity.BirthDate, h.PatientBirthDate, "DICOM PatientBirthDate")
	s.ids.Add(identity.Accession, h.AccessionNumber, "DICOM AccessionNumber")
	s.ids.Add(identity.Address, h.PatientAddress, "DICOM PatientAddress")
	s.ids.Add(identity.Phone, h.PatientTelephoneNumbers, "DICOM PatientTelephoneNumbers")
}

// dirFileKeys returns the keys (pathKey) of the files that records name,
// one for each record that names one. They share one string.
func dirFileKeys(records []dicomx.DirRecord) []string {
	var all []byte
	var ends []int
	for _, r := range records {
		if len(r.FileID) == 0 {
			continue
		}
		for j, c := range r.FileID {
			if j > 0 {
				all = append(all, '/')
			}
			all = appendPathKey(all, c)
		}
		ends = append(ends, len(all))
	}
	s := string(all)
	keys := make([]string, len(ends))
	start := 0
	for i, end := range ends {
		keys[i] = s[start:end]
		start = end
	}
	return keys
}

// shared returns s as one copy shared by every equal string (unique.Make).
func shared(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// sharedList returns the slice of strings equal to v that an earlier file
// gave, or v (its strings kept once) when it is the first. Nobody changes
// an item's lists: a CD of 30,000 images otherwise holds 30,000 copies of
// its few Image Types.
func (s *scanner) sharedList(v []string) []string {
	if len(v) == 0 {
		return v
	}
	key := strings.Join(v, "\\")
	if l, ok := s.lists.Load(key); ok {
		return l.([]string)
	}
	// A new slice: v is the header reader's own, which it keeps to compare
	// the next file's with, on whichever worker it reads for next.
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = shared(x)
	}
	l, _ := s.lists.LoadOrStore(strings.Clone(key), out)
	return l.([]string)
}

// detailKey is a DICOMDetail as a map key: its Image Type is the slice
// sharedList gave, known by its first string's address and its length.
type detailKey struct {
	d         [10]string
	n         [4]int
	imageType *string
	types     int
}

// sharedDetail returns the DICOMDetail equal to d that an earlier file gave,
// or a new one holding d when it is the first: the files of a series share
// one (see DICOMDetail). d's strings and Image Type must be shared already
// (shared, sharedList).
func (s *scanner) sharedDetail(d DICOMDetail) *DICOMDetail {
	k := detailKey{
		d: [10]string{d.StudyDate, d.StudyDescription, d.Accession, d.SeriesDescription, d.BodyPart,
			d.PatientName, d.PatientID, d.PatientBirthDate, d.PatientSex, d.TransferSyntaxUID},
		n:     [4]int{d.SeriesNumber, d.Rows, d.Columns, d.Frames},
		types: len(d.ImageType),
	}
	if len(d.ImageType) > 0 {
		k.imageType = &d.ImageType[0]
	}
	s.detailsMu.Lock()
	defer s.detailsMu.Unlock()
	if v := s.details[k]; v != nil {
		return v
	}
	if s.details == nil {
		s.details = map[detailKey]*DICOMDetail{}
	}
	s.details[k] = &d
	return &d
}

// labelled reads a document's text for the identity fields of its header
// ("Patient:", "DOB:", 姓名, 住院号, ...: identity.ReadLabels) and records
// them with the document as their source, so that a case of reports alone
// is still checked for the patient's name. A document whose text cannot be
// read adds nothing here; the export holds it for a decision.
func (s *scanner) labelled(ctx context.Context, it *Item, ra io.ReaderAt, size int64, path string) {
	if len(it.Problems) > 0 {
		return // cut short or locked: its text is not read
	}
	// The header is on the first pages.
	text, err := doctext.Extract(ctx, ra, size, it.Format, doctext.Options{MaxPages: 5, MaxText: 64 << 10})
	if err != nil || text == "" {
		return
	}
	s.ids.AddLabelled(text, filepath.Base(path))
}

// tiff tells slides from ordinary TIFF photos and scans.
func (s *scanner) tiff(it *Item, ra io.ReaderAt, size int64) {
	info, err := slide.DetectTIFF(ra, size)
	switch {
	case errors.Is(err, slide.ErrNotTIFF):
		// It starts like a TIFF (the caller checked) but has no readable
		// header: a cut-short copy.
		it.Kind, it.Format = KindUnreadable, "tiff"
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("damaged TIFF file: it is cut short, with no image in it; copy it again from the original")))
	case errors.Is(err, slide.ErrNotSlide):
		it.Kind, it.Format = KindImage, "tiff"
	case err != nil:
		it.Kind, it.Format = KindUnreadable, "tiff"
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("damaged TIFF file: %s"), err))
	default:
		s.setSlide(it, info)
	}
}

// mrxs reads a MIRAX slide: the .mrxs file and its folder.
func (s *scanner) mrxs(it *Item, path string) {
	info, err := slide.DetectMRXS(path)
	if err != nil {
		it.Kind, it.Format = KindUnreadable, "mrxs"
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("damaged MIRAX slide: %s"), err))
		return
	}
	s.setSlide(it, info)
}

func (s *scanner) setSlide(it *Item, info *slide.Info) {
	it.Kind, it.Format = KindSlide, info.Vendor
	it.Slide = &Slide{
		Path:                it.Path,
		Vendor:              info.Vendor,
		Levels:              info.Levels,
		Width:               info.Width,
		Height:              info.Height,
		Label:               info.Label,
		Macro:               info.Macro,
		Thumbnail:           info.Thumbnail,
		IdentifyingMetadata: append([]string{}, info.IdentifyingMetadata...),
		Files:               info.Files,
	}
	for _, f := range info.Identity {
		s.ids.Add(slideTokenKind(f.Key), f.Value, f.Key)
	}
	if info.Levels == 0 {
		// Nothing to view: OpenSlide would refuse it too.
		it.Kind = KindUnreadable
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("damaged slide: it holds no image levels to view (an incomplete scan or copy)")))
	}
	for _, key := range info.Unreadable {
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("the slide's %s cannot be read (too large or damaged), so Dossier cannot check it for names or dates"), key))
		if it.Slide != nil {
			it.Slide.IdentifyingMetadata = append(it.Slide.IdentifyingMetadata, key)
		}
	}
}

func slideTokenKind(key string) identity.Kind {
	k := strings.ToLower(key)
	switch {
	case strings.Contains(k, "patient") || strings.Contains(k, "name") && !strings.Contains(k, "file"):
		return identity.Name
	case strings.Contains(k, "date") || strings.Contains(k, "time"):
		return identity.Other
	}
	return identity.Specimen
}

// checkPDF notes PDFs that are cut short or locked with a password.
func checkPDF(it *Item, ra io.ReaderAt, size int64) {
	tail := make([]byte, min(size, 2048))
	if _, err := ra.ReadAt(tail, size-int64(len(tail))); err != nil && !errors.Is(err, io.EOF) {
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("cannot read the end of this PDF: %s"), i18n.PlainError(err)))
		return
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("this PDF seems cut short (it has no end marker): download or scan it again")))
	}
	if bytes.Contains(tail, []byte("/Encrypt")) {
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("this PDF is locked with a password: ask for an unlocked copy, or print it to a new PDF")))
	}
}

// checkImage skips icons and buttons and notes pictures that cannot be read.
func checkImage(it *Item, ra io.ReaderAt, size int64) {
	switch it.Format {
	case "jpeg", "png", "gif":
	default:
		return
	}
	cfg, _, err := image.DecodeConfig(io.NewSectionReader(ra, 0, size))
	if err != nil {
		it.Problems = append(it.Problems, i18n.NewText(i18n.Msg("this picture may be damaged: its header could not be read")))
		return
	}
	if cfg.Width <= smallGraphic && cfg.Height <= smallGraphic {
		it.Kind, it.Reason = KindSkipped, i18n.NewText(i18n.Msg("a small graphic (%dx%d pixels, an icon or button), not a record"), cfg.Width, cfg.Height)
	}
}

// mrxsCompanion returns the folder that makes path a MIRAX slide, or "".
func mrxsCompanion(path string) string {
	if !strings.EqualFold(filepath.Ext(path), ".mrxs") || !slide.LooksLikeMRXS(path) {
		return ""
	}
	return strings.TrimSuffix(path, filepath.Ext(path))
}

// isoDate turns a DICOM DA value (YYYYMMDD) into YYYY-MM-DD; other values
// are returned trimmed, as found.
func isoDate(da string) string {
	da = strings.TrimSpace(da)
	if len(da) == 8 && isDigits(da) {
		return da[:4] + "-" + da[4:6] + "-" + da[6:]
	}
	if len(da) == 10 && da[4] == '.' && da[7] == '.' && isDigits(da[:4]+da[5:7]+da[8:]) { // old ACR-NEMA style
		return da[:4] + "-" + da[5:7] + "-" + da[8:]
	}
	return da
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
