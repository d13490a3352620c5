package jpegdec

import (
	"fmt"
	"math"
)

// zigzag maps the zigzag index of a coefficient to its natural
// (row-major) index in the 8x8 block.
var zigzag = [64]int{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
}

// idctCos[x][u] is C(u)/2 * cos((2x+1)uπ/16), so that the 8-point
// inverse DCT of row F is f(x) = Σu idctCos[x][u] F(u) (T.81 A.3.3).
var idctCos = func() (t [8][8]float64) {
	for x := 0; x < 8; x++ {
		for u := 0; u < 8; u++ {
			c := 1.0
			if u == 0 {
				c = 1 / math.Sqrt2
			}
			t[x][u] = c / 2 * math.Cos(float64(2*x+1)*float64(u)*math.Pi/16)
		}
	}
	return
}()

// idct transforms the dequantised coefficients blk (natural order) into
// samples, level-shifted by 2^(p-1) and clamped to 0..2^p-1, written to
// dst with stride.
func idct(blk *[64]float64, dst []uint16, stride, p int) {
	var tmp [64]float64
	for v := 0; v < 8; v++ { // rows of coefficients: transform along u
		row := blk[v*8 : v*8+8]
		if row[1] == 0 && row[2] == 0 && row[3] == 0 && row[4] == 0 && row[5] == 0 && row[6] == 0 && row[7] == 0 {
			dc := row[0] * idctCos[0][0]
			for x := 0; x < 8; x++ {
				tmp[v*8+x] = dc
			}
			continue
		}
		for x := 0; x < 8; x++ {
			c := &idctCos[x]
			tmp[v*8+x] = c[0]*row[0] + c[1]*row[1] + c[2]*row[2] + c[3]*row[3] + c[4]*row[4] + c[5]*row[5] + c[6]*row[6] + c[7]*row[7]
		}
	}
	shift := float64(int32(1) << (p - 1))
	top := int32(1)<<p - 1
	for x := 0; x < 8; x++ { // columns: transform along v
		for y := 0; y < 8; y++ {
			c := &idctCos[y]
			s := c[0]*tmp[x] + c[1]*tmp[8+x] + c[2]*tmp[16+x] + c[3]*tmp[24+x] + c[4]*tmp[32+x] + c[5]*tmp[40+x] + c[6]*tmp[48+x] + c[7]*tmp[56+x]
			v := int32(math.Floor(s + shift + 0.5))
			dst[y*stride+x] = uint16(min(max(v, 0), top))
		}
	}
}

// sequential decodes a sequential DCT scan (T.81 Annex F) of the
// components sc into their planes.
func (d *decoder) sequential(r *bitReader, sc []scanComp) error {
	mcux := (d.cfg.Width + 8*d.hmax - 1) / (8 * d.hmax)
	mcuy := (d.cfg.Height + 8*d.vmax - 1) / (8 * d.vmax)
	if d.comps[0].plane == nil {
		// Every block takes at least two bits (a DC code and an end of
		// block): a size the data cannot hold is refused before
		// allocating.
		blocks := int64(0)
		for _, c := range d.comps {
			cw := (d.cfg.Width*c.h + d.hmax - 1) / d.hmax
			ch := (d.cfg.Height*c.v + d.vmax - 1) / d.vmax
			blocks += int64((cw+7)/8) * int64((ch+7)/8)
		}
		if blocks > 4*int64(len(d.data)) {
			return fmt.Errorf("%w: image of %dx%d is larger than its data", ErrFormat, d.cfg.Width, d.cfg.Height)
		}
		for i := range d.comps {
			c := &d.comps[i]
			c.stride = mcux * c.h * 8
			c.plane = make([]uint16, c.stride*mcuy*c.v*8)
		}
	}
	var q [4][64]float64
	for i, s := range sc {
		if !d.quantSet[s.c.tq] {
			return fmt.Errorf("%w: scan uses an undefined quantisation table", ErrFormat)
		}
		for k := 0; k < 64; k++ {
			q[i][zigzag[k]] = float64(d.quant[s.c.tq][k])
		}
	}
	maxCat := byte(d.cfg.Precision + 3) // DC categories 0..11 or 0..15
	var blk [64]float64
	block := func(s *scanComp, q *[64]float64, bx, by int) error {
		clear(blk[:])
		t, err := r.decode(s.dc)
		if err != nil {
			return err
		}
		if t > maxCat {
			return fmt.Errorf("%w: DC difference category %d", ErrFormat, t)
		}
		diff, err := r.receiveExtend(t)
		if err != nil {
			return err
		}
		s.pred += diff
		blk[0] = float64(s.pred) * q[0]
		for k := 1; k < 64; k++ {
			rs, err := r.decode(s.ac)
			if err != nil {
				return err
			}
			run, size := int(rs>>4), rs&15
			if size == 0 {
				if run != 15 {
					break // end of block
				}
				k += 15
				continue
			}
			k += run
			if k > 63 {
				return fmt.Errorf("%w: AC coefficients past the block", ErrFormat)
			}
			v, err := r.receiveExtend(size)
			if err != nil {
				return err
			}
			n := zigzag[k]
			blk[n] = float64(v) * q[n]
		}
		c := s.c
		idct(&blk, c.plane[by*8*c.stride+bx*8:], c.stride, d.cfg.Precision)
		return nil
	}
	restartLeft := d.restart
	mcu := func() error {
		if d.restart > 0 {
			if restartLeft == 0 {
				if err := r.restart(); err != nil {
					return err
				}
				restartLeft = d.restart
				for i := range sc {
					sc[i].pred = 0
				}
			}
			restartLeft--
		}
		return nil
	}
	if len(sc) == 1 {
		// A non-interleaved scan: one block per MCU, over the blocks
		// that cover the component.
		s := &sc[0]
		c := s.c
		cw := (d.cfg.Width*c.h + d.hmax - 1) / d.hmax
		ch := (d.cfg.Height*c.v + d.vmax - 1) / d.vmax
		for by := 0; by < (ch+7)/8; by++ {
			for bx := 0; bx < (cw+7)/8; bx++ {
				if err := mcu(); err != nil {
					return err
				}
				if err := block(s, &q[0], bx, by); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for my := 0; my < mcuy; my++ {
		for mx := 0; mx < mcux; mx++ {
			if err := mcu(); err != nil {
				return err
			}
			for i := range sc {
				s := &sc[i]
				for v := 0; v < s.c.v; v++ {
					for h := 0; h < s.c.h; h++ {
						if err := block(s, &q[i], mx*s.c.h+h, my*s.c.v+v); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

// dctPixels interleaves the component planes into full-size samples,
// replicating subsampled components.
func (d *decoder) dctPixels() []uint16 {
	w, h, nf := d.cfg.Width, d.cfg.Height, len(d.comps)
	out := make([]uint16, w*h*nf)
	for i, c := range d.comps {
		for y := 0; y < h; y++ {
			row := c.plane[(y*c.v/d.vmax)*c.stride:]
			for x := 0; x < w; x++ {
				out[(y*w+x)*nf+i] = row[x*c.h/d.hmax]
			}
		}
	}
	return out
}
