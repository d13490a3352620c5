package deid

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
