package deid

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"dossier/packager/i18n"
)

// ErrEncryptedPDF is returned for password-protected PDFs, which cannot be
// cleaned without the password.
var ErrEncryptedPDF = errors.New(i18n.Msg("the PDF is locked with a password"))

var disableConfig sync.Once

// identifyingPDFKeys are dictionary entries that carry metadata rather than
// content: XMP streams, page-piece data of the authoring program, and the
// "last modified" stamps of pages and forms.
var identifyingPDFKeys = []string{"Metadata", "PieceInfo", "LastModified"}

// StripPDF writes a copy of a PDF without its document information
// dictionary (title, author, creator, dates: the writer adds only its own
// name and today's date) and without XMP metadata and authoring-program data
// anywhere in the file. Page content is not touched: identity printed on
// the pages is found by scanning the text, not removed here.
func StripPDF(dst io.Writer, src io.ReadSeeker) (err error) {
	// pdfcpu would otherwise create a configuration folder in the user's
	// profile; Dossier needs none of it.
	disableConfig.Do(api.DisableConfigDir)
	defer func() {
		// pdfcpu panics on some malformed files; a damaged PDF must be an
		// error, never a crash.
		if p := recover(); p != nil {
			err = errors.New(i18n.Msg("cannot read this PDF (damaged)"))
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(src, conf)
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "password") || strings.Contains(strings.ToLower(err.Error()), "encrypt") {
			return ErrEncryptedPDF
		}
		return fmt.Errorf("cannot read this PDF: %w", err)
	}
	if ctx.Encrypt != nil {
		return ErrEncryptedPDF
	}
	ctx.Info = nil
	for _, e := range ctx.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		switch o := e.Object.(type) {
		case types.Dict:
			scrubDict(o)
		case types.StreamDict:
			scrubDict(o.Dict)
			if t := o.Dict.NameEntry("Type"); t != nil && *t == "Metadata" {
				e.Object = types.StreamDict{Dict: types.NewDict(), Content: []byte{}, Raw: []byte{}}
			}
		}
	}
	if root, err := ctx.Catalog(); err == nil {
		scrubDict(root)
	}
	if err := api.WriteContext(ctx, dst); err != nil {
		return fmt.Errorf("writing the cleaned PDF: %w", err)
	}
	return nil
}

func scrubDict(d types.Dict) {
	for _, k := range identifyingPDFKeys {
		delete(d, k)
	}
}
