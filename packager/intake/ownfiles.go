package intake

import (
	"bytes"
	"io"

	"dossier/packager/i18n"
)

// Dossier marks every document it writes (the cover summary, the records
// request letter, INDEX.HTM), so that a later scan does not read them back as
// records: a letter saved into the records folder was read as a treatment
// summary and as blood results, and the checklist overstated what was there.
const (
	// MarkKey is the custom key of the document information dictionary of
	// every PDF Dossier writes; its value is MarkValue.
	MarkKey = "DossierMade"
	// MarkValue says what wrote the document.
	MarkValue = "by Dossier, not a record"
	// MarkHTML begins the generator meta element of every HTML page Dossier
	// writes (closed by ">" or " />").
	MarkHTML = `<meta name="generator" content="Dossier"`
)

// markLimit bounds what is read to find the mark: Dossier's own documents
// are small, and a larger file is not one of them.
const markLimit = 16 << 20

// madeByDossier reports whether a PDF or HTML file carries Dossier's mark.
// The PDF's information dictionary is written as a plain object, so its
// key appears as-is in the file.
func madeByDossier(ra io.ReaderAt, size int64, format string) bool {
	if size <= 0 || size > markLimit {
		return false
	}
	b := make([]byte, size)
	n, err := ra.ReadAt(b, 0)
	if err != nil && err != io.EOF {
		return false
	}
	b = b[:n]
	switch format {
	case "pdf":
		return bytes.Contains(b, []byte("/"+MarkKey))
	case "html", "xml": // INDEX.HTM is XHTML, read as XML
		return bytes.Contains(b[:min(len(b), 4096)], []byte(MarkHTML))
	}
	return false
}

// skipOwn marks it skipped when Dossier made it.
func skipOwn(it *Item, ra io.ReaderAt, size int64) bool {
	if (it.Kind == KindPDF || it.Format == "html" || it.Format == "xml") && madeByDossier(ra, size, it.Format) {
		it.Kind, it.Reason = KindSkipped, i18n.NewText(i18n.Msg("made by Dossier (a cover summary, letter or index), not a record"))
		return true
	}
	return false
}
