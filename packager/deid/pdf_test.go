package deid

import (
	"bytes"
	"encoding/hex"
	"errors"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
)

func TestStripPDF(t *testing.T) {
	in := docfix.PDFWithMetadata(
		map[string]string{"Title": "Pathology for Jane Doe", "Author": "Dr Who", "Creator": "Jane Doe laptop", "CreationDate": "D:20260110120000"},
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Jane Doe</dc:creator></x:xmpmeta>`,
		"Surgical pathology report", "ER positive")
	var out bytes.Buffer
	if err := StripPDF(&out, bytes.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "out.pdf")
	os.WriteFile(p, out.Bytes(), 0o644)
	if bytes.Contains(out.Bytes(), []byte("Jane Doe")) || bytes.Contains(out.Bytes(), []byte("Dr Who")) {
		t.Error("metadata left in the PDF bytes")
	}

	qpdf := testtool.Look(t, "qpdf", "qpdf")
	if o, err := exec.Command(qpdf, "--check", p).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, o)
	}
	info, err := exec.Command(testtool.Look(t, "pdfinfo", "poppler-utils"), "-meta", p).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	for _, leak := range []string{"Jane Doe", "Dr Who", "Pathology for"} {
		if strings.Contains(string(info), leak) {
			t.Errorf("pdfinfo still shows %q:\n%s", leak, info)
		}
	}
	text, err := exec.Command(testtool.Look(t, "pdftotext", "poppler-utils"), p, "-").Output()
	if err != nil || !strings.Contains(string(text), "Surgical pathology report") {
		t.Errorf("page text lost: %q %v", text, err)
	}
}

func TestStripPDFDamaged(t *testing.T) {
	for _, bad := range [][]byte{[]byte("%PDF-1.4\nnothing else"), docfix.PDF("x")[:100], nil} {
		var out bytes.Buffer
		if err := StripPDF(&out, bytes.NewReader(bad)); err == nil {
			t.Errorf("damaged PDF of %d bytes accepted", len(bad))
		}
	}
}

// TestStripPDFHiddenParts plants the name in one hidden part at a time and
// checks that the cleaned file holds it nowhere: not in its bytes, not in
// any layer the leak scan reads, and not in what qpdf shows of it
// uncompressed, while the page text stays.
func TestStripPDFHiddenParts(t *testing.T) {
	name := docfix.PlantedName
	cases := map[string]docfix.PDFParts{
		"form field":   {Field: name},
		"annotation":   {Note: name},
		"outline":      {Outline: name},
		"attachment":   {Attachment: name},
		"javascript":   {JavaScript: name},
		"alt text":     {Alt: name},
		"pieceinfo":    {PieceInfo: name},
		"info and xmp": {Info: map[string]string{"Author": name, "Title": name}, XMP: `<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>` + name + `</dc:creator></x:xmpmeta>`},
		"old revision": {OldInfo: name},
		"picture exif": {Photo: name},
		"everything": {Field: name, Note: name, Outline: name, Attachment: name, JavaScript: name, Alt: name, PieceInfo: name,
			Info: map[string]string{"Subject": name}, XMP: "<x:xmpmeta>" + name + "</x:xmpmeta>"},
	}
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	for label, parts := range cases {
		t.Run(label, func(t *testing.T) {
			parts.Lines = []string{"Surgical pathology report", "ER positive"}
			in := docfix.PDFWithParts(parts)
			dir := t.TempDir()
			src := filepath.Join(dir, "in.pdf")
			os.WriteFile(src, in, 0o644)
			// The fixture itself must be valid and must show the name, or
			// the test would prove nothing.
			if o, err := exec.Command(qpdf, "--check", src).CombinedOutput(); err != nil {
				t.Fatalf("fixture: qpdf --check: %v\n%s", err, o)
			}
			if !docfix.HasPlanted(qdfText(t, qpdf, src)) && !docfix.HasPlanted(pdfSourceText(in)) && !bytes.Contains(in, []byte(name)) {
				t.Fatal("fixture: the planted name is not in the input")
			}
			if !pdfLayersHavePlanted(t, in) {
				t.Fatal("fixture: the layer reader does not see the planted name in the input")
			}
			var out bytes.Buffer
			if err := StripPDF(&out, bytes.NewReader(in)); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "out.pdf")
			os.WriteFile(p, out.Bytes(), 0o644)
			if o, err := exec.Command(qpdf, "--check", p).CombinedOutput(); err != nil {
				t.Errorf("qpdf --check: %v\n%s", err, o)
			}
			if docfix.HasPlanted(qdfText(t, qpdf, p)) {
				t.Error("qpdf --qdf still shows the name")
			}
			if pdfLayersHavePlanted(t, out.Bytes()) {
				t.Error("a layer of the cleaned PDF still holds the name")
			}
			if docfix.HasPlanted(pdfSourceText(out.Bytes())) {
				t.Error("the cleaned PDF's bytes still hold the name")
			}
			if bytes.Count(out.Bytes(), []byte("%%EOF")) != 1 {
				t.Error("the cleaned PDF has more than one revision")
			}
			text, err := exec.Command(testtool.Look(t, "pdftotext", "poppler-utils"), p, "-").Output()
			if err != nil || !strings.Contains(string(text), "Surgical pathology report") {
				t.Errorf("page text lost: %q %v", text, err)
			}
			if parts.Photo != "" {
				// The picture still decodes: pdfimages extracts it as a JPEG
				// that Go reads.
				prefix := filepath.Join(dir, "img")
				if o, err := exec.Command(testtool.Look(t, "pdfimages", "poppler-utils"), "-j", p, prefix).CombinedOutput(); err != nil {
					t.Fatalf("pdfimages: %v %s", err, o)
				}
				f, err := os.Open(prefix + "-000.jpg")
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := jpeg.Decode(f); err != nil {
					t.Errorf("the cleaned picture does not decode: %v", err)
				}
			}
		})
	}
}

// TestCheckPDFFindsLeftovers checks that the read-back check refuses a PDF
// that still has the hidden parts (the input fixtures themselves).
func TestCheckPDFFindsLeftovers(t *testing.T) {
	for _, parts := range []docfix.PDFParts{{Field: "x"}, {Note: "x"}, {Outline: "x"}, {Attachment: "x"}, {JavaScript: "x"}, {Alt: "x"}, {PieceInfo: "x"}, {XMP: "x"}, {Info: map[string]string{"Author": "x"}}} {
		if err := CheckPDF(bytes.NewReader(docfix.PDFWithParts(parts))); err == nil {
			t.Errorf("%+v: not refused", parts)
		}
	}
	if err := CheckPDF(bytes.NewReader(docfix.PDF("plain"))); err != nil {
		t.Errorf("a plain PDF refused: %v", err)
	}
}

var (
	hexString   = regexp.MustCompile(`<([0-9A-Fa-f\s]+)>`)
	octalEscape = regexp.MustCompile(`\\[0-7]{3}`)
)

// qdfText is the file as qpdf shows it with every stream uncompressed, its
// hex and escaped strings decoded (UTF-16 or Latin-1) so a name in them
// reads as text.
func qdfText(t *testing.T, qpdf, path string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "qdf.pdf")
	if o, err := exec.Command(qpdf, "--qdf", "--object-streams=disable", path, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --qdf: %v\n%s", err, o)
	}
	b, _ := os.ReadFile(out)
	return pdfSourceText(b)
}

// pdfSourceText is a PDF's bytes as text, its hex and escaped strings
// decoded (compressed streams stay compressed).
func pdfSourceText(b []byte) string {
	s := hexString.ReplaceAllStringFunc(decodePDFBytes(b), func(m string) string {
		h, err := hex.DecodeString(strings.Join(strings.Fields(m[1:len(m)-1]), ""))
		if err != nil {
			return m
		}
		return " " + decodePDFBytes(h) + " "
	})
	s = octalEscape.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseUint(m[1:], 8, 8)
		return string(rune(v))
	})
	return s
}

func decodePDFBytes(b []byte) string {
	if len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF {
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	}
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return string(b[3:])
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// TestStripPDFObjectStreams cleans the fixture after qpdf rewrote it with
// object streams and a cross-reference stream, and linearized: the hidden
// parts are found inside compressed object streams too.
func TestStripPDFObjectStreams(t *testing.T) {
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	n := docfix.PlantedName
	in := docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"Surgical pathology report"}, Field: n, Note: n, Outline: n, Attachment: n,
		JavaScript: n, Alt: n, PieceInfo: n, Info: map[string]string{"Author": n}, XMP: "<x:xmpmeta>" + n + "</x:xmpmeta>"})
	dir := t.TempDir()
	src := filepath.Join(dir, "in.pdf")
	os.WriteFile(src, in, 0o644)
	for _, args := range [][]string{{"--object-streams=generate"}, {"--linearize", "--object-streams=generate"}} {
		packed := filepath.Join(dir, "packed.pdf")
		if o, err := exec.Command(qpdf, append(args, src, packed)...).CombinedOutput(); err != nil {
			t.Fatalf("qpdf %v: %v\n%s", args, err, o)
		}
		data, _ := os.ReadFile(packed)
		if !pdfLayersHavePlanted(t, data) {
			t.Fatalf("%v: the layer reader does not see the name in the packed input", args)
		}
		var out bytes.Buffer
		if err := StripPDF(&out, bytes.NewReader(data)); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		p := filepath.Join(dir, "out.pdf")
		os.WriteFile(p, out.Bytes(), 0o644)
		if o, err := exec.Command(qpdf, "--check", p).CombinedOutput(); err != nil {
			t.Errorf("%v: qpdf --check: %v\n%s", args, err, o)
		}
		if docfix.HasPlanted(qdfText(t, qpdf, p)) || pdfLayersHavePlanted(t, out.Bytes()) {
			t.Errorf("%v: the name is left", args)
		}
	}
}

// TestStripPDFLocked: a PDF locked only against changes (it opens without
// a password, as many hospital portals write them) is cleaned and written
// without the lock; one that needs a password to open is refused.
func TestStripPDFLocked(t *testing.T) {
	qpdf := testtool.Look(t, "qpdf", "qpdf")
	dir := t.TempDir()
	src := filepath.Join(dir, "in.pdf")
	os.WriteFile(src, docfix.PDFWithParts(docfix.PDFParts{Lines: []string{"Surgical pathology report"}, Note: docfix.PlantedName, Info: map[string]string{"Author": docfix.PlantedName}}), 0o644)
	for _, c := range []struct {
		args []string
		open bool
	}{
		{[]string{"--encrypt", "", "owner", "256", "--"}, true},
		{[]string{"--allow-weak-crypto", "--encrypt", "", "owner", "128", "--"}, true},
		{[]string{"--encrypt", "user", "owner", "256", "--"}, false},
	} {
		locked := filepath.Join(dir, "locked.pdf")
		if o, err := exec.Command(qpdf, append(c.args, src, locked)...).CombinedOutput(); err != nil {
			t.Fatalf("qpdf %v: %v\n%s", c.args, err, o)
		}
		data, _ := os.ReadFile(locked)
		var out bytes.Buffer
		err := StripPDF(&out, bytes.NewReader(data))
		if !c.open {
			if !errors.Is(err, ErrEncryptedPDF) || out.Len() != 0 {
				t.Errorf("%v: %v, %d bytes written", c.args, err, out.Len())
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		p := filepath.Join(dir, "out.pdf")
		os.WriteFile(p, out.Bytes(), 0o644)
		if o, _ := exec.Command(qpdf, "--show-encryption", p).CombinedOutput(); !strings.Contains(string(o), "not encrypted") {
			t.Errorf("%v: still locked: %s", c.args, o)
		}
		if o, err := exec.Command(qpdf, "--check", p).CombinedOutput(); err != nil {
			t.Errorf("%v: qpdf --check: %v\n%s", c.args, err, o)
		}
		if docfix.HasPlanted(qdfText(t, qpdf, p)) || pdfLayersHavePlanted(t, out.Bytes()) {
			t.Errorf("%v: the name is left", c.args)
		}
	}
}
