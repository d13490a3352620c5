package store

import (
	"context"
	"errors"
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
