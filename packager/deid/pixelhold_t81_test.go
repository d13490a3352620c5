package deid

import (
	"bytes"
	"strconv"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/pixelmask"
)

// TestTwelveBitAndLosslessJPEGAreMasked: ultrasound and XA images in
// 12-bit JPEG (JPEG Extended) and JPEG Lossless (Process 14, SV1 and
// other predictors) are decodable: held for review as any ultrasound
// (not as undecodable), and with the user's boxes written native with
// the boxes black and every other sample as decoded; the 12-bit JPEG
// keeps its lossy-compression history.
func TestTwelveBitAndLosslessJPEGAreMasked(t *testing.T) {
	spec := func(n int, mod string) dcmfix.Spec {
		return dcmfix.Spec{PatientName: patientName, PatientID: patientID, Modality: mod, BurnedIn: "YES", Rows: 24, Cols: 40,
			SOPUID: "1.2.826.0.1.3680043.10.1999.13." + strconv.Itoa(n), InstanceNumber: n}
	}
	cases := map[string]dcmfix.Pixels{
		"J12":  {Spec: spec(1, "XA"), Encoding: "jpeg12", BitsAllocated: 16, BitsStored: 12, Frames: 2},
		"JLS1": {Spec: spec(2, "US"), Encoding: "jpeg-lossless"},
		"JL6":  {Spec: spec(3, "XA"), Encoding: "jpeg-lossless", BitsAllocated: 16, BitsStored: 16, Predictor: 6},
		// A 12-bit colour JPEG is decodable too.
		"J12C": {Spec: spec(4, "US"), Encoding: "jpeg12", Photometric: "YBR_FULL", BitsAllocated: 16, BitsStored: 12},
	}
	box := pixelmask.Box{X: 8, Y: 4, Width: 20, Height: 10}
	for _, m := range maskCases(t, cases, box) {
		if m.name == "J12C" {
			continue // its colour converted from YCbCr is checked in dicomdeid's tests
		}
		if lossy := bytes.Contains(m.b, []byte("ISO_10918_1")); lossy != (m.p.Encoding == "jpeg12") {
			t.Errorf("%s: lossy-compression history written %v", m.name, lossy)
		}
		if m.p.Encoding == "jpeg12" {
			checkMasked(t, m, box, m.p.JPEG12Reference, 1)
		} else {
			checkMasked(t, m, box, func(f int) []byte { return nativeFrame(m.p, f) }, 0)
		}
	}
}
