package jpegdec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
)

// gdcmCase is a native DICOM image that gdcmconv or dcmcjpeg compresses.
type gdcmCase struct {
	name       string
	w, h, spp  int
	bits, stor int
	tool       string // gdcmconv or dcmcjpeg
	args       []string
	wantTS     string
}

// nativeDICOM returns a native single-frame DICOM of c holding samples.
func nativeDICOM(c gdcmCase, samples []uint16) []byte {
	p := dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "XA", Rows: c.h, Cols: c.w}, BitsAllocated: c.bits, BitsStored: c.stor}
	if c.spp == 3 {
		p.Photometric = "RGB"
	}
	el := p.Elements()
	native := make([]byte, len(samples)*c.bits/8)
	for i, v := range samples {
		if c.bits == 8 {
			native[i] = byte(v)
		} else {
			binary.LittleEndian.PutUint16(native[2*i:], v)
		}
	}
	for i := range el {
		if el[i].Tag == dcmfix.TagPixelData {
			el[i].Value = native
		}
	}
	return dcmfix.File(el, p.FileOptions())
}

// pixelValue returns the value of the last Pixel Data element of a
// DICOM file in explicit VR little endian: the first fragment after the
// offset table when encapsulated, else the native bytes.
func pixelValue(t *testing.T, file []byte) (frame []byte, encapsulated bool) {
	t.Helper()
	i := bytes.LastIndex(file, []byte{0xE0, 0x7F, 0x10, 0x00})
	if i < 0 || i+12 > len(file) {
		t.Fatal("no pixel data")
	}
	n := binary.LittleEndian.Uint32(file[i+8:])
	b := file[i+12:]
	if n != 0xFFFFFFFF {
		return b[:n], false
	}
	for k := 0; len(b) >= 8; k++ {
		l := binary.LittleEndian.Uint32(b[4:])
		if binary.LittleEndian.Uint16(b[2:]) != 0xE000 || int(l) > len(b)-8 {
			t.Fatal("bad item")
		}
		if k == 1 {
			return b[8 : 8+l], true
		}
		b = b[8+l:]
	}
	t.Fatal("no fragment")
	return nil, false
}

// TestAgainstIJG decodes frames that GDCM's gdcmconv and DCMTK's
// dcmcjpeg (both with IJG libjpeg 8/12/16-bit) compressed: lossless
// exactly, 12-bit lossy close to the original and to the tool's own
// decoding (dcmdjpeg).
func TestAgainstIJG(t *testing.T) {
	tools := map[string]string{
		"gdcmconv": testtool.Look(t, "gdcmconv", "libgdcm-tools"),
		"dcmcjpeg": testtool.Look(t, "dcmcjpeg", "dcmtk"),
		"dcmdjpeg": testtool.Look(t, "dcmdjpeg", "dcmtk"),
	}
	lossless, sv1, extended := "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.51"
	cases := []gdcmCase{
		{"gdcm 8-bit lossless", 37, 23, 1, 8, 8, "gdcmconv", []string{"--jpeg"}, sv1},
		{"gdcm 12-bit lossless", 64, 48, 1, 16, 12, "gdcmconv", []string{"--jpeg"}, sv1},
		{"gdcm 16-bit lossless", 33, 17, 1, 16, 16, "gdcmconv", []string{"--jpeg"}, sv1},
		{"gdcm RGB lossless", 19, 11, 3, 8, 8, "gdcmconv", []string{"--jpeg"}, sv1},
		{"dcmtk 12-bit lossy", 64, 48, 1, 16, 12, "dcmcjpeg", []string{"+ee", "+q", "90"}, extended},
		{"dcmtk 12-bit lossy odd size", 37, 23, 1, 16, 12, "dcmcjpeg", []string{"+ee", "+q", "75"}, extended},
		{"dcmtk 12-bit lossy colour", 40, 24, 3, 16, 12, "dcmcjpeg", []string{"+ee", "+q", "90"}, extended},
		{"dcmtk 16-bit point transform", 21, 13, 1, 16, 16, "dcmcjpeg", []string{"+el", "+sv", "1", "+pt", "3"}, lossless},
		{"dcmtk RGB predictor 7", 40, 12, 3, 8, 8, "dcmcjpeg", []string{"+el", "+sv", "7"}, lossless},
	}
	for sv := 1; sv <= 7; sv++ {
		cases = append(cases, gdcmCase{fmt.Sprintf("dcmtk 12-bit predictor %d", sv), 29, 19, 1, 16, 12, "dcmcjpeg", []string{"+el", "+sv", strconv.Itoa(sv)}, lossless})
		cases = append(cases, gdcmCase{fmt.Sprintf("dcmtk 16-bit predictor %d", sv), 29, 19, 1, 16, 16, "dcmcjpeg", []string{"+el", "+sv", strconv.Itoa(sv)}, lossless})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := testSamples(c.w, c.h, c.spp, c.stor, 11)
			// DCMTK's lossy encoder maps the range of the values in use
			// to the full range (Pixel Intensity Relationship DISP):
			// with both ends present the mapping is the identity.
			src[0], src[len(src)-1] = 0, 1<<c.stor-1
			if c.spp == 3 && c.wantTS == extended {
				// Smooth colours: 4:2:2 chroma keeps them.
				for k := range src {
					x, y, ch := k/3%c.w, k/3/c.w, k%3
					src[k] = uint16([3]int{x * 4095 / (c.w - 1), y * 4095 / (c.h - 1), 2048}[ch])
				}
			}
			dir := t.TempDir()
			in, out, raw := filepath.Join(dir, "in.dcm"), filepath.Join(dir, "out.dcm"), filepath.Join(dir, "raw.dcm")
			if err := os.WriteFile(in, nativeDICOM(c, src), 0o600); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{}, c.args...), in, out)
			if b, err := exec.Command(tools[c.tool], args...).CombinedOutput(); err != nil {
				t.Fatalf("%s %v: %v\n%s", c.tool, args, err, b)
			}
			file, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(file, []byte(c.wantTS)) {
				t.Fatalf("gdcmconv did not write transfer syntax %s", c.wantTS)
			}
			frame, enc := pixelValue(t, file)
			if !enc {
				t.Fatal("gdcmconv wrote native pixel data")
			}
			m, err := Decode(frame)
			if err != nil {
				t.Fatal(err)
			}
			if m.Width != c.w || m.Height != c.h || m.Components != c.spp {
				t.Fatalf("decoded %+v", m.Config)
			}
			if c.wantTS != extended {
				pt := 0
				if c.name == "dcmtk 16-bit point transform" {
					pt = 3
				}
				for k, v := range src {
					if m.Pix[k] != v>>pt<<pt {
						t.Fatalf("sample %d: %d, original %d", k, m.Pix[k], v)
					}
				}
				return
			}
			if m.Precision != 12 || m.Process != Extended {
				t.Fatalf("decoded %+v", m.Config)
			}
			ycc := slices.Clone(m.Pix)
			if c.spp == 3 {
				ycbcrToRGB12(m.Pix)
			}
			sum, worst := 0, 0
			for k, v := range src {
				d := absDiff(m.Pix[k], v)
				sum += d
				worst = max(worst, d)
			}
			mean := float64(sum) / float64(len(src))
			t.Logf("against the original: mean absolute error %.2f, largest %d (of 4095)", mean, worst)
			meanLimit := 16.0
			if c.spp == 3 {
				meanLimit = 32 // steep colour ramps, chroma halved horizontally
			}
			if mean > meanLimit || worst > 200 {
				t.Fatalf("mean absolute error %.2f, largest %d", mean, worst)
			}
			// dcmdjpeg +cn keeps YCbCr: luma is compared closely, chroma
			// loosely (IJG upsamples the 4:2:2 chroma with a triangle
			// filter, jpegdec by replication).
			if b, err := exec.Command(tools["dcmdjpeg"], "+px", "+cn", out, raw).CombinedOutput(); err != nil {
				t.Fatalf("dcmdjpeg: %v\n%s", err, b)
			}
			rawFile, err := os.ReadFile(raw)
			if err != nil {
				t.Fatal(err)
			}
			native, enc := pixelValue(t, rawFile)
			if enc || len(native) != 2*len(src) {
				t.Fatalf("dcmdjpeg wrote %d bytes", len(native))
			}
			var tw [3]int
			for k := range src {
				ch := k % c.spp
				tw[ch] = max(tw[ch], absDiff(ycc[k], binary.LittleEndian.Uint16(native[2*k:])))
			}
			t.Logf("against dcmdjpeg: largest difference per component %v", tw[:c.spp])
			if tw[0] > 2 || tw[1] > 64 || tw[2] > 64 {
				t.Fatalf("differs from DCMTK's decoding by up to %v", tw[:c.spp])
			}
		})
	}
}

// TestGDCM16BitLossyRefused: gdcmconv compresses a 16-bit image "lossy"
// as sequential DCT of 16-bit precision, which T.81 does not define (and
// DICOM does not allow): it is refused as invalid, never decoded wrong.
func TestGDCM16BitLossyRefused(t *testing.T) {
	gdcm := testtool.Look(t, "gdcmconv", "libgdcm-tools")
	c := gdcmCase{w: 16, h: 16, spp: 1, bits: 16, stor: 12}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.dcm"), filepath.Join(dir, "out.dcm")
	if err := os.WriteFile(in, nativeDICOM(c, testSamples(16, 16, 1, 12, 2)), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(gdcm, "--jpeg", "--lossy", "-q", "90", in, out).CombinedOutput(); err != nil {
		t.Fatalf("gdcmconv: %v\n%s", err, b)
	}
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	frame, _ := pixelValue(t, file)
	if cfg, err := DecodeConfig(frame); !errors.Is(err, ErrFormat) {
		t.Fatalf("config %+v, error %v; want ErrFormat", cfg, err)
	}
	if _, err := Decode(frame); !errors.Is(err, ErrFormat) {
		t.Fatalf("error %v, want ErrFormat", err)
	}
}

// ycbcrToRGB12 converts interleaved 12-bit YCbCr to RGB in place
// (YBR_FULL, PS3.3 C.7.6.3.1.2).
func ycbcrToRGB12(pix []uint16) {
	clamp := func(v float64) uint16 { return uint16(min(max(v+0.5, 0), 4095)) }
	for i := 0; i+2 < len(pix); i += 3 {
		y, cb, cr := float64(pix[i]), float64(pix[i+1])-2048, float64(pix[i+2])-2048
		pix[i], pix[i+1], pix[i+2] = clamp(y+1.402*cr), clamp(y-0.344136*cb-0.714136*cr), clamp(y+1.772*cb)
	}
}
