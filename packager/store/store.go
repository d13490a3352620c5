// Package store keeps Dossier's cases in a local SQLite database: each case
// with its inventory items and the identity facts found in them. The database
// lives in the user's configuration directory (or DOSSIER_HOME) with file mode
// 0600, and is migrated forward from its first version on open.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"dossier/packager/identity"
	"dossier/packager/intake"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the database's file name inside the data directory.
const FileName = "dossier.db"

// ErrNotFound is returned when a case does not exist.
var ErrNotFound = errors.New("not found")

// Store is an open case database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
}

// Case is one patient's collection of records.
type Case struct {
	ID      int64
	Name    string
	Created time.Time
	Updated time.Time
}

// DataDir returns the directory that holds Dossier's data: $DOSSIER_HOME when
// set, otherwise "Dossier" inside the user's configuration directory.
func DataDir() (string, error) {
	if d := os.Getenv("DOSSIER_HOME"); d != "" {
		return d, nil
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the configuration directory: %w", err)
	}
	return filepath.Join(cfg, "Dossier"), nil
}

// DefaultPath returns the database path inside DataDir.
func DefaultPath() (string, error) {
	d, err := DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, FileName), nil
}

// Open opens (creating if needed) the database at path and migrates it to
// the current schema. The file and its directory are private to the user.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	// Create the file ourselves so that it never exists with a wider mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the case database: %w", err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("protecting the case database: %w", err)
	}
	dsn := "file:" + filepath.ToSlash(path) + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the case database: %w", err)
	}
	s := &Store{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// WAL side files are created by SQLite with the database's mode on most
	// systems; make sure of it.
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + side); err == nil {
			os.Chmod(path+side, 0o600)
		}
	}
	return s, nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migrations are applied in order; each index is a schema version. Never
// edit a migration that has shipped: add a new one.
var migrations = []string{
	// 1: cases, their items and identity facts.
	`CREATE TABLE cases (
		id      INTEGER PRIMARY KEY,
		name    TEXT NOT NULL,
		created INTEGER NOT NULL,
		updated INTEGER NOT NULL
	);
	CREATE TABLE items (
		case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
		path    TEXT NOT NULL,
		kind    TEXT NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (case_id, path)
	);
	CREATE TABLE identity (
		case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
		kind    TEXT NOT NULL,
		value   TEXT NOT NULL,
		source  TEXT NOT NULL,
		PRIMARY KEY (case_id, kind, value)
	);`,
	// 2: case details, checklist waivers and the user's corrections of
	// document categories.
	`CREATE TABLE case_details (
		case_id INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
		data    TEXT NOT NULL
	);
	CREATE TABLE waivers (
		case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
		rule_id TEXT NOT NULL,
		reason  TEXT NOT NULL,
		created INTEGER NOT NULL,
		PRIMARY KEY (case_id, rule_id)
	);
	CREATE TABLE item_categories (
		case_id  INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
		path     TEXT NOT NULL,
		category TEXT NOT NULL,
		PRIMARY KEY (case_id, path)
	);`,
	// 3: the pseudonym and secret of each case, so that the patient can
	// reveal their identity later and re-exports give the same UIDs.
	`CREATE TABLE pseudonyms (
		case_id   INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
		pseudonym TEXT NOT NULL UNIQUE,
		secret    BLOB NOT NULL,
		created   INTEGER NOT NULL
	);`,
	// 4: the audit trail of exports, and the receiving centres with their
	// public keys.
	`CREATE TABLE exports (
		id          INTEGER PRIMARY KEY,
		case_id     INTEGER REFERENCES cases(id) ON DELETE SET NULL,
		created     INTEGER NOT NULL,
		recipient   TEXT NOT NULL,
		level       TEXT NOT NULL,
		name        TEXT NOT NULL,
		fingerprint TEXT NOT NULL,
		bytes       INTEGER NOT NULL,
		files       TEXT NOT NULL,
		items       TEXT NOT NULL
	);
	CREATE TABLE centres (
		id      INTEGER PRIMARY KEY,
		name    TEXT NOT NULL UNIQUE,
		keys    TEXT NOT NULL,
		created INTEGER NOT NULL
	);`,
	// 5: what the patient or their staff said about the facts read from
	// the records (confirmed, or corrected), by the fact they are about.
	`CREATE TABLE fact_checks (
		case_id  INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
		fact_key TEXT NOT NULL,
		data     TEXT NOT NULL,
		created  INTEGER NOT NULL,
		PRIMARY KEY (case_id, fact_key)
	);`,
	// 6: the files the person chose, in step 2 of sending, to send although
	// they may show who they are (by path), kept across a restart.
	`CREATE TABLE send_choices (
		case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
		path    TEXT NOT NULL,
		PRIMARY KEY (case_id, path)
	);`,
	// 7: the redaction boxes the person confirmed in step 2 of sending, by
	// file, with the file's size and time when they were drawn (boxes on a
	// file changed since are not applied). Coordinates only, never text.
	`CREATE TABLE send_boxes (
		case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
		path    TEXT NOT NULL,
		size    INTEGER NOT NULL,
		mtime   INTEGER NOT NULL,
		boxes   TEXT NOT NULL,
		PRIMARY KEY (case_id, path)
	);`,
}

// SchemaVersion is the schema version this code writes.
var SchemaVersion = len(migrations)

// migrate brings the schema up to date in one transaction that reads the
// version inside it, so that two Dossiers opening a new database at once
// (two commands started together) migrate it once, one after the other. A
// database another process holds busy is tried again for a while.
func (s *Store) migrate(ctx context.Context) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := s.migrateOnce(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Store) migrateOnce(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock): the write lock from the start
	if err != nil {
		return fmt.Errorf("reading the database version: %w", err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("reading the database version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("the case database was written by a newer Dossier (schema %d, this version knows %d)", v, len(migrations))
	}
	if v == len(migrations) {
		return nil
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migrating the database to version %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, len(migrations))); err != nil {
		return fmt.Errorf("migrating the database to version %d: %w", len(migrations), err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrating the database to version %d: %w", len(migrations), err)
	}
	return nil
}

// caseRows reads the rows query (with the case's id as its one argument) finds for a case that
// exists, each made by scan; what says what is being read, in the errors. A case that does not
// exist is ErrNotFound.
func caseRows[T any](ctx context.Context, s *Store, caseID int64, what, query string, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if _, err := s.Case(ctx, caseID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, query, caseID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// isBusy reports whether err is SQLite's "database is locked" (another
// process holds it).
func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// CreateCase adds a new, empty case.
func (s *Store) CreateCase(ctx context.Context, name string) (*Case, error) {
	now := time.Now().UTC().Truncate(time.Second)
	res, err := s.db.ExecContext(ctx, `INSERT INTO cases(name, created, updated) VALUES(?, ?, ?)`, name, now.Unix(), now.Unix())
	if err != nil {
		return nil, fmt.Errorf("creating a case: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("creating a case: %w", err)
	}
	return &Case{ID: id, Name: name, Created: now, Updated: now}, nil
}

// Case returns the case with the given id, or ErrNotFound.
func (s *Store) Case(ctx context.Context, id int64) (*Case, error) {
	c := &Case{ID: id}
	var created, updated int64
	err := s.db.QueryRowContext(ctx, `SELECT name, created, updated FROM cases WHERE id = ?`, id).Scan(&c.Name, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading case %d: %w", id, err)
	}
	c.Created, c.Updated = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return c, nil
}

// Cases lists every case, most recently updated first.
func (s *Store) Cases(ctx context.Context) ([]*Case, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created, updated FROM cases ORDER BY updated DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("listing cases: %w", err)
	}
	defer rows.Close()
	var out []*Case
	for rows.Next() {
		c := &Case{}
		var created, updated int64
		if err := rows.Scan(&c.ID, &c.Name, &created, &updated); err != nil {
			return nil, fmt.Errorf("listing cases: %w", err)
		}
		c.Created, c.Updated = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// RenameCase changes a case's name.
func (s *Store) RenameCase(ctx context.Context, id int64, name string) error {
	return s.touch(ctx, id, `UPDATE cases SET name = ?, updated = ? WHERE id = ?`, name)
}

// DeleteCase removes a case and everything stored about it. The patient's
// original files are never touched.
func (s *Store) DeleteCase(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM cases WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("deleting case %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	return nil
}

func (s *Store) touch(ctx context.Context, id int64, query string, arg any) error {
	res, err := s.db.ExecContext(ctx, query, arg, time.Now().UTC().Unix(), id)
	if err != nil {
		return fmt.Errorf("updating case %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	return nil
}

// SaveInventory stores the inventory's items and identity facts for a case,
// replacing items with the same path and adding new ones. Items of the case
// that are not in inv are kept: a case grows as files are added.
func (s *Store) SaveInventory(ctx context.Context, caseID int64, inv *intake.Inventory) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("saving the inventory: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE cases SET updated = ? WHERE id = ?`, time.Now().UTC().Unix(), caseID)
	if err != nil {
		return fmt.Errorf("saving the inventory: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("case %d: %w", caseID, ErrNotFound)
	}
	item, err := tx.PrepareContext(ctx, `INSERT INTO items(case_id, path, kind, data) VALUES(?, ?, ?, ?)
		ON CONFLICT(case_id, path) DO UPDATE SET kind = excluded.kind, data = excluded.data`)
	if err != nil {
		return fmt.Errorf("saving the inventory: %w", err)
	}
	defer item.Close()
	for _, it := range inv.Items {
		data, err := json.Marshal(it)
		if err != nil {
			return fmt.Errorf("saving the inventory: %w", err)
		}
		if _, err := item.ExecContext(ctx, caseID, it.Path, string(it.Kind), string(data)); err != nil {
			return fmt.Errorf("saving the inventory: %w", err)
		}
	}
	if inv.Identity != nil {
		tok, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO identity(case_id, kind, value, source) VALUES(?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("saving the inventory: %w", err)
		}
		defer tok.Close()
		for _, t := range inv.Identity.Tokens() {
			if _, err := tok.ExecContext(ctx, caseID, string(t.Kind), t.Value, t.Source); err != nil {
				return fmt.Errorf("saving the inventory: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("saving the inventory: %w", err)
	}
	return nil
}

// Inventory rebuilds a case's inventory from its stored items and identity.
func (s *Store) Inventory(ctx context.Context, caseID int64) (*intake.Inventory, error) {
	if _, err := s.Case(ctx, caseID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM items WHERE case_id = ? ORDER BY path`, caseID)
	if err != nil {
		return nil, fmt.Errorf("reading the inventory: %w", err)
	}
	defer rows.Close()
	var items []*intake.Item
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("reading the inventory: %w", err)
		}
		it := &intake.Item{}
		if err := json.Unmarshal([]byte(data), it); err != nil {
			return nil, fmt.Errorf("reading the inventory: %w", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the inventory: %w", err)
	}
	ids, err := s.identity(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return intake.Group(items, ids), nil
}

func (s *Store) identity(ctx context.Context, caseID int64) (*identity.Set, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, value, source FROM identity WHERE case_id = ?`, caseID)
	if err != nil {
		return nil, fmt.Errorf("reading identity facts: %w", err)
	}
	defer rows.Close()
	set := identity.NewSet()
	for rows.Next() {
		var kind, value, source string
		if err := rows.Scan(&kind, &value, &source); err != nil {
			return nil, fmt.Errorf("reading identity facts: %w", err)
		}
		set.Add(identity.Kind(kind), value, source)
	}
	return set, rows.Err()
}
