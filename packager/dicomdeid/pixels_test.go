package dicomdeid

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
	"dossier/packager/pixelmask"
)

// pixelCases are the native pixel layouts masking must handle.
func pixelCases() map[string]dcmfix.Pixels {
	us := dcmfix.Spec{Modality: "US", Rows: 24, Cols: 32}
	mr := dcmfix.Spec{Modality: "MR", Rows: 24, Cols: 32, BurnedIn: "YES"}
	return map[string]dcmfix.Pixels{
		"mono2-8":          {Spec: us, Photometric: "MONOCHROME2"},
		"mono2-16-frames":  {Spec: mr, Photometric: "MONOCHROME2", BitsAllocated: 16, BitsStored: 12, Frames: 4},
		"mono1-16-signed":  {Spec: mr, Photometric: "MONOCHROME1", BitsAllocated: 16, BitsStored: 12, Signed: true},
		"mono2-16-bigend":  {Spec: dcmfix.Spec{Modality: "MR", Rows: 24, Cols: 32, Syntax: dcmfix.ExplicitBE, BurnedIn: "YES"}, BitsAllocated: 16},
		"mono2-8-implicit": {Spec: dcmfix.Spec{Modality: "SC", Rows: 24, Cols: 32, Syntax: dcmfix.ImplicitLE}, Frames: 3},
		"rgb-planar0":      {Spec: us, Photometric: "RGB", Frames: 3},
		"rgb-planar1":      {Spec: us, Photometric: "RGB", Planar: 1, Frames: 2},
		"ybr-full":         {Spec: us, Photometric: "YBR_FULL"},
	}
}

var testBoxes = []pixelmask.Box{{X: 0, Y: 0, Width: 32, Height: 4}, {Frame: 2, X: 20, Y: 10, Width: 50, Height: 50}}

func inTestBox(frame, x, y int) bool {
	return y < 4 || frame == 2 && x >= 20 && y >= 10
}

// maskValue is the displayed black written out from PS3.3 for each case.
func maskValue(p dcmfix.Pixels, s int) uint16 {
	bits := p.BitsStored
	if bits == 0 {
		bits = p.BitsAllocated
	}
	if bits == 0 {
		bits = 8
	}
	switch {
	case p.Photometric == "MONOCHROME1" && p.Signed:
		return uint16(1<<(bits-1) - 1)
	case p.Photometric == "MONOCHROME1":
		return uint16(1<<bits - 1)
	case p.Photometric == "YBR_FULL" && s > 0:
		return uint16(1 << (bits - 1))
	case p.Signed:
		return uint16(-(1 << (bits - 1)))
	}
	return 0
}

// checkMasked compares the output's pixel data with the fixture's values:
// the mask value inside the boxes, the original everywhere else.
func checkMasked(t *testing.T, name string, p dcmfix.Pixels, out []byte) {
	t.Helper()
	checkMaskedAgainst(t, name, p, p.Native(), out)
}

// checkMaskedAgainst is checkMasked with the original values given.
func checkMaskedAgainst(t *testing.T, name string, p dcmfix.Pixels, orig, out []byte) {
	t.Helper()
	checkMaskedWithin(t, name, p, orig, out, 0)
}

// checkMaskedWithin is checkMaskedAgainst with the samples outside the
// boxes allowed to differ from orig by tol (a lossy frame checked
// against a float reference decoding).
func checkMaskedWithin(t *testing.T, name string, p dcmfix.Pixels, orig, out []byte, tol int) {
	t.Helper()
	l, err := dicomx.ReadLayout(context.Background(), bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatalf("%s: output: %v", name, err)
	}
	pi := l.Header.PixelData
	var got []byte
	if pi.Encapsulated {
		// RLE written again: decoded here (dcmdrle decodes it in
		// TestMaskedCompressedExternalTools).
		var buf bytes.Buffer
		f := pixelFormat(nil, false)
		f.Rows, f.Columns, f.Frames, f.BitsAllocated = p.Rows, p.Cols, max(p.Frames, 1), max(p.BitsAllocated, 8)
		f.SamplesPerPixel, f.Photometric = 1, "MONOCHROME2"
		if p.Photometric == "RGB" || p.Photometric == "YBR_FULL" {
			f.SamplesPerPixel, f.Photometric = 3, p.Photometric
		}
		enc := pixelmask.Encapsulated{Src: dicomwire.Bytes{B: out}, Off: pi.Offset, End: l.PixelElementEnd, Size: int64(len(out))}
		if _, err := pixelmask.CopyDecoded(context.Background(), &buf, enc, l.Header.TransferSyntaxUID, f, nil); err != nil {
			t.Fatalf("%s: decoding the output: %v", name, err)
		}
		got = buf.Bytes()
	} else {
		if pi.Length != int64(len(orig)+len(orig)%2) {
			t.Fatalf("%s: pixel data of %d bytes, want %d", name, pi.Length, len(orig))
		}
		got = out[pi.Offset : pi.Offset+int64(len(orig))]
	}
	if len(got) < len(orig) {
		t.Fatalf("%s: %d bytes of pixels, want %d", name, len(got), len(orig))
	}
	rows, cols := p.Rows, p.Cols
	spp, bps := 1, max(p.BitsAllocated, 8)/8
	if p.Photometric == "RGB" || p.Photometric == "YBR_FULL" {
		spp = 3
	}
	frames := max(p.Frames, 1)
	bo := l.ByteOrder()
	masked := 0
	for f := 0; f < frames; f++ {
		base := f * rows * cols * spp * bps
		for y := 0; y < rows; y++ {
			for x := 0; x < cols; x++ {
				for s := 0; s < spp; s++ {
					i := (y*cols+x)*spp + s
					if p.Planar == 1 {
						i = s*rows*cols + y*cols + x
					}
					o := base + i*bps
					want := orig[o : o+bps]
					if inTestBox(f+1, x, y) {
						masked++
						v := maskValue(p, s)
						want = []byte{byte(v)}
						if bps == 2 {
							want = make([]byte, 2)
							bo.PutUint16(want, v)
						}
					}
					g, w := uint16(got[o]), uint16(want[0])
					if bps == 2 {
						g, w = bo.Uint16(got[o:]), bo.Uint16(want)
					}
					if !bytes.Equal(got[o:o+bps], want) && (tol == 0 || inTestBox(f+1, x, y) || max(g, w)-min(g, w) > uint16(tol)) {
						t.Fatalf("%s: frame %d (%d,%d) sample %d = % x, want % x", name, f+1, x, y, s, got[o:o+bps], want)
					}
				}
			}
		}
	}
	if masked == 0 {
		t.Fatalf("%s: nothing masked", name)
	}
}

func TestMaskedPixels(t *testing.T) {
	for name, p := range pixelCases() {
		in := dcmfix.PixelInstance(p)
		var out bytes.Buffer
		rep, err := DeidentifyMasked(context.Background(), &out, bytes.NewReader(in), int64(len(in)), pseudoParams(),
			Pixels{Boxes: testBoxes, Suggested: []pixelmask.Box{{X: 0, Y: 0, Width: 32, Height: 3}}, Confirmed: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkMasked(t, name, p, out.Bytes())
		if !rep.BurnedInCleared || rep.BoxesMasked != 2 || rep.FramesMasked != max(p.Frames, 1) {
			t.Errorf("%s: report %+v", name, rep)
		}
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()))
		if err != nil {
			t.Fatal(err)
		}
		if h.BurnedInAnnotation != "NO" || h.BurnedInRisk() && h.Modality != "US" && h.Modality != "SC" {
			t.Errorf("%s: Burned In Annotation %q", name, h.BurnedInAnnotation)
		}
	}
}

func TestMaskedBurnedInStaysWhenNotCleared(t *testing.T) {
	p := pixelCases()["mono2-16-frames"]
	in := dcmfix.PixelInstance(p)
	cases := map[string]Pixels{
		"not confirmed":      {Boxes: testBoxes},
		"region not covered": {Boxes: testBoxes, Suggested: []pixelmask.Box{{X: 0, Y: 0, Width: 32, Height: 8}}, Confirmed: true},
	}
	for name, px := range cases {
		var out bytes.Buffer
		rep, err := DeidentifyMasked(context.Background(), &out, bytes.NewReader(in), int64(len(in)), anonParams(), px)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkMasked(t, name, p, out.Bytes())
		h, _ := dicomx.ReadHeader(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()))
		if rep.BurnedInCleared || h.BurnedInAnnotation != "YES" {
			t.Errorf("%s: cleared %v, Burned In Annotation %q", name, rep.BurnedInCleared, h.BurnedInAnnotation)
		}
		if strings.Contains(out.String(), "CLEAN PIXEL DATA") {
			t.Errorf("%s: Clean Pixel Data claimed", name)
		}
	}
}

func TestMaskedPixelsUnsupported(t *testing.T) {
	in := dcmfix.PixelInstance(dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "US"}, Photometric: "PALETTE COLOR"})
	_, err := DeidentifyMasked(context.Background(), &bytes.Buffer{}, bytes.NewReader(in), int64(len(in)), pseudoParams(), Pixels{Boxes: testBoxes})
	if !errors.Is(err, ErrUnsupported) {
		t.Errorf("palette colour: %v", err)
	}
}

func TestMaskedPixelsExternalTools(t *testing.T) {
	dcmdump := testtool.Look(t, "dcmdump", "dcmtk")
	dciodvfy := testtool.Look(t, "dciodvfy", "dicom3tools")
	dir := t.TempDir()
	for name, p := range pixelCases() {
		in := dcmfix.PixelInstance(p)
		var out bytes.Buffer
		if _, err := DeidentifyMasked(context.Background(), &out, bytes.NewReader(in), int64(len(in)), pseudoParams(),
			Pixels{Boxes: testBoxes, Confirmed: true}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		inPath, outPath := filepath.Join(dir, name+".in.dcm"), filepath.Join(dir, name+".out.dcm")
		if err := os.WriteFile(inPath, in, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(outPath, out.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := exec.Command(dcmdump, "-q", "+E", outPath).CombinedOutput()
		if err != nil || strings.Contains(string(b), "E: ") || strings.Contains(string(b), "W: ") {
			t.Errorf("%s: dcmdump: %v\n%s", name, err, lastLines(string(b), 10))
		}
		before := map[string]bool{}
		for _, e := range dciodvfyErrors(t, dciodvfy, inPath) {
			before[e] = true
		}
		for _, e := range dciodvfyErrors(t, dciodvfy, outPath) {
			if !before[e] {
				t.Errorf("%s: new dciodvfy error: %s", name, e)
			}
		}
	}
}
