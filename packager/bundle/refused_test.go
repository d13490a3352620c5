package bundle

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/deid"
	"dossier/packager/privacy"
)

// TestPackLeavesOutWhatTheDeidentifierRefuses: Pack leaves the check that
// the DICOM de-identifier accepts a file to the writing (each file is read
// and transformed once). A file it refuses (a character set it does not
// know) or that changed after it was added is left out with the reason a
// plan that checked it first gives, leaves no entry in the bundle, and the
// rest is written and verifies, in a bundle and in a folder.
func TestPackLeavesOutWhatTheDeidentifierRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	spec := func(sop string, n int) dcmfix.Spec {
		return dcmfix.Spec{PatientName: "DOE^JANE", PatientID: "PID-0042", BirthDate: "19610203", SOPUID: sop, InstanceNumber: n}
	}
	write("a-fine", dcmfix.Instance(spec("1.2.3.4.6", 1)))
	charset := spec("1.2.3.4.5", 2)
	charset.SeriesUID, charset.CharacterSet = "1.2.3.4.99", []string{"ISO_IR 999"}
	write("b-charset", dcmfix.Instance(charset))
	changed := write("c-changed", dcmfix.Instance(spec("1.2.3.4.7", 3)))
	write("d-fine", dcmfix.Instance(spec("1.2.3.4.8", 4)))
	inv := scanCase(t, dir)
	later := spec("1.2.3.4.7", 33)
	later.Rows = 32
	if err := os.WriteFile(changed, dcmfix.Instance(later), 0o644); err != nil {
		t.Fatal(err)
	}
	// The reasons of a plan that runs every file through the de-identifier.
	want := map[string]string{}
	ds, err := deid.Plan(context.Background(), inv, privacy.Pseudonymised, deid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !d.Writes() {
			want[filepath.Base(d.Path)] = d.Reason.String()
		}
	}
	if len(want) != 2 || want["b-charset"] == "" || want["c-changed"] == "" {
		t.Fatalf("the plan left out %v", want)
	}
	for _, folder := range []bool{false, true} {
		outDir := t.TempDir()
		out := Output{Dir: outDir, Name: "b", Passphrase: testPassphrase}
		if folder {
			out = Output{Dir: outDir, Name: "b", Folder: true}
		}
		res := pack(t, inv, out, privacy.Pseudonymised)
		got := map[string]string{}
		for _, d := range res.LeftOut {
			if d.Action != deid.Exclude || d.Name != "" {
				t.Errorf("folder=%v: %s left out as %s named %q", folder, d.Path, d.Action, d.Name)
			}
			got[filepath.Base(d.Path)] = d.Reason.String()
		}
		for name, reason := range want {
			if got[name] != reason {
				t.Errorf("folder=%v: %s left out for %q, want %q", folder, name, got[name], reason)
			}
		}
		var sent []string
		for _, it := range res.Items {
			if strings.HasPrefix(it.Name, "DICOM/") {
				sent = append(sent, filepath.Base(it.Path))
			}
		}
		slices.Sort(sent)
		if !slices.Equal(sent, []string{"a-fine", "d-fine"}) {
			t.Errorf("folder=%v: sent %v", folder, sent)
		}
		dest := filepath.Join(outDir, "b")
		if !folder {
			dest = t.TempDir()
			if _, err := Open(context.Background(), decrypt(t, filepath.Join(outDir, "b.age"), passID(t)), dest, false, nil); err != nil {
				t.Fatal(err)
			}
		}
		images := 0
		filepath.WalkDir(filepath.Join(dest, "DICOM"), func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasPrefix(e.Name(), "IM") {
				images++
			}
			return err
		})
		if images != 2 {
			t.Errorf("folder=%v: %d images in the bundle, want 2", folder, images)
		}
		if _, err := VerifyFolder(context.Background(), dest); err != nil {
			t.Errorf("folder=%v: the bundle does not verify: %v", folder, err)
		}
	}
}
