package slidedeid

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/tifffix"
	"dossier/internal/testtool"
	"dossier/packager/slide"
)

// realJPEG encodes a w x h JPEG, so OpenSlide can validate NDPI strips.
func realJPEG(t testing.TB, w, h int, shade uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{shade, uint8(x * 4), uint8(y * 4), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ndpiIFD is one NDPI image with the identifying tags of tifffix.NDPI.
func ndpiIFD(t testing.TB, w, h int, lens float64) tifffix.IFD {
	return tifffix.IFD{Tags: []tifffix.Tag{
		tifffix.LongTag(slide.TagImageWidth, uint64(w)),
		tifffix.LongTag(slide.TagImageLength, uint64(h)),
		tifffix.ShortTag(slide.TagBitsPerSample, 8, 8, 8),
		tifffix.ShortTag(slide.TagCompression, 7),
		tifffix.ShortTag(slide.TagPhotometric, 6),
		tifffix.ShortTag(slide.TagSamplesPerPixel, 3),
		tifffix.LongTag(slide.TagRowsPerStrip, uint64(h)),
		tifffix.ASCIITag(slide.TagMake, "Hamamatsu"),
		tifffix.ASCIITag(slide.TagModel, "C13220"),
		tifffix.ASCIITag(slide.TagSoftware, "NDP.scan 3.2.15"),
		tifffix.ASCIITag(slide.TagDateTime, tifffix.FakeDateTime),
		tifffix.LongTag(slide.TagNDPIFormatFlag, 1),
		tifffix.FloatTag(slide.TagNDPISourceLens, lens),
		tifffix.SLongTag(slide.TagNDPIZOffset, 0),
		tifffix.SLongTag(65423, 0),
		tifffix.SLongTag(65424, 0), // X offset from the slide centre
		tifffix.SLongTag(65425, 0), // Y offset from the slide centre
		tifffix.ASCIITag(slide.TagNDPIReference, tifffix.FakeFilename),
		tifffix.ASCIITag(slide.TagNDPISerialNumber, tifffix.FakeSerial),
		tifffix.ASCIITag(slide.TagNDPIPropertyMap, "Patient="+tifffix.FakePatient+"|Barcode="+tifffix.FakeAccession),
		tifffix.ASCIITag(slide.TagNDPIXML, "<label>"+tifffix.FakeFilename+"</label>"),
	}, Data: [][]byte{realJPEG(t, w, h, uint8(lens*10))}}
}

// TestNDPIRealJPEG: NDPIs with decodable JPEG strips. macro-first puts the
// macro at IFD 0 (so the header's first-IFD pointer is relinked) and the map
// last (so the last IFD is removed); focal-plane keeps a second focal plane
// between levels and removes macro and map from the end. OpenSlide 3.4 opens
// original and output of scanner-order and macro-first; it refuses both
// sides of focal-plane with "Unexpected directory layout" (it reads one
// focal plane only), which the test asserts, so that a change shows.
func TestNDPIRealJPEG(t *testing.T) {
	zplane := ndpiIFD(t, 64, 48, 20)
	for i, tg := range zplane.Tags {
		if tg.ID == slide.TagNDPIZOffset {
			zplane.Tags[i] = tifffix.SLongTag(slide.TagNDPIZOffset, 1000)
		}
	}
	const layout = "Unexpected directory layout"
	layouts := map[string]struct {
		ifds []tifffix.IFD
		// origCannot and outCannot are OpenSlide's reasons to refuse the
		// original and the output, or "" where it must open them.
		origCannot, outCannot string
	}{
		"macro-first":   {[]tifffix.IFD{ndpiIFD(t, 64, 24, -1), ndpiIFD(t, 64, 48, 20), ndpiIFD(t, 32, 24, 5), ndpiIFD(t, 16, 16, -2)}, "", ""},
		"focal-plane":   {[]tifffix.IFD{ndpiIFD(t, 64, 48, 20), zplane, ndpiIFD(t, 32, 24, 5), ndpiIFD(t, 64, 24, -1), ndpiIFD(t, 16, 16, -2)}, layout, layout},
		"scanner-order": {[]tifffix.IFD{ndpiIFD(t, 64, 48, 20), ndpiIFD(t, 32, 24, 5), ndpiIFD(t, 64, 24, -1), ndpiIFD(t, 16, 16, -2)}, "", ""},
	}
	for name, l := range layouts {
		t.Run(name, func(t *testing.T) {
			checkNDPI(t, tifffix.Build(tifffix.Options{NDPI: true}, l.ifds), l.origCannot, l.outCannot)
		})
	}
}

func checkNDPI(t *testing.T, data []byte, origCannot, outCannot string) {
	out, pl := deidBytes(t, data, fakeTokens)
	if strings.Join(pl.Removed, ",") != "macro,map" {
		t.Errorf("removed %v", pl.Removed)
	}
	f, err := slide.OpenTIFF(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.IFDs); !f.NDPI || n < 2 || f.IFDs[n-1].NextOffset != 0 {
		t.Fatalf("NDPI %v, %d IFDs", f.NDPI, len(f.IFDs))
	}
	for _, d := range f.IFDs {
		for _, tag := range []uint16{slide.TagNDPIReference, slide.TagNDPISerialNumber, slide.TagNDPIPropertyMap, slide.TagNDPIXML, slide.TagDateTime} {
			if d.Has(tag) {
				t.Errorf("IFD %d keeps tag %d", d.Index, tag)
			}
		}
	}
	tool := testtool.Look(t, "openslide-show-properties", "openslide-tools")
	dir := t.TempDir()
	orig, outp := filepath.Join(dir, "orig.ndpi"), filepath.Join(dir, "deid.ndpi")
	if err := os.WriteFile(orig, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outp, out, 0o600); err != nil {
		t.Fatal(err)
	}
	gp, gout, err := showProps(t, tool, orig)
	switch {
	case origCannot == "" && err != nil:
		t.Fatalf("original NDPI does not open in OpenSlide: %s", firstLine(gout))
	case origCannot != "" && (err == nil || !strings.Contains(gout, origCannot)):
		t.Fatalf("original NDPI: expected OpenSlide to refuse it with %q, got err %v: %s", origCannot, err, firstLine(gout))
	}
	op, oout, err := showProps(t, tool, outp)
	switch {
	case outCannot == "" && err != nil:
		t.Fatalf("output does not open: %s", firstLine(oout))
	case outCannot != "" && (err == nil || !strings.Contains(oout, outCannot)):
		t.Fatalf("output: expected OpenSlide to refuse it with %q, got err %v: %s", outCannot, err, firstLine(oout))
	case outCannot != "":
		return
	}
	if op["openslide.vendor"] != "hamamatsu" || origCannot == "" && op["openslide.vendor"] != gp["openslide.vendor"] {
		t.Errorf("vendor %q -> %q", gp["openslide.vendor"], op["openslide.vendor"])
	}
	for _, tok := range fakeTokens {
		if strings.Contains(oout, tok) {
			t.Errorf("OpenSlide properties show %q", tok)
		}
	}
	t.Logf("OpenSlide: vendor %s, %s levels, %d properties (original %d)", op["openslide.vendor"], op["openslide.level-count"], len(op), len(gp))
}

// TestWriteFiles: the file-to-file path (kernel copy) writes the same bytes
// as the generic path, and restores the source's offset.
func TestWriteFiles(t *testing.T) {
	data := tifffix.SVS(tifffix.SVSOptions{BigTIFF: true})
	want, _ := deidBytes(t, data, fakeTokens)
	dir := t.TempDir()
	src := filepath.Join(dir, "in.svs")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := in.Seek(5, 0); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, "out.svs"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Deidentify(context.Background(), out, in, int64(len(data)), testParams()); err != nil {
		t.Fatal(err)
	}
	out.Close()
	got, err := os.ReadFile(filepath.Join(dir, "out.svs"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("file-to-file output differs")
	}
	if pos, _ := in.Seek(0, 1); pos != 5 {
		t.Errorf("source offset %d, want 5", pos)
	}
	// Cancelled context: nothing more is written, the context's error returns.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out2, err := os.Create(filepath.Join(dir, "out2.svs"))
	if err != nil {
		t.Fatal(err)
	}
	defer out2.Close()
	if _, err := Deidentify(ctx, out2, in, int64(len(data)), testParams()); err != context.Canceled {
		t.Errorf("err = %v", err)
	}
}
