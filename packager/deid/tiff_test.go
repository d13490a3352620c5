package deid

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/tiff"

	"dossier/internal/fixture/tifffix"
	"dossier/internal/testtool"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
)

// tiffPhoto returns a TIFF photo whose description, artist, document name
// and XMP name the patient, as a strip or tiled RGB picture, with more tags.
func tiffPhoto(tiled bool, extra ...tifffix.Tag) []byte {
	tags := append([]tifffix.Tag{
		tifffix.ASCIITag(270, "Photo of Kare Odegard, wound"),
		tifffix.ASCIITag(315, "Kare Odegard"),
		tifffix.ASCIITag(269, "Odegard.tif"),
		tifffix.BytesTag(700, 1, []byte(`<x:xmpmeta><dc:creator>Kare Odegard</dc:creator></x:xmpmeta>`)),
	}, extra...)
	ifd := tifffix.StripImage(64, 48, 40, tags...)
	if tiled {
		ifd = tifffix.TiledImage(64, 48, 16, 40, tags...)
	}
	return tifffix.Build(tifffix.Options{}, []tifffix.IFD{ifd})
}

// TestMaskTIFF: a TIFF photo (strip, tiled, Deflate-compressed) is written
// with the box black, every other pixel as it was, losslessly, and none of
// its metadata (the leak scan reads every tag); TIFFs Dossier cannot clean
// (too many pages, an unknown orientation tag, old-style JPEG or fax
// inside, BigTIFF) fail with their plain reason.
func TestMaskTIFF(t *testing.T) {
	var deflated bytes.Buffer
	src := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range src.Pix {
		src.Pix[i] = byte(i*7 + 1)
	}
	tiff.Encode(&deflated, src, &tiff.Options{Compression: tiff.Deflate, Predictor: true})
	box := pixelmask.Box{X: 8, Y: 4, Width: 20, Height: 10}
	for name, in := range map[string][]byte{"strip": tiffPhoto(false), "tiled": tiffPhoto(true), "deflate": deflated.Bytes()} {
		if name != "deflate" && len(layersWithPlanted(t, in, "tiff")) == 0 {
			t.Fatalf("%s: the fixture does not name the patient", name)
		}
		before, err := tiff.Decode(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := MaskTIFF(&out, bytes.NewReader(in), []pixelmask.Box{box}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if places := layersWithPlanted(t, out.Bytes(), "tiff"); len(places) > 0 {
			t.Errorf("%s: the name is left in %v", name, places)
		}
		after, err := tiff.Decode(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < 48; y++ {
			for x := 0; x < 64; x++ {
				in := x >= box.X && x < box.X+box.Width && y >= box.Y && y < box.Y+box.Height
				got, want := color.RGBAModel.Convert(after.At(x, y)), color.RGBAModel.Convert(before.At(x, y))
				if in && got != (color.RGBA{0, 0, 0, 255}) || !in && got != want {
					t.Fatalf("%s: pixel %d,%d is %v (was %v, in the box: %v)", name, x, y, got, want, in)
				}
			}
		}
	}
	for name, c := range map[string]struct {
		in   []byte
		want error
	}{
		"pages":       {tifffix.Build(tifffix.Options{}, tooManyPages()), errTIFFPages},
		"orientation": {tiffPhoto(false, tifffix.ShortTag(274, 9)), errTIFFOrientation},
		"old JPEG":    {tifffix.Build(tifffix.Options{}, []tifffix.IFD{tifffix.StripImage(8, 8, 1, tifffix.ShortTag(259, 6))}), errTIFFCompression},
		"fax":         {tifffix.Build(tifffix.Options{}, []tifffix.IFD{tifffix.StripImage(8, 8, 1, tifffix.ShortTag(259, 4))}), errTIFFCompression},
		"bigtiff":     {tifffix.Build(tifffix.Options{BigTIFF: true}, []tifffix.IFD{tifffix.StripImage(8, 8, 1)}), errTIFFCompression},
	} {
		if err := MaskTIFF(&bytes.Buffer{}, bytes.NewReader(c.in), nil); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// TestTIFFPhotosArePlanned: a TIFF photo is held for review like a JPEG
// and, included with a box, written masked and clean; a multi-page TIFF is
// held for review too.
func TestTIFFPhotosArePlanned(t *testing.T) {
	dir := t.TempDir()
	photo := write(t, dir, "wound.tif", tiffPhoto(false))
	pages := write(t, dir, "pages.tif", tifffix.Build(tifffix.Options{}, []tifffix.IFD{tifffix.StripImage(8, 8, 1), tifffix.StripImage(8, 8, 2)}))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, "Ødegård^Kåre", "the test")
	red := map[string]*Redactions{photo: {Pixels: []pixelmask.Box{{X: 0, Y: 0, Width: 10, Height: 10}}, Confirmed: true}}
	ds, err := Plan(context.Background(), inv, privacy.Anonymised, Options{Include: map[string]bool{photo: true}, Redactions: red})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		switch d.Path {
		case photo:
			if d.Action != Review || !d.Included || d.Reason.String() != reasonPhoto {
				t.Errorf("photo: %s (%s) included %v", d.Action, d.Reason, d.Included)
			}
		case pages:
			if d.Action != Review || d.Reason.String() != reasonPhoto {
				t.Errorf("pages: %s (%s)", d.Action, d.Reason)
			}
		}
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 1 || res.Written[0].Path != photo {
		t.Fatalf("written %+v, left out %+v", res.Written, res.LeftOut)
	}
	if r := res.Written[0].Redacted; len(r) == 0 || r[0].Kind != "picture boxes" {
		t.Errorf("redacted %+v", r)
	}
}

// jpegTIFF returns a TIFF whose picture m is JPEG-compressed (compression
// 7) in two strips, each a whole JPEG stream or, with shared, abbreviated
// streams whose tables are in JPEGTables; and the picture as decoded.
func jpegTIFF(t *testing.T, m image.Image, shared bool) ([]byte, image.Image) {
	t.Helper()
	b := m.Bounds()
	half := b.Dy() / 2
	comps, photometric := uint64(3), uint64(6)
	if _, ok := m.(*image.Gray); ok {
		comps, photometric = 1, 1
	}
	var strips [][]byte
	var tables []byte
	decoded := image.NewRGBA(b)
	for i, r := range []image.Rectangle{image.Rect(0, 0, b.Dx(), half), image.Rect(0, half, b.Dx(), b.Dy())} {
		var j bytes.Buffer
		sub := m.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(r)
		if err := jpeg.Encode(&j, sub, &jpeg.Options{Quality: 85}); err != nil {
			t.Fatal(err)
		}
		dj, err := jpeg.Decode(bytes.NewReader(j.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		draw.Draw(decoded, r, dj, dj.Bounds().Min, draw.Src)
		s := j.Bytes()
		if shared {
			// SOI, then segments: DQT and DHT go to the tables.
			tb, rest := []byte{0xFF, 0xD8}, []byte{0xFF, 0xD8}
			for p := 2; p+4 <= len(s); {
				marker, n := s[p+1], int(s[p+2])<<8|int(s[p+3])
				seg := s[p : p+2+n]
				if marker == 0xDA { // SOS: the rest is the scan
					rest = append(rest, s[p:]...)
					break
				}
				if marker == 0xDB || marker == 0xC4 {
					tb = append(tb, seg...)
				} else {
					rest = append(rest, seg...)
				}
				p += 2 + n
			}
			if i == 0 {
				tables = append(tb, 0xFF, 0xD9)
			}
			s = rest
		}
		strips = append(strips, append([]byte(nil), s...))
	}
	bits := []uint64{8}
	if comps == 3 {
		bits = []uint64{8, 8, 8}
	}
	tags := []tifffix.Tag{
		tifffix.LongTag(256, uint64(b.Dx())), tifffix.LongTag(257, uint64(b.Dy())),
		tifffix.ShortTag(258, bits...), tifffix.ShortTag(259, 7), tifffix.ShortTag(262, photometric),
		tifffix.ShortTag(277, comps), tifffix.LongTag(278, uint64(half)), tifffix.ShortTag(284, 1),
		tifffix.ASCIITag(315, "Kare Odegard"),
	}
	if shared {
		tags = append(tags, tifffix.BytesTag(347, 7, tables))
	}
	return tifffix.Build(tifffix.Options{}, []tifffix.IFD{{Tags: tags, Data: strips}}), decoded
}

// TestMaskJPEGTIFF: a JPEG-compressed TIFF (grey or colour, tables in each
// strip or shared in JPEGTables) is decoded, masked and written losslessly:
// outside the box every pixel is as the JPEG decodes, and no tag is left.
func TestMaskJPEGTIFF(t *testing.T) {
	grey := image.NewGray(image.Rect(0, 0, 64, 48))
	colour := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range grey.Pix {
		grey.Pix[i] = byte(i * 5)
	}
	for i := range colour.Pix {
		colour.Pix[i] = byte(i*3 + i/64)
		if i%4 == 3 {
			colour.Pix[i] = 255
		}
	}
	box := pixelmask.Box{X: 4, Y: 20, Width: 16, Height: 12}
	for name, c := range map[string]struct {
		m      image.Image
		shared bool
	}{"grey": {grey, false}, "colour": {colour, false}, "colour, JPEGTables": {colour, true}, "grey, JPEGTables": {grey, true}} {
		in, want := jpegTIFF(t, c.m, c.shared)
		var out bytes.Buffer
		if err := MaskTIFF(&out, bytes.NewReader(in), []pixelmask.Box{box}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if places := layersWithPlanted(t, out.Bytes(), "tiff"); len(places) > 0 {
			t.Errorf("%s: the name is left in %v", name, places)
		}
		after, err := tiff.Decode(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < 48; y++ {
			for x := 0; x < 64; x++ {
				inBox := x >= box.X && x < box.X+box.Width && y >= box.Y && y < box.Y+box.Height
				got := color.RGBAModel.Convert(after.At(x, y))
				w := color.RGBAModel.Convert(want.At(x, y))
				if inBox && got != (color.RGBA{0, 0, 0, 255}) || !inBox && got != w {
					t.Fatalf("%s: pixel %d,%d is %v, want %v (in the box: %v)", name, x, y, got, w, inBox)
				}
			}
		}
	}
}

// TestTIFFOrientation: a TIFF turned by its orientation tag is written
// upright (the copy has no tag), after its box is masked where it was
// given (in stored pixels): with orientation 6 (turn right), stored
// pixel (x, y) shows at (h-1-y, x).
func TestTIFFOrientation(t *testing.T) {
	const w, h = 6, 4
	pix := make([]byte, w*h)
	for i := range pix {
		pix[i] = byte(10 + i)
	}
	for o, at := range map[int]func(x, y int) (int, int){
		6: func(x, y int) (int, int) { return h - 1 - y, x },
		8: func(x, y int) (int, int) { return y, w - 1 - x },
		3: func(x, y int) (int, int) { return w - 1 - x, h - 1 - y },
	} {
		tags := []tifffix.Tag{
			tifffix.LongTag(256, w), tifffix.LongTag(257, h), tifffix.ShortTag(258, 8), tifffix.ShortTag(259, 1),
			tifffix.ShortTag(262, 1), tifffix.ShortTag(274, uint64(o)), tifffix.ShortTag(277, 1), tifffix.LongTag(278, h),
		}
		in := tifffix.Build(tifffix.Options{}, []tifffix.IFD{{Tags: tags, Data: [][]byte{pix}}})
		var out bytes.Buffer
		if err := MaskTIFF(&out, bytes.NewReader(in), []pixelmask.Box{{X: 0, Y: 0, Width: 1, Height: 1}}); err != nil {
			t.Fatalf("orientation %d: %v", o, err)
		}
		m, err := tiff.Decode(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		g := m.(*image.Gray)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				want := pix[y*w+x]
				if x == 0 && y == 0 {
					want = 0 // the box
				}
				ox, oy := at(x, y)
				if got := g.GrayAt(ox, oy).Y; got != want {
					t.Fatalf("orientation %d: stored %d,%d shows %d at %d,%d, want %d", o, x, y, got, ox, oy, want)
				}
			}
		}
	}
}

// tooManyPages is one page more than a TIFF may have.
func tooManyPages() []tifffix.IFD {
	var out []tifffix.IFD
	for i := 0; i <= maxTIFFPages; i++ {
		out = append(out, tifffix.StripImage(2, 2, byte(i)))
	}
	return out
}

// TestMaskMultiPageTIFF: a TIFF of three pages (a strip, a tiled and a
// turned one, each naming the patient in its tags) is written as three
// pages, each decoded again and cleaned of its tags; a box for every page
// is black on each, a box for page 2 on page 2 alone, and every other
// pixel is as it was. ImageMagick reads the copy's three pages.
func TestMaskMultiPageTIFF(t *testing.T) {
	named := func(extra ...tifffix.Tag) []tifffix.Tag {
		return append([]tifffix.Tag{tifffix.ASCIITag(270, "Photo of Kare Odegard, page"), tifffix.ASCIITag(315, "Kare Odegard")}, extra...)
	}
	in := tifffix.Build(tifffix.Options{}, []tifffix.IFD{
		tifffix.StripImage(64, 48, 40, named()...),
		tifffix.TiledImage(64, 48, 16, 90, named()...),
		tifffix.StripImage(40, 24, 200, named(tifffix.ShortTag(274, 6))...), // shown turned right: 24×40
	})
	if len(layersWithPlanted(t, in, "tiff")) == 0 {
		t.Fatal("the fixture does not name the patient")
	}
	all := pixelmask.Box{X: 0, Y: 0, Width: 8, Height: 4}
	second := pixelmask.Box{Frame: 2, X: 20, Y: 20, Width: 10, Height: 10}
	var out bytes.Buffer
	if err := MaskTIFF(&out, bytes.NewReader(in), []pixelmask.Box{all, second}); err != nil {
		t.Fatal(err)
	}
	if places := layersWithPlanted(t, out.Bytes(), "tiff"); len(places) > 0 {
		t.Errorf("the name is left in %v", places)
	}
	inOffs, err := tiffIFDs(in)
	if err != nil {
		t.Fatal(err)
	}
	offs, err := tiffIFDs(out.Bytes())
	if err != nil || len(offs) != 3 {
		t.Fatalf("written pages %v: %v", offs, err)
	}
	for i := range offs {
		before, err := tiff.Decode(&tiffPage{b: in, ifd: inOffs[i]})
		if err != nil {
			t.Fatal(err)
		}
		after, err := tiff.Decode(&tiffPage{b: out.Bytes(), ifd: offs[i]})
		if err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		boxes := []pixelmask.Box{all}
		if i == 1 {
			boxes = append(boxes, second)
		}
		if i == 2 {
			// Written upright: the stored pixel (x, y) shows at (h-1-y, x).
			b := before.Bounds()
			if a := after.Bounds(); a.Dx() != b.Dy() || a.Dy() != b.Dx() {
				t.Fatalf("page 3: %v written for %v stored, turned right", a, b)
			}
			for y := 0; y < b.Dy(); y++ {
				for x := 0; x < b.Dx(); x++ {
					in := x < all.Width && y < all.Height
					got, want := color.RGBAModel.Convert(after.At(b.Dy()-1-y, x)), color.RGBAModel.Convert(before.At(x, y))
					if in && got != (color.RGBA{0, 0, 0, 255}) || !in && got != want {
						t.Fatalf("page 3: stored pixel %d,%d is %v (was %v, in the box: %v)", x, y, got, want, in)
					}
				}
			}
			continue
		}
		if after.Bounds() != before.Bounds() {
			t.Fatalf("page %d: %v written for %v", i+1, after.Bounds(), before.Bounds())
		}
		for y := 0; y < 48; y++ {
			for x := 0; x < 64; x++ {
				in := false
				for _, bx := range boxes {
					in = in || x >= bx.X && x < bx.X+bx.Width && y >= bx.Y && y < bx.Y+bx.Height
				}
				got, want := color.RGBAModel.Convert(after.At(x, y)), color.RGBAModel.Convert(before.At(x, y))
				if in && got != (color.RGBA{0, 0, 0, 255}) || !in && got != want {
					t.Fatalf("page %d: pixel %d,%d is %v (was %v, in a box: %v)", i+1, x, y, got, want, in)
				}
			}
		}
	}
	identify := testtool.Look(t, "identify", "imagemagick")
	f := filepath.Join(t.TempDir(), "pages.tif")
	if err := os.WriteFile(f, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(identify, "-format", "%wx%h\n", f).CombinedOutput()
	if err != nil {
		t.Fatalf("identify: %v\n%s", err, got)
	}
	if strings.TrimSpace(string(got)) != "64x48\n64x48\n24x40" {
		t.Errorf("identify reads %q", got)
	}
}
