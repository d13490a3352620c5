package store

import (
	"context"
	"database/sql"
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
	return caseRows(ctx, s, caseID, "reading the choices of what to send",
		`SELECT path FROM send_choices WHERE case_id = ? ORDER BY path`,
		func(rows *sql.Rows) (p string, err error) { return p, rows.Scan(&p) })
}
