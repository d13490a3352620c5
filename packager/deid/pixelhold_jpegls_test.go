package deid

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
)

// TestJPEGLSIsMasked: ultrasound and XA images in JPEG-LS, lossless and
// near-lossless, are decodable: held for review as any burned-in image
// (not as undecodable), and with the user's boxes written native with the
// boxes black and every other sample as coded (within NEAR); the
// near-lossless one gets the lossy-compression history (ISO_14495_1),
// which pydicom reads back.
func TestJPEGLSIsMasked(t *testing.T) {
	dir := t.TempDir()
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
	paths := map[string]string{}
	for name, p := range cases {
		paths[name] = write(t, dir, name, dcmfix.PixelInstance(p))
		if ts := p.FileOptions().TransferSyntaxUID; !Decodable(ts) || Compression(ts, p.BitsAllocated) != "JPEG-LS" {
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
	var files []string
	for _, w := range res.Written {
		name := filepath.Base(w.Path)
		p := cases[name]
		file := filepath.Join(out, filepath.FromSlash(w.Name))
		files = append(files, file)
		b, err := os.ReadFile(file)
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
		near := 0
		if p.Encoding == "jpeg-ls-near" {
			near = p.Near
		}
		if lossy := bytes.Contains(b, []byte("ISO_14495_1")); lossy != (near > 0) {
			t.Errorf("%s: lossy-compression history written %v", name, lossy)
		}
		spp := 1
		if p.Photometric == "RGB" {
			spp = 3
		}
		bps := max(p.BitsAllocated, 8) / 8
		n := p.Rows * p.Cols * spp * bps
		for f := 0; f < max(p.Frames, 1); f++ {
			want := p.Native()[f*n : (f+1)*n]
			got := b[h.PixelData.Offset+int64(f*n):]
			for i := 0; i < n; i += bps {
				x, y := i/bps/spp%p.Cols, i/bps/spp/p.Cols
				g, v := int(got[i]), int(want[i])
				if bps == 2 {
					g, v = int(binary.LittleEndian.Uint16(got[i:])), int(binary.LittleEndian.Uint16(want[i:]))
				}
				inBox := x >= box.X && x < box.X+box.Width && y >= box.Y && y < box.Y+box.Height
				switch {
				case inBox && g != 0:
					t.Fatalf("%s frame %d (%d,%d) = %d in the box", name, f+1, x, y, g)
				case !inBox && (g-v > near || v-g > near):
					t.Fatalf("%s frame %d (%d,%d) = %d, coded %d", name, f+1, x, y, g, v)
				}
			}
		}
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
