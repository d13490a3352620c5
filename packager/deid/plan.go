package deid

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"dossier/packager/dicomdeid"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
	"dossier/packager/slide"
	"dossier/packager/slidedeid"
)

// Action says what an export does with one item.
type Action string

// The actions.
const (
	// Copy writes the original bytes unchanged.
	Copy Action = "copy"
	// Transform writes a de-identified copy.
	Transform Action = "transform"
	// Exclude leaves the item out; Reason says why.
	Exclude Action = "exclude"
	// Review leaves the item out unless the user includes it: it may carry
	// identity that Dossier cannot remove (text, pixels). Reason says why.
	Review Action = "review"
	// Held leaves out an item whose de-identified copy the leak scan found
	// the patient's identity in; Reason and Leaks say what and where. The
	// rest of the export goes on without it.
	Held Action = "held"
	// Redact writes a PDF whose text names the patient with every mention
	// removed for real and covered by a box (redactpdf.go).
	Redact Action = "redact"
)

// Leak is one place in a written file where the leak scan found the
// patient's identity. It never holds the value.
type Leak struct {
	// Place is where in the file: "page 2, annotation",
	// "word/header1.xml", "Patient Comments (0010,4000)", or "the document's
	// text" when the layer is not known more closely.
	Place string `json:"place"`
	// Kind is what was found: name, id, birthDate, phone, address, ...
	Kind identity.Kind `json:"kind"`
	// Source is where Dossier learned that identity ("DICOM PatientName",
	// "case details", "document label 'DOB' in report.pdf").
	Source string `json:"source"`
}

// Decision is the plan for one item.
type Decision struct {
	Item   *intake.Item `json:"-"`
	Path   string       `json:"path"`
	Action Action       `json:"action"`
	// Reason explains Exclude and Review, in plain words.
	Reason i18n.Text `json:"reason,omitzero"`
	// Included is set for a Review item the user chose to include; it is
	// then written (de-identified as far as possible).
	Included bool `json:"included,omitempty"`
	// Warning is set for an included item that still carries identity
	// (the PDF inside an Encapsulated PDF DICOM file).
	Warning string `json:"warning,omitempty"`
	// Name is the item's path in the output tree (never the original name).
	Name string `json:"name,omitempty"`
	// Convert is set for a HEIC photo whose metadata cannot be removed in
	// place, when the user agreed to convert such photos: it is written as
	// a JPEG.
	Convert bool `json:"convert,omitempty"`
	// Leaks says, for a Held item, where its written copy named the
	// patient.
	Leaks []Leak `json:"leaks,omitempty"`
	// Redactions are the boxes the user confirmed for the item (photomask.go).
	Redactions *Redactions `json:"-"`
	// Undecodable names the compression of a DICOM image's pixel data that
	// Dossier cannot decode ("JPEG (12-bit)", "JPEG 2000"), found when the
	// plan read the file (pixelhold.go): it can be neither shown nor masked,
	// and its Reason says so.
	Undecodable string `json:"-"`
	// redact is set for a Redact decision (redactpdf.go).
	redact *redactPlan
	// checkOnWrite is set for a DICOM file planned with
	// Options.CheckDICOMOnWrite: WriteTree leaves it out if the
	// de-identifier refuses it.
	checkOnWrite bool
}

// Writes reports whether the decision puts the item into the output.
func (d Decision) Writes() bool {
	return d.Action == Copy || d.Action == Transform || d.Action == Redact || d.Action == Review && d.Included
}

// Options adjust a plan.
type Options struct {
	// Include holds the paths of Review items the user chose to include.
	Include map[string]bool
	// Intake bounds the reading of items inside archives.
	Intake intake.Options
	// Scanner, when set, finds the case's identity in documents' text;
	// nil makes one from the inventory's identity.
	Scanner *leakscan.Scanner
	// ConvertHEIC is the user's consent to convert HEIC photos whose
	// metadata cannot be removed in place to JPEG (re-encoding them).
	ConvertHEIC bool
	// Redactions holds, by item path, the boxes the user confirmed for
	// pictures and PDF pages (photomask.go).
	Redactions map[string]*Redactions
	// NoRedact keeps documents whose text names the patient for review
	// instead of redacting them (--no-redact).
	NoRedact bool
	// Language is the language of the label in redaction boxes (a tag
	// packager/i18n has; "" for English).
	Language string
	// CheckDICOMOnWrite leaves the check that the DICOM de-identifier
	// accepts a file to WriteTree, which then leaves out a file it refuses
	// with the reason Plan would have given, and reads and transforms each
	// DICOM file once instead of twice. It is for a caller that writes the
	// plan with WriteTree right away and shows it only afterwards (the
	// command line); Plan still checks the files it would not plan as
	// plain transforms (pictures that need review, documents, slides'
	// labels).
	CheckDICOMOnWrite bool
	// keep bounds the redacted PDFs Plan keeps for Write (set by Plan).
	keep *keepBudget
}

// wsiSOPClass is VL Whole Slide Microscopy Image Storage.
const wsiSOPClass = "1.2.840.10008.5.1.4.1.1.77.1.6"

// ErrNoIdentity is returned by Plan at a private level when nothing is
// known of who the patient is: without a name, birth date or number to look
// for, no document could be checked, and none may pass as clean.
var ErrNoIdentity = errors.New(i18n.Msg("Dossier does not know who the patient is (no name, birth date or hospital number in the records or the case details), so it cannot check the files for them. Give the patient's name and birth date in the case details (on the command line: --patient-name and --birth-date), then try again"))

// Plan decides, for every item of the inventory, what an export at the
// given level does with it, and gives each written item a normalised name.
// At levels other than identified it reads the text of documents to find
// the case's identity (those need the user's review); it refuses with
// ErrNoIdentity when no identity is known at all. Plan never writes.
func Plan(ctx context.Context, inv *intake.Inventory, level privacy.Level, opts Options) ([]Decision, error) {
	scanner := opts.Scanner
	if level != privacy.Identified && len(inv.Items) > 0 && (inv.Identity == nil || len(inv.Identity.Needles()) == 0) && (scanner == nil || scanner.Empty()) {
		return nil, ErrNoIdentity
	}
	if scanner == nil && level != privacy.Identified && inv.Identity != nil {
		scanner = leakscan.New(inv.Identity.Needles())
	}
	if level == privacy.Identified {
		scanner = nil
	}
	opts.keep = &keepBudget{left: keepTotal}
	out := make([]Decision, 0, len(inv.Items))
	for _, it := range inv.Items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d := Decision{Item: it, Path: it.Path}
		d.Action, d.Reason = decide(ctx, it, level, scanner, opts.Intake, opts.CheckDICOMOnWrite)
		if it.Kind == intake.KindImage && it.Format == "heic" && level != privacy.Identified {
			d.Action, d.Reason, d.Convert = decideHEIC(ctx, it, opts)
		}
		d.Redactions = opts.Redactions[it.Path]
		if d.Action == Redact {
			d.Action, d.Reason = planRedact(ctx, &d, scanner, opts)
		}
		if level != privacy.Identified {
			planBoxes(ctx, &d, scanner, opts) // before Include: a PDF left out stays out
			planUndecodable(ctx, &d, opts)    // and an image whose boxes cannot be masked
		}
		if d.Action == Review && opts.Include[it.Path] {
			d.Included = true
			d.Warning = embeddedWarning(it.SOPClassUID)
		}
		d.checkOnWrite = opts.CheckDICOMOnWrite && it.Kind == intake.KindDICOM && d.Action == Transform
		out = append(out, d)
	}
	name(out)
	return out, nil
}

// decide is the per-item rule table. With deferCheck, a DICOM file that
// would be a plain Transform is not run through the de-identifier here
// (Options.CheckDICOMOnWrite).
func decide(ctx context.Context, it *intake.Item, level privacy.Level, sc *leakscan.Scanner, opts intake.Options, deferCheck bool) (Action, i18n.Text) {
	switch it.Kind {
	case intake.KindSkipped:
		return Exclude, i18n.NewText(i18n.Msg("skipped when reading: %s"), it.Reason)
	case intake.KindUnreadable:
		return Exclude, i18n.NewText(i18n.Msg("could not be read: %s"), i18n.Parts(it.Problems))
	case intake.KindDICOMDIR:
		return Exclude, i18n.NewText(i18n.Msg("a disc index; a new one is made for what is sent"))
	case intake.KindArchive:
		return Exclude, i18n.NewText(i18n.Msg("an archive; the files inside it are sent on their own"))
	case intake.KindOther:
		return Exclude, i18n.NewText(notRecord)
	case intake.KindDICOM:
		if it.SOPInstanceUID == "" || it.SOPClassUID == "" {
			return Exclude, i18n.NewText(i18n.Msg("this DICOM image lacks the numbers that viewers and a disc's index need to find it"))
		}
	}
	if level == privacy.Identified {
		return Copy, i18n.Text{}
	}
	switch it.Kind {
	case intake.KindDICOM:
		if it.SOPClassUID == wsiSOPClass && it.DICOM != nil && len(it.DICOM.ImageType) >= 3 {
			switch strings.ToUpper(strings.TrimSpace(it.DICOM.ImageType[2])) {
			case "LABEL":
				return Exclude, i18n.NewText(i18n.Msg("the slide's label image (it shows the patient's details)"))
			case "OVERVIEW":
				return Exclude, i18n.NewText(i18n.Msg("the slide's overview image (it shows the label)"))
			}
		}
		// A file that would be a plain transform may be checked when it is
		// written instead (deferCheck).
		if !deferCheck || encapsulatedDocument(it.SOPClassUID) || it.BurnedIn {
			if reason := preflight(ctx, it, opts, func(dst io.Writer, f intake.File) error {
				_, err := dicomdeid.Deidentify(ctx, dst, f, f.Size(), privacy.Params{Level: privacy.Anonymised, Secret: preflightSecret})
				return err
			}); !reason.IsZero() {
				return Exclude, reason
			}
		}
		if encapsulatedDocument(it.SOPClassUID) {
			// A document, decided by its text like a PDF of its own: not
			// held for burned-in annotation as pictures are.
			if act, reason := decideEmbedded(ctx, it, sc, opts); act != "" {
				return act, reason
			}
			return Transform, i18n.Text{}
		}
		if it.BurnedIn {
			return Review, i18n.NewText(i18n.Msg("this kind of image (ultrasound, screenshot, scanned document, or marked as such) may show identity inside the picture, which cannot be removed automatically"))
		}
		return Transform, i18n.Text{}
	case intake.KindSlide:
		if slidedeid.Supports(it.Slide.Vendor) {
			if reason := preflight(ctx, it, opts, func(dst io.Writer, f intake.File) error {
				pp := privacy.Params{Level: privacy.Anonymised, Secret: preflightSecret}
				if MultiFile(it) {
					_, err := slidedeid.PlanMRXS(ctx, it.Path, pp) // plans and checks, writes nothing
					return err
				}
				_, err := slidedeid.Deidentify(ctx, dst, f, f.Size(), pp)
				return err
			}); !reason.IsZero() {
				return Exclude, reason
			}
			return Transform, i18n.Text{}
		}
		return Exclude, i18n.NewText(i18n.Msg("Dossier cannot remove identity from %v slides yet; send the glass slides, or this file at the identified level"), it.Slide.Vendor)
	case intake.KindImage:
		switch it.Format {
		case "jpeg", "png", "bmp":
			return Review, i18n.NewText(reasonPhoto)
		case "tiff":
			return decideTIFF(it, opts)
		}
		return Exclude, i18n.NewText(i18n.Msg("Dossier cannot remove the hidden details (such as location) from %v pictures yet; save it as JPEG or PNG and add that instead"), strings.ToUpper(it.Format))
	case intake.KindPDF, intake.KindDocument:
		return decideDocument(ctx, it, sc, opts)
	}
	return Exclude, i18n.NewText(notRecord)
}

// notRecord is the reason an item of no kind Dossier sends is left out.
var notRecord = i18n.Msg("not a medical record Dossier can send")

// The reasons for an item whose file cannot be read again.
var (
	reasonChanged         = i18n.Msg("the file changed since it was added; add it again")
	reasonUnreadableAgain = i18n.Msg("could not be read again: %s")
)

// preflightSecret keys the throw-away UID remap of a preflight run.
var preflightSecret = make([]byte, privacy.SecretSize)

// errStarted stops a preflight run at its first write.
var errStarted = errors.New("the transform started writing")

type stopAtFirstWrite struct{}

func (stopAtFirstWrite) Write([]byte) (int, error) { return 0, errStarted }

// preflight runs a transform until it starts writing: the DICOM and slide
// de-identifiers check their whole input before writing a byte, so this
// finds, cheaply and before anything is written, the files they would
// refuse. It returns the reason to leave the item out, or "".
func preflight(ctx context.Context, it *intake.Item, opts intake.Options, run func(io.Writer, intake.File) error) i18n.Text {
	f, err := intake.Open(it, opts)
	if err != nil {
		return reopenReason(err)
	}
	defer f.Close()
	err = run(stopAtFirstWrite{}, f)
	if err == nil || errors.Is(err, errStarted) || errors.Is(err, context.Canceled) {
		return i18n.Text{}
	}
	return refusedReason(err)
}

// reopenReason is the reason to leave out an item whose file could not be
// opened again.
func reopenReason(err error) i18n.Text {
	if errors.Is(err, intake.ErrChanged) {
		return i18n.NewText(reasonChanged)
	}
	return i18n.NewText(reasonUnreadableAgain, i18n.PlainError(err))
}

// refusedReason is the reason to leave out an item a transform refused.
func refusedReason(err error) i18n.Text {
	return i18n.NewText(i18n.Msg("Dossier cannot remove identity from this file: %s"), i18n.PlainError(err))
}

// decideDocument reads a document's text and looks for the case's identity.
func decideDocument(ctx context.Context, it *intake.Item, sc *leakscan.Scanner, opts intake.Options) (Action, i18n.Text) {
	switch it.Format {
	case "pdf", "docx", "xlsx", "pptx", "odf", "rtf", "txt", "html":
	default:
		return Review, i18n.NewText(i18n.Msg("Dossier cannot check %v files for names and other details"), strings.ToUpper(it.Format))
	}
	f, err := intake.Open(it, opts)
	if err != nil {
		if errors.Is(err, intake.ErrChanged) {
			return Exclude, i18n.NewText(reasonChanged)
		}
		return Exclude, i18n.NewText(reasonUnreadableAgain, i18n.PlainError(err))
	}
	defer f.Close()
	// The whole text is read: what is not read is not checked.
	readOpts := doctext.Options{MaxPages: maxCheckedPages, MaxText: maxCheckedText}
	var text string
	scanned := 0 // the first page of a PDF that is only pictures (a scan)
	if it.Format == "pdf" {
		var pages []doctext.PDFPage
		pages, err = doctext.PDFPages(ctx, f, f.Size(), readOpts)
		var b strings.Builder
		for _, p := range pages {
			if p.Drawn {
				return Review, i18n.NewText(i18n.Msg("some writing on page %d is drawn as shapes rather than stored as text, so Dossier cannot read it to check it for names and other details"), p.Number)
			}
			if !p.Reliable {
				return Review, i18n.NewText(i18n.Msg("some of the text on page %d is in a font Dossier cannot read, so it cannot be checked for names and other details"), p.Number)
			}
			if scanned == 0 && p.Images > 0 && strings.TrimSpace(p.Text) == "" {
				scanned = p.Number
			}
			b.WriteString(p.Text)
		}
		text = b.String()
		if err == nil && len(pages) >= maxCheckedPages {
			return Review, i18n.NewText(i18n.Msg("it is too long for Dossier to check all of it for names and other details"))
		}
		if err == nil && text == "" {
			err = doctext.ErrNoText
		}
	} else {
		text, err = doctext.Extract(ctx, f, f.Size(), it.Format, readOpts)
	}
	if err == nil && len(text) >= maxCheckedText {
		return Review, i18n.NewText(i18n.Msg("it is too long for Dossier to check all of it for names and other details"))
	}
	switch {
	case errors.Is(err, doctext.ErrNoText) || err == nil && strings.TrimSpace(text) == "":
		if it.Format == "pdf" {
			return Review, i18n.NewText(scanReason(ctx, f))
		}
		return Review, i18n.NewText(reasonNoText)
	case err != nil:
		return Review, i18n.NewText(i18n.Msg("its text could not be read to check it for names and other details"))
	case scanned > 0:
		// Its text may be clean, or redacted, but a scanned page's
		// pixels are not read: the user decides, with boxes.
		return Review, i18n.NewText(i18n.Msg("page %d has no text, only a picture (perhaps a scan): it may show names or other details"), scanned)
	}
	if sc != nil {
		if hits := sc.String(it.Path, text); len(hits) > 0 {
			if it.Format == "pdf" || it.Format == "txt" || it.Format == "docx" || it.Format == "rtf" {
				return Redact, i18n.NewText(reasonMentions, kinds(hits))
			}
			return Review, i18n.NewText(reasonMentions, kinds(hits))
		}
	}
	switch it.Format {
	case "pdf", "docx", "xlsx", "pptx", "odf", "rtf":
		return Transform, i18n.Text{}
	}
	return Copy, i18n.Text{}
}

// reasonMentions is the reason a document whose text names the patient
// is held for review.
var reasonMentions = i18n.Msg("its text mentions the patient (%s)")

// planRedact decides a PDF whose text names the patient: redacted, or held
// for review (with --no-redact, or when it cannot be redacted).
func planRedact(ctx context.Context, d *Decision, sc *leakscan.Scanner, opts Options) (Action, i18n.Text) {
	// A PDF, Word, RTF or text file of its own is redacted, and the PDF
	// inside an Encapsulated PDF DICOM file.
	if opts.NoRedact || sc == nil || sc.Matcher().Empty() || d.Item.Kind != intake.KindPDF && d.Item.Kind != intake.KindDocument && d.Item.SOPClassUID != sopClassEncapsulatedPDF {
		return Review, d.Reason
	}
	rp, reason := planRedaction(ctx, d.Item, sc.Matcher(), d.Redactions, opts.Intake, "", opts.Language, opts.keep)
	if rp == nil {
		return Review, reason
	}
	d.redact = rp
	return Redact, i18n.Text{}
}

// reasonBoxes is why a PDF whose boxes cannot be applied is left out.
var reasonBoxes = i18n.Msg("Dossier cannot black out the boxes you marked on this PDF (a picture under them is stored in a way it cannot mask, or its text cannot be located), so it is left out")

// planBoxes applies the user's --redactions boxes to a PDF that is not
// redacted for its text: a clean text PDF with boxes is redacted; a PDF
// held for review (a scan) keeps needing the user's choice, and is written
// with its boxes redacted when included. Boxes that cannot be applied hold
// it for review, saying why.
func planBoxes(ctx context.Context, d *Decision, sc *leakscan.Scanner, opts Options) {
	if d.Item.Kind != intake.KindPDF || d.redact != nil || d.Redactions == nil || len(d.Redactions.PDF) == 0 {
		return
	}
	if d.Action != Transform && d.Action != Review {
		return
	}
	m := identity.NewTextMatcher(nil)
	if sc != nil && !opts.NoRedact {
		m = sc.Matcher()
	}
	rp, _ := planRedaction(ctx, d.Item, m, d.Redactions, opts.Intake, labelRemoved, opts.Language, opts.keep)
	if rp == nil {
		// Never written without the boxes the user asked for.
		d.Action, d.Reason = Exclude, i18n.NewText(reasonBoxes)
		return
	}
	d.redact = rp
	if d.Action == Transform {
		d.Action = Redact
	}
}

// The most of a document read to check it; a longer one needs a decision.
const (
	maxCheckedPages = 5000
	maxCheckedText  = 64 << 20
)

// kindNames are the kinds of identity in words.
var kindNames = map[identity.Kind]string{
	identity.Name:      i18n.Msg("name"),
	identity.ID:        i18n.Msg("hospital number"),
	identity.BirthDate: i18n.Msg("date of birth"),
	identity.Accession: i18n.Msg("accession number"),
	identity.Address:   i18n.Msg("address"),
	identity.Phone:     i18n.Msg("phone number"),
	identity.Specimen:  i18n.Msg("specimen or slide number"),
	identity.Other:     i18n.Msg("other details"),
}

// KindName is a kind of identity in words ("date of birth").
func KindName(k identity.Kind) string {
	if n := kindNames[k]; n != "" {
		return n
	}
	return string(k)
}

// kinds lists the kinds of identity found, in words, without the values.
func kinds(hits []leakscan.Hit) i18n.List {
	seen := map[string]bool{}
	var out []string
	for _, h := range hits {
		k := kindNames[h.Kind]
		if k == "" {
			k = string(h.Kind)
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return i18n.List(out)
}

// extensions for document-like items in the output tree.
var extensions = map[string]string{
	"pdf": "PDF", "jpeg": "JPG", "png": "PNG", "bmp": "BMP", "txt": "TXT", "html": "HTM", "docx": "DOCX",
	"doc": "DOC", "rtf": "RTF", "xls": "XLS", "xlsx": "XLSX", "odf": "ODT", "gif": "GIF", "webp": "WEBP",
	"heic": "HEIC", "tiff": "TIF",
}

// slideExtensions name slide files by vendor. MIRAX's is lower case:
// OpenSlide opens only a name ending in ".mrxs" (and finds the slide's
// folder by that name without the extension).
var slideExtensions = map[string]string{
	slide.VendorAperio: "SVS", slide.VendorHamamatsu: "NDPI", slide.VendorLeica: "SCN", slide.VendorVentana: "BIF",
	slide.VendorPhilips: "TIF", slide.VendorGenericTIFF: "TIF", slide.VendorMirax: "mrxs",
}

// name gives every written item its place in the output tree, in the
// layout of an IHE PDI disc and XDM package: DICOM/STnnnnnn/SEnnnnnn/IMnnnnnn
// (components of at most 8 characters, no extension),
// IHE_XDM/SUBSET01/DOCnnnnn.EXT for documents and pictures, SLIDES/SLIDEnnn.EXT
// for slides. Names follow the inventory's order, so they are stable.
func name(ds []Decision) {
	studies, series, images := map[string]int{}, map[string]int{}, map[string]int{}
	doc, slideN := 0, 0
	for i := range ds {
		d := &ds[i]
		if d.Action == Exclude {
			continue
		}
		it := d.Item
		switch it.Kind {
		case intake.KindDICOM:
			st, ok := studies[it.StudyInstanceUID]
			if !ok {
				st = len(studies) + 1
				studies[it.StudyInstanceUID] = st
			}
			sk := it.StudyInstanceUID + "\x00" + it.SeriesInstanceUID
			se, ok := series[sk]
			if !ok {
				se = countPrefix(series, it.StudyInstanceUID+"\x00") + 1
				series[sk] = se
			}
			images[sk]++
			d.Name = fmt.Sprintf("DICOM/ST%06d/SE%06d/IM%06d", st, se, images[sk])
		case intake.KindSlide:
			slideN++
			d.Name = fmt.Sprintf("SLIDES/SLIDE%03d.%s", slideN, slideExtensions[it.Slide.Vendor])
		default:
			doc++
			ext := extensions[it.Format]
			if d.Convert {
				ext = "JPG"
			}
			if ext == "" {
				ext = "BIN"
			}
			d.Name = fmt.Sprintf("IHE_XDM/SUBSET01/DOC%05d.%s", doc, ext)
		}
	}
}

func countPrefix(m map[string]int, prefix string) int {
	n := 0
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}
