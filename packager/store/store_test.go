package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/intake"
)

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "sub", FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// twoCases opens a store in a new folder with two cases, "case" and "other"; path is its file, for
// a test to open again as after a restart. The test closes s.
func twoCases(t *testing.T) (s *Store, path string, c, other *Case) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), FileName)
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = s.CreateCase(ctx, "case"); err == nil {
		other, err = s.CreateCase(ctx, "other")
	}
	if err != nil {
		t.Fatal(err)
	}
	return s, path, c, other
}

// reopen closes s and opens the store at path again, as after a restart; the test's end closes it.
func reopen(t *testing.T, s *Store, path string) *Store {
	t.Helper()
	s.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// goesWithCase deletes case id and checks that its rows of table went with it (left rows stay,
// the other case's), that read of the deleted case (when not nil) says ErrNotFound, and that
// save to a case that does not exist says ErrNotFound.
func goesWithCase(t *testing.T, s *Store, id int64, table string, left int, read, save func(id int64) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.DeleteCase(ctx, id); err != nil {
		t.Fatal(err)
	}
	if read != nil {
		if err := read(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("the deleted case's %s: %v", table, err)
		}
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil || n != left {
		t.Errorf("rows of %s left after deleting the case: %d (want %d) %v", table, n, left, err)
	}
	if err := save(999); !errors.Is(err, ErrNotFound) {
		t.Errorf("%s of a missing case: %v", table, err)
	}
}

func TestDataDirFollowsDOSSIER_HOME(t *testing.T) {
	t.Setenv("DOSSIER_HOME", "/some/where")
	p, err := DefaultPath()
	if err != nil || p != filepath.Join("/some/where", FileName) {
		t.Errorf("DefaultPath = %q, %v", p, err)
	}
	t.Setenv("DOSSIER_HOME", "")
	p, err = DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.UserConfigDir()
	if p != filepath.Join(cfg, "Dossier", FileName) {
		t.Errorf("DefaultPath without DOSSIER_HOME = %q", p)
	}
}

func TestFileIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix file modes")
	}
	s := open(t)
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v, want 0600", fi.Mode().Perm())
	}
	di, _ := os.Stat(filepath.Dir(s.Path()))
	if di.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v, want 0700", di.Mode().Perm())
	}
}

func TestCases(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	a, err := s.CreateCase(ctx, "Jane's case")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.CreateCase(ctx, "Second")
	if err := s.RenameCase(ctx, a.ID, "Renamed"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Case(ctx, a.ID)
	if err != nil || got.Name != "Renamed" {
		t.Errorf("Case = %+v, %v", got, err)
	}
	all, _ := s.Cases(ctx)
	if len(all) != 2 {
		t.Errorf("%d cases", len(all))
	}
	if err := s.DeleteCase(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Case(ctx, b.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted case: %v", err)
	}
	if err := s.RenameCase(ctx, 999, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rename missing case: %v", err)
	}
}

func TestInventoryRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	c, _ := s.CreateCase(ctx, "c")
	ids := identity.NewSet()
	ids.Add(identity.Name, "DOE^JANE", "DICOM PatientName")
	items := []*intake.Item{
		{Path: "/cd/IM1", Kind: intake.KindDICOM, Modality: "CT", StudyInstanceUID: "1.2", SeriesInstanceUID: "1.2.1", SOPInstanceUID: "1.2.1.1",
			DICOM: &intake.DICOMDetail{StudyDate: "2026-01-10", PatientName: "DOE^JANE", PatientID: "P1"}},
		{Path: "/r.pdf", Kind: intake.KindPDF, Format: "pdf", Problems: []i18n.Text{i18n.NewText("this PDF seems cut short")}},
		{Path: "/s.svs", Kind: intake.KindSlide, Slide: &intake.Slide{Path: "/s.svs", Vendor: "aperio", Levels: 2, Label: true}},
	}
	if err := s.SaveInventory(ctx, c.ID, intake.Group(items, ids)); err != nil {
		t.Fatal(err)
	}
	// A second add keeps the first items and adds new ones.
	more := intake.Group([]*intake.Item{{Path: "/photo.jpg", Kind: intake.KindImage}}, nil)
	if err := s.SaveInventory(ctx, c.ID, more); err != nil {
		t.Fatal(err)
	}
	inv, err := s.Inventory(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Items) != 4 || len(inv.Studies) != 1 || len(inv.Slides) != 1 || len(inv.Patients) != 1 {
		t.Fatalf("inventory: %d items, %d studies, %d slides, %d patients", len(inv.Items), len(inv.Studies), len(inv.Slides), len(inv.Patients))
	}
	if inv.Studies[0].Date != "2026-01-10" || inv.Items[2].Problems[0].String() != "this PDF seems cut short" {
		t.Errorf("inventory lost details: %+v", inv.Studies[0])
	}
	if toks := inv.Identity.Tokens(); len(toks) != 1 || toks[0].Value != "DOE^JANE" {
		t.Errorf("identity = %+v", toks)
	}
	if err := s.SaveInventory(ctx, 12345, more); !errors.Is(err, ErrNotFound) {
		t.Errorf("save to a missing case: %v", err)
	}
	// Deleting the case removes its items and identity.
	s.DeleteCase(ctx, c.ID)
	var n int
	s.db.QueryRow(`SELECT (SELECT count(*) FROM items) + (SELECT count(*) FROM identity)`).Scan(&n)
	if n != 0 {
		t.Errorf("%d rows left after deleting the case", n)
	}
}

func TestMigratesFromEveryVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	// An empty database at version 0 is migrated to the latest.
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var v int
	s.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion {
		t.Errorf("version %d, want %d", v, SchemaVersion)
	}
	c, _ := s.CreateCase(ctx, "kept")
	s.Close()
	// Reopening keeps the data and does not migrate again.
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Case(ctx, c.ID); err != nil || got.Name != "kept" {
		t.Errorf("after reopen: %+v, %v", got, err)
	}
	s.Close()
	// A database from a newer Dossier is refused, not damaged.
	db, _ := sql.Open("sqlite", path)
	db.Exec(`PRAGMA user_version = 99`)
	db.Close()
	if _, err := Open(ctx, path); err == nil {
		t.Error("a database from a newer version was opened")
	}
}
