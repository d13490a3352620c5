package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
)

func TestExportsAudit(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	c, _ := s.CreateCase(ctx, "c")
	e := &Export{CaseID: c.ID, Recipient: "passphrase", Level: "pseudonymised", Name: "dossier-1", Fingerprint: "ab12", Bytes: 42,
		Files: []string{"/out/dossier-1.age"}, Items: []ExportItem{{Path: "/cd/IM1", Name: "DICOM/ST000001/SE000001/IM000001", Bytes: 40, SHA256: "00"}}}
	if err := s.AddExport(ctx, e); err != nil || e.ID == 0 {
		t.Fatalf("AddExport: %v", err)
	}
	s.AddExport(ctx, &Export{Recipient: "x", Level: "identified", Name: "other"})
	got, err := s.Exports(ctx, c.ID)
	if err != nil || len(got) != 1 || got[0].Fingerprint != "ab12" || len(got[0].Items) != 1 || got[0].Items[0].Name != e.Items[0].Name {
		t.Fatalf("Exports = %+v, %v", got, err)
	}
	all, _ := s.Exports(ctx, 0)
	if len(all) != 2 {
		t.Errorf("%d exports in all", len(all))
	}
	// Deleting the case keeps the audit row (without the case).
	s.DeleteCase(ctx, c.ID)
	all, _ = s.Exports(ctx, 0)
	if len(all) != 2 {
		t.Errorf("audit rows lost with the case: %d", len(all))
	}
}

func TestCentres(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if err := s.SaveCentre(ctx, &Centre{Name: "", Keys: []string{"age1x"}}); err == nil {
		t.Error("nameless centre saved")
	}
	c := &Centre{Name: "Tumour Board, City Hospital", Keys: []string{"age1aaa", "ssh-ed25519 AAAA x"}}
	if err := s.SaveCentre(ctx, c); err != nil || c.ID == 0 {
		t.Fatal(err)
	}
	c2 := &Centre{Name: "Tumour Board, City Hospital", Keys: []string{"age1bbb"}}
	s.SaveCentre(ctx, c2)
	all, _ := s.Centres(ctx)
	if len(all) != 1 || all[0].Keys[0] != "age1bbb" || c2.ID != c.ID {
		t.Errorf("centres = %+v", all)
	}
	if got, err := s.CentreByName(ctx, "Tumour Board, City Hospital"); err != nil || got.ID != c.ID {
		t.Errorf("CentreByName: %v", err)
	}
	if err := s.DeleteCentre(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CentreByName(ctx, "Tumour Board, City Hospital"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}

// TestExportItemsCompressed: an export's items are stored as the gzip of
// exactly what json.Marshal makes of them (but smaller than it for a large
// case), read back whole, and rows of earlier versions, plain JSON, still
// read.
func TestExportItemsCompressed(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	var items []ExportItem
	for i := range 3000 {
		items = append(items, ExportItem{Path: fmt.Sprintf("/media/cd/DICOM/ST%06d/SE%06d/IM%06d <&>", i/1000, i/100, i), Name: fmt.Sprintf("DICOM/ST000001/SE%06d/IM%06d", i/100, i),
			Bytes: int64(i) * 1000, SHA256: fmt.Sprintf("%064x", i*7919)})
	}
	e := &Export{Recipient: "age1x", Level: "pseudonymised", Name: "big", Items: items}
	if err := s.AddExport(ctx, e); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := s.db.QueryRowContext(ctx, `SELECT items FROM exports WHERE id = ?`, e.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(stored))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(items)
	var got, wantV any
	if json.Unmarshal(plain, &got) != nil || json.Unmarshal(want, &wantV) != nil || !reflect.DeepEqual(got, wantV) {
		t.Fatalf("stored JSON differs from json.Marshal's: %.200s", plain)
	}
	if len(stored)*4 > len(want) {
		t.Errorf("stored %d bytes for %d of JSON", len(stored), len(want))
	}
	// A row of an earlier version, plain JSON text.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO exports(created, recipient, level, name, fingerprint, bytes, files, items) VALUES(1, 'r', 'identified', 'old', '', 0, '[]', ?)`,
		`[{"path":"/a","name":"A","bytes":1,"sha256":"00"}]`); err != nil {
		t.Fatal(err)
	}
	all, err := s.Exports(ctx, 0)
	if err != nil || len(all) != 2 {
		t.Fatalf("Exports = %v, %v", all, err)
	}
	for _, x := range all {
		switch x.Name {
		case "big":
			if !reflect.DeepEqual(x.Items, items) {
				t.Error("the items read back differ")
			}
		case "old":
			if !reflect.DeepEqual(x.Items, []ExportItem{{Path: "/a", Name: "A", Bytes: 1, SHA256: "00"}}) {
				t.Errorf("old row's items: %+v", x.Items)
			}
		}
	}
}
