package store

import (
	"context"
	"slices"
	"testing"
)

// TestSendChoicesPersist: the choices of step 2 are replaced as a whole, kept when the database is
// opened again, and go with their case.
func TestSendChoicesPersist(t *testing.T) {
	ctx := context.Background()
	s, path, c, other := twoCases(t)
	if got, err := s.SendChoices(ctx, c.ID); err != nil || len(got) != 0 {
		t.Fatalf("no choices yet: %q %v", got, err)
	}
	if err := s.SaveSendChoices(ctx, c.ID, []string{"/r/b.jpg", "/r/a.jpg", "/r/c.pdf"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSendChoices(ctx, c.ID, []string{"/r/b.jpg", "/r/a.jpg", "/r/a.jpg"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSendChoices(ctx, other.ID, []string{"/o/x.jpg"}); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, path)
	if got, err := s.SendChoices(ctx, c.ID); err != nil || !slices.Equal(got, []string{"/r/a.jpg", "/r/b.jpg"}) {
		t.Errorf("after opening again: %q %v", got, err)
	}
	goesWithCase(t, s, c.ID, "send_choices", 1,
		func(id int64) error { _, err := s.SendChoices(ctx, id); return err },
		func(id int64) error { return s.SaveSendChoices(ctx, id, nil) })
}
