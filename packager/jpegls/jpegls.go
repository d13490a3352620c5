// Package jpegls decodes JPEG-LS images (ITU-T T.87 / ISO/IEC 14495-1),
// lossless and near-lossless, as found in DICOM transfer syntaxes
// 1.2.840.10008.1.2.4.80 and .81: 2 to 16 bits per sample, 1 to 4
// components, all three interleave modes, restart intervals and preset
// coding parameters. Mapping tables, point transforms, subsampled
// components and colour transforms are refused with an error.
package jpegls

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Markers of T.87 and T.81.
const (
	markerSOI   = 0xD8
	markerEOI   = 0xD9
	markerSOS   = 0xDA
	markerDRI   = 0xDD
	markerSOF55 = 0xF7
	markerLSE   = 0xF8
)

// MaxSamples bounds width × height × components of a decoded image.
const MaxSamples = 1 << 27

// ErrUnsupported is wrapped by errors for valid JPEG-LS features this
// package does not decode (mapping tables, point transform, subsampling).
var ErrUnsupported = errors.New("jpegls: unsupported feature")

// Config describes an image: its size, components and bits per sample.
type Config struct {
	Width, Height, Components, BitsPerSample int
	// Near is the largest NEAR of the scans (0: lossless).
	Near int
	// Interleave is the ILV of the first scan (0 none, 1 line, 2 sample).
	Interleave int
}

// Image is a decoded image: Pix holds Width × Height × Components samples,
// components interleaved, row by row from the top left.
type Image struct {
	Config
	Pix []uint16
}

// Native returns the samples as DICOM native pixel data: one byte per
// sample up to 8 bits per sample, else two bytes little endian.
func (m Image) Native() []byte {
	if m.BitsPerSample <= 8 {
		out := make([]byte, len(m.Pix))
		for i, v := range m.Pix {
			out[i] = byte(v)
		}
		return out
	}
	out := make([]byte, 2*len(m.Pix))
	for i, v := range m.Pix {
		binary.LittleEndian.PutUint16(out[2*i:], v)
	}
	return out
}

// component is a frame component of SOF55.
type component struct{ id byte }

// header is what the markers said so far.
type header struct {
	cfg                    Config
	frame                  bool
	comps                  []component
	maxval, t1, t2, t3, rs int32
	ri                     int
}

// reader walks the marker segments of a stream.
type reader struct {
	data []byte
	pos  int
}

// marker returns the next marker code, skipping fill bytes.
func (r *reader) marker() (byte, error) {
	if r.pos+1 >= len(r.data) || r.data[r.pos] != 0xFF {
		return 0, errors.New("jpegls: marker expected")
	}
	r.pos++
	for r.pos < len(r.data) && r.data[r.pos] == 0xFF {
		r.pos++
	}
	if r.pos >= len(r.data) {
		return 0, errors.New("jpegls: data ends inside a marker")
	}
	m := r.data[r.pos]
	r.pos++
	return m, nil
}

// segment returns the payload of the marker segment at pos.
func (r *reader) segment() ([]byte, error) {
	if r.pos+2 > len(r.data) {
		return nil, errors.New("jpegls: data ends in a segment length")
	}
	n := int(binary.BigEndian.Uint16(r.data[r.pos:]))
	if n < 2 || r.pos+n > len(r.data) {
		return nil, errors.New("jpegls: segment length outside the data")
	}
	b := r.data[r.pos+2 : r.pos+n]
	r.pos += n
	return b, nil
}

// sof reads SOF55 (T.87 C.2.2).
func (h *header) sof(b []byte) error {
	if h.frame {
		return errors.New("jpegls: second frame header")
	}
	if len(b) < 6 {
		return errors.New("jpegls: short frame header")
	}
	p := int(b[0])
	hgt, wid, nf := int(binary.BigEndian.Uint16(b[1:])), int(binary.BigEndian.Uint16(b[3:])), int(b[5])
	if p < 2 || p > 16 {
		return fmt.Errorf("jpegls: %d bits per sample", p)
	}
	if nf < 1 || nf > 4 {
		return fmt.Errorf("%w: %d components", ErrUnsupported, nf)
	}
	if hgt == 0 {
		return fmt.Errorf("%w: height given by a DNL marker", ErrUnsupported)
	}
	if wid == 0 {
		return errors.New("jpegls: image of width 0")
	}
	if int64(wid)*int64(hgt)*int64(nf) > MaxSamples {
		return fmt.Errorf("jpegls: image of %dx%dx%d samples is too large", wid, hgt, nf)
	}
	if len(b) != 6+3*nf {
		return errors.New("jpegls: frame header length does not match its components")
	}
	for i := 0; i < nf; i++ {
		c := b[6+3*i:]
		if c[1] != 0x11 {
			return fmt.Errorf("%w: subsampled component", ErrUnsupported)
		}
		for _, o := range h.comps {
			if o.id == c[0] {
				return errors.New("jpegls: two components with one identifier")
			}
		}
		h.comps = append(h.comps, component{id: c[0]})
	}
	h.cfg.Width, h.cfg.Height, h.cfg.Components, h.cfg.BitsPerSample = wid, hgt, nf, p
	h.frame = true
	return nil
}

// lse reads an LSE segment (T.87 C.2.4): preset coding parameters only.
func (h *header) lse(b []byte) error {
	if len(b) < 1 {
		return errors.New("jpegls: empty LSE segment")
	}
	if b[0] != 1 {
		return fmt.Errorf("%w: LSE segment of type %d (mapping table or extension)", ErrUnsupported, b[0])
	}
	if len(b) != 11 {
		return errors.New("jpegls: preset parameters of wrong length")
	}
	u := func(i int) int32 { return int32(binary.BigEndian.Uint16(b[1+2*i:])) }
	h.maxval, h.t1, h.t2, h.t3, h.rs = u(0), u(1), u(2), u(3), u(4)
	return nil
}

// dri reads a restart interval (T.87 C.2.5: 2 to 4 bytes).
func (h *header) dri(b []byte) error {
	if len(b) < 2 || len(b) > 4 {
		return errors.New("jpegls: restart interval of wrong length")
	}
	ri := 0
	for _, v := range b {
		ri = ri<<8 | int(v)
	}
	h.ri = ri
	return nil
}

// scanParams checks and returns the parameters of a scan with NEAR near.
func (h *header) scanParams(near int32) (params, error) {
	top := int32(1)<<h.cfg.BitsPerSample - 1
	maxval := h.maxval
	if maxval == 0 {
		maxval = top
	}
	if maxval > top {
		return params{}, errors.New("jpegls: MAXVAL above the sample precision")
	}
	if near > min(255, maxval/2) {
		return params{}, fmt.Errorf("jpegls: NEAR %d too large", near)
	}
	p := newParams(maxval, near, h.t1, h.t2, h.t3, h.rs)
	if p.t1 < near+1 || p.t1 > maxval || p.t2 < p.t1 || p.t2 > maxval || p.t3 < p.t2 || p.t3 > maxval {
		return params{}, errors.New("jpegls: invalid thresholds")
	}
	if p.reset < 3 || p.reset > max(255, maxval) {
		return params{}, errors.New("jpegls: invalid RESET")
	}
	return p, nil
}

// DecodeConfig returns the size, components and precision of a JPEG-LS
// image without decoding its samples.
func DecodeConfig(data []byte) (Config, error) {
	h, _, err := readHeaders(data, true)
	return h.cfg, err
}

// readHeaders reads markers up to the first SOS (configOnly) or decodes
// the whole image.
func readHeaders(data []byte, configOnly bool) (header, []uint16, error) {
	var h header
	r := &reader{data: data}
	if m, err := r.marker(); err != nil || m != markerSOI {
		return h, nil, errors.New("jpegls: not a JPEG-LS stream (no SOI)")
	}
	var pix []uint16
	done := make(map[int]bool)
	for {
		if h.frame && len(done) == h.cfg.Components && r.pos >= len(data)-1 {
			return h, pix, nil // a stream without EOI
		}
		m, err := r.marker()
		if err != nil {
			return h, nil, err
		}
		switch {
		case m == markerEOI:
			if !h.frame || len(done) != h.cfg.Components {
				return h, nil, errors.New("jpegls: stream ends before every component is decoded")
			}
			return h, pix, nil
		case m >= 0xD0 && m <= 0xD7:
			return h, nil, errors.New("jpegls: restart marker outside a scan")
		case m == 0xC0 || m == 0xC1 || m == 0xC2 || m == 0xC3 || m == 0xF9 || m >= 0xC5 && m <= 0xCF && m != 0xC8 && m != 0xCC:
			return h, nil, fmt.Errorf("jpegls: a JPEG (not JPEG-LS) frame, marker 0xFF%02X", m)
		}
		b, err := r.segment()
		if err != nil {
			return h, nil, err
		}
		switch {
		case m == markerSOF55:
			err = h.sof(b)
		case m == markerLSE:
			err = h.lse(b)
		case m == markerDRI:
			err = h.dri(b)
		case m == markerSOS:
			if !h.frame {
				return h, nil, errors.New("jpegls: scan before the frame header")
			}
			if len(b) >= 1 && len(b) == 4+2*int(b[0]) && len(b) >= 6 {
				h.cfg.Near = max(h.cfg.Near, int(b[1+2*int(b[0])]))
				if len(done) == 0 {
					h.cfg.Interleave = int(b[2+2*int(b[0])])
				}
			}
			if configOnly {
				_, err = h.scanHeader(b, done)
				return h, nil, err
			}
			if pix == nil {
				if int64(h.cfg.Height)*int64(h.cfg.Components) > 8*int64(len(data)) {
					return h, nil, errors.New("jpegls: image too large for its coded data")
				}
				pix = make([]uint16, h.cfg.Width*h.cfg.Height*h.cfg.Components)
			}
			err = h.scan(r, b, pix, done)
		case m == 0xE8 && len(b) >= 5 && string(b[:4]) == "mrfx" && b[4] != 0:
			// HP's colour transforms (CharLS writes them in APP8): the
			// samples would need an inverse transform not in T.87.
			err = fmt.Errorf("%w: colour transform %d", ErrUnsupported, b[4])
		case m >= 0xE0 && m <= 0xEF || m == 0xFE:
		default:
			err = fmt.Errorf("jpegls: unexpected marker 0xFF%02X", m)
		}
		if err != nil {
			return h, nil, err
		}
	}
}

// scanInfo is a parsed SOS header.
type scanInfo struct {
	comps []int // frame component index of each scan component
	near  int32
	ilv   int
}

// scanHeader parses SOS (T.87 C.2.3).
func (h *header) scanHeader(b []byte, done map[int]bool) (scanInfo, error) {
	var si scanInfo
	if len(b) < 1 {
		return si, errors.New("jpegls: empty scan header")
	}
	ns := int(b[0])
	if ns < 1 || ns > h.cfg.Components || len(b) != 4+2*ns {
		return si, errors.New("jpegls: scan header length does not match its components")
	}
	for i := 0; i < ns; i++ {
		id, tm := b[1+2*i], b[2+2*i]
		if tm != 0 {
			return si, fmt.Errorf("%w: mapping table", ErrUnsupported)
		}
		k := -1
		for j, c := range h.comps {
			if c.id == id {
				k = j
			}
		}
		if k < 0 || done[k] {
			return si, errors.New("jpegls: scan of an unknown or already decoded component")
		}
		for _, o := range si.comps {
			if o == k {
				return si, errors.New("jpegls: component twice in a scan")
			}
		}
		si.comps = append(si.comps, k)
	}
	si.near = int32(b[1+2*ns])
	si.ilv = int(b[2+2*ns])
	if si.ilv > 2 {
		return si, fmt.Errorf("jpegls: interleave mode %d", si.ilv)
	}
	if si.ilv == 0 && ns != 1 {
		return si, errors.New("jpegls: several components in a non-interleaved scan")
	}
	if b[3+2*ns] != 0 {
		return si, fmt.Errorf("%w: point transform", ErrUnsupported)
	}
	return si, nil
}

// scan decodes one scan whose header is b; r is left at the marker after
// its coded data.
func (h *header) scan(r *reader, b []byte, pix []uint16, done map[int]bool) error {
	si, err := h.scanHeader(b, done)
	if err != nil {
		return err
	}
	p, err := h.scanParams(si.near)
	if err != nil {
		return err
	}
	w := h.cfg.Width
	d := &scanDecoder{w: w, r: bitReader{data: r.data, pos: r.pos}, s: state{p: p}}
	d.lines = make([]line, len(si.comps))
	for i := range d.lines {
		d.lines[i] = line{prev: make([]int32, w+2), cur: make([]int32, w+2)}
	}
	d.runs = make([]int32, len(si.comps))
	end, err := d.decode(pix, h.cfg.Height, h.cfg.Components, si.comps, si.ilv, h.ri)
	if err != nil {
		return err
	}
	for _, k := range si.comps {
		done[k] = true
	}
	r.pos = end
	return nil
}

// Decode decodes a JPEG-LS image.
func Decode(data []byte) (Image, error) {
	h, pix, err := readHeaders(data, false)
	if err != nil {
		return Image{}, err
	}
	return Image{Config: h.cfg, Pix: pix}, nil
}
