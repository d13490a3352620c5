package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// SaveSendChoices replaces what the person decided in step 2 of sending: the paths of the case's
// files to send although they may show who they are. Every other file follows Dossier's own choice.
func (s *Store) SaveSendChoices(ctx context.Context, caseID int64, paths []string) error {
	return s.inCase(ctx, caseID, "saving the choices of what to send", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM send_choices WHERE case_id = ?`, caseID); err != nil {
			return err
		}
		for _, p := range paths {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO send_choices(case_id, path) VALUES(?, ?)`, caseID, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// SendChoices returns the paths SaveSendChoices kept for a case, sorted.
func (s *Store) SendChoices(ctx context.Context, caseID int64) ([]string, error) {
	if _, err := s.Case(ctx, caseID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT path FROM send_choices WHERE case_id = ?`, caseID)
	if err != nil {
		return nil, fmt.Errorf("reading the choices of what to send: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("reading the choices of what to send: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the choices of what to send: %w", err)
	}
	slices.Sort(out)
	return out, nil
}
