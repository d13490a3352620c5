package deid

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"dossier/packager/i18n"
	"dossier/packager/pdftext"
)

// pdfcpu would otherwise create a configuration folder in the user's home; Dossier needs none of it.
// Set in init, before any goroutine reads pdfcpu's configuration: set later, under a sync.Once of
// one package, it raced with another package's reading of it on another worker.
func init() { api.DisableConfigDir() }

// ErrEncryptedPDF is returned for password-protected PDFs, which cannot be
// cleaned without the password.
var ErrEncryptedPDF = errors.New(i18n.Msg("the PDF is locked with a password"))

// ErrPDFNotClean is returned when the cleaned PDF, read back, still holds a
// part that should have been removed; nothing is written then.
var ErrPDFNotClean = errors.New(i18n.Msg("the cleaned PDF still holds hidden parts (forms, notes, attachments or metadata)"))

// pdfDropKeys are dictionary entries removed wherever they appear: XMP
// streams, authoring-program data, "last modified" stamps, actions run on
// opening or on events (JavaScript), associated files, annotations (notes,
// form widgets, file attachments, popups), and the alternative and actual
// text of tagged content, which repeats what the page shows or describes
// pictures in words.
var pdfDropKeys = []string{"Metadata", "PieceInfo", "LastModified", "AA", "OpenAction", "JS", "AF", "Annots", "Alt", "ActualText"}

// pdfCatalogDropKeys are document-level entries removed from the catalog:
// the interactive form, bookmarks, article threads, web-capture data,
// portfolio views, permissions and attestation dictionaries.
var pdfCatalogDropKeys = []string{"AcroForm", "Outlines", "Threads", "SpiderInfo", "Collection", "Perms", "Legal", "URI"}

// pdfNameTreeDropKeys are the name trees removed from the catalog's Names:
// attached files, document JavaScript and alternate presentations.
var pdfNameTreeDropKeys = []string{"EmbeddedFiles", "JavaScript", "AlternatePresentations"}

// pdfBlankTypes are object types emptied wherever they are found (they may
// stay referenced from the structure tree or a destination even after the
// entries that named them are gone).
var pdfBlankTypes = map[string]bool{"Annot": true, "Filespec": true, "EmbeddedFile": true, "Metadata": true, "Outlines": true, "Sig": true}

// annotSubtypes are the /Subtype values of annotations (an annotation's
// /Type is optional).
var annotSubtypes = map[string]bool{
	"Text": true, "Link": true, "FreeText": true, "Line": true, "Square": true, "Circle": true, "Polygon": true,
	"PolyLine": true, "Highlight": true, "Underline": true, "Squiggly": true, "StrikeOut": true, "Stamp": true,
	"Caret": true, "Ink": true, "Popup": true, "FileAttachment": true, "Sound": true, "Movie": true, "Widget": true,
	"Screen": true, "PrinterMark": true, "TrapNet": true, "Watermark": true, "3D": true, "Redact": true, "RichMedia": true, "Projection": true,
}

// pdfInfoAllowed are the document information entries the writer itself
// puts in a fresh file (its name and today's date); nothing else may remain.
var pdfInfoAllowed = map[string]bool{"Producer": true, "CreationDate": true, "ModDate": true}

// maxPDFDepth bounds the walk through nested direct objects.
const maxPDFDepth = 256

// StripPDF writes a fresh copy of a PDF (one revision, no incremental
// updates, so nothing of older revisions survives) without its hidden
// parts: the document information dictionary and XMP metadata (in the
// catalog and on any object), authoring-program data (PieceInfo), form
// fields with their values, defaults and appearances, every annotation
// (notes and their popups, file attachments, links, widgets), bookmarks,
// attached files, JavaScript and actions run on opening or on events, and
// the alternative and actual text of tagged content (in the structure tree
// and in the marked content of content streams); JPEG pictures lose
// their metadata (EXIF, XMP, comments; image data copied byte for byte).
// A PDF locked only
// against changes (it opens without a password) is written without the
// lock; one that needs a password to open is ErrEncryptedPDF. Page content
// is not touched: identity printed on the pages is found by scanning the text, not
// removed here. The written file is read back and checked before a byte
// reaches dst.
func StripPDF(dst io.Writer, src io.ReadSeeker) (err error) {
	defer func() {
		// pdfcpu panics on some malformed files; a damaged PDF must be an
		// error, never a crash.
		if p := recover(); p != nil {
			err = errors.New(i18n.Msg("cannot read this PDF (damaged)"))
		}
	}()
	ctx, err := readPDF(src)
	if err != nil {
		return err
	}
	if err := scrubPDF(ctx); err != nil {
		return fmt.Errorf("cleaning the PDF: %w", err)
	}
	var out bytes.Buffer
	if err := api.WriteContext(ctx, &out); err != nil {
		return fmt.Errorf("writing the cleaned PDF: %w", err)
	}
	if err := CheckPDF(bytes.NewReader(out.Bytes())); err != nil {
		return err
	}
	_, err = dst.Write(out.Bytes())
	return err
}

// readPDF reads a PDF for cleaning. A PDF locked only against changes or
// printing (an owner password, no password to open it) is read and written
// without the lock; one that needs a password to open is ErrEncryptedPDF.
func readPDF(src io.ReadSeeker) (*model.Context, error) {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(src, conf)
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "password") || strings.Contains(strings.ToLower(err.Error()), "encrypt") {
			return nil, ErrEncryptedPDF
		}
		return nil, fmt.Errorf("cannot read this PDF: %w", err)
	}
	if ctx.Encrypt != nil {
		// It opened without a password: write it without the lock.
		ctx.Cmd = model.DECRYPT
	}
	return ctx, nil
}

// scrubPDF removes the hidden parts from a read PDF in place.
func scrubPDF(ctx *model.Context) error {
	if err := pdftext.LoadObjects(ctx); err != nil {
		return err
	}
	ctx.Info = nil // the writer makes a fresh one with only its name and dates
	root, err := ctx.Catalog()
	if err != nil {
		return err
	}
	// Empty the objects of the trees that are dropped, so that nothing of
	// them survives through another reference.
	seen := map[int]bool{}
	if af, ok := root["AcroForm"]; ok {
		if d := derefDict(ctx, af, seen); d != nil {
			blankTree(ctx, d["Fields"], seen, 0)
		}
		blankTree(ctx, af, seen, 0)
	}
	blankTree(ctx, root["Outlines"], seen, 0)
	if names := derefDict(ctx, root["Names"], map[int]bool{}); names != nil {
		for _, k := range pdfNameTreeDropKeys {
			blankTree(ctx, names[k], seen, 0)
			delete(names, k)
		}
	}
	for _, k := range pdfCatalogDropKeys {
		delete(root, k)
	}
	if m := root.NameEntry("PageMode"); m != nil && (*m == "UseOutlines" || *m == "UseAttachments") {
		root["PageMode"] = types.Name("UseNone")
	}
	for _, e := range ctx.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		switch o := e.Object.(type) {
		case types.Dict:
			if blankObject(o) {
				e.Object = types.NewDict()
				continue
			}
			scrubPDFObject(o, 0)
		case types.StreamDict:
			if blankObject(o.Dict) {
				e.Object = emptyStream()
				continue
			}
			scrubPDFObject(o.Dict, 0)
			stripPDFPicture(&o)
			e.Object = o
		case types.Array:
			scrubPDFObject(o, 0)
		}
	}
	scrubPDFObject(root, 0)
	if err := ctx.EnsurePageCount(); err == nil {
		scrubContentStreams(ctx)
	}
	return nil
}

// stripPDFPicture removes the metadata (EXIF with GPS, XMP, comments) from
// a JPEG picture kept in a PDF (a DCTDecode stream), copying its image data
// byte for byte. A picture whose JPEG structure cannot be followed is left
// as it is (the leak scan still reads its bytes).
func stripPDFPicture(sd *types.StreamDict) {
	if len(sd.FilterPipeline) != 1 || sd.FilterPipeline[0].Name != "DCTDecode" || len(sd.Raw) == 0 {
		return
	}
	var b bytes.Buffer
	if err := StripJPEG(&b, bytes.NewReader(sd.Raw)); err != nil || b.Len() == 0 {
		return
	}
	sd.Raw = b.Bytes()
	n := int64(len(sd.Raw))
	sd.StreamLength = &n
	sd.Dict["Length"] = types.Integer(n)
}

func emptyStream() types.StreamDict {
	d := types.NewDict()
	d["Length"] = types.Integer(0)
	return types.StreamDict{Dict: d, Content: []byte{}, Raw: []byte{}}
}

// blankObject reports whether a dictionary is of a kind that is emptied
// whole: an annotation, a file specification or attached file, an XMP
// stream, a signature, a JavaScript action, or a form field.
func blankObject(d types.Dict) bool {
	if t := d.NameEntry("Type"); t != nil && pdfBlankTypes[*t] {
		return true
	}
	if s := d.NameEntry("Subtype"); s != nil {
		if annotSubtypes[*s] && d["Rect"] != nil {
			return true
		}
		if *s == "XML" && d["Type"] == nil { // XMP without /Type
			return true
		}
	}
	if s := d.NameEntry("S"); s != nil && (*s == "JavaScript" || *s == "Launch" || *s == "SubmitForm" || *s == "ImportData") {
		return true
	}
	if d["FT"] != nil || d["EF"] != nil {
		return true // a form field; an embedded file specification
	}
	return false
}

// blankTree empties every object reachable from o through references
// (the fields of a form, the items of an outline, the nodes and values of
// a name tree). seen guards against cycles and shared nodes; depth bounds
// direct nesting.
func blankTree(ctx *model.Context, o types.Object, seen map[int]bool, depth int) {
	if o == nil || depth > maxPDFDepth {
		return
	}
	switch v := o.(type) {
	case types.IndirectRef:
		nr := v.ObjectNumber.Value()
		if seen[nr] {
			return
		}
		seen[nr] = true
		e, ok := ctx.Find(nr)
		if !ok || e == nil || e.Free || e.Object == nil {
			return
		}
		obj := e.Object
		switch obj.(type) {
		case types.StreamDict:
			e.Object = emptyStream()
		case types.Dict:
			e.Object = types.NewDict()
		case types.Array:
			e.Object = types.Array{}
		default:
			e.Object = types.StringLiteral("")
		}
		switch x := obj.(type) {
		case types.StreamDict:
			blankTree(ctx, x.Dict, seen, depth+1)
		default:
			blankTree(ctx, x, seen, depth+1)
		}
	case types.Dict:
		for k, x := range v {
			// Do not climb back up into pages or the catalog.
			// Resources (fonts, pictures) are shared with the pages.
			switch k {
			case "P", "Parent", "Dest", "D", "SE", "Resources", "DR", "Font", "StructParent", "StructParents":
				continue
			}
			if k == "A" && isGoTo(ctx, x) {
				continue
			}
			blankTree(ctx, x, seen, depth+1)
		}
	case types.StreamDict:
		blankTree(ctx, v.Dict, seen, depth+1)
	case types.Array:
		for _, x := range v {
			if r, ok := x.(types.IndirectRef); ok && isPage(ctx, r) {
				continue // a destination's page
			}
			blankTree(ctx, x, seen, depth+1)
		}
	}
}

// isGoTo reports whether an action only moves to a place in the document
// (its destination names pages that must not be emptied).
func isGoTo(ctx *model.Context, o types.Object) bool {
	d := derefDict(ctx, o, map[int]bool{})
	if d == nil {
		return false
	}
	s := d.NameEntry("S")
	return s != nil && *s == "GoTo"
}

func isPage(ctx *model.Context, r types.IndirectRef) bool {
	e, ok := ctx.Find(r.ObjectNumber.Value())
	if !ok || e == nil || e.Object == nil {
		return false
	}
	d, ok := e.Object.(types.Dict)
	if !ok {
		return false
	}
	t := d.NameEntry("Type")
	return t != nil && (*t == "Page" || *t == "Pages" || *t == "Catalog")
}

func derefDict(ctx *model.Context, o types.Object, seen map[int]bool) types.Dict {
	for range 32 {
		switch v := o.(type) {
		case types.Dict:
			return v
		case types.StreamDict:
			return v.Dict
		case types.IndirectRef:
			nr := v.ObjectNumber.Value()
			if seen[nr] {
				return nil
			}
			seen[nr] = true
			e, ok := ctx.Find(nr)
			if !ok || e == nil || e.Free {
				return nil
			}
			o = e.Object
		default:
			return nil
		}
	}
	return nil
}

// scrubPDFObject removes the hidden entries from a dictionary or array and
// from the dictionaries nested directly in it (referenced objects are
// cleaned on their own, from the object table).
func scrubPDFObject(o types.Object, depth int) {
	if depth > maxPDFDepth {
		return
	}
	switch v := o.(type) {
	case types.Dict:
		for _, k := range pdfDropKeys {
			delete(v, k)
		}
		if isStructElem(v) {
			delete(v, "E") // the expansion of an abbreviation
			delete(v, "T") // the element's title
		}
		for k, x := range v {
			switch x := x.(type) {
			case types.Dict:
				if blankObject(x) {
					v[k] = types.NewDict()
					continue
				}
				scrubPDFObject(x, depth+1)
			case types.Array:
				scrubPDFObject(x, depth+1)
			}
		}
	case types.Array:
		for i, x := range v {
			switch x := x.(type) {
			case types.Dict:
				if blankObject(x) {
					v[i] = types.NewDict()
					continue
				}
				scrubPDFObject(x, depth+1)
			case types.Array:
				scrubPDFObject(x, depth+1)
			}
		}
	}
}

// isStructElem reports whether d is an element of the structure tree (its
// /Type is optional; it always has a structure type /S and a parent /P).
func isStructElem(d types.Dict) bool {
	if t := d.NameEntry("Type"); t != nil {
		return *t == "StructElem"
	}
	_, s := d["S"].(types.Name)
	return s && d["P"] != nil
}

// CheckPDF reads a cleaned PDF back and reports ErrPDFNotClean (with the
// kinds of part, never their content) when it still holds a form, an
// annotation, bookmarks, attached files, JavaScript, an action run on
// opening, XMP metadata, authoring-program data, alternative text or
// document information beyond the writer's own name and dates.
func CheckPDF(r io.ReadSeeker) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reading the cleaned PDF back: %w", ErrPDFNotClean)
		}
	}()
	ctx, err := readPDF(r)
	if err != nil {
		return fmt.Errorf("reading the cleaned PDF back: %w", err)
	}
	if err := pdftext.LoadObjects(ctx); err != nil {
		return fmt.Errorf("reading the cleaned PDF back: %w", err)
	}
	found := map[string]bool{}
	if ctx.Encrypt != nil {
		found["/Encrypt"] = true
	}
	root, err := ctx.Catalog()
	if err != nil {
		return fmt.Errorf("reading the cleaned PDF back: %w", err)
	}
	for _, k := range pdfCatalogDropKeys {
		if root[k] != nil {
			found["/"+k] = true
		}
	}
	if names := derefDict(ctx, root["Names"], map[int]bool{}); names != nil {
		for _, k := range pdfNameTreeDropKeys {
			if names[k] != nil {
				found["/"+k] = true
			}
		}
	}
	if ctx.Info != nil {
		if info := derefDict(ctx, *ctx.Info, map[int]bool{}); info != nil {
			for k := range info {
				if !pdfInfoAllowed[k] {
					found["/Info /"+k] = true
				}
			}
		}
	}
	var check func(o types.Object, depth int)
	check = func(o types.Object, depth int) {
		if depth > maxPDFDepth {
			return
		}
		switch v := o.(type) {
		case types.Dict:
			for _, k := range pdfDropKeys {
				if v[k] != nil {
					found["/"+k] = true
				}
			}
			if len(v) > 0 && blankObject(v) {
				found["an annotation, form field, attachment or XMP stream"] = true
			}
			for _, x := range v {
				check(x, depth+1)
			}
		case types.StreamDict:
			check(v.Dict, depth)
		case types.Array:
			for _, x := range v {
				check(x, depth+1)
			}
		}
	}
	for _, e := range ctx.Table {
		if e != nil && !e.Free && e.Object != nil {
			check(e.Object, 0)
		}
	}
	if len(found) == 0 {
		return nil
	}
	var kinds []string
	for k := range found {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return fmt.Errorf("%w: %s", ErrPDFNotClean, strings.Join(kinds, ", "))
}
