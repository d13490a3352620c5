package dicomdeid

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"math"
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
)

func compressedCases() map[string]dcmfix.Pixels {
	us := dcmfix.Spec{Modality: "US", Rows: 24, Cols: 32}
	xa := dcmfix.Spec{Modality: "XA", Rows: 24, Cols: 32}
	return map[string]dcmfix.Pixels{
		"jpeg-grey":       {Spec: us, Encoding: "jpeg", Frames: 3},
		"jpeg-colour":     {Spec: us, Encoding: "jpeg", Photometric: "RGB", Frames: 2, Lossy: true},
		"rle-grey-8":      {Spec: us, Encoding: "rle", Frames: 3},
		"rle-grey-16":     {Spec: dcmfix.Spec{Modality: "XA", Rows: 24, Cols: 32}, Encoding: "rle", BitsAllocated: 16, BitsStored: 12, Frames: 2},
		"rle-rgb":         {Spec: us, Encoding: "rle", Photometric: "RGB", Frames: 2},
		"rle-ybr-full":    {Spec: us, Encoding: "rle", Photometric: "YBR_FULL"},
		"jpeg-one-frame":  {Spec: us, Encoding: "jpeg", Photometric: "RGB", Quality: 75},
		"rle-mono1-frame": {Spec: us, Encoding: "rle", Photometric: "MONOCHROME1"},
		"jpeg-extended":   {Spec: dcmfix.Spec{Modality: "US", Rows: 24, Cols: 32, TransferSyntaxUID: pixelmask.JPEGExtendedUID}, Encoding: "jpeg", Frames: 2},
		// 12-bit JPEG Extended and JPEG Lossless, decoded by jpegdec.
		"jpeg12-grey":           {Spec: xa, Encoding: "jpeg12", BitsAllocated: 16, BitsStored: 12, Frames: 2},
		"jpeg12-colour":         {Spec: us, Encoding: "jpeg12", Photometric: "YBR_FULL", BitsAllocated: 16, BitsStored: 12},
		"jpeg-lossless-16":      {Spec: xa, Encoding: "jpeg-lossless", BitsAllocated: 16, BitsStored: 16, Frames: 2},
		"jpeg-lossless-12-sv7":  {Spec: xa, Encoding: "jpeg-lossless", BitsAllocated: 16, BitsStored: 12, Predictor: 7},
		"jpeg-lossless-8-mono1": {Spec: us, Encoding: "jpeg-lossless", Photometric: "MONOCHROME1", Predictor: 4},
		"jpeg-lossless-rgb":     {Spec: us, Encoding: "jpeg-lossless", Photometric: "RGB", Frames: 2},
		"jpeg-ls-8":             {Spec: us, Encoding: "jpeg-ls", Frames: 2},
		"jpeg-ls-12":            {Spec: xa, Encoding: "jpeg-ls", BitsAllocated: 16, BitsStored: 12, Frames: 2},
		"jpeg-ls-rgb":           {Spec: us, Encoding: "jpeg-ls", Photometric: "RGB", Frames: 2},
		"jpeg-ls-near":          {Spec: us, Encoding: "jpeg-ls-near", Frames: 2},
		"jpeg-ls-near-12-lossy": {Spec: xa, Encoding: "jpeg-ls-near", Near: 3, BitsAllocated: 16, BitsStored: 12, Lossy: true},
	}
}

// decodedFixture returns what the fixture's frames decode to, read
// independently of the code under test: the native values for RLE
// (lossless), image/jpeg's decoding of each JPEG frame (RGB interleaved),
// the float reference decoding of a 12-bit JPEG (within 1).
func decodedFixture(t *testing.T, p dcmfix.Pixels) []byte {
	t.Helper()
	switch p.Encoding {
	case "rle", "jpeg-lossless", "jpeg-ls", "jpeg-ls-near":
		return p.Native() // JPEG-LS near-lossless: within NEAR of these
	case "jpeg12":
		var out []byte
		for f := 0; f < max(p.Frames, 1); f++ {
			out = append(out, p.JPEG12Reference(f)...)
		}
		if p.Photometric == "YBR_FULL" {
			ybrToRGB12(out)
		}
		return out
	}
	var out []byte
	for f := 0; f < max(p.Frames, 1); f++ {
		m, err := jpeg.Decode(bytes.NewReader(p.Frame(f)))
		if err != nil {
			t.Fatal(err)
		}
		b := m.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := m.At(x, y).RGBA()
				if p.Photometric == "RGB" {
					out = append(out, byte(r>>8), byte(g>>8), byte(bl>>8))
				} else {
					out = append(out, byte(r>>8))
				}
			}
		}
	}
	return out
}

// ybrToRGB12 converts 12-bit YCbCr samples (little endian, 16 bits
// each, interleaved) to RGB in place, as PS3.3 C.7.6.3.1.2 defines
// YBR_FULL, scaled to 12 bits.
func ybrToRGB12(b []byte) {
	clamp := func(v float64) uint16 { return uint16(math.Round(min(max(v, 0), 4095))) }
	for i := 0; i+5 < len(b); i += 6 {
		y := float64(binary.LittleEndian.Uint16(b[i:]))
		cb := float64(binary.LittleEndian.Uint16(b[i+2:])) - 2048
		cr := float64(binary.LittleEndian.Uint16(b[i+4:])) - 2048
		binary.LittleEndian.PutUint16(b[i:], clamp(y+1.402*cr))
		binary.LittleEndian.PutUint16(b[i+2:], clamp(y-0.344136*cb-0.714136*cr))
		binary.LittleEndian.PutUint16(b[i+4:], clamp(y+1.772*cb))
	}
}

func TestMaskedCompressed(t *testing.T) {
	for name, p := range compressedCases() {
		in := dcmfix.PixelInstance(p)
		if hin, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(in), int64(len(in))); err != nil || p.TransferSyntaxUID != "" && hin.TransferSyntaxUID != p.TransferSyntaxUID {
			t.Fatalf("%s: the fixture is not in its transfer syntax: %v", name, err)
		}
		var out bytes.Buffer
		rep, err := DeidentifyMasked(context.Background(), &out, bytes.NewReader(in), int64(len(in)), pseudoParams(),
			Pixels{Boxes: testBoxes, Suggested: []pixelmask.Box{{X: 0, Y: 0, Width: 32, Height: 3}}, Confirmed: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rep.Decompressed != (p.Encoding != "rle") || !rep.BurnedInCleared {
			t.Errorf("%s: report %+v", name, rep)
		}
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()))
		if err != nil {
			t.Fatal(err)
		}
		wantTS := dicomwire.ExplicitVRLittleEndianUID
		if p.Encoding == "rle" {
			wantTS = dcmfix.UIDRLE
		}
		if h.TransferSyntaxUID != wantTS || h.PixelData.Encapsulated != (p.Encoding == "rle") {
			t.Errorf("%s: written as %s, encapsulated %v", name, h.TransferSyntaxUID, h.PixelData.Encapsulated)
		}
		native := p
		native.Encoding, native.Planar = "", 0
		if p.Encoding == "jpeg" && p.Photometric == "RGB" || p.Encoding == "jpeg12" && p.Photometric == "YBR_FULL" {
			native.Photometric = "RGB"
		}
		tol := 0
		if p.Encoding == "jpeg12" {
			tol = 1
			if p.Photometric == "YBR_FULL" {
				tol = 4 // a step of 1 in Y, Cb or Cr moves R, G or B by up to 3
			}
		}
		if p.Encoding == "jpeg-ls-near" {
			tol = max(p.Near, 2)
		}
		checkMaskedWithin(t, name, native, decodedFixture(t, p), out.Bytes(), tol)
		// The lossy-compression history (PS3.3 C.7.6.1.1.5): a JPEG
		// decoded says it was compressed lossily, with the ratio and method
		// of the compression undone, or keeps what the file already said.
		ds := parseOut(t, out.Bytes()).ds
		flag, _ := str(ds, tagLossyImageCompression)
		ratio, _ := str(ds, tagLossyImageCompressionRatio)
		method, _ := str(ds, tagLossyImageCompressionMethod)
		wantMethod := "ISO_10918_1"
		if p.Encoding == "jpeg-ls-near" && !p.Lossy {
			wantMethod = "ISO_14495_1" // JPEG-LS near-lossless
		}
		switch {
		case p.Encoding != "jpeg" && p.Encoding != "jpeg12" && p.Encoding != "jpeg-ls-near":
			if flag != "" || ratio != "" || method != "" {
				t.Errorf("%s: lossless RLE or JPEG written with a lossy history %q %q %q", name, flag, ratio, method)
			}
		case p.Lossy:
			if flag != "01" || ratio != "8.5" || method != "ISO_10918_1" {
				t.Errorf("%s: the original lossy history was not kept: %q %q %q", name, flag, ratio, method)
			}
		default:
			r, err := strconv.ParseFloat(ratio, 64)
			if flag != "01" || method != wantMethod || err != nil || r <= 1 {
				t.Errorf("%s: lossy history %q %q %q, want 01, a ratio above 1 and %s", name, flag, ratio, method, wantMethod)
			}
		}
	}
}

// TestMaskedTwelveBitJPEGRefused: a 12-bit JPEG (JPEG Extended with 16 bits
// allocated) whose frames are not JPEG data cannot be decoded: it is
// refused rather than copied with its boxes unmasked (a valid one is
// masked, in TestMaskedCompressed).
func TestMaskedTwelveBitJPEGRefused(t *testing.T) {
	in := dcmfix.Instance(dcmfix.Spec{Modality: "OT", BurnedIn: "YES", Compressed: true, TransferSyntaxUID: pixelmask.JPEGExtendedUID, Rows: 32, Cols: 32})
	_, err := DeidentifyMasked(context.Background(), &bytes.Buffer{}, bytes.NewReader(in), int64(len(in)), pseudoParams(), Pixels{Boxes: testBoxes, Confirmed: true})
	if !errors.Is(err, ErrUnsupported) || !errors.Is(err, pixelmask.ErrCannotDecode) {
		t.Errorf("12-bit JPEG: %v", err)
	}
}

func TestCompressedCannotDecode(t *testing.T) {
	for _, ts := range []string{"1.2.840.10008.1.2.4.91", dcmfix.UIDJPEG2000, dcmfix.UIDHTJ2K} {
		s := dcmfix.Spec{Modality: "US", Compressed: true, TransferSyntaxUID: ts}
		in := dcmfix.Instance(s)
		_, err := DeidentifyMasked(context.Background(), &bytes.Buffer{}, bytes.NewReader(in), int64(len(in)), pseudoParams(), Pixels{Boxes: testBoxes})
		if !errors.Is(err, ErrUnsupported) || !errors.Is(err, pixelmask.ErrCannotDecode) {
			t.Errorf("%s: %v", ts, err)
		}
	}
	// Without boxes the compressed image is copied as before.
	in := dcmfix.Instance(dcmfix.Spec{Modality: "US", Compressed: true, TransferSyntaxUID: dcmfix.UIDJPEG2000})
	if _, err := Deidentify(context.Background(), &bytes.Buffer{}, bytes.NewReader(in), int64(len(in)), pseudoParams()); err != nil {
		t.Error(err)
	}
}

// TestRLEFixtureDecodesWithDCMTK checks the fixture's RLE encoder against
// dcmdrle, so the decoder is not checked only against code of this project.
func TestRLEFixtureDecodesWithDCMTK(t *testing.T) {
	dcmdrle := testtool.Look(t, "dcmdrle", "dcmtk")
	dir := t.TempDir()
	for name, p := range compressedCases() {
		if p.Encoding != "rle" {
			continue
		}
		in := filepath.Join(dir, name+".dcm")
		out := filepath.Join(dir, name+".native.dcm")
		if err := os.WriteFile(in, dcmfix.PixelInstance(p), 0o600); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command(dcmdrle, "+te", in, out).CombinedOutput(); err != nil {
			t.Fatalf("%s: dcmdrle: %v\n%s", name, err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		want := p.Native()
		if got := b[h.PixelData.Offset : h.PixelData.Offset+int64(len(want))]; !bytes.Equal(got, want) {
			t.Errorf("%s: dcmdrle decodes the fixture to other values", name)
		}
	}
}

// TestT81FixturesDecodeWithDCMTK checks the fixture's 12-bit and
// lossless JPEG encoders against dcmdjpeg (IJG libjpeg), so the decoder
// (jpegdec) is not checked only against code of this project: lossless
// frames decode to the native values, 12-bit ones within 2 of the float
// reference decoding.
func TestT81FixturesDecodeWithDCMTK(t *testing.T) {
	dcmdjpeg := testtool.Look(t, "dcmdjpeg", "dcmtk")
	dir := t.TempDir()
	for name, p := range compressedCases() {
		if p.Encoding != "jpeg12" && p.Encoding != "jpeg-lossless" {
			continue
		}
		in := filepath.Join(dir, name+".dcm")
		out := filepath.Join(dir, name+".native.dcm")
		if err := os.WriteFile(in, dcmfix.PixelInstance(p), 0o600); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command(dcmdjpeg, "+te", "+cn", "+px", in, out).CombinedOutput(); err != nil {
			t.Fatalf("%s: dcmdjpeg: %v\n%s", name, err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		want := decodedFixture(t, p)
		if p.Encoding == "jpeg12" && p.Photometric == "YBR_FULL" {
			want = p.JPEG12Reference(0) // dcmdjpeg +cn keeps YCbCr
		}
		got := b[h.PixelData.Offset:min(h.PixelData.Offset+int64(len(want)), int64(len(b)))]
		if len(got) != len(want) {
			t.Fatalf("%s: dcmdjpeg wrote %d bytes, want %d", name, len(got), len(want))
		}
		for i := 0; i+1 < len(want); i += 2 {
			if p.Encoding == "jpeg-lossless" {
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: dcmdjpeg decodes the fixture to other values", name)
				}
				break
			}
			g, w := int(got[i])|int(got[i+1])<<8, int(want[i])|int(want[i+1])<<8
			if g-w > 2 || w-g > 2 {
				t.Fatalf("%s: sample %d: dcmdjpeg %d, reference %d", name, i/2, g, w)
			}
		}
	}
}

func TestMaskedCompressedExternalTools(t *testing.T) {
	dcmdump := testtool.Look(t, "dcmdump", "dcmtk")
	dciodvfy := testtool.Look(t, "dciodvfy", "dicom3tools")
	dir := t.TempDir()
	for name, p := range compressedCases() {
		in := dcmfix.PixelInstance(p)
		var out bytes.Buffer
		if _, err := DeidentifyMasked(context.Background(), &out, bytes.NewReader(in), int64(len(in)), anonParams(), Pixels{Boxes: testBoxes}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		inPath, outPath := filepath.Join(dir, name+".in.dcm"), filepath.Join(dir, name+".out.dcm")
		os.WriteFile(inPath, in, 0o600)
		os.WriteFile(outPath, out.Bytes(), 0o600)
		if p.Encoding == "rle" {
			// dcmdrle decodes the RLE this package wrote: outside the boxes
			// the original values, inside the mask value.
			nat := filepath.Join(dir, name+".native.dcm")
			if b, err := exec.Command(testtool.Look(t, "dcmdrle", "dcmtk"), "+te", outPath, nat).CombinedOutput(); err != nil {
				t.Fatalf("%s: dcmdrle: %v\n%s", name, err, b)
			}
			nb, _ := os.ReadFile(nat)
			native := p
			native.Encoding = ""
			checkMasked(t, name+" (dcmdrle)", native, nb)
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

// FuzzDeidentifyMasked feeds mutated native, JPEG and RLE images to the
// masking path: no panic, and every output produced reads back.
func FuzzDeidentifyMasked(f *testing.F) {
	for _, p := range compressedCases() {
		f.Add(dcmfix.PixelInstance(p))
	}
	f.Add(dcmfix.PixelInstance(pixelCases()["rgb-planar1"]))
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		if _, err := DeidentifyMasked(context.Background(), &out, bytes.NewReader(in), int64(len(in)), anonParams(), Pixels{Boxes: testBoxes}); err != nil {
			return
		}
		b := out.Bytes()
		if _, err := dicomx.ReadLayout(context.Background(), bytes.NewReader(b), int64(len(b))); err != nil {
			t.Fatalf("output does not read back: %v", err)
		}
	})
}
