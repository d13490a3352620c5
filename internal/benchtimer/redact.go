//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"dossier/internal/benchdata"
	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/doctext"
)

// redactPatient is the name the redaction work's files carry and the command is told to look for.
const redactPatient = "Jane Doe"

// redact: the redaction issue's two targets, as whole processes. `dossier deidentify` of a folder
// holding one 20-page text PDF that names the patient on every page (found, planned and removed
// from every page, the copy read back and written) in under 200 ms; and `dossier deidentify
// --redactions --include` of a 100-frame 640x480 RGB ultrasound cine (92 MB of native pixels, two
// boxes masked in every frame) at no less than half the throughput of `cp` of the same file.
func (b *bench) redact(ctx context.Context) error {
	frames := 100
	if b.scale.Name != "full" {
		frames = 10
	}
	dir := filepath.Join(b.work, "redact")
	pdfDir, cineDir := filepath.Join(dir, "pdf"), filepath.Join(dir, "cine")
	cine := filepath.Join(cineDir, "cine.dcm")
	// The files are written by a child process: building the cine in this one would leave its
	// memory here, where every later child's peak RSS (wait4 counts it from the fork) would show it.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if _, err := run(ctx, os.Environ(), "", self, "-redact-data", dir, "-redact-frames", strconv.Itoa(frames)); err != nil {
		return err
	}
	st, err := os.Stat(cine)
	if err != nil {
		return err
	}
	boxes, err := json.Marshal([]map[string]any{
		{"path": cine, "x": 0, "y": 0, "width": 640, "height": 60},
		{"path": cine, "x": 500, "y": 400, "width": 140, "height": 80},
	})
	if err != nil {
		return err
	}
	boxFile := filepath.Join(dir, "boxes.json")
	if err := os.WriteFile(boxFile, boxes, 0o644); err != nil {
		return err
	}

	b.printf("\nredact: a 20-page text PDF naming the patient on every page\n")
	outDir := func(who string, i int) string { return filepath.Join(dir, fmt.Sprintf("%s-%d", who, i+1)) }
	text := &contender{name: "dossier deidentify (20-page PDF)", run: func(ctx context.Context, i int) (sample, error) {
		out := outDir("pdf", i)
		s, err := run(ctx, b.dossierEnv(), filepath.Join(dir, "pdf.txt"), b.bin, "deidentify", "--privacy", "pseudonymised",
			"--patient-name", redactPatient, "--out", out, pdfDir)
		if err == nil && i < 0 {
			err = checkRedactedPDF(ctx, out, 20)
		}
		return s, errors.Join(err, os.RemoveAll(out))
	}}
	if err := b.interleave(ctx, b.runs, text); err != nil {
		return err
	}
	ms := medianWall(text.samples) * 1000
	b.add(check{what: "deidentify, a 20-page PDF redacted", value: ms, unit: "ms", limit: 200, ok: ms < 200})

	b.printf("\nredact: a %d-frame 640x480 RGB ultrasound cine (%.0f MB), two boxes masked in every frame\n", frames, float64(st.Size())/1e6)
	mask := &contender{name: "dossier deidentify --redactions (cine)", run: func(ctx context.Context, i int) (sample, error) {
		out := outDir("cine", i)
		s, err := run(ctx, b.dossierEnv(), filepath.Join(dir, "cine.txt"), b.bin, "deidentify", "--privacy", "pseudonymised",
			"--redactions", boxFile, "--include", cine, "--out", out, cineDir)
		s, err = settle(s, err, dir)
		if err == nil && i < 0 {
			if n, size, cerr := benchdata.Count(out); cerr != nil || n != 1 || size < st.Size()*9/10 {
				err = fmt.Errorf("deidentify wrote %d files, %d bytes, of the cine (%v)", n, size, cerr)
			}
		}
		return s, errors.Join(err, os.RemoveAll(out))
	}}
	cp := &contender{name: "cp (the cine)", run: func(ctx context.Context, i int) (sample, error) {
		out := outDir("cp", i)
		if err := os.Mkdir(out, 0o755); err != nil {
			return sample{}, err
		}
		s, err := run(ctx, os.Environ(), "", b.tools["cp"], cine, out)
		s, err = settle(s, err, out)
		return s, errors.Join(err, os.RemoveAll(out))
	}}
	if err := b.interleave(ctx, b.runs, mask, cp); err != nil {
		return err
	}
	b.diskRatio("deidentify --redactions / cp (a cine)", mask, cp, 2)
	return nil
}

// redactPages is the text of the 20-page PDF: the patient named at the top of every page.
func redactPages() [][]string {
	pages := make([][]string, 20)
	for i := range pages {
		pages[i] = append(pages[i], "Patient: "+redactPatient+", born 09.05.1970")
		for l := range 44 {
			pages[i] = append(pages[i], fmt.Sprintf("Line %d of page %d: invasive ductal carcinoma, ER positive (95%%), HER2 1+.", l, i+1))
		}
	}
	return pages
}

// writeRedactData writes the redaction work's files into dir (-redact-data, run as a child by
// redact): pdf/report.pdf and cine/cine.dcm of the given number of frames.
func writeRedactData(dir string, frames int) error {
	for _, d := range []string{"pdf", "cine"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "pdf", "report.pdf"), docfix.PDFCompressed(redactPages()...), 0o644); err != nil {
		return err
	}
	px := dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "US", Rows: 480, Cols: 640, PatientName: "DOE^JANE"}, Photometric: "RGB", Frames: frames}
	return os.WriteFile(filepath.Join(dir, "cine", "cine.dcm"), dcmfix.PixelInstance(px), 0o644)
}

// checkRedactedPDF checks that deidentify wrote the PDF with all its pages and without the name.
func checkRedactedPDF(ctx context.Context, out string, pages int) error {
	var found []string
	err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(strings.ToLower(p), ".pdf") {
			found = append(found, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	if len(found) != 1 {
		return fmt.Errorf("deidentify wrote %d PDFs, want the redacted report", len(found))
	}
	data, err := os.ReadFile(found[0])
	if err != nil {
		return err
	}
	ps, err := doctext.PDFPages(ctx, bytes.NewReader(data), int64(len(data)), doctext.Options{})
	if err != nil {
		return err
	}
	if len(ps) != pages {
		return fmt.Errorf("the redacted PDF has %d pages of %d", len(ps), pages)
	}
	for _, p := range ps {
		if strings.Contains(p.Text, redactPatient) {
			return fmt.Errorf("page %d of the redacted PDF still names the patient", p.Number)
		}
	}
	return nil
}
