package redactview

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
)

func janeDoe() *identity.Matcher {
	s := identity.NewSet()
	s.Add(identity.Name, "Jane Doe", "test")
	return s.Matcher()
}

func scanOne(t *testing.T, name string, b []byte) *intake.Item {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil || len(inv.Items) != 1 {
		t.Fatalf("scan: %v", err)
	}
	return inv.Items[0]
}

// dark counts the dark pixels of img inside r.
func dark(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.GrayModel.Convert(img.At(x, y)).(color.Gray)
			if c.Y < 128 {
				n++
			}
		}
	}
	return n
}

// TestPDFTextFoundAndRemoved: the name in a PDF's text is suggested as a
// "text found" box on its page; the page as sent, drawn from the redacted
// copy, no longer shows the name's glyphs, while the other line is drawn
// the same.
func TestPDFTextFoundAndRemoved(t *testing.T) {
	ctx := context.Background()
	it := scanOne(t, "report.pdf", docfix.PDF("Pathology report for Jane Doe", "Invasive ductal carcinoma, grade 2"))
	v, err := Open(ctx, it, janeDoe(), "name removed", intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Pages != 1 || v.Unit != Points || len(v.Suggested) != 1 || v.Suggested[0].Origin != Text || v.Suggested[0].Page != 1 {
		t.Fatalf("view %+v", v)
	}
	w, h := v.Size(1)
	if w < 500 || h < 700 {
		t.Errorf("page size %v×%v", w, h)
	}
	before, err := v.Before(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if before.Bounds().Dx() != int(w*PageScale+0.999) {
		t.Errorf("drawn %v for a page of %v points", before.Bounds(), w)
	}
	s := v.Suggested[0]
	nameRect := image.Rect(int(s.X*PageScale)+2, int(s.Y*PageScale)+2, int((s.X+s.Width)*PageScale)-2, int((s.Y+s.Height)*PageScale)-2)
	if dark(before, nameRect) == 0 {
		t.Fatal("the name is not drawn on the page before")
	}
	after, err := v.After(ctx, 1, v.Suggested)
	if err != nil {
		t.Fatal(err)
	}
	// The name's place is covered by the export's black box.
	if a := dark(after, nameRect); a < nameRect.Dx()*nameRect.Dy()*9/10 {
		t.Errorf("the name's place is not covered after: %d dark pixels of %d", a, nameRect.Dx()*nameRect.Dy())
	}
	// The second line, below the first, is drawn alike.
	second := image.Rect(0, int((s.Y+s.Height)*PageScale)+10, before.Bounds().Dx(), int((s.Y+s.Height)*PageScale)+60)
	if a, b := dark(after, second), dark(before, second); a != b || b == 0 {
		t.Errorf("the second line: %d dark pixels before, %d after", b, a)
	}
	r := v.Redactions(v.Suggested, true)
	if len(r.PDF) != 0 || len(r.Pixels) != 0 || !r.Confirmed {
		t.Errorf("text found is not passed as boxes (the export finds it): %+v", r)
	}
	drawn := Box{Page: 1, X: 50, Y: 400, Width: 100, Height: 20, Origin: Drawn}
	if r := v.Redactions([]Box{drawn}, false); len(r.PDF) != 1 || r.PDF[0].X != 50 || r.PDF[0].Page != 1 {
		t.Errorf("drawn box %+v", r.PDF)
	}
}

// TestPNGBoxesMasked: a PNG photo is shown as stored; the page as sent is
// written by the export's PNG masker: black in the box, the same outside.
func TestPNGBoxesMasked(t *testing.T) {
	ctx := context.Background()
	m := image.NewNRGBA(image.Rect(0, 0, 120, 80))
	draw.Draw(m, m.Bounds(), image.NewUniform(color.NRGBA{200, 180, 160, 255}), image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	it := scanOne(t, "photo.png", buf.Bytes())
	v, err := Open(ctx, it, janeDoe(), "", intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w, h := v.Size(1); v.Unit != Pixels || w != 120 || h != 80 {
		t.Fatalf("size %v×%v unit %v", w, h, v.Unit)
	}
	after, err := v.After(ctx, 1, []Box{{Page: 1, X: 10.4, Y: 20, Width: 30, Height: 10.2, Origin: Drawn}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		x, y  int
		black bool
	}{{10, 20, true}, {40, 30, true}, {9, 20, false}, {41, 25, false}, {20, 31, false}, {100, 70, false}} {
		r, g, b, _ := after.At(c.x, c.y).RGBA()
		if (r == 0 && g == 0 && b == 0) != c.black {
			t.Errorf("(%d,%d): black %v, want %v", c.x, c.y, !c.black, c.black)
		}
	}
	if r := v.Redactions([]Box{{Page: 1, X: 10.4, Y: 20, Width: 30, Height: 10.2}}, true); len(r.Pixels) != 1 || r.Pixels[0].Width != 31 || r.Pixels[0].Height != 11 {
		t.Errorf("pixel boxes %+v", r.Pixels)
	}
}

// TestImageOnlyPDFPageShown: a scanned page is drawn with its picture (so
// the patient sees what to box), and the page as sent is black under her
// box and the same picture elsewhere.
func TestImageOnlyPDFPageShown(t *testing.T) {
	ctx := context.Background()
	it := scanOne(t, "scan.pdf", docfix.PDFImageOnly())
	v, err := Open(ctx, it, janeDoe(), "", intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Pages != 1 || len(v.Suggested) != 0 {
		t.Fatalf("view %+v", v)
	}
	before, err := v.Before(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, h := v.Size(1)
	// The picture covers x 100..500, y (from the top) h-600..h-200 points.
	top := h - 600
	area := image.Rect(110*PageScale, int(top+10)*PageScale, 490*PageScale, int(top+390)*PageScale)
	greys := map[uint8]bool{}
	for y := area.Min.Y; y < area.Max.Y; y += 7 {
		for x := area.Min.X; x < area.Max.X; x += 7 {
			greys[color.GrayModel.Convert(before.At(x, y)).(color.Gray).Y] = true
		}
	}
	if len(greys) < 32 {
		t.Fatalf("the scan's picture is not drawn: %d shades", len(greys))
	}
	box := Box{Page: 1, X: 150, Y: top + 50, Width: 100, Height: 100, Origin: Drawn}
	after, err := v.After(ctx, 1, []Box{box})
	if err != nil {
		t.Fatal(err)
	}
	in := image.Rect(int(box.X+2)*PageScale, int(box.Y+2)*PageScale, int(box.X+box.Width-2)*PageScale, int(box.Y+box.Height-2)*PageScale)
	// Dark but for the box's white label.
	if n := dark(after, in); n < in.Dx()*in.Dy()*95/100 {
		t.Errorf("under the box: %d of %d pixels dark", n, in.Dx()*in.Dy())
	}
	same := 0
	out := image.Rect(300*PageScale, int(top+250)*PageScale, 480*PageScale, int(top+380)*PageScale)
	for y := out.Min.Y; y < out.Max.Y; y++ {
		for x := out.Min.X; x < out.Max.X; x++ {
			a, b := color.GrayModel.Convert(after.At(x, y)).(color.Gray).Y, color.GrayModel.Convert(before.At(x, y)).(color.Gray).Y
			if a >= b-2 && a <= b+2 {
				same++
			}
		}
	}
	if same < out.Dx()*out.Dy()*95/100 {
		t.Errorf("away from the box the picture changed: %d of %d alike", same, out.Dx()*out.Dy())
	}
}

// TestDrawnWritingBoxed: a page whose writing is drawn as glyph outlines
// cannot be shown as sent without boxes (its text cannot be located
// there); with the user's box over the drawing, the page as sent is
// worked out (the drawing taken out under a black box), and the box goes
// to the export confirmed.
func TestDrawnWritingBoxed(t *testing.T) {
	ctx := context.Background()
	it := scanOne(t, "signed.pdf", docfix.PDFPathText([]string{"Patient: Jane Doe", "Invasive ductal carcinoma"}, "Signed for Jane Doe"))
	v, err := Open(ctx, it, janeDoe(), "name removed", intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Unread) != 1 || v.Unread[0] != 1 {
		t.Errorf("pages with writing not read: %v, want page 1", v.Unread)
	}
	var text []Box
	var outlined *Box
	for i, b := range v.Suggested {
		switch b.Origin {
		case Text:
			text = append(text, b)
		case Outlined:
			outlined = &v.Suggested[i]
		}
	}
	// The drawn line "Signed for Jane Doe" lies 176 to 200 points from
	// the top, from 66 points in: suggested for a box.
	if outlined == nil || outlined.X > 72 || outlined.Y > 182 || outlined.X+outlined.Width < 205 || outlined.Y+outlined.Height < 195 || outlined.Y < 170 {
		t.Fatalf("suggested %+v: want a box over the drawn line", v.Suggested)
	}
	if _, err := v.After(ctx, 1, text); err == nil {
		t.Error("the page as sent was worked out without a box over the drawn writing")
	}
	if _, err := v.After(ctx, 1, v.Suggested); err != nil {
		t.Errorf("with the suggested boxes: %v", err)
	}
	box := Box{Page: 1, X: 66, Y: 176, Width: 220, Height: 24, Origin: Drawn}
	after, err := v.After(ctx, 1, append(text, box))
	if err != nil {
		t.Fatal(err)
	}
	in := image.Rect(int(box.X+2)*PageScale, int(box.Y+2)*PageScale, int(box.X+box.Width-2)*PageScale, int(box.Y+box.Height-2)*PageScale)
	if n := dark(after, in); n < in.Dx()*in.Dy()*9/10 {
		t.Errorf("under the box: %d of %d pixels dark", n, in.Dx()*in.Dy())
	}
	if r := v.Redactions(append(text, box), true); len(r.PDF) != 1 || !r.Confirmed {
		t.Errorf("redactions %+v", r)
	}
}

// TestUndecodableImageSaysWhy: an ultrasound image compressed in a way
// Dossier cannot decode (JPEG 2000) is not shown, and the error
// says why, so the app can tell the patient that no box can help.
func TestUndecodableImageSaysWhy(t *testing.T) {
	for _, ts := range []string{"1.2.840.10008.1.2.4.91", dcmfix.UIDJPEG2000} {
		it := scanOne(t, "US1", dcmfix.Instance(dcmfix.Spec{Modality: "US", PatientName: "DOE^JANE", Compressed: true, TransferSyntaxUID: ts}))
		if _, err := Open(context.Background(), it, janeDoe(), "", intake.Options{}); !errors.Is(err, pixelmask.ErrCannotDecode) {
			t.Errorf("%s: %v, want ErrCannotDecode", ts, err)
		}
	}
}

// TestJPEGExtendedImageShownAndMasked: an 8-bit ultrasound image in JPEG
// Extended (process 2 and 4) is shown and, with a box, shown as sent with
// the box black; so is a 12-bit one.
func TestJPEGExtendedImageShownAndMasked(t *testing.T) {
	ctx := context.Background()
	it := scanOne(t, "US1", dcmfix.PixelInstance(dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "US", PatientName: "DOE^JANE", Rows: 48, Cols: 64,
		TransferSyntaxUID: dcmfix.UIDJPEGExtended}, Encoding: "jpeg", Frames: 2}))
	if it.DICOM == nil || it.DICOM.TransferSyntaxUID != dcmfix.UIDJPEGExtended {
		t.Fatalf("the fixture: %+v", it.DICOM)
	}
	v, err := Open(ctx, it, janeDoe(), "", intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Frames != 2 {
		t.Errorf("%d frames", v.Frames)
	}
	if _, err := v.Before(ctx, 1); err != nil {
		t.Fatal(err)
	}
	box := Box{Page: 1, X: 8, Y: 8, Width: 20, Height: 10, Origin: Drawn}
	blackIn := func(img image.Image, r image.Rectangle) int {
		n := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if r, g, b, _ := img.At(x, y).RGBA(); r == 0 && g == 0 && b == 0 {
					n++
				}
			}
		}
		return n
	}
	if bare, err := v.AfterFrame(ctx, 1, nil); err != nil || blackIn(bare, image.Rect(8, 8, 28, 18)) == 200 {
		t.Fatalf("the picture is already dark where the box goes (%v)", err)
	}
	for f := 1; f <= 2; f++ {
		after, err := v.AfterFrame(ctx, f, []Box{box})
		if err != nil {
			t.Fatal(err)
		}
		if n := blackIn(after, image.Rect(8, 8, 28, 18)); n != 200 {
			t.Errorf("frame %d: %d of 200 pixels under the box black", f, n)
		}
	}
	// A 12-bit one (16 bits allocated) is shown and masked too; one whose
	// frames are not JPEG data says it cannot be decoded.
	twelve := scanOne(t, "US2", dcmfix.PixelInstance(dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "OT", BurnedIn: "YES", PatientName: "DOE^JANE", Rows: 48, Cols: 64},
		Encoding: "jpeg12", BitsAllocated: 16, BitsStored: 12}))
	v12, err := Open(ctx, twelve, janeDoe(), "", intake.Options{})
	if err != nil {
		t.Fatalf("12-bit JPEG: %v", err)
	}
	if bare, err := v12.AfterFrame(ctx, 1, nil); err != nil || blackIn(bare, image.Rect(8, 8, 28, 18)) == 200 {
		t.Fatalf("12-bit JPEG: already dark where the box goes (%v)", err)
	}
	if after, err := v12.AfterFrame(ctx, 1, []Box{box}); err != nil || blackIn(after, image.Rect(8, 8, 28, 18)) != 200 {
		t.Errorf("12-bit JPEG: the box is not black (%v)", err)
	}
	damaged := scanOne(t, "US3", dcmfix.Instance(dcmfix.Spec{Modality: "OT", BurnedIn: "YES", PatientName: "DOE^JANE", Compressed: true, TransferSyntaxUID: dcmfix.UIDJPEGExtended}))
	if _, err := Open(ctx, damaged, janeDoe(), "", intake.Options{}); !errors.Is(err, pixelmask.ErrCannotDecode) {
		t.Errorf("12-bit JPEG that is not JPEG data: %v, want ErrCannotDecode", err)
	}
}
