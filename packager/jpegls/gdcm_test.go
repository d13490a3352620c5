package jpegls_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/jpegls"
)

// nativeInstance returns a native DICOM file of pix (one frame).
func nativeInstance(pix []uint16, w, h, nc, stored int) []byte {
	p := dcmfix.Pixels{Spec: dcmfix.Spec{Rows: h, Cols: w, Modality: "OT"}, BitsAllocated: 8, BitsStored: stored}
	if stored > 8 {
		p.BitsAllocated = 16
	}
	if nc == 3 {
		p.Photometric = "RGB"
	}
	m := jpegls.Image{Config: jpegls.Config{Width: w, Height: h, Components: nc, BitsPerSample: stored}, Pix: pix}
	var el []dcmfix.Element
	for _, e := range p.Elements() {
		if e.Tag != dcmfix.TagPixelData {
			el = append(el, e)
		}
	}
	vr := "OB"
	if stored > 8 {
		vr = "OW"
	}
	native := m.Native()
	if len(native)%2 == 1 {
		native = append(native, 0)
	}
	el = append(el, dcmfix.Bytes(dcmfix.TagPixelData, vr, native))
	return dcmfix.File(el, p.FileOptions())
}

// firstFrame returns the first fragment of the encapsulated pixel data of
// a DICOM file written in explicit VR little endian.
func firstFrame(t *testing.T, file []byte) []byte {
	t.Helper()
	hdr := []byte{0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}
	i := bytes.LastIndex(file, hdr)
	if i < 0 {
		t.Fatal("no encapsulated pixel data in the converted file")
	}
	b := file[i+len(hdr):]
	for k := 0; len(b) >= 8; k++ {
		if binary.LittleEndian.Uint16(b) != 0xFFFE || binary.LittleEndian.Uint16(b[2:]) != 0xE000 {
			break
		}
		n := int(binary.LittleEndian.Uint32(b[4:]))
		if 8+n > len(b) {
			break
		}
		if k == 1 {
			return b[8 : 8+n]
		}
		b = b[8+n:]
	}
	t.Fatal("no frame in the converted file")
	return nil
}

// convert runs tool on a native file of pix and returns the decoded first
// frame of its output.
func convert(t *testing.T, tool string, args []string, dir string, pix []uint16, w, h, nc, stored int) jpegls.Image {
	t.Helper()
	in, out := filepath.Join(dir, "in.dcm"), filepath.Join(dir, "out.dcm")
	if err := os.WriteFile(in, nativeInstance(pix, w, h, nc, stored), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(tool, append(args, in, out)...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", filepath.Base(tool), err, b)
	}
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := jpegls.Decode(firstFrame(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// within fails unless m has size w×h×nc and every sample is within near
// of pix.
func within(t *testing.T, m jpegls.Image, pix []uint16, w, h, nc, near int) {
	t.Helper()
	if m.Width != w || m.Height != h || m.Components != nc || m.Near != near {
		t.Fatalf("config %+v", m.Config)
	}
	for j, v := range m.Pix {
		if d := int(v) - int(pix[j]); d > near || d < -near {
			t.Fatalf("sample %d: %d decoded, %d original (NEAR %d)", j, v, pix[j], near)
		}
	}
}

// TestAgainstDCMTK decodes frames that dcmcjpls (DCMTK's CharLS) encoded
// in each interleave mode and with preset thresholds.
func TestAgainstDCMTK(t *testing.T) {
	tool := testtool.Look(t, "dcmcjpls", "dcmtk")
	for i, c := range []struct {
		nc, stored, near, ilv int
		args                  []string
	}{
		{3, 8, 0, 0, []string{"+in"}},
		{3, 8, 0, 1, []string{"+il"}},
		{3, 8, 0, 2, []string{"+is"}},
		{3, 8, 2, 1, []string{"+en", "+md", "2", "+il"}},
		{1, 12, 0, 0, []string{"+t1", "5", "+t2", "40", "+t3", "100", "+rs", "32"}},
		{1, 16, 4, 0, []string{"+en", "+md", "4"}},
	} {
		t.Run(fmt.Sprint(c.args), func(t *testing.T) {
			w, h := 45, 31
			pix := jpegls.Picture(w, h, c.nc, c.stored, uint64(200+i))
			m := convert(t, tool, c.args, t.TempDir(), pix, w, h, c.nc, c.stored)
			within(t, m, pix, w, h, c.nc, c.near)
			if c.nc > 1 && m.Interleave != c.ilv {
				t.Fatalf("interleave %d, want %d", m.Interleave, c.ilv)
			}
		})
	}
}

// TestAgainstCharLS decodes frames that gdcmconv (GDCM, with CharLS)
// encoded from Go-built images: an encoder nobody here wrote.
func TestAgainstCharLS(t *testing.T) {
	tool := testtool.Look(t, "gdcmconv", "libgdcm-tools")
	cases := []struct {
		w, h, nc, stored int
		lossy            bool
		near             int
	}{
		{64, 48, 1, 8, false, 0},
		{17, 13, 1, 12, false, 0},
		{61, 37, 1, 16, false, 0},
		{40, 33, 3, 8, false, 0},
		{1, 9, 1, 12, false, 0},
		{9, 1, 3, 8, false, 0},
		{64, 48, 1, 8, true, 2},
		{33, 21, 1, 12, true, 3},
		{40, 33, 3, 8, true, 2},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%dx%dx%d_%dbit_near%d", c.w, c.h, c.nc, c.stored, c.near), func(t *testing.T) {
			pix := jpegls.Picture(c.w, c.h, c.nc, c.stored, uint64(100+i))
			args := []string{"--jpegls"}
			if c.lossy {
				args = append(args, "--lossy", "-e", fmt.Sprint(c.near))
			}
			m := convert(t, tool, args, t.TempDir(), pix, c.w, c.h, c.nc, c.stored)
			within(t, m, pix, c.w, c.h, c.nc, c.near)
		})
	}
}
