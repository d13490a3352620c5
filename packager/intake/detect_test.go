package intake

import (
	"bytes"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
)

func TestDetectByContentNotName(t *testing.T) {
	dir := t.TempDir()
	iso := make([]byte, 40000)
	copy(iso[32769:], "CD001")
	heic := append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	cases := []struct {
		name   string
		data   []byte
		kind   Kind
		format string
	}{
		{"report.jpg", docfix.PDF("x"), KindPDF, "pdf"},
		{"scan.txt", dcmfix.Instance(dcmfix.Spec{}), KindDICOM, "dicom"},
		{"IMG_0001.HEIC", append(heic, make([]byte, 100)...), KindImage, "heic"},
		{"photo.webp", append([]byte("RIFF\x10\x00\x00\x00WEBPVP8 "), make([]byte, 64)...), KindImage, "webp"},
		{"scan.gif", append([]byte("GIF89a\x80\x00\x80\x00"), make([]byte, 64)...), KindImage, "gif"},
		{"letter.rtf", []byte(`{\rtf1\ansi Dear colleague}`), KindDocument, "rtf"},
		{"letter.doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), KindDocument, "doc"},
		{"setup.msi", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), KindSkipped, "program"},
		{"VIEWER.EXE;1", append([]byte("MZ"), make([]byte, 300)...), KindSkipped, "program"},
		{"viewer", append([]byte("\x7fELF"), make([]byte, 300)...), KindSkipped, "program"},
		{"disc.iso", iso, KindOther, "iso"},
		{"images.tar.gz", []byte{0x1F, 0x8B, 8, 0, 0, 0}, KindOther, "gzip"},
		{"notes", []byte("Appointment on Tuesday with Dr. Smith.\n"), KindDocument, "txt"},
		{"summary.htm", []byte("<!DOCTYPE html><html><body>Summary</body></html>"), KindDocument, "html"},
		{"random.bin", bytes.Repeat([]byte{0x00, 0xFE, 0x13}, 100), KindOther, ""},
		{"letter.docx", docfix.DOCX("Dear colleague"), KindDocument, "docx"},
		{"AUTORUN.INF;1", []byte("[AutoRun]\r\nopen=viewer.exe\r\n"), KindSkipped, "autorun"},
	}
	for _, c := range cases {
		writeFile(t, dir, c.name, c.data)
	}
	inv := scan(t, Options{}, dir)
	for _, c := range cases {
		it := itemAt(t, inv, "/"+c.name)
		if it.Kind != c.kind || it.Format != c.format {
			t.Errorf("%s: %s/%s (%v), want %s/%s", c.name, it.Kind, it.Format, it.Problems, c.kind, c.format)
		}
	}
	if p := itemAt(t, inv, "/disc.iso").Problems; len(p) == 0 {
		t.Error("disc image without advice")
	}
}
