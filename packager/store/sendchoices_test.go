package store

import (
	"context"
	"errors"
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
	s.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.SendChoices(ctx, c.ID); err != nil || !slices.Equal(got, []string{"/r/a.jpg", "/r/b.jpg"}) {
		t.Errorf("after opening again: %q %v", got, err)
	}
	if err := s.DeleteCase(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendChoices(ctx, c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a deleted case's choices: %v", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM send_choices`).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows left after deleting the case: %d %v", n, err)
	}
	if err := s.SaveSendChoices(ctx, 999, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing case: %v", err)
	}
}
