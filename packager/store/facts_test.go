package store

import (
	"context"
	"testing"

	"dossier/packager/summary"
)

// TestFactChecksPersist: what the person said about the facts is there after a restart (a new
// store handle), the last word on a fact wins, and it goes with its case.
func TestFactChecksPersist(t *testing.T) {
	ctx := context.Background()
	s, path, c, other := twoCases(t)
	src := summary.Source{Path: "/r/path.pdf", Page: 1, Quote: "ER positive (95%), PR positive (40%)"}
	pr := summary.Biomarker{Name: "PR", Source: src}
	er := summary.Biomarker{Name: "ER", Source: src}
	for _, ch := range []summary.Check{pr.Check("positive, 4%"), pr.Check("negative, <1%"), er.Check("")} {
		if err := s.SaveFactCheck(ctx, c.ID, ch); err != nil {
			t.Fatal(err)
		}
	}
	s = reopen(t, s, path)
	got, err := s.FactChecks(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("checks after a restart: %+v", got)
	}
	by := map[string]summary.Check{}
	for _, g := range got {
		by[g.Name] = g
	}
	if by["PR"].Text != "negative, <1%" || by["PR"].Source != src || by["ER"].Corrected() {
		t.Errorf("checks after a restart: %+v", got)
	}
	if o, err := s.FactChecks(ctx, other.ID); err != nil || len(o) != 0 {
		t.Errorf("another case has %+v %v", o, err)
	}
	if err := s.ClearFactCheck(ctx, c.ID, er.Check("")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FactChecks(ctx, c.ID); len(got) != 1 || got[0].Name != "PR" {
		t.Errorf("after clearing ER: %+v", got)
	}
	goesWithCase(t, s, c.ID, "fact_checks", 0, nil, func(id int64) error { return s.SaveFactCheck(ctx, id, er.Check("")) })
}
