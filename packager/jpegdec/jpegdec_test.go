package jpegdec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"testing"

	"dossier/internal/fixture/jpegfix"
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
		o    jpegfix.LosslessOptions
		name string
	}
	var cases []tc
	for _, p := range []int{8, 12, 16} {
		for pred := 1; pred <= 7; pred++ {
			cases = append(cases, tc{jpegfix.LosslessOptions{W: 17, H: 13, NC: 1, P: p, Pred: pred}, ""})
		}
	}
	cases = append(cases,
		tc{jpegfix.LosslessOptions{W: 1, H: 1, NC: 1, P: 16, Pred: 1}, "1x1"},
		tc{jpegfix.LosslessOptions{W: 1, H: 9, NC: 1, P: 12, Pred: 4}, "one column"},
		tc{jpegfix.LosslessOptions{W: 9, H: 1, NC: 1, P: 12, Pred: 6}, "one row"},
		tc{jpegfix.LosslessOptions{W: 17, H: 13, NC: 1, P: 16, Pred: 7, Restart: 17}, "restart every row"},
		tc{jpegfix.LosslessOptions{W: 17, H: 13, NC: 1, P: 12, Pred: 4, Restart: 3 * 17}, "restart every 3 rows"},
		tc{jpegfix.LosslessOptions{W: 17, H: 13, NC: 3, P: 8, Pred: 5, Restart: 2 * 17}, "3 components interleaved"},
		tc{jpegfix.LosslessOptions{W: 17, H: 13, NC: 3, P: 8, Pred: 2, Separate: true}, "3 components in 3 scans"},
		tc{jpegfix.LosslessOptions{W: 6, H: 5, NC: 4, P: 10, Pred: 7}, "4 components"},
		tc{jpegfix.LosslessOptions{W: 17, H: 13, NC: 1, P: 12, Pred: 1, Pt: 2}, "point transform"},
		tc{jpegfix.LosslessOptions{W: 17, H: 13, NC: 1, P: 2, Pred: 3}, "2 bits"},
		tc{jpegfix.LosslessOptions{W: 64, H: 40, NC: 1, P: 16, Pred: 1, Restart: 64}, "16 bits wide range"},
	)
	for i, c := range cases {
		name := c.name
		if name == "" {
			name = fmt.Sprintf("%dbit-pred%d", c.o.P, c.o.Pred)
		}
		t.Run(name, func(t *testing.T) {
			o := c.o
			src := testSamples(o.W, o.H, o.NC, o.P, uint64(i))
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
			data := jpegfix.Lossless(src, o)
			cfg, err := DecodeConfig(data)
			if err != nil {
				t.Fatal(err)
			}
			if cfg != (Config{Width: o.W, Height: o.H, Components: o.NC, Precision: o.P, Process: Lossless}) {
				t.Fatalf("config %+v", cfg)
			}
			m, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range src {
				want := v >> o.Pt << o.Pt
				if m.Pix[k] != want {
					t.Fatalf("sample %d (x %d, y %d): %d, want %d", k, k/o.NC%o.W, k/o.NC/o.W, m.Pix[k], want)
				}
			}
		})
	}
}

// TestLosslessCategory16 checks the difference 32768 that has no extra
// bits: a 16-bit image whose first sample is 0 (predicted 32768).
func TestLosslessCategory16(t *testing.T) {
	o := jpegfix.LosslessOptions{W: 2, H: 1, NC: 1, P: 16, Pred: 1}
	data := jpegfix.Lossless([]uint16{0, 0x8000}, o)
	m, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Pix[0] != 0 || m.Pix[1] != 0x8000 {
		t.Fatalf("decoded %v", m.Pix)
	}
}

func TestDCTRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name string
		o    jpegfix.DCTOptions
		q    int
		tol  int // against the original at quality 100
	}{
		{"12bit q100 17x13", jpegfix.DCTOptions{W: 17, H: 13, NC: 1, P: 12}, 100, 2},
		{"12bit q100 1x1", jpegfix.DCTOptions{W: 1, H: 1, NC: 1, P: 12}, 100, 2},
		{"12bit q50 restart", jpegfix.DCTOptions{W: 40, H: 24, NC: 1, P: 12, Restart: 2}, 50, -1},
		{"12bit 3 components", jpegfix.DCTOptions{W: 19, H: 9, NC: 3, P: 12, Restart: 3}, 100, 2},
		{"12bit 3 components in 3 scans", jpegfix.DCTOptions{W: 19, H: 9, NC: 3, P: 12, Restart: 2, Separate: true}, 90, -1},
		{"8bit q100", jpegfix.DCTOptions{W: 17, H: 13, NC: 1, P: 8}, 100, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			o.Quant = jpegfix.Table(c.q)
			src := testSamples(o.W, o.H, o.NC, o.P, 3)
			blocks := jpegfix.Quantised(src, o)
			data := jpegfix.DCT(blocks, o)
			m, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if m.Process != Extended || m.Precision != o.P || m.Width != o.W || m.Height != o.H {
				t.Fatalf("config %+v", m.Config)
			}
			ref := jpegfix.ReferenceIDCT(blocks, o)
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
	good := jpegfix.Lossless(testSamples(8, 8, 1, 12, 1), jpegfix.LosslessOptions{W: 8, H: 8, NC: 1, P: 12, Pred: 1})
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

// TestMissingEOI: a stream cut right after its last scan, or with zero
// padding in place of EOI, decodes; one cut inside its scan does not.
func TestMissingEOI(t *testing.T) {
	src := testSamples(9, 7, 1, 12, 4)
	data := jpegfix.Lossless(src, jpegfix.LosslessOptions{W: 9, H: 7, NC: 1, P: 12, Pred: 2})
	body := data[:len(data)-2]
	for _, b := range [][]byte{body, append(bytes.Clone(body), 0, 0)} {
		m, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range src {
			if m.Pix[k] != v {
				t.Fatalf("sample %d: %d, want %d", k, m.Pix[k], v)
			}
		}
	}
	if _, err := Decode(body[:len(body)-3]); !errors.Is(err, ErrFormat) {
		t.Errorf("cut in the scan: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(jpegfix.Lossless(testSamples(9, 7, 1, 12, 1), jpegfix.LosslessOptions{W: 9, H: 7, NC: 1, P: 12, Pred: 4, Restart: 9}))
	f.Add(jpegfix.Lossless(testSamples(5, 4, 3, 8, 1), jpegfix.LosslessOptions{W: 5, H: 4, NC: 3, P: 8, Pred: 7}))
	o := jpegfix.DCTOptions{W: 17, H: 9, NC: 1, P: 12, Restart: 1, Quant: jpegfix.Table(50)}
	f.Add(jpegfix.DCT(jpegfix.Quantised(testSamples(17, 9, 1, 12, 1), o), o))
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
