package deid

import (
	"bytes"
	"context"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
)

// A transfer syntax Dossier decodes can still carry a coding its decoders refuse (here a 12-bit
// JPEG marked progressive): the plan finds it by decoding the first frame, so the image is held
// with its reason (or, with the user's boxes, left out with the reason that they cannot be
// applied) instead of failing when it is written.
func TestRefusedCodingFoundWhenPlanned(t *testing.T) {
	dir := t.TempDir()
	b := dcmfix.PixelInstance(dcmfix.Pixels{Spec: dcmfix.Spec{PatientName: patientName, PatientID: patientID, Modality: "XA", BurnedIn: "YES", Rows: 24, Cols: 40,
		SOPUID: "1.2.826.0.1.3680043.10.1999.14.1", InstanceNumber: 1}, Encoding: "jpeg12", BitsAllocated: 16, BitsStored: 12})
	i := bytes.Index(b, []byte{0xFF, 0xC1})
	if i < 0 {
		t.Fatal("no SOF1 marker in the 12-bit JPEG fixture")
	}
	b[i+1] = 0xC2 // progressive: refused by jpegdec
	path := write(t, dir, "PROG", b)
	inv := scanCase(t, dir)
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := decision(t, ds, "PROG"); d.Action != Review || d.Undecodable == "" {
		t.Errorf("held as %s %q (undecodable %q), want held for review as undecodable", d.Action, d.Reason, d.Undecodable)
	}
	red := map[string]*Redactions{path: {Pixels: []pixelmask.Box{{X: 1, Y: 1, Width: 5, Height: 5}}, Confirmed: true}}
	ds, err = Plan(context.Background(), inv, privacy.Pseudonymised, Options{Redactions: red, Include: map[string]bool{path: true}})
	if err != nil {
		t.Fatal(err)
	}
	if d := decision(t, ds, "PROG"); d.Action != Exclude || d.Undecodable == "" {
		t.Errorf("with boxes: %s %q (undecodable %q), want left out as undecodable", d.Action, d.Reason, d.Undecodable)
	}
	res, err := WriteTree(context.Background(), t.TempDir(), inv, ds, privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}, TreeOptions{})
	if err != nil {
		t.Fatalf("writing: %v", err)
	}
	if len(res.Written) != 0 || len(res.LeftOut) != 1 {
		t.Errorf("written %d, left out %d", len(res.Written), len(res.LeftOut))
	}
}
