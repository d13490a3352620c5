package preview

import (
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/tifffix"
	"dossier/internal/testtool"
	"dossier/packager/dicomx"
	"dossier/packager/intake"
)

func TestSVSThumbnailRaw(t *testing.T) {
	ctx := context.Background()
	it := scanOne(t, "slide.svs", tifffix.SVS(tifffix.SVSOptions{}))
	if it.Kind != intake.KindSlide {
		t.Fatalf("kind %s", it.Kind)
	}
	img, err := Image(ctx, it, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != tifffix.ThumbWidth || b.Dy() != tifffix.ThumbHeight {
		t.Fatalf("size %v", b)
	}
	// The builder fills the thumbnail with 0x50 + i%7 per byte.
	if c := color.NRGBAModel.Convert(img.At(0, 0)).(color.NRGBA); c.R != 0x50 || c.G != 0x51 || c.B != 0x52 {
		t.Errorf("first pixel %v", c)
	}
	// Without a thumbnail: the smallest level (tiled, uncompressed).
	it = scanOne(t, "slide.svs", tifffix.SVS(tifffix.SVSOptions{NoThumbnail: true, BigTIFF: true}))
	img, err = Image(ctx, it, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != tifffix.L1Width || b.Dy() != tifffix.L1Height {
		t.Fatalf("level size %v", b)
	}
	for _, data := range [][]byte{tifffix.GenericPyramidTIFF(tifffix.GenericOptions{BigEndian: true}), tifffix.OMETIFF(), tifffix.BIF()} {
		it = scanOne(t, "slide.tif", data)
		if img, err := Image(ctx, it, Options{}); err != nil {
			t.Errorf("%s: %v", it.Format, err)
		} else {
			t.Logf("%s: %v", it.Format, img.Bounds())
		}
	}
	it = scanOne(t, "slide.ndpi", tifffix.NDPI(tifffix.NDPIOptions{}))
	if _, err := Image(ctx, it, Options{}); !errors.Is(err, ErrNoPreview) {
		t.Errorf("ndpi with fake JPEG: %v", err)
	}
}

// splitJPEG returns a JPEG stream's tables (SOI, DQT, DHT, EOI) and the
// abbreviated stream without them, as Aperio stores strips.
func splitJPEG(t *testing.T, j []byte) (tables, abbreviated []byte) {
	t.Helper()
	tables = []byte{0xFF, 0xD8}
	abbreviated = []byte{0xFF, 0xD8}
	p := 2
	for {
		if j[p] != 0xFF {
			t.Fatal("bad marker")
		}
		m := j[p+1]
		if m == 0xDA {
			abbreviated = append(abbreviated, j[p:]...)
			break
		}
		l := int(j[p+2])<<8 | int(j[p+3])
		seg := j[p : p+2+l]
		if m == 0xDB || m == 0xC4 {
			tables = append(tables, seg...)
		} else {
			abbreviated = append(abbreviated, seg...)
		}
		p += 2 + l
	}
	return append(tables, 0xFF, 0xD9), abbreviated
}

func TestSVSThumbnailJPEGTables(t *testing.T) {
	const w, h, rps = 48, 24, 8
	var strips [][]byte
	var tables []byte
	for s := 0; s < h/rps; s++ {
		m := image.NewRGBA(image.Rect(0, 0, w, rps))
		for i := 0; i < len(m.Pix); i += 4 {
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = uint8(60*s+20), 100, 200, 255
		}
		tb, ab := splitJPEG(t, jpegBytes(t, m))
		tables = tb
		strips = append(strips, ab)
	}
	desc0 := "Aperio Image Library v12.0.15 \r\n64x48 [0,0 64x48] (16x16) RAW|AppMag = 20"
	thumb := tifffix.IFD{Data: strips, Tags: []tifffix.Tag{
		tifffix.LongTag(256, w), tifffix.LongTag(257, h), tifffix.ShortTag(258, 8, 8, 8), tifffix.ShortTag(259, 7),
		tifffix.ShortTag(262, 6), tifffix.ShortTag(277, 3), tifffix.ShortTag(284, 1), tifffix.LongTag(278, rps),
		tifffix.BytesTag(347, tifffix.Undefined, tables),
		tifffix.ASCIITag(270, "Aperio Image Library v12.0.15 \r\n64x48 -> 48x24 - |AppMag = 20"),
	}}
	data := tifffix.Build(tifffix.Options{}, []tifffix.IFD{
		tifffix.TiledImage(64, 48, 16, 0x40, tifffix.ASCIITag(270, desc0)),
		thumb,
	})
	it := scanOne(t, "slide.svs", data)
	if it.Kind != intake.KindSlide {
		t.Fatalf("kind %s %v", it.Kind, it.Problems)
	}
	img, err := Image(context.Background(), it, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("size %v", b)
	}
	for s := 0; s < h/rps; s++ {
		c := color.NRGBAModel.Convert(img.At(w/2, s*rps+rps/2)).(color.NRGBA)
		if d := int(c.R) - (60*s + 20); d < -6 || d > 6 || c.B < 190 {
			t.Errorf("strip %d colour %v", s, c)
		}
	}
}

// stddev returns the spread of the grey values of img.
func stddev(img image.Image) float64 {
	b := img.Bounds()
	var sum, sq, n float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			v := float64(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
			sum += v
			sq += v * v
			n++
		}
	}
	m := sum / n
	return math.Sqrt(sq/n - m*m)
}

func TestRealSlides(t *testing.T) {
	dir := testtool.Shared(t, "testdata/wsi")
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, it := range inv.Items {
		if it.Kind != intake.KindSlide && it.Kind != intake.KindDICOM {
			continue
		}
		img, err := Image(context.Background(), it, Options{})
		rel, _ := filepath.Rel(dir, it.Path)
		if err != nil {
			if !errors.Is(err, ErrNoPreview) {
				t.Errorf("%s: %v", rel, err)
			}
			t.Logf("%s: %v", rel, err)
			continue
		}
		sd := stddev(img)
		t.Logf("%s (%s): %v, spread %.1f", rel, it.Format, img.Bounds(), sd)
		if filepath.Base(it.Path) == "CMU-1-Small-Region.svs" {
			seen++
			if sd < 5 || img.Bounds().Dx() < 64 {
				t.Errorf("CMU-1-Small-Region thumbnail looks blank: %v spread %.1f", img.Bounds(), sd)
			}
		}
	}
	for _, s := range inv.Slides {
		img, err := SlideImage(context.Background(), inv, s, Options{MaxSide: 256})
		if err != nil {
			t.Logf("slide %s: %v", s.Vendor, err)
			continue
		}
		if b := img.Bounds(); max(b.Dx(), b.Dy()) > 256 {
			t.Errorf("slide %s preview %v larger than asked", s.Vendor, b)
		}
	}
	if seen != 1 {
		t.Errorf("CMU-1-Small-Region.svs previewed %d times", seen)
	}
}

func TestDICOMSlideThumbnail(t *testing.T) {
	dir := t.TempDir()
	study := "1.2.826.0.1.3680043.10.1999.88"
	j := jpegBytes(t, gradient(40, 30))
	write := func(name, kind string, compressed bool) {
		enc := dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{j}}
		f := pixelSpec{rows: 30, cols: 40, samples: 1, bits: 8, photometric: "MONOCHROME2", mod: "SM", seriesUID: study + ".1", sopUID: study + ".1." + name}
		if compressed {
			f.encapsulated, f.ts = &enc, dcmfix.UIDJPEGBaseline
		} else {
			f.pixels = make([]byte, 30*40)
		}
		f.imageType = []string{"DERIVED", "PRIMARY", kind, "RESAMPLED"}
		f.studyUID = study
		if err := os.WriteFile(filepath.Join(dir, name), f.file(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("label", "LABEL", false)
	write("thumb", "THUMBNAIL", true)
	write("level", "VOLUME", false)
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Slides) != 1 {
		t.Fatalf("%d slides", len(inv.Slides))
	}
	img, err := SlideImage(context.Background(), inv, inv.Slides[0], Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sd := stddev(img); sd < 20 {
		t.Errorf("thumbnail is not the gradient (spread %.1f)", sd)
	}
	st := inv.Studies[0]
	img, err = SeriesImage(context.Background(), inv, st.StudyInstanceUID, st.Series[0].SeriesInstanceUID, Options{})
	if err != nil || stddev(img) < 20 {
		t.Errorf("series of a DICOM slide: %v", err)
	}
}

func TestPydicomCorpus(t *testing.T) {
	root := testtool.PydicomData(t)
	var paths []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	inv, err := intake.Scan(context.Background(), []string{root}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ok, none, dicoms int
	reasons := map[string]int{}
	for _, it := range inv.Items {
		if it.Kind != intake.KindDICOM && it.Kind != intake.KindUnreadable {
			continue
		}
		dicoms++
		img, err := Image(context.Background(), it, Options{})
		rel, _ := filepath.Rel(root, it.Path)
		switch {
		case err == nil:
			if img.Bounds().Empty() {
				t.Errorf("%s: empty image", rel)
			}
			ok++
		case errors.Is(err, ErrNoPreview):
			none++
			reasons[reasonOf(err)]++
		default:
			t.Errorf("%s: %v", rel, err)
		}
	}
	t.Logf("pydicom corpus: %d files, %d DICOM or unreadable items: %d previewed, %d no preview", len(paths), dicoms, ok, none)
	for r, n := range reasons {
		t.Logf("  %3d  %s", n, r)
	}
	if ok < 50 {
		t.Errorf("only %d files previewed", ok)
	}
}

// reasonOf shortens an error for the corpus tally.
func reasonOf(err error) string {
	var d *dicomx.DamagedError
	if errors.As(err, &d) {
		return "damaged DICOM"
	}
	s := err.Error()
	if len(s) > 110 {
		s = s[:110]
	}
	return s
}

func BenchmarkSeriesImageCT512(b *testing.B) {
	dir := b.TempDir()
	series := "1.2.826.0.1.3680043.10.1999.99.1"
	px := make([]int, 512*512)
	for i := range px {
		px[i] = (i*7)%2000 - 1000
	}
	for i := 1; i <= 3; i++ {
		f := pixelSpec{rows: 512, cols: 512, samples: 1, bits: 16, signed: true, photometric: "MONOCHROME2", window: []string{"40", "400"},
			slope: "1", intercept: "-1024", pixels: words(binary.LittleEndian, px...), instance: i, seriesUID: series, sopUID: series + "." + string(rune('0'+i))}
		if err := os.WriteFile(filepath.Join(dir, "IM"+string(rune('0'+i))), f.file(), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	st := inv.Studies[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SeriesImage(context.Background(), inv, st.StudyInstanceUID, st.Series[0].SeriesInstanceUID, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
