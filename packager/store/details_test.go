package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"dossier/packager/checklist"
	"dossier/packager/doctext"
)

func TestDetailsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	c, err := s.CreateCase(ctx, "case")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := s.Details(ctx, c.ID); err != nil || d.Cancer != "" {
		t.Fatalf("empty details: %+v %v", d, err)
	}
	want := checklist.Details{
		Cancer: "lung", Stage: "IIIA", DiagnosisDate: "2026-08",
		Patient:   checklist.Patient{Name: "Jane Doe", BirthDate: "1961-02-03", FromRecords: true},
		Questions: []string{"Is surgery possible?", "Is immunotherapy an option?"},
		Doctor:    checklist.Contact{Name: "Dr Smith", Email: "smith@example.org"},
		Urgency:   checklist.UrgencyUrgent,
		Shipments: []checklist.Shipment{{Kind: checklist.ShipBlocks, Courier: "FedEx", Tracking: "7777"}},
	}
	if err := s.SaveDetails(ctx, c.ID, want); err != nil {
		t.Fatal(err)
	}
	want.Stage = "IIIB"
	if err := s.SaveDetails(ctx, c.ID, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Details(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stage != "IIIB" || len(got.Questions) != 2 || got.Shipments[0].Tracking != "7777" || !got.Patient.FromRecords || got.Doctor.Email != want.Doctor.Email {
		t.Errorf("round trip: %+v", got)
	}
	if err := s.SaveDetails(ctx, 999, want); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing case: %v", err)
	}
	if _, err := s.Details(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing case: %v", err)
	}
}

func TestWaiversPersist(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.CreateCase(ctx, "case")
	if err := s.Waive(ctx, c.ID, "treatment-summary", "no treatment yet"); err != nil {
		t.Fatal(err)
	}
	if err := s.Waive(ctx, c.ID, "slides", "  "); err == nil {
		t.Error("waiver without a reason accepted")
	}
	if err := s.Waive(ctx, c.ID, "lung-pet", "no PET done"); err != nil {
		t.Fatal(err)
	}
	if err := s.Waive(ctx, c.ID, "lung-pet", "PET not available here"); err != nil {
		t.Fatal(err)
	}
	if err := s.Waive(ctx, 4242, "lung-pet", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing case: %v", err)
	}
	s.Close()

	// Reopen: the waivers are still there and feed the checklist.
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws, err := s.Waivers(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || ws[0].RuleID != "lung-pet" || ws[0].Reason != "PET not available here" || ws[1].RuleID != "treatment-summary" || ws[1].Created.IsZero() {
		t.Fatalf("waivers: %+v", ws)
	}
	rules, err := checklist.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rules.Evaluate(&checklist.Case{Cancer: "lung", Waivers: ws})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Rules {
		if (r.ID == "lung-pet" || r.ID == "treatment-summary") && r.Status != checklist.StatusWaived {
			t.Errorf("%s: %s", r.ID, r.Status)
		}
	}
	if err := s.Unwaive(ctx, c.ID, "lung-pet"); err != nil {
		t.Fatal(err)
	}
	if ws, _ := s.Waivers(ctx, c.ID); len(ws) != 1 {
		t.Errorf("after unwaive: %+v", ws)
	}
	// Deleting the case removes its waivers.
	if err := s.DeleteCase(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM waivers`).Scan(&n)
	if n != 0 {
		t.Errorf("%d waivers left after delete", n)
	}
}

func TestCategoryCorrections(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	c, _ := s.CreateCase(ctx, "case")
	if err := s.SetCategory(ctx, c.ID, "/x/scan1.pdf", doctext.CategoryMolecular); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCategory(ctx, c.ID, "/x/scan1.pdf", doctext.CategoryPathology); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCategory(ctx, c.ID, "/x/scan2.pdf", "nonsense"); err == nil {
		t.Error("unknown category accepted")
	}
	if err := s.SetCategory(ctx, c.ID, "/x/scan2.pdf", doctext.CategoryLab); err != nil {
		t.Fatal(err)
	}
	got, err := s.Categories(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["/x/scan1.pdf"] != doctext.CategoryPathology {
		t.Errorf("categories: %v", got)
	}
	if err := s.ClearCategory(ctx, c.ID, "/x/scan2.pdf"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Categories(ctx, c.ID); len(got) != 1 {
		t.Errorf("after clear: %v", got)
	}
}
