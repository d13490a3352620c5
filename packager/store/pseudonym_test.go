package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestPseudonymIsStableAndPrivatePerCase(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	a, _ := s.CreateCase(ctx, "a")
	b, _ := s.CreateCase(ctx, "b")
	p1, s1, err := s.Pseudonym(ctx, a.ID)
	if err != nil || p1 == "" || len(s1) != 32 {
		t.Fatalf("Pseudonym = %q, %d bytes, %v", p1, len(s1), err)
	}
	p2, s2, _ := s.Pseudonym(ctx, a.ID)
	if p1 != p2 || !bytes.Equal(s1, s2) {
		t.Error("the case's pseudonym or secret changed between exports")
	}
	p3, s3, _ := s.Pseudonym(ctx, b.ID)
	if p3 == p1 || bytes.Equal(s3, s1) {
		t.Error("two cases share a pseudonym or secret")
	}
	c, err := s.CaseByPseudonym(ctx, p1)
	if err != nil || c.ID != a.ID {
		t.Errorf("CaseByPseudonym = %+v, %v", c, err)
	}
	if _, _, err := s.Pseudonym(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("pseudonym for a missing case: %v", err)
	}
	if c, err := s.CaseByName(ctx, "b"); err != nil || c.ID != b.ID {
		t.Errorf("CaseByName = %+v, %v", c, err)
	}
}
