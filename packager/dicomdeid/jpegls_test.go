package dicomdeid

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
	"dossier/packager/pixelmask"
)

// TestMaskedJPEGLSFromGDCM masks JPEG-LS files written by gdcmconv (GDCM
// with CharLS, an encoder nobody here wrote) from Go-built native images:
// lossless grey of 8 and 12 bits (signed too), RGB, several frames, and
// near-lossless. The output is native, every sample outside the boxes is
// the original one (within NEAR), the boxes are black, and the
// near-lossless one says it was compressed lossily.
func TestMaskedJPEGLSFromGDCM(t *testing.T) {
	gdcmconv := testtool.Look(t, "gdcmconv", "libgdcm-tools")
	dir := t.TempDir()
	us := dcmfix.Spec{Modality: "US", Rows: 24, Cols: 32}
	xa := dcmfix.Spec{Modality: "XA", Rows: 24, Cols: 32}
	for name, c := range map[string]struct {
		p    dcmfix.Pixels
		near int
	}{
		"grey-8":        {dcmfix.Pixels{Spec: us, Frames: 2}, 0},
		"grey-12":       {dcmfix.Pixels{Spec: xa, BitsAllocated: 16, BitsStored: 12, Frames: 3}, 0},
		"signed-12":     {dcmfix.Pixels{Spec: xa, BitsAllocated: 16, BitsStored: 12, Signed: true}, 0},
		"rgb":           {dcmfix.Pixels{Spec: us, Photometric: "RGB", Frames: 2}, 0},
		"near-lossless": {dcmfix.Pixels{Spec: us, Frames: 2}, 2},
	} {
		t.Run(name, func(t *testing.T) {
			in, conv := filepath.Join(dir, name+".dcm"), filepath.Join(dir, name+".jls.dcm")
			if err := os.WriteFile(in, dcmfix.PixelInstance(c.p), 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"--jpegls"}
			wantTS := pixelmask.JPEGLSLosslessUID
			if c.near > 0 {
				args, wantTS = append(args, "--lossy", "-e", "2"), pixelmask.JPEGLSNearLosslessUID
			}
			if b, err := exec.Command(gdcmconv, append(args, in, conv)...).CombinedOutput(); err != nil {
				t.Fatalf("gdcmconv: %v\n%s", err, b)
			}
			jls, err := os.ReadFile(conv)
			if err != nil {
				t.Fatal(err)
			}
			if h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(jls), int64(len(jls))); err != nil || h.TransferSyntaxUID != wantTS {
				t.Fatalf("gdcmconv wrote %v, %v", h, err)
			}
			var out bytes.Buffer
			rep, err := DeidentifyMasked(context.Background(), &out, bytes.NewReader(jls), int64(len(jls)), anonParams(), Pixels{Boxes: testBoxes})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Decompressed || rep.PixelsMasked == 0 {
				t.Errorf("report %+v", rep)
			}
			h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()))
			if err != nil || h.TransferSyntaxUID != dicomwire.ExplicitVRLittleEndianUID || h.PixelData.Encapsulated {
				t.Fatalf("written as %v, %v", h, err)
			}
			checkMaskedWithin(t, name, c.p, c.p.Native(), out.Bytes(), c.near)
			flag, _ := str(parseOut(t, out.Bytes()).ds, tagLossyImageCompression)
			if (flag == "01") != (c.near > 0) {
				t.Errorf("Lossy Image Compression %q", flag)
			}
		})
	}
}
