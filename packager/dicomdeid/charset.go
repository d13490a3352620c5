package dicomdeid

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// g1 kinds beyond single-byte charmaps.
const (
	g1None = iota
	g1Charmap
	g1Katakana // JIS X 0201 katakana (ISO_IR 13)
	g1KSX1001  // Korean, EUC-KR high bytes
	g1GB2312   // Simplified Chinese, EUC-CN high bytes
)

// g0 kinds.
const (
	g0ASCII = iota
	g0JISX0208
	g0JISX0212
)

// charset decodes text values of one dataset (or item) to UTF-8.
type charset struct {
	utf8    bool              // ISO_IR 192
	whole   *encoding.Decoder // GB18030, GBK
	iso2022 bool
	g1Kind  int
	g1Map   *charmap.Charmap
	// latin1Fallback: default repertoire but non-ASCII, invalid UTF-8 bytes
	// seen (decoded as ISO 8859-1).
	defaultRep bool
}

// singleByte maps the defined term (without the "ISO_IR " or "ISO 2022 IR "
// prefix) of single-byte character sets.
var singleByte = map[string]*charmap.Charmap{
	"100": charmap.ISO8859_1,
	"101": charmap.ISO8859_2,
	"109": charmap.ISO8859_3,
	"110": charmap.ISO8859_4,
	"144": charmap.ISO8859_5,
	"127": charmap.ISO8859_6,
	"126": charmap.ISO8859_7,
	"138": charmap.ISO8859_8,
	"148": charmap.ISO8859_9,
	"203": charmap.ISO8859_15,
	"166": charmap.Windows874, // TIS 620-2533
}

// newCharset reads the values of Specific Character Set (0008,0005).
// Unknown terms give an error wrapping ErrUnsupported.
func newCharset(vals []string) (*charset, error) {
	first := ""
	if len(vals) > 0 {
		first = strings.TrimSpace(vals[0])
	}
	iso2022 := false
	for _, v := range vals {
		if strings.HasPrefix(strings.TrimSpace(v), "ISO 2022") {
			iso2022 = true
		}
	}
	c := &charset{iso2022: iso2022}
	switch {
	case first == "" || first == "ISO_IR 6" || first == "ISO 2022 IR 6":
		c.defaultRep = !iso2022
	case first == "ISO_IR 192":
		c.utf8 = true
	case first == "GB18030":
		c.whole = simplifiedchinese.GB18030.NewDecoder()
	case first == "GBK":
		c.whole = simplifiedchinese.GBK.NewDecoder()
	case first == "ISO_IR 13" || first == "ISO 2022 IR 13":
		c.g1Kind = g1Katakana
	case first == "ISO 2022 IR 149":
		c.g1Kind = g1KSX1001
	case first == "ISO 2022 IR 58":
		c.g1Kind = g1GB2312
	case first == "ISO 2022 IR 87" || first == "ISO 2022 IR 159":
		// value 1 must not be a multi-byte set; accept it as G0 switch-only
	default:
		term := strings.TrimPrefix(strings.TrimPrefix(first, "ISO_IR "), "ISO 2022 IR ")
		m := singleByte[term]
		if m == nil || term == first {
			return nil, fmt.Errorf("%w: specific character set %q", ErrUnsupported, safeTerm(first))
		}
		c.g1Kind, c.g1Map = g1Charmap, m
	}
	if iso2022 {
		for _, v := range vals[1:] {
			v = strings.TrimSpace(v)
			switch v {
			case "", "ISO 2022 IR 6", "ISO 2022 IR 13", "ISO 2022 IR 87", "ISO 2022 IR 159", "ISO 2022 IR 149", "ISO 2022 IR 58":
			default:
				if singleByte[strings.TrimPrefix(v, "ISO 2022 IR ")] == nil {
					return nil, fmt.Errorf("%w: specific character set %q", ErrUnsupported, safeTerm(v))
				}
			}
		}
	}
	return c, nil
}

// safeTerm returns a character set term for messages (terms are standard
// defined terms, never patient data; anything odd is replaced).
func safeTerm(s string) string {
	if len(s) > 20 {
		return "(invalid)"
	}
	for _, r := range s {
		if !(r == ' ' || r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
			return "(invalid)"
		}
	}
	return s
}

// isASCII reports whether b has no byte above 0x7F and no ESC.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c == 0x1B {
			return false
		}
	}
	return true
}

// decode returns b as UTF-8.
func (c *charset) decode(b []byte) ([]byte, error) {
	if isASCII(b) {
		return b, nil
	}
	switch {
	case c.utf8:
		if !utf8.Valid(b) {
			return bytes.ToValidUTF8(b, []byte("?")), nil
		}
		return b, nil
	case c.whole != nil:
		out, err := c.whole.Bytes(b)
		if err != nil {
			return nil, fmt.Errorf("%w: text not decodable in its character set", ErrUnsupported)
		}
		return out, nil
	case c.defaultRep:
		if utf8.Valid(b) {
			return b, nil // undeclared UTF-8, seen in the wild
		}
		return latin1(b), nil
	}
	return c.decode2022(b)
}

func latin1(b []byte) []byte {
	out := make([]byte, 0, len(b)+8)
	for _, x := range b {
		out = utf8.AppendRune(out, rune(x))
	}
	return out
}

// escape sequences for G1 96-character sets.
var escG1 = map[byte]*charmap.Charmap{
	'A': charmap.ISO8859_1, 'B': charmap.ISO8859_2, 'C': charmap.ISO8859_3, 'D': charmap.ISO8859_4,
	'F': charmap.ISO8859_7, 'G': charmap.ISO8859_6, 'H': charmap.ISO8859_8, 'L': charmap.ISO8859_5,
	'M': charmap.ISO8859_9, 'T': charmap.Windows874, 'b': charmap.ISO8859_15,
}

// decode2022 decodes single-byte and ISO 2022 code extension text.
func (c *charset) decode2022(b []byte) ([]byte, error) {
	bad := fmt.Errorf("%w: text not decodable in its character set", ErrUnsupported)
	g0, g1k, g1m := g0ASCII, c.g1Kind, c.g1Map
	out := make([]byte, 0, len(b)*2)
	for i := 0; i < len(b); {
		x := b[i]
		if x == 0x1B {
			if !c.iso2022 {
				return nil, bad
			}
			rest := b[i+1:]
			switch {
			case bytes.HasPrefix(rest, []byte("(B")), bytes.HasPrefix(rest, []byte("(J")):
				g0, i = g0ASCII, i+3
			case bytes.HasPrefix(rest, []byte(")I")):
				g1k, i = g1Katakana, i+3
			case bytes.HasPrefix(rest, []byte("$B")), bytes.HasPrefix(rest, []byte("$@")):
				g0, i = g0JISX0208, i+3
			case bytes.HasPrefix(rest, []byte("$(D")):
				g0, i = g0JISX0212, i+4
			case bytes.HasPrefix(rest, []byte("$)C")):
				g1k, i = g1KSX1001, i+4
			case bytes.HasPrefix(rest, []byte("$)A")):
				g1k, i = g1GB2312, i+4
			case len(rest) >= 2 && rest[0] == '-' && escG1[rest[1]] != nil:
				g1k, g1m, i = g1Charmap, escG1[rest[1]], i+3
			default:
				return nil, bad
			}
			continue
		}
		if x < 0x80 && g0 != g0ASCII && x > 0x20 {
			if i+1 >= len(b) {
				return nil, bad
			}
			pair := []byte{b[i] | 0x80, b[i+1] | 0x80}
			if g0 == g0JISX0212 {
				pair = append([]byte{0x8F}, pair...)
			}
			s, err := japanese.EUCJP.NewDecoder().Bytes(pair)
			if err != nil {
				return nil, bad
			}
			out = append(out, s...)
			i += 2
			continue
		}
		if x < 0x80 {
			out = append(out, x)
			i++
			continue
		}
		switch g1k {
		case g1Charmap:
			out = utf8.AppendRune(out, g1m.DecodeByte(x))
			i++
		case g1Katakana:
			if x < 0xA1 || x > 0xDF {
				return nil, bad
			}
			out = utf8.AppendRune(out, rune(0xFF61+int(x)-0xA1))
			i++
		case g1KSX1001, g1GB2312:
			if i+1 >= len(b) {
				return nil, bad
			}
			var d *encoding.Decoder
			if g1k == g1KSX1001 {
				d = korean.EUCKR.NewDecoder()
			} else {
				d = simplifiedchinese.GBK.NewDecoder()
			}
			s, err := d.Bytes(b[i : i+2])
			if err != nil {
				return nil, bad
			}
			out = append(out, s...)
			i += 2
		default:
			return nil, bad
		}
	}
	return out, nil
}
