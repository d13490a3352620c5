package preview

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/fixture/tifffix"
	"dossier/packager/exif"
	"dossier/packager/intake"
)

// scanOne writes data to a temporary file and returns its intake item.
func scanOne(t testing.TB, name string, data []byte) *intake.Item {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := intake.Scan(context.Background(), []string{p}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Items) != 1 {
		t.Fatalf("scan found %d items", len(inv.Items))
	}
	return inv.Items[0]
}

// pixelSpec describes an instance with known pixel values.
type pixelSpec struct {
	rows, cols, frames     int
	samples, bits          int
	signed                 bool
	photometric            string
	planar                 int
	window                 []string // center, width
	slope, intercept       string
	pixels                 []byte // already encoded in the syntax's byte order
	encapsulated           *dcmfix.Encapsulated
	syntax                 dcmfix.Syntax
	ts                     string
	instance               int
	seriesUID, sopUID, mod string
	bitsStored             int
	highBit                int
	imageType              []string
	studyUID               string
}

func (p pixelSpec) file() []byte {
	mod := p.mod
	if mod == "" {
		mod = "CT"
	}
	study := p.studyUID
	if study == "" {
		study = "1.2.826.0.1.3680043.10.1999.77"
	}
	base := dcmfix.Spec{Modality: mod, Syntax: p.syntax, InstanceNumber: p.instance, SeriesUID: p.seriesUID, SOPUID: p.sopUID,
		StudyUID: study, Sequence: true, ImageType: p.imageType}
	var el []dcmfix.Element
	for _, e := range base.Elements() {
		if e.Tag.Group == 0x0028 || e.Tag.Group == 0x7FE0 {
			continue
		}
		el = append(el, e)
	}
	t := dcmfix.T
	bs := p.bitsStored
	if bs == 0 {
		bs = p.bits
	}
	hb := p.highBit
	if hb == 0 {
		hb = bs - 1
	}
	pr := uint16(0)
	if p.signed {
		pr = 1
	}
	el = append(el,
		dcmfix.US(t(0x0028, 0x0002), uint16(p.samples)),
		dcmfix.Str(t(0x0028, 0x0004), "CS", p.photometric),
		dcmfix.US(t(0x0028, 0x0010), uint16(p.rows)),
		dcmfix.US(t(0x0028, 0x0011), uint16(p.cols)),
		dcmfix.US(t(0x0028, 0x0100), uint16(p.bits)),
		dcmfix.US(t(0x0028, 0x0101), uint16(bs)),
		dcmfix.US(t(0x0028, 0x0102), uint16(hb)),
		dcmfix.US(t(0x0028, 0x0103), pr),
	)
	if p.samples == 3 {
		el = append(el, dcmfix.US(t(0x0028, 0x0006), uint16(p.planar)))
	}
	if p.frames > 0 {
		el = append(el, dcmfix.Str(t(0x0028, 0x0008), "IS", fmt.Sprint(p.frames)))
	}
	if len(p.window) == 2 {
		el = append(el, dcmfix.Str(t(0x0028, 0x1050), "DS", p.window[0]), dcmfix.Str(t(0x0028, 0x1051), "DS", p.window[1]))
	}
	if p.slope != "" {
		el = append(el, dcmfix.Str(t(0x0028, 0x1052), "DS", p.intercept), dcmfix.Str(t(0x0028, 0x1053), "DS", p.slope))
	}
	switch {
	case p.encapsulated != nil:
		el = append(el, dcmfix.Element{Tag: dcmfix.TagPixelData, VR: "OB", Value: *p.encapsulated})
	case p.bits == 8:
		el = append(el, dcmfix.Bytes(dcmfix.TagPixelData, "OB", p.pixels))
	default:
		el = append(el, dcmfix.Bytes(dcmfix.TagPixelData, "OW", p.pixels))
	}
	opt := dcmfix.FileOptions{Syntax: p.syntax, TransferSyntaxUID: p.ts}
	return dcmfix.File(el, opt)
}

func words(bo binary.ByteOrder, v ...int) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		bo.PutUint16(b[2*i:], uint16(int16(x)))
	}
	return b
}

func imageOf(t *testing.T, data []byte) (image.Image, error) {
	t.Helper()
	it := scanOne(t, "f.dcm", data)
	return Image(context.Background(), it, Options{})
}

func grayPix(t *testing.T, img image.Image) []uint8 {
	t.Helper()
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("image is %T, want *image.Gray", img)
	}
	return g.Pix
}

func TestDICOMWindowAndRescale(t *testing.T) {
	// Stored values; HU = stored - 1024. Window 40/400: [-160, 240].
	stored := []int{0, 1024 - 160, 1024 + 40, 1024 + 240, 1024 + 241, 3000}
	want := []uint8{0, 0, 128, 255, 255, 255}
	for _, syn := range []struct {
		name string
		s    dcmfix.Syntax
		bo   binary.ByteOrder
	}{{"explicit LE", dcmfix.ExplicitLE, binary.LittleEndian}, {"implicit LE", dcmfix.ImplicitLE, binary.LittleEndian}, {"explicit BE", dcmfix.ExplicitBE, binary.BigEndian}} {
		t.Run(syn.name, func(t *testing.T) {
			f := pixelSpec{rows: 2, cols: 3, samples: 1, bits: 16, photometric: "MONOCHROME2", window: []string{"40", "400\\1500"},
				slope: "1", intercept: "-1024", pixels: words(syn.bo, stored...), syntax: syn.s}.file()
			img, err := imageOf(t, f)
			if err != nil {
				t.Fatal(err)
			}
			got := grayPix(t, img)
			// The value at the window's centre lands on 127 or 128.
			for i := range want {
				if d := int(got[i]) - int(want[i]); d < -1 || d > 1 {
					t.Errorf("pixel %d = %d, want %d (all %v)", i, got[i], want[i], got)
				}
			}
		})
	}
}

func TestDICOMMinMaxSignedMonochrome1(t *testing.T) {
	vals := []int{-100, 0, 100, 300}
	f := pixelSpec{rows: 2, cols: 2, samples: 1, bits: 16, signed: true, photometric: "MONOCHROME2", pixels: words(binary.LittleEndian, vals...)}
	img, err := imageOf(t, f.file())
	if err != nil {
		t.Fatal(err)
	}
	if got := grayPix(t, img); !bytes.Equal(got, []uint8{0, 64, 128, 255}) {
		t.Errorf("min/max stretch = %v", got)
	}
	f.photometric = "MONOCHROME1"
	img, err = imageOf(t, f.file())
	if err != nil {
		t.Fatal(err)
	}
	if got := grayPix(t, img); !bytes.Equal(got, []uint8{255, 191, 127, 0}) {
		t.Errorf("MONOCHROME1 = %v", got)
	}
	// 12 bits stored in 16, signed: 0xF000 bits above High Bit are ignored.
	f = pixelSpec{rows: 1, cols: 3, samples: 1, bits: 16, bitsStored: 12, signed: true, photometric: "MONOCHROME2",
		pixels: words(binary.LittleEndian, 0x0FFF|0xF000, 0x0000|0xA000, 0x07FF)}
	img, err = imageOf(t, f.file())
	if err != nil {
		t.Fatal(err)
	}
	// -1, 0, 2047
	if got := grayPix(t, img); got[0] != 0 || got[2] != 255 || got[1] != 0 {
		t.Errorf("12-bit signed = %v", got)
	}
}

func TestDICOMRGBAndFrames(t *testing.T) {
	// 2x1 RGB: red, blue.
	inter := []byte{255, 0, 0, 0, 0, 255}
	planar := []byte{255, 0, 0, 0, 0, 255}
	for i, px := range [][]byte{inter, planar} {
		f := pixelSpec{rows: 1, cols: 2, samples: 3, bits: 8, photometric: "RGB", planar: i, pixels: px, mod: "SC"}
		img, err := imageOf(t, f.file())
		if err != nil {
			t.Fatal(err)
		}
		r0, _, b0, _ := img.At(0, 0).RGBA()
		r1, _, b1, _ := img.At(1, 0).RGBA()
		if r0>>8 != 255 || b0 != 0 || r1 != 0 || b1>>8 != 255 {
			t.Errorf("planar %d: pixels %v %v", i, img.At(0, 0), img.At(1, 0))
		}
	}
	// Three frames of 2x2, constant 0, 100, 200: the middle one is shown.
	var px []int
	for _, v := range []int{0, 100, 200} {
		px = append(px, v, v, v, v)
	}
	f := pixelSpec{rows: 2, cols: 2, frames: 3, samples: 1, bits: 16, photometric: "MONOCHROME2", window: []string{"100.5", "201"}, pixels: words(binary.LittleEndian, px...)}
	img, err := imageOf(t, f.file())
	if err != nil {
		t.Fatal(err)
	}
	if got := grayPix(t, img); got[0] < 120 || got[0] > 130 {
		t.Errorf("middle frame = %v, want ~127", got)
	}
}

func gradient(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.SetGray(x, y, color.Gray{Y: uint8(x * 255 / max(w-1, 1))})
		}
	}
	return g
}

func jpegBytes(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDICOMJPEGBaseline(t *testing.T) {
	j := jpegBytes(t, gradient(64, 32))
	for _, enc := range []dcmfix.Encapsulated{
		{BOT: []uint32{0}, Fragments: [][]byte{j}},
		{Fragments: [][]byte{j[:100], j[100:]}}, // one frame in two fragments, empty BOT
	} {
		f := pixelSpec{rows: 32, cols: 64, samples: 1, bits: 8, photometric: "MONOCHROME2", encapsulated: &enc, ts: dcmfix.UIDJPEGBaseline}
		img, err := imageOf(t, f.file())
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 32 {
			t.Fatalf("size %v", b)
		}
		l, _, _, _ := img.At(0, 10).RGBA()
		r, _, _, _ := img.At(63, 10).RGBA()
		if l>>8 > 10 || r>>8 < 245 {
			t.Errorf("gradient ends %d %d", l>>8, r>>8)
		}
	}
	// Three frames, one fragment each: the middle frame is shown.
	var frames [][]byte
	for _, v := range []uint8{10, 128, 240} {
		g := image.NewGray(image.Rect(0, 0, 8, 8))
		for i := range g.Pix {
			g.Pix[i] = v
		}
		frames = append(frames, jpegBytes(t, g))
	}
	enc := dcmfix.Encapsulated{Fragments: frames}
	f := pixelSpec{rows: 8, cols: 8, frames: 3, samples: 1, bits: 8, photometric: "MONOCHROME2", encapsulated: &enc, ts: dcmfix.UIDJPEGBaseline}
	img, err := imageOf(t, f.file())
	if err != nil {
		t.Fatal(err)
	}
	if v, _, _, _ := img.At(4, 4).RGBA(); v>>8 < 120 || v>>8 > 136 {
		t.Errorf("middle JPEG frame value %d, want ~128", v>>8)
	}
}

// rleSegment PackBits-encodes b as literal runs of up to 128 bytes.
func rleSegment(b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		n := min(len(b), 128)
		out = append(out, byte(n-1))
		out = append(out, b[:n]...)
		b = b[n:]
	}
	if len(out)%2 == 1 {
		out = append(out, 0x80) // no-op padding
	}
	return out
}

func rleFrame(segs ...[]byte) []byte {
	hdr := make([]byte, 64)
	binary.LittleEndian.PutUint32(hdr, uint32(len(segs)))
	off := 64
	var body []byte
	for i, s := range segs {
		binary.LittleEndian.PutUint32(hdr[4+4*i:], uint32(off))
		e := rleSegment(s)
		body = append(body, e...)
		off += len(e)
	}
	return append(hdr, body...)
}

func TestDICOMRLE(t *testing.T) {
	// 16-bit: values 0, 256, 512, 65535 as MSB and LSB planes; with a repeat run too.
	hi := []byte{0, 1, 2, 0xFF}
	lo := []byte{0, 0, 0, 0xFF}
	frame := rleFrame(hi, lo)
	enc := dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{frame}}
	f := pixelSpec{rows: 2, cols: 2, samples: 1, bits: 16, photometric: "MONOCHROME2", window: []string{"32767.5", "65536"}, encapsulated: &enc, ts: dcmfix.UIDRLE}
	img, err := imageOf(t, f.file())
	if err != nil {
		t.Fatal(err)
	}
	got := grayPix(t, img)
	if got[0] != 0 || got[3] != 255 || got[1] != 1 || got[2] != 2 {
		t.Errorf("RLE 16-bit = %v", got)
	}
	// A repeat run: -3 repeats the next byte 4 times.
	seg := []byte{0xFD, 0x7F}
	hdr := make([]byte, 64)
	binary.LittleEndian.PutUint32(hdr, 1)
	binary.LittleEndian.PutUint32(hdr[4:], 64)
	enc = dcmfix.Encapsulated{Fragments: [][]byte{append(hdr, seg...)}}
	f = pixelSpec{rows: 2, cols: 2, samples: 1, bits: 8, photometric: "MONOCHROME2", window: []string{"128", "256"}, encapsulated: &enc, ts: dcmfix.UIDRLE}
	img, err = imageOf(t, f.file())
	if err != nil {
		t.Fatal(err)
	}
	if got := grayPix(t, img); got[0] != got[3] || got[0] < 120 || got[0] > 130 {
		t.Errorf("RLE repeat = %v", got)
	}
}

func TestDICOMNoPreview(t *testing.T) {
	cases := map[string]struct {
		data []byte
		want string
	}{
		"jpeg2000": {dcmfix.Instance(dcmfix.Spec{Modality: "CT", Compressed: true, TransferSyntaxUID: dcmfix.UIDJPEG2000}), "JPEG 2000"},
		"htj2k":    {dcmfix.Instance(dcmfix.Spec{Modality: "CT", Compressed: true, TransferSyntaxUID: dcmfix.UIDHTJ2K}), "JPEG 2000"},
		"broken jpeg": {pixelSpec{rows: 16, cols: 16, samples: 1, bits: 8, photometric: "MONOCHROME2", ts: dcmfix.UIDJPEGBaseline,
			encapsulated: &dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{dcmfix.OpaqueFrame(dcmfix.UIDJPEGBaseline, 0)}}}.file(), "could not"},
		"report":    {dcmfix.Instance(dcmfix.Spec{Modality: "SR"}), "no image"},
		"pdf":       {dcmfix.Instance(dcmfix.Spec{Modality: "DOC"}), "no image"},
		"truncated": {dcmfix.Truncate(dcmfix.Instance(dcmfix.Spec{Modality: "CT", Rows: 64, Cols: 64}), 2000), ""},
		"deflated":  {dcmfix.Instance(dcmfix.Spec{Modality: "CT", TransferSyntaxUID: dcmfix.UIDDeflatedLE}), ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			it := scanOne(t, "f.dcm", c.data)
			img, err := Image(context.Background(), it, Options{})
			if !errors.Is(err, ErrNoPreview) {
				t.Fatalf("got %v, %v; want ErrNoPreview", img, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			t.Logf("%s: %v", name, err)
		})
	}
}

func TestDICOMFixtureInstances(t *testing.T) {
	// dcmfix's own instances (pattern pixel data) preview in every syntax.
	for _, s := range []dcmfix.Spec{
		{Modality: "CT"}, {Modality: "MR", Syntax: dcmfix.ImplicitLE}, {Modality: "CT", Syntax: dcmfix.ExplicitBE},
		{Modality: "US", NumberOfFrames: 3}, {Modality: "CT", NoPreamble: true}, {Modality: "CT", Rows: 40, Cols: 30, Private: true},
		{Modality: "CT", Compressed: true, NumberOfFrames: 3}, {Modality: "US", Compressed: true, Rows: 24, Cols: 32},
	} {
		img, err := imageOf(t, dcmfix.Instance(s))
		if err != nil {
			t.Errorf("%+v: %v", s, err)
			continue
		}
		if b := img.Bounds(); b.Dx() != max(s.Cols, 16) || b.Dy() != max(s.Rows, 16) {
			t.Errorf("%s: size %v", s.Modality, b)
		}
	}
}

func TestSeriesImageMiddle(t *testing.T) {
	dir := t.TempDir()
	series := "1.2.826.0.1.3680043.10.1999.77.1"
	for i := 1; i <= 5; i++ {
		v := i * 40
		f := pixelSpec{rows: 2, cols: 2, samples: 1, bits: 16, photometric: "MONOCHROME2", window: []string{"127.5", "256"},
			pixels: words(binary.LittleEndian, v, v, v, v), instance: 6 - i, seriesUID: series, sopUID: fmt.Sprintf("%s.%d", series, i)}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("IM%d", i)), f.file(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Studies) != 1 || len(inv.Studies[0].Series) != 1 {
		t.Fatalf("studies %d", len(inv.Studies))
	}
	st := inv.Studies[0]
	img, err := SeriesImage(context.Background(), inv, st.StudyInstanceUID, st.Series[0].SeriesInstanceUID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Instance numbers 5..1 for values 40..200: the middle (number 3) holds 120.
	if got := grayPix(t, img); got[0] < 119 || got[0] > 122 {
		t.Errorf("middle value %d, want ~120", got[0])
	}
	if _, err := SeriesImage(context.Background(), inv, st.StudyInstanceUID, "9.9.9", Options{}); !errors.Is(err, ErrNoPreview) {
		t.Errorf("unknown series: %v", err)
	}
}

// withOrientation inserts an EXIF APP1 segment with orientation o after SOI.
func withOrientation(j []byte, o uint16) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	ifd := []byte{0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, byte(o >> 8), byte(o), 0, 0, 0, 0, 0, 0}
	payload := append(append([]byte("Exif\x00\x00"), tiff...), ifd...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, j[2:]...)
}

// pngOrientation inserts an eXIf chunk with orientation o after IHDR.
func pngOrientation(p []byte, o int) []byte {
	const afterIHDR = 8 + 25
	out := append([]byte{}, p[:afterIHDR]...)
	out = append(out, exif.PNGOrientationChunk(o)...)
	return append(out, p[afterIHDR:]...)
}

func TestPhotos(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		data []byte
		w, h int
	}{
		{"photo.jpg", docfix.JPEG(1200, 800), 512, 341},
		{"scan.png", docfix.PNG(300, 200), 300, 200},
		{"turned.jpg", withOrientation(docfix.JPEG(1200, 800), 6), 341, 512},
		{"turned.png", pngOrientation(docfix.PNG(300, 200), 6), 200, 300},
		{"scan.tif", tifffix.FlatTIFF(), 0, 0},
	} {
		it := scanOne(t, c.name, c.data)
		img, err := Image(ctx, it, Options{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if b := img.Bounds(); c.w > 0 && (b.Dx() != c.w || b.Dy() != c.h) {
			t.Errorf("%s: size %dx%d, want %dx%d", c.name, b.Dx(), b.Dy(), c.w, c.h)
		}
	}
	it := scanOne(t, "letter.pdf", docfix.PDF("Dear Doctor"))
	if _, err := Image(ctx, it, Options{}); !errors.Is(err, ErrNoPreview) {
		t.Errorf("pdf image: %v", err)
	}
}

func TestText(t *testing.T) {
	ctx := context.Background()
	it := scanOne(t, "letter.docx", docfix.DOCX("  Pathology report  ", "", "Diagnosis: invasive carcinoma", "Line three", "Line four"))
	got, err := Text(ctx, it, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Pathology report\nDiagnosis: invasive carcinoma\nLine three"; got != want {
		t.Errorf("docx text = %q, want %q", got, want)
	}
	it = scanOne(t, "report.pdf", docfix.PDF("Surgical pathology", "Specimen: left breast"))
	got, err = Text(ctx, it, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Surgical pathology") || !strings.Contains(got, "left breast") {
		t.Errorf("pdf text = %q", got)
	}
	it = scanOne(t, "photo.jpg", docfix.JPEG(10, 10))
	if _, err := Text(ctx, it, 3); !errors.Is(err, ErrNoPreview) {
		t.Errorf("photo text: %v", err)
	}
}

func TestScale(t *testing.T) {
	g := gradient(1000, 10)
	s := Scale(g, 100)
	if b := s.Bounds(); b.Dx() != 100 || b.Dy() != 1 {
		t.Fatalf("size %v", b)
	}
	if _, ok := s.(*image.Gray); !ok {
		t.Errorf("type %T", s)
	}
	if p := s.(*image.Gray).Pix; p[0] > 5 || p[99] < 250 {
		t.Errorf("ends %d %d", p[0], p[99])
	}
	n := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range n.Pix {
		n.Pix[i] = 200
	}
	s = Scale(n, 2)
	if c := s.(*image.NRGBA).NRGBAAt(1, 1); c.R != 200 || c.A != 200 {
		t.Errorf("nrgba %v", c)
	}
	if Scale(n, 8) != image.Image(n) {
		t.Error("small image was copied")
	}
}

func TestOpenErrorHasNoPath(t *testing.T) {
	it := scanOne(t, "DOE_JANE.jpg", docfix.JPEG(10, 10))
	os.Remove(it.Path)
	_, err := Image(context.Background(), it, Options{})
	if err == nil || strings.Contains(err.Error(), "DOE_JANE") {
		t.Errorf("error %v", err)
	}
	if _, err := Text(context.Background(), &intake.Item{Kind: intake.KindPDF, Path: it.Path}, 3); err == nil || strings.Contains(err.Error(), "DOE_JANE") {
		t.Errorf("text error %v", err)
	}
}

// TestHostile cuts and flips bytes of files of every supported kind: each
// either previews or fails with an error, never panics.
func TestHostile(t *testing.T) {
	j := jpegBytes(t, gradient(32, 16))
	enc := dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{j}}
	rle := dcmfix.Encapsulated{Fragments: [][]byte{rleFrame([]byte{0, 1, 2, 3}, []byte{4, 5, 6, 7})}}
	inputs := map[string][]byte{
		"native": pixelSpec{rows: 4, cols: 4, frames: 2, samples: 1, bits: 16, photometric: "MONOCHROME2", window: []string{"40", "400"},
			pixels: words(binary.LittleEndian, make([]int, 32)...)}.file(),
		"jpeg": pixelSpec{rows: 16, cols: 32, samples: 1, bits: 8, photometric: "MONOCHROME2", encapsulated: &enc, ts: dcmfix.UIDJPEGBaseline}.file(),
		"rle":  pixelSpec{rows: 2, cols: 2, samples: 1, bits: 16, photometric: "MONOCHROME2", encapsulated: &rle, ts: dcmfix.UIDRLE}.file(),
		"svs":  tifffix.SVS(tifffix.SVSOptions{}),
	}
	ctx := context.Background()
	for name, data := range inputs {
		try := func(b []byte) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s (%d bytes): panic %v", name, len(b), p)
				}
			}()
			r := bytes.NewReader(b)
			if name == "svs" {
				slideImage(ctx, r, int64(len(b)))
			} else {
				dicomImage(ctx, r, int64(len(b)))
			}
		}
		for n := 0; n < len(data); n += max(1, len(data)/300) {
			try(data[:n])
		}
		for i := 0; i < len(data); i += max(1, len(data)/400) {
			for _, v := range []byte{0x00, 0xFF, 0x7F} {
				b := append([]byte{}, data...)
				b[i] = v
				try(b)
			}
		}
	}
}
