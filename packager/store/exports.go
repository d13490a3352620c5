package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ExportItem is one file that went into an export.
type ExportItem struct {
	Path   string `json:"path"` // the original
	Name   string `json:"name"` // its name in the bundle
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Export is one audit row: when, to whom, at which privacy level, what.
type Export struct {
	ID          int64
	CaseID      int64 // 0 when the export belonged to no stored case
	Created     time.Time
	Recipient   string
	Level       string
	Name        string
	Fingerprint string
	Bytes       int64
	Files       []string // the files written (bundle volumes, side files)
	Items       []ExportItem
}

// AddExport records an export in the audit trail.
func (s *Store) AddExport(ctx context.Context, e *Export) error {
	files, err := json.Marshal(e.Files)
	if err != nil {
		return err
	}
	items, err := json.Marshal(e.Items)
	if err != nil {
		return err
	}
	if e.Created.IsZero() {
		e.Created = time.Now().UTC()
	}
	var caseID any
	if e.CaseID != 0 {
		caseID = e.CaseID
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO exports(case_id, created, recipient, level, name, fingerprint, bytes, files, items)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, caseID, e.Created.Unix(), e.Recipient, e.Level, e.Name, e.Fingerprint, e.Bytes, string(files), string(items))
	if err != nil {
		return fmt.Errorf("recording the export: %w", err)
	}
	e.ID, _ = res.LastInsertId()
	return nil
}

// Exports lists the exports of a case (caseID 0: all), newest first.
func (s *Store) Exports(ctx context.Context, caseID int64) ([]*Export, error) {
	q := `SELECT id, IFNULL(case_id, 0), created, recipient, level, name, fingerprint, bytes, files, items FROM exports`
	var args []any
	if caseID != 0 {
		q += ` WHERE case_id = ?`
		args = append(args, caseID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY created DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading exports: %w", err)
	}
	defer rows.Close()
	var out []*Export
	for rows.Next() {
		e := &Export{}
		var created int64
		var files, items string
		if err := rows.Scan(&e.ID, &e.CaseID, &created, &e.Recipient, &e.Level, &e.Name, &e.Fingerprint, &e.Bytes, &files, &items); err != nil {
			return nil, fmt.Errorf("reading exports: %w", err)
		}
		e.Created = time.Unix(created, 0).UTC()
		json.Unmarshal([]byte(files), &e.Files)
		json.Unmarshal([]byte(items), &e.Items)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Centre is a receiving centre and the public keys its bundles are
// encrypted to.
type Centre struct {
	ID   int64
	Name string
	Keys []string // age or SSH public keys, one per entry
}

// SaveCentre adds a centre or replaces the keys of the one with that name.
func (s *Store) SaveCentre(ctx context.Context, c *Centre) error {
	name := strings.TrimSpace(c.Name)
	if name == "" || len(c.Keys) == 0 {
		return errors.New("a centre needs a name and at least one key")
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO centres(name, keys, created) VALUES(?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET keys = excluded.keys`, name, strings.Join(c.Keys, "\n"), time.Now().UTC().Unix())
	if err != nil {
		return fmt.Errorf("saving the centre: %w", err)
	}
	return s.db.QueryRowContext(ctx, `SELECT id FROM centres WHERE name = ?`, name).Scan(&c.ID)
}

// Centres lists the saved receiving centres by name.
func (s *Store) Centres(ctx context.Context) ([]*Centre, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, keys FROM centres ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("reading centres: %w", err)
	}
	defer rows.Close()
	var out []*Centre
	for rows.Next() {
		c := &Centre{}
		var keys string
		if err := rows.Scan(&c.ID, &c.Name, &keys); err != nil {
			return nil, fmt.Errorf("reading centres: %w", err)
		}
		c.Keys = strings.Split(keys, "\n")
		out = append(out, c)
	}
	return out, rows.Err()
}

// CentreByName returns the centre with this name, or ErrNotFound.
func (s *Store) CentreByName(ctx context.Context, name string) (*Centre, error) {
	c := &Centre{}
	var keys string
	err := s.db.QueryRowContext(ctx, `SELECT id, name, keys FROM centres WHERE name = ?`, strings.TrimSpace(name)).Scan(&c.ID, &c.Name, &keys)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("centre: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the centre: %w", err)
	}
	c.Keys = strings.Split(keys, "\n")
	return c, nil
}

// DeleteCentre removes a saved centre.
func (s *Store) DeleteCentre(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM centres WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("deleting the centre: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("centre %d: %w", id, ErrNotFound)
	}
	return nil
}
