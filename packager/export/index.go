package export

import (
	"dossier/packager/bundle"
	"dossier/packager/cover"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/privacy"
	"dossier/packager/summary"
)

// indexText is what INDEX.HTM shows besides the files, at the export's privacy level: the
// question (scrubbed of identity at the private levels), the clinical summary as the cover has it
// (with the facts the patient corrected), and each document's date and title.
func indexText(req Request, p privacy.Params, inv *intake.Inventory, questions []string) bundle.IndexText {
	var m *identity.Matcher
	if req.Level != privacy.Identified {
		m = inv.Identity.Matcher()
	}
	t := bundle.IndexText{Questions: questions, Documents: map[string]bundle.IndexDocument{}}
	if req.Clinical != nil {
		t.Clinical = func(info bundle.CoverInfo) *cover.Clinical {
			s := Summary(req, info, p)
			if m != nil {
				scrubSummary(&s, m)
			}
			return s.Clinical
		}
	}
	for _, doc := range req.clinicalDocs {
		d := summary.DocumentInfo(doc)
		if req.Level == privacy.Anonymised {
			d.Date = shiftISO(p, d.Date)
		}
		if req.Level != privacy.Identified && !cleanTitle(d, m) {
			d.Title = ""
		}
		if d.Date != "" || d.Title != "" {
			t.Documents[doc.Path] = bundle.IndexDocument{Date: d.Date, Title: d.Title}
		}
	}
	return t
}

// cleanTitle reports whether a document's title may be shown at a private level: it names no
// institution, holds no labelled identity field and none of the patient's identity.
func cleanTitle(d summary.DocInfo, m *identity.Matcher) bool {
	if d.Title == "" || d.Institution || len(identity.ReadLabels(d.Title)) > 0 {
		return false
	}
	return m == nil || m.Empty() || len(m.FindAll(d.Title)) == 0
}
