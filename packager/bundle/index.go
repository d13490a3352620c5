package bundle

import (
	"fmt"
	"html"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"dossier/packager/cover"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

// indexStyle is INDEX.HTM's stylesheet: readable in any browser, no wider than the window.
const indexStyle = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","Microsoft YaHei",Arial,sans-serif;` +
	`max-width:60em;margin:0 auto;padding:1em 1.2em;line-height:1.45;color:#1d232b;background:#fff;overflow-wrap:break-word}` +
	`h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin:1.4em 0 .4em;border-bottom:1px solid #d5dbe3;padding-bottom:.2em}` +
	`h3{font-size:1.05em;margin:1em 0 .3em}` +
	`.lead{color:#4a5563}.question{background:#eef4fb;border-left:4px solid #2f6db5;padding:.6em .9em;margin:.6em 0}` +
	`table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:.35em .5em;border-bottom:1px solid #e6eaef}` +
	`th{font-weight:600;color:#4a5563}.kind,.date{white-space:nowrap}` +
	`.quote{display:block;font-size:.88em;color:#4a5563;font-style:italic}.file{display:block;font-size:.85em;color:#4a5563}` +
	`.checked{display:block;font-size:.85em;color:#8a4b00}.note{font-size:.9em;color:#4a5563}` +
	`.pics{display:flex;flex-wrap:wrap;gap:.8em;margin:.4em 0}.pic{width:170px}.pic img{width:160px;height:160px;object-fit:contain;background:#000;display:block}` +
	`.pic span{display:block;font-size:.85em;color:#4a5563}code{font-size:.95em;word-break:break-all}` +
	`a{color:#1f5aa6}`

// indexLevelWords says what each privacy level means, for INDEX.HTM.
var indexLevelWords = map[privacy.Level]string{
	privacy.Identified:    i18n.Msg("identified: the files are exact copies of the patient's records, with their name and details"),
	privacy.Pseudonymised: i18n.Msg("pseudonymised: names and IDs are replaced by a pseudonym; the patient can reveal who they are"),
	privacy.Anonymised:    i18n.Msg("anonymised: names and IDs are removed and dates are shifted; nobody can link it back"),
}

// index is INDEX.HTM, the coordinator's front page, in the bundle's language: XHTML with a small
// inline stylesheet, relative links only and no scripts. It gives the question and the clinical
// summary (each fact with its document, page and the report's words, and whether the sender
// confirmed or corrected it), each document with its kind, date and title (the document's own
// title and its file name at the identified level; a title that cannot carry identity, or the kind
// and a number, at the private levels), each imaging series with a picture of its middle image
// and its counts, each slide with its thumbnail, and what was left out and why.
func index(t treeInfo) []byte {
	c := i18n.MustLoad(t.Language)
	var b strings.Builder
	e := html.EscapeString
	m := func(format string, args ...any) string { return e(c.Sprintf(format, args...)) }
	tag := c.Lang()
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">` + "\n")
	fmt.Fprintf(&b, `<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="%s" lang="%s">`+"\n<head>\n", e(tag), e(tag))
	b.WriteString(`<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />` + "\n")
	b.WriteString(`<meta name="viewport" content="width=device-width, initial-scale=1" />` + "\n")
	b.WriteString(intake.MarkHTML + " />\n")
	title := m(i18n.Msg("Medical records for a second opinion"))
	fmt.Fprintf(&b, "<title>%s</title>\n", title)
	b.WriteString("<style type=\"text/css\">" + indexStyle + "</style>\n</head>\n<body>\n")
	fmt.Fprintf(&b, "<h1>%s</h1>\n", title)
	fmt.Fprintf(&b, "<p class=\"lead\">%s</p>\n", m(i18n.Msg("Gathered with Dossier on %v. Privacy level: %v."), c.Date(t.Created), c.Message(indexLevelWords[t.Level])))
	if t.PatientID != "" {
		fmt.Fprintf(&b, "<p>%s <strong>%s</strong></p>\n", m(i18n.Msg("Patient reference:")), e(t.PatientID))
	}
	fmt.Fprintf(&b, "<p><a href=\"%s\">%s</a></p>\n", NameCover, m(i18n.Msg("Start with the case summary (COVER.PDF).")))
	if len(t.Questions) > 0 {
		fmt.Fprintf(&b, "<h2>%s</h2>\n", m(i18n.Msg("The question for the reviewer")))
		for _, q := range t.Questions {
			fmt.Fprintf(&b, "<p class=\"question\">%s</p>\n", e(q))
		}
	}
	if t.Clinical != nil {
		indexClinical(&b, c, t.Clinical)
	}
	var docs, slides []fileEntry
	for _, f := range t.Files {
		switch {
		case strings.HasPrefix(f.Name, "IHE_XDM/"):
			docs = append(docs, f)
		case strings.HasPrefix(f.Name, "SLIDES/") && f.Item != nil: // not a MIRAX slide's folder files
			slides = append(slides, f)
		}
	}
	if len(docs) > 0 {
		fmt.Fprintf(&b, "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
			m(i18n.Msg("Reports, letters and pictures")), m(i18n.Msg("Kind")), m(i18n.Msg("Date")), m(i18n.Msg("Title")), m(i18n.Msg("Size")))
		seen := map[string]int{}
		for _, f := range docs {
			kind := indexKind(c, f)
			seen[kind]++
			var info IndexDocument
			if f.Item != nil {
				info = t.Documents[f.Item.Path]
			}
			title := info.Title
			if title == "" {
				title = fmt.Sprintf("%s %d", kind, seen[kind])
			}
			file := ""
			if t.Level == privacy.Identified && f.Item != nil {
				file = filepath.Base(strings.ReplaceAll(f.Item.Path, "!/", "/"))
				if info.Title == "" {
					title, file = file, ""
				}
			}
			fmt.Fprintf(&b, "<tr><td class=\"kind\">%s</td><td class=\"date\">%s</td><td><a href=\"%s\">%s</a>", e(kind), e(info.Date), e(f.Name), e(title))
			if file != "" {
				fmt.Fprintf(&b, "<span class=\"file\">%s</span>", e(file))
			}
			fmt.Fprintf(&b, "</td><td>%s</td></tr>\n", e(size(c, f.Size)))
		}
		b.WriteString("</table>\n")
	}
	if len(t.Studies) > 0 {
		fmt.Fprintf(&b, "<h2>%s</h2>\n", m(i18n.Msg("Imaging studies (DICOM)")))
		fmt.Fprintf(&b, "<p>%s <a href=\"%s\">%s</a></p>\n", m(i18n.Msg("To see every image, open this with a DICOM viewer (for example the one the centre uses for CDs):")), NameDICOMDIR, NameDICOMDIR)
		series := writtenSeries(t.Files, t.Level)
		for _, s := range t.Studies {
			fmt.Fprintf(&b, "<h3>%s</h3>\n<p>%s</p>\n<div class=\"pics\">\n",
				e(strings.Join(strings.Fields(s.Date+" "+s.Modalities+" "+s.Description), " ")),
				m(i18n.Msg("%d series, %s, in the folder %v."), s.Series, imagesText(s.Images), s.Folder))
			for _, se := range series {
				if !strings.HasPrefix(se.Folder, s.Folder+"/") {
					continue
				}
				label := strings.TrimSpace(se.Modality + " " + se.Description)
				what := c.Sprintf(i18n.Msg("%v: %s"), label, imagesText(se.Images))
				if th, ok := t.Thumbs[se.Folder]; ok {
					fmt.Fprintf(&b, "<div class=\"pic\"><img src=\"%s\" alt=\"%s\" /><span>%s</span></div>\n", e(th.Name), e(what), e(what))
				} else {
					fmt.Fprintf(&b, "<div class=\"pic\"><span>%s</span></div>\n", m(i18n.Msg("%v (no picture could be made)"), what))
				}
			}
			b.WriteString("</div>\n")
		}
	}
	if len(slides) > 0 {
		fmt.Fprintf(&b, "<h2>%s</h2>\n<div class=\"pics\">\n", m(i18n.Msg("Slides")))
		for _, f := range slides {
			what := fmt.Sprintf("%s (%s)", indexKind(c, f), size(c, f.Size))
			if th, ok := t.Thumbs[f.Name]; ok {
				fmt.Fprintf(&b, "<div class=\"pic\"><a href=\"%s\"><img src=\"%s\" alt=\"%s\" /></a><span>%s</span></div>\n", e(f.Name), e(th.Name), e(what), e(what))
			} else {
				fmt.Fprintf(&b, "<div class=\"pic\"><span><a href=\"%s\">%s</a></span></div>\n", e(f.Name), e(what))
			}
		}
		b.WriteString("</div>\n")
	}
	if len(t.LeftOut) > 0 {
		fmt.Fprintf(&b, "<h2>%s</h2>\n<table>\n", m(i18n.Msg("Left out, and why")))
		for _, l := range t.LeftOut {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>\n", e(c.Text(l.What)), e(c.Text(l.Why)))
		}
		b.WriteString("</table>\n")
	}
	fmt.Fprintf(&b, "<p class=\"note\">%s <a href=\"%s\">%s</a>", m(i18n.Msg("Every file's checksum is in")), NameManifest, NameManifest)
	if t.Fingerprint != "" {
		fmt.Fprintf(&b, "<br />%s <code>%s</code>", m(i18n.Msg("Fingerprint:")), e(groups(t.Fingerprint)))
	}
	b.WriteString("</p>\n</body>\n</html>\n")
	return []byte(b.String())
}

// indexKind is a file's kind in the page's language: the document category, or what the item is.
func indexKind(c *i18n.Catalog, f fileEntry) string {
	if doc := f.info(); doc.Category != "" && c.Has("cover.category."+doc.Category) {
		return c.T("cover.category." + doc.Category)
	}
	if f.Item == nil {
		return f.info().Title
	}
	return capitalise(c.Text(describe(f.Item)))
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// indexClinical writes the clinical summary: the facts as the cover has them, each with the
// document (a link) and page it was read from and the report's words.
func indexClinical(b *strings.Builder, c *i18n.Catalog, cl *cover.Clinical) {
	e := html.EscapeString
	fmt.Fprintf(b, "<h2>%s</h2>\n", e(c.T("cover.heading.clinical")))
	if len(cl.Diagnoses)+len(cl.Stages)+len(cl.Biomarkers)+len(cl.Timeline) == 0 {
		fmt.Fprintf(b, "<p>%s</p>\n", e(c.T("cover.clinical.none")))
		return
	}
	fmt.Fprintf(b, "<p class=\"note\">%s</p>\n", e(c.T("cover.clinical.intro")))
	where := func(doc string, page int) string {
		if doc == "" {
			return ""
		}
		text := doc
		if page > 0 {
			text = c.T("cover.clinical.where", doc, page)
		}
		if !strings.HasPrefix(doc, "IHE_XDM/") {
			return e(text) // an imaging study's folder: its pictures are further down
		}
		return fmt.Sprintf("<a href=\"%s\">%s</a>", e(doc), e(text))
	}
	detail := func(quote, checked string) string {
		out := ""
		switch checked {
		case cover.CheckedCorrected:
			out += "<span class=\"checked\">" + e(c.T("cover.clinical.corrected")) + "</span>"
		case cover.CheckedConfirmed:
			out += "<span class=\"checked\">" + e(c.T("cover.clinical.confirmed")) + "</span>"
		}
		if quote != "" {
			out += "<span class=\"quote\">" + e(c.T("cover.clinical.quote", quote)) + "</span>"
		}
		return out
	}
	row := func(label, what, date, doc string, page int, quote, checked string) {
		fmt.Fprintf(b, "<tr><th>%s</th><td>%s%s</td><td class=\"date\">%s</td><td>%s</td></tr>\n",
			e(label), e(what), detail(quote, checked), e(date), where(doc, page))
	}
	if len(cl.Diagnoses)+len(cl.Stages) > 0 {
		b.WriteString("<table>\n")
		for _, d := range cl.Diagnoses {
			row(c.T("cover.label.diagnosis"), d.What, d.Date, d.Document, d.Page, d.Quote, d.Checked)
		}
		for _, x := range cl.Stages {
			row(c.T("cover.label.stage"), x.What, x.Date, x.Document, x.Page, x.Quote, x.Checked)
		}
		b.WriteString("</table>\n")
	}
	if len(cl.Biomarkers) > 0 {
		fmt.Fprintf(b, "<h3>%s</h3>\n<table>\n", e(c.T("cover.clinical.biomarkers")))
		for _, m := range cl.Biomarkers {
			what := strings.Join(nonEmpty(m.Result, m.Value, m.Method), c.T("pdf.clause.separator"))
			row(m.Marker, what, m.Date, m.Document, m.Page, m.Quote, m.Checked)
		}
		b.WriteString("</table>\n")
	}
	if len(cl.Timeline) > 0 {
		fmt.Fprintf(b, "<h3>%s</h3>\n<table>\n", e(c.T("cover.clinical.timeline")))
		for _, x := range cl.Timeline {
			fmt.Fprintf(b, "<tr><td class=\"date\">%s</td><td>%s%s</td><td>%s</td></tr>\n", e(x.Date), e(x.What), detail(x.Quote, x.Checked), where(x.Document, x.Page))
		}
		b.WriteString("</table>\n")
	}
	if len(cl.Conflicts) > 0 {
		fmt.Fprintf(b, "<h3>%s</h3>\n", e(c.T("cover.clinical.conflicts")))
		for _, x := range cl.Conflicts {
			fmt.Fprintf(b, "<p>%s</p>\n", e(x))
		}
	}
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// imagesText is a number of images ("1 image", "3 images").
func imagesText(n int) i18n.Text {
	return i18n.Plural(n, i18n.Msg("%d image"), i18n.Msg("%d images"))
}

// size writes a file's size for INDEX.HTM in c's language ("12 kB",
// "1 byte", "3 字节").
func size(c *i18n.Catalog, n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return c.Text(i18n.Plural(int(n), i18n.Msg("%d byte"), i18n.Msg("%d bytes")))
}
