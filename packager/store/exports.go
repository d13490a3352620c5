package store

import (
	"bytes"
	"compress/gzip"
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
	items, err := packItems(e.Items)
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
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, caseID, e.Created.Unix(), e.Recipient, e.Level, e.Name, e.Fingerprint, e.Bytes, string(files), items)
	if err != nil {
		return fmt.Errorf("recording the export: %w", err)
	}
	e.ID, _ = res.LastInsertId()
	return nil
}

// packItems returns the JSON of items, gzip-compressed. An export of a
// 30,000-file case lists 30,000 items, about 8 MB of JSON, made at the end
// of a pack (the heap at its largest) and copied twice more into SQLite's
// own memory to be written; compressed it is about a sixth of that, and it
// is encoded item by item, so that no copy of the whole JSON is made.
func packItems(items []ExportItem) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if items == nil {
		zw.Write([]byte("null"))
	} else {
		enc := json.NewEncoder(zw)
		enc.SetEscapeHTML(true)
		zw.Write([]byte{'['})
		for i := range items {
			if i > 0 {
				zw.Write([]byte{','})
			}
			if err := enc.Encode(&items[i]); err != nil { // json.Marshal's bytes, and a newline
				return nil, err
			}
		}
		zw.Write([]byte{']'})
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unpackItems reads what packItems made, or the plain JSON of earlier
// versions. Like the files, a list that cannot be read is left empty: the
// row itself still says when, to whom and what was written.
func unpackItems(b []byte) []ExportItem {
	var items []ExportItem
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		json.Unmarshal(b, &items)
		return items
	}
	if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
		json.NewDecoder(zr).Decode(&items)
	}
	return items
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
		var files string
		var items []byte
		if err := rows.Scan(&e.ID, &e.CaseID, &created, &e.Recipient, &e.Level, &e.Name, &e.Fingerprint, &e.Bytes, &files, &items); err != nil {
			return nil, fmt.Errorf("reading exports: %w", err)
		}
		e.Created = time.Unix(created, 0).UTC()
		json.Unmarshal([]byte(files), &e.Files)
		e.Items = unpackItems(items)
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
