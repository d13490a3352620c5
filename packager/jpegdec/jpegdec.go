// Package jpegdec decodes the JPEG processes found in DICOM that the
// standard library does not: sequential DCT with 12-bit precision (JPEG
// Extended, transfer syntax 1.2.840.10008.1.2.4.51) and lossless JPEG
// (Process 14, transfer syntaxes 1.2.840.10008.1.2.4.57 and .70), from
// ITU T.81. It also decodes 8-bit sequential DCT. Progressive,
// hierarchical and arithmetic-coded JPEG are refused with ErrUnsupported.
//
// Every malformed input returns an error wrapping ErrFormat; image sizes
// are bounded by the length of the data before anything is allocated.
package jpegdec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

var (
	// ErrFormat is wrapped by errors for data that is not valid JPEG.
	ErrFormat = errors.New("jpegdec: invalid JPEG data")
	// ErrUnsupported is wrapped by errors for valid JPEG of a process
	// this package does not decode (progressive, hierarchical,
	// arithmetic coding, height defined by DNL).
	ErrUnsupported = errors.New("jpegdec: unsupported JPEG process")
)

// Process is the coding process of a frame.
type Process int

// The processes this package decodes.
const (
	Baseline Process = iota // SOF0: sequential DCT, 8 bits
	Extended                // SOF1: sequential DCT, 8 or 12 bits
	Lossless                // SOF3: lossless, 2 to 16 bits
)

// String names the process.
func (p Process) String() string {
	switch p {
	case Baseline:
		return "baseline"
	case Extended:
		return "extended"
	case Lossless:
		return "lossless"
	}
	return fmt.Sprintf("Process(%d)", int(p))
}

// Config describes a frame: its size, number of components and sample
// precision in bits.
type Config struct {
	Width, Height, Components, Precision int
	Process                              Process
}

// Image is a decoded frame. Pix holds Width*Height*Components samples,
// row by row, the components of each pixel together, as coded (no colour
// conversion; subsampled components are replicated to full size).
type Image struct {
	Config
	Pix []uint16
}

// Native returns the samples as DICOM native pixel data of bitsAllocated
// 8 or 16 bits, little endian.
func (m *Image) Native(bitsAllocated int) ([]byte, error) {
	switch {
	case bitsAllocated == 8 && m.Precision <= 8:
		out := make([]byte, len(m.Pix))
		for i, v := range m.Pix {
			out[i] = byte(v)
		}
		return out, nil
	case bitsAllocated == 16:
		out := make([]byte, 2*len(m.Pix))
		for i, v := range m.Pix {
			binary.LittleEndian.PutUint16(out[2*i:], v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("jpegdec: %d-bit samples do not fit %d bits allocated", m.Precision, bitsAllocated)
}

// maxSamples bounds Width*Height*Components of a frame (128 MiB of
// samples at 16 bits).
const maxSamples = 1 << 26

// component is one frame component.
type component struct {
	id   byte
	h, v int // sampling factors
	tq   byte
	// plane holds the decoded samples of a DCT component, padded to
	// whole MCUs, stride samples per row.
	plane   []uint16
	stride  int
	scanned bool
}

// decoder holds the state while reading one JPEG stream.
type decoder struct {
	data       []byte
	pos        int
	cfg        Config
	sof        bool
	comps      []component
	hmax, vmax int
	dc, ac     [4]*huffman
	quant      [4][64]uint16
	quantSet   [4]bool
	restart    int
	pix        []uint16 // lossless output
	configOnly bool
}

// DecodeConfig returns the frame description of a JPEG stream without
// decoding its pixels.
func DecodeConfig(data []byte) (Config, error) {
	d := &decoder{data: data, configOnly: true}
	if err := d.run(); err != nil {
		return Config{}, err
	}
	return d.cfg, nil
}

// Decode decodes a JPEG stream of one frame.
func Decode(data []byte) (*Image, error) {
	d := &decoder{data: data}
	if err := d.run(); err != nil {
		return nil, err
	}
	for i := range d.comps {
		if !d.comps[i].scanned {
			return nil, fmt.Errorf("%w: component %d has no scan", ErrFormat, i+1)
		}
	}
	m := &Image{Config: d.cfg}
	if d.cfg.Process == Lossless {
		m.Pix = d.pix
	} else {
		m.Pix = d.dctPixels()
	}
	return m, nil
}

// segment returns the payload of the marker segment at d.pos (after the
// marker) and moves past it.
func (d *decoder) segment() ([]byte, error) {
	if d.pos+2 > len(d.data) {
		return nil, fmt.Errorf("%w: marker segment cut short", ErrFormat)
	}
	n := int(binary.BigEndian.Uint16(d.data[d.pos:]))
	if n < 2 || d.pos+n > len(d.data) {
		return nil, fmt.Errorf("%w: marker segment length %d", ErrFormat, n)
	}
	b := d.data[d.pos+2 : d.pos+n]
	d.pos += n
	return b, nil
}

// run reads the marker segments up to EOI (or, for DecodeConfig, the
// frame header).
func (d *decoder) run() error {
	if len(d.data) < 2 || d.data[0] != 0xFF || d.data[1] != 0xD8 {
		return fmt.Errorf("%w: no start of image", ErrFormat)
	}
	d.pos = 2
	for {
		// A stream whose scans are all there may end without EOI (or
		// with zero padding in its place), as some encoders write it.
		if d.complete() && len(bytes.Trim(d.data[min(d.pos, len(d.data)):], "\x00")) == 0 {
			return nil
		}
		// A marker is 0xFF, any fill 0xFF bytes, and a code.
		if d.pos >= len(d.data) || d.data[d.pos] != 0xFF {
			return fmt.Errorf("%w: marker expected at byte %d", ErrFormat, d.pos)
		}
		for d.pos < len(d.data) && d.data[d.pos] == 0xFF {
			d.pos++
		}
		if d.pos >= len(d.data) {
			return fmt.Errorf("%w: no end of image", ErrFormat)
		}
		m := d.data[d.pos]
		d.pos++
		switch {
		case m == 0xD9: // EOI
			if !d.sof {
				return fmt.Errorf("%w: no frame header", ErrFormat)
			}
			if d.cfg.Process != Lossless && d.comps[0].plane == nil || d.cfg.Process == Lossless && d.pix == nil {
				return fmt.Errorf("%w: no scan", ErrFormat)
			}
			return nil
		case m >= 0xD0 && m <= 0xD7, m == 0x01: // RSTn out of a scan, TEM: no segment
		case m == 0xC0 || m == 0xC1 || m == 0xC3:
			b, err := d.segment()
			if err != nil {
				return err
			}
			if err := d.frame(m, b); err != nil {
				return err
			}
			if d.configOnly {
				return nil
			}
		case m == 0xC2:
			return fmt.Errorf("%w: progressive JPEG", ErrUnsupported)
		case m == 0xC5 || m == 0xC6 || m == 0xC7 || m == 0xDE || m == 0xDF:
			return fmt.Errorf("%w: hierarchical JPEG", ErrUnsupported)
		case m >= 0xC9 && m <= 0xCF:
			return fmt.Errorf("%w: arithmetic-coded JPEG", ErrUnsupported)
		case m == 0xDC:
			return fmt.Errorf("%w: image height defined by DNL", ErrUnsupported)
		case m == 0xC4, m == 0xDB, m == 0xDD, m == 0xDA:
			b, err := d.segment()
			if err != nil {
				return err
			}
			switch m {
			case 0xC4:
				err = d.dht(b)
			case 0xDB:
				err = d.dqt(b)
			case 0xDD:
				if len(b) != 2 {
					return fmt.Errorf("%w: DRI length", ErrFormat)
				}
				d.restart = int(binary.BigEndian.Uint16(b))
			case 0xDA:
				err = d.scan(b)
			}
			if err != nil {
				return err
			}
		case m == 0xC8 || m >= 0xE0 && m <= 0xEF || m >= 0xF0 && m <= 0xFE || m >= 0x02 && m <= 0xBF:
			// JPG, APPn, JPGn, COM and reserved markers: skipped.
			if _, err := d.segment(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: unexpected marker 0x%02X", ErrFormat, m)
		}
	}
}

// frame reads a frame header (SOF0, SOF1 or SOF3).
func (d *decoder) frame(m byte, b []byte) error {
	if d.sof {
		return fmt.Errorf("%w: more than one frame", ErrFormat)
	}
	d.sof = true
	if len(b) < 6 {
		return fmt.Errorf("%w: frame header too short", ErrFormat)
	}
	p := int(b[0])
	h := int(binary.BigEndian.Uint16(b[1:]))
	w := int(binary.BigEndian.Uint16(b[3:]))
	nf := int(b[5])
	cfg := Config{Width: w, Height: h, Components: nf, Precision: p}
	switch m {
	case 0xC0:
		cfg.Process = Baseline
		if p != 8 {
			return fmt.Errorf("%w: baseline JPEG of %d-bit precision", ErrFormat, p)
		}
	case 0xC1:
		cfg.Process = Extended
		if p != 8 && p != 12 {
			return fmt.Errorf("%w: extended JPEG of %d-bit precision", ErrFormat, p)
		}
	default:
		cfg.Process = Lossless
		if p < 2 || p > 16 {
			return fmt.Errorf("%w: lossless JPEG of %d-bit precision", ErrFormat, p)
		}
	}
	if h == 0 {
		return fmt.Errorf("%w: image height defined by DNL", ErrUnsupported)
	}
	if w == 0 {
		return fmt.Errorf("%w: image width 0", ErrFormat)
	}
	if nf < 1 || nf > 4 {
		return fmt.Errorf("%w: %d components", ErrUnsupported, nf)
	}
	if len(b) != 6+3*nf {
		return fmt.Errorf("%w: frame header length", ErrFormat)
	}
	if int64(w)*int64(h)*int64(nf) > maxSamples {
		return fmt.Errorf("%w: image of %dx%d with %d components is too large", ErrUnsupported, w, h, nf)
	}
	d.hmax, d.vmax = 1, 1
	for i := 0; i < nf; i++ {
		c := component{id: b[6+3*i], h: int(b[7+3*i] >> 4), v: int(b[7+3*i] & 15), tq: b[8+3*i]}
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
			return fmt.Errorf("%w: component %d sampling or table", ErrFormat, i+1)
		}
		if cfg.Process == Lossless && (c.h != 1 || c.v != 1) {
			return fmt.Errorf("%w: subsampled lossless JPEG", ErrUnsupported)
		}
		for _, o := range d.comps {
			if o.id == c.id {
				return fmt.Errorf("%w: two components with one identifier", ErrFormat)
			}
		}
		d.hmax, d.vmax = max(d.hmax, c.h), max(d.vmax, c.v)
		d.comps = append(d.comps, c)
	}
	d.cfg = cfg
	return nil
}

// dht reads Huffman tables.
func (d *decoder) dht(b []byte) error {
	for len(b) > 0 {
		if len(b) < 17 {
			return fmt.Errorf("%w: DHT too short", ErrFormat)
		}
		tc, th := b[0]>>4, b[0]&15
		if tc > 1 || th > 3 {
			return fmt.Errorf("%w: DHT class %d destination %d", ErrFormat, tc, th)
		}
		var counts [16]byte
		copy(counts[:], b[1:17])
		n := 0
		for _, c := range counts {
			n += int(c)
		}
		if n > 256 || len(b) < 17+n {
			return fmt.Errorf("%w: DHT values", ErrFormat)
		}
		h, err := newHuffman(counts, b[17:17+n])
		if err != nil {
			return err
		}
		if tc == 0 {
			d.dc[th] = h
		} else {
			d.ac[th] = h
		}
		b = b[17+n:]
	}
	return nil
}

// dqt reads quantisation tables of 8 or 16 bits, kept in zigzag order.
func (d *decoder) dqt(b []byte) error {
	for len(b) > 0 {
		pq, tq := b[0]>>4, b[0]&15
		if pq > 1 || tq > 3 {
			return fmt.Errorf("%w: DQT precision %d destination %d", ErrFormat, pq, tq)
		}
		n := 64 << pq
		if len(b) < 1+n {
			return fmt.Errorf("%w: DQT too short", ErrFormat)
		}
		for k := 0; k < 64; k++ {
			if pq == 0 {
				d.quant[tq][k] = uint16(b[1+k])
			} else {
				d.quant[tq][k] = binary.BigEndian.Uint16(b[1+2*k:])
			}
		}
		d.quantSet[tq] = true
		b = b[1+n:]
	}
	return nil
}

// scanComp is one component of a scan with its tables.
type scanComp struct {
	c      *component
	dc, ac *huffman
	pred   int32 // DC prediction
}

// scan reads a scan header and decodes its entropy-coded data, leaving
// d.pos at the marker after it.
func (d *decoder) scan(b []byte) error {
	if !d.sof {
		return fmt.Errorf("%w: scan before frame header", ErrFormat)
	}
	if len(b) < 1 {
		return fmt.Errorf("%w: scan header too short", ErrFormat)
	}
	ns := int(b[0])
	if ns < 1 || ns > 4 || len(b) != 4+2*ns {
		return fmt.Errorf("%w: scan header of %d components", ErrFormat, ns)
	}
	var sc []scanComp
	for i := 0; i < ns; i++ {
		id, td, ta := b[1+2*i], b[2+2*i]>>4, b[2+2*i]&15
		var c *component
		for j := range d.comps {
			if d.comps[j].id == id {
				c = &d.comps[j]
			}
		}
		if c == nil || c.scanned || td > 3 || ta > 3 {
			return fmt.Errorf("%w: scan component %d", ErrFormat, i+1)
		}
		s := scanComp{c: c, dc: d.dc[td], ac: d.ac[ta]}
		if s.dc == nil || d.cfg.Process != Lossless && s.ac == nil {
			return fmt.Errorf("%w: scan uses an undefined Huffman table", ErrFormat)
		}
		c.scanned = true
		sc = append(sc, s)
	}
	ss, se, ah, al := int(b[1+2*ns]), int(b[2+2*ns]), int(b[3+2*ns]>>4), int(b[3+2*ns]&15)
	r := &bitReader{data: d.data, pos: d.pos}
	var err error
	if d.cfg.Process == Lossless {
		if ss < 1 || ss > 7 || ah != 0 || al >= d.cfg.Precision {
			return fmt.Errorf("%w: lossless scan predictor %d, point transform %d", ErrFormat, ss, al)
		}
		err = d.lossless(r, sc, ss, al)
	} else {
		if ss != 0 || se != 63 || ah != 0 || al != 0 {
			return fmt.Errorf("%w: sequential scan with spectral selection %d..%d", ErrFormat, ss, se)
		}
		err = d.sequential(r, sc)
	}
	if err != nil {
		return err
	}
	// Skip to the marker after the scan.
	d.pos = r.pos
	for d.pos+1 < len(d.data) && (d.data[d.pos] != 0xFF || d.data[d.pos+1] == 0 || d.data[d.pos+1] >= 0xD0 && d.data[d.pos+1] <= 0xD7) {
		d.pos++
	}
	if d.pos+1 >= len(d.data) {
		d.pos = len(d.data) // no marker after the scan
	}
	return nil
}

// complete reports whether every component of the frame has been
// decoded.
func (d *decoder) complete() bool {
	if !d.sof || d.configOnly {
		return false
	}
	for _, c := range d.comps {
		if !c.scanned {
			return false
		}
	}
	return true
}
