package bundle

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/packager/privacy"
)

func TestAddedPaths(t *testing.T) {
	rel := addedPaths([]string{"/home/jane/records/CD/DICOM/IM1", "/home/jane/records/reports/p.pdf", "/home/jane/records/dl.zip!/a/b.pdf"})
	for in, want := range map[string]string{
		"/home/jane/records/CD/AUTORUN.INF":  "CD/AUTORUN.INF",
		"/home/jane/records/dl.zip!/a/b.pdf": "dl.zip!/a/b.pdf",
		"/elsewhere/x.txt":                   "x.txt",
	} {
		if got := rel(in); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
	if got := addedPaths([]string{"/home/jane/one.pdf"})("/home/jane/one.pdf"); got != "one.pdf" {
		t.Errorf("one file: %q", got)
	}
}

// TestLeftOutNamesNoLocalFolders: at every level, the cover, README.TXT and INDEX.HTM name a
// left-out file relative to what was added, never by the folders above it on the patient's computer.
func TestLeftOutNamesNoLocalFolders(t *testing.T) {
	dir := buildCase(t)
	os.WriteFile(filepath.Join(dir, "autorun.inf"), []byte("[autorun]\r\nopen=viewer.exe\r\n"), 0o644)
	inv := scanCase(t, dir)
	local := filepath.Dir(dir)
	for _, level := range []privacy.Level{privacy.Identified, privacy.Pseudonymised, privacy.Anonymised} {
		var cover []string
		out := t.TempDir()
		opts := Options{Params: params(t, level), Cover: func(ctx context.Context, w io.Writer, info CoverInfo) error {
			cover = nil
			for _, l := range info.LeftOut {
				cover = append(cover, l.String())
			}
			return testCover(ctx, w, info)
		}}
		res, err := Pack(context.Background(), inv, Output{Dir: out, Name: "b", Folder: true}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.LeftOut) == 0 || len(cover) == 0 {
			t.Fatalf("%s: nothing left out", level)
		}
		for _, l := range cover {
			if strings.Contains(l, local) {
				t.Errorf("%s: the cover names a local folder: %q", level, l)
			}
		}
		if level == privacy.Identified && !strings.HasPrefix(strings.Join(cover, "\n"), "autorun.inf: ") && !strings.Contains(strings.Join(cover, "\n"), "\nautorun.inf: ") {
			t.Errorf("identified: the autorun file is not named by its path in the case: %q", cover)
		}
		for _, name := range []string{NameReadme, NameIndex} {
			b, err := os.ReadFile(filepath.Join(out, "b", name))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), local) || strings.Contains(strings.ReplaceAll(string(b), "\r\n", "\n"), dir) {
				t.Errorf("%s: %s names a local folder", level, name)
			}
		}
	}
}
