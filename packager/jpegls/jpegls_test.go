package jpegls

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// picture returns w×h×nc samples of p bits: flat areas (run mode), a
// gradient, and noise (regular mode).
func picture(w, h, nc, p int, seed uint64) []uint16 {
	r := rand.New(rand.NewPCG(seed, 7))
	top := 1<<p - 1
	pix := make([]uint16, w*h*nc)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < nc; c++ {
				var v int
				switch {
				case y < h/3:
					v = top / (c + 2) // flat
				case x < w/2:
					v = (x*37 + y*11 + c*5) * top / (w*37 + h*11 + 20) // gradient
				default:
					v = r.IntN(top + 1) // noise
				}
				if x%7 == 3 && y%5 == 1 {
					v = top - v // edges inside the flat area
				}
				pix[(y*w+x)*nc+c] = uint16(v)
			}
		}
	}
	return pix
}

func TestRoundTrip(t *testing.T) {
	sizes := [][2]int{{1, 1}, {1, 9}, {9, 1}, {17, 13}, {64, 40}}
	cases := []struct {
		nc, p int
		o     EncodeOptions
	}{
		{1, 8, EncodeOptions{}},
		{1, 12, EncodeOptions{}},
		{1, 16, EncodeOptions{}},
		{1, 2, EncodeOptions{}},
		{1, 8, EncodeOptions{Near: 2}},
		{1, 12, EncodeOptions{Near: 2}},
		{1, 12, EncodeOptions{Near: 3, Restart: 4}},
		{1, 8, EncodeOptions{Restart: 1}},
		{1, 10, EncodeOptions{Preset: true}},
		{1, 12, EncodeOptions{MaxVal: 3000}},
		{3, 8, EncodeOptions{Interleave: 0}},
		{3, 8, EncodeOptions{Interleave: 1}},
		{3, 8, EncodeOptions{Interleave: 2}},
		{3, 8, EncodeOptions{Interleave: 1, Near: 2, Restart: 3}},
		{3, 8, EncodeOptions{Interleave: 2, Near: 2, Restart: 5}},
		{4, 16, EncodeOptions{Interleave: 2}},
		{2, 5, EncodeOptions{Interleave: 1, Near: 1}},
	}
	for _, sz := range sizes {
		for i, tc := range cases {
			w, h := sz[0], sz[1]
			t.Run(fmt.Sprintf("%dx%d/%d", w, h, i), func(t *testing.T) {
				pix := picture(w, h, tc.nc, tc.p, uint64(i))
				if tc.o.MaxVal != 0 {
					for j := range pix {
						pix[j] = min(pix[j], uint16(tc.o.MaxVal))
					}
				}
				data := encode(pix, w, h, tc.nc, tc.p, tc.o)
				m, err := Decode(data)
				if err != nil {
					t.Fatal(err)
				}
				if m.Width != w || m.Height != h || m.Components != tc.nc || m.BitsPerSample != tc.p || m.Near != tc.o.Near {
					t.Fatalf("config %+v", m.Config)
				}
				for j, v := range m.Pix {
					if d := int(v) - int(pix[j]); d > tc.o.Near || d < -tc.o.Near {
						t.Fatalf("sample %d: %d decoded, %d encoded (NEAR %d)", j, v, pix[j], tc.o.Near)
					}
				}
				c, err := DecodeConfig(data)
				if err != nil || c != m.Config {
					t.Fatalf("DecodeConfig %+v, %v", c, err)
				}
			})
		}
	}
}

func TestNative(t *testing.T) {
	m := Image{Config: Config{Width: 2, Height: 1, Components: 1, BitsPerSample: 12}, Pix: []uint16{0x123, 0xABC}}
	if got := fmt.Sprintf("% x", m.Native()); got != "23 01 bc 0a" {
		t.Fatalf("native 12-bit %s", got)
	}
	m.BitsPerSample, m.Pix = 8, []uint16{7, 200}
	if got := fmt.Sprintf("% x", m.Native()); got != "07 c8" {
		t.Fatalf("native 8-bit %s", got)
	}
}

func TestDefaultThresholds(t *testing.T) {
	for _, c := range []struct{ maxval, near, t1, t2, t3 int32 }{
		{255, 0, 3, 7, 21},
		{4095, 0, 18, 67, 276},
		{65535, 0, 18, 67, 276},
		{255, 2, 9, 17, 35},
		{15, 0, 2, 3, 4},
	} {
		t1, t2, t3 := defaultThresholds(c.maxval, c.near)
		if t1 != c.t1 || t2 != c.t2 || t3 != c.t3 {
			t.Errorf("MAXVAL %d NEAR %d: %d %d %d", c.maxval, c.near, t1, t2, t3)
		}
	}
}

func TestRefused(t *testing.T) {
	pix := picture(8, 8, 1, 8, 1)
	good := encode(pix, 8, 8, 1, 8, EncodeOptions{})
	sos := 0
	for i := 0; i+1 < len(good); i++ {
		if good[i] == 0xFF && good[i+1] == markerSOS {
			sos = i
			break
		}
	}
	pt := append([]byte(nil), good...)
	pt[sos+2+2+1+2+2] = 1 // Al of the scan header
	mapped := append([]byte(nil), good...)
	mapped[sos+2+2+1+1] = 1 // Tm
	lse := append(append([]byte(nil), good[:2]...), 0xFF, markerLSE, 0, 5, 2, 1, 1)
	lse = append(lse, good[2:]...)
	hp := append(append([]byte(nil), good[:2]...), 0xFF, 0xE8, 0, 7, 'm', 'r', 'f', 'x', 1)
	hp = append(hp, good[2:]...)
	for name, b := range map[string][]byte{"colour transform": hp, "point transform": pt, "mapping table": mapped, "LSE mapping": lse} {
		if _, err := Decode(b); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, b := range map[string][]byte{
		"empty":     nil,
		"jpeg":      {0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0},
		"truncated": good[:len(good)-6],
		"huge":      {0xFF, 0xD8, 0xFF, 0xF7, 0, 11, 8, 0xFF, 0xFF, 0xFF, 0xFF, 1, 1, 0x11, 0, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0, 0},
	} {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// TestMarkerStuffing: coded data holding 0xFF bytes (each followed by a
// byte whose top bit is 0) decodes, and a 0xFF byte followed by a
// marker ends the scan.
func TestMarkerStuffing(t *testing.T) {
	pix := picture(40, 30, 1, 8, 5)
	b, err := Encode(pix, 40, 30, 1, 8, EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stuffed := 0
	for i := 0; i+1 < len(b)-2; i++ {
		if b[i] == 0xFF && b[i+1] < 0x80 {
			stuffed++
		}
	}
	if stuffed == 0 {
		t.Fatal("no stuffed byte in the coded data: the test image does not exercise stuffing")
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range m.Pix {
		if v != pix[i] {
			t.Fatalf("sample %d: %d, want %d", i, v, pix[i])
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		pix            []uint16
		w, h, nc, bits int
		o              EncodeOptions
	}{
		"count":      {make([]uint16, 3), 2, 2, 1, 8, EncodeOptions{}},
		"bits":       {make([]uint16, 4), 2, 2, 1, 17, EncodeOptions{}},
		"above":      {[]uint16{0, 0, 0, 256}, 2, 2, 1, 8, EncodeOptions{}},
		"maxval":     {[]uint16{0, 0, 0, 200}, 2, 2, 1, 8, EncodeOptions{MaxVal: 100}},
		"near":       {make([]uint16, 4), 2, 2, 1, 2, EncodeOptions{Near: 3}},
		"interleave": {make([]uint16, 4), 2, 2, 1, 8, EncodeOptions{Interleave: 1}},
	} {
		if _, err := Encode(c.pix, c.w, c.h, c.nc, c.bits, c.o); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}
