package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"dossier/packager/privacy"
)

// Pseudonym returns the case's pseudonym and secret, making them on first
// use. They stay on this computer: the secret keeps re-exports of the case
// consistent (the same UIDs), and the pseudonym lets the patient say who
// they are when the centre replies.
func (s *Store) Pseudonym(ctx context.Context, caseID int64) (pseudonym string, secret []byte, err error) {
	if _, err := s.Case(ctx, caseID); err != nil {
		return "", nil, err
	}
	for attempt := 0; attempt < 5; attempt++ {
		err = s.db.QueryRowContext(ctx, `SELECT pseudonym, secret FROM pseudonyms WHERE case_id = ?`, caseID).Scan(&pseudonym, &secret)
		if err == nil {
			return pseudonym, secret, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", nil, fmt.Errorf("reading the case pseudonym: %w", err)
		}
		p, err := privacy.NewPseudonym()
		if err != nil {
			return "", nil, err
		}
		sec, err := privacy.NewSecret()
		if err != nil {
			return "", nil, err
		}
		_, err = s.db.ExecContext(ctx, `INSERT INTO pseudonyms(case_id, pseudonym, secret, created) VALUES(?, ?, ?, ?)`, caseID, p, sec, time.Now().UTC().Unix())
		if err != nil && !strings.Contains(err.Error(), "UNIQUE") {
			return "", nil, fmt.Errorf("saving the case pseudonym: %w", err)
		}
		// On a clash (same pseudonym elsewhere, or a concurrent insert for
		// this case), read again or try a new pseudonym.
	}
	return "", nil, errors.New("could not make a unique pseudonym")
}

// CaseByPseudonym finds the case a pseudonym belongs to, so that a reply
// from the centre can be matched to the patient.
func (s *Store) CaseByPseudonym(ctx context.Context, pseudonym string) (*Case, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT case_id FROM pseudonyms WHERE pseudonym = ?`, strings.ToUpper(strings.TrimSpace(pseudonym))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pseudonym: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("finding the pseudonym: %w", err)
	}
	return s.Case(ctx, id)
}

// CaseByName returns the most recently updated case with exactly this name,
// or ErrNotFound.
func (s *Store) CaseByName(ctx context.Context, name string) (*Case, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM cases WHERE name = ? ORDER BY updated DESC, id DESC LIMIT 1`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("finding the case: %w", err)
	}
	return s.Case(ctx, id)
}
