package cli

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"dossier/assets"
	"dossier/internal/testtool"
	"dossier/packager/exif"
)

// TestSuggestRedactionsForATurnedPhoto: a phone photo (JPEG, or PNG with
// an eXIf chunk) stored turned (orientation 6) with the patient's name written on it is read upright by
// OCR; the box suggested is given in the pixels as stored, and passed back
// with --redactions it blacks out every pixel of the name in the written
// photo, as a viewer shows it.
func TestSuggestRedactionsForATurnedPhoto(t *testing.T) {
	testtool.Look(t, "tesseract", "tesseract-ocr")
	t.Setenv("DOSSIER_HOME", t.TempDir())
	b, err := assets.Fonts.ReadFile("fonts/DejaVuSans.ttf")
	if err != nil {
		t.Fatal(err)
	}
	f, err := opentype.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 40, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	const uw, uh = 480, 200
	up := image.NewGray(image.Rect(0, 0, uw, uh))
	draw.Draw(up, up.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: up, Src: image.Black, Face: face, Dot: fixed.P(30, 110)}
	d.DrawString("JANE MARPLE")
	const o = 6
	sw, sh := uh, uw // stored turned
	stored := image.NewGray(image.Rect(0, 0, sw, sh))
	for y := 0; y < uh; y++ {
		for x := 0; x < uw; x++ {
			sx, sy := exif.Source(o, x, y, sw, sh)
			stored.SetGray(sx, sy, up.GrayAt(x, y))
		}
	}
	tiffHead := []byte("MM\x00\x2a\x00\x00\x00\x08")
	ifd := []byte{0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0, 0, 0, 0, 0}
	for _, format := range []string{"jpeg", "png"} {
		var photo []byte
		switch format {
		case "jpeg":
			var j bytes.Buffer
			if err := jpeg.Encode(&j, stored, &jpeg.Options{Quality: 95}); err != nil {
				t.Fatal(err)
			}
			payload := append(append([]byte("Exif\x00\x00"), tiffHead...), ifd...)
			photo = append([]byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
			photo = append(photo, j.Bytes()[2:]...)
		case "png":
			// The orientation in an eXIf chunk after IHDR.
			var p bytes.Buffer
			if err := png.Encode(&p, stored); err != nil {
				t.Fatal(err)
			}
			data := append(append([]byte{}, tiffHead...), ifd...)
			chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
			chunk = append(append(chunk, "eXIf"...), data...)
			chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
			photo = append(append(append(photo, p.Bytes()[:33]...), chunk...), p.Bytes()[33:]...)
		}
		src := t.TempDir()
		photoPath := filepath.Join(src, "IMG_0001."+map[string]string{"jpeg": "jpg", "png": "png"}[format])
		if err := os.WriteFile(photoPath, photo, 0o644); err != nil {
			t.Fatal(err)
		}

		sug := filepath.Join(t.TempDir(), "suggested.json")
		code, _, stderr := run(t, "deidentify", "--privacy", "anonymised", "--patient-name", "Jane Marple", "--out", t.TempDir(), "--suggest-redactions", sug, src)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		raw, err := os.ReadFile(sug)
		if err != nil {
			t.Fatal(err)
		}
		var boxes []struct {
			Path          string
			X, Y          float64
			Width, Height float64
		}
		if err := json.Unmarshal(raw, &boxes); err != nil || len(boxes) == 0 {
			t.Fatalf("suggestions %s (%v)", raw, err)
		}
		for _, bx := range boxes {
			if bx.Path != photoPath || bx.Height <= bx.Width || bx.X+bx.Width > float64(sw) || bx.Y+bx.Height > float64(sh) {
				t.Errorf("suggested %+v: want an upright line's box in the stored (turned) pixels", bx)
			}
		}

		out := t.TempDir()
		code, stdout, stderr := run(t, "deidentify", "--privacy", "anonymised", "--patient-name", "Jane Marple", "--out", out, "--json", "--redactions", sug, "--include", photoPath, src)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var res struct{ Written []struct{ Name string } }
		json.Unmarshal([]byte(stdout), &res)
		if len(res.Written) != 1 {
			t.Fatalf("written %s", stdout)
		}
		w, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(res.Written[0].Name)))
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := image.Decode(bytes.NewReader(w))
		if err != nil {
			t.Fatal(err)
		}
		wo := exif.JPEGOrientation(w)
		if format == "png" {
			wo = exif.PNGOrientation(bytes.NewReader(w), int64(len(w)))
		}
		if wo != o {
			t.Errorf("%s: written with orientation %d, want %d", format, wo, o)
		}
		shown := exif.Upright(m, wo)
		ink, left := 0, 0
		for y := 0; y < uh; y++ {
			for x := 0; x < uw; x++ {
				if up.GrayAt(x, y).Y > 100 {
					continue
				}
				ink++
				if c := color.GrayModel.Convert(shown.At(x, y)).(color.Gray); c.Y > 40 {
					left++
				}
			}
		}
		if ink == 0 || left > 0 {
			t.Errorf("%s: %d of the name's %d pixels are not blacked out in the photo as shown", format, left, ink)
		}
	}
}
