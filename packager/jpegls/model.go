package jpegls

// params holds the coding parameters of one scan (T.87 A.2 and C.2.4).
type params struct {
	maxval, near, rng, qbpp, limit int32
	t1, t2, t3, reset              int32
}

// jtab is the run-length order table J (T.87 A.7.1.1).
var jtab = [32]int32{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15}

// ceilLog2 returns the least k with 1<<k >= v.
func ceilLog2(v int32) int32 {
	var k int32
	for int64(1)<<k < int64(v) {
		k++
	}
	return k
}

// clampT is the CLAMP of T.87 C.2.4.1.1.1.
func clampT(i, j, maxval int32) int32 {
	if i > maxval || i < j {
		return j
	}
	return i
}

// defaultThresholds returns T1, T2 and T3 computed from MAXVAL and NEAR
// (T.87 C.2.4.1.1.1).
func defaultThresholds(maxval, near int32) (t1, t2, t3 int32) {
	const b1, b2, b3 = 3, 7, 21
	if maxval >= 128 {
		f := (min(maxval, 4095) + 128) / 256
		t1 = clampT(f*(b1-2)+2+3*near, near+1, maxval)
		t2 = clampT(f*(b2-3)+3+5*near, t1, maxval)
		t3 = clampT(f*(b3-4)+4+7*near, t2, maxval)
		return
	}
	f := 256 / (maxval + 1)
	t1 = clampT(max(2, b1/f+3*near), near+1, maxval)
	t2 = clampT(max(3, b2/f+5*near), t1, maxval)
	t3 = clampT(max(4, b3/f+7*near), t2, maxval)
	return
}

// newParams derives the scan parameters from MAXVAL, NEAR and the preset
// thresholds (0 meaning the default).
func newParams(maxval, near, t1, t2, t3, reset int32) params {
	p := params{maxval: maxval, near: near, reset: reset}
	p.rng = (maxval+2*near)/(2*near+1) + 1
	p.qbpp = ceilLog2(p.rng)
	bpp := max(2, ceilLog2(maxval+1))
	p.limit = 2 * (bpp + max(8, bpp))
	d1, d2, d3 := defaultThresholds(maxval, near)
	p.t1, p.t2, p.t3 = d1, d2, d3
	if t1 != 0 {
		p.t1 = t1
	}
	if t2 != 0 {
		p.t2 = t2
	}
	if t3 != 0 {
		p.t3 = t3
	}
	if p.reset == 0 {
		p.reset = 64
	}
	return p
}

// state holds the context variables of a scan (T.87 A.2.1): 365 regular
// contexts and the two run interruption contexts 365 and 366.
type state struct {
	p        params
	a, n     [367]int32
	b, c     [365]int32
	nn       [2]int32
	runIndex int32
}

// init sets the context variables to their initial values (at the start
// of a scan and after each restart marker).
func (s *state) init() {
	a := max(2, (s.p.rng+32)/64)
	for i := range s.a {
		s.a[i], s.n[i] = a, 1
	}
	s.b, s.c, s.nn = [365]int32{}, [365]int32{}, [2]int32{}
	s.runIndex = 0
}

// quantize maps a local gradient to one of nine regions (T.87 A.3.3).
func (s *state) quantize(d int32) int32 {
	p := &s.p
	switch {
	case d <= -p.t3:
		return -4
	case d <= -p.t2:
		return -3
	case d <= -p.t1:
		return -2
	case d < -p.near:
		return -1
	case d <= p.near:
		return 0
	case d < p.t1:
		return 1
	case d < p.t2:
		return 2
	case d < p.t3:
		return 3
	}
	return 4
}

// context returns the context index (1 to 364) and sign of the quantized
// gradients, merging contexts of opposite sign (T.87 A.3.4).
func context(q1, q2, q3 int32) (int32, int32) {
	if q1 < 0 || q1 == 0 && (q2 < 0 || q2 == 0 && q3 < 0) {
		return -(81*q1 + 9*q2 + q3), -1
	}
	return 81*q1 + 9*q2 + q3, 1
}

// predict is the median edge detector (T.87 A.4.1).
func predict(ra, rb, rc int32) int32 {
	lo, hi := min(ra, rb), max(ra, rb)
	switch {
	case rc >= hi:
		return lo
	case rc <= lo:
		return hi
	}
	return ra + rb - rc
}

// clampVal bounds v to [0, MAXVAL].
func (s *state) clampVal(v int32) int32 {
	if v < 0 {
		return 0
	}
	if v > s.p.maxval {
		return s.p.maxval
	}
	return v
}

// golombK returns the Golomb parameter of regular context q (T.87 A.5.1).
func (s *state) golombK(q int32) int32 {
	var k int32
	for s.n[q]<<k < s.a[q] && k < 24 {
		k++
	}
	return k
}

// corrected returns the prediction corrected by C[q] (T.87 A.4.2).
func (s *state) corrected(px, q, sign int32) int32 {
	return s.clampVal(px + sign*s.c[q])
}

// reconstruct returns the sample from prediction px and the quantized,
// sign-corrected error e (T.87 A.4.4 and A.5.3).
func (s *state) reconstruct(px, e int32) int32 {
	p := &s.p
	rx := px + e*(2*p.near+1)
	if rx < -p.near {
		rx += p.rng * (2*p.near + 1)
	} else if rx > p.maxval+p.near {
		rx -= p.rng * (2*p.near + 1)
	}
	return s.clampVal(rx)
}

// update adapts regular context q to error e (T.87 A.6).
func (s *state) update(q, e int32) {
	if e < 0 {
		s.a[q] -= e
	} else {
		s.a[q] += e
	}
	s.b[q] += e * (2*s.p.near + 1)
	if s.n[q] == s.p.reset {
		s.a[q] >>= 1
		s.b[q] >>= 1
		s.n[q] >>= 1
	}
	s.n[q]++
	if s.b[q] <= -s.n[q] {
		s.b[q] += s.n[q]
		if s.c[q] > -128 {
			s.c[q]--
		}
		if s.b[q] <= -s.n[q] {
			s.b[q] = -s.n[q] + 1
		}
	} else if s.b[q] > 0 {
		s.b[q] -= s.n[q]
		if s.c[q] < 127 {
			s.c[q]++
		}
		if s.b[q] > 0 {
			s.b[q] = 0
		}
	}
}

// riK returns the Golomb parameter of run interruption context 365+t.
func (s *state) riK(t int32) int32 {
	q := 365 + t
	temp := s.a[q]
	if t == 1 {
		temp += s.n[q] >> 1
	}
	var k int32
	for s.n[q]<<k < temp && k < 24 {
		k++
	}
	return k
}

// riUpdate adapts run interruption context 365+t (T.87 A.7.2.2).
func (s *state) riUpdate(t, e, em int32) {
	q := 365 + t
	if e < 0 {
		s.nn[t]++
	}
	s.a[q] += (em + 1 - t) >> 1
	if s.n[q] == s.p.reset {
		s.a[q] >>= 1
		s.n[q] >>= 1
		s.nn[t] >>= 1
	}
	s.n[q]++
}

// riNegative reports whether a run interruption error of map bit m is
// negative (the inverse of T.87 A.7.2.1's map choice).
func (s *state) riNegative(t, k, m int32) bool {
	q := 365 + t
	cond := k != 0 || 2*s.nn[t] >= s.n[q]
	return cond == (m == 1)
}
