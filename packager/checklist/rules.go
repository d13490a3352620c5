// Package checklist says what a reviewer still needs: rules (data, embedded
// from assets/checklist/rules.json) evaluated against a case give each rule
// a status of met, partial, missing or waived, with the evidence (item paths)
// and the advice for getting what is missing. Core rules apply to every case;
// extras apply per cancer type.
package checklist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"dossier/assets"
	"dossier/packager/doctext"
)

// Check kinds: how a rule is satisfied.
const (
	// KindDocuments is met by documents of the rule's categories that
	// mention every keyword.
	KindDocuments = "documents"
	// KindImaging is met only by DICOM images of the rule's modalities.
	KindImaging = "imaging"
	// KindSlides is met by a slide scan, or by glass slides shipped with a
	// courier tracking number.
	KindSlides = "slides"
	// KindShipment is met by physical items (e.g. blocks) shipped with a
	// courier tracking number.
	KindShipment = "shipment"
	// KindDetails is met by a field of the case details.
	KindDetails = "details"
)

// Details fields a rule of kind "details" can ask for.
const (
	FieldQuestion = "question"
	FieldPlan     = "plan"
	FieldDoctor   = "doctor"
	FieldIdentity = "identity"
	FieldCancer   = "diagnosis"
)

// Modalities that count as diagnostic imaging for a rule: real scanner
// output, not secondary captures, documents or slide images.
var imagingModalities = []string{"CT", "MR", "PT", "NM", "MG", "US", "CR", "DX", "XA", "RF", "OT"}

// Check says how a rule is satisfied.
type Check struct {
	Kind string `json:"kind"`
	// Categories are the document categories that count (documents).
	Categories []doctext.Category `json:"categories,omitempty"`
	// Keywords must all be found in the text of those documents; each is a
	// list of alternatives separated by "|".
	Keywords []string `json:"keywords,omitempty"`
	// Min is the least number of documents (default 1).
	Min int `json:"min,omitempty"`
	// Modalities are the DICOM modalities that count (imaging).
	Modalities []string `json:"modalities,omitempty"`
	// MinStudies and MinSeries are the least numbers of DICOM studies and
	// series (default 1).
	MinStudies int `json:"minStudies,omitempty"`
	MinSeries  int `json:"minSeries,omitempty"`
	// WithinDays asks for a study no older than this many days.
	WithinDays int `json:"withinDays,omitempty"`
	// Shipment is the kind of physical item (shipment), e.g. "blocks".
	Shipment string `json:"shipment,omitempty"`
	// Field is the case details field (details).
	Field string `json:"field,omitempty"`
	// When is the condition of a facts rule, and Need the markers whose
	// results it asks for (facts; see KindFacts).
	When *FactCondition `json:"when,omitempty"`
	Need []string       `json:"need,omitempty"`
}

// Rule is one thing a reviewer needs.
type Rule struct {
	// ID is stable and lower-case, e.g. "imaging-dicom".
	ID    string `json:"id"`
	Title string `json:"title"`
	// Why says, in plain language, why the reviewer needs it.
	Why string `json:"why"`
	// Cancers limits the rule to these cancer types; empty means every case.
	Cancers []string `json:"cancers,omitempty"`
	// Except lists cancer types a core rule does not apply to.
	Except   []string `json:"except,omitempty"`
	Required bool     `json:"required"`
	Check    Check    `json:"check"`
	// Advice tells the patient what to ask for.
	Advice string `json:"advice"`
	// Request is the wording for the records-request letter, in the words a
	// records office uses. Empty for things only the patient can give.
	Request string `json:"request,omitempty"`
	// Source names where the rule comes from.
	Source string `json:"source,omitempty"`
}

// Cancer is one cancer type with extra rules and guidance.
type Cancer struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
	// Urgent marks diagnoses that call for a fast opinion.
	Urgent      bool   `json:"urgent,omitempty"`
	UrgencyNote string `json:"urgencyNote,omitempty"`
	// InPerson says when a visit in person is worth it for this type.
	InPerson string `json:"inPerson,omitempty"`
}

// Guidance is general advice shown with every checklist.
type Guidance struct {
	Routine  string `json:"routine"`
	Remote   string `json:"remote"`
	InPerson string `json:"inPerson"`
}

// Rules is a validated rule set.
type Rules struct {
	Version  int      `json:"version"`
	Cancers  []Cancer `json:"cancers"`
	Guidance Guidance `json:"guidance"`
	Rules    []Rule   `json:"rules"`
}

// ErrInvalidRules wraps every validation failure of a rules file.
var ErrInvalidRules = errors.New("invalid checklist rules")

// ErrUnknownCancer is returned for a cancer type that the rules do not know.
var ErrUnknownCancer = errors.New("unknown cancer type")

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Parse reads and validates a rules file.
func Parse(data []byte) (*Rules, error) {
	var r Rules
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var raw struct {
		Rules
		Comment string `json:"comment"`
	}
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRules, err)
	}
	r = raw.Rules
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// Validate checks a rule set: unique lower-case ids, known cancer types,
// categories and modalities, and a title, reason and advice on every rule.
func (r *Rules) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidRules, fmt.Sprintf(format, a...))
	}
	if r.Version != 1 {
		return bad("version %d is not supported", r.Version)
	}
	cancers := map[string]bool{}
	for _, c := range r.Cancers {
		if !idPattern.MatchString(c.ID) || c.Name == "" {
			return bad("cancer type %q needs a lower-case id and a name", c.ID)
		}
		for _, name := range append([]string{c.ID}, c.Aliases...) {
			if cancers[name] {
				return bad("cancer type or alias %q is listed twice", name)
			}
			cancers[name] = true
		}
		if c.Urgent && c.UrgencyNote == "" {
			return bad("urgent cancer type %q needs an urgency note", c.ID)
		}
	}
	if !cancers["other"] {
		return bad(`the cancer type "other" is missing`)
	}
	if r.Guidance.Remote == "" || r.Guidance.InPerson == "" || r.Guidance.Routine == "" {
		return bad("guidance on routine, remote and in-person opinions is missing")
	}
	ids := map[string]bool{}
	for i, rule := range r.Rules {
		where := fmt.Sprintf("rule %d (%q)", i+1, rule.ID)
		if !idPattern.MatchString(rule.ID) {
			return bad("%s: the id must be lower-case words joined by hyphens", where)
		}
		if ids[rule.ID] {
			return bad("%s: the id is used twice", where)
		}
		ids[rule.ID] = true
		if strings.TrimSpace(rule.Title) == "" {
			return bad("%s: the title is missing", where)
		}
		if strings.TrimSpace(rule.Why) == "" {
			return bad("%s: why it matters is missing", where)
		}
		if strings.TrimSpace(rule.Advice) == "" {
			return bad("%s: the advice is missing", where)
		}
		for _, c := range append(slices.Clone(rule.Cancers), rule.Except...) {
			if !r.isCancerID(c) {
				return bad("%s: unknown cancer type %q", where, c)
			}
		}
		if len(rule.Cancers) > 0 && len(rule.Except) > 0 {
			return bad("%s: use either cancers or except, not both", where)
		}
		if err := r.validateCheck(rule); err != nil {
			return bad("%s: %v", where, err)
		}
	}
	return nil
}

func (r *Rules) isCancerID(id string) bool {
	for _, c := range r.Cancers {
		if c.ID == id {
			return true
		}
	}
	return false
}

func (r *Rules) validateCheck(rule Rule) error {
	c := rule.Check
	if c.Min < 0 || c.MinStudies < 0 || c.MinSeries < 0 || c.WithinDays < 0 {
		return errors.New("counts must not be negative")
	}
	needRequest := true
	switch c.Kind {
	case KindDocuments:
		if len(c.Categories) == 0 {
			return errors.New("a documents check needs categories")
		}
		for _, cat := range c.Categories {
			if !cat.Valid() {
				return fmt.Errorf("unknown category %q", cat)
			}
		}
		for _, k := range c.Keywords {
			for _, alt := range strings.Split(k, "|") {
				if doctext.NormalizeTerm(alt) == "" {
					return fmt.Errorf("empty keyword in %q", k)
				}
			}
		}
	case KindImaging:
		if len(c.Modalities) == 0 {
			return errors.New("an imaging check needs modalities")
		}
		for _, m := range c.Modalities {
			if !slices.Contains(imagingModalities, m) {
				return fmt.Errorf("unknown or non-diagnostic modality %q", m)
			}
		}
	case KindSlides:
	case KindShipment:
		if !slices.Contains(ShipmentKinds(), c.Shipment) {
			return fmt.Errorf("unknown shipment %q", c.Shipment)
		}
	case KindFacts:
		if err := validateFacts(c); err != nil {
			return err
		}
	case KindDetails:
		switch c.Field {
		case FieldQuestion, FieldPlan, FieldDoctor, FieldIdentity, FieldCancer:
		default:
			return fmt.Errorf("unknown details field %q", c.Field)
		}
		needRequest = false
	default:
		return fmt.Errorf("unknown check kind %q", c.Kind)
	}
	if needRequest && strings.TrimSpace(rule.Request) == "" {
		return errors.New("the wording for the request letter is missing")
	}
	if c.Kind != KindDocuments && (len(c.Keywords) > 0 || len(c.Categories) > 0 || c.Min > 0) {
		return errors.New("categories, keywords and min apply only to documents checks")
	}
	if c.Kind != KindImaging && (len(c.Modalities) > 0 || c.MinStudies > 0 || c.MinSeries > 0 || c.WithinDays > 0) {
		return errors.New("modalities, counts of studies and series, and recency apply only to imaging checks")
	}
	return nil
}

var (
	defaultOnce  sync.Once
	defaultRules *Rules
	defaultErr   error
)

// Default returns the embedded rule set, validated once. Dossier calls it at
// start-up, so a broken rules file stops the program with a clear message.
func Default() (*Rules, error) {
	defaultOnce.Do(func() {
		data, err := assets.Checklist.ReadFile("checklist/rules.json")
		if err != nil {
			defaultErr = fmt.Errorf("reading the checklist rules: %w", err)
			return
		}
		defaultRules, defaultErr = Parse(data)
		if defaultErr == nil {
			defaultErr = doctext.CheckKeywords()
		}
	})
	return defaultRules, defaultErr
}

// Cancer returns the cancer type with this id or alias (any case). An empty
// name means "other".
func (r *Rules) Cancer(name string) (*Cancer, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		name = "other"
	}
	for i := range r.Cancers {
		c := &r.Cancers[i]
		if c.ID == name || slices.Contains(c.Aliases, name) {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w %q (known types: %s)", ErrUnknownCancer, name, strings.Join(r.CancerIDs(), ", "))
}

// CancerIDs lists the ids of the cancer types.
func (r *Rules) CancerIDs() []string {
	var out []string
	for _, c := range r.Cancers {
		out = append(out, c.ID)
	}
	return out
}

// For returns the rules that apply to a cancer type (core rules first).
func (r *Rules) For(cancerID string) []Rule {
	var core, extra []Rule
	for _, rule := range r.Rules {
		switch {
		case len(rule.Cancers) == 0 && !slices.Contains(rule.Except, cancerID):
			core = append(core, rule)
		case slices.Contains(rule.Cancers, cancerID):
			extra = append(extra, rule)
		}
	}
	return append(core, extra...)
}

// Rule returns the rule with the given id.
func (r *Rules) Rule(id string) (Rule, bool) {
	for _, rule := range r.Rules {
		if rule.ID == id {
			return rule, true
		}
	}
	return Rule{}, false
}
