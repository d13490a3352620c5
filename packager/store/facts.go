package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"dossier/packager/summary"
)

// SaveFactCheck keeps what the patient or their staff said about a fact
// read from the records (confirmed, or corrected), replacing what they
// said about that fact before.
func (s *Store) SaveFactCheck(ctx context.Context, caseID int64, c summary.Check) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("saving a checked fact: %w", err)
	}
	return s.inCase(ctx, caseID, "saving a checked fact", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO fact_checks(case_id, fact_key, data, created) VALUES(?, ?, ?, ?)
			ON CONFLICT(case_id, fact_key) DO UPDATE SET data = excluded.data, created = excluded.created`,
			caseID, c.Key(), string(data), time.Now().UTC().Unix())
		return err
	})
}

// ClearFactCheck forgets what was said about a fact, so that it shows as
// read from the records again; clearing one never checked is not an error.
func (s *Store) ClearFactCheck(ctx context.Context, caseID int64, c summary.Check) error {
	return s.inCase(ctx, caseID, "removing a checked fact", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM fact_checks WHERE case_id = ? AND fact_key = ?`, caseID, c.Key())
		return err
	})
}

// FactChecks returns what was said about a case's facts, oldest first.
func (s *Store) FactChecks(ctx context.Context, caseID int64) ([]summary.Check, error) {
	return caseRows(ctx, s, caseID, "reading checked facts",
		`SELECT data FROM fact_checks WHERE case_id = ? ORDER BY created, fact_key`,
		func(rows *sql.Rows) (c summary.Check, err error) {
			var data string
			if err := rows.Scan(&data); err != nil {
				return c, err
			}
			return c, json.Unmarshal([]byte(data), &c)
		})
}
