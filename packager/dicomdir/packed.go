package dicomdir

import (
	"bytes"
	"errors"
	"math"
	"strings"
)

// What a Builder keeps of each entry's UIDs, compactly: a bundle of 30,000
// images kept 30,000 SOP Instance UIDs as strings of their own (64 bytes
// each with the allocator's rounding) and two more strings' headers for
// the class and the transfer syntax, which a few values share.

// packUID appends u, a valid UID (digits and dots, at most 64 characters),
// to b, two characters a byte: a digit is its value, a dot 10, and an odd
// length ends with 15.
func packUID(b []byte, u string) []byte {
	nibble := func(c byte) byte {
		if c == '.' {
			return 10
		}
		return c - '0'
	}
	for i := 0; i < len(u); i += 2 {
		lo := byte(15)
		if i+1 < len(u) {
			lo = nibble(u[i+1])
		}
		b = append(b, nibble(u[i])<<4|lo)
	}
	return b
}

// unpackUID returns the UID of n characters that packUID packed into p.
func unpackUID(p []byte, n int) string {
	out := make([]byte, n)
	char := func(v byte) byte {
		if v == 10 {
			return '.'
		}
		return '0' + v
	}
	for i := range out {
		v := p[i/2]
		if i%2 == 0 {
			v >>= 4
		}
		out[i] = char(v & 15)
	}
	return string(out)
}

// packedLen is the number of bytes packUID makes of n characters.
func packedLen(n int) int { return (n + 1) / 2 }

// errTooMany is returned when a Builder's compact records cannot index
// more (billions of bytes of UIDs, or tens of thousands of distinct SOP
// classes and transfer syntaxes: no real file-set has them).
var errTooMany = errors.New("dicomdir: too many entries")

// keepUID stores the SOP Instance UID of l (valid) in b's packed UIDs.
func (b *Builder) keepUID(l *leaf, u string) error {
	if len(b.uids) > math.MaxUint32-64 {
		return errTooMany
	}
	l.uid, l.uidLen = uint32(len(b.uids)), uint8(len(u))
	b.uids = packUID(b.uids, u)
	return nil
}

// packedUID is l's SOP Instance UID as packUID packed it.
func (b *Builder) packedUID(l *leaf) []byte {
	return b.uids[l.uid : l.uid+uint32(packedLen(int(l.uidLen)))]
}

// sopInstance is l's SOP Instance UID.
func (b *Builder) sopInstance(l *leaf) string {
	return unpackUID(b.packedUID(l), int(l.uidLen))
}

// compareUIDs orders the SOP Instance UIDs of two leaves: equal UIDs, and
// only they, compare as 0.
func (b *Builder) compareUIDs(x, y *leaf) int {
	if c := bytes.Compare(b.packedUID(x), b.packedUID(y)); c != 0 {
		return c
	}
	return int(x.uidLen) - int(y.uidLen)
}

// str returns the index of s among the strings b keeps once (the SOP
// classes and transfer syntaxes), adding it when it is new.
func (b *Builder) str(s string) (uint16, error) {
	if i, ok := b.strIndex[s]; ok {
		return i, nil
	}
	if len(b.strs) > math.MaxUint16 {
		return 0, errTooMany
	}
	i := uint16(len(b.strs))
	s = strings.Clone(s)
	b.strs = append(b.strs, s)
	b.strIndex[s] = i
	return i, nil
}
