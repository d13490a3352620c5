package intake

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"dossier/internal/fixture/docfix"
)

// Text files in every encoding Dossier reads are documents, not "other".
func TestSniffTextEncodings(t *testing.T) {
	no := "Pasient: Kåre Ødegård\nFødt 09.05.1970. «Sitat» – “anførsel”\n"
	zh := "姓名：张伟\n病理诊断：浸润性导管癌，雌激素受体阳性。\n"
	ja := "患者氏名：山田太郎\n診断：乳がんです。よろしくお願いします。\n"
	for _, c := range []struct {
		name string
		enc  encoding.Encoding
		text string
	}{
		{"utf-8", nil, no},
		{"utf-8 bom", xunicode.UTF8BOM, no},
		{"utf-16le", xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), no},
		{"utf-16be", xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM), zh},
		{"windows-1252", charmap.Windows1252, no},
		{"latin-1", charmap.ISO8859_1, "Pasient: Kåre Ødegård\n"},
		{"gbk", simplifiedchinese.GBK, zh},
		{"gb18030", simplifiedchinese.GB18030, zh},
		{"shift-jis", japanese.ShiftJIS, ja},
	} {
		b := []byte(c.text)
		if c.enc != nil {
			var err error
			if b, err = c.enc.NewEncoder().Bytes(b); err != nil {
				t.Fatal(err)
			}
		}
		b = bytes.Repeat(b, 20)
		if got := sniff(b, "note.txt"); got.kind != KindDocument || got.format != "txt" {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
	for name, bin := range map[string][]byte{"jpeg body": docfix.JPEG(32, 32)[200:], "zeros": make([]byte, 100), "controls": bytes.Repeat([]byte{1, 2, 3, 'a'}, 50)} {
		if got := sniff(bin, "x.dat"); got.kind == KindDocument {
			t.Errorf("%s sniffed as a document", name)
		}
	}
}
