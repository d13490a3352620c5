package redactview

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"strconv"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"dossier/internal/fixture/tifffix"
	"dossier/packager/deid"
	"dossier/packager/exif"
	"dossier/packager/intake"
)

// withOrientation inserts an EXIF APP1 segment with orientation o after
// the SOI of the JPEG j.
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

// The upright photo of the orientation test: white, with the patient's
// name written in black inside nameRect.
const uprightW, uprightH = 160, 96

var nameRect = image.Rect(16, 20, 96, 40)

// storedPhoto returns a JPEG photo whose stored pixels, turned by its
// orientation tag o, show the upright picture (the name in nameRect).
func storedPhoto(t *testing.T, o int) []byte {
	t.Helper()
	up := image.NewGray(image.Rect(0, 0, uprightW, uprightH))
	draw.Draw(up, up.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: up, Src: image.Black, Face: basicfont.Face7x13, Dot: fixed.P(nameRect.Min.X+4, nameRect.Max.Y-6)}
	d.DrawString("JANE DOE")
	w, h := uprightW, uprightH
	if o >= 5 {
		w, h = h, w
	}
	stored := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < uprightH; y++ {
		for x := 0; x < uprightW; x++ {
			sx, sy := exif.Source(o, x, y, w, h)
			stored.SetGray(sx, sy, up.GrayAt(x, y))
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, stored, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return withOrientation(b.Bytes(), uint16(o))
}

// inkIn counts the pixels of img in r darker than mid-grey.
func inkIn(img image.Image, r image.Rectangle) int { return dark(img, r) }

// TestTurnedPhotoBoxesMaskTheName: a phone photo stored turned or mirrored
// (each EXIF orientation) is shown upright; a box drawn over the name in
// the upright view goes to the export as the stored pixels under it, so
// the written photo, shown upright as any viewer shows it, has the name
// blacked out and nothing else.
func TestTurnedPhotoBoxesMaskTheName(t *testing.T) {
	ctx := context.Background()
	box := Box{Page: 1, X: float64(nameRect.Min.X), Y: float64(nameRect.Min.Y), Width: float64(nameRect.Dx()), Height: float64(nameRect.Dy()), Origin: Drawn}
	below := image.Rect(0, nameRect.Max.Y+8, uprightW, uprightH)
	for o := 1; o <= 8; o++ {
		name := "orientation " + strconv.Itoa(o)
		it := scanOne(t, "photo.jpg", storedPhoto(t, o))
		v, err := Open(ctx, it, janeDoe(), "", intake.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if w, h := v.Size(1); w != uprightW || h != uprightH {
			t.Errorf("%s: shown %v×%v, want upright %d×%d", name, w, h, uprightW, uprightH)
		}
		before, err := v.Before(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if inkIn(before, nameRect) < 40 || inkIn(before, below) != 0 {
			t.Fatalf("%s: the name is not shown upright where it is written", name)
		}
		// The export's own JPEG writer, with the boxes as the export takes them.
		r := v.Redactions([]Box{box}, true)
		f, err := intake.Open(it, intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err = deid.MaskJPEG(&out, f, r.Pixels)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		o2 := exif.JPEGOrientation(out.Bytes())
		if max(o2, 1) != o {
			t.Errorf("%s: written with orientation %d", name, o2)
		}
		stored, err := jpeg.Decode(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		written := exif.Upright(stored, o2)
		if n := inkIn(written, nameRect); n != nameRect.Dx()*nameRect.Dy() {
			t.Errorf("%s: %d of %d pixels of the name's place black in the written photo", name, n, nameRect.Dx()*nameRect.Dy())
		}
		if n := inkIn(written, below); n != 0 {
			t.Errorf("%s: %d dark pixels away from the box in the written photo", name, n)
		}
		// The preview's page as sent shows the same.
		after, err := v.After(ctx, 1, []Box{box})
		if err != nil {
			t.Fatal(err)
		}
		if b := after.Bounds(); b.Dx() != uprightW || b.Dy() != uprightH || inkIn(after, nameRect) != nameRect.Dx()*nameRect.Dy() {
			t.Errorf("%s: the page as sent (%v) does not show the name blacked out upright", name, after.Bounds())
		}
	}
}

// TestTIFFPagesShownUpright: a TIFF scan of two pages, the second stored
// turned (orientation 6), is shown page by page, each upright; a box drawn
// over a mark on page 2 in the upright view goes to the export as page 2's
// stored pixels, so page 2 as written (upright) is black there and page 1
// is untouched.
func TestTIFFPagesShownUpright(t *testing.T) {
	ctx := context.Background()
	const sw, sh = 40, 24 // page 2 as stored; upright it is 24×40
	mark := image.Rect(4, 10, 20, 20)
	page2 := tifffix.StripImage(sw, sh, 200, tifffix.ShortTag(274, 6))
	pix := bytes.Repeat([]byte{200}, sw*sh*3)
	for y := mark.Min.Y; y < mark.Max.Y; y++ {
		for x := mark.Min.X; x < mark.Max.X; x++ {
			sx, sy := exif.Source(6, x, y, sw, sh)
			copy(pix[3*(sy*sw+sx):], []byte{10, 10, 10})
		}
	}
	page2.Data = [][]byte{pix}
	it := scanOne(t, "scan.tif", tifffix.Build(tifffix.Options{}, []tifffix.IFD{tifffix.StripImage(64, 48, 200), page2}))
	v, err := Open(ctx, it, janeDoe(), "", intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w, h := v.Size(2); v.Pages != 2 || w != sh || h != sw {
		t.Fatalf("%d pages, page 2 shown %v×%v", v.Pages, w, h)
	}
	before, err := v.Before(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n := inkIn(before, mark); n != mark.Dx()*mark.Dy() || inkIn(before, image.Rect(0, 24, 24, 40)) != 0 {
		t.Fatalf("page 2 is not shown upright: %d dark in the mark", n)
	}
	box := Box{Page: 2, X: float64(mark.Min.X), Y: float64(mark.Min.Y), Width: float64(mark.Dx()), Height: float64(mark.Dy()), Origin: Drawn}
	if r := v.Redactions([]Box{box}, true); len(r.Pixels) != 1 || r.Pixels[0].Frame != 2 {
		t.Fatalf("pixel boxes %+v: want one on page 2", r.Pixels)
	}
	after, err := v.After(ctx, 2, []Box{box})
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < sw; y++ {
		for x := 0; x < sh; x++ {
			r, g, b, _ := after.At(x, y).RGBA()
			black := r == 0 && g == 0 && b == 0
			if black != image.Pt(x, y).In(mark) {
				t.Fatalf("page 2 as sent: (%d,%d) black %v", x, y, black)
			}
		}
	}
	first, err := v.After(ctx, 1, []Box{box})
	if err != nil {
		t.Fatal(err)
	}
	if n := inkIn(first, first.Bounds()); n != 0 {
		t.Errorf("page 1 as sent has %d dark pixels", n)
	}
}

// pngWithEXIf returns the PNG p with an eXIf chunk after IHDR holding
// orientation o and the patient's name as the Artist.
func pngWithEXIf(p []byte, o int) []byte {
	artist := "Jane Doe\x00"
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	tiff = append(tiff, 0, 2)
	tiff = append(tiff, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0) // Orientation
	dataAt := 8 + 2 + 2*12 + 4
	tiff = append(tiff, 0x01, 0x3B, 0, 2, 0, 0, 0, byte(len(artist)), 0, 0, 0, byte(dataAt)) // Artist
	tiff = append(tiff, 0, 0, 0, 0)
	tiff = append(tiff, artist...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(tiff)))
	chunk = append(chunk, "eXIf"...)
	chunk = append(chunk, tiff...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	const afterIHDR = 8 + 25
	out := append([]byte{}, p[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, p[afterIHDR:]...)
}

// TestTurnedPNGBoxesMaskTheName: a PNG whose eXIf chunk says it is stored
// turned or mirrored (each orientation) is shown upright like a JPEG photo;
// a box drawn over the name in the upright view is masked in the stored
// pixels under it, and the written PNG keeps only its orientation, so shown
// upright it is the picture as it was, with the box black and every other
// pixel the same (lossless).
func TestTurnedPNGBoxesMaskTheName(t *testing.T) {
	ctx := context.Background()
	box := Box{Page: 1, X: float64(nameRect.Min.X), Y: float64(nameRect.Min.Y), Width: float64(nameRect.Dx()), Height: float64(nameRect.Dy()), Origin: Drawn}
	for o := 1; o <= 8; o++ {
		name := "orientation " + strconv.Itoa(o)
		j, err := jpeg.Decode(bytes.NewReader(storedPhoto(t, o)))
		if err != nil {
			t.Fatal(err)
		}
		var p bytes.Buffer
		if err := png.Encode(&p, j); err != nil {
			t.Fatal(err)
		}
		in := pngWithEXIf(p.Bytes(), o)
		upright := exif.Upright(j, o)
		it := scanOne(t, "photo.png", in)
		v, err := Open(ctx, it, janeDoe(), "", intake.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if w, h := v.Size(1); w != uprightW || h != uprightH {
			t.Errorf("%s: shown %v×%v, want upright %d×%d", name, w, h, uprightW, uprightH)
		}
		before, err := v.Before(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if inkIn(before, nameRect) < 40 || inkIn(before, image.Rect(0, nameRect.Max.Y+8, uprightW, uprightH)) != 0 {
			t.Fatalf("%s: the name is not shown upright where it is written", name)
		}
		r := v.Redactions([]Box{box}, true)
		f, err := intake.Open(it, intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err = deid.MaskPNG(&out, f, r.Pixels)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out.Bytes(), []byte("Jane")) {
			t.Errorf("%s: the eXIf chunk's name is still in the written PNG", name)
		}
		o2 := exif.PNGOrientation(bytes.NewReader(out.Bytes()), int64(out.Len()))
		if max(o2, 1) != o {
			t.Errorf("%s: written with orientation %d", name, o2)
		}
		stored, err := png.Decode(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		written := exif.Upright(stored, o2)
		if b := written.Bounds(); b.Dx() != uprightW || b.Dy() != uprightH {
			t.Fatalf("%s: written shows %v upright", name, b)
		}
		for y := 0; y < uprightH; y++ {
			for x := 0; x < uprightW; x++ {
				got := color.GrayModel.Convert(written.At(x, y)).(color.Gray).Y
				want := color.GrayModel.Convert(upright.At(x, y)).(color.Gray).Y
				if image.Pt(x, y).In(nameRect) {
					want = 0
				}
				if got != want {
					t.Fatalf("%s: written (%d,%d) upright is %d, want %d", name, x, y, got, want)
				}
			}
		}
		after, err := v.After(ctx, 1, []Box{box})
		if err != nil {
			t.Fatal(err)
		}
		if b := after.Bounds(); b.Dx() != uprightW || b.Dy() != uprightH || inkIn(after, nameRect) != nameRect.Dx()*nameRect.Dy() {
			t.Errorf("%s: the page as sent (%v) does not show the name blacked out upright", name, after.Bounds())
		}
		// Sent without boxes, it keeps its orientation and loses the name.
		var plain bytes.Buffer
		if err := deid.StripPNG(&plain, bytes.NewReader(in)); err != nil {
			t.Fatal(err)
		}
		if o3 := exif.PNGOrientation(bytes.NewReader(plain.Bytes()), int64(plain.Len())); max(o3, 1) != o || bytes.Contains(plain.Bytes(), []byte("Jane")) {
			t.Errorf("%s: stripped PNG has orientation %d (name left: %v)", name, o3, bytes.Contains(plain.Bytes(), []byte("Jane")))
		}
		if _, err := png.Decode(bytes.NewReader(plain.Bytes())); err != nil {
			t.Errorf("%s: stripped PNG: %v", name, err)
		}
	}
}
