package jpegdec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

// testSamples returns w*h*nc samples of p bits: smooth gradients with
// noise and a few sharp edges, so every difference category appears.
func testSamples(w, h, nc, p int, seed uint64) []uint16 {
	r := rand.New(rand.NewPCG(seed, 7))
	top := 1<<p - 1
	out := make([]uint16, w*h*nc)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < nc; c++ {
				v := (x*top/max(w, 1) + y*top/max(h, 1)) / 2
				v += r.IntN(1+top/16) - top/32
				if (x/5+y/3+c)%7 == 0 {
					v = top - v
				}
				out[(y*w+x)*nc+c] = uint16(min(max(v, 0), top))
			}
		}
	}
	return out
}

func TestLosslessRoundTrip(t *testing.T) {
	type tc struct {
		o    losslessOpts
		name string
	}
	var cases []tc
	for _, p := range []int{8, 12, 16} {
		for pred := 1; pred <= 7; pred++ {
			cases = append(cases, tc{losslessOpts{w: 17, h: 13, nc: 1, p: p, pred: pred}, ""})
		}
	}
	cases = append(cases,
		tc{losslessOpts{w: 1, h: 1, nc: 1, p: 16, pred: 1}, "1x1"},
		tc{losslessOpts{w: 1, h: 9, nc: 1, p: 12, pred: 4}, "one column"},
		tc{losslessOpts{w: 9, h: 1, nc: 1, p: 12, pred: 6}, "one row"},
		tc{losslessOpts{w: 17, h: 13, nc: 1, p: 16, pred: 7, restart: 17}, "restart every row"},
		tc{losslessOpts{w: 17, h: 13, nc: 1, p: 12, pred: 4, restart: 3 * 17}, "restart every 3 rows"},
		tc{losslessOpts{w: 17, h: 13, nc: 3, p: 8, pred: 5, restart: 2 * 17}, "3 components interleaved"},
		tc{losslessOpts{w: 17, h: 13, nc: 3, p: 8, pred: 2, separate: true}, "3 components in 3 scans"},
		tc{losslessOpts{w: 6, h: 5, nc: 4, p: 10, pred: 7}, "4 components"},
		tc{losslessOpts{w: 17, h: 13, nc: 1, p: 12, pred: 1, pt: 2}, "point transform"},
		tc{losslessOpts{w: 17, h: 13, nc: 1, p: 2, pred: 3}, "2 bits"},
		tc{losslessOpts{w: 64, h: 40, nc: 1, p: 16, pred: 1, restart: 64}, "16 bits wide range"},
	)
	for i, c := range cases {
		name := c.name
		if name == "" {
			name = fmt.Sprintf("%dbit-pred%d", c.o.p, c.o.pred)
		}
		t.Run(name, func(t *testing.T) {
			o := c.o
			src := testSamples(o.w, o.h, o.nc, o.p, uint64(i))
			if name == "16 bits wide range" {
				// Extremes next to each other: differences of ±32768
				// (category 16) and wrap-around modulo 2^16.
				for k := range src {
					if k%3 == 0 {
						src[k] = 0xFFFF
					} else if k%3 == 1 {
						src[k] = 0
					} else {
						src[k] = 0x8000
					}
				}
			}
			data := encodeLossless(src, o)
			cfg, err := DecodeConfig(data)
			if err != nil {
				t.Fatal(err)
			}
			if cfg != (Config{Width: o.w, Height: o.h, Components: o.nc, Precision: o.p, Process: Lossless}) {
				t.Fatalf("config %+v", cfg)
			}
			m, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range src {
				want := v >> o.pt << o.pt
				if m.Pix[k] != want {
					t.Fatalf("sample %d (x %d, y %d): %d, want %d", k, k/o.nc%o.w, k/o.nc/o.w, m.Pix[k], want)
				}
			}
		})
	}
}

// TestLosslessCategory16 checks the difference 32768 that has no extra
// bits: a 16-bit image whose first sample is 0 (predicted 32768).
func TestLosslessCategory16(t *testing.T) {
	o := losslessOpts{w: 2, h: 1, nc: 1, p: 16, pred: 1}
	data := encodeLossless([]uint16{0, 0x8000}, o)
	m, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Pix[0] != 0 || m.Pix[1] != 0x8000 {
		t.Fatalf("decoded %v", m.Pix)
	}
}

// quality returns a quantisation table: all ones, or the T.81 Annex K
// luminance table for q 50.
func quality(q int) (t [64]uint16) {
	k1 := [64]uint16{
		16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
		14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
		18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
		49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
	}
	for i := range t {
		if q >= 100 {
			t[i] = 1
		} else {
			t[i] = k1[i]
		}
	}
	return t
}

func TestDCTRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name string
		o    dctOpts
		q    int
		tol  int // against the original at quality 100
	}{
		{"12bit q100 17x13", dctOpts{w: 17, h: 13, nc: 1, p: 12}, 100, 2},
		{"12bit q100 1x1", dctOpts{w: 1, h: 1, nc: 1, p: 12}, 100, 2},
		{"12bit q50 restart", dctOpts{w: 40, h: 24, nc: 1, p: 12, restart: 2}, 50, -1},
		{"12bit 3 components", dctOpts{w: 19, h: 9, nc: 3, p: 12, restart: 3}, 100, 2},
		{"8bit q100", dctOpts{w: 17, h: 13, nc: 1, p: 8}, 100, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			o.quant = quality(c.q)
			src := testSamples(o.w, o.h, o.nc, o.p, 3)
			blocks := quantised(src, o)
			data := encodeDCT(blocks, o)
			m, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if m.Process != Extended || m.Precision != o.p || m.Width != o.w || m.Height != o.h {
				t.Fatalf("config %+v", m.Config)
			}
			ref := referenceIDCT(blocks, o)
			for k := range src {
				if d := absDiff(m.Pix[k], ref[k]); d > 1 {
					t.Fatalf("sample %d: %d, float reference %d", k, m.Pix[k], ref[k])
				}
				if d := absDiff(m.Pix[k], src[k]); c.tol >= 0 && d > c.tol {
					t.Fatalf("sample %d: %d, original %d", k, m.Pix[k], src[k])
				}
			}
		})
	}
}

func absDiff(a, b uint16) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestDCTAgainstImageJPEG checks 8-bit decoding, with subsampled colour,
// against the standard library's encoder and decoder.
func TestDCTAgainstImageJPEG(t *testing.T) {
	w, h := 35, 21
	g := image.NewGray(image.Rect(0, 0, w, h))
	src := testSamples(w, h, 1, 8, 5)
	for i, v := range src {
		g.Pix[i] = byte(v)
	}
	c := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range c.Y {
		c.Y[i] = byte(src[i%len(src)])
	}
	for i := range c.Cb {
		c.Cb[i], c.Cr[i] = byte(i*7), byte(255-i*3)
	}
	for _, m := range []image.Image{g, c} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		want, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if got.Process != Baseline {
			t.Fatalf("process %v", got.Process)
		}
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var ws []byte
				switch wm := want.(type) {
				case *image.Gray:
					ws = []byte{wm.Pix[y*wm.Stride+x]}
				case *image.YCbCr:
					ws = []byte{wm.Y[wm.YOffset(x, y)], wm.Cb[wm.COffset(x, y)], wm.Cr[wm.COffset(x, y)]}
				}
				for k, v := range ws {
					if d := absDiff(got.Pix[(y*w+x)*got.Components+k], uint16(v)); d > 1 {
						t.Fatalf("%T (%d,%d) component %d: %d, image/jpeg %d", want, x, y, k, got.Pix[(y*w+x)*got.Components+k], v)
					}
				}
			}
		}
	}
}

func TestRefused(t *testing.T) {
	good := encodeLossless(testSamples(8, 8, 1, 12, 1), losslessOpts{w: 8, h: 8, nc: 1, p: 12, pred: 1})
	sof := bytes.Index(good, []byte{0xFF, 0xC3})
	with := func(i int, b ...byte) []byte {
		out := bytes.Clone(good)
		copy(out[i:], b)
		return out
	}
	for _, c := range []struct {
		name string
		data []byte
		want error
	}{
		{"progressive", with(sof, 0xFF, 0xC2), ErrUnsupported},
		{"arithmetic", with(sof, 0xFF, 0xC9), ErrUnsupported},
		{"hierarchical", with(sof, 0xFF, 0xC7), ErrUnsupported},
		{"DNL height", with(sof+5, 0, 0), ErrUnsupported},
		{"empty", nil, ErrFormat},
		{"no SOI", good[2:], ErrFormat},
		{"truncated", good[:len(good)-6], ErrFormat},
		{"huge size", with(sof+5, 0xFF, 0xFF, 0xFF, 0xFF), ErrUnsupported},
		{"larger than its data", with(sof+5, 0x10, 0, 0x10, 0), ErrFormat},
		{"predictor 0", with(bytes.Index(good, []byte{0xFF, 0xDA})+7, 0), ErrFormat},
		{"predictor 8", with(bytes.Index(good, []byte{0xFF, 0xDA})+7, 8), ErrFormat},
		{"12-bit baseline", with(sof, 0xFF, 0xC0), ErrFormat},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.data)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encodeLossless(testSamples(9, 7, 1, 12, 1), losslessOpts{w: 9, h: 7, nc: 1, p: 12, pred: 4, restart: 9}))
	f.Add(encodeLossless(testSamples(5, 4, 3, 8, 1), losslessOpts{w: 5, h: 4, nc: 3, p: 8, pred: 7}))
	o := dctOpts{w: 17, h: 9, nc: 1, p: 12, restart: 1, quant: quality(50)}
	f.Add(encodeDCT(quantised(testSamples(17, 9, 1, 12, 1), o), o))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cerr := DecodeConfig(data)
		m, err := Decode(data)
		if err != nil {
			return
		}
		if cerr != nil || cfg != m.Config {
			t.Fatalf("config %+v (%v), decoded %+v", cfg, cerr, m.Config)
		}
		if len(m.Pix) != m.Width*m.Height*m.Components {
			t.Fatalf("%d samples for %+v", len(m.Pix), m.Config)
		}
	})
}
