package deid

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/pixelmask"
)

// TestJPEGLSIsMasked: ultrasound and XA images in JPEG-LS, lossless and
// near-lossless, are decodable: held for review as any burned-in image
// (not as undecodable), and with the user's boxes written native with the
// boxes black and every other sample as coded (within NEAR); the
// near-lossless one gets the lossy-compression history (ISO_14495_1),
// which pydicom reads back.
func TestJPEGLSIsMasked(t *testing.T) {
	spec := func(n int, mod string) dcmfix.Spec {
		return dcmfix.Spec{PatientName: patientName, PatientID: patientID, Modality: mod, BurnedIn: "YES", Rows: 24, Cols: 40,
			SOPUID: "1.2.826.0.1.3680043.10.1999.14." + strconv.Itoa(n), InstanceNumber: n}
	}
	cases := map[string]dcmfix.Pixels{
		"LS8":    {Spec: spec(1, "US"), Encoding: "jpeg-ls", Frames: 2},
		"LS12":   {Spec: spec(2, "XA"), Encoding: "jpeg-ls", BitsAllocated: 16, BitsStored: 12},
		"LSRGB":  {Spec: spec(3, "US"), Encoding: "jpeg-ls", Photometric: "RGB"},
		"LSNEAR": {Spec: spec(4, "US"), Encoding: "jpeg-ls-near", Near: 2},
	}
	for _, p := range cases {
		if ts := p.FileOptions().TransferSyntaxUID; Compression(ts, p.BitsAllocated) != "JPEG-LS" {
			t.Errorf("transfer syntax %s named %q", ts, Compression(ts, p.BitsAllocated))
		}
	}
	box := pixelmask.Box{X: 8, Y: 4, Width: 20, Height: 10}
	var files []string
	for _, m := range maskCases(t, cases, box) {
		files = append(files, m.path)
		near := 0
		if m.p.Encoding == "jpeg-ls-near" {
			near = m.p.Near
		}
		if lossy := bytes.Contains(m.b, []byte("ISO_14495_1")); lossy != (near > 0) {
			t.Errorf("%s: lossy-compression history written %v", m.name, lossy)
		}
		checkMasked(t, m, box, func(f int) []byte { return nativeFrame(m.p, f) }, near)
	}
	py := testtool.Python(t, "pydicom")
	const check = `
import sys, pydicom
for f in sys.argv[1:]:
    ds = pydicom.dcmread(f)
    assert ds.file_meta.TransferSyntaxUID == '1.2.840.10008.1.2.1', f
    n = ds.Rows * ds.Columns * ds.SamplesPerPixel * (ds.BitsAllocated // 8) * int(ds.get('NumberOfFrames', 1))
    assert len(ds.PixelData) == n + n % 2, (f, len(ds.PixelData), n)
    print(ds.get('LossyImageCompression', ''), ds.get('LossyImageCompressionMethod', ''))
`
	o, err := exec.Command(py, append([]string{"-c", check}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("pydicom: %v\n%s", err, o)
	}
	if strings.Count(string(o), "01 ISO_14495_1") != 1 {
		t.Errorf("pydicom reads the lossy-compression history as:\n%s", o)
	}
}
