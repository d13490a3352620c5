package doctext

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"unicode"

	"dossier/assets"
)

// Category is the kind of medical document, as a reviewer files it.
type Category string

// The document categories.
const (
	CategoryPathology Category = "pathology"         // pathology, cytology, bone marrow reports
	CategoryIHC       Category = "ihc-biomarker"     // immunohistochemistry, receptor status, flow cytometry
	CategoryMolecular Category = "molecular"         // NGS, FISH, PCR, karyotype, ctDNA
	CategoryRadiology Category = "radiology-report"  // the radiologist's written report (not the images)
	CategoryOperative Category = "operative-biopsy"  // operation notes, biopsy and endoscopy reports
	CategoryTreatment Category = "treatment-summary" // chemotherapy, radiotherapy, response
	CategoryDischarge Category = "discharge-letter"  // discharge summaries and clinic letters
	CategoryLab       Category = "lab-results"       // blood tests and tumour markers
	CategoryOther     Category = "other"             // anything else
)

// Categories returns every category in a stable order, "other" last.
func Categories() []Category {
	return []Category{CategoryPathology, CategoryIHC, CategoryMolecular, CategoryRadiology, CategoryOperative,
		CategoryTreatment, CategoryDischarge, CategoryLab, CategoryOther}
}

// Valid reports whether c is one of the categories.
func (c Category) Valid() bool {
	for _, k := range Categories() {
		if c == k {
			return true
		}
	}
	return false
}

// Name returns the category's plain-language name.
func (c Category) Name() string {
	if c == CategoryOther {
		return "Other document"
	}
	t, err := loadTerms()
	if err == nil {
		for _, cat := range t.Categories {
			if cat.ID == c {
				return cat.Name
			}
		}
	}
	return string(c)
}

// Confidence levels: from text, a clear winner scores up to MaxTextConfidence;
// a file name alone never scores more than MaxNameConfidence.
const (
	MaxTextConfidence = 0.95
	MaxNameConfidence = 0.5
)

// termFile is the shape of assets/checklist/doctypes.json.
type termFile struct {
	// PathologyFirst are the words of a pathological diagnosis: a text
	// that reads as a pathology report and holds one is filed as one first
	// (its immunohistochemistry or molecular results make it that kind too).
	PathologyFirst []string `json:"pathologyFirst"`
	Categories     []struct {
		ID     Category `json:"id"`
		Name   string   `json:"name"`
		Strong []string `json:"strong"`
		Weak   []string `json:"weak"`
		Names  []string `json:"names"`
	} `json:"categories"`
}

var (
	termsOnce sync.Once
	terms     *termFile
	termsErr  error
)

// loadTerms reads and checks the embedded keyword sets once.
func loadTerms() (*termFile, error) {
	termsOnce.Do(func() {
		data, err := assets.Checklist.ReadFile("checklist/doctypes.json")
		if err != nil {
			termsErr = fmt.Errorf("doctext: reading the document keywords: %w", err)
			return
		}
		terms, termsErr = parseTerms(data)
	})
	return terms, termsErr
}

func parseTerms(data []byte) (*termFile, error) {
	var t termFile
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("doctext: reading the document keywords: %w", err)
	}
	seen := map[Category]bool{}
	for i, c := range t.Categories {
		if !c.ID.Valid() || c.ID == CategoryOther {
			return nil, fmt.Errorf("doctext: document keywords: entry %d has unknown category %q", i, c.ID)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("doctext: document keywords: category %q listed twice", c.ID)
		}
		seen[c.ID] = true
		if c.Name == "" || len(c.Strong) == 0 || len(c.Names) == 0 {
			return nil, fmt.Errorf("doctext: document keywords: category %q needs a name, strong terms and file-name terms", c.ID)
		}
		for j := range t.Categories[i].Strong {
			t.Categories[i].Strong[j] = NormalizeTerm(t.Categories[i].Strong[j])
		}
		for j := range t.Categories[i].Weak {
			t.Categories[i].Weak[j] = NormalizeTerm(t.Categories[i].Weak[j])
		}
		for j := range t.Categories[i].Names {
			t.Categories[i].Names[j] = strings.ToLower(t.Categories[i].Names[j])
		}
	}
	for j := range t.PathologyFirst {
		t.PathologyFirst[j] = NormalizeTerm(t.PathologyFirst[j])
	}
	return &t, nil
}

// CheckKeywords validates the embedded keyword sets; Dossier calls it at
// start-up so that a broken data file fails loudly, not silently.
func CheckKeywords() error {
	_, err := loadTerms()
	return err
}

// Normalize lowers text and turns every run of characters that are not
// letters or digits into one space, with a space at each end, so that whole
// words and phrases can be found with HasTerm.
func Normalize(text string) string {
	var b strings.Builder
	b.Grow(len(text) + 2)
	b.WriteByte(' ')
	space := true
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

// NormalizeTerm normalizes a search term the way Normalize does text, without
// the surrounding spaces.
func NormalizeTerm(term string) string { return strings.TrimSpace(Normalize(term)) }

// HasTerm reports whether normalized text (from Normalize) holds term as a
// whole word or phrase, ignoring case and punctuation.
func HasTerm(normalized, term string) bool {
	t := NormalizeTerm(term)
	if t == "" {
		return false
	}
	return strings.Contains(normalized, " "+t+" ")
}

// HasAny reports whether normalized text holds any of the alternatives,
// written "A|B|C" (e.g. "PD-L1|PDL1|22C3"), and returns the one found.
func HasAny(normalized, alternatives string) (string, bool) {
	for _, a := range strings.Split(alternatives, "|") {
		if a = strings.TrimSpace(a); a != "" && HasTerm(normalized, a) {
			return a, true
		}
	}
	return "", false
}

// Classification is the outcome of Classify.
type Classification struct {
	Category Category `json:"category"`
	// Confidence is between 0 and 1.
	Confidence float64 `json:"confidence"`
	// Evidence lists the words that decided it, e.g. "text: final diagnosis".
	Evidence []string `json:"evidence,omitempty"`
	// FromText is true when the document's text was used, false when only
	// its name was.
	FromText bool `json:"fromText"`
	// Also lists the other categories the text is clearly a report of too
	// (alsoStrong of their strong terms): a surgical pathology report with
	// its immunohistochemistry is both.
	Also []Category `json:"also,omitempty"`
}

// alsoStrong is how many of a category's strong terms a text must hold to
// count as that kind of report too, besides its main category.
const alsoStrong = 3

// minTextScore is the least score from text that decides a category.
const minTextScore = 4

// Classify files a document into a category from its text when there is
// enough of it, and from its file name otherwise (with a lower confidence).
// name is a path or file name; text may be empty.
func Classify(name, text string) (Category, float64, []string) {
	c := ClassifyDocument(name, text)
	return c.Category, c.Confidence, c.Evidence
}

// ClassifyDocument is Classify returning one value.
func ClassifyDocument(name, text string) Classification {
	t, err := loadTerms()
	if err != nil {
		return Classification{Category: CategoryOther}
	}
	if strings.TrimSpace(text) != "" {
		if c, ok := classifyText(t, Normalize(text)); ok {
			return c
		}
	}
	return classifyName(t, name)
}

type scored struct {
	cat      Category
	score    int
	strong   int // strong terms found
	evidence []string
	// demoted is set on the category a pathological diagnosis put second:
	// the text is that kind of report too.
	demoted bool
}

func classifyText(t *termFile, norm string) (Classification, bool) {
	var all []scored
	for _, c := range t.Categories {
		s := scored{cat: c.ID}
		for _, term := range c.Strong {
			if hasNormTerm(norm, term) {
				s.score += 3
				s.strong++
				s.evidence = append(s.evidence, "text: "+term)
			}
		}
		for _, term := range c.Weak {
			if hasNormTerm(norm, term) {
				s.score++
				s.evidence = append(s.evidence, "text: "+term)
			}
		}
		all = append(all, s)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	pathologyFirst(t, norm, all)
	strongFirst(all)
	best := all[0]
	if best.score < minTextScore {
		return Classification{}, false
	}
	second := 0
	if len(all) > 1 {
		second = all[1].score
	}
	// Confidence grows with the score and with the lead over the runner-up.
	strength := min(float64(best.score)/15, 1)
	lead := float64(best.score-second) / float64(best.score)
	conf := 0.5 + 0.45*(0.5*strength+0.5*lead)
	if len(best.evidence) > 8 {
		best.evidence = best.evidence[:8]
	}
	var also []Category
	for _, s := range all[1:] {
		if s.strong >= alsoStrong || s.demoted {
			also = append(also, s.cat)
		}
	}
	return Classification{Category: best.cat, Confidence: round2(min(conf, MaxTextConfidence)), Evidence: best.evidence, FromText: true, Also: also}, true
}

// hasNormTerm reports whether normalized text holds a normalized term: as a
// whole word or phrase, or anywhere for a Chinese term (Chinese does not
// separate its words).
func hasNormTerm(norm, term string) bool {
	if hasHan(term) {
		return strings.Contains(norm, term)
	}
	return strings.Contains(norm, " "+term+" ")
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// strongFirst puts first the best category whose strong terms the text
// holds when the winner holds none of its own: words like "positive" and
// "ER" in a clinic letter do not make it an immunohistochemistry report.
func strongFirst(all []scored) {
	if all[0].strong > 0 {
		return
	}
	for i, s := range all {
		if s.strong > 0 && s.score >= minTextScore {
			p := all[i]
			copy(all[1:i+1], all[:i])
			all[0] = p
			return
		}
	}
}

// pathologyFirst puts the pathology category first when the text reads as a
// pathology report with a pathological diagnosis and an immunohistochemistry
// or molecular category scored higher: a surgical pathology report with its
// immunohistochemistry or mismatch repair results is a pathology report
// first (the other kind stays as 'also').
func pathologyFirst(t *termFile, norm string, all []scored) {
	if c := all[0].cat; c != CategoryIHC && c != CategoryMolecular {
		return
	}
	for i, s := range all {
		if s.cat != CategoryPathology {
			continue
		}
		if s.score < minTextScore {
			return
		}
		for _, term := range t.PathologyFirst {
			if hasNormTerm(norm, term) {
				p := all[i]
				all[0].demoted = true
				copy(all[1:i+1], all[:i])
				all[0] = p
				all[0].evidence = append([]string{"text: " + term + " (a pathological diagnosis)"}, all[0].evidence...)
				return
			}
		}
		return
	}
}

func classifyName(t *termFile, name string) Classification {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, `\`, "/")))
	if i := strings.Index(base, "!/"); i >= 0 {
		base = base[i+2:]
	}
	base = strings.TrimSuffix(base, path.Ext(base))
	tokens := strings.FieldsFunc(base, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	joined := strings.Join(tokens, "_")
	best := scored{cat: CategoryOther}
	for _, c := range t.Categories {
		s := scored{cat: c.ID}
		for _, term := range c.Names {
			hit := false
			for _, tok := range tokens {
				if tok == term {
					hit = true
				}
			}
			if !hit && (len(term) >= 5 || hasHan(term)) && strings.Contains(joined, term) {
				hit = true
			}
			if hit {
				w := 1
				if len(term) >= 6 {
					w = 2
				}
				s.score += w
				s.evidence = append(s.evidence, "name: "+term)
			}
		}
		if s.score > best.score {
			best = s
		}
	}
	if best.score == 0 {
		return Classification{Category: CategoryOther, Confidence: 0.1}
	}
	conf := min(0.25+0.1*float64(best.score), MaxNameConfidence)
	return Classification{Category: best.cat, Confidence: round2(conf), Evidence: best.evidence}
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
