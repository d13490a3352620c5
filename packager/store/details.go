package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
)

// SaveDetails stores the case details the user gave, replacing earlier ones.
func (s *Store) SaveDetails(ctx context.Context, caseID int64, d checklist.Details) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("saving case details: %w", err)
	}
	return s.inCase(ctx, caseID, "saving case details", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO case_details(case_id, data) VALUES(?, ?)
			ON CONFLICT(case_id) DO UPDATE SET data = excluded.data`, caseID, string(data))
		return err
	})
}

// Details returns a case's details; a case without saved details gives the
// zero Details. A case that does not exist gives ErrNotFound.
func (s *Store) Details(ctx context.Context, caseID int64) (checklist.Details, error) {
	var d checklist.Details
	if _, err := s.Case(ctx, caseID); err != nil {
		return d, err
	}
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT data FROM case_details WHERE case_id = ?`, caseID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("reading case details: %w", err)
	}
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return d, fmt.Errorf("reading case details: %w", err)
	}
	return d, nil
}

// Waive marks a checklist rule as not needed for a case. A reason is
// required; waiving again replaces the reason.
func (s *Store) Waive(ctx context.Context, caseID int64, ruleID, reason string) error {
	reason = strings.TrimSpace(reason)
	if ruleID == "" || reason == "" {
		return errors.New("waiving a checklist item needs the item and a reason")
	}
	return s.inCase(ctx, caseID, "saving a waiver", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO waivers(case_id, rule_id, reason, created) VALUES(?, ?, ?, ?)
			ON CONFLICT(case_id, rule_id) DO UPDATE SET reason = excluded.reason, created = excluded.created`,
			caseID, ruleID, reason, time.Now().UTC().Unix())
		return err
	})
}

// Unwaive removes a waiver; removing one that does not exist is not an error.
func (s *Store) Unwaive(ctx context.Context, caseID int64, ruleID string) error {
	return s.inCase(ctx, caseID, "removing a waiver", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM waivers WHERE case_id = ? AND rule_id = ?`, caseID, ruleID)
		return err
	})
}

// Waivers lists a case's waivers by rule id.
func (s *Store) Waivers(ctx context.Context, caseID int64) ([]checklist.Waiver, error) {
	return caseRows(ctx, s, caseID, "reading waivers",
		`SELECT rule_id, reason, created FROM waivers WHERE case_id = ? ORDER BY rule_id`,
		func(rows *sql.Rows) (w checklist.Waiver, err error) {
			var created int64
			err = rows.Scan(&w.RuleID, &w.Reason, &created)
			w.Created = time.Unix(created, 0).UTC()
			return w, err
		})
}

// SetCategory keeps the user's correction of a document's category.
func (s *Store) SetCategory(ctx context.Context, caseID int64, path string, c doctext.Category) error {
	if !c.Valid() {
		return fmt.Errorf("unknown document category %q", c)
	}
	return s.inCase(ctx, caseID, "saving a document category", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO item_categories(case_id, path, category) VALUES(?, ?, ?)
			ON CONFLICT(case_id, path) DO UPDATE SET category = excluded.category`, caseID, path, string(c))
		return err
	})
}

// ClearCategory forgets the user's correction of a document's category.
func (s *Store) ClearCategory(ctx context.Context, caseID int64, path string) error {
	return s.inCase(ctx, caseID, "removing a document category", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM item_categories WHERE case_id = ? AND path = ?`, caseID, path)
		return err
	})
}

// Categories returns the user's category corrections of a case, by path.
func (s *Store) Categories(ctx context.Context, caseID int64) (map[string]doctext.Category, error) {
	if _, err := s.Case(ctx, caseID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT path, category FROM item_categories WHERE case_id = ?`, caseID)
	if err != nil {
		return nil, fmt.Errorf("reading document categories: %w", err)
	}
	defer rows.Close()
	out := map[string]doctext.Category{}
	for rows.Next() {
		var p, c string
		if err := rows.Scan(&p, &c); err != nil {
			return nil, fmt.Errorf("reading document categories: %w", err)
		}
		out[p] = doctext.Category(c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading document categories: %w", err)
	}
	return out, nil
}

// inCase runs f in a transaction after marking the case updated; a case
// that does not exist gives ErrNotFound.
func (s *Store) inCase(ctx context.Context, caseID int64, what string, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE cases SET updated = ? WHERE id = ?`, time.Now().UTC().Unix(), caseID)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("case %d: %w", caseID, ErrNotFound)
	}
	if err := f(tx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
