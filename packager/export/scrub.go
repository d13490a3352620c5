package export

import (
	"slices"

	"dossier/packager/cover"
	"dossier/packager/identity"
)

// scrubbed stands in, on the cover, for the patient's identity found in a
// text the user typed or a report's quoted words.
const scrubbed = "***"

// scrubSummary removes every spelling of the patient's identity from the
// free texts of a cover summary at a private level: what the user typed
// (questions, plan, diagnosis, stage, urgency, shipped items) and the
// words quoted from reports. Without it, a question such as "Should Jane
// Doe have surgery first?" would put the name on the cover (and the leak
// scan would then stop the export).
func scrubSummary(s *cover.Summary, m *identity.Matcher) {
	if m.Empty() {
		return
	}
	// Slices of the request are copied before they change.
	s.Questions = slices.Clone(s.Questions)
	s.Timeline = slices.Clone(s.Timeline)
	s.Biomarkers = slices.Clone(s.Biomarkers)
	s.Shipments = slices.Clone(s.Shipments)
	s.Missing = slices.Clone(s.Missing)
	clean := func(p *string) {
		*p, _ = m.Replace(*p, scrubbed)
	}
	for i := range s.Questions {
		clean(&s.Questions[i])
	}
	for _, p := range []*string{&s.ProposedPlan, &s.Urgency, &s.Diagnosis, &s.Stage, &s.CancerType} {
		clean(p)
	}
	for i := range s.Timeline {
		clean(&s.Timeline[i].What)
	}
	for i := range s.Biomarkers {
		clean(&s.Biomarkers[i].Result)
	}
	for i := range s.Shipments {
		clean(&s.Shipments[i].Description)
	}
	for i := range s.Missing {
		clean(&s.Missing[i].Reason)
	}
	if s.Clinical != nil {
		// A copy: the caller's clinical summary stays as it was.
		c := *s.Clinical
		c.Diagnoses = slices.Clone(c.Diagnoses)
		c.Stages = slices.Clone(c.Stages)
		c.Timeline = slices.Clone(c.Timeline)
		c.Biomarkers = slices.Clone(c.Biomarkers)
		c.Conflicts = slices.Clone(c.Conflicts)
		s.Clinical = &c
		for _, facts := range [][]cover.ClinicalFact{c.Diagnoses, c.Stages, c.Timeline} {
			for i := range facts {
				clean(&facts[i].What)
				clean(&facts[i].Quote)
			}
		}
		for i := range c.Biomarkers {
			b := &c.Biomarkers[i]
			for _, p := range []*string{&b.Result, &b.Value, &b.Quote} {
				clean(p)
			}
		}
		for i := range c.Conflicts {
			clean(&c.Conflicts[i])
		}
	}
}
