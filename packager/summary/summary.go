// Package summary reads the facts a reviewer looks at first out of report
// text: diagnoses, stages, biomarkers with their values, and dated events,
// each with its source (the file, the page and the exact words it was read
// from). It reads English and Chinese (simplified and traditional) reports
// in synoptic, narrative and table-as-text styles. It is rule-based and
// deterministic: the vocabularies are data (assets/summary), nothing is
// fetched and no model is used. Facts that disagree are kept side by side
// and flagged as conflicts, never reconciled.
package summary

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"dossier/packager/doctext"
)

// Source is where a fact was read: the document, its page (from 1) and the
// exact words of the document's text.
type Source struct {
	Path  string `json:"path"`
	Page  int    `json:"page"`
	Quote string `json:"quote"`
}

// Diagnosis is a histologic diagnosis.
type Diagnosis struct {
	// Text is the diagnosis in words, made of the parts below (English).
	Text string `json:"text"`
	// Histology is the WHO name of the histologic type.
	Histology  string `json:"histology"`
	Site       string `json:"site"`
	Laterality string `json:"laterality"` // left, right, bilateral or empty
	// Grade is written the way its system writes it: "Nottingham grade 2",
	// "CNS WHO grade 4", "G2", "Grade Group 3".
	Grade string `json:"grade"`
	// InSitu is the in situ component the same report gives with an
	// invasive diagnosis ("Ductal carcinoma in situ"); empty when none.
	InSitu string `json:"inSitu,omitempty"`
	Date   string `json:"date"` // YYYY-MM-DD (or YYYY-MM); empty when unknown
	Source Source `json:"source"`
	// Checked is set when the patient or their staff confirmed or
	// corrected the diagnosis (see Apply).
	Checked *Checked `json:"checked,omitempty"`
}

// Stage is a stage: TNM with its prefixes, a stage group, or another system
// (Ann Arbor, FIGO, BCLC, ISS).
type Stage struct {
	Text       string   `json:"text"`
	Components []string `json:"components"`
	Source     Source   `json:"source"`
	Checked    *Checked `json:"checked,omitempty"`
}

// Result is a biomarker result from a fixed vocabulary (see Results); it is
// empty, null in JSON, when the report gives only a value.
type Result string

// MarshalJSON writes an empty result as null.
func (r Result) MarshalJSON() ([]byte, error) {
	if r == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(r))
}

// UnmarshalJSON reads null as an empty result.
func (r *Result) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*r = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*r = Result(s)
	return nil
}

// Results lists the biomarker results.
func Results() []string {
	return []string{"positive", "negative", "equivocal", "low", "high", "stable", "mutated", "wild-type",
		"methylated", "unmethylated", "codeleted", "intact", "proficient", "deficient"}
}

func validResult(r string) bool { return slices.Contains(Results(), r) }

// Biomarker is one biomarker result.
type Biomarker struct {
	// Name is from the vocabulary: ER, PR, HER2, HER2-ISH, Ki-67, PD-L1,
	// EGFR, ALK, ... (assets/summary/biomarkers.json).
	Name   string `json:"name"`
	Result Result `json:"result"`
	// Value is as written: "95%", "3+", "ratio 2.6", "exon 19 deletion".
	Value string `json:"value"`
	// Method is IHC, FISH, ISH, NGS, PCR or Sanger, with the clone when
	// given: "IHC (SP263)".
	Method string `json:"method"`
	// Date is the date of the document it was read from or, for an earlier
	// result, the date the report gives it (YYYY-MM-DD, YYYY-MM or YYYY;
	// empty when it gives none).
	Date string `json:"date"`
	// History is set for an earlier result the report quotes ("the primary
	// tumour (2019, ER 90%)", "previously ER positive"), not its own.
	History bool     `json:"history,omitempty"`
	Source  Source   `json:"source"`
	Checked *Checked `json:"checked,omitempty"`
}

// Event kinds.
const (
	KindBiopsy       = "biopsy"
	KindSurgery      = "surgery"
	KindImaging      = "imaging"
	KindSystemic     = "systemic therapy"
	KindRadiotherapy = "radiotherapy"
	KindOther        = "other"
)

// Kinds lists the event kinds.
func Kinds() []string {
	return []string{KindBiopsy, KindSurgery, KindImaging, KindSystemic, KindRadiotherapy, KindOther}
}

func validKind(k string) bool { return slices.Contains(Kinds(), k) }

// Event is a dated event of the history: a biopsy, an operation, a scan, a
// treatment.
type Event struct {
	Date    string   `json:"date"` // YYYY-MM-DD, or YYYY-MM when only the month is written
	Kind    string   `json:"kind"`
	Text    string   `json:"text"`
	Source  Source   `json:"source"`
	Checked *Checked `json:"checked,omitempty"`
}

// Conflict flags facts that disagree, such as a receptor status that
// changed between the primary tumour and a metastasis. The facts are kept,
// each with its date and source; none is picked.
type Conflict struct {
	Kind  string      `json:"kind"` // "biomarker"
	Name  string      `json:"name"`
	Facts []Biomarker `json:"facts"`
}

// Summary is what was read from a case's documents.
type Summary struct {
	Diagnoses  []Diagnosis `json:"diagnoses"`
	Stages     []Stage     `json:"stages"`
	Biomarkers []Biomarker `json:"biomarkers"`
	Events     []Event     `json:"events"`
	Conflicts  []Conflict  `json:"conflicts"`
}

// Empty reports whether nothing was read.
func (s *Summary) Empty() bool {
	return s == nil || len(s.Diagnoses)+len(s.Stages)+len(s.Biomarkers)+len(s.Events) == 0
}

// Document is a document's text, page by page (a document that has no pages,
// such as a text file, is one page).
type Document struct {
	Path  string
	Pages []string
}

// Pages splits a document's text into pages at form feeds (which the PDF
// text reader writes between pages); text without any is one page.
func Pages(text string) []string {
	return strings.Split(text, "\f")
}

// ReadDocument reads the facts of one document.
func ReadDocument(ctx context.Context, doc Document) (*Summary, error) {
	v, err := loadVocab()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return readDoc(v, doc), nil
}

// Read reads the facts of every document and merges them into one summary:
// the same fact read twice is kept once (from the first document that gives
// it), events are in date order, and biomarker results that disagree are
// listed as conflicts.
func Read(ctx context.Context, docs []Document) (*Summary, error) {
	v, err := loadVocab()
	if err != nil {
		return nil, err
	}
	var parts []*Summary
	for _, d := range docs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		parts = append(parts, readDoc(v, d))
	}
	return merge(v, parts), nil
}

// ReadFile reads a document's text with doctext (bounded by opts) and its
// facts. A document without text gives an empty summary, not an error.
func ReadFile(ctx context.Context, path, format string, opts doctext.Options) (*Summary, Document, error) {
	doc, err := LoadDocument(ctx, path, format, opts)
	if err != nil {
		return nil, doc, err
	}
	s, err := ReadDocument(ctx, doc)
	return s, doc, err
}

// merge joins per-document summaries.
func merge(v *vocab, parts []*Summary) *Summary {
	out := &Summary{}
	seenDx := map[string]int{}
	seenStage := map[string]bool{}
	seenEvent := map[string]bool{}
	for _, p := range parts {
		for _, d := range p.Diagnoses {
			key := d.Histology + "|" + d.Site + "|" + d.Laterality
			if i, ok := seenDx[key]; ok {
				if d.Date != "" && before(d.Date, out.Diagnoses[i].Date) {
					if d.Grade == "" {
						d.Grade = out.Diagnoses[i].Grade
					}
					if d.InSitu == "" {
						d.InSitu = out.Diagnoses[i].InSitu
					}
					d.Text = diagnosisText(d)
					out.Diagnoses[i] = d
					continue
				}
				o := &out.Diagnoses[i]
				if o.Grade == "" && d.Grade != "" {
					o.Grade = d.Grade
				}
				if o.InSitu == "" && d.InSitu != "" {
					o.InSitu = d.InSitu
				}
				o.Text = diagnosisText(*o)
				continue
			}
			seenDx[key] = len(out.Diagnoses)
			out.Diagnoses = append(out.Diagnoses, d)
		}
		for _, s := range p.Stages {
			if !seenStage[s.Text] {
				seenStage[s.Text] = true
				out.Stages = append(out.Stages, s)
			}
		}
		for _, b := range p.Biomarkers {
			// The same result read again (a letter restating the pathology)
			// is kept once, from the earliest document.
			if i := sameFact(out.Biomarkers, b); i >= 0 {
				o := &out.Biomarkers[i]
				if b.Date != "" && (o.Date == "" || b.Date < o.Date) {
					if b.Value == "" {
						b.Value = o.Value
					}
					*o = b
				}
				continue
			}
			out.Biomarkers = append(out.Biomarkers, b)
		}
		for _, e := range p.Events {
			key := e.Date + "|" + e.Kind
			if !seenEvent[key] {
				seenEvent[key] = true
				out.Events = append(out.Events, e)
			}
		}
	}
	sortEvents(out.Events)
	sort.SliceStable(out.Diagnoses, func(i, j int) bool { return before(out.Diagnoses[i].Date, out.Diagnoses[j].Date) })
	sort.SliceStable(out.Biomarkers, func(i, j int) bool { return before(out.Biomarkers[i].Date, out.Biomarkers[j].Date) })
	out.Conflicts = conflicts(v, out.Biomarkers)
	return out
}

// before orders dates, unknown ones last.
func before(a, b string) bool {
	if a == "" || b == "" {
		return a != "" && b == ""
	}
	return a < b
}

// normValue is a value for comparing: "ratio: 3.2" and "Ratio 3.2" are one.
func normValue(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer(":", " ", "：", " ", "=", " ").Replace(strings.ToLower(s))), "")
}

func sortEvents(ev []Event) {
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].Date < ev[j].Date })
}

// conflicts groups biomarker facts of one name whose results disagree. Two
// gene results with different variants (EGFR L858R mutated, T790M not
// detected) do not disagree.
func conflicts(v *vocab, bs []Biomarker) []Conflict {
	var out []Conflict
	var names []string
	by := map[string][]Biomarker{}
	for _, b := range bs {
		if b.Result == "" {
			continue
		}
		if by[b.Name] == nil {
			names = append(names, b.Name)
		}
		by[b.Name] = append(by[b.Name], b)
	}
	for _, n := range names {
		facts := by[n]
		disagree := false
		for i := range facts {
			for j := i + 1; j < len(facts); j++ {
				a, b := facts[i], facts[j]
				if a.Result == b.Result || a.Result == "equivocal" || b.Result == "equivocal" {
					continue // an equivocal result is settled by another test, not contradicted
				}
				if c := v.classOf(n); (c == "mutation" || c == "fusion") && a.Value != "" && b.Value != "" && normValue(a.Value) != normValue(b.Value) {
					continue
				}
				disagree = true
			}
		}
		if disagree {
			out = append(out, Conflict{Kind: "biomarker", Name: n, Facts: facts})
		}
	}
	return out
}

func (v *vocab) classOf(name string) string {
	for _, m := range v.markers {
		if m.Name == name && !m.Protein {
			return m.Class
		}
	}
	return ""
}

// Cancer returns the checklist's cancer type of a diagnosis ("breast",
// "lung", ...; "other" when its type is not one of them, empty when unknown).
func (d Diagnosis) Cancer() string {
	v, err := loadVocab()
	if err != nil {
		return ""
	}
	return v.cancerOf(d.Histology, d.Site)
}

// CancerType returns the cancer type the summary's diagnoses point to, or
// empty when they point to none.
func (s *Summary) CancerType() string {
	if s == nil {
		return ""
	}
	for _, d := range s.Diagnoses {
		if c := d.Cancer(); c != "" && c != "other" {
			return c
		}
	}
	return ""
}
