package pixelmask

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

func TestJPEGQuality(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 32, 16))
	for i := range m.Pix {
		m.Pix[i] = byte(i * 5)
	}
	for _, q := range []int{10, 35, 50, 75, 90, 95, 100} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		got, err := JPEGQuality(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		// Near 100 several qualities clamp to the same all-ones table.
		if got != q && !(q >= 98 && got >= 98) {
			t.Errorf("quality %d estimated as %d", q, got)
		}
	}
	if _, err := JPEGQuality(bytes.NewReader([]byte("not a jpeg"))); err == nil {
		t.Error("not a JPEG accepted")
	}
}

func TestMaskImage(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range g.Pix {
		g.Pix[i] = 200
	}
	out, n, err := MaskImage(g, []Box{{X: 2, Y: 2, Width: 3, Height: 2}, {X: 7, Y: 7, Width: 5, Height: 5}})
	if err != nil || n != 7 {
		t.Fatalf("%d pixels, %v", n, err)
	}
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			in := x >= 2 && x < 5 && y >= 2 && y < 4 || x == 7 && y == 7
			v := out.(*image.Gray).GrayAt(x, y).Y
			if in && v != 0 || !in && v != 200 {
				t.Fatalf("(%d,%d) = %d", x, y, v)
			}
		}
	}
	yc := image.NewYCbCr(image.Rect(0, 0, 8, 8), image.YCbCrSubsampleRatio420)
	for i := range yc.Y {
		yc.Y[i] = 180
	}
	for i := range yc.Cb {
		yc.Cb[i], yc.Cr[i] = 60, 200
	}
	MaskImage(yc, []Box{{X: 0, Y: 0, Width: 2, Height: 2}})
	if c := yc.YCbCrAt(1, 1); c != (color.YCbCr{0, 128, 128}) {
		t.Errorf("masked YCbCr %v", c)
	}
	if c := yc.YCbCrAt(3, 3); c != (color.YCbCr{180, 60, 200}) {
		t.Errorf("outside YCbCr %v", c)
	}
}
