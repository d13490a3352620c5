package textenc

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDetectAndDecode(t *testing.T) {
	norwegian := "Pasient: Kåre Ødegård\nFødt 09.05.1970, Tromsø. Diagnose: brystkreft, ER-positiv.\n"
	german := "Patient: Jürgen Müller, geb. 09.05.1970 – „Befund“ unauffällig.\n"
	chinese := "姓名：张伟\n性别：男\n病理诊断：浸润性导管癌，雌激素受体阳性。\n"
	japanese_ := "患者氏名：山田太郎\n診断：乳がん（ホルモン受容体陽性）です。よろしくお願いします。\n"
	cases := []struct {
		name, text, want string
		enc              encoding.Encoding
	}{
		{"utf8", norwegian, UTF8, nil},
		{"utf8 bom", norwegian, UTF8BOM, xunicode.UTF8BOM},
		{"utf16le bom", norwegian, UTF16LE, xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)},
		{"utf16be bom", chinese, UTF16BE, xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM)},
		{"windows-1252 norwegian", norwegian, Windows1252, charmap.Windows1252},
		{"windows-1252 german quotes", german, Windows1252, charmap.Windows1252},
		{"latin-1", norwegian, Windows1252, charmap.ISO8859_1},
		{"gbk", chinese, GB18030, simplifiedchinese.GBK},
		{"gb18030", chinese, GB18030, simplifiedchinese.GB18030},
		{"shift-jis", japanese_, ShiftJIS, japanese.ShiftJIS},
	}
	for _, c := range cases {
		b := []byte(c.text)
		if c.enc != nil {
			b = encode(t, c.enc, c.text)
		}
		if got := Detect(b); got != c.want {
			t.Errorf("%s: detected %s, want %s", c.name, got, c.want)
			continue
		}
		text, enc := Decode(b)
		if enc != c.want || strings.TrimPrefix(text, "\uFEFF") != c.text {
			t.Errorf("%s: decoded %q as %s", c.name, text, enc)
		}
	}
}

func TestDetectShortAndOdd(t *testing.T) {
	for _, b := range [][]byte{nil, {0xE5}, {0xFF}, {0x81, 0x40}, []byte("plain ascii")} {
		text, _ := Decode(b) // must not panic, always valid UTF-8
		if !strings.ContainsRune(text+"x", 'x') {
			t.Fatal("unreachable")
		}
	}
	if got := Detect(append([]byte("Tromsø "), 0xE5)); got != Windows1252 {
		t.Errorf("one accented byte: %s", got)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("Kåre"))
	f.Add([]byte{0xFF, 0xFE, 'a', 0})
	f.Add([]byte{0x82, 0xA0, 0x82, 0xA2})
	f.Fuzz(func(t *testing.T, b []byte) {
		text, _ := Decode(b)
		if !utf8Valid(text) {
			t.Fatalf("invalid UTF-8 from %x", b)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }
