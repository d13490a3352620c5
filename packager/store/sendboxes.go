package store

import (
	"context"
	"database/sql"
	"time"
)

// SendBoxes are the redaction boxes the person confirmed for one file in step 2 of sending, with
// the file's size and modification time when they were drawn, so that boxes are never applied to
// a file that changed since. Boxes is the caller's encoding of coordinates and page numbers only,
// never text.
type SendBoxes struct {
	Path    string
	Size    int64
	ModTime time.Time
	Boxes   string
}

// SaveSendBoxes replaces the redaction boxes kept for a case's files in step 2 of sending.
func (s *Store) SaveSendBoxes(ctx context.Context, caseID int64, files []SendBoxes) error {
	return s.inCase(ctx, caseID, "saving the redaction boxes", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM send_boxes WHERE case_id = ?`, caseID); err != nil {
			return err
		}
		for _, f := range files {
			var mtime int64 // 0: not known
			if !f.ModTime.IsZero() {
				mtime = f.ModTime.UnixNano()
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO send_boxes(case_id, path, size, mtime, boxes) VALUES(?, ?, ?, ?, ?)`,
				caseID, f.Path, f.Size, mtime, f.Boxes); err != nil {
				return err
			}
		}
		return nil
	})
}

// SendBoxesOf returns the redaction boxes SaveSendBoxes kept for a case, by path.
func (s *Store) SendBoxesOf(ctx context.Context, caseID int64) ([]SendBoxes, error) {
	return caseRows(ctx, s, caseID, "reading the redaction boxes",
		`SELECT path, size, mtime, boxes FROM send_boxes WHERE case_id = ? ORDER BY path`,
		func(rows *sql.Rows) (f SendBoxes, err error) {
			var mtime int64
			if err := rows.Scan(&f.Path, &f.Size, &mtime, &f.Boxes); err != nil {
				return f, err
			}
			if mtime != 0 {
				f.ModTime = time.Unix(0, mtime)
			}
			return f, nil
		})
}
