package preview

import (
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/jpegls"
)

// TestDICOMJPEGLS: JPEG-LS images (lossless 16-bit grey, near-lossless
// 8-bit, lossless RGB) are shown, windowed as native pixels are.
func TestDICOMJPEGLS(t *testing.T) {
	enc := func(pix []uint16, w, h, nc, bits int, o jpegls.EncodeOptions) *dcmfix.Encapsulated {
		b, err := jpegls.Encode(pix, w, h, nc, bits, o)
		if err != nil {
			t.Fatal(err)
		}
		return &dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{b}}
	}
	grey := enc([]uint16{0, 256, 512, 65535}, 2, 2, 1, 16, jpegls.EncodeOptions{})
	f := pixelSpec{rows: 2, cols: 2, samples: 1, bits: 16, photometric: "MONOCHROME2", window: []string{"32767.5", "65536"}, encapsulated: grey, ts: dcmfix.UIDJPEGLSLossless}
	img, err := imageOf(t, f.file())
	if err != nil {
		t.Fatal(err)
	}
	if g := grayPix(t, img); g[0] != 0 || g[1] != 1 || g[2] != 2 || g[3] != 255 {
		t.Errorf("JPEG-LS 16-bit = %v", g)
	}
	near := enc([]uint16{0, 100, 200, 255}, 2, 2, 1, 8, jpegls.EncodeOptions{Near: 2})
	f = pixelSpec{rows: 2, cols: 2, samples: 1, bits: 8, photometric: "MONOCHROME2", encapsulated: near, ts: dcmfix.UIDJPEGLSNearLossless}
	if img, err = imageOf(t, f.file()); err != nil {
		t.Fatal(err)
	}
	if g := grayPix(t, img); g[0] > 2 || g[1] < 98 || g[1] > 102 || g[3] < 253 {
		t.Errorf("JPEG-LS near-lossless = %v", g)
	}
	rgb := enc([]uint16{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255}, 2, 2, 3, 8, jpegls.EncodeOptions{Interleave: 2})
	f = pixelSpec{rows: 2, cols: 2, samples: 3, bits: 8, photometric: "RGB", encapsulated: rgb, ts: dcmfix.UIDJPEGLSLossless}
	if img, err = imageOf(t, f.file()); err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := img.At(1, 0).RGBA(); r != 0 || g>>8 != 255 || b != 0 {
		t.Errorf("pixel (1,0) = %d %d %d, want green", r>>8, g>>8, b>>8)
	}
	// Damaged JPEG-LS data is no preview, not a crash.
	f.encapsulated = &dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{{0xFF, 0xD8, 0xFF, 0xF7, 0, 2, 0xFF, 0xD9}}}
	if _, err := imageOf(t, f.file()); err == nil {
		t.Error("damaged JPEG-LS frame shown")
	}
}
