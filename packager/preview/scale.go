package preview

import (
	"image"
	"image/color"
)

// Scale returns img shrunk with a box filter (area average) so that its
// longest side is at most maxSide, keeping the aspect ratio. Smaller images
// are returned unchanged. Grey images stay grey (*image.Gray); others become
// *image.NRGBA.
func Scale(img image.Image, maxSide int) image.Image {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if maxSide <= 0 || sw <= 0 || sh <= 0 || sw <= maxSide && sh <= maxSide {
		return img
	}
	dw, dh := maxSide, maxSide
	if sw >= sh {
		dh = max(1, int((int64(sh)*int64(maxSide)+int64(sw)/2)/int64(sw)))
	} else {
		dw = max(1, int((int64(sw)*int64(maxSide)+int64(sh)/2)/int64(sh)))
	}
	gray := isGray(img)
	ch := 4
	if gray {
		ch = 1
	}
	// x0s[i] is the first source column of destination column i.
	x0s := make([]int, dw+1)
	for i := range x0s {
		x0s[i] = int(int64(i) * int64(sw) / int64(dw))
	}
	row := make([]uint8, sw*ch)
	sums := make([]uint32, dw*ch)
	var out []uint8
	var stride int
	var res image.Image
	if gray {
		g := image.NewGray(image.Rect(0, 0, dw, dh))
		out, stride, res = g.Pix, g.Stride, g
	} else {
		n := image.NewNRGBA(image.Rect(0, 0, dw, dh))
		out, stride, res = n.Pix, n.Stride, n
	}
	for dy := 0; dy < dh; dy++ {
		y0 := int(int64(dy) * int64(sh) / int64(dh))
		y1 := int(int64(dy+1) * int64(sh) / int64(dh))
		clear(sums)
		for y := y0; y < y1; y++ {
			fetchRow(img, b.Min.Y+y, row, gray)
			for dx := 0; dx < dw; dx++ {
				s := sums[dx*ch : dx*ch+ch]
				for x := x0s[dx]; x < x0s[dx+1]; x++ {
					p := row[x*ch : x*ch+ch]
					for c := range ch {
						s[c] += uint32(p[c])
					}
				}
			}
		}
		o := out[dy*stride:]
		for dx := 0; dx < dw; dx++ {
			n := uint32((x0s[dx+1] - x0s[dx]) * (y1 - y0))
			if n == 0 {
				n = 1
			}
			for c := range ch {
				o[dx*ch+c] = uint8((sums[dx*ch+c] + n/2) / n)
			}
		}
	}
	return res
}

func isGray(img image.Image) bool {
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		return true
	}
	return false
}

// fetchRow fills row with source row y: grey bytes when gray, else
// non-premultiplied RGBA.
func fetchRow(img image.Image, y int, row []uint8, gray bool) {
	b := img.Bounds()
	w := b.Dx()
	switch m := img.(type) {
	case *image.Gray:
		copy(row, m.Pix[m.PixOffset(b.Min.X, y):][:w])
		return
	case *image.Gray16:
		p := m.Pix[m.PixOffset(b.Min.X, y):]
		for x := 0; x < w; x++ {
			row[x] = p[2*x]
		}
		return
	case *image.NRGBA:
		copy(row, m.Pix[m.PixOffset(b.Min.X, y):][:4*w])
		return
	case *image.RGBA:
		copy(row, m.Pix[m.PixOffset(b.Min.X, y):][:4*w])
		return
	case *image.YCbCr:
		for x := 0; x < w; x++ {
			c := m.YCbCrAt(b.Min.X+x, y)
			r, g, bb := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = r, g, bb, 255
		}
		return
	}
	for x := 0; x < w; x++ {
		c := color.NRGBAModel.Convert(img.At(b.Min.X+x, y)).(color.NRGBA)
		if gray {
			row[x] = color.GrayModel.Convert(c).(color.Gray).Y
			continue
		}
		row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = c.R, c.G, c.B, c.A
	}
}

// toNRGBA returns img as an *image.NRGBA (img itself when it is one).
func toNRGBA(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok {
		return n
	}
	b := img.Bounds()
	n := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	row := make([]uint8, 4*b.Dx())
	for y := 0; y < b.Dy(); y++ {
		if isGray(img) {
			g := row[:b.Dx()]
			fetchRow(img, b.Min.Y+y, g, true)
			p := n.Pix[y*n.Stride:]
			for x, v := range g {
				p[4*x], p[4*x+1], p[4*x+2], p[4*x+3] = v, v, v, 255
			}
			continue
		}
		fetchRow(img, b.Min.Y+y, row, false)
		copy(n.Pix[y*n.Stride:], row)
	}
	return n
}
