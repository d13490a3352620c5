package jpegls

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// bitWriter writes coded data with a stuffed 0 bit after each 0xFF byte.
type bitWriter struct {
	out  []byte
	cur  uint32 // bits of the byte being filled
	n    int    // bits in cur
	room int    // bits of the byte being filled (8, or 7 after 0xFF)
}

// bit appends one bit.
func (w *bitWriter) bit(b int32) {
	if w.room == 0 {
		w.room = 8
	}
	w.cur = w.cur<<1 | uint32(b&1)
	w.n++
	if w.n == w.room {
		w.out = append(w.out, byte(w.cur))
		if byte(w.cur) == 0xFF {
			w.room = 7
		} else {
			w.room = 8
		}
		w.cur, w.n = 0, 0
	}
}

// bits appends the k low bits of v, most significant first.
func (w *bitWriter) bits(v, k int32) {
	for i := k - 1; i >= 0; i-- {
		w.bit(v >> i & 1)
	}
}

// flush pads the last byte with zeros (and a byte after a final 0xFF).
func (w *bitWriter) flush() {
	for w.n != 0 {
		w.bit(0)
	}
	if len(w.out) > 0 && w.out[len(w.out)-1] == 0xFF {
		w.out = append(w.out, 0)
	}
	w.room = 8
}

// EncodeOptions are the choices of Encode.
type EncodeOptions struct {
	// Near is NEAR: 0 lossless, above 0 near-lossless.
	Near int
	// Interleave is ILV: 0 one scan per component, 1 line, 2 sample.
	Interleave int
	// Restart is the restart interval in lines (0: none).
	Restart int
	// MaxVal, when not 0, is written in preset parameters.
	MaxVal int
	// Preset writes thresholds other than the defaults and RESET 32.
	Preset bool
}

// Encode codes pix (width × height samples of nc components interleaved,
// bits per sample) as JPEG-LS with the same modelling as Decode. It is
// the fixture encoder of Dossier's tests: images are written native, never
// as JPEG-LS.
func Encode(pix []uint16, w, h, nc, bits int, o EncodeOptions) ([]byte, error) {
	switch {
	case w < 1 || w > 65535 || h < 1 || h > 65535 || nc < 1 || nc > 4 || bits < 2 || bits > 16:
		return nil, fmt.Errorf("jpegls: cannot encode %dx%d samples of %d components and %d bits", w, h, nc, bits)
	case len(pix) != w*h*nc:
		return nil, errors.New("jpegls: sample count does not match the size")
	case o.Interleave < 0 || o.Interleave > 2 || nc == 1 && o.Interleave != 0 || o.Restart < 0 || o.Restart > 65535:
		return nil, errors.New("jpegls: invalid interleave mode or restart interval")
	}
	top := 1<<bits - 1
	if o.MaxVal != 0 {
		top = o.MaxVal
	}
	if top < 1 || top > 1<<bits-1 || o.Near < 0 || o.Near > min(255, top/2) {
		return nil, errors.New("jpegls: invalid MAXVAL or NEAR")
	}
	for _, v := range pix {
		if int(v) > top {
			return nil, errors.New("jpegls: sample above MAXVAL")
		}
	}
	return encode(pix, w, h, nc, bits, o), nil
}

// encoder mirrors scanDecoder.
type encoder struct {
	w     bitWriter
	s     state
	width int
}

// golomb appends mapped error m with Golomb parameter k and code length limit.
func (e *encoder) golomb(k, m, limit int32) {
	qbpp := e.s.p.qbpp
	if hi := m >> k; hi < limit-qbpp-1 {
		for i := int32(0); i < hi; i++ {
			e.w.bit(0)
		}
		e.w.bit(1)
		e.w.bits(m&(1<<k-1), k)
		return
	}
	for i := int32(0); i < limit-qbpp-1; i++ {
		e.w.bit(0)
	}
	e.w.bit(1)
	e.w.bits(m-1, qbpp)
}

// quantErr quantizes and reduces an error (T.87 A.4.4).
func (e *encoder) quantErr(d int32) int32 {
	p := &e.s.p
	if p.near > 0 {
		if d > 0 {
			d = (p.near + d) / (2*p.near + 1)
		} else {
			d = -(p.near - d) / (2*p.near + 1)
		}
	}
	if d < 0 {
		d += p.rng
	}
	if d >= (p.rng+1)/2 {
		d -= p.rng
	}
	return d
}

// regular codes sample ix in regular mode and returns its reconstruction.
func (e *encoder) regular(q, sign, px, ix int32) int32 {
	s := &e.s
	px = s.corrected(px, q, sign)
	k := s.golombK(q)
	er := e.quantErr(sign * (ix - px))
	m := 2 * er
	if er < 0 {
		m = -2*er - 1
	}
	if s.p.near == 0 && k == 0 && 2*s.b[q] <= -s.n[q] {
		m = 2*er + 1
		if er < 0 {
			m = -2 * (er + 1)
		}
	}
	e.golomb(k, m, s.p.limit)
	s.update(q, er)
	return s.reconstruct(px, sign*er)
}

// interruption codes run interruption sample ix of type t.
func (e *encoder) interruption(t, ra, rb, ix int32) int32 {
	s := &e.s
	px, sign := rb, int32(1)
	if t == 1 {
		px = ra
	} else if ra > rb {
		sign = -1
	}
	er := e.quantErr(sign * (ix - px))
	k := s.riK(t)
	q := 365 + t
	var mp int32
	switch {
	case k == 0 && er > 0 && 2*s.nn[t] < s.n[q]:
		mp = 1
	case er < 0 && 2*s.nn[t] >= s.n[q]:
		mp = 1
	case er < 0 && k != 0:
		mp = 1
	}
	em := 2*abs(er) - t - mp
	e.golomb(k, em, s.p.limit-jtab[s.runIndex]-1)
	s.riUpdate(t, er, em)
	return s.reconstruct(px, sign*er)
}

// run codes a run of n samples; eol when it reaches the end of the line.
func (e *encoder) run(n int, eol bool) {
	s := &e.s
	for n >= 1<<jtab[s.runIndex] {
		e.w.bit(1)
		n -= 1 << jtab[s.runIndex]
		if s.runIndex < 31 {
			s.runIndex++
		}
	}
	if eol {
		if n > 0 {
			e.w.bit(1)
		}
		return
	}
	e.w.bit(0)
	e.w.bits(int32(n), jtab[s.runIndex])
}

// encodeLines codes one line of each component in ls from src (rows of
// the components, ilv 2 sample interleaved).
func (e *encoder) encodeLines(ls []line, src [][]int32, ilv int, runs []int32) {
	s := &e.s
	w := e.width
	for c := range ls {
		startLine(&ls[c], w)
	}
	near := s.p.near
	if ilv != 2 {
		for c := range ls {
			s.runIndex = runs[c]
			l, in := &ls[c], src[c]
			for x := 1; x <= w; {
				ra, rb, rc, rd := l.cur[x-1], l.prev[x], l.prev[x-1], l.prev[x+1]
				q1, q2, q3 := s.quantize(rd-rb), s.quantize(rb-rc), s.quantize(rc-ra)
				if q1 == 0 && q2 == 0 && q3 == 0 {
					n := 0
					for x+n <= w && abs(in[x+n-1]-ra) <= near {
						l.cur[x+n] = ra
						n++
					}
					eol := x+n > w
					e.run(n, eol)
					x += n
					if eol {
						break
					}
					ra, rb = l.cur[x-1], l.prev[x]
					t := int32(0)
					if abs(ra-rb) <= near {
						t = 1
					}
					l.cur[x] = e.interruption(t, ra, rb, in[x-1])
					x++
					if s.runIndex > 0 {
						s.runIndex--
					}
					continue
				}
				q, sign := context(q1, q2, q3)
				l.cur[x] = e.regular(q, sign, predict(ra, rb, rc), in[x-1])
				x++
			}
			runs[c] = s.runIndex
		}
		return
	}
	var qs, signs [4]int32
	for x := 1; x <= w; {
		zero := true
		for c := range ls {
			l := &ls[c]
			a, b, cc, dd := l.cur[x-1], l.prev[x], l.prev[x-1], l.prev[x+1]
			q1, q2, q3 := s.quantize(dd-b), s.quantize(b-cc), s.quantize(cc-a)
			qs[c], signs[c] = context(q1, q2, q3)
			zero = zero && q1 == 0 && q2 == 0 && q3 == 0
		}
		if zero {
			n := 0
			for x+n <= w {
				match := true
				for c := range ls {
					match = match && abs(src[c][x+n-1]-ls[c].cur[x-1]) <= near
				}
				if !match {
					break
				}
				for c := range ls {
					ls[c].cur[x+n] = ls[c].cur[x-1]
				}
				n++
			}
			eol := x+n > w
			e.run(n, eol)
			x += n
			if eol {
				break
			}
			for c := range ls {
				l := &ls[c]
				l.cur[x] = e.interruption(0, l.cur[x-1], l.prev[x], src[c][x-1])
			}
			x++
			if s.runIndex > 0 {
				s.runIndex--
			}
			continue
		}
		for c := range ls {
			l := &ls[c]
			l.cur[x] = e.regular(qs[c], signs[c], predict(l.cur[x-1], l.prev[x], l.prev[x-1]), src[c][x-1])
		}
		x++
	}
}

// seg appends a marker segment.
func seg(out []byte, m byte, b []byte) []byte {
	out = append(out, 0xFF, m, 0, 0)
	binary.BigEndian.PutUint16(out[len(out)-2:], uint16(len(b)+2))
	return append(out, b...)
}

// encode codes pix (w×h, nc components interleaved, p bits) as JPEG-LS.
func encode(pix []uint16, w, h, nc, p int, o EncodeOptions) []byte {
	out := []byte{0xFF, markerSOI}
	sof := []byte{byte(p), byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(nc)}
	for c := 0; c < nc; c++ {
		sof = append(sof, byte(c+1), 0x11, 0)
	}
	out = seg(out, markerSOF55, sof)
	maxval := int32(1)<<p - 1
	if o.MaxVal != 0 {
		maxval = int32(o.MaxVal)
	}
	var t1, t2, t3 int32
	if o.Preset {
		t1, t2, t3 = defaultThresholds(maxval, int32(o.Near))
		t1, t2, t3 = t1+1, t2+2, t3+3
		t3 = min(t3, maxval)
		t2 = min(t2, t3)
		t1 = min(t1, t2)
	}
	reset := int32(64)
	if o.Preset {
		reset = 32
	}
	if o.Preset || o.MaxVal != 0 {
		b := []byte{1}
		for _, v := range []int32{maxval, t1, t2, t3, reset} {
			b = append(b, byte(v>>8), byte(v))
		}
		out = seg(out, markerLSE, b)
	}
	if o.Restart > 0 {
		out = seg(out, markerDRI, []byte{byte(o.Restart >> 8), byte(o.Restart)})
	}
	groups := [][]int{}
	if o.Interleave == 0 {
		for c := 0; c < nc; c++ {
			groups = append(groups, []int{c})
		}
	} else {
		g := []int{}
		for c := 0; c < nc; c++ {
			g = append(g, c)
		}
		groups = append(groups, g)
	}
	for _, g := range groups {
		sos := []byte{byte(len(g))}
		for _, c := range g {
			sos = append(sos, byte(c+1), 0)
		}
		sos = append(sos, byte(o.Near), byte(o.Interleave), 0)
		out = seg(out, markerSOS, sos)
		e := &encoder{width: w, s: state{p: newParams(maxval, int32(o.Near), t1, t2, t3, reset)}}
		ls := make([]line, len(g))
		reset := func() {
			e.s.init()
			for i := range ls {
				ls[i] = line{prev: make([]int32, w+2), cur: make([]int32, w+2)}
			}
		}
		reset()
		runs := make([]int32, len(g))
		src := make([][]int32, len(g))
		rst := 0
		for y := 0; y < h; y++ {
			if o.Restart > 0 && y > 0 && y%o.Restart == 0 {
				e.w.flush()
				e.w.out = append(e.w.out, 0xFF, byte(0xD0+rst))
				rst = (rst + 1) % 8
				reset()
				clear(runs)
			}
			for i, c := range g {
				src[i] = make([]int32, w)
				for x := 0; x < w; x++ {
					src[i][x] = int32(pix[(y*w+x)*nc+c])
				}
			}
			e.encodeLines(ls, src, o.Interleave, runs)
			for i := range ls {
				ls[i].prev, ls[i].cur = ls[i].cur, ls[i].prev
			}
		}
		e.w.flush()
		out = append(out, e.w.out...)
	}
	return append(out, 0xFF, markerEOI)
}
