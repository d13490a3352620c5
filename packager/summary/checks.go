package summary

import (
	"strconv"
	"strings"
)

// Sections of a summary, as a Check names them.
const (
	SectionDiagnosis = "diagnosis"
	SectionStage     = "stage"
	SectionBiomarker = "biomarker"
	SectionEvent     = "event"
)

// Check is what the patient, or the staff helping them, said about a fact
// read from the records: that it is right, or what it should say. It names
// the fact by its section and its source as read (and, where one sentence
// gives several facts, the biomarker's name or the event's date and kind),
// so that it finds its fact again whenever the records are read again.
type Check struct {
	Section string `json:"section"`
	// Name tells apart facts read from the same words: a biomarker's name,
	// an event's date and kind; empty for diagnoses and stages.
	Name string `json:"name,omitempty"`
	// Source is where the fact was read: the document, page and quote.
	Source Source `json:"source"`
	// Text is the fact in the person's words; empty when they confirmed it
	// as read.
	Text string `json:"text,omitempty"`
}

// Key identifies the fact a check is about.
func (c Check) Key() string {
	return strings.Join([]string{c.Section, c.Name, c.Source.Path, strconv.Itoa(c.Source.Page), c.Source.Quote}, "\x00")
}

// Corrected reports whether the check changes its fact.
func (c Check) Corrected() bool { return strings.TrimSpace(c.Text) != "" }

// Checked says on a fact that the patient or their staff confirmed or
// corrected it. The fact's fields then hold the correction; its Source is
// still the words it was first read from.
type Checked struct {
	// Corrected is false when the fact was confirmed as read.
	Corrected bool `json:"corrected"`
	// Text is the correction in the person's words.
	Text string `json:"text,omitempty"`
	// Read is the fact as the records gave it (in English), when corrected.
	Read string `json:"read,omitempty"`
}

// Check returns a check of the diagnosis: text is the correction, empty to
// confirm it.
func (d Diagnosis) Check(text string) Check {
	return Check{Section: SectionDiagnosis, Source: d.Source, Text: strings.TrimSpace(text)}
}

// Check returns a check of the stage (see Diagnosis.Check).
func (s Stage) Check(text string) Check {
	return Check{Section: SectionStage, Source: s.Source, Text: strings.TrimSpace(text)}
}

// Check returns a check of the biomarker result (see Diagnosis.Check).
func (b Biomarker) Check(text string) Check {
	return Check{Section: SectionBiomarker, Name: b.Name, Source: b.Source, Text: strings.TrimSpace(text)}
}

// Check returns a check of the event (see Diagnosis.Check).
func (e Event) Check(text string) Check {
	return Check{Section: SectionEvent, Name: e.Date + " " + e.Kind, Source: e.Source, Text: strings.TrimSpace(text)}
}

// Apply returns a copy of s with the checks applied: a confirmed fact is
// marked as confirmed; a corrected one takes the person's words, read with
// the same rules as the reports (so "ER negative, <1%" gives a result and a
// value, in English or Chinese), and is marked as corrected with what the
// records said. Every fact keeps its source. Conflicts are worked out again
// from the corrected results. Checks whose fact is not in s, and facts
// already checked, are left as they are.
func Apply(s *Summary, checks []Check) *Summary {
	if s == nil {
		return nil
	}
	out := &Summary{
		Diagnoses:  append([]Diagnosis(nil), s.Diagnoses...),
		Stages:     append([]Stage(nil), s.Stages...),
		Biomarkers: append([]Biomarker(nil), s.Biomarkers...),
		Events:     append([]Event(nil), s.Events...),
		Conflicts:  s.Conflicts,
	}
	if len(checks) == 0 {
		return out
	}
	by := make(map[string]Check, len(checks))
	for _, c := range checks {
		by[c.Key()] = c
	}
	v, err := loadVocab()
	if err != nil {
		return out
	}
	for i, d := range out.Diagnoses {
		if c, ok := by[d.Check("").Key()]; ok && d.Checked == nil {
			out.Diagnoses[i] = correctDiagnosis(v, d, c)
		}
	}
	for i, x := range out.Stages {
		if c, ok := by[x.Check("").Key()]; ok && x.Checked == nil {
			out.Stages[i] = correctStage(v, x, c)
		}
	}
	for i, b := range out.Biomarkers {
		if c, ok := by[b.Check("").Key()]; ok && b.Checked == nil {
			out.Biomarkers[i] = correctBiomarker(v, b, c)
		}
	}
	for i, e := range out.Events {
		if c, ok := by[e.Check("").Key()]; ok && e.Checked == nil {
			if !c.Corrected() {
				e.Checked = &Checked{}
			} else {
				e.Checked = &Checked{Corrected: true, Text: c.Text, Read: e.Describe("en")}
				e.Text = c.Text
			}
			out.Events[i] = e
		}
	}
	out.Conflicts = conflicts(v, out.Biomarkers)
	return out
}

// readWords reads the facts of a person's correction with the report rules.
func readWords(v *vocab, text string) *Summary {
	return readDoc(v, Document{Pages: []string{text}})
}

func correctDiagnosis(v *vocab, d Diagnosis, c Check) Diagnosis {
	if !c.Corrected() {
		d.Checked = &Checked{}
		return d
	}
	read := d.Describe("en")
	if got := readWords(v, c.Text).Diagnoses; len(got) > 0 {
		n := got[0]
		d.Histology, d.Site, d.Laterality, d.Grade = n.Histology, n.Site, n.Laterality, n.Grade
		if n.Date != "" {
			d.Date = n.Date
		}
	} else {
		d.Histology, d.Site, d.Laterality, d.Grade = "", "", "", ""
	}
	d.Text = c.Text
	d.Checked = &Checked{Corrected: true, Text: c.Text, Read: read}
	return d
}

func correctStage(v *vocab, s Stage, c Check) Stage {
	if !c.Corrected() {
		s.Checked = &Checked{}
		return s
	}
	read := s.Text
	s.Components = nil
	if got := readWords(v, c.Text).Stages; len(got) > 0 {
		s.Components = got[0].Components
	}
	s.Text = c.Text
	s.Checked = &Checked{Corrected: true, Text: c.Text, Read: read}
	return s
}

func correctBiomarker(v *vocab, b Biomarker, c Check) Biomarker {
	if !c.Corrected() {
		b.Checked = &Checked{}
		return b
	}
	read := b.Describe("en")
	found := func(s *Summary) (Biomarker, bool) {
		for _, n := range s.Biomarkers {
			if n.Name == b.Name {
				return n, true
			}
		}
		return Biomarker{}, false
	}
	n, ok := found(readWords(v, c.Text))
	if !ok {
		// "negative, <1%": the marker's name is understood.
		n, ok = found(readWords(v, b.Name+" "+c.Text))
	}
	if ok {
		b.Result, b.Value = n.Result, n.Value
		if n.Method != "" {
			b.Method = n.Method
		}
	} else {
		b.Result, b.Value = "", c.Text
	}
	b.Checked = &Checked{Corrected: true, Text: c.Text, Read: read}
	return b
}
