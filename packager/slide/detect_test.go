package slide

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"dossier/internal/fixture/tifffix"
)

type want struct {
	vendor, container   string
	levels              int
	sizes               [][2]int64
	label, macro, thumb bool
	keys                []string
	identity            []string // values that must be in Identity
}

var pyramid = [][2]int64{{tifffix.L0Width, tifffix.L0Height}, {tifffix.L1Width, tifffix.L1Height}}

func sorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func checkInfo(t *testing.T, in *Info, w want) {
	t.Helper()
	if in.Vendor != w.vendor || in.Container != w.container {
		t.Errorf("vendor/container = %s/%s, want %s/%s", in.Vendor, in.Container, w.vendor, w.container)
	}
	if in.Levels != w.levels || !reflect.DeepEqual(in.LevelSizes, w.sizes) {
		t.Errorf("levels = %d %v, want %d %v", in.Levels, in.LevelSizes, w.levels, w.sizes)
	}
	if len(w.sizes) > 0 && (in.Width != w.sizes[0][0] || in.Height != w.sizes[0][1]) {
		t.Errorf("size = %dx%d, want %v", in.Width, in.Height, w.sizes[0])
	}
	if in.Label != w.label || in.Macro != w.macro || in.Thumbnail != w.thumb {
		t.Errorf("label/macro/thumbnail = %v/%v/%v, want %v/%v/%v", in.Label, in.Macro, in.Thumbnail, w.label, w.macro, w.thumb)
	}
	if w.keys != nil && !reflect.DeepEqual(in.IdentifyingMetadata, sorted(w.keys)) {
		t.Errorf("identifying keys = %q, want %q", in.IdentifyingMetadata, sorted(w.keys))
	}
	for _, v := range w.identity {
		found := false
		for _, f := range in.Identity {
			if f.Value == v {
				found = true
			}
		}
		if !found {
			t.Errorf("identity lacks an expected value (%d fields)", len(in.Identity))
		}
	}
}

func detectBytes(b []byte) (*Info, error) {
	return DetectTIFF(bytes.NewReader(b), int64(len(b)))
}

type builderCase struct {
	name string
	data []byte
	want want
}

func builderCases() []builderCase {
	fn, acc := tifffix.FakeFilename, tifffix.FakeAccession
	svs := want{VendorAperio, ContainerTIFF, 2, pyramid, true, true, true, tifffix.AperioIdentifyingKeys, []string{fn, tifffix.FakeTitle, tifffix.FakePatient, acc}}
	svsBig := svs
	svsBig.container = ContainerBigTIFF
	noAssoc := svs
	noAssoc.label, noAssoc.macro = false, false
	noThumb := svs
	noThumb.thumb = false
	return []builderCase{
		{"svs", tifffix.SVS(tifffix.SVSOptions{}), svs},
		{"svs-bigtiff", tifffix.SVS(tifffix.SVSOptions{BigTIFF: true}), svsBig},
		{"svs-bigtiff-long-counts", tifffix.SVS(tifffix.SVSOptions{BigTIFF: true, LongCounts: true}), svsBig},
		{"svs-subfiletype-only", tifffix.SVS(tifffix.SVSOptions{Marking: tifffix.MarkSubfileType}), svs},
		{"svs-description-only", tifffix.SVS(tifffix.SVSOptions{Marking: tifffix.MarkDescription}), svs},
		{"svs-gt450", tifffix.GT450SVS(false), svs},
		{"svs-gt450-bigtiff", tifffix.GT450SVS(true), svsBig},
		{"svs-no-label-macro", tifffix.SVS(tifffix.SVSOptions{NoLabel: true, NoMacro: true}), noAssoc},
		{"svs-no-thumbnail", tifffix.SVS(tifffix.SVSOptions{NoThumbnail: true}), noThumb},
		{"ndpi", tifffix.NDPI(tifffix.NDPIOptions{Map: true}), want{VendorHamamatsu, ContainerNDPI, 2, pyramid, false, true, false, tifffix.NDPIIdentifyingKeys, []string{fn}}},
		{"ndpi-no-macro", tifffix.NDPI(tifffix.NDPIOptions{NoMacro: true}), want{VendorHamamatsu, ContainerNDPI, 2, pyramid, false, false, false, tifffix.NDPIIdentifyingKeys, []string{fn}}},
		{"scn", tifffix.SCN(), want{VendorLeica, ContainerBigTIFF, 2, pyramid, false, true, false, tifffix.SCNIdentifyingKeys, []string{acc, fn}}},
		{"bif", tifffix.BIF(), want{VendorVentana, ContainerBigTIFF, 2, pyramid, false, true, true, tifffix.BIFIdentifyingKeys, []string{fn, acc}}},
		{"philips", tifffix.PhilipsTIFF(tifffix.PhilipsOptions{}), want{VendorPhilips, ContainerTIFF, 2, pyramid, true, true, false, tifffix.PhilipsIdentifyingKeys, []string{acc}}},
		{"philips-xml-images", tifffix.PhilipsTIFF(tifffix.PhilipsOptions{XMLImages: true}), want{VendorPhilips, ContainerTIFF, 2, pyramid, true, true, false, tifffix.PhilipsIdentifyingKeys, []string{acc}}},
		{"ome-tiff", tifffix.OMETIFF(), want{VendorGenericTIFF, ContainerTIFF, 2, pyramid, false, false, false, tifffix.OMEIdentifyingKeys, []string{fn}}},
		{"generic", tifffix.GenericPyramidTIFF(tifffix.GenericOptions{}), want{VendorGenericTIFF, ContainerTIFF, 2, pyramid, false, false, false, tifffix.GenericIdentifyingKeys, []string{tifffix.FakePatient}}},
		{"generic-bigtiff-be", tifffix.GenericPyramidTIFF(tifffix.GenericOptions{BigTIFF: true, BigEndian: true}), want{VendorGenericTIFF, ContainerBigTIFF, 2, pyramid, false, false, false, tifffix.GenericIdentifyingKeys, nil}},
	}
}

func TestDetectBuilders(t *testing.T) {
	for _, c := range builderCases() {
		t.Run(c.name, func(t *testing.T) {
			in, err := detectBytes(c.data)
			if err != nil {
				t.Fatalf("DetectTIFF: %v", err)
			}
			checkInfo(t, in, c.want)
			if in.Files != nil {
				t.Errorf("Files = %v, want nil", in.Files)
			}
		})
	}
}

func TestFlatTIFFNotSlide(t *testing.T) {
	_, err := detectBytes(tifffix.FlatTIFF())
	if !errors.Is(err, ErrNotSlide) {
		t.Fatalf("err = %v, want ErrNotSlide", err)
	}
	_, err = detectBytes([]byte("%PDF-1.7 not a tiff at all"))
	if !errors.Is(err, ErrNotSlide) || !errors.Is(err, ErrNotTIFF) {
		t.Fatalf("err = %v, want ErrNotSlide and ErrNotTIFF", err)
	}
}

func TestIsTIFF(t *testing.T) {
	for s, ok := range map[string]bool{"II*\x00": true, "MM\x00*": true, "II+\x00": true, "MM\x00+": true, "II*": false, "GIF8": false, "": false} {
		if IsTIFF([]byte(s)) != ok {
			t.Errorf("IsTIFF(%q) != %v", s, ok)
		}
	}
}

func TestSVSLabelImages(t *testing.T) {
	for _, m := range []tifffix.LabelMarking{tifffix.MarkBoth, tifffix.MarkSubfileType, tifffix.MarkDescription} {
		in, err := detectBytes(tifffix.SVS(tifffix.SVSOptions{Marking: m}))
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, im := range in.Images {
			kinds = append(kinds, im.Kind)
		}
		want := []string{KindLevel, KindThumbnail, KindLevel, KindLabel, KindMacro}
		if !reflect.DeepEqual(kinds, want) {
			t.Errorf("marking %d: kinds %v, want %v", m, kinds, want)
		}
	}
}

func TestAperioAllowList(t *testing.T) {
	for _, k := range []string{"AppMag", "MPP", "Originalheight", "Exposure Time", "Exposure Scale", "CalibrationX", "ICC Profile", "Focus Offset"} {
		if !AperioKeyAllowed(k) {
			t.Errorf("%q should be allowed", k)
		}
	}
	for _, k := range []string{"Filename", "Title", "User", "Date", "ScanScope ID", "CustomField.First_Name", "Unknown"} {
		if AperioKeyAllowed(k) {
			t.Errorf("%q should not be allowed", k)
		}
	}
	if AperioAssociatedName("Aperio x\r\nlabel 1x2") != KindLabel || AperioAssociatedName("Aperio\nmacro 3x4") != KindMacro || AperioAssociatedName("Aperio|a = b") != "" {
		t.Error("AperioAssociatedName")
	}
}

func TestMRXS(t *testing.T) {
	dir := t.TempDir()
	p, err := tifffix.MRXS(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !LooksLikeMRXS(p) {
		t.Fatal("LooksLikeMRXS = false")
	}
	in, err := DetectMRXS(p)
	if err != nil {
		t.Fatal(err)
	}
	checkInfo(t, in, want{VendorMirax, ContainerMRXS, 2, [][2]int64{{64, 48}, {32, 24}}, true, true, true, tifffix.MRXSIdentifyingKeys, []string{tifffix.FakeFilename, tifffix.FakeSlideID}})
	var names []string
	for _, f := range in.Files {
		if !filepath.IsAbs(f) {
			t.Errorf("%s is not absolute", f)
		}
		names = append(names, filepath.Base(f))
	}
	if !reflect.DeepEqual(names, []string{"file.mrxs", "Data0000.dat", "Index.dat", "Slidedat.ini"}) {
		t.Errorf("files = %v", names)
	}

	dir2 := t.TempDir()
	p2, _ := tifffix.MRXSWith(dir2, tifffix.MRXSOptions{NoLabel: true})
	in2, err := DetectMRXS(p2)
	if err != nil || in2.Label || !in2.Macro {
		t.Errorf("no-label: %v %+v", err, in2)
	}
	dir3 := t.TempDir()
	p3, _ := tifffix.MRXSWith(dir3, tifffix.MRXSOptions{BadIndex: true})
	if _, err := DetectMRXS(p3); !errors.Is(err, ErrBadMetadata) {
		t.Errorf("bad index: err = %v", err)
	}
	// Not MIRAX.
	plain := filepath.Join(dir, "plain.mrxs")
	os.WriteFile(plain, nil, 0o644)
	if LooksLikeMRXS(plain) {
		t.Error("LooksLikeMRXS(plain) = true")
	}
	if _, err := DetectMRXS(plain); !errors.Is(err, ErrNotSlide) {
		t.Errorf("plain: err = %v", err)
	}
	if LooksLikeMRXS(filepath.Join(dir, "file")) {
		t.Error("LooksLikeMRXS(folder without ext) = true")
	}
	// Missing index file.
	os.Remove(filepath.Join(dir, "file", "Index.dat"))
	if _, err := DetectMRXS(p); !errors.Is(err, ErrTruncated) || strings.Count(err.Error(), "slide: ") != 1 || strings.Count(err.Error(), "mirax") != 1 {
		t.Errorf("missing index: err = %v (want ErrTruncated, its prefix and mirax once)", err)
	}
}

func TestMRXSNoLeakInErrors(t *testing.T) {
	dir := t.TempDir()
	p, _ := tifffix.MRXSWith(dir, tifffix.MRXSOptions{BadIndex: true})
	_, err := DetectMRXS(p)
	if err == nil || strings.Contains(err.Error(), tifffix.FakeSlideID) || strings.Contains(err.Error(), "DOE") {
		t.Errorf("err = %v", err)
	}
}

func TestAperioUnknownStrippedIFD(t *testing.T) {
	desc := tifffix.ASCIITag(TagImageDescription, "Aperio Image Library v12 \r\n64x48 (16x16)|AppMag = 20")
	b := tifffix.Build(tifffix.Options{}, []tifffix.IFD{
		tifffix.TiledImage(64, 48, 16, 1, desc),
		tifffix.StripImage(8, 8, 2),
		tifffix.StripImage(8, 8, 3, tifffix.ASCIITag(TagImageDescription, "Aperio\nsomething 8x8")),
	})
	in, err := detectBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if in.Images[1].Kind != KindThumbnail || in.Images[2].Kind != KindOther || in.Label || in.Macro {
		t.Errorf("images %+v", in.Images)
	}
	if len(in.IdentifyingMetadata) != 0 {
		t.Errorf("keys %v", in.IdentifyingMetadata)
	}
}
