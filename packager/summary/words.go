package summary

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"dossier/packager/doctext"
	"dossier/packager/intake"
)

// zh reports whether a language code is Chinese.
func zh(lang string) bool { return strings.HasPrefix(strings.ToLower(lang), "zh") }

func langKey(lang string) string {
	if zh(lang) {
		return "zh-Hans"
	}
	return "en"
}

// ResultText is a result in words of a language ("positive", "阳性").
func ResultText(r Result, lang string) string {
	v, err := loadVocab()
	if err != nil || r == "" {
		return string(r)
	}
	if w := v.words.Results[string(r)][langKey(lang)]; w != "" {
		return w
	}
	return string(r)
}

// KindText is an event kind in words of a language.
func KindText(kind, lang string) string {
	v, err := loadVocab()
	if err != nil {
		return kind
	}
	if w := v.words.Kinds[kind][langKey(lang)]; w != "" {
		return w
	}
	return kind
}

// ValueText writes a value as written in a report in the words of another
// language where they are standard ("约80%" is "about 80%"; "exon 19
// deletion" is "19外显子缺失突变"); numbers, scores and variant names stay as
// they are.
func ValueText(value, lang string) string {
	v, err := loadVocab()
	if err != nil || value == "" {
		return value
	}
	for _, p := range v.valuePairs {
		if zh(lang) && p.en.MatchString(value) {
			return p.en.ReplaceAllString(value, p.toZh)
		}
		if !zh(lang) && p.zh.MatchString(value) {
			return p.zh.ReplaceAllString(value, p.toEn)
		}
	}
	for _, w := range v.words.Values.Words {
		if zh(lang) {
			for _, from := range append([]string{w.En}, w.AlsoEn...) {
				value = replaceFold(value, from, w.Zh)
			}
		} else {
			for _, from := range append(w.AlsoZh, w.Zh) {
				value = strings.ReplaceAll(value, from, " "+w.En)
			}
		}
	}
	return strings.Join(strings.Fields(value), " ")
}

func replaceFold(s, old, new string) string {
	if old == "" {
		return s
	}
	re := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(old))
	return re.ReplaceAllLiteralString(s, new)
}

// Describe writes a biomarker fact in a language: "ER positive, about 80%",
// "ER 阳性，约80%", "EGFR 19外显子缺失突变" (a mutation with its variant is
// named by the variant).
func (b Biomarker) Describe(lang string) string {
	value := ValueText(b.Value, lang)
	res := ResultText(b.Result, lang)
	if b.Result == "mutated" && value != "" {
		res = ""
	}
	sep, comma := " ", ", "
	if zh(lang) {
		comma = "，"
	}
	out := b.Name
	if res != "" {
		out += sep + res
	}
	if value != "" {
		if res != "" {
			out += comma + value
		} else {
			out += sep + value
		}
	}
	return out
}

// Describe writes a diagnosis in a language: the WHO name (or its Chinese
// name), the side and site, and the grade.
func (d Diagnosis) Describe(lang string) string {
	if d.Checked != nil && d.Checked.Corrected && d.Histology == "" {
		return d.Text // the person's words, as written
	}
	if !zh(lang) {
		if d.Text != "" {
			return d.Text
		}
		return diagnosisText(d)
	}
	v, err := loadVocab()
	if err != nil {
		return d.Text
	}
	name := d.Histology
	for _, h := range v.histologies {
		if h.Name == d.Histology {
			name = h.Zh
		}
	}
	where := ""
	if d.Laterality != "" {
		where += v.words.Laterality[d.Laterality]["zh-Hans"]
	}
	for _, s := range v.sites {
		if s.Name == d.Site {
			where += s.Zh
		}
	}
	out := name
	if where != "" {
		out = where + " " + out
	}
	if g := gradeText(v, d.Grade); g != "" {
		out += "，" + g
	}
	if d.InSitu != "" {
		in := d.InSitu
		for _, h := range v.histologies {
			if h.Name == d.InSitu {
				in = h.Zh
			}
		}
		out += "，伴" + in
	}
	return out
}

func gradeText(v *vocab, grade string) string {
	if grade == "" {
		return ""
	}
	for _, r := range gradeRes {
		if r.re.MatchString(grade) {
			return r.re.ReplaceAllString(grade, r.zh)
		}
	}
	return grade
}

var gradeRes = []struct {
	re *regexp.Regexp
	zh string
}{
	{regexp.MustCompile(`^Nottingham grade (\d)$`), "Nottingham ${1}级"},
	{regexp.MustCompile(`^CNS WHO grade (\d)$`), "CNS WHO ${1}级"},
	{regexp.MustCompile(`^Grade Group (\d)$`), "分级分组 ${1}"},
}

var reStageGroup = regexp.MustCompile(`Stage ([0IV]+[A-C]?\d?|[IV]+[ABESX]{0,2})`)

// Describe writes a stage in a language ("pT2 N1a M0 Stage IIB" is
// "pT2 N1a M0 IIB期" in Chinese).
func (s Stage) Describe(lang string) string {
	if !zh(lang) || s.Checked != nil && s.Checked.Corrected {
		return s.Text
	}
	t := reStageGroup.ReplaceAllString(s.Text, "${1}期")
	t = strings.Replace(t, "Ann Arbor ", "Ann Arbor分期 ", 1)
	return t
}

// Describe writes an event's kind and words in a language (the words stay
// as the report wrote them).
func (e Event) Describe(lang string) string {
	return KindText(e.Kind, lang) + ": " + e.Text
}

// LoadDocument reads a document's text page by page (doctext, bounded by
// opts). A document without readable text has no pages.
func LoadDocument(ctx context.Context, path, format string, opts doctext.Options) (Document, error) {
	doc := Document{Path: path}
	if format == "pdf" && !strings.Contains(path, "!/") {
		pages, err := pdfPages(ctx, path, opts)
		switch {
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return doc, err
		case err == nil:
			for _, p := range pages {
				doc.Pages = append(doc.Pages, p.Text)
			}
			return doc, nil
		}
		// A PDF the page reader refuses is still tried as a whole below.
	}
	text, err := doctext.ExtractFile(ctx, path, format, opts)
	switch {
	case errors.Is(err, doctext.ErrNoText), errors.Is(err, doctext.ErrUnsupported):
		return doc, nil
	case err != nil:
		return doc, fmt.Errorf("reading a document for the summary: %w", err)
	}
	doc.Pages = Pages(text)
	return doc, nil
}

// FromInventory reads the summary of every report and letter of a scanned
// case: PDF and document files, DICOM structured reports and the PDFs
// inside Encapsulated PDF instances. A document whose text cannot be read
// is left out; ctx stops it.
func FromInventory(ctx context.Context, inv *intake.Inventory, opts doctext.Options) (*Summary, []Document, error) {
	var docs []Document
	for _, it := range inv.Items {
		var d Document
		var err error
		switch {
		case it.Kind == intake.KindPDF || it.Kind == intake.KindDocument:
			d, err = LoadDocument(ctx, it.Path, it.Format, opts)
		case it.Kind == intake.KindDICOM && isDICOMReport(it.SOPClassUID):
			d, err = LoadDICOM(ctx, it.Path, it.SOPClassUID, opts)
		default:
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			continue
		}
		docs = append(docs, d)
	}
	s, err := Read(ctx, docs)
	return s, docs, err
}

// DateSpans returns where dates are written in a text (byte offsets), in
// every format the reader knows, so that a quote can have them hidden or
// replaced.
func DateSpans(text string) [][2]int {
	v, err := loadVocab()
	if err != nil {
		return nil
	}
	p := newPage(1, text)
	var out [][2]int
	for _, d := range findDates(v, p, resolveOrder(v, []*page{p})) {
		out = append(out, [2]int{d.start, d.end})
	}
	return out
}

// MarkerNames lists the biomarker names facts can have.
func MarkerNames() []string {
	v, err := loadVocab()
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range v.markers {
		if !slices.Contains(out, m.Name) {
			out = append(out, m.Name)
		}
		if m.Promote != nil && !slices.Contains(out, m.Promote.To) {
			out = append(out, m.Promote.To)
		}
	}
	return out
}

// Plan is the treatment plan a document proposes, as written.
type Plan struct {
	Text   string `json:"text"`
	Date   string `json:"date"`
	Source Source `json:"source"`
}

var planLabels = []string{"plan", "treatment plan", "management plan", "proposed plan", "outcome", "mdt outcome", "recommendation", "recommendations",
	"治疗计划", "诊疗计划", "治疗方案", "处理意见", "治療計劃", "建议", "建議"}

// ProposedPlan finds the plan the newest document proposes: the words after
// a "Plan:" or "Outcome:" label (治疗计划, 处理意见, ...). It returns nil when
// no document gives one.
func ProposedPlan(ctx context.Context, docs []Document) (*Plan, error) {
	v, err := loadVocab()
	if err != nil {
		return nil, err
	}
	var best *Plan
	for _, d := range docs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st := &docState{v: v, path: d.Path}
		for i, t := range d.Pages {
			st.pages = append(st.pages, newPage(i+1, t))
		}
		order := resolveOrder(v, st.pages)
		for _, p := range st.pages {
			st.dates = append(st.dates, findDates(v, p, order))
		}
		st.date = st.docDate()
		for _, p := range st.pages {
			for _, u := range p.units {
				line := p.text[u.start:u.end]
				if !slices.Contains(planLabels, labelOf(line)) {
					continue
				}
				i := strings.IndexAny(line, ":：")
				text := clean(line[i+1:])
				if text == "" {
					continue
				}
				if best == nil || st.date != "" && st.date >= best.Date {
					best = &Plan{Text: text, Date: st.date, Source: st.source(p, u.start, u.end)}
				}
				break
			}
		}
	}
	return best, nil
}

// pdfPages reads a PDF's text page by page, so that each fact names its page.
func pdfPages(ctx context.Context, path string, opts doctext.Options) ([]doctext.PDFPage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening a document: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("opening a document: %w", err)
	}
	return doctext.PDFPages(ctx, f, st.Size(), opts)
}
