package leakscan

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"dossier/internal/fixture/docfix"
)

func layers(t *testing.T, data []byte, format string, lim LayerLimits) ([]Layer, error) {
	t.Helper()
	var out []Layer
	err := Layers(context.Background(), bytes.NewReader(data), int64(len(data)), format, lim, func(l Layer) error {
		out = append(out, Layer{Place: l.Place, Data: bytes.Clone(l.Data), Truncated: l.Truncated})
		return nil
	})
	return out, err
}

// plantedIn returns the places of the layers holding the planted name.
func plantedIn(t *testing.T, data []byte, format string) []string {
	t.Helper()
	ls, err := layers(t, data, format, LayerLimits{})
	if err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	var places []string
	for _, l := range ls {
		if docfix.HasPlanted(string(l.Data)) {
			places = append(places, l.Place)
		}
	}
	return places
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

func zlibBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// withPNGChunk inserts a chunk after IHDR.
func withPNGChunk(png []byte, chunk []byte) []byte {
	at := 8 + 8 + 13 + 4
	return append(append(append([]byte{}, png[:at]...), chunk...), png[at:]...)
}

// withJPEGSegment inserts a segment after SOI.
func withJPEGSegment(jpg []byte, marker byte, body []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	return append(append(append([]byte{0xFF, 0xD8}, seg...), body...), jpg[2:]...)
}

// TestLayersFindTheName plants the name in one place per format and checks
// the layer that holds it is found and named for its place.
func TestLayersFindTheName(t *testing.T) {
	n := docfix.PlantedName
	utf16le, _ := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes([]byte("Pasient: " + n))
	cp1252, _ := charmap.Windows1252.NewEncoder().Bytes([]byte("Pasient: " + n))
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("姓名：" + n + "，张伟。病理诊断：浸润性导管癌。"))
	xmp := []byte(`http://ns.adobe.com/xap/1.0/` + "\x00" + `<x:xmpmeta><dc:creator>` + n + `</dc:creator></x:xmpmeta>`)
	cases := []struct {
		name, format string
		data         []byte
		place        string
	}{
		{"pdf form field", "pdf", docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"x"}, Field: n}), "form field 1"},
		{"pdf annotation", "pdf", docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"x"}, Note: n}), "page 1 annotation 1"},
		{"pdf outline", "pdf", docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"x"}, Outline: n}), "bookmarks"},
		{"pdf attachment contents", "pdf", docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"x"}, Attachment: n}), "attached file contents"},
		{"pdf info", "pdf", docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"x"}, Info: map[string]string{"Author": n}}), "document information"},
		{"pdf xmp", "pdf", docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"x"}, XMP: "<x>" + n + "</x>"}), "XMP metadata"},
		{"pdf page content (compressed)", "pdf", docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"Patient: Kaare Oedegaard"}}), "page 1 content"},
		{"docx comment", "docx", docfix.DOCXWithParts(docfix.DOCXParts{Body: []string{"x"}, Comment: n}), "word/comments.xml"},
		{"docx header", "docx", docfix.DOCXWithParts(docfix.DOCXParts{Body: []string{"x"}, Header: n}), "word/header1.xml"},
		{"docx runs split per letter", "docx", docfix.DOCXWithParts(docfix.DOCXParts{Body: []string{n}, SplitRuns: true}), "word/document.xml"},
		{"docx alt text", "docx", docfix.DOCXWithParts(docfix.DOCXParts{Body: []string{"x"}, AltText: n}), "word/document.xml"},
		{"docx core", "docx", docfix.DOCXWithParts(docfix.DOCXParts{Body: []string{"x"}, Core: n}), "docProps/core.xml"},
		{"odt meta", "odf", docfix.ODT(docfix.ODTParts{Body: []string{"x"}, Meta: n}), "meta.xml"},
		{"odt footer", "odf", docfix.ODT(docfix.ODTParts{Body: []string{"x"}, Footer: n}), "styles.xml"},
		{"rtf \\'xx body", "rtf", docfix.RTF(1252, nil, n), "text"},
		{"rtf info", "rtf", docfix.RTF(1252, map[string]string{"operator": n}, "x"), "text"},
		{"text utf-16", "txt", utf16le, "text"},
		{"text windows-1252", "txt", cp1252, "text"},
		{"text gb18030", "txt", gbk, "text"},
		{"jpeg exif", "jpeg", withJPEGSegment(docfix.JPEG(8, 8), 0xE1, append([]byte("Exif\x00\x00"), docfix.ExifTIFF(n)...)), "APP1 (EXIF)"},
		{"jpeg xmp", "jpeg", withJPEGSegment(docfix.JPEG(8, 8), 0xE1, xmp), "APP1 (XMP)"},
		{"jpeg comment (latin-1)", "jpeg", withJPEGSegment(docfix.JPEG(8, 8), 0xFE, docfix.PlantedLatin1()), "COM (comment)"},
		{"png tEXt", "png", withPNGChunk(docfix.PNG(4, 4), pngChunk("tEXt", append([]byte("Author\x00"), docfix.PlantedLatin1()...))), "tEXt"},
		{"png zTXt", "png", withPNGChunk(docfix.PNG(4, 4), pngChunk("zTXt", append([]byte("Comment\x00\x00"), zlibBytes(docfix.PlantedLatin1())...))), "zTXt"},
		{"png iTXt compressed", "png", withPNGChunk(docfix.PNG(4, 4), pngChunk("iTXt", append([]byte("Author\x00\x01\x00nb\x00\x00"), zlibBytes([]byte(n))...))), "iTXt"},
		{"png eXIf", "png", withPNGChunk(docfix.PNG(4, 4), pngChunk("eXIf", docfix.ExifTIFF(n))), "eXIf"},
		{"tiff tags", "tiff", docfix.ExifTIFF(n), "TIFF tags"},
		{"heic exif", "heic", docfix.HEIC(docfix.HEICParts{Exif: n}), "HEIC Exif item 2"},
		{"heic xmp", "heic", docfix.HEIC(docfix.HEICParts{XMP: n}), "HEIC XMP item 3"},
		{"heic user description", "heic", docfix.HEIC(docfix.HEICParts{Exif: "x", Description: n}), "HEIC item names and descriptions"},
		{"heic item name", "heic", docfix.HEIC(docfix.HEICParts{Exif: "x", ItemName: n}), "HEIC item names and descriptions"},
		{"docx picture exif", "docx", docxWithMedia(t, withJPEGSegment(docfix.JPEG(8, 8), 0xE1, append([]byte("Exif\x00\x00"), docfix.ExifTIFF(n)...))), "word/media/photo.jpeg APP1 (EXIF)"},
	}
	for _, c := range cases {
		places := plantedIn(t, c.data, c.format)
		found := false
		for _, p := range places {
			if strings.HasPrefix(p, c.place) {
				found = true
			}
			if strings.Contains(p, "Kåre") || strings.Contains(p, "Ødegård") {
				t.Errorf("%s: a place names the value: %q", c.name, p)
			}
		}
		if !found {
			t.Errorf("%s: the name is not found in %q (found in %q)", c.name, c.place, places)
		}
	}
	// Without the name, no layer has it (the check is not always true).
	for _, f := range []struct {
		format string
		data   []byte
	}{{"pdf", docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"Report"}, Note: "fine", Field: "ok"})}, {"docx", docfix.DOCXWithParts(docfix.DOCXParts{Body: []string{"Report"}, Comment: "fine"})}, {"heic", docfix.HEIC(docfix.HEICParts{Exif: "Phone", XMP: "Phone"})}} {
		if places := plantedIn(t, f.data, f.format); len(places) > 0 {
			t.Errorf("%s without the name: found in %q", f.format, places)
		}
	}
}

func docxWithMedia(t *testing.T, jpg []byte) []byte {
	return docfix.Zip(
		docfix.ZipEntry{Name: "word/document.xml", Data: []byte(`<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>Photo</w:t></w:r></w:p></w:body></w:document>`)},
		docfix.ZipEntry{Name: "word/media/photo.jpeg", Data: jpg},
	)
}

// TestLayersBounded checks the limits: a stream that inflates far beyond
// the layer limit is cut and marked, a file with more layers than allowed
// stops with ErrTooManyLayers, an oversized input is refused, and damaged
// files are errors, never panics.
func TestLayersBounded(t *testing.T) {
	bomb := zlibBytes(bytes.Repeat([]byte("A"), 8<<20))
	doc := docfix.Zip(docfix.ZipEntry{Name: "word/document.xml", Data: bytes.Repeat([]byte("<w:t>AAAAAAAA</w:t>"), 1<<16)})
	ls, err := layers(t, doc, "docx", LayerLimits{MaxLayerBytes: 1 << 16})
	if err != nil || len(ls) != 1 || !ls[0].Truncated || len(ls[0].Data) > 1<<16 {
		t.Errorf("a large part: %d layers, %v", len(ls), err)
	}
	png := withPNGChunk(docfix.PNG(4, 4), pngChunk("zTXt", append([]byte("Comment\x00\x00"), bomb...)))
	ls, err = layers(t, png, "png", LayerLimits{MaxLayerBytes: 1 << 20})
	if err != nil || len(ls) != 1 || len(ls[0].Data) > 1<<20+64 {
		t.Errorf("a compressed text chunk that inflates to 8 MiB: %v", err)
	}
	many := docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"x"}, Note: "a", Field: "b", Outline: "c", Attachment: "d"})
	if _, err := layers(t, many, "pdf", LayerLimits{MaxLayers: 3}); !errors.Is(err, ErrTooManyLayers) {
		t.Errorf("more layers than allowed: %v", err)
	}
	if _, err := layers(t, []byte("plain text"), "txt", LayerLimits{MaxInput: 4}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("an input over the limit: %v", err)
	}
	if _, err := layers(t, []byte("x"), "dicom", LayerLimits{}); !errors.Is(err, ErrNoLayers) {
		t.Errorf("an unknown format: %v", err)
	}
	for format, bad := range map[string][]byte{
		"pdf": []byte("%PDF-1.4\n1 0 obj << /Type /Catalog"), "docx": []byte("PK\x03\x04broken"), "jpeg": {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF},
		"png": []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\xFFtEXt"), "heic": docfix.HEIC(docfix.HEICParts{Exif: "x"})[:50], "tiff": []byte("MM\x00*\x00\x00\x00\x08\xFF\xFF"),
		"rtf": []byte(`{\rtf1{{{{{{{{\u`), "txt": {0xFF, 0xFE, 0x00},
	} {
		layers(t, bad, format, LayerLimits{}) // an error or nothing; never a panic
	}
	// A TIFF whose IFDs point at each other ends.
	loop := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 0, 0, 0, 0, 8}
	if _, err := layers(t, loop, "tiff", LayerLimits{}); err != nil {
		t.Errorf("an IFD loop: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Layers(ctx, bytes.NewReader(doc), int64(len(doc)), "docx", LayerLimits{}, func(Layer) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func FuzzLayers(f *testing.F) {
	f.Add([]byte(docfix.HEIC(docfix.HEICParts{Exif: "x", XMP: "y"})), uint8(0))
	f.Add(docfix.ExifTIFF("x"), uint8(1))
	f.Add(withJPEGSegment(docfix.JPEG(4, 4), 0xFE, []byte("c")), uint8(2))
	f.Add(docfix.RTF(1252, map[string]string{"author": "a"}, "b"), uint8(3))
	formats := []string{"heic", "tiff", "jpeg", "rtf", "png", "txt"}
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		Layers(context.Background(), bytes.NewReader(b), int64(len(b)), formats[int(which)%len(formats)], LayerLimits{MaxLayerBytes: 1 << 20}, func(Layer) error { return nil })
	})
}
