package bundle

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/tifffix"
	"dossier/internal/testtool"
	"dossier/packager/deid"
	"dossier/packager/identity"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

// mrxsCase is a CT image and a MIRAX slide (a .mrxs file and its folder).
func mrxsCase(t *testing.T) string {
	dir := t.TempDir()
	if _, err := tifffix.MRXS(filepath.Join(dir, "slides")); err != nil {
		t.Fatal(err)
	}
	ct := dcmfix.Instance(dcmfix.Spec{PatientName: "DOE^JANE", PatientID: "PID-0042", BirthDate: "19610203", Modality: "CT",
		StudyUID: "1.2.826.0.1.3680043.10.1999.61", SeriesUID: "1.2.826.0.1.3680043.10.1999.61.1", SOPUID: "1.2.826.0.1.3680043.10.1999.61.1.1"})
	if err := os.WriteFile(filepath.Join(dir, "CT1"), ct, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPackMRXS: at every level the bundle carries the MIRAX slide as
// SLIDES/SLIDE001.mrxs and its folder, in the manifest, and the slide opens
// in OpenSlide from the opened bundle; at the private levels without label,
// macro or identifying key, and with no identity in any byte.
func TestPackMRXS(t *testing.T) {
	src := mrxsCase(t)
	inv := scanCase(t, src)
	show := testtool.Look(t, "openslide-show-properties", "openslide-tools")
	for _, level := range []privacy.Level{privacy.Pseudonymised, privacy.Anonymised, privacy.Identified} {
		for _, folder := range []bool{false, true} {
			outDir := t.TempDir()
			out := Output{Dir: outDir, Name: "b", Passphrase: testPassphrase}
			if folder {
				out = Output{Dir: outDir, Name: "b", Folder: true}
			}
			res := pack(t, inv, out, level)
			for _, d := range res.LeftOut {
				t.Errorf("%s: left out %s: %s", level, d.Path, d.Reason)
			}
			dest := filepath.Join(outDir, "b")
			if !folder {
				dest = t.TempDir()
				if _, err := Open(context.Background(), decrypt(t, filepath.Join(outDir, "b.age"), passID(t)), dest, false, nil); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := VerifyFolder(context.Background(), dest); err != nil {
				t.Fatalf("%s: %v", level, err)
			}
			manifest, _ := os.ReadFile(filepath.Join(dest, NameManifest))
			for _, n := range []string{"SLIDES/SLIDE001.mrxs", "SLIDES/SLIDE001/Slidedat.ini", "SLIDES/SLIDE001/Index.dat", "SLIDES/SLIDE001/Data0000.dat"} {
				if !strings.Contains(string(manifest), "  "+n+"\n") {
					t.Errorf("%s: the manifest lacks %s", level, n)
				}
			}
			parts := 0
			for _, it := range res.Items {
				if strings.HasPrefix(it.Name, "SLIDES/") {
					parts++
				}
			}
			if parts != 4 {
				t.Errorf("%s: %d slide files among the items, want 4", level, parts)
			}
			index, _ := os.ReadFile(filepath.Join(dest, NameIndex))
			if strings.Count(string(index), `href="SLIDES/`) != 1 {
				t.Errorf("%s: INDEX.HTM does not link the slide once", level)
			}
			b, err := exec.Command(show, filepath.Join(dest, "SLIDES", "SLIDE001.mrxs")).CombinedOutput()
			if err != nil {
				t.Fatalf("%s: OpenSlide does not open the sent slide: %v: %s", level, err, b)
			}
			props := string(b)
			if level == privacy.Identified {
				if !strings.Contains(props, "SlideBarcode") || !strings.Contains(props, tifffix.FakeSlideID) {
					t.Errorf("identified: the slide is not the original")
				}
				continue
			}
			for _, k := range []string{"SlideBarcode", "SlideThumbnail", "BARCODE", "SLIDE_NAME", "PROJECT_NAME", tifffix.FakeSlideID} {
				if strings.Contains(props, k) {
					t.Errorf("%s: properties keep %s", level, k)
				}
			}
			sc := leakscan.New(inv.Identity.Needles())
			filepath.WalkDir(dest, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, _ := os.ReadFile(p)
				if hits := sc.Bytes(p, b); len(hits) > 0 {
					t.Errorf("%s: leak: %v", level, hits)
				}
				return nil
			})
		}
	}
}

// TestPackHoldsALeakingMRXS: identity in a part of the slide that the
// de-identifier keeps (here a token the case knows, in the kept
// Slidedat.ini) holds the whole slide back; the rest is sent.
func TestPackHoldsALeakingMRXS(t *testing.T) {
	src := mrxsCase(t)
	inv := scanCase(t, src)
	inv.Identity.Add(identity.Specimen, "ScanDataLayer_SlidePreview", "a test token") // in the kept Slidedat.ini
	res := pack(t, inv, Output{Dir: t.TempDir(), Name: "b", Passphrase: testPassphrase}, privacy.Pseudonymised)
	var held []deid.Decision
	for _, d := range res.LeftOut {
		if d.Action == deid.Held {
			held = append(held, d)
		}
	}
	if len(held) != 1 || !strings.HasSuffix(held[0].Path, "file.mrxs") {
		t.Fatalf("held %+v", held)
	}
	for _, it := range res.Items {
		if strings.HasPrefix(it.Name, "SLIDES/") {
			t.Errorf("a file of the held slide was sent: %s", it.Name)
		}
	}
	if len(res.Items) != 1 {
		t.Errorf("sent %d items, want the CT image", len(res.Items))
	}
}

// TestPackMRXSProgress: the progress counts a MIRAX slide's folder too, and
// ends with every byte counted.
func TestPackMRXSProgress(t *testing.T) {
	inv := scanCase(t, mrxsCase(t))
	var last Progress
	_, err := Pack(context.Background(), inv, Output{Dir: t.TempDir(), Name: "b", Folder: true},
		Options{Params: params(t, privacy.Pseudonymised), Cover: testCover, Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	var folder int64
	for _, it := range inv.Items {
		if deid.MultiFile(it) {
			for _, f := range it.Slide.Files[1:] {
				fi, err := os.Stat(f)
				if err != nil {
					t.Fatal(err)
				}
				folder += fi.Size()
			}
		}
	}
	if folder == 0 || last.TotalBytes < folder || last.Bytes != last.TotalBytes || last.Done != last.Total {
		t.Errorf("last progress %+v, the slide's folder holds %d bytes", last, folder)
	}
}
