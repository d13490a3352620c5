package intake

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/tifffix"
	"dossier/packager/i18n"
	"dossier/packager/slide"
)

// A slide whose description is too large to read, an NDPI with no levels
// and a 4-byte TIFF are reported as problems, not passed over.
func TestSlideProblemsAreReported(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A tiled pyramid whose ImageDescription is larger than Dossier reads
	// (64 MiB; lowered here to keep the file small).
	defer func(m int64) { slide.MaxValueBytes = m }(slide.MaxValueBytes)
	slide.MaxValueBytes = 4 << 10
	huge := tifffix.ASCIITag(270, "Aperio Image Library v12|Filename = DOE"+strings.Repeat(" ", 8<<10))
	write("big-description.tif", tifffix.Build(tifffix.Options{}, []tifffix.IFD{
		tifffix.TiledImage(1024, 1024, 256, 10, huge),
		tifffix.TiledImage(512, 512, 256, 20),
	}))
	// An NDPI whose only image is the macro (SourceLens -1): no levels.
	write("empty.ndpi", tifffix.Build(tifffix.Options{NDPI: true}, []tifffix.IFD{
		tifffix.StripImage(64, 64, 0, tifffix.LongTag(65420, 1), tifffix.FloatTag(65421, -1)),
	}))
	write("four.tif", []byte("II*\x00"))

	inv := scan(t, Options{}, dir)
	want := map[string]string{
		"big-description.tif": "tiff.ImageDescription cannot be read (too large or damaged)",
		"empty.ndpi":          "holds no image levels",
		"four.tif":            "damaged TIFF file: it is cut short",
	}
	for name, problem := range want {
		it := itemAt(t, inv, name)
		if got := strings.Join(i18n.Strings(it.Problems), " | "); !strings.Contains(got, problem) {
			t.Errorf("%s (%s): problems %q", name, it.Kind, got)
		}
	}
	if it := itemAt(t, inv, "empty.ndpi"); it.Kind != KindUnreadable {
		t.Errorf("the NDPI without levels is %s", it.Kind)
	}
	if it := itemAt(t, inv, "four.tif"); it.Kind != KindUnreadable {
		t.Errorf("the 4-byte TIFF is %s", it.Kind)
	}
	if it := itemAt(t, inv, "big-description.tif"); it.Slide == nil || !strings.Contains(strings.Join(it.Slide.IdentifyingMetadata, " "), "tiff.ImageDescription") {
		t.Errorf("the unreadable description is not flagged as possibly identifying: %+v", it.Slide)
	}
}
