package deid

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/exif"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

func TestStripHEIC(t *testing.T) {
	n := docfix.PlantedName
	for label, p := range map[string]docfix.HEICParts{
		"exif":                 {Exif: n},
		"xmp":                  {XMP: n},
		"both":                 {Exif: n, XMP: n},
		"exif in idat":         {Exif: n, ExifInIdat: true},
		"xmp in mdat":          {XMP: n, XMPInMdat: true},
		"both in the same box": {Exif: n, XMP: n, XMPInMdat: true},
		"item name":            {Exif: "x", ItemName: n},
		"user description":     {XMP: "x", Description: n},
	} {
		t.Run(label, func(t *testing.T) {
			in := docfix.HEIC(p)
			if len(layersWithPlanted(t, in, "heic")) == 0 || !bytes.Contains(in, []byte(n)) {
				t.Fatal("fixture: the name is not in the input")
			}
			var out bytes.Buffer
			if err := StripHEIC(&out, bytes.NewReader(in), int64(len(in))); err != nil {
				t.Fatal(err)
			}
			if out.Len() != len(in) {
				t.Fatalf("length changed: %d -> %d", len(in), out.Len())
			}
			if places := layersWithPlanted(t, out.Bytes(), "heic"); len(places) > 0 {
				t.Errorf("the name is still in %v", places)
			}
			if docfix.HasPlanted(string(out.Bytes())) {
				t.Error("the name is still in the bytes")
			}
			// Everything but the metadata items is byte for byte the same,
			// and the items are still where the file says they are.
			before, _ := exif.HEIFMetadata(in)
			after, err := exif.HEIFMetadata(out.Bytes())
			if err != nil || len(after) != len(before) {
				t.Fatalf("items after cleaning: %v %v", after, err)
			}
			mask := bytes.Clone(in)
			for _, it := range before {
				for _, e := range it.Extents {
					copy(mask[e.Offset:], make([]byte, e.Length))
				}
			}
			got := out.Bytes()
			fields, err := exif.HEIFTextFields(bytes.NewReader(in), int64(len(in)))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fields {
				if text := got[f.Offset : f.Offset+f.Length]; len(bytes.Trim(text, " ")) != 0 {
					t.Errorf("a text field is not blanked: %q", text)
				}
				copy(mask[f.Offset:], make([]byte, f.Length))
				copy(got[f.Offset:], make([]byte, f.Length))
			}
			for _, it := range after {
				data := it.Data(got)
				switch it.Kind {
				case "Exif":
					if !bytes.HasPrefix(data, []byte{0, 0, 0, 0, 'M', 'M', 0, 42}) {
						t.Errorf("the Exif item is not an empty Exif block: %x", data[:min(len(data), 20)])
					}
				case "XMP":
					if !bytes.HasPrefix(data, []byte("<?xpacket")) {
						t.Errorf("the XMP item is not an empty packet: %q", data)
					}
				}
				for _, e := range it.Extents {
					copy(got[e.Offset:], make([]byte, e.Length))
				}
			}
			if !bytes.Equal(got, mask) {
				t.Error("bytes outside the metadata items changed")
			}
		})
	}
}

func TestStripHEICUnexpectedLayout(t *testing.T) {
	for label, in := range map[string][]byte{
		"uuid box":   docfix.HEIC(docfix.HEICParts{Exif: "x", Extra: "uuid"}),
		"movie":      docfix.HEIC(docfix.HEICParts{Exif: "x", Extra: "moov"}),
		"cut short":  docfix.HEIC(docfix.HEICParts{Exif: "x"})[:60],
		"not a heic": docfix.JPEG(4, 4),
	} {
		var out bytes.Buffer
		err := StripHEIC(&out, bytes.NewReader(in), int64(len(in)))
		if !errors.Is(err, ErrHEICLayout) || out.Len() != 0 {
			t.Errorf("%s: %v, %d bytes written", label, err, out.Len())
		}
	}
}

// TestPlanHEIC checks the decisions for HEIC photos: cleaned in place
// (then reviewed, like every photo), or, when that cannot be done, left out
// with a reason until the user agrees to conversion, and then converted.
func TestPlanHEIC(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "photos/ok.heic", docfix.HEIC(docfix.HEICParts{Exif: docfix.PlantedName}))
	write(t, dir, "photos/odd.heic", docfix.HEIC(docfix.HEICParts{Exif: docfix.PlantedName, Extra: "uuid"}))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	find := func(ds []Decision, base string) Decision {
		for _, d := range ds {
			if filepath.Base(d.Path) == base {
				return d
			}
		}
		t.Fatalf("%s not planned", base)
		return Decision{}
	}
	sc := leakscan.New([]identity.Needle{{Text: docfix.PlantedName, Kind: identity.Name, Source: "the test"}})
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{Scanner: sc})
	if err != nil {
		t.Fatal(err)
	}
	if d := find(ds, "ok.heic"); d.Action != Review || d.Convert {
		t.Errorf("cleanable HEIC: %+v", d)
	}
	if d := find(ds, "odd.heic"); d.Action != Exclude || d.Reason.String() != ReasonHEICConvert() {
		t.Errorf("HEIC without consent: %+v", d)
	}
	ds, _ = Plan(context.Background(), inv, privacy.Pseudonymised, Options{Scanner: sc, ConvertHEIC: true, Include: map[string]bool{filepath.Join(dir, "photos", "ok.heic"): true}})
	odd := find(ds, "odd.heic")
	if HEICConverter() == "" {
		if odd.Action != Exclude || odd.Reason.String() != ErrNoHEICConverter.Error() {
			t.Errorf("HEIC with consent, no converter: %+v", odd)
		}
	} else if odd.Action != Exclude || odd.Reason.String() != ReasonHEICUnconvertible() {
		// The fixture's picture is not real HEVC: the converter cannot
		// read it, and the photo is left out with the reason (a real
		// photo is converted: TestConvertedHEICInTree).
		t.Errorf("HEIC with consent, not convertible: %+v", odd)
	}
	// The cleanable photo, included, is written cleaned and as HEIC.
	ok := find(ds, "ok.heic")
	if !ok.Included || !strings.HasSuffix(ok.Name, ".HEIC") {
		t.Fatalf("%+v", ok)
	}
	var out bytes.Buffer
	if err := Write(context.Background(), &out, ok, privacy.Params{Level: privacy.Pseudonymised}, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	if places := layersWithPlanted(t, out.Bytes(), "heic"); len(places) > 0 || out.Len() == 0 {
		t.Errorf("written HEIC: %d bytes, name in %v", out.Len(), places)
	}
}

// TestConvertHEIC converts a real HEIC photo (made with ImageMagick, which
// encodes HEIC through libheif, with Exif and XMP added by exiftool) with
// heif-convert and checks the JPEG has no metadata left.
func TestConvertHEIC(t *testing.T) {
	if HEICConverter() == "" {
		testtool.Look(t, "heif-convert", "libheif-examples")
	}
	convert := testtool.Look(t, "convert", "imagemagick")
	dir := t.TempDir()
	src := filepath.Join(dir, "in.jpg")
	os.WriteFile(src, docfix.JPEG(64, 48), 0o644)
	heic := filepath.Join(dir, "photo.heic")
	if o, err := exec.Command(convert, src, heic).CombinedOutput(); err != nil {
		if testtool.Required() {
			t.Fatalf("ImageMagick cannot write HEIC: %v %s", err, o)
		}
		t.Skipf("ImageMagick cannot write HEIC here: %v %s", err, o)
	}
	exiftool := testtool.Look(t, "exiftool", "libimage-exiftool-perl")
	if o, err := exec.Command(exiftool, "-overwrite_original", "-Artist="+docfix.PlantedName, "-XMP-dc:Creator="+docfix.PlantedName, heic).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v %s", err, o)
	}
	f, err := os.Open(heic)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	if err := ConvertHEIC(context.Background(), &out, f); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte{0xFF, 0xD8}) {
		t.Fatal("not a JPEG")
	}
	if places := layersWithPlanted(t, out.Bytes(), "jpeg"); len(places) > 0 {
		t.Errorf("the converted JPEG holds the name in %v", places)
	}
}

// TestStripRealHEIC cleans a HEIC photo written by ImageMagick (libheif)
// with Exif and XMP added by exiftool, and checks with exiftool that no
// name is left and with heif-convert that the picture still decodes.
func TestStripRealHEIC(t *testing.T) {
	convert := testtool.Look(t, "convert", "imagemagick")
	exiftool := testtool.Look(t, "exiftool", "libimage-exiftool-perl")
	heifConvert := testtool.Look(t, "heif-convert", "libheif-examples")
	dir := t.TempDir()
	src := filepath.Join(dir, "in.jpg")
	os.WriteFile(src, docfix.JPEG(64, 48), 0o644)
	heic := filepath.Join(dir, "photo.heic")
	if o, err := exec.Command(convert, src, heic).CombinedOutput(); err != nil {
		if testtool.Required() {
			t.Fatalf("ImageMagick cannot write HEIC: %v %s", err, o)
		}
		t.Skipf("ImageMagick cannot write HEIC here: %v %s", err, o)
	}
	n := docfix.PlantedName
	if o, err := exec.Command(exiftool, "-overwrite_original", "-Artist="+n, "-ImageDescription=Kaare Oedegaard", "-XMP-dc:Creator="+n, "-GPSLatitude=69.65", "-GPSLatitudeRef=N", heic).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v %s", err, o)
	}
	in, _ := os.ReadFile(heic)
	meta, _ := exec.Command(exiftool, "-a", "-G1", heic).Output()
	if !docfix.HasPlanted(string(meta)) || !strings.Contains(string(meta), "GPS") {
		t.Fatalf("fixture: exiftool does not show the metadata:\n%s", meta)
	}
	var out bytes.Buffer
	if err := StripHEIC(&out, bytes.NewReader(in), int64(len(in))); err != nil {
		t.Fatal(err)
	}
	clean := filepath.Join(dir, "clean.heic")
	os.WriteFile(clean, out.Bytes(), 0o644)
	meta, err := exec.Command(exiftool, "-a", "-G1", clean).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool on the cleaned photo: %v\n%s", err, meta)
	}
	if docfix.HasPlanted(string(meta)) || strings.Contains(string(meta), "GPS Latitude") {
		t.Errorf("exiftool still shows metadata:\n%s", meta)
	}
	if places := layersWithPlanted(t, out.Bytes(), "heic"); len(places) > 0 {
		t.Errorf("the name is still in %v", places)
	}
	if o, err := exec.Command(heifConvert, clean, filepath.Join(dir, "clean.jpg")).CombinedOutput(); err != nil {
		t.Errorf("heif-convert cannot decode the cleaned photo: %v\n%s", err, o)
	}
}

// TestConvertedHEICInTree sends, with the user's consent, a real HEIC
// photo that cannot be cleaned in place (a vendor box after its image
// data): it is written as a JPEG under a .JPG name, without metadata.
func TestConvertedHEICInTree(t *testing.T) {
	convert := testtool.Look(t, "convert", "imagemagick")
	exiftool := testtool.Look(t, "exiftool", "libimage-exiftool-perl")
	testtool.Look(t, "heif-convert", "libheif-examples")
	dir := t.TempDir()
	src := filepath.Join(dir, "in.jpg")
	os.WriteFile(src, docfix.JPEG(64, 48), 0o644)
	heic := filepath.Join(dir, "case", "IMG_0003.heic")
	os.MkdirAll(filepath.Dir(heic), 0o755)
	if o, err := exec.Command(convert, src, heic).CombinedOutput(); err != nil {
		if testtool.Required() {
			t.Fatalf("ImageMagick cannot write HEIC: %v %s", err, o)
		}
		t.Skipf("ImageMagick cannot write HEIC here: %v %s", err, o)
	}
	if o, err := exec.Command(exiftool, "-overwrite_original", "-Artist="+docfix.PlantedName, "-XMP-dc:Creator="+docfix.PlantedName, heic).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v %s", err, o)
	}
	data, _ := os.ReadFile(heic)
	uuid := append([]byte{0, 0, 0, 28, 'u', 'u', 'i', 'd'}, []byte("0123456789abcdefvendor..")[:20]...)
	os.WriteFile(heic, append(data, uuid...), 0o644)
	os.Remove(src)

	inv, err := intake.Scan(context.Background(), []string{filepath.Join(dir, "case")}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, docfix.PlantedName, "the test")
	ds, err := Plan(context.Background(), inv, privacy.Anonymised, Options{ConvertHEIC: true, Include: map[string]bool{heic: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || !ds[0].Convert || !ds[0].Included || !strings.HasSuffix(ds[0].Name, ".JPG") {
		t.Fatalf("plan: %+v", ds)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 1 || len(res.Written[0].Warnings) != 0 {
		t.Fatalf("written: %+v, left out %+v", res.Written, res.LeftOut)
	}
	jpg, _ := os.ReadFile(filepath.Join(out, filepath.FromSlash(res.Written[0].Name)))
	if !bytes.HasPrefix(jpg, []byte{0xFF, 0xD8}) {
		t.Fatal("not a JPEG")
	}
	if places := layersWithPlanted(t, jpg, "jpeg"); len(places) > 0 {
		t.Errorf("the name is in %v", places)
	}
	if meta, _ := exec.Command(exiftool, "-a", "-G1", filepath.Join(out, filepath.FromSlash(res.Written[0].Name))).Output(); docfix.HasPlanted(string(meta)) {
		t.Errorf("exiftool shows the name:\n%s", meta)
	}
}
