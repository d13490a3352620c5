package benchdata

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/intake"
)

// tiny is a scale small enough for a unit test.
var tiny = Scale{Name: "tiny", CDFiles: 12, CTSlices: 3, MixedBytes: 8 << 20, MixedMR: 4, MixedPDFs: 2, Copies: 2}

func TestEnsureWritesReadableSets(t *testing.T) {
	root := t.TempDir()
	ctx := context.Background()
	sets, err := Ensure(ctx, root, tiny, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if sets.CDFiles != tiny.CDFiles+1 || sets.CTFiles != tiny.CTSlices || sets.LargeFiles != tiny.Copies*(tiny.CDFiles+1) {
		t.Errorf("files: CD %d, CT %d, large %d", sets.CDFiles, sets.CTFiles, sets.LargeFiles)
	}
	if d := sets.MixedBytes - tiny.MixedBytes; d < -1<<20 || d > 1<<20 {
		t.Errorf("the mixed case has %d bytes, want about %d", sets.MixedBytes, tiny.MixedBytes)
	}

	// Dossier's own intake reads them as what they are: one patient, the CD's DICOMDIR, the slide.
	inv, err := intake.Scan(ctx, []string{sets.Mixed}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[intake.Kind]int{}
	for _, it := range inv.Items {
		kinds[it.Kind]++
	}
	if kinds[intake.KindDICOM] != tiny.CTSlices+tiny.MixedMR || kinds[intake.KindDICOMDIR] != 1 || kinds[intake.KindSlide] != 1 || kinds[intake.KindPDF] != tiny.MixedPDFs {
		t.Errorf("the mixed case reads as %v", kinds)
	}
	if len(inv.Patients) != 1 {
		t.Errorf("%d patients, want 1", len(inv.Patients))
	}
	inv, err = intake.Scan(ctx, []string{sets.Large}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Studies) != tiny.Copies {
		t.Errorf("the large case has %d studies, want one a CD (%d)", len(inv.Studies), tiny.Copies)
	}

	// A second call reuses the sets instead of writing them again.
	before, _ := os.Stat(filepath.Join(sets.CT, "IM000001"))
	again, err := Ensure(ctx, root, tiny, func(f string, a ...any) { t.Errorf("wrote again: "+f, a...) })
	if err != nil || again != sets {
		t.Fatalf("second Ensure: %v %+v", err, again)
	}
	after, _ := os.Stat(filepath.Join(sets.CT, "IM000001"))
	if !before.ModTime().Equal(after.ModTime()) {
		t.Error("the CT was written again")
	}
}

// The pixel data compresses about as real CT does (neither to nothing nor not at all), and the
// slide's tiles not at all.
func TestContentCompressesLikeRealData(t *testing.T) {
	spec := dcmfix.Spec{Modality: "CT", Rows: 512, Cols: 512}
	b := Instance(spec, newRand())
	pix := b[len(b)-512*512*2:]
	if got := binary.LittleEndian.Uint16(pix); got < 24 || got >= 32 {
		t.Errorf("the corner pixel is %d, want air (24..31)", got)
	}
	if r := ratio(t, pix); r < 0.25 || r > 0.8 {
		t.Errorf("CT pixel data deflates to %.2f of its size, want 0.25..0.8", r)
	}

	path := filepath.Join(t.TempDir(), "s.svs")
	if err := WriteSlide(path, 6<<20); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	first, err := firstTileOffset(f)
	if err != nil {
		t.Fatal(err)
	}
	if r := ratio(t, data[first:first+1<<20]); r < 0.99 {
		t.Errorf("slide tiles deflate to %.2f of their size, want none", r)
	}
}

func ratio(t *testing.T, b []byte) float64 {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.DefaultCompression)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return float64(out.Len()) / float64(len(b))
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 1)) }
