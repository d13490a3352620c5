package bundle

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"sync"
)

// The bundle's ZIP is written so that it can be read as a stream, without
// seeking (it arrives through an age decryption, possibly from several
// volumes): every entry is Deflate-compressed (big binary entries with
// stored, uncompressed Deflate blocks, which cost no CPU), so each entry's
// end is known from its own data, and a data descriptor follows it.

// zipWriter wraps archive/zip with a per-entry choice between compression
// and stored blocks.
type zipWriter struct {
	zw       *zip.Writer
	compress bool
}

func newZipWriter(w io.Writer) *zipWriter {
	z := &zipWriter{zw: zip.NewWriter(w)}
	z.zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if !z.compress {
			return newStoredWriter(out), nil
		}
		if fw, ok := flatePool.Get().(*flate.Writer); ok {
			fw.Reset(out)
			return &pooledFlate{fw}, nil
		}
		fw, err := flate.NewWriter(out, flate.BestSpeed)
		if err != nil {
			return nil, err
		}
		return &pooledFlate{fw}, nil
	})
	return z
}

// flatePool keeps Deflate writers (about 600 KB each) for reuse across the
// entries of a bundle that are compressed.
var flatePool sync.Pool

// pooledFlate returns its writer to the pool when the entry is closed.
type pooledFlate struct{ *flate.Writer }

func (p *pooledFlate) Close() error {
	err := p.Writer.Close()
	flatePool.Put(p.Writer)
	return err
}

// maxStored is the most bytes one stored Deflate block holds.
const maxStored = 65535

// storedWriter writes an entry's bytes as stored Deflate blocks (RFC 1951,
// 3.2.4: a byte-aligned block header, the length and its complement, then
// the bytes as they are). A large write goes out in blocks straight from
// the caller's bytes; small writes are gathered into full blocks first, so
// that the five bytes of a block's header stay negligible. Close ends the
// stream with an empty final block. compress/flate at NoCompression writes
// the same kind of blocks, but copies every byte through its window.
type storedWriter struct {
	w   io.Writer
	buf []byte // gathered small writes, at most maxStored bytes
	err error
}

var storedBufs = sync.Pool{New: func() any { b := make([]byte, 0, maxStored); return &b }}

func newStoredWriter(w io.Writer) *storedWriter {
	return &storedWriter{w: w}
}

// block writes one stored block holding b (at most maxStored bytes).
func (s *storedWriter) block(b []byte, final bool) {
	if s.err != nil {
		return
	}
	n := len(b)
	h := [5]byte{0, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)}
	if final {
		h[0] = 1
	}
	if _, s.err = s.w.Write(h[:]); s.err == nil && n > 0 {
		_, s.err = s.w.Write(b)
	}
}

func (s *storedWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && s.err == nil {
		if len(s.buf) == 0 && len(p) >= maxStored {
			s.block(p[:maxStored], false)
			p = p[maxStored:]
			continue
		}
		if s.buf == nil {
			s.buf = *storedBufs.Get().(*[]byte)
		}
		k := min(len(p), maxStored-len(s.buf))
		s.buf = append(s.buf, p[:k]...)
		p = p[k:]
		if len(s.buf) == maxStored {
			s.block(s.buf, false)
			s.buf = s.buf[:0]
		}
	}
	if s.err != nil {
		return 0, s.err
	}
	return n, nil
}

// Close writes what is gathered as the final block (or an empty one).
func (s *storedWriter) Close() error {
	s.block(s.buf, true)
	if s.buf != nil {
		b := s.buf[:0]
		storedBufs.Put(&b)
		s.buf = nil
	}
	return s.err
}

// create starts an entry; compress chooses real compression (for text) over
// stored blocks (for large binaries that compress poorly or slowly).
func (z *zipWriter) create(name string, compress bool) (io.Writer, error) {
	z.compress = compress
	return z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
}

func (z *zipWriter) close() error { return z.zw.Close() }

// Errors of the streaming reader.
var (
	// ErrNotBundle is returned when the data is not a ZIP of the kind
	// Dossier writes.
	ErrNotBundle = errors.New("this is not a Dossier bundle (no readable ZIP inside)")
	// ErrCorrupt is returned when an entry fails its checksum or the ZIP
	// structure is broken.
	ErrCorrupt = errors.New("the bundle is damaged")
)

// unsafeName reports entry names that could escape an extraction folder.
func unsafeName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || len(name) > 1 && name[1] == ':' {
		return true
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." || part == "." {
			return true
		}
	}
	return false
}

// streamReader reads a ZIP written by zipWriter front to back.
type streamReader struct {
	br     *bufio.Reader
	count  int64 // bytes consumed from br
	done   bool
	seen   map[string]bool
	frames []entryInfo
}

type entryInfo struct {
	name   string
	crc    uint32
	size   uint64
	csize  uint64
	offset int64    // of the local header
	local  [10]byte // version, flags, method, time, date of the local header
}

func newStreamReader(r io.Reader) *streamReader {
	return &streamReader{br: bufio.NewReaderSize(r, 1<<20), seen: map[string]bool{}}
}

// countingByteReader lets flate read byte by byte from br while counting.
type countingByteReader struct{ s *streamReader }

func (c countingByteReader) Read(p []byte) (int, error) {
	n, err := c.s.br.Read(p)
	c.s.count += int64(n)
	return n, err
}

func (c countingByteReader) ReadByte() (byte, error) {
	b, err := c.s.br.ReadByte()
	if err == nil {
		c.s.count++
	}
	return b, err
}

func (s *streamReader) readFull(p []byte) error {
	n, err := io.ReadFull(s.br, p)
	s.count += int64(n)
	return err
}

// next returns the next entry's name and a reader for its content. The
// content must be read to EOF before calling next again; the reader checks
// the CRC at the end and returns ErrCorrupt on a mismatch. At the end of
// the entries next returns io.EOF, after checking the central directory.
func (s *streamReader) next() (string, io.Reader, error) {
	if s.done {
		return "", nil, io.EOF
	}
	var sig [4]byte
	if err := s.readFull(sig[:]); err != nil {
		return "", nil, fmt.Errorf("%w: the ZIP ends early", ErrCorrupt)
	}
	switch binary.LittleEndian.Uint32(sig[:]) {
	case 0x04034b50: // local file header
	case 0x02014b50: // central directory: no more entries
		s.done = true
		if err := s.central(); err != nil {
			return "", nil, err
		}
		return "", nil, io.EOF
	default:
		if s.count == 4 {
			return "", nil, ErrNotBundle
		}
		return "", nil, fmt.Errorf("%w: unexpected data between entries", ErrCorrupt)
	}
	var h [26]byte
	if err := s.readFull(h[:]); err != nil {
		return "", nil, fmt.Errorf("%w: an entry header is cut short", ErrCorrupt)
	}
	flags := binary.LittleEndian.Uint16(h[2:])
	method := binary.LittleEndian.Uint16(h[4:])
	if binary.LittleEndian.Uint32(h[10:]) != 0 || binary.LittleEndian.Uint64(h[14:]) != 0 {
		// With a data descriptor, the header's checksum and sizes are zero.
		return "", nil, fmt.Errorf("%w: an entry header is damaged", ErrCorrupt)
	}
	nameLen := int(binary.LittleEndian.Uint16(h[22:]))
	extraLen := int(binary.LittleEndian.Uint16(h[24:]))
	nameExtra := make([]byte, nameLen+extraLen)
	if err := s.readFull(nameExtra); err != nil {
		return "", nil, fmt.Errorf("%w: an entry name is cut short", ErrCorrupt)
	}
	name := string(nameExtra[:nameLen])
	if unsafeName(name) {
		return "", nil, fmt.Errorf("%w: an entry name points outside the bundle", ErrCorrupt)
	}
	if s.seen[name] {
		return "", nil, fmt.Errorf("%w: the entry %s appears twice", ErrCorrupt, name)
	}
	s.seen[name] = true
	if method != zip.Deflate || flags&0x8 == 0 {
		return "", nil, fmt.Errorf("%w: entry %s is not stored the way Dossier writes entries", ErrNotBundle, name)
	}
	fr := flate.NewReader(countingByteReader{s})
	e := &entryReader{s: s, name: name, fr: fr, crc: crc32.NewIEEE(), start: s.count, header: s.count - int64(30+nameLen+extraLen)}
	copy(e.local[:], h[:10])
	return name, e, nil
}

// entryReader decompresses one entry and checks it against its descriptor.
type entryReader struct {
	s      *streamReader
	name   string
	fr     io.ReadCloser
	crc    hash32
	size   uint64
	start  int64 // first byte of the entry's data
	header int64 // first byte of its local header
	local  [10]byte
	ended  bool
	err    error
}

type hash32 interface {
	io.Writer
	Sum32() uint32
}

func (e *entryReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.ended {
		return 0, io.EOF
	}
	n, err := e.fr.Read(p)
	e.crc.Write(p[:n])
	e.size += uint64(n)
	if err == io.EOF {
		e.ended = true
		if derr := e.descriptor(); derr != nil {
			e.err = derr
			return n, derr
		}
		return n, io.EOF
	}
	if err != nil {
		var corrupt flate.CorruptInputError
		if errors.As(err, &corrupt) || errors.Is(err, io.ErrUnexpectedEOF) {
			e.err = fmt.Errorf("%w: entry %s cannot be decompressed", ErrCorrupt, e.name)
		} else {
			e.err = err // the decryption's own verdict (a changed or missing volume), or the disk's
		}
		return n, e.err
	}
	return n, nil
}

// descriptor reads and checks the data descriptor after an entry.
func (e *entryReader) descriptor() error {
	s := e.s
	csize := uint64(s.count - e.start)
	var b [4]byte
	if err := s.readFull(b[:]); err != nil {
		return fmt.Errorf("%w: entry %s has no descriptor", ErrCorrupt, e.name)
	}
	crc := binary.LittleEndian.Uint32(b[:])
	if crc == 0x08074b50 { // optional signature
		if err := s.readFull(b[:]); err != nil {
			return fmt.Errorf("%w: entry %s has no descriptor", ErrCorrupt, e.name)
		}
		crc = binary.LittleEndian.Uint32(b[:])
	}
	var sizes [16]byte
	n := 8
	if e.size >= 0xFFFFFFFF || csize >= 0xFFFFFFFF {
		n = 16
	}
	if err := s.readFull(sizes[:n]); err != nil {
		return fmt.Errorf("%w: entry %s has no descriptor", ErrCorrupt, e.name)
	}
	var dcsize, usize uint64
	if n == 8 {
		dcsize, usize = uint64(binary.LittleEndian.Uint32(sizes[:4])), uint64(binary.LittleEndian.Uint32(sizes[4:8]))
	} else {
		dcsize, usize = binary.LittleEndian.Uint64(sizes[:8]), binary.LittleEndian.Uint64(sizes[8:16])
	}
	if crc != e.crc.Sum32() || usize != e.size || dcsize != csize {
		return fmt.Errorf("%w: entry %s fails its checksum", ErrCorrupt, e.name)
	}
	s.frames = append(s.frames, entryInfo{name: e.name, crc: crc, size: usize, csize: csize, offset: e.header, local: e.local})
	return nil
}

// central reads the central directory and checks that it lists exactly the
// entries read, in order, with the same checksums, sizes and offsets, and
// that the end records agree with it.
func (s *streamReader) central() error {
	bad := fmt.Errorf("%w: the ZIP's directory does not match its entries", ErrCorrupt)
	cut := fmt.Errorf("%w: the ZIP's directory is cut short", ErrCorrupt)
	dirStart := s.count - 4
	i := 0
	for {
		if i > 0 {
			var sig [4]byte
			if err := s.readFull(sig[:]); err != nil {
				return cut
			}
			if binary.LittleEndian.Uint32(sig[:]) != 0x02014b50 {
				return s.endRecords(binary.LittleEndian.Uint32(sig[:]), dirStart, s.count-4)
			}
		}
		var h [42]byte
		if err := s.readFull(h[:]); err != nil {
			return cut
		}
		crc := binary.LittleEndian.Uint32(h[12:])
		csize := uint64(binary.LittleEndian.Uint32(h[16:]))
		usize := uint64(binary.LittleEndian.Uint32(h[20:]))
		nameLen := int(binary.LittleEndian.Uint16(h[24:]))
		extraLen := int(binary.LittleEndian.Uint16(h[26:]))
		commentLen := int(binary.LittleEndian.Uint16(h[28:]))
		offset := uint64(binary.LittleEndian.Uint32(h[38:]))
		rest := make([]byte, nameLen+extraLen+commentLen)
		if err := s.readFull(rest); err != nil {
			return cut
		}
		// Zip64 extra field: the values that did not fit, in order.
		extra := rest[nameLen : nameLen+extraLen]
		for len(extra) >= 4 {
			id, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
			if 4+n > len(extra) {
				return bad
			}
			if id == 0x0001 {
				f := extra[4 : 4+n]
				take := func(v *uint64) {
					if *v == 0xFFFFFFFF && len(f) >= 8 {
						*v, f = binary.LittleEndian.Uint64(f), f[8:]
					}
				}
				take(&usize)
				take(&csize)
				take(&offset)
			}
			extra = extra[4+n:]
		}
		if i >= len(s.frames) {
			return bad
		}
		f := s.frames[i]
		if f.name != string(rest[:nameLen]) || f.crc != crc || f.size != usize || f.csize != csize || f.offset != int64(offset) {
			return bad
		}
		// The rest is what Dossier writes: the local header's version, flags,
		// method and time, no comment, disk 0, no attributes.
		if binary.LittleEndian.Uint16(h[0:]) != binary.LittleEndian.Uint16(f.local[0:]) || !bytes.Equal(h[2:12], f.local[:]) || commentLen != 0 || binary.LittleEndian.Uint16(h[30:]) != 0 ||
			binary.LittleEndian.Uint16(h[32:]) != 0 || binary.LittleEndian.Uint32(h[34:]) != 0 {
			return bad
		}
		i++
	}
}

// endRecords checks the (zip64) end of central directory records.
func (s *streamReader) endRecords(sig uint32, dirStart, dirEnd int64) error {
	bad := fmt.Errorf("%w: the ZIP's end record does not match its entries", ErrCorrupt)
	n := uint64(len(s.frames))
	if sig == 0x06064b50 { // zip64 end record, then its locator
		var h [52]byte
		if err := s.readFull(h[:]); err != nil {
			return bad
		}
		if binary.LittleEndian.Uint64(h[24:]) != n || binary.LittleEndian.Uint64(h[32:]) != n ||
			binary.LittleEndian.Uint64(h[40:]) != uint64(dirEnd-dirStart) || binary.LittleEndian.Uint64(h[48:]) != uint64(dirStart) {
			return bad
		}
		var loc [20]byte
		if err := s.readFull(loc[:]); err != nil || binary.LittleEndian.Uint32(loc[:]) != 0x07064b50 {
			return bad
		}
		var sg [4]byte
		if err := s.readFull(sg[:]); err != nil {
			return bad
		}
		sig = binary.LittleEndian.Uint32(sg[:])
	}
	if sig != 0x06054b50 {
		return bad
	}
	var e [18]byte
	if err := s.readFull(e[:]); err != nil {
		return bad
	}
	if binary.LittleEndian.Uint32(e[0:]) != 0 || binary.LittleEndian.Uint16(e[4:]) != binary.LittleEndian.Uint16(e[6:]) {
		return bad // one disk, all entries on it
	}
	count := uint64(binary.LittleEndian.Uint16(e[6:]))
	size := uint64(binary.LittleEndian.Uint32(e[8:]))
	off := uint64(binary.LittleEndian.Uint32(e[12:]))
	if count != 0xFFFF && count != n || size != 0xFFFFFFFF && size != uint64(dirEnd-dirStart) || off != 0xFFFFFFFF && off != uint64(dirStart) {
		return bad
	}
	if commentLen := int(binary.LittleEndian.Uint16(e[16:])); commentLen > 0 {
		if _, err := io.CopyN(io.Discard, s.br, int64(commentLen)); err != nil {
			return bad
		}
	}
	// Nothing may follow the end record.
	if _, err := s.br.ReadByte(); err != io.EOF {
		return fmt.Errorf("%w: data after the end of the ZIP", ErrCorrupt)
	}
	return nil
}
