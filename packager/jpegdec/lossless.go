package jpegdec

import "fmt"

// lossless decodes a lossless scan (T.81 Annex H) of the components sc
// with predictor ss (1..7) and point transform pt into d.pix. The
// samples are reconstructed modulo 2^16 and shifted left by pt.
func (d *decoder) lossless(r *bitReader, sc []scanComp, ss, pt int) error {
	w, h, nf := d.cfg.Width, d.cfg.Height, len(d.comps)
	// Every sample takes at least one bit: a size the data cannot hold
	// is refused before allocating.
	if int64(w)*int64(h)*int64(len(sc)) > 8*int64(len(d.data)) {
		return fmt.Errorf("%w: image of %dx%d is larger than its data", ErrFormat, w, h)
	}
	if d.pix == nil {
		d.pix = make([]uint16, w*h*nf)
	}
	idx := make([]int, len(sc)) // each scan component's index in a pixel
	for i, s := range sc {
		for j := range d.comps {
			if &d.comps[j] == s.c {
				idx[i] = j
			}
		}
	}
	pix := d.pix
	initial := int32(1) << (d.cfg.Precision - pt - 1)
	restartLeft := d.restart
	firstRow := 0 // the first row of the current restart interval
	first := true // next sample starts a restart interval
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if d.restart > 0 {
				if restartLeft == 0 {
					if err := r.restart(); err != nil {
						return err
					}
					restartLeft = d.restart
					firstRow, first = y, true
				}
				restartLeft--
			}
			o := (y*w + x) * nf
			for i, s := range sc {
				t, err := r.decode(s.dc)
				if err != nil {
					return err
				}
				diff, err := r.receiveExtend(t)
				if err != nil {
					return err
				}
				k := o + idx[i]
				var px int32
				switch {
				case first:
					px = initial
				case y == firstRow:
					px = int32(pix[k-nf])
				case x == 0:
					px = int32(pix[k-w*nf])
				default:
					ra, rb, rc := int32(pix[k-nf]), int32(pix[k-w*nf]), int32(pix[k-w*nf-nf])
					switch ss {
					case 1:
						px = ra
					case 2:
						px = rb
					case 3:
						px = rc
					case 4:
						px = ra + rb - rc
					case 5:
						px = ra + (rb-rc)>>1
					case 6:
						px = rb + (ra-rc)>>1
					default:
						px = (ra + rb) >> 1
					}
				}
				pix[k] = uint16(px + diff)
			}
			first = false
		}
	}
	if pt > 0 {
		for _, i := range idx {
			for k := i; k < len(pix); k += nf {
				pix[k] <<= pt
			}
		}
	}
	return nil
}
