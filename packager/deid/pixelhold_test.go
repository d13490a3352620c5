package deid

import (
	"context"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
)

// TestUndecodableImagesAreHeld: an ultrasound image whose pixel data is
// compressed in a way Dossier cannot decode (JPEG 2000, HTJ2K) is held
// for review with a reason naming the compression and saying no box can
// help; with the user's boxes it is left out, never sent without them.
// A JPEG Baseline image beside them is masked and sent with its boxes.
func TestUndecodableImagesAreHeld(t *testing.T) {
	dir := t.TempDir()
	spec := func(n int) dcmfix.Spec {
		return dcmfix.Spec{PatientName: patientName, PatientID: patientID, Modality: "US", SOPUID: "1.2.826.0.1.3680043.10.1999.9." + strconv.Itoa(n), InstanceNumber: n}
	}
	cases := map[string]string{"J2K1": "JPEG 2000", "J2K": "JPEG 2000", "HTJ2K": "HTJ2K"}
	tss := []struct{ name, uid string }{{"J2K1", "1.2.840.10008.1.2.4.91"}, {"J2K", dcmfix.UIDJPEG2000}, {"HTJ2K", dcmfix.UIDHTJ2K}}
	paths := map[string]string{}
	for i, ts := range tss {
		s := spec(i + 1)
		s.Compressed, s.TransferSyntaxUID = true, ts.uid
		paths[ts.name] = write(t, dir, ts.name, dcmfix.Instance(s))
	}
	js := spec(4)
	js.Rows, js.Cols = 64, 64
	paths["JPEG"] = write(t, dir, "JPEG", dcmfix.PixelInstance(dcmfix.Pixels{Spec: js, Encoding: "jpeg"}))
	inv := scanCase(t, dir)

	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, comp := range cases {
		d := decision(t, ds, name)
		if r := d.Reason.String(); d.Action != Review || !strings.Contains(r, comp) || !strings.Contains(r, "cannot decode") {
			t.Errorf("%s: %s %q, want held for review saying its %s pixels cannot be decoded", name, d.Action, r, comp)
		}
	}
	if d := decision(t, ds, "JPEG"); d.Action != Review || strings.Contains(d.Reason.String(), "decode") {
		t.Errorf("JPEG: %s %q, want held for review as any ultrasound", d.Action, d.Reason)
	}

	box := []pixelmask.Box{{X: 8, Y: 4, Width: 20, Height: 10}}
	red, include := map[string]*Redactions{}, map[string]bool{}
	for _, p := range paths {
		red[p] = &Redactions{Pixels: box, Confirmed: true}
		include[p] = true
	}
	ds, err = Plan(context.Background(), inv, privacy.Pseudonymised, Options{Redactions: red, Include: include})
	if err != nil {
		t.Fatal(err)
	}
	for name, comp := range cases {
		d := decision(t, ds, name)
		if r := d.Reason.String(); d.Action != Exclude || d.Included || !strings.Contains(r, comp) || !strings.Contains(r, "boxes you marked") {
			t.Errorf("%s with boxes: %s included=%v %q, want left out saying its boxes cannot be blacked out", name, d.Action, d.Included, r)
		}
	}
	if d := decision(t, ds, "JPEG"); d.Action != Review || !d.Included {
		t.Fatalf("JPEG with boxes: %s included=%v %q", d.Action, d.Included, d.Reason)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	images := res.Written
	if len(images) != 1 || images[0].Path != paths["JPEG"] {
		t.Fatalf("written %+v: want the JPEG image alone", images)
	}
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(images[0].Name)))
	if err != nil {
		t.Fatal(err)
	}
	img, err := pixelmask.DICOMFrame(context.Background(), strings.NewReader(string(b)), int64(len(b)), 1)
	if err != nil {
		t.Fatal(err)
	}
	for y := 4; y < 14; y++ {
		for x := 8; x < 28; x++ {
			if g := color.GrayModel.Convert(img.At(x, y)).(color.Gray); g.Y != 0 {
				t.Fatalf("(%d,%d) = %d in the box of the written image", x, y, g.Y)
			}
		}
	}
}
