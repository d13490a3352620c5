package preview

import (
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/jpegfix"
)

// TestDICOMWideJPEG: a 12-bit JPEG Extended image and lossless JPEG ones
// are shown, windowed as native pixels are.
func TestDICOMWideJPEG(t *testing.T) {
	// 12-bit: a 16x8 ramp 0..4095 along x, shown through a full window.
	ramp := make([]uint16, 16*8)
	for i := range ramp {
		ramp[i] = uint16(i % 16 * 273)
	}
	o := jpegfix.DCTOptions{W: 16, H: 8, NC: 1, P: 12, Quant: jpegfix.Table(100)}
	twelve := jpegfix.DCT(jpegfix.Quantised(ramp, o), o)
	// Lossless 16-bit: 0, 256, 512, 65535 through a full window.
	lossless := jpegfix.Lossless([]uint16{0, 256, 512, 65535}, jpegfix.LosslessOptions{W: 2, H: 2, NC: 1, P: 16, Pred: 7})
	for _, c := range []struct {
		name string
		f    pixelSpec
		want func(g []uint8) bool
	}{
		{"12-bit JPEG", pixelSpec{rows: 8, cols: 16, samples: 1, bits: 16, bitsStored: 12, photometric: "MONOCHROME2", window: []string{"2048", "4096"},
			encapsulated: &dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{twelve}}, ts: dcmfix.UIDJPEGExtended},
			func(g []uint8) bool { return g[0] < 3 && g[15] > 252 && g[8] > 120 && g[8] < 140 }},
		{"lossless 16-bit", pixelSpec{rows: 2, cols: 2, samples: 1, bits: 16, photometric: "MONOCHROME2", window: []string{"32767.5", "65536"},
			encapsulated: &dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{lossless}}, ts: dcmfix.UIDJPEGLosslessSV1},
			func(g []uint8) bool { return g[0] == 0 && g[1] == 1 && g[2] == 2 && g[3] == 255 }},
		{"lossless MONOCHROME1", pixelSpec{rows: 2, cols: 2, samples: 1, bits: 16, photometric: "MONOCHROME1", window: []string{"32767.5", "65536"},
			encapsulated: &dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{lossless}}, ts: dcmfix.UIDJPEGLossless},
			func(g []uint8) bool { return g[0] == 255 && g[3] == 0 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			img, err := imageOf(t, c.f.file())
			if err != nil {
				t.Fatal(err)
			}
			if g := grayPix(t, img); !c.want(g) {
				t.Errorf("preview %v", g)
			}
		})
	}
	// A colour lossless image is shown in its colours.
	rgb := jpegfix.Lossless([]uint16{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255}, jpegfix.LosslessOptions{W: 2, H: 2, NC: 3, P: 8, Pred: 1})
	f := pixelSpec{rows: 2, cols: 2, samples: 3, bits: 8, photometric: "RGB", encapsulated: &dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{rgb}}, ts: dcmfix.UIDJPEGLosslessSV1}
	img, err := imageOf(t, f.file())
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := img.At(1, 0).RGBA(); r != 0 || g>>8 != 255 || b != 0 {
		t.Errorf("pixel (1,0) = %d %d %d, want green", r>>8, g>>8, b>>8)
	}
	// 12-bit colour JPEG (YCbCr) is shown in RGB: Y 2048, Cb 2048, Cr
	// 4095 is a strong red.
	o3 := jpegfix.DCTOptions{W: 8, H: 8, NC: 3, P: 12, Quant: jpegfix.Table(100)}
	ycc := make([]uint16, 8*8*3)
	for i := 0; i < len(ycc); i += 3 {
		ycc[i], ycc[i+1], ycc[i+2] = 2048, 2048, 4095
	}
	colour := jpegfix.DCT(jpegfix.Quantised(ycc, o3), o3)
	f = pixelSpec{rows: 8, cols: 8, samples: 3, bits: 16, bitsStored: 12, photometric: "YBR_FULL",
		encapsulated: &dcmfix.Encapsulated{BOT: []uint32{0}, Fragments: [][]byte{colour}}, ts: dcmfix.UIDJPEGExtended}
	img, err = imageOf(t, f.file())
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := img.At(3, 3).RGBA(); r>>8 < 250 || g>>8 > 40 || b>>8 > 140 || b>>8 < 110 {
		t.Errorf("12-bit YCbCr pixel = %d %d %d, want red", r>>8, g>>8, b>>8)
	}
}
