package bundle

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"dossier/packager/intake"
	"dossier/packager/preview"
	"dossier/packager/privacy"
)

// TestThumbnailsMadeEarlyAreTheSame checks that INDEX.HTM's pictures, made
// while the records are written, are the pictures thumbnails makes at the
// end: one PNG of each series' middle image and of each slide, byte for byte.
func TestThumbnailsMadeEarlyAreTheSame(t *testing.T) {
	dir := buildCase(t)
	inv := scanCase(t, dir)
	out := t.TempDir()
	pack(t, inv, Output{Dir: out, Name: "b", Folder: true}, privacy.Pseudonymised)

	opts := preview.Options{MaxSide: 160}
	var want [][]byte
	seen := map[seriesKey]bool{}
	for _, it := range inv.Items {
		k := seriesKey{it.StudyInstanceUID, it.SeriesInstanceUID}
		if it.Kind != intake.KindDICOM || seen[k] {
			continue
		}
		seen[k] = true
		if b := pngOf(preview.SeriesImage(context.Background(), inv, k.study, k.uid, opts)); b != nil {
			want = append(want, b)
		}
	}
	for _, it := range inv.Items {
		if it.Slide != nil {
			if b := pngOf(preview.SlideImage(context.Background(), inv, it.Slide, opts)); b != nil {
				want = append(want, b)
			}
		}
	}
	if len(want) < 5 { // four series and the slide
		t.Fatalf("made %d pictures of the case, want 5", len(want))
	}
	names, err := filepath.Glob(filepath.Join(out, "b", "THUMBS", "*.PNG"))
	if err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b)
	}
	slices.SortFunc(want, bytes.Compare)
	slices.SortFunc(got, bytes.Compare)
	if !slices.EqualFunc(got, want, bytes.Equal) {
		t.Errorf("the bundle has %d pictures, not the %d made at the end byte for byte", len(got), len(want))
	}
}
