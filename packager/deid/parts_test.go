package deid

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"dossier/internal/fixture/tifffix"
	"dossier/internal/testtool"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

// mrxsCase is a case of one CT image (the patient's name and ID) and a
// MIRAX slide (its label, macro and Slidedat.ini carry the slide's name and
// ID, which the intake adds to the case's identity).
func mrxsCase(t *testing.T) (string, *intake.Inventory) {
	dir := t.TempDir()
	if _, err := tifffix.MRXS(filepath.Join(dir, "slides")); err != nil {
		t.Fatal(err)
	}
	return dir, scanCase(t, dir)
}

// TestWriteTreeMRXS: at the private levels a MIRAX slide is sent as its
// .mrxs file and folder, de-identified: OpenSlide opens it, without label
// or macro, and nothing of the slide's identity is in any written byte. At
// the identified level every file of the slide is copied.
func TestWriteTreeMRXS(t *testing.T) {
	dir, inv := mrxsCase(t)
	if len(inv.Items) != 1 || !MultiFile(inv.Items[0]) {
		t.Fatalf("inventory %+v", inv.Items)
	}
	secret, _ := privacy.NewSecret()
	for _, level := range []privacy.Level{privacy.Pseudonymised, privacy.Anonymised, privacy.Identified} {
		t.Run(string(level), func(t *testing.T) {
			p, err := privacy.NewParams(level, secret, "DOSSIER-TEST-0001")
			if err != nil {
				t.Fatal(err)
			}
			ds, err := Plan(context.Background(), inv, level, Options{})
			if err != nil {
				t.Fatal(err)
			}
			d := decision(t, ds, "file.mrxs")
			if want := map[privacy.Level]Action{privacy.Identified: Copy}[level]; want == "" && d.Action != Transform || want != "" && d.Action != want {
				t.Fatalf("decision %s (%s)", d.Action, d.Reason)
			}
			if d.Name != "SLIDES/SLIDE001.mrxs" {
				t.Errorf("name %q", d.Name)
			}
			if err := Write(context.Background(), io.Discard, d, p, intake.Options{}); !errors.Is(err, ErrMultiFile) {
				t.Errorf("Write of a MIRAX slide: %v", err)
			}
			out := t.TempDir()
			res, err := WriteTree(context.Background(), out, inv, ds, p, TreeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, w := range res.Written {
				names = append(names, w.Name)
				if w.Bytes == 0 && !strings.HasSuffix(w.Name, ".mrxs") || len(w.SHA256) != 64 {
					t.Errorf("written %+v", w)
				}
			}
			sort.Strings(names)
			want := "SLIDES/SLIDE001.mrxs SLIDES/SLIDE001/Data0000.dat SLIDES/SLIDE001/Index.dat SLIDES/SLIDE001/Slidedat.ini"
			if strings.Join(names, " ") != want {
				t.Errorf("written %v, want %s", names, want)
			}
			slideFile := filepath.Join(out, "SLIDES", "SLIDE001.mrxs")
			if level == privacy.Identified {
				for _, n := range []string{"Data0000.dat", "Index.dat", "Slidedat.ini"} {
					a, _ := os.ReadFile(filepath.Join(dir, "slides", "file", n))
					b, _ := os.ReadFile(filepath.Join(out, "SLIDES", "SLIDE001", n))
					if len(a) == 0 || !bytes.Equal(a, b) {
						t.Errorf("identified copy of %s differs", n)
					}
				}
				return
			}
			// Independent leak scan of every byte written, with the case's
			// identity (the slide's name and ID among it) and the fixture's.
			sc := leakscan.New(inv.Identity.Needles())
			filepath.WalkDir(out, func(p string, de os.DirEntry, err error) error {
				if err != nil || de.IsDir() {
					return err
				}
				b, _ := os.ReadFile(p)
				if hits := sc.Bytes(p, b); len(hits) > 0 {
					t.Errorf("%v", hits)
				}
				for _, tok := range []string{tifffix.FakeSlideID, tifffix.FakePatient, tifffix.FakeAccession, tifffix.FakeSerial, "14/03/2026"} {
					if bytes.Contains(b, []byte(tok)) {
						t.Errorf("%s holds %q", p, tok)
					}
				}
				return nil
			})
			show := testtool.Look(t, "openslide-show-properties", "openslide-tools")
			b, err := exec.Command(show, slideFile).CombinedOutput()
			if err != nil {
				t.Fatalf("OpenSlide does not open the written slide: %v: %s", err, b)
			}
			props := string(b)
			for _, k := range []string{"openslide.vendor: 'mirax'", "openslide.level-count: '2'", "ScanDataLayer_SlidePreview"} {
				if !strings.Contains(props, k) {
					t.Errorf("properties lack %s", k)
				}
			}
			for _, k := range []string{"SlideBarcode", "SlideThumbnail", "BARCODE", "SLIDE_NAME", "PROJECT_NAME", "CREATIONDATETIME", "HARDWARE_ID"} {
				if strings.Contains(props, k) {
					t.Errorf("properties keep %s", k)
				}
			}
		})
	}
}

// TestWriteTreeHoldsLeakingMRXS: identity the de-identifier does not know
// about (here the slide's name inside an image tile) is found by the scan
// of the written bytes, and the whole slide is held back: none of its
// files is left in the output.
func TestWriteTreeHoldsLeakingMRXS(t *testing.T) {
	dir, _ := mrxsCase(t)
	data := filepath.Join(dir, "slides", "file", "Data0000.dat")
	b, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	// The first level-0 tile follows the header; overwrite part of its
	// entropy-coded data.
	copy(b[len(b)/4:], tifffix.FakeFilename)
	if err := os.WriteFile(data, b, 0o644); err != nil {
		t.Fatal(err)
	}
	inv := scanCase(t, dir)
	secret, _ := privacy.NewSecret()
	p, _ := privacy.NewParams(privacy.Pseudonymised, secret, "DOSSIER-TEST-0001")
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, p, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 0 || len(res.LeftOut) != 1 || res.LeftOut[0].Action != Held {
		t.Fatalf("written %+v, left out %+v", res.Written, res.LeftOut)
	}
	filepath.WalkDir(out, func(p string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() {
			t.Errorf("left %s", p)
		}
		return nil
	})
}
