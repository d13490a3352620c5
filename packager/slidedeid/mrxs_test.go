package slidedeid

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"dossier/internal/fixture/tifffix"
	"dossier/internal/testtool"
	"dossier/packager/privacy"
	"dossier/packager/slide"
)

type mrxsRec struct{ pos, size int64 }

// makeMRXS builds the MIRAX fixture (macro, label and preview in the
// non-hierarchical table, in that order; the label's and macro's JPEGs carry
// the fake identity as bytes, so a leak scan sees whether they are wiped)
// and returns where each non-hierarchical record lies in Data0000.dat, read
// back from its Index.dat.
func makeMRXS(t *testing.T, dir string) (string, []mrxsRec) {
	t.Helper()
	p, err := tifffix.MRXS(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := os.ReadFile(filepath.Join(dir, "file", "Index.dat"))
	if err != nil {
		t.Fatal(err)
	}
	tableBase := int64(binary.LittleEndian.Uint32(idx[5+len(tifffix.FakeSlideID)+4:]))
	var recs []mrxsRec
	for r := 0; r < 3; r++ {
		loc, err := nonhierLocation(bytes.NewReader(idx), tableBase, r)
		if err != nil || loc.file != 0 {
			t.Fatalf("fixture record %d: %+v, %v", r, loc, err)
		}
		recs = append(recs, mrxsRec{loc.pos, loc.size})
	}
	return p, recs
}

func treeHash(t *testing.T, dir string) [32]byte {
	h := sha256.New()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return s
}

func TestDeidentifyMRXS(t *testing.T) {
	src := t.TempDir()
	p, recs := makeMRXS(t, src)
	before := treeHash(t, src)
	dst := t.TempDir()
	pl, err := DeidentifyMRXS(context.Background(), p, dst, testParams())
	if err != nil {
		t.Fatal(err)
	}
	if treeHash(t, src) != before {
		t.Fatal("original modified")
	}
	if strings.Join(pl.Removed, ",") != "macro,label" || pl.Vendor != slide.VendorMirax {
		t.Errorf("plan %+v", pl)
	}
	out := filepath.Join(dst, MRXSName+".mrxs")
	in, err := slide.DetectMRXS(out)
	if err != nil {
		t.Fatal(err)
	}
	if in.Label || in.Macro || !in.Thumbnail || len(in.LevelSizes) != 2 {
		t.Errorf("output info %+v", in)
	}
	for _, k := range in.IdentifyingMetadata {
		if k != "mirax.SLIDE_ID" {
			t.Errorf("identifying key %s left", k)
		}
	}
	// Leak scan of every written file; the SLIDE_ID is replaced everywhere
	// with one of the same length.
	ents, _ := os.ReadDir(dst)
	if len(ents) != 2 {
		t.Errorf("dst holds %d entries (temporary folder left?)", len(ents))
	}
	var all []byte
	filepath.WalkDir(dst, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			all = append(all, b...)
		}
		return nil
	})
	leakScan(t, all, append(fakeTokens, tifffix.FakeSlideID))
	ini, _ := os.ReadFile(filepath.Join(dst, MRXSName, "Slidedat.ini"))
	newID := ""
	for _, l := range strings.Split(string(ini), "\r\n") {
		if v, ok := strings.CutPrefix(l, "SLIDE_ID = "); ok {
			newID = v
		}
	}
	if len(newID) != len(tifffix.FakeSlideID) || !bytes.HasPrefix(ini, []byte("\ufeff")) {
		t.Fatalf("SLIDE_ID %q or BOM lost", newID)
	}
	for _, want := range []string{"NONHIER_0_COUNT = 1\r\n", "NONHIER_0_VAL_0 = ScanDataLayer_SlidePreview\r\n",
		"NONHIER_0_VAL_0_SECTION = NONHIER_0_VAL_2_SECTION\r\n", "[NONHIER_0_VAL_2_SECTION]\r\n"} {
		if !strings.Contains(string(ini), want) {
			t.Errorf("Slidedat.ini lacks %q", want)
		}
	}
	if strings.Contains(string(ini), "NONHIER_0_VAL_1") || strings.Contains(string(ini), "SLIDE_NAME") {
		t.Errorf("Slidedat.ini keeps removed keys:\n%s", ini)
	}
	for _, name := range []string{"Index.dat", "Data0000.dat"} {
		b, _ := os.ReadFile(filepath.Join(dst, MRXSName, name))
		if string(b[:5+len(newID)]) != "01.02"+newID {
			t.Errorf("%s header not rewritten", name)
		}
	}
	// The preview record is intact and now first in the table; the label and
	// macro records are zero.
	dat, _ := os.ReadFile(filepath.Join(dst, MRXSName, "Data0000.dat"))
	orig, _ := os.ReadFile(filepath.Join(src, "file", "Data0000.dat"))
	for i, r := range recs {
		got, want := dat[r.pos:r.pos+r.size], orig[r.pos:r.pos+r.size]
		if i == 2 && !bytes.Equal(got, want) {
			t.Error("preview record changed")
		}
		if i < 2 && bytes.ContainsFunc(got, func(c rune) bool { return c != 0 }) {
			t.Errorf("record %d not zeroed", i)
		}
	}
	idx, _ := os.ReadFile(filepath.Join(dst, MRXSName, "Index.dat"))
	loc, err := nonhierLocation(bytes.NewReader(idx), int64(binary.LittleEndian.Uint32(idx[5+len(newID)+4:])), 0)
	if err != nil || loc.pos != recs[2].pos {
		t.Errorf("table record 0 = %+v, %v", loc, err)
	}
	// Same secret, same SLIDE_ID (re-exports agree); existing output refused.
	dst2 := t.TempDir()
	if _, err := DeidentifyMRXS(context.Background(), p, dst2, testParams()); err != nil {
		t.Fatal(err)
	}
	ini2, _ := os.ReadFile(filepath.Join(dst2, MRXSName, "Slidedat.ini"))
	if !bytes.Equal(ini, ini2) {
		t.Error("re-export differs")
	}
	if _, err := DeidentifyMRXS(context.Background(), p, dst, testParams()); !errors.Is(err, os.ErrExist) {
		t.Errorf("overwrite: %v", err)
	}
}

func TestDeidentifyMRXSNoTables(t *testing.T) {
	// An Index.dat without its non-hierarchical table: removing the label
	// cannot be done safely, so the slide is refused.
	src, dst := t.TempDir(), t.TempDir()
	p, err := tifffix.MRXSWith(src, tifffix.MRXSOptions{BareIndex: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DeidentifyMRXS(context.Background(), p, dst, testParams()); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("err = %v", err)
	}
	if ents, _ := os.ReadDir(dst); len(ents) != 0 {
		t.Errorf("left %d entries in dst", len(ents))
	}
	// Without label and macro only the metadata and SLIDE_ID change.
	src2, dst2 := t.TempDir(), t.TempDir()
	p2, err := tifffix.MRXSWith(src2, tifffix.MRXSOptions{NoLabel: true, NoMacro: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DeidentifyMRXS(context.Background(), p2, dst2, testParams()); err != nil {
		t.Fatal(err)
	}
	// Identified: a copy.
	dst3 := t.TempDir()
	if _, err := DeidentifyMRXS(context.Background(), p, dst3, privacy.Params{Level: privacy.Identified}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(src, "file", "Slidedat.ini"))
	b, _ := os.ReadFile(filepath.Join(dst3, MRXSName, "Slidedat.ini"))
	if !bytes.Equal(a, b) {
		t.Error("identified copy differs")
	}
}

// TestOpenSlideMRXS: OpenSlide opens the MIRAX fixture, with its label and
// macro and its identifying Slidedat.ini keys, and opens the de-identified
// output with the same vendor, levels and pixels, the preview still there,
// and no label, macro or identifying key left.
func TestOpenSlideMRXS(t *testing.T) {
	show := testtool.Look(t, "openslide-show-properties", "openslide-tools")
	writePNG := testtool.Look(t, "openslide-write-png", "openslide-tools")
	py := testtool.Python(t, "ctypes")
	dir := t.TempDir()
	script := filepath.Join(dir, "assoc.py")
	if err := os.WriteFile(script, []byte(assocScript), 0o600); err != nil {
		t.Fatal(err)
	}
	listAssoc := func(path string) string {
		out, err := exec.Command(py, script, path).CombinedOutput()
		if err != nil {
			t.Fatalf("listing associated images: %v: %s", err, out)
		}
		names := strings.Split(strings.TrimSpace(string(out)), ",")
		sort.Strings(names)
		return strings.Join(names, ",")
	}
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	for _, d := range []string{src, dst} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	orig, err := tifffix.MRXS(src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DeidentifyMRXS(context.Background(), orig, dst, testParams()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dst, MRXSName+".mrxs")

	gp, gout, err := showProps(t, show, orig)
	if err != nil {
		t.Fatalf("OpenSlide does not open the fixture: %v: %s", err, firstLine(gout))
	}
	op, oout, err := showProps(t, show, out)
	if err != nil {
		t.Fatalf("OpenSlide does not open the de-identified slide: %v: %s", err, firstLine(oout))
	}
	// The fixture is what the test claims to de-identify.
	if ga := listAssoc(orig); ga != "label,macro,thumbnail" {
		t.Fatalf("associated images of the fixture: %s", ga)
	}
	idKeys := []string{"mirax.GENERAL.SLIDE_NAME", "mirax.GENERAL.PROJECT_NAME", "mirax.GENERAL.SLIDE_CREATIONDATETIME",
		"mirax.GENERAL.SLIDE_UTC_CREATIONDATETIME", "mirax.GENERAL.SCANNER_HARDWARE_ID", "mirax.NONHIER_0_VAL_1_SECTION.BARCODE_VALUE"}
	for _, k := range idKeys {
		if gp[k] == "" {
			t.Errorf("fixture lacks %s", k)
		}
	}
	if gp["mirax.GENERAL.SLIDE_ID"] != tifffix.FakeSlideID {
		t.Errorf("fixture SLIDE_ID %q", gp["mirax.GENERAL.SLIDE_ID"])
	}
	for _, tok := range []string{tifffix.FakePatient, tifffix.FakeAccession, tifffix.FakeSerial} {
		if !strings.Contains(gout, tok) {
			t.Errorf("fixture properties lack %q", tok)
		}
	}

	// The output.
	if oa := listAssoc(out); oa != "thumbnail" {
		t.Errorf("associated images of the output: %s", oa)
	}
	for _, k := range idKeys {
		if _, ok := op[k]; ok {
			t.Errorf("output keeps %s", k)
		}
	}
	for k := range op {
		if strings.Contains(k, "BARCODE") || strings.Contains(k, "SlideBarcode") {
			t.Errorf("output keeps %s", k)
		}
	}
	for _, tok := range append(fakeTokens, tifffix.FakeSlideID) {
		if strings.Contains(oout, tok) {
			t.Errorf("output properties show %q", tok)
		}
	}
	if id := op["mirax.GENERAL.SLIDE_ID"]; len(id) != len(tifffix.FakeSlideID) || id == tifffix.FakeSlideID {
		t.Errorf("output SLIDE_ID %q", id)
	}
	for _, k := range []string{"openslide.vendor", "openslide.level-count", "openslide.level[0].width", "openslide.level[0].height",
		"openslide.level[1].width", "openslide.level[1].height", "openslide.mpp-x", "openslide.objective-power"} {
		if op[k] == "" || op[k] != gp[k] {
			t.Errorf("%s: %q -> %q", k, gp[k], op[k])
		}
	}
	// Every tile decodes, and the pixels are the original's.
	for level, size := range [][2]string{{op["openslide.level[0].width"], op["openslide.level[0].height"]}, {op["openslide.level[1].width"], op["openslide.level[1].height"]}} {
		var pngs [2][]byte
		for i, p := range []string{orig, out} {
			png := filepath.Join(dir, fmt.Sprintf("level%d-%d.png", level, i))
			if b, err := exec.Command(writePNG, p, "0", "0", strconv.Itoa(level), size[0], size[1], png).CombinedOutput(); err != nil {
				t.Fatalf("openslide-write-png level %d: %v: %s", level, err, b)
			}
			pngs[i], _ = os.ReadFile(png)
		}
		if len(pngs[0]) == 0 || !bytes.Equal(pngs[0], pngs[1]) {
			t.Errorf("level %d: pixels differ (%d and %d bytes of PNG)", level, len(pngs[0]), len(pngs[1]))
		}
	}
}
