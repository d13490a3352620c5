package jpegdec

import (
	"encoding/binary"
	"math"
	"sort"
)

// This file holds the test ENCODERS that make the fixtures: a lossless
// JPEG encoder (T.81 Annex H) and a sequential DCT encoder (Annex F),
// both with Huffman tables built from the data (Annex K.2).

// bitWriter writes entropy-coded data with 0xFF byte stuffing.
type bitWriter struct {
	out  []byte
	acc  uint32
	nacc uint
}

func (w *bitWriter) put(v uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | (v>>uint(i))&1
		w.nacc++
		if w.nacc == 8 {
			w.out = append(w.out, byte(w.acc))
			if byte(w.acc) == 0xFF {
				w.out = append(w.out, 0)
			}
			w.acc, w.nacc = 0, 0
		}
	}
}

// flush pads the last byte with one bits.
func (w *bitWriter) flush() {
	for w.nacc != 0 {
		w.put(1, 1)
	}
}

// code is a Huffman code: its bits and length.
type code struct {
	bits uint32
	n    uint
}

// encTable is a Huffman table for encoding and its DHT payload.
type encTable struct {
	codes  [256]code
	counts [16]byte
	vals   []byte
}

// buildTable makes a Huffman table of code lengths at most 16 for the
// symbol frequencies freq (T.81 K.2, figures K.1 to K.3).
func buildTable(freq0 [256]int) *encTable {
	var freq [257]int
	copy(freq[:], freq0[:])
	freq[256] = 1 // reserves the all-ones code
	var size [257]int
	others := [257]int{}
	for i := range others {
		others[i] = -1
	}
	for {
		v1, v2 := -1, -1
		for i := 0; i < 257; i++ {
			if freq[i] > 0 && (v1 < 0 || freq[i] <= freq[v1]) {
				v1 = i
			}
		}
		for i := 0; i < 257; i++ {
			if i != v1 && freq[i] > 0 && (v2 < 0 || freq[i] <= freq[v2]) {
				v2 = i
			}
		}
		if v2 < 0 {
			break
		}
		freq[v1] += freq[v2]
		freq[v2] = 0
		size[v1]++
		for others[v1] >= 0 {
			v1 = others[v1]
			size[v1]++
		}
		others[v1] = v2
		size[v2]++
		for others[v2] >= 0 {
			v2 = others[v2]
			size[v2]++
		}
	}
	var bits [40]int
	for i := 0; i < 257; i++ {
		if size[i] > 0 {
			bits[size[i]]++
		}
	}
	for i := 39; i > 16; i-- {
		for bits[i] > 0 {
			j := i - 2
			for bits[j] == 0 {
				j--
			}
			bits[i] -= 2
			bits[i-1]++
			bits[j+1] += 2
			bits[j]--
		}
	}
	i := 16
	for bits[i] == 0 {
		i--
	}
	bits[i]-- // drop the reserved symbol
	var syms []int
	for s := 0; s < 256; s++ {
		if size[s] > 0 {
			syms = append(syms, s)
		}
	}
	sort.SliceStable(syms, func(a, b int) bool { return size[syms[a]] < size[syms[b]] })
	t := &encTable{}
	k := 0
	c := uint32(0)
	for l := 1; l <= 16; l++ {
		t.counts[l-1] = byte(bits[l])
		for j := 0; j < bits[l]; j++ {
			s := syms[k]
			t.vals = append(t.vals, byte(s))
			t.codes[s] = code{c, uint(l)}
			c++
			k++
		}
		c <<= 1
	}
	return t
}

// dht returns a DHT segment for table t of class tc, destination th.
func (t *encTable) dht(tc, th byte) []byte {
	b := []byte{tc<<4 | th}
	b = append(b, t.counts[:]...)
	b = append(b, t.vals...)
	return segment(0xC4, b)
}

// segment returns a marker segment.
func segment(m byte, payload []byte) []byte {
	b := []byte{0xFF, m, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(len(payload)+2))
	return append(b, payload...)
}

// category returns the difference category of v and its extra bits.
func category(v int32) (byte, uint32) {
	a := v
	if a < 0 {
		a = -a
	}
	s := byte(0)
	for a > 0 {
		s++
		a >>= 1
	}
	if v < 0 {
		v--
	}
	return s, uint32(v) & (1<<s - 1)
}

// losslessOpts describes a lossless fixture.
type losslessOpts struct {
	w, h, nc, p, pred, pt, restart int
	separate                       bool // one scan per component
}

// encodeLossless encodes interleaved samples (already of o.p bits).
func encodeLossless(samples []uint16, o losslessOpts) []byte {
	diffs := func(comps []int) []int32 {
		var out []int32
		first, firstRow, left := true, 0, o.restart
		val := func(x, y, c int) int32 { return int32(samples[(y*o.w+x)*o.nc+c] >> o.pt) }
		for y := 0; y < o.h; y++ {
			for x := 0; x < o.w; x++ {
				if o.restart > 0 {
					if left == 0 {
						out = append(out, math.MinInt32) // restart marker
						left = o.restart
						first, firstRow = true, y
					}
					left--
				}
				for _, c := range comps {
					var px int32
					switch {
					case first:
						px = 1 << (o.p - o.pt - 1)
					case y == firstRow:
						px = val(x-1, y, c)
					case x == 0:
						px = val(x, y-1, c)
					default:
						ra, rb, rc := val(x-1, y, c), val(x, y-1, c), val(x-1, y-1, c)
						px = [8]int32{0, ra, rb, rc, ra + rb - rc, ra + (rb-rc)>>1, rb + (ra-rc)>>1, (ra + rb) >> 1}[o.pred]
					}
					out = append(out, int32(int16(uint16(val(x, y, c)-px))))
				}
				first = false
			}
		}
		return out
	}
	cat := func(d int32) (byte, uint32) {
		if d == -32768 {
			return 16, 0
		}
		return category(d)
	}
	out := []byte{0xFF, 0xD8}
	sof := []byte{byte(o.p), byte(o.h >> 8), byte(o.h), byte(o.w >> 8), byte(o.w), byte(o.nc)}
	for c := 0; c < o.nc; c++ {
		sof = append(sof, byte(c+1), 0x11, 0)
	}
	out = append(out, segment(0xC3, sof)...)
	if o.restart > 0 {
		out = append(out, segment(0xDD, []byte{byte(o.restart >> 8), byte(o.restart)})...)
	}
	var scans [][]int
	if o.separate {
		for c := 0; c < o.nc; c++ {
			scans = append(scans, []int{c})
		}
	} else {
		all := make([]int, o.nc)
		for c := range all {
			all[c] = c
		}
		scans = [][]int{all}
	}
	for _, comps := range scans {
		ds := diffs(comps)
		var freq [256]int
		for _, d := range ds {
			if d != math.MinInt32 {
				s, _ := cat(d)
				freq[s]++
			}
		}
		t := buildTable(freq)
		out = append(out, t.dht(0, 0)...)
		sos := []byte{byte(len(comps))}
		for _, c := range comps {
			sos = append(sos, byte(c+1), 0)
		}
		sos = append(sos, byte(o.pred), 0, byte(o.pt))
		out = append(out, segment(0xDA, sos)...)
		w := &bitWriter{}
		rst := 0
		for _, d := range ds {
			if d == math.MinInt32 {
				w.flush()
				w.out = append(w.out, 0xFF, byte(0xD0+rst%8))
				rst++
				continue
			}
			s, extra := cat(d)
			w.put(t.codes[s].bits, t.codes[s].n)
			if s > 0 && s < 16 {
				w.put(extra, uint(s))
			}
		}
		w.flush()
		out = append(out, w.out...)
	}
	return append(out, 0xFF, 0xD9)
}

// fdctCos[u][x] = C(u)/2 cos((2x+1)uπ/16).
var fdctCos = func() (t [8][8]float64) {
	for u := 0; u < 8; u++ {
		for x := 0; x < 8; x++ {
			c := 1.0
			if u == 0 {
				c = 1 / math.Sqrt2
			}
			t[u][x] = c / 2 * math.Cos(float64(2*x+1)*float64(u)*math.Pi/16)
		}
	}
	return
}()

// dctOpts describes a sequential DCT fixture of one or more components
// without subsampling.
type dctOpts struct {
	w, h, nc, p, restart int
	quant                [64]uint16 // natural order
}

// quantised returns the quantised coefficients (natural order) of each
// block of each component, block rows of ceil(w/8) blocks, edges padded
// by replication.
func quantised(samples []uint16, o dctOpts) [][][64]int32 {
	bw, bh := (o.w+7)/8, (o.h+7)/8
	out := make([][][64]int32, o.nc)
	for c := 0; c < o.nc; c++ {
		for by := 0; by < bh; by++ {
			for bx := 0; bx < bw; bx++ {
				var f [64]float64
				for y := 0; y < 8; y++ {
					for x := 0; x < 8; x++ {
						sx, sy := min(bx*8+x, o.w-1), min(by*8+y, o.h-1)
						f[y*8+x] = float64(samples[(sy*o.w+sx)*o.nc+c]) - float64(int(1)<<(o.p-1))
					}
				}
				var blk [64]int32
				for v := 0; v < 8; v++ {
					for u := 0; u < 8; u++ {
						s := 0.0
						for y := 0; y < 8; y++ {
							for x := 0; x < 8; x++ {
								s += fdctCos[u][x] * fdctCos[v][y] * f[y*8+x]
							}
						}
						blk[v*8+u] = int32(math.Round(s / float64(o.quant[v*8+u])))
					}
				}
				out[c] = append(out[c], blk)
			}
		}
	}
	return out
}

// encodeDCT encodes coefficient blocks from quantised as an SOF1 frame.
func encodeDCT(blocks [][][64]int32, o dctOpts) []byte {
	type sym struct {
		dc   bool
		s    byte
		bits uint32
		n    uint
	}
	var syms []sym // symbols in order; s 255 with dc false marks a restart
	nb := len(blocks[0])
	pred := make([]int32, o.nc)
	left := o.restart
	for b := 0; b < nb; b++ {
		if o.restart > 0 {
			if left == 0 {
				syms = append(syms, sym{s: 255, n: 99})
				left = o.restart
				clear(pred)
			}
			left--
		}
		for c := 0; c < o.nc; c++ {
			blk := blocks[c][b]
			s, e := category(blk[0] - pred[c])
			pred[c] = blk[0]
			syms = append(syms, sym{true, s, e, uint(s)})
			run := 0
			for k := 1; k < 64; k++ {
				v := blk[zigzag[k]]
				if v == 0 {
					run++
					continue
				}
				for run > 15 {
					syms = append(syms, sym{s: 0xF0})
					run -= 16
				}
				s, e := category(v)
				syms = append(syms, sym{false, byte(run<<4) | s, e, uint(s)})
				run = 0
			}
			if run > 0 {
				syms = append(syms, sym{s: 0})
			}
		}
	}
	var fdc, fac [256]int
	for _, s := range syms {
		switch {
		case s.n == 99:
		case s.dc:
			fdc[s.s]++
		default:
			fac[s.s]++
		}
	}
	dc, ac := buildTable(fdc), buildTable(fac)
	out := []byte{0xFF, 0xD8}
	dqt := []byte{0x10}
	for k := 0; k < 64; k++ {
		dqt = binary.BigEndian.AppendUint16(dqt, o.quant[zigzag[k]])
	}
	out = append(out, segment(0xDB, dqt)...)
	sof := []byte{byte(o.p), byte(o.h >> 8), byte(o.h), byte(o.w >> 8), byte(o.w), byte(o.nc)}
	sos := []byte{byte(o.nc)}
	for c := 0; c < o.nc; c++ {
		sof = append(sof, byte(c+1), 0x11, 0)
		sos = append(sos, byte(c+1), 0)
	}
	sos = append(sos, 0, 63, 0)
	out = append(out, segment(0xC1, sof)...)
	out = append(out, dc.dht(0, 0)...)
	out = append(out, ac.dht(1, 0)...)
	if o.restart > 0 {
		out = append(out, segment(0xDD, []byte{byte(o.restart >> 8), byte(o.restart)})...)
	}
	out = append(out, segment(0xDA, sos)...)
	w := &bitWriter{}
	rst := 0
	for _, s := range syms {
		if s.n == 99 {
			w.flush()
			w.out = append(w.out, 0xFF, byte(0xD0+rst%8))
			rst++
			continue
		}
		t := ac
		if s.dc {
			t = dc
		}
		w.put(t.codes[s.s].bits, t.codes[s.s].n)
		w.put(s.bits, s.n)
	}
	w.flush()
	out = append(out, w.out...)
	return append(out, 0xFF, 0xD9)
}

// referenceIDCT decodes quantised blocks with a direct 2-D inverse DCT
// (T.81 A.3.3), the float reference for the decoder's separable one.
func referenceIDCT(blocks [][][64]int32, o dctOpts) []uint16 {
	bw := (o.w + 7) / 8
	out := make([]uint16, o.w*o.h*o.nc)
	top := float64(int(1)<<o.p - 1)
	for c := 0; c < o.nc; c++ {
		for b, blk := range blocks[c] {
			bx, by := b%bw, b/bw
			for y := 0; y < 8; y++ {
				for x := 0; x < 8; x++ {
					if bx*8+x >= o.w || by*8+y >= o.h {
						continue
					}
					s := 0.0
					for v := 0; v < 8; v++ {
						for u := 0; u < 8; u++ {
							s += fdctCos[u][x] * fdctCos[v][y] * float64(blk[v*8+u]) * float64(o.quant[v*8+u])
						}
					}
					s = math.Min(math.Max(math.Round(s+float64(int(1)<<(o.p-1))), 0), top)
					out[((by*8+y)*o.w+bx*8+x)*o.nc+c] = uint16(s)
				}
			}
		}
	}
	return out
}
