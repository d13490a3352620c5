// Package textenc finds the character encoding of a text file and decodes
// it to UTF-8, so that names are matched in the letters the file shows and
// not in its bytes. It knows UTF-8 (with or without a byte order mark),
// UTF-16 with a byte order mark, Windows-1252 (which includes Latin-1's
// letters), GB18030 (and so GBK and GB2312) and Shift-JIS.
//
// Detection is simple and in this order: a byte order mark; valid UTF-8;
// then, for other bytes, whether the non-ASCII bytes come in pairs (Chinese
// and Japanese encodings use two bytes per character, Western text has
// single accented letters between ASCII ones), and which of GB18030 and
// Shift-JIS decodes the pairs into text of its language.
package textenc

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// The encodings Detect names.
const (
	UTF8        = "UTF-8"
	UTF8BOM     = "UTF-8 with BOM"
	UTF16LE     = "UTF-16LE"
	UTF16BE     = "UTF-16BE"
	Windows1252 = "Windows-1252"
	GB18030     = "GB18030"
	ShiftJIS    = "Shift_JIS"
)

// sample is how much of a file detection looks at.
const sample = 64 << 10

// Detect names the encoding of b (it looks at the first 64 KiB).
func Detect(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return UTF8BOM
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return UTF16LE
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return UTF16BE
	}
	if len(b) > sample {
		b = b[:sample]
		// Do not let a character cut at the end spoil UTF-8.
		for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
			b = b[:len(b)-1]
		}
	}
	if utf8.Valid(b) {
		return UTF8
	}
	if !pairedHighBytes(b) {
		return Windows1252
	}
	gbOK, gbHan := decodes(simplifiedchinese.GB18030, b)
	sjOK, sjKana := decodes(japanese.ShiftJIS, b)
	switch {
	case sjOK && sjKana:
		return ShiftJIS // Japanese text is full of kana
	case gbOK && gbHan:
		return GB18030
	case sjOK:
		return ShiftJIS
	case gbOK:
		return GB18030
	}
	return Windows1252
}

// pairedHighBytes reports whether most non-ASCII bytes of b stand next to
// another non-ASCII byte, as in two-byte encodings.
func pairedHighBytes(b []byte) bool {
	high, paired := 0, 0
	for i, c := range b {
		if c < 0x80 {
			continue
		}
		high++
		if i > 0 && b[i-1] >= 0x80 || i+1 < len(b) && b[i+1] >= 0x80 {
			paired++
		}
	}
	return high > 0 && paired*2 > high
}

// decodes reports whether b decodes cleanly in e, and whether the decoded
// text's non-ASCII letters are mostly of the language e is for: kana for
// Shift-JIS, Han for GB18030.
func decodes(e encoding.Encoding, b []byte) (ok, typical bool) {
	s, err := e.NewDecoder().Bytes(b)
	if err != nil || bytes.ContainsRune(s, utf8.RuneError) {
		return false, false
	}
	var other, want int
	for _, r := range string(s) {
		if r < 0x80 {
			continue
		}
		switch {
		case e == japanese.ShiftJIS && (unicode.In(r, unicode.Hiragana, unicode.Katakana) || r == 'ー' || r == '、' || r == '。'):
			want++
		case e == simplifiedchinese.GB18030 && (unicode.Is(unicode.Han, r) || r == '，' || r == '。' || r == '：'):
			want++
		default:
			other++
		}
	}
	if e == japanese.ShiftJIS {
		return true, want*4 >= want+other // at least a quarter kana
	}
	return true, want*4 >= (want+other)*3 // at least three quarters Han
}

// Encoding returns the decoder for an encoding Detect names.
func Encoding(name string) encoding.Encoding {
	switch name {
	case UTF8BOM:
		return xunicode.UTF8BOM
	case UTF16LE:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM)
	case UTF16BE:
		return xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM)
	case Windows1252:
		return charmap.Windows1252
	case GB18030:
		return simplifiedchinese.GB18030
	case ShiftJIS:
		return japanese.ShiftJIS
	}
	return encoding.Nop
}

// Decode returns b as UTF-8 text and the name of the encoding it was in.
// Bytes that do not decode become U+FFFD; a byte order mark is dropped.
func Decode(b []byte) (string, string) {
	name := Detect(b)
	if name == UTF8 {
		return string(b), name
	}
	s, err := Encoding(name).NewDecoder().Bytes(b)
	if err != nil {
		// Decoders replace what they cannot read; an error here means a
		// broken UTF-16 tail or the like: keep what decoded.
		return string(bytes.ToValidUTF8(s, []byte("\uFFFD"))), name
	}
	return string(s), name
}

// CodePage returns the encoding of a Windows code page number, as RTF
// names them (\ansicpgN, \fcharset): Windows-1252 for a number it does not
// know, and no conversion for 65001 (UTF-8).
func CodePage(n int) encoding.Encoding {
	switch n {
	case 874:
		return charmap.Windows874
	case 932:
		return japanese.ShiftJIS
	case 936:
		return simplifiedchinese.GBK
	case 949:
		return korean.EUCKR
	case 950:
		return traditionalchinese.Big5
	case 1250:
		return charmap.Windows1250
	case 1251:
		return charmap.Windows1251
	case 1253:
		return charmap.Windows1253
	case 1254:
		return charmap.Windows1254
	case 1255:
		return charmap.Windows1255
	case 1256:
		return charmap.Windows1256
	case 1257:
		return charmap.Windows1257
	case 1258:
		return charmap.Windows1258
	case 437:
		return charmap.CodePage437
	case 850:
		return charmap.CodePage850
	case 10000:
		return charmap.Macintosh
	case 65001:
		return encoding.Nop
	}
	return charmap.Windows1252
}
