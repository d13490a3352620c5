package pixelmask

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
)

// MaskImage fills the boxes (Frame ignored: a picture has one) of m with
// black, in place when m can be drawn on, and returns the image and the
// number of pixels filled. A YCbCr image (a decoded JPEG) gets Y 0 and
// neutral chroma over every chroma sample the box touches, so no colour of
// what was there bleeds through.
func MaskImage(m image.Image, boxes []Box) (image.Image, int, error) {
	b := m.Bounds()
	filled := 0
	switch im := m.(type) {
	case *image.YCbCr:
		for _, bx := range boxes {
			x0, y0, x1, y1 := bx.clip(b.Dx(), b.Dy())
			if x1 == x0 {
				continue
			}
			filled += (x1 - x0) * (y1 - y0)
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					px, py := b.Min.X+x, b.Min.Y+y
					im.Y[im.YOffset(px, py)] = 0
					ci := im.COffset(px, py)
					im.Cb[ci], im.Cr[ci] = 128, 128
				}
			}
		}
		return im, filled, nil
	case draw.Image:
		for _, bx := range boxes {
			x0, y0, x1, y1 := bx.clip(b.Dx(), b.Dy())
			if x1 == x0 {
				continue
			}
			filled += (x1 - x0) * (y1 - y0)
			r := image.Rect(b.Min.X+x0, b.Min.Y+y0, b.Min.X+x1, b.Min.Y+y1)
			draw.Draw(im, r, image.NewUniform(color.Black), image.Point{}, draw.Src)
		}
		return im, filled, nil
	}
	return m, 0, fmt.Errorf("%w: picture of colour model %T", ErrUnsupported, m)
}

// standardLuminance is the luminance quantisation table of ITU T.81
// Annex K (K.1), the base that encoders scale by quality.
var standardLuminance = [64]int{
	16, 11, 10, 16, 24, 40, 51, 61,
	12, 12, 14, 19, 26, 58, 60, 55,
	14, 13, 16, 24, 40, 57, 69, 56,
	14, 17, 22, 29, 51, 87, 80, 62,
	18, 22, 37, 56, 68, 109, 103, 77,
	24, 35, 55, 64, 81, 104, 113, 92,
	49, 64, 78, 87, 103, 121, 120, 101,
	72, 92, 95, 98, 112, 100, 103, 99,
}

// scaledSum returns the sum of the standard luminance table scaled to
// quality q as the IJG encoder (and image/jpeg) scale it.
func scaledSum(q int) int {
	scale := 200 - 2*q
	if q < 50 {
		scale = 5000 / q
	}
	sum := 0
	for _, v := range standardLuminance {
		x := (v*scale + 50) / 100
		sum += min(max(x, 1), 255)
	}
	return sum
}

// ErrNoQuantTable is returned by JPEGQuality for a stream without one.
var ErrNoQuantTable = errors.New("pixelmask: no JPEG quantisation table")

// JPEGQuality estimates the IJG quality (1 to 100) a JPEG stream was
// written with, from its first (luminance) quantisation table: the quality
// whose scaled standard table has the nearest sum. Only the markers before
// the first scan are read.
func JPEGQuality(r io.Reader) (int, error) {
	br := bufio.NewReader(r)
	var hdr [4]byte
	if _, err := io.ReadFull(br, hdr[:2]); err != nil || hdr[0] != 0xFF || hdr[1] != 0xD8 {
		return 0, fmt.Errorf("pixelmask: not a JPEG stream")
	}
	for {
		if _, err := io.ReadFull(br, hdr[:4]); err != nil {
			return 0, ErrNoQuantTable
		}
		for hdr[1] == 0xFF { // fill bytes
			hdr[1], hdr[2], hdr[3] = hdr[2], hdr[3], 0
			c, err := br.ReadByte()
			if err != nil {
				return 0, ErrNoQuantTable
			}
			hdr[3] = c
		}
		if hdr[0] != 0xFF || hdr[1] == 0xDA || hdr[1] == 0xD9 {
			return 0, ErrNoQuantTable
		}
		n := int(binary.BigEndian.Uint16(hdr[2:])) - 2
		if n < 0 {
			return 0, ErrNoQuantTable
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(br, body); err != nil {
			return 0, ErrNoQuantTable
		}
		if hdr[1] != 0xDB || len(body) < 65 {
			continue
		}
		precision := body[0] >> 4
		sum := 0
		for i := 0; i < 64; i++ {
			if precision == 1 {
				if len(body) < 129 {
					return 0, ErrNoQuantTable
				}
				sum += int(binary.BigEndian.Uint16(body[1+2*i:]))
			} else {
				sum += int(body[1+i])
			}
		}
		best, bestDiff := 0, -1
		for q := 1; q <= 100; q++ {
			d := scaledSum(q) - sum
			if d < 0 {
				d = -d
			}
			if bestDiff < 0 || d < bestDiff {
				best, bestDiff = q, d
			}
		}
		return best, nil
	}
}
