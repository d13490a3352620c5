package jpegls

import (
	"errors"
	"fmt"
	"math/bits"
)

// errTruncated is returned when coded data ends before the image does.
var errTruncated = errors.New("jpegls: coded data ends before the image")

// bitReader reads the coded data of a scan, removing the stuffed bit after
// each 0xFF byte (T.87 A.1) and stopping at the next marker.
type bitReader struct {
	data   []byte
	pos    int    // next byte to load
	acc    uint64 // bits, most significant first
	n      int    // valid bits in acc
	prevFF bool   // the last byte loaded was 0xFF
	end    bool   // a marker (or the end of data) was reached at pos
}

// fill loads bytes until acc holds more than 56 bits or a marker is met.
func (r *bitReader) fill() {
	for r.n <= 56 && !r.end {
		if r.pos >= len(r.data) {
			r.end = true
			return
		}
		b := r.data[r.pos]
		if b == 0xFF && (r.pos+1 >= len(r.data) || r.data[r.pos+1] >= 0x80) {
			r.end = true // a marker: pos is its 0xFF
			return
		}
		if r.prevFF {
			r.acc |= uint64(b) << (57 - r.n)
			r.n += 7
		} else {
			r.acc |= uint64(b) << (56 - r.n)
			r.n += 8
		}
		r.prevFF = b == 0xFF
		r.pos++
	}
}

// read returns the next k bits (k <= 32).
func (r *bitReader) read(k int32) (int32, error) {
	if k == 0 {
		return 0, nil
	}
	if r.n < int(k) {
		r.fill()
		if r.n < int(k) {
			return 0, errTruncated
		}
	}
	v := int32(r.acc >> (64 - k))
	r.acc <<= k
	r.n -= int(k)
	return v, nil
}

// unary returns the number of 0 bits before the next 1 bit, failing when
// there are more than max.
func (r *bitReader) unary(max int32) (int32, error) {
	var total int32
	for {
		if r.n == 0 {
			r.fill()
			if r.n == 0 {
				return 0, errTruncated
			}
		}
		z := bits.LeadingZeros64(r.acc)
		if z < r.n {
			r.acc <<= z + 1
			r.n -= z + 1
			total += int32(z)
			if total > max {
				return 0, errors.New("jpegls: code longer than LIMIT")
			}
			return total, nil
		}
		total += int32(r.n)
		r.acc, r.n = 0, 0
		if total > max {
			return 0, errors.New("jpegls: code longer than LIMIT")
		}
	}
}

// markerPos returns the offset of the 0xFF of the marker ending the
// coded data (or the length of the data), with the bits left over
// (padding) discarded.
func (r *bitReader) markerPos() int {
	for !r.end {
		r.n, r.acc = 0, 0
		r.fill()
	}
	r.n, r.acc = 0, 0
	return r.pos
}

// golomb decodes a mapped error value with Golomb parameter k and code
// length limit (T.87 A.5.3 and its escape code).
func (d *scanDecoder) golomb(k, limit int32) (int32, error) {
	qbpp := d.s.p.qbpp
	hi, err := d.r.unary(limit - qbpp - 1)
	if err != nil {
		return 0, err
	}
	if hi == limit-qbpp-1 {
		v, err := d.r.read(qbpp)
		return v + 1, err
	}
	lo, err := d.r.read(k)
	return hi<<k | lo, err
}

// line holds the previous and current reconstructed lines of one
// component, with one extra sample at each end (index x+1 for column x).
type line struct{ prev, cur []int32 }

// scanDecoder decodes the coded data of one scan.
type scanDecoder struct {
	r     bitReader
	s     state
	w     int
	lines []line
	runs  []int32 // RUNindex of each component (line interleaved)
}

// regular decodes one sample in regular mode (T.87 A.3 to A.6).
func (d *scanDecoder) regular(q, sign, px int32) (int32, error) {
	s := &d.s
	px = s.corrected(px, q, sign)
	k := s.golombK(q)
	m, err := d.golomb(k, s.p.limit)
	if err != nil {
		return 0, err
	}
	e := m >> 1
	if m&1 == 1 {
		e = -(m + 1) >> 1
	}
	if s.p.near == 0 && k == 0 && 2*s.b[q] <= -s.n[q] {
		e = ^e
	}
	s.update(q, e)
	return s.reconstruct(px, sign*e), nil
}

// interruption decodes a run interruption sample of type t (T.87 A.7.2).
func (d *scanDecoder) interruption(t, ra, rb int32) (int32, error) {
	s := &d.s
	k := s.riK(t)
	em, err := d.golomb(k, s.p.limit-jtab[s.runIndex]-1)
	if err != nil {
		return 0, err
	}
	tmp := em + t
	m := tmp & 1
	e := (tmp + m) >> 1
	if s.riNegative(t, k, m) {
		e = -e
	}
	s.riUpdate(t, e, em)
	if t == 1 {
		return s.reconstruct(ra, e), nil
	}
	if ra > rb {
		e = -e
	}
	return s.reconstruct(rb, e), nil
}

// runLength decodes the length of a run starting with left samples left
// in the line; eol reports a run reaching the end of the line.
func (d *scanDecoder) runLength(left int) (n int, eol bool, err error) {
	s := &d.s
	for n < left {
		b, err := d.r.read(1)
		if err != nil {
			return 0, false, err
		}
		if b == 1 {
			step := 1 << jtab[s.runIndex]
			if step > left-n {
				return left, true, nil
			}
			n += step
			if s.runIndex < 31 {
				s.runIndex++
			}
			continue
		}
		m, err := d.r.read(jtab[s.runIndex])
		if err != nil {
			return 0, false, err
		}
		n += int(m)
		if n >= left {
			return 0, false, errors.New("jpegls: run longer than its line")
		}
		return n, false, nil
	}
	return n, true, nil
}

// startLine sets the edge samples of the lines before a line is decoded
// (T.87 A.2.1).
func startLine(l *line, w int) {
	l.prev[w+1] = l.prev[w]
	l.cur[0] = l.prev[1]
}

// decodeLine decodes one line of one component (no sample interleaving).
func (d *scanDecoder) decodeLine(l *line) error {
	s := &d.s
	w := d.w
	startLine(l, w)
	prev, cur := l.prev, l.cur
	for x := 1; x <= w; {
		ra, rb, rc, rd := cur[x-1], prev[x], prev[x-1], prev[x+1]
		q1, q2, q3 := s.quantize(rd-rb), s.quantize(rb-rc), s.quantize(rc-ra)
		if q1 == 0 && q2 == 0 && q3 == 0 {
			n, eol, err := d.runLength(w - x + 1)
			if err != nil {
				return err
			}
			for i := 0; i < n; i++ {
				cur[x+i] = ra
			}
			x += n
			if eol {
				break
			}
			ra, rb = cur[x-1], prev[x]
			t := int32(0)
			if abs(ra-rb) <= s.p.near {
				t = 1
			}
			v, err := d.interruption(t, ra, rb)
			if err != nil {
				return err
			}
			cur[x] = v
			x++
			if s.runIndex > 0 {
				s.runIndex--
			}
			continue
		}
		q, sign := context(q1, q2, q3)
		v, err := d.regular(q, sign, predict(ra, rb, rc))
		if err != nil {
			return err
		}
		cur[x] = v
		x++
	}
	return nil
}

// decodeSamples decodes one line of every component, sample interleaved.
func (d *scanDecoder) decodeSamples() error {
	s := &d.s
	w, nc := d.w, len(d.lines)
	for c := range d.lines {
		startLine(&d.lines[c], w)
	}
	var qs, signs, ra [4]int32
	for x := 1; x <= w; {
		zero := true
		for c := range d.lines {
			l := &d.lines[c]
			a, b, cc, dd := l.cur[x-1], l.prev[x], l.prev[x-1], l.prev[x+1]
			q1, q2, q3 := s.quantize(dd-b), s.quantize(b-cc), s.quantize(cc-a)
			qs[c], signs[c] = context(q1, q2, q3)
			ra[c] = a
			zero = zero && q1 == 0 && q2 == 0 && q3 == 0
		}
		if zero {
			n, eol, err := d.runLength(w - x + 1)
			if err != nil {
				return err
			}
			for c := 0; c < nc; c++ {
				for i := 0; i < n; i++ {
					d.lines[c].cur[x+i] = ra[c]
				}
			}
			x += n
			if eol {
				break
			}
			for c := 0; c < nc; c++ {
				l := &d.lines[c]
				v, err := d.interruption(0, l.cur[x-1], l.prev[x])
				if err != nil {
					return err
				}
				l.cur[x] = v
			}
			x++
			if s.runIndex > 0 {
				s.runIndex--
			}
			continue
		}
		for c := 0; c < nc; c++ {
			l := &d.lines[c]
			v, err := d.regular(qs[c], signs[c], predict(l.cur[x-1], l.prev[x], l.prev[x-1]))
			if err != nil {
				return err
			}
			l.cur[x] = v
		}
		x++
	}
	return nil
}

func abs(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// restart re-initialises the context variables and the lines at the start
// of a scan or of a restart interval.
func (d *scanDecoder) restart() {
	d.s.init()
	for c := range d.lines {
		clear(d.lines[c].prev)
		clear(d.lines[c].cur)
	}
	clear(d.runs)
}

// decode decodes the scan's lines into out (samples of nc components
// interleaved, the scan's components at offsets comps), handling restart
// markers every ri lines; it returns the offset of the marker after the
// coded data.
func (d *scanDecoder) decode(out []uint16, h, nc int, comps []int, ilv int, ri int) (int, error) {
	d.restart()
	next := 0
	for y := 0; y < h; y++ {
		if ri > 0 && y > 0 && y%ri == 0 {
			p := d.r.markerPos()
			if p+1 >= len(d.r.data) || d.r.data[p+1] != byte(0xD0+next) {
				return 0, fmt.Errorf("jpegls: restart marker %d missing", next)
			}
			next = (next + 1) % 8
			d.r = bitReader{data: d.r.data, pos: p + 2}
			d.restart()
		}
		if ilv == 2 {
			if err := d.decodeSamples(); err != nil {
				return 0, err
			}
		} else {
			for c := range d.lines {
				d.s.runIndex = d.runs[c]
				if err := d.decodeLine(&d.lines[c]); err != nil {
					return 0, err
				}
				d.runs[c] = d.s.runIndex
			}
		}
		for c := range d.lines {
			l := &d.lines[c]
			row := out[y*d.w*nc:]
			for x := 0; x < d.w; x++ {
				row[x*nc+comps[c]] = uint16(l.cur[x+1])
			}
			l.prev, l.cur = l.cur, l.prev
		}
	}
	return d.r.markerPos(), nil
}
