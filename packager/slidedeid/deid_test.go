package slidedeid

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"dossier/internal/fixture/tifffix"
	"dossier/internal/testtool"
	"dossier/packager/privacy"
	"dossier/packager/slide"
)

func testParams() privacy.Params {
	return privacy.Params{Level: privacy.Pseudonymised, Secret: bytes.Repeat([]byte{7}, 32), Pseudonym: "DOSSIER-TEST-0001"}
}

// fakeTokens are the invented identifiers the builders carry.
var fakeTokens = []string{
	tifffix.FakePatient, tifffix.FakeAccession, tifffix.FakeFilename, tifffix.FakeTitle, tifffix.FakeDate,
	tifffix.FakeTime, tifffix.FakeUser, tifffix.FakeScanScope, tifffix.FakeDateTime, tifffix.FakeSerial,
	"DOE, JANE", "jdoe", "Jane", "2026-03-14", "20260314", "BI1234567", "GMT+01:00",
}

// spellings returns the byte spellings a leak scan looks for.
func spellings(tok string) [][]byte {
	u16 := utf16.Encode([]rune(tok))
	le := make([]byte, 2*len(u16))
	for i, c := range u16 {
		binary.LittleEndian.PutUint16(le[2*i:], c)
	}
	return [][]byte{
		[]byte(tok), []byte(strings.ToUpper(tok)), []byte(strings.ToLower(tok)),
		[]byte(base64.StdEncoding.EncodeToString([]byte(tok))), le,
	}
}

func leakScan(t *testing.T, out []byte, tokens []string) {
	t.Helper()
	for _, tok := range tokens {
		for _, sp := range spellings(tok) {
			if bytes.Contains(out, sp) {
				t.Errorf("leak: output contains %q (spelling %q)", tok, sp)
			}
		}
	}
}

// deidBytes de-identifies data and checks the output: same vendor, no label
// or macro, no identifying metadata, tiles identical (Verify), no leak.
func deidBytes(t *testing.T, data []byte, tokens []string) ([]byte, *Plan) {
	t.Helper()
	var out bytes.Buffer
	pl, err := Deidentify(context.Background(), &out, bytes.NewReader(data), int64(len(data)), testParams())
	if err != nil {
		t.Fatalf("Deidentify: %v", err)
	}
	ob := out.Bytes()
	if int64(len(ob)) != pl.OutputSize(int64(len(data))) {
		t.Fatalf("output %d bytes, plan says %d", len(ob), pl.OutputSize(int64(len(data))))
	}
	if err := Verify(bytes.NewReader(ob), int64(len(ob)), bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	gi, err := slide.DetectTIFF(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	oi, err := slide.DetectTIFF(bytes.NewReader(ob), int64(len(ob)))
	if err != nil {
		t.Fatalf("output does not open: %v", err)
	}
	if oi.Vendor != gi.Vendor || pl.Vendor != gi.Vendor {
		t.Errorf("vendor %s -> %s (plan %s)", gi.Vendor, oi.Vendor, pl.Vendor)
	}
	if oi.Label || oi.Macro {
		t.Errorf("label %v macro %v left", oi.Label, oi.Macro)
	}
	for _, im := range oi.Images {
		if im.Kind == slide.KindLabel || im.Kind == slide.KindMacro {
			t.Errorf("image %+v left", im)
		}
	}
	if len(oi.IdentifyingMetadata) > 0 {
		t.Errorf("identifying keys left: %v", oi.IdentifyingMetadata)
	}
	if len(oi.LevelSizes) != len(gi.LevelSizes) || oi.Thumbnail != gi.Thumbnail {
		t.Errorf("levels %v thumb %v, want %v %v", oi.LevelSizes, oi.Thumbnail, gi.LevelSizes, gi.Thumbnail)
	}
	if gi.Label && !contains(pl.Removed, "label") || gi.Macro && !contains(pl.Removed, "macro") {
		t.Errorf("plan.Removed = %v", pl.Removed)
	}
	leakScan(t, ob, tokens)
	return ob, pl
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

type builderCase struct {
	name, ext string
	data      []byte
}

func builderCases() []builderCase {
	return []builderCase{
		{"svs-classic", ".svs", tifffix.SVS(tifffix.SVSOptions{})},
		{"svs-bigtiff-long8", ".svs", tifffix.SVS(tifffix.SVSOptions{BigTIFF: true})},
		{"svs-bigtiff-long", ".svs", tifffix.SVS(tifffix.SVSOptions{BigTIFF: true, LongCounts: true})},
		{"svs-gt450", ".svs", tifffix.GT450SVS(false)},
		{"svs-gt450-bigtiff", ".svs", tifffix.GT450SVS(true)},
		{"svs-mark-description", ".svs", tifffix.SVS(tifffix.SVSOptions{Marking: tifffix.MarkDescription})},
		{"svs-no-thumbnail", ".svs", tifffix.SVS(tifffix.SVSOptions{NoThumbnail: true})},
		{"svs-label-only", ".svs", tifffix.SVS(tifffix.SVSOptions{NoMacro: true})},
		{"svs-macro-only", ".svs", tifffix.SVS(tifffix.SVSOptions{NoLabel: true})},
		{"ndpi", ".ndpi", tifffix.NDPI(tifffix.NDPIOptions{})},
		{"ndpi-map", ".ndpi", tifffix.NDPI(tifffix.NDPIOptions{Map: true})},
		{"generic", ".tif", tifffix.GenericPyramidTIFF(tifffix.GenericOptions{})},
		{"generic-bigendian", ".tif", tifffix.GenericPyramidTIFF(tifffix.GenericOptions{BigEndian: true})},
		{"generic-bigtiff", ".tif", tifffix.GenericPyramidTIFF(tifffix.GenericOptions{BigTIFF: true})},
		{"ome", ".ome.tif", tifffix.OMETIFF()},
		{"scn", ".scn", tifffix.SCN()},
		{"bif", ".bif", tifffix.BIF()},
		{"philips", ".tiff", tifffix.PhilipsTIFF(tifffix.PhilipsOptions{})},
		{"philips-xml-images", ".tiff", tifffix.PhilipsTIFF(tifffix.PhilipsOptions{XMLImages: true})},
	}
}

func TestBuilders(t *testing.T) {
	for _, c := range builderCases() {
		t.Run(c.name, func(t *testing.T) {
			out, pl := deidBytes(t, c.data, fakeTokens)
			if len(pl.Scrubbed) == 0 {
				t.Errorf("nothing scrubbed")
			}
			t.Logf("removed %v scrubbed %v; %d patches", pl.Removed, pl.Scrubbed, len(pl.Patches))
			_ = out
		})
	}
}

func TestSVSStructure(t *testing.T) {
	for _, big := range []bool{false, true} {
		data := tifffix.SVS(tifffix.SVSOptions{BigTIFF: big})
		out, _ := deidBytes(t, data, fakeTokens)
		f, err := slide.OpenTIFF(bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		// Label and macro were the last two IFDs: the chain ends at level 1.
		if len(f.IFDs) != 3 || f.IFDs[2].NextOffset != 0 {
			t.Fatalf("bigtiff=%v: %d IFDs, last next %d", big, len(f.IFDs), f.IFDs[len(f.IFDs)-1].NextOffset)
		}
		for _, d := range f.IFDs {
			desc := f.TagString(d, slide.TagImageDescription)
			if !strings.HasPrefix(desc, "Aperio Image Library") || !strings.Contains(desc, "|AppMag = 20|") || !strings.Contains(desc, "|MPP = 0.4990") {
				t.Errorf("IFD %d description lost its allowed parts", d.Index)
			}
			if strings.Contains(desc, "XXX") {
				t.Errorf("padded with X")
			}
			e, _ := d.Entry(slide.TagImageDescription)
			if e.Count != uint64(len(desc)+1) {
				t.Errorf("IFD %d description count %d for %d bytes", d.Index, e.Count, len(desc)+1)
			}
		}
		// The original's label and macro strips are zero in the output.
		of, _ := slide.OpenTIFF(bytes.NewReader(data), int64(len(data)))
		for _, idx := range []int{3, 4} {
			rs, err := of.DataRanges(of.IFDs[idx])
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if bytes.ContainsFunc(out[r.Offset:r.Offset+r.Length], func(r rune) bool { return r != 0 }) {
					t.Errorf("IFD %d strip not zeroed", idx)
				}
			}
		}
	}
}

func TestScrubAperioDescription(t *testing.T) {
	in := "Aperio Image Library v1 \r\n64x48|AppMag = 20|Filename = X Y|MPP = 0.5|CustomField.First_Name = A|junk"
	got, keys := ScrubAperioDescription(in)
	if got != "Aperio Image Library v1 \r\n64x48|AppMag = 20|MPP = 0.5" {
		t.Errorf("got %q", got)
	}
	if strings.Join(keys, ",") != "aperio.Filename,aperio.CustomField.First_Name,aperio.(segment without key)" {
		t.Errorf("keys %v", keys)
	}
}

func TestScrubOMEXML(t *testing.T) {
	in := `<?xml version="1.0"?><ome:OME xmlns:ome="http://www.openmicroscopy.org/Schemas/OME/2016-06"><ome:Experimenter ID="E:0" FirstName="Jane"/>` +
		`<ome:Image ID="Image:0" Name="a &amp; b"><ome:AcquisitionDate>2026</ome:AcquisitionDate><ome:Description>x</ome:Description><ome:Pixels ID="P:0" SizeX="1"><ome:TiffData/></ome:Pixels></ome:Image></ome:OME>`
	got, keys, err := ScrubOMEXML(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0"?><ome:OME xmlns:ome="http://www.openmicroscopy.org/Schemas/OME/2016-06">` +
		`<ome:Image ID="Image:0"><ome:Pixels ID="P:0" SizeX="1"><ome:TiffData/></ome:Pixels></ome:Image></ome:OME>`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(keys) != 4 {
		t.Errorf("keys %v", keys)
	}
	for _, bad := range []string{"<a>", "<a></b>", "<a><b></a>", "", "<a/><b/>", "\xff"} {
		if _, _, err := ScrubOMEXML(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestIdentifiedIsByteCopy(t *testing.T) {
	data := tifffix.SVS(tifffix.SVSOptions{})
	var out bytes.Buffer
	pl, err := Deidentify(context.Background(), &out, bytes.NewReader(data), int64(len(data)), privacy.Params{Level: privacy.Identified})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) || len(pl.Patches) != 0 || pl.Vendor != slide.VendorAperio {
		t.Fatalf("identified output differs or plan not empty")
	}
}

func TestUnknownLevel(t *testing.T) {
	data := tifffix.SVS(tifffix.SVSOptions{})
	if _, err := PlanTIFF(bytes.NewReader(data), int64(len(data)), privacy.Params{Level: "secret"}); err == nil {
		t.Fatal("no error for unknown level")
	}
}

// TestUnknownImageFailsClosed: a stripped IFD that no rule names is refused.
func TestUnknownImageFailsClosed(t *testing.T) {
	desc := "Aperio Image Library v12 \r\n64x48 (16x16)|AppMag = 20|Filename = " + tifffix.FakeFilename
	cases := map[string][]tifffix.IFD{
		"aperio-extra-strip": {
			tifffix.TiledImage(64, 48, 16, 0x40, tifffix.ASCIITag(slide.TagImageDescription, desc)),
			tifffix.StripImage(32, 24, 0x50, tifffix.ASCIITag(slide.TagImageDescription, desc)),
			tifffix.TiledImage(32, 24, 16, 0x60, tifffix.ASCIITag(slide.TagImageDescription, desc)),
			tifffix.StripImage(24, 32, 0x70),
		},
		"generic-strip": {
			tifffix.TiledImage(64, 48, 16, 0x40),
			tifffix.StripImage(24, 32, 0x70),
		},
	}
	for name, ifds := range cases {
		data := tifffix.Build(tifffix.Options{}, ifds)
		var out bytes.Buffer
		_, err := Deidentify(context.Background(), &out, bytes.NewReader(data), int64(len(data)), testParams())
		if !errors.Is(err, ErrUnsupported) || !errors.Is(err, ErrUnknownImage) {
			t.Errorf("%s: err = %v", name, err)
		}
		if out.Len() != 0 {
			t.Errorf("%s: bytes written after a refusal", name)
		}
		if strings.Contains(err.Error(), tifffix.FakeAccession) {
			t.Errorf("%s: error carries a value", name)
		}
	}
}

func TestHostile(t *testing.T) {
	base := tifffix.SVS(tifffix.SVSOptions{})
	f, err := slide.OpenTIFF(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	// IFD loop: the last IFD points back to IFD 1.
	loop := bytes.Clone(base)
	last := f.IFDs[len(f.IFDs)-1]
	binary.LittleEndian.PutUint32(loop[last.NextPtrOffset:], uint32(f.IFDs[1].Offset))
	if _, err := PlanTIFF(bytes.NewReader(loop), int64(len(loop)), testParams()); !errors.Is(err, slide.ErrIFDLoop) {
		t.Errorf("loop: %v", err)
	}
	// Truncated at every length: errors, never panics, never a plan that
	// writes past the end.
	for n := 0; n < len(base); n += 7 {
		b := base[:n]
		var out bytes.Buffer
		if _, err := Deidentify(context.Background(), &out, bytes.NewReader(b), int64(n), testParams()); err == nil {
			// A cut inside the last strip data is still caught by range
			// checks; anything accepted must verify.
			t.Errorf("truncated at %d: no error", n)
		}
	}
	// Not a slide.
	flat := tifffix.FlatTIFF()
	if _, err := PlanTIFF(bytes.NewReader(flat), int64(len(flat)), testParams()); !errors.Is(err, slide.ErrNotSlide) {
		t.Errorf("flat TIFF: %v", err)
	}
	// SubIFDs are refused.
	sub := tifffix.Build(tifffix.Options{}, []tifffix.IFD{
		tifffix.TiledImage(64, 48, 16, 0x40, tifffix.LongTag(slide.TagSubIFDs, 8)),
	})
	if _, err := PlanTIFF(bytes.NewReader(sub), int64(len(sub)), testParams()); !errors.Is(err, ErrUnsupported) {
		t.Errorf("SubIFDs: %v", err)
	}
}

func TestBadPlan(t *testing.T) {
	src := bytes.NewReader(make([]byte, 100))
	for _, pl := range []*Plan{
		{Patches: []Patch{{Offset: 90, Data: make([]byte, 20)}}},
		{Patches: []Patch{{Offset: 10, Zeros: 10}, {Offset: 15, Zeros: 1}}},
		{Patches: []Patch{{Offset: -1, Zeros: 1}}},
	} {
		if err := pl.Write(context.Background(), io.Discard, src, 100); !errors.Is(err, ErrBadPlan) {
			t.Errorf("%+v: %v", pl.Patches, err)
		}
	}
}

func TestWritePatchesAcrossChunks(t *testing.T) {
	size := int64(3*ChunkSize + 123)
	src := make([]byte, size)
	for i := range src {
		src[i] = byte(i*31 + 1)
	}
	pl := &Plan{Patches: []Patch{
		{Offset: 0, Data: []byte{9, 9}},
		{Offset: ChunkSize - 3, Data: []byte{1, 2, 3, 4, 5, 6}},
		{Offset: 2*ChunkSize - 10, Zeros: ChunkSize + 20},
		{Offset: size - 1, Data: []byte{7}},
	}, Append: []byte("tail")}
	want := bytes.Clone(src)
	copy(want, []byte{9, 9})
	copy(want[ChunkSize-3:], []byte{1, 2, 3, 4, 5, 6})
	clear(want[2*ChunkSize-10 : 3*ChunkSize+10])
	want[size-1] = 7
	want = append(want, "tail"...)
	var out bytes.Buffer
	if err := pl.Write(context.Background(), &out, bytes.NewReader(src), size); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatal("Write output differs")
	}
	// Output (overlay) gives the same bytes at any offset.
	o := pl.Output(bytes.NewReader(src), size)
	got, err := io.ReadAll(io.NewSectionReader(o, 0, pl.OutputSize(size)))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("overlay differs: %v", err)
	}
	b := make([]byte, 10)
	if n, err := o.ReadAt(b, pl.OutputSize(size)-5); n != 5 || err != io.EOF || string(b[:5]) != string(want[len(want)-5:]) {
		t.Errorf("tail read n=%d err=%v", n, err)
	}
}

type cancelWriter struct {
	n      int
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.n++
	if w.n == 1 {
		w.cancel()
	}
	return len(p), nil
}

func TestCancelMidWrite(t *testing.T) {
	size := int64(5 * ChunkSize)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelWriter{cancel: cancel}
	err := (&Plan{}).Write(ctx, w, bytes.NewReader(make([]byte, size)), size)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if w.n != 1 {
		t.Errorf("%d chunks written after cancel", w.n)
	}
}

func TestShortSource(t *testing.T) {
	err := (&Plan{}).Write(context.Background(), io.Discard, bytes.NewReader(make([]byte, 10)), 20)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v", err)
	}
}

// ---- real files ----

func realDir(t *testing.T) string { return testtool.Shared(t, "testdata/wsi") }

func readReal(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(realDir(t), name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

func TestRealFiles(t *testing.T) {
	for _, name := range []string{"synthetic-aperio.svs", "synthetic-aperio-bigtiff.svs", "CMU-1-Small-Region.svs", "openslide-python-fixtures/small.svs"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			data := readReal(t, name)
			tokens := []string{"CMU-1", "CPAPERIOCS", "12/29/09", "09:59:15", "b414003d", "1004486"}
			if mb, err := os.ReadFile(filepath.Join(realDir(t), name+".json")); err == nil {
				var m struct {
					FakePHI []string `json:"fake_phi_strings"`
				}
				if err := json.Unmarshal(mb, &m); err != nil {
					t.Fatal(err)
				}
				tokens = append(m.FakePHI, "S26-12345 A1 H&E", "GMT+01:00")
			}
			_, pl := deidBytes(t, data, tokens)
			t.Logf("removed %v scrubbed %v", pl.Removed, pl.Scrubbed)
		})
	}
}

// ---- OpenSlide ----

func showProps(t *testing.T, tool, path string) (map[string]string, string, error) {
	out, err := exec.Command(tool, path).CombinedOutput()
	props := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(line, ": '")
		if ok && !strings.ContainsAny(k, " \t") {
			props[k] = strings.TrimSuffix(v, "'")
		}
	}
	return props, string(out), err
}

// openSlideCannot names, per builder fixture that OpenSlide 3.4 cannot open,
// the reason it refuses the original; every other fixture must open, before
// and after de-identification. The NDPI builder's strips are not real JPEG
// (TestNDPIRealJPEG covers NDPI with real strips), and OpenSlide's
// generic-tiff driver reads only little-endian tiled TIFF.
var openSlideCannot = map[string]string{
	"ndpi":              "Can't validate JPEG",
	"ndpi-map":          "Can't validate JPEG",
	"generic-bigendian": "Not a file that OpenSlide can recognize",
}

// openSlideError is OpenSlide's error for path without the path itself.
func openSlideError(out, path string) string {
	return strings.TrimSpace(strings.ReplaceAll(firstLine(out), path, "FILE"))
}

func TestOpenSlide(t *testing.T) {
	tool := testtool.Look(t, "openslide-show-properties", "openslide-tools")
	dir := t.TempDir()
	// OpenSlide 3.4.1's command-line tools do not list associated images:
	// ask libopenslide itself through Python's ctypes.
	py := testtool.Python(t, "ctypes")
	if out, err := exec.Command(py, "-c", "import ctypes; ctypes.CDLL('libopenslide.so.0')").CombinedOutput(); err != nil {
		t.Fatalf("openslide-show-properties is installed but Python cannot load libopenslide.so.0: %v: %s", err, out)
	}
	script := filepath.Join(dir, "assoc.py")
	if err := os.WriteFile(script, []byte(assocScript), 0o600); err != nil {
		t.Fatal(err)
	}
	listAssoc := func(path string) string {
		out, _ := exec.Command(py, script, path).CombinedOutput()
		return strings.TrimSpace(string(out))
	}
	check := func(t *testing.T, name, ext string, data []byte, tokens []string, cannot string) {
		orig := filepath.Join(dir, "orig-"+name+ext)
		if err := os.WriteFile(orig, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := Deidentify(context.Background(), &buf, bytes.NewReader(data), int64(len(data)), testParams()); err != nil {
			t.Fatal(err)
		}
		outp := filepath.Join(dir, "deid-"+name+ext)
		if err := os.WriteFile(outp, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		gp, gout, gerr := showProps(t, tool, orig)
		op, oout, oerr := showProps(t, tool, outp)
		if cannot != "" {
			// OpenSlide must refuse the original for the named reason, and
			// the output for the same reason: de-identification neither
			// breaks nor hides anything OpenSlide would see.
			if gerr == nil || !strings.Contains(gout, cannot) {
				t.Fatalf("original: expected OpenSlide to refuse it with %q, got err %v: %s", cannot, gerr, firstLine(gout))
			}
			if oerr == nil || openSlideError(oout, outp) != openSlideError(gout, orig) {
				t.Fatalf("output: OpenSlide says %q (err %v), original %q", openSlideError(oout, outp), oerr, openSlideError(gout, orig))
			}
			return
		}
		if gerr != nil {
			t.Fatalf("original does not open in OpenSlide: %v: %s", gerr, firstLine(gout))
		}
		if oerr != nil {
			t.Fatalf("de-identified output does not open: %v: %s", oerr, firstLine(oout))
		}
		ga, oa := listAssoc(orig), listAssoc(outp)
		if strings.HasPrefix(ga, "ERROR") {
			t.Fatalf("associated images of the original: %s", ga)
		}
		if strings.Contains(oa, "label") || strings.Contains(oa, "macro") || strings.HasPrefix(oa, "ERROR") {
			t.Errorf("associated images of the output: %s", oa)
		}
		if op["openslide.vendor"] == "" || op["openslide.vendor"] != gp["openslide.vendor"] {
			t.Errorf("vendor %q -> %q", gp["openslide.vendor"], op["openslide.vendor"])
		}
		if op["openslide.level-count"] != gp["openslide.level-count"] {
			t.Errorf("level-count %q -> %q", gp["openslide.level-count"], op["openslide.level-count"])
		}
		for k := range op {
			if strings.HasPrefix(k, "openslide.associated.label") || strings.HasPrefix(k, "openslide.associated.macro") {
				t.Errorf("property %s", k)
			}
			if strings.HasPrefix(k, "aperio.") && !slide.AperioKeyAllowed(strings.TrimPrefix(k, "aperio.")) {
				t.Errorf("property %s left", k)
			}
		}
		for _, tok := range tokens {
			if strings.Contains(oout, tok) {
				t.Errorf("OpenSlide properties show %q", tok)
			}
		}
		t.Logf("vendor %s, %s levels, %d properties (original %d), associated images %s (original %s)",
			op["openslide.vendor"], op["openslide.level-count"], len(op), len(gp), oa, ga)
	}
	for _, c := range builderCases() {
		t.Run(c.name, func(t *testing.T) { check(t, c.name, c.ext, c.data, fakeTokens, openSlideCannot[c.name]) })
	}
	t.Run("real", func(t *testing.T) {
		for _, n := range []string{"synthetic-aperio.svs", "synthetic-aperio-bigtiff.svs", "CMU-1-Small-Region.svs"} {
			data := readReal(t, n)
			t.Run(n, func(t *testing.T) {
				check(t, n, ".svs", data, []string{"DOE^JANE", "S26-12345", "SS99999", "CMU-1", "CPAPERIOCS", "12/29/09", tifffix.FakeUser}, "")
			})
		}
	})
}

const assocScript = `import ctypes, sys
lib = ctypes.CDLL("libopenslide.so.0")
lib.openslide_open.restype = ctypes.c_void_p
lib.openslide_open.argtypes = [ctypes.c_char_p]
lib.openslide_get_error.restype = ctypes.c_char_p
lib.openslide_get_error.argtypes = [ctypes.c_void_p]
lib.openslide_get_associated_image_names.restype = ctypes.POINTER(ctypes.c_char_p)
lib.openslide_get_associated_image_names.argtypes = [ctypes.c_void_p]
o = lib.openslide_open(sys.argv[1].encode())
if not o:
    print("ERROR cannot open")
    sys.exit(0)
e = lib.openslide_get_error(o)
if e:
    print("ERROR " + e.decode())
    sys.exit(0)
names = lib.openslide_get_associated_image_names(o)
out = []
i = 0
while names[i]:
    out.append(names[i].decode())
    i += 1
print(",".join(out) if out else "-")
`

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// ---- fuzz ----

// FuzzPlanTIFF plans mutated slides: a plan is valid, writes as many bytes
// as it says, and its output opens as a TIFF, passes Verify (no label,
// macro or identifying metadata left, kept tiles byte for byte) and gives
// a second pass nothing new to remove or scrub.
func FuzzPlanTIFF(f *testing.F) {
	for _, c := range builderCases() {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		size := int64(len(data))
		pl, err := PlanTIFF(bytes.NewReader(data), size, testParams())
		if err != nil {
			return
		}
		if err := pl.check(size); err != nil {
			t.Fatalf("planned an invalid plan: %v", err)
		}
		var out bytes.Buffer
		if err := pl.Write(context.Background(), &out, bytes.NewReader(data), size); err != nil {
			t.Fatal(err)
		}
		if int64(out.Len()) != pl.OutputSize(size) {
			t.Fatal("output size")
		}
		// The output is a TIFF again, and a second pass finds no image left
		// to remove and nothing new to scrub. (A second pass may refuse a
		// wiped image of no known role, as BIF's label, with
		// ErrUnsupported; and a rewritten description may be rewritten
		// again.)
		ob := out.Bytes()
		f, err := slide.OpenTIFF(bytes.NewReader(ob), int64(len(ob)))
		if err != nil {
			t.Fatalf("output does not open: %v", err)
		}
		if len(f.IFDs) == 0 {
			t.Fatal("output has no image")
		}
		// What the plan writes is what Deidentify's check accepts: the same
		// vendor, no label or macro, no identifying metadata or identity,
		// and every kept tile byte for byte the original's.
		if err := Verify(bytes.NewReader(ob), int64(len(ob)), bytes.NewReader(data), size); err != nil {
			t.Fatalf("the planned output fails verification: %v", err)
		}
		again, err := PlanTIFF(bytes.NewReader(ob), int64(len(ob)), testParams())
		if err != nil {
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("output cannot be planned again: %v", err)
			}
			return
		}
		if len(again.Removed) > 0 {
			t.Fatalf("second pass removes %v (first removed %v)", again.Removed, pl.Removed)
		}
		for _, k := range again.Scrubbed {
			if !contains(pl.Scrubbed, k) {
				t.Fatalf("second pass scrubs %s, which the first left (first scrubbed %v)", k, pl.Scrubbed)
			}
		}
	})
}

// TestRemoveMiddleAndLast: a label between two levels and a macro at the
// end are both unlinked; the thumbnail's next pointer skips the label.
func TestRemoveMiddleAndLast(t *testing.T) {
	for _, big := range []bool{false, true} {
		kv := "|AppMag = 20|MPP = 0.5|Filename = " + tifffix.FakeFilename + "|User = " + tifffix.FakeUser
		desc := func(s string) tifffix.Tag {
			return tifffix.ASCIITag(slide.TagImageDescription, "Aperio Image Library v12 \r\n"+s+kv)
		}
		data := tifffix.Build(tifffix.Options{BigTIFF: big}, []tifffix.IFD{
			tifffix.TiledImage(64, 48, 16, 0x40, desc("64x48 (16x16)")),
			tifffix.StripImage(32, 24, 0x50, desc("64x48 -> 32x24")),
			tifffix.StripImage(24, 32, 0x70, tifffix.LongTag(slide.TagNewSubfileType, 1), tifffix.ASCIITag(slide.TagArtist, tifffix.FakePatient)),
			tifffix.TiledImage(32, 24, 16, 0x60, desc("64x48 -> 32x24 (16x16)")),
			tifffix.StripImage(64, 24, 0x80, tifffix.LongTag(slide.TagNewSubfileType, 9)),
		})
		out, pl := deidBytes(t, data, fakeTokens)
		if strings.Join(pl.Removed, ",") != "label,macro" {
			t.Errorf("removed %v", pl.Removed)
		}
		of, _ := slide.OpenTIFF(bytes.NewReader(data), int64(len(data)))
		f, err := slide.OpenTIFF(bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.IFDs) != 3 || f.IFDs[1].NextOffset != of.IFDs[3].Offset || f.IFDs[2].NextOffset != 0 {
			t.Fatalf("bigtiff=%v: chain not relinked: %d IFDs", big, len(f.IFDs))
		}
		// The removed IFDs' own bytes are zero.
		for _, idx := range []int{2, 4} {
			d := of.IFDs[idx]
			if bytes.ContainsFunc(out[d.Offset:d.End], func(r rune) bool { return r != 0 }) {
				t.Errorf("removed IFD %d not zeroed", idx)
			}
		}
	}
}

// TestSupports: Supports names every vendor Deidentify or PlanMRXS plans,
// and none they refuse.
func TestSupports(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range builderCases() {
		pl, err := PlanTIFF(bytes.NewReader(c.data), int64(len(c.data)), testParams())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !Supports(pl.Vendor) {
			t.Errorf("%s: Supports(%q) = false, but Deidentify handles it", c.name, pl.Vendor)
		}
		seen[pl.Vendor] = true
	}
	if len(seen) != 6 {
		t.Errorf("the builders cover vendors %v, want the six TIFF-based ones", seen)
	}
	// MIRAX goes through PlanMRXS.
	src := t.TempDir()
	p, err := tifffix.MRXS(src)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := PlanMRXS(context.Background(), p, testParams())
	if err != nil {
		t.Fatal(err)
	}
	if mp.Vendor != slide.VendorMirax || !Supports(mp.Vendor) {
		t.Errorf("Supports(%q) = false, but PlanMRXS handles it", mp.Vendor)
	}
	for _, v := range []string{"", "sakura", "dicom"} {
		if Supports(v) {
			t.Errorf("Supports(%q) = true", v)
		}
	}
}
