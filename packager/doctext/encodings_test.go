package doctext

import (
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"dossier/internal/fixture/docfix"
)

type encodedText struct {
	name string
	data []byte
	want string
}

func textEncodingCases(t *testing.T) []encodedText {
	t.Helper()
	enc := func(e encoding.Encoding, s string) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	no := "Pasient: " + docfix.PlantedName + "\nFødt 09.05.1970\n"
	zh := "姓名：张伟\n病理诊断：浸润性导管癌。\n"
	ja := "患者氏名：山田太郎\n診断：乳がんです。よろしくお願いします。\n"
	return []encodedText{
		{"utf-8", []byte(no), docfix.PlantedName},
		{"utf-8 bom", enc(xunicode.UTF8BOM, no), docfix.PlantedName},
		{"utf-16le bom", enc(xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), no), docfix.PlantedName},
		{"utf-16be bom", enc(xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM), no), docfix.PlantedName},
		{"windows-1252", enc(charmap.Windows1252, no), docfix.PlantedName},
		{"gbk", enc(simplifiedchinese.GBK, zh), "张伟"},
		{"gb18030", enc(simplifiedchinese.GB18030, zh), "张伟"},
		{"shift-jis", enc(japanese.ShiftJIS, ja), "山田太郎"},
	}
}
