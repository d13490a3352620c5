package deid

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
)

// TestTwelveBitAndLosslessJPEGAreMasked: ultrasound and XA images in
// 12-bit JPEG (JPEG Extended) and JPEG Lossless (Process 14, SV1 and
// other predictors) are decodable: held for review as any ultrasound
// (not as undecodable), and with the user's boxes written native with
// the boxes black and every other sample as decoded; the 12-bit JPEG
// keeps its lossy-compression history.
func TestTwelveBitAndLosslessJPEGAreMasked(t *testing.T) {
	dir := t.TempDir()
	spec := func(n int, mod string) dcmfix.Spec {
		return dcmfix.Spec{PatientName: patientName, PatientID: patientID, Modality: mod, BurnedIn: "YES", Rows: 24, Cols: 40,
			SOPUID: "1.2.826.0.1.3680043.10.1999.13." + strconv.Itoa(n), InstanceNumber: n}
	}
	cases := map[string]dcmfix.Pixels{
		"J12":  {Spec: spec(1, "XA"), Encoding: "jpeg12", BitsAllocated: 16, BitsStored: 12, Frames: 2},
		"JLS1": {Spec: spec(2, "US"), Encoding: "jpeg-lossless"},
		"JL6":  {Spec: spec(3, "XA"), Encoding: "jpeg-lossless", BitsAllocated: 16, BitsStored: 16, Predictor: 6},
	}
	// A 12-bit colour JPEG is decodable too (masked in dicomdeid's tests).
	write(t, dir, "J12C", dcmfix.PixelInstance(dcmfix.Pixels{Spec: spec(4, "US"), Encoding: "jpeg12", Photometric: "YBR_FULL", BitsAllocated: 16, BitsStored: 12}))
	paths := map[string]string{}
	for name, p := range cases {
		paths[name] = write(t, dir, name, dcmfix.PixelInstance(p))
		if ts := p.FileOptions().TransferSyntaxUID; !Decodable(ts) || Compression(ts, p.BitsAllocated) == "" {
			t.Errorf("%s: transfer syntax %s not decodable", name, ts)
		}
	}
	inv := scanCase(t, dir)
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name := range cases {
		if d := decision(t, ds, name); d.Action != Review || d.Undecodable != "" || strings.Contains(d.Reason.String(), "decode") {
			t.Errorf("%s: %s %q (undecodable %q), want held for review as any burned-in image", name, d.Action, d.Reason, d.Undecodable)
		}
	}
	if d := decision(t, ds, "J12C"); d.Action != Review || d.Undecodable != "" || strings.Contains(d.Reason.String(), "decode") {
		t.Errorf("12-bit colour JPEG: %s %q (undecodable %q), want held for review as any burned-in image", d.Action, d.Reason, d.Undecodable)
	}
	box := pixelmask.Box{X: 8, Y: 4, Width: 20, Height: 10}
	red, include := map[string]*Redactions{}, map[string]bool{}
	for _, p := range paths {
		red[p] = &Redactions{Pixels: []pixelmask.Box{box}, Confirmed: true}
		include[p] = true
	}
	ds, err = Plan(context.Background(), inv, privacy.Pseudonymised, Options{Redactions: red, Include: include})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != len(cases) {
		t.Fatalf("written %+v", res.Written)
	}
	for _, w := range res.Written {
		name := filepath.Base(w.Path)
		p := cases[name]
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(w.Name)))
		if err != nil {
			t.Fatal(err)
		}
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		if h.TransferSyntaxUID != dicomwire.ExplicitVRLittleEndianUID || h.PixelData.Encapsulated {
			t.Errorf("%s: written as %s", name, h.TransferSyntaxUID)
		}
		if lossy := bytes.Contains(b, []byte("ISO_10918_1")); lossy != (p.Encoding == "jpeg12") {
			t.Errorf("%s: lossy-compression history written %v", name, lossy)
		}
		bps := max(p.BitsAllocated, 8) / 8
		rows, cols := p.Rows, p.Cols
		for f := 0; f < max(p.Frames, 1); f++ {
			var want []byte
			if p.Encoding == "jpeg12" {
				want = p.JPEG12Reference(f)
			} else {
				want = p.Native()[f*rows*cols*bps : (f+1)*rows*cols*bps]
			}
			got := b[h.PixelData.Offset+int64(f*rows*cols*bps):]
			for y := 0; y < rows; y++ {
				for x := 0; x < cols; x++ {
					i := (y*cols + x) * bps
					g, v := int(got[i]), int(want[i])
					if bps == 2 {
						g, v = int(binary.LittleEndian.Uint16(got[i:])), int(binary.LittleEndian.Uint16(want[i:]))
					}
					inBox := x >= box.X && x < box.X+box.Width && y >= box.Y && y < box.Y+box.Height
					switch {
					case inBox && g != 0:
						t.Fatalf("%s frame %d (%d,%d) = %d in the box", name, f+1, x, y, g)
					case !inBox && (g-v > 1 || v-g > 1 || p.Encoding != "jpeg12" && g != v):
						t.Fatalf("%s frame %d (%d,%d) = %d, decoded %d", name, f+1, x, y, g, v)
					}
				}
			}
		}
	}
}
