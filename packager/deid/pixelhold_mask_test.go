package deid

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
)

// maskedFile is one image written by maskCases.
type maskedFile struct {
	name, path string // the case's name and the written file
	p          dcmfix.Pixels
	b          []byte // the written file
	h          *dicomx.Header
}

// maskCases writes each case (a burned-in image in a compressed transfer syntax Dossier decodes)
// into a case folder, checks that the plan holds it for review as any burned-in image (not as
// undecodable), plans it again with box drawn and confirmed on every file, writes the tree, and
// checks that every file was written native. It returns the written files.
func maskCases(t *testing.T, cases map[string]dcmfix.Pixels, box pixelmask.Box) []maskedFile {
	t.Helper()
	dir := t.TempDir()
	red, include := map[string]*Redactions{}, map[string]bool{}
	for name, p := range cases {
		if ts := p.FileOptions().TransferSyntaxUID; !Decodable(ts) || Compression(ts, p.BitsAllocated) == "" {
			t.Errorf("%s: transfer syntax %s not decodable", name, ts)
		}
		path := write(t, dir, name, dcmfix.PixelInstance(p))
		red[path] = &Redactions{Pixels: []pixelmask.Box{box}, Confirmed: true}
		include[path] = true
	}
	inv := scanCase(t, dir)
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name := range cases {
		if d := decision(t, ds, name); d.Action != Review || d.Undecodable != "" || strings.Contains(d.Reason.String(), "decode") {
			t.Errorf("%s: %s %q (undecodable %q), want held for review as any burned-in image", name, d.Action, d.Reason, d.Undecodable)
		}
	}
	ds, err = Plan(context.Background(), inv, privacy.Pseudonymised, Options{Redactions: red, Include: include})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, privacy.Params{Level: privacy.Anonymised, Secret: make([]byte, privacy.SecretSize)}, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != len(cases) {
		t.Fatalf("written %+v", res.Written)
	}
	var files []maskedFile
	for _, w := range res.Written {
		m := maskedFile{name: filepath.Base(w.Path), path: filepath.Join(out, filepath.FromSlash(w.Name))}
		m.p = cases[m.name]
		if m.b, err = os.ReadFile(m.path); err != nil {
			t.Fatal(err)
		}
		if m.h, err = dicomx.ReadHeader(context.Background(), bytes.NewReader(m.b), int64(len(m.b))); err != nil {
			t.Fatal(err)
		}
		if m.h.TransferSyntaxUID != dicomwire.ExplicitVRLittleEndianUID || m.h.PixelData.Encapsulated {
			t.Errorf("%s: written as %s", m.name, m.h.TransferSyntaxUID)
		}
		files = append(files, m)
	}
	return files
}

// checkMasked checks every frame of a written file: each sample in box is 0, each other sample
// within tol of frame f's samples in want(f) (native, little endian, interleaved).
func checkMasked(t *testing.T, m maskedFile, box pixelmask.Box, want func(f int) []byte, tol int) {
	t.Helper()
	p := m.p
	spp := 1
	if p.Photometric == "RGB" {
		spp = 3
	}
	bps := max(p.BitsAllocated, 8) / 8
	n := p.Rows * p.Cols * spp * bps
	for f := 0; f < max(p.Frames, 1); f++ {
		w := want(f)
		got := m.b[m.h.PixelData.Offset+int64(f*n):]
		for i := 0; i < n; i += bps {
			x, y := i/bps/spp%p.Cols, i/bps/spp/p.Cols
			g, v := int(got[i]), int(w[i])
			if bps == 2 {
				g, v = int(binary.LittleEndian.Uint16(got[i:])), int(binary.LittleEndian.Uint16(w[i:]))
			}
			inBox := x >= box.X && x < box.X+box.Width && y >= box.Y && y < box.Y+box.Height
			switch {
			case inBox && g != 0:
				t.Fatalf("%s frame %d (%d,%d) = %d in the box", m.name, f+1, x, y, g)
			case !inBox && (g-v > tol || v-g > tol):
				t.Fatalf("%s frame %d (%d,%d) = %d, coded %d", m.name, f+1, x, y, g, v)
			}
		}
	}
}

// nativeFrame returns frame f of p's native samples.
func nativeFrame(p dcmfix.Pixels, f int) []byte {
	spp := 1
	if p.Photometric == "RGB" {
		spp = 3
	}
	n := p.Rows * p.Cols * spp * (max(p.BitsAllocated, 8) / 8)
	return p.Native()[f*n : (f+1)*n]
}
