package slidedeid

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/tifffix"
	"dossier/packager/privacy"
	"dossier/packager/slide"
)

type mrxsRec struct{ pos, size int64 }

// makeMRXS builds a MIRAX slide with real non-hierarchical tables: the
// builder's Slidedat.ini (macro, label, preview values) plus one section
// per value, an Index.dat whose table points at one record per value, and
// a Data0000.dat holding the three images (the label's and macro's carry
// the fake identity as bytes, so a leak scan sees whether they are wiped).
func makeMRXS(t *testing.T, dir string) (string, []mrxsRec) {
	t.Helper()
	p, err := tifffix.MRXS(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "file")
	ini, err := os.ReadFile(filepath.Join(data, "Slidedat.ini"))
	if err != nil {
		t.Fatal(err)
	}
	ini = append(ini, []byte("[NONHIER_0_VAL_0_SECTION]\r\nIMAGE_FORMAT = JPEG\r\n"+
		"[NONHIER_0_VAL_1_SECTION]\r\nBARCODE_VALUE = "+tifffix.FakeAccession+"\r\n"+
		"[NONHIER_0_VAL_2_SECTION]\r\nIMAGE_FORMAT = JPEG\r\n")...)
	if err := os.WriteFile(filepath.Join(data, "Slidedat.ini"), ini, 0o644); err != nil {
		t.Fatal(err)
	}
	hdr := []byte("01.02" + tifffix.FakeSlideID)
	dat := bytes.Clone(hdr)
	var recs []mrxsRec
	for i, payload := range []string{"macro " + tifffix.FakeFilename, "label " + tifffix.FakePatient, "preview tissue"} {
		img := realJPEG(t, 16, 16, uint8(40*i))
		img = append(img[:len(img)-2], append([]byte(payload), 0xFF, 0xD9)...)
		recs = append(recs, mrxsRec{int64(len(dat)), int64(len(img))})
		dat = append(dat, img...)
	}
	if err := os.WriteFile(filepath.Join(data, "Data0000.dat"), dat, 0o644); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	idx := bytes.Clone(hdr)
	hierRoot := len(idx) + 8
	tableBase := hierRoot + 4
	idx = le.AppendUint32(idx, uint32(hierRoot))
	idx = le.AppendUint32(idx, uint32(tableBase))
	idx = le.AppendUint32(idx, 0) // empty hierarchical table
	heads := tableBase + 4*len(recs)
	for i := range recs {
		idx = le.AppendUint32(idx, uint32(heads+8*i))
	}
	pages := heads + 8*len(recs)
	for i := range recs {
		idx = le.AppendUint32(idx, 0)
		idx = le.AppendUint32(idx, uint32(pages+28*i))
	}
	for _, r := range recs {
		for _, v := range []uint32{1, 0, 0, 0, uint32(r.pos), uint32(r.size), 0} {
			idx = le.AppendUint32(idx, v)
		}
	}
	if err := os.WriteFile(filepath.Join(data, "Index.dat"), idx, 0o644); err != nil {
		t.Fatal(err)
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
	// The builder's Index.dat has no non-hierarchical table: removing the
	// label cannot be done safely, so the slide is refused.
	src, dst := t.TempDir(), t.TempDir()
	p, err := tifffix.MRXS(src)
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
