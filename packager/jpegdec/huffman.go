package jpegdec

import "fmt"

// lutBits is the length of the codes found in one table look-up; longer
// codes are decoded through the canonical code limits.
const lutBits = 9

// huffman is one decoding table (ITU T.81 Annex C).
type huffman struct {
	// lut, indexed by the next lutBits bits, holds length<<8 | value,
	// or 0 when the code is longer than lutBits.
	lut [1 << lutBits]uint16
	// maxCode[l] is the largest code of length l (-1 when none), and
	// valPtr[l] the index in vals of the first code of length l, minus
	// its code.
	maxCode [17]int32
	valPtr  [17]int32
	vals    []byte
}

// newHuffman builds a table from the code counts per length (1..16) and
// the symbol values of a DHT segment.
func newHuffman(counts [16]byte, vals []byte) (*huffman, error) {
	h := &huffman{vals: append([]byte(nil), vals...)}
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		h.maxCode[l] = -1
		if n > 0 {
			h.valPtr[l] = k - code
			code += n
			k += n
			h.maxCode[l] = code - 1
			if code > 1<<l {
				return nil, fmt.Errorf("%w: Huffman table has more codes of length %d than fit", ErrFormat, l)
			}
			if l <= lutBits {
				for c := code - n; c < code; c++ {
					v := uint16(l)<<8 | uint16(vals[h.valPtr[l]+c])
					lo := c << (lutBits - l)
					for j := int32(0); j < 1<<(lutBits-l); j++ {
						h.lut[lo+j] = v
					}
				}
			}
		}
		code <<= 1
	}
	if int(k) != len(vals) {
		return nil, fmt.Errorf("%w: Huffman table has %d values for %d codes", ErrFormat, len(vals), k)
	}
	return h, nil
}

// bitReader reads the entropy-coded segment of a scan, removing the
// stuffed zero byte after each 0xFF. It stops at a marker; bits it must
// hand out beyond it are an error (the data ended early).
type bitReader struct {
	data []byte
	pos  int    // next byte of data to load
	acc  uint64 // bits to hand out, the next one in bit 63
	n    uint   // bits in acc
	fake uint   // zero bits at the tail of acc that lie past the data
}

// fill loads bytes until acc holds more than 56 bits.
func (r *bitReader) fill() {
	for r.n <= 56 {
		var b byte
		switch {
		case r.pos >= len(r.data):
			r.fake += 8
		case r.data[r.pos] != 0xFF:
			b = r.data[r.pos]
			r.pos++
		case r.pos+1 < len(r.data) && r.data[r.pos+1] == 0:
			b = 0xFF
			r.pos += 2
		default: // a marker: the segment ends here
			r.fake += 8
		}
		r.acc |= uint64(b) << (56 - r.n)
		r.n += 8
	}
}

// consume drops k bits, failing when they reach past the data.
func (r *bitReader) consume(k uint) error {
	r.acc <<= k
	r.n -= k
	if r.n < r.fake {
		return fmt.Errorf("%w: entropy-coded data ends early", ErrFormat)
	}
	return nil
}

// bits returns the next k (0..16) bits as an unsigned number.
func (r *bitReader) bits(k uint) (uint32, error) {
	if k == 0 {
		return 0, nil
	}
	if r.n < k {
		r.fill()
	}
	v := uint32(r.acc >> (64 - k))
	return v, r.consume(k)
}

// decode returns the next Huffman-coded symbol of table h.
func (r *bitReader) decode(h *huffman) (byte, error) {
	if r.n < 16 {
		r.fill()
	}
	if e := h.lut[r.acc>>(64-lutBits)]; e != 0 {
		return byte(e), r.consume(uint(e >> 8))
	}
	for l := lutBits + 1; l <= 16; l++ {
		c := int32(r.acc >> (64 - uint(l)))
		if c <= h.maxCode[l] {
			return h.vals[h.valPtr[l]+c], r.consume(uint(l))
		}
	}
	return 0, fmt.Errorf("%w: bad Huffman code", ErrFormat)
}

// receiveExtend reads s (0..16) bits and returns the signed difference
// they code (T.81 F.2.2.1); category 16 (lossless only) is 32768 with no
// extra bits.
func (r *bitReader) receiveExtend(s byte) (int32, error) {
	switch {
	case s == 0:
		return 0, nil
	case s == 16:
		return 32768, nil
	case s > 16:
		return 0, fmt.Errorf("%w: difference category %d", ErrFormat, s)
	}
	v, err := r.bits(uint(s))
	if err != nil {
		return 0, err
	}
	if v < 1<<(s-1) {
		return int32(v) - (1 << s) + 1, nil
	}
	return int32(v), nil
}

// restart ends a restart interval: the bits left in the current byte are
// dropped and the next marker must be RSTn.
func (r *bitReader) restart() error {
	// Fill stops at a marker, so the bytes in acc are the interval's
	// padding; any stray bytes up to the marker are skipped.
	r.acc, r.n, r.fake = 0, 0, 0
	for r.pos+1 < len(r.data) && (r.data[r.pos] != 0xFF || r.data[r.pos+1] == 0 || r.data[r.pos+1] == 0xFF) {
		r.pos++
	}
	if r.pos+1 >= len(r.data) || r.data[r.pos] != 0xFF || r.data[r.pos+1] < 0xD0 || r.data[r.pos+1] > 0xD7 {
		return fmt.Errorf("%w: restart marker missing", ErrFormat)
	}
	r.pos += 2
	return nil
}
