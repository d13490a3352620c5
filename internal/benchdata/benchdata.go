// Package benchdata writes the data sets that `make bench` times Dossier and the baseline tools on:
// a CD of DICOM files with a DICOMDIR, a CT series of 512x512 16-bit slices, a mixed case with a
// large BigTIFF slide, and a case of ten CDs. They are built from the project's fixture builders
// (internal/fixture/dcmfix, tifffix, docfix), with pixel data and slide tiles replaced by
// content that compresses like the real thing (noisy CT values; incompressible tile bytes, as JPEG
// tiles are), so that no contender gains from an unrealistically compressible fixture.
//
// The sets are written once into a cache folder outside the repository and reused: each is
// written into NAME.partial and renamed to NAME when complete, so an interrupted run starts
// that set again instead of using half of it.
package benchdata

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/fixture/tifffix"
)

// Version names the layout and content of the sets; it is part of the cache folder's name, so a
// change to the generator writes new sets instead of reusing old ones.
const Version = "2"

// Scale is the size of the sets.
type Scale struct {
	Name string
	// CDFiles is the number of DICOM files on the CD (128x128 CT slices, 300 a series).
	CDFiles int
	// CTSlices is the number of 512x512 16-bit slices of the CT series.
	CTSlices int
	// MixedBytes is the size of the mixed case: a CT series of CTSlices, a CD of MixedMR MR images
	// (256x256) with a DICOMDIR, MixedPDFs reports and a BigTIFF slide that makes up the rest.
	MixedBytes int64
	MixedMR    int
	MixedPDFs  int
	// Copies is the number of CDs of CDFiles in the large case.
	Copies int
}

// Full is the scale the README's figures are measured at.
var Full = Scale{Name: "full", CDFiles: 3000, CTSlices: 300, MixedBytes: 1 << 30, MixedMR: 400, MixedPDFs: 20, Copies: 10}

// Small is for checking the benchmark itself (BENCH_SCALE=small): every set, a few MB each.
var Small = Scale{Name: "small", CDFiles: 100, CTSlices: 20, MixedBytes: 50 << 20, MixedMR: 40, MixedPDFs: 5, Copies: 10}

// ScaleNamed returns the scale called name ("full" or "small").
func ScaleNamed(name string) (Scale, error) {
	switch name {
	case "", "full":
		return Full, nil
	case "small":
		return Small, nil
	}
	return Scale{}, fmt.Errorf("benchdata: unknown scale %q (full or small)", name)
}

// Sets are the paths of the written sets.
type Sets struct {
	CD    string // a folder holding DICOMDIR and DICOM/
	CT    string // a folder of CTSlices files
	Mixed string // the mixed case
	Large string // Copies CDs, cd01 ... cdNN
	// Bytes of each set, as written.
	CDBytes, CTBytes, MixedBytes, LargeBytes int64
	// Files of each set.
	CDFiles, CTFiles, MixedFiles, LargeFiles int
}

// DefaultRoot is where the sets are kept: $BENCH_DATA if set, else dossier-bench in the user's
// cache folder ($XDG_CACHE_HOME, or ~/.cache).
func DefaultRoot() (string, error) {
	if d := os.Getenv("BENCH_DATA"); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("benchdata: no cache folder (set BENCH_DATA): %w", err)
	}
	return filepath.Join(c, "dossier-bench"), nil
}

// Ensure writes whichever sets of scale s are missing under root and returns all of them. logf,
// if not nil, is told what is being written.
func Ensure(ctx context.Context, root string, s Scale, logf func(format string, a ...any)) (Sets, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	dir := filepath.Join(root, s.Name+"-v"+Version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Sets{}, err
	}
	sets := Sets{CD: filepath.Join(dir, "cd"), CT: filepath.Join(dir, "ct"), Mixed: filepath.Join(dir, "mixed"), Large: filepath.Join(dir, "large")}
	steps := []struct {
		path, what string
		write      func(ctx context.Context, dir string) error
	}{
		{sets.CD, fmt.Sprintf("a CD of %d DICOM files with a DICOMDIR", s.CDFiles), func(ctx context.Context, d string) error {
			return WriteCD(ctx, d, CDSpec{Files: s.CDFiles, Rows: 128, Cols: 128, Study: 1})
		}},
		{sets.CT, fmt.Sprintf("a CT series of %d 512x512 slices", s.CTSlices), func(ctx context.Context, d string) error {
			return WriteCT(ctx, d, s.CTSlices)
		}},
		{sets.Mixed, fmt.Sprintf("a mixed case of %d MB with a BigTIFF slide", s.MixedBytes>>20), func(ctx context.Context, d string) error {
			return WriteMixed(ctx, d, s)
		}},
		{sets.Large, fmt.Sprintf("%d CDs of %d files", s.Copies, s.CDFiles), func(ctx context.Context, d string) error {
			for i := 1; i <= s.Copies; i++ {
				if err := WriteCD(ctx, filepath.Join(d, fmt.Sprintf("cd%02d", i)), CDSpec{Files: s.CDFiles, Rows: 128, Cols: 128, Study: 100 + i}); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, st := range steps {
		if _, err := os.Stat(st.path); err == nil {
			continue
		}
		logf("writing %s into %s", st.what, st.path)
		partial := st.path + ".partial"
		if err := os.RemoveAll(partial); err != nil {
			return Sets{}, err
		}
		if err := st.write(ctx, partial); err != nil {
			os.RemoveAll(partial)
			return Sets{}, err
		}
		if err := os.Rename(partial, st.path); err != nil {
			return Sets{}, err
		}
	}
	var err error
	for _, c := range []struct {
		path  string
		bytes *int64
		files *int
	}{{sets.CD, &sets.CDBytes, &sets.CDFiles}, {sets.CT, &sets.CTBytes, &sets.CTFiles}, {sets.Mixed, &sets.MixedBytes, &sets.MixedFiles}, {sets.Large, &sets.LargeBytes, &sets.LargeFiles}} {
		if *c.files, *c.bytes, err = Count(c.path); err != nil {
			return Sets{}, err
		}
	}
	return sets, nil
}

// Count returns the number of regular files under dir and their total size.
func Count(dir string) (files int, bytes int64, err error) {
	err = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		files++
		bytes += fi.Size()
		return nil
	})
	return files, bytes, err
}

// patient is the one (made-up) patient of every set.
const (
	patientName = "BENCH^PATIENT^A"
	patientID   = "BENCH-0001"
	birthDate   = "19500101"
	uidRoot     = "1.2.826.0.1.3680043.10.1999.77"
)

// accession returns the accession number of study n: eight digits, like many hospitals' (and not
// a run of digits that also numbers the files, IM000003, which the leak scan would take for it).
func accession(n int) string { return fmt.Sprintf("A%08d", 71000000+977*n) }

// CDSpec describes a CD.
type CDSpec struct {
	Files      int
	Rows, Cols int
	// Modality is CT unless set.
	Modality string
	// Study numbers the CD's study, so that CDs of one case hold different studies.
	Study int
	// PerSeries is the number of images in a series (300 unless set).
	PerSeries int
}

// WriteCD writes a CD as hospitals burn them: DICOM/SEnnnnnn/IMnnnnnn files in series of
// PerSeries images, and a DICOMDIR at the top that lists them all.
func WriteCD(ctx context.Context, dir string, c CDSpec) error {
	mod := c.Modality
	if mod == "" {
		mod = "CT"
	}
	per := c.PerSeries
	if per <= 0 {
		per = 300
	}
	study := fmt.Sprintf("%s.%d", uidRoot, c.Study)
	rng := rand.New(rand.NewPCG(uint64(c.Study), 1))
	entries := make([]dcmfix.DirEntry, 0, c.Files)
	for i := range c.Files {
		if i%100 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		series := i / per
		spec := dcmfix.Spec{
			PatientName: patientName, PatientID: patientID, BirthDate: birthDate, Sex: "F",
			Accession: accession(c.Study), Institution: "Bench General Hospital",
			ReferringPhysician: "REFERRER^BENCH",
			StudyUID:           study, SeriesUID: fmt.Sprintf("%s.%d", study, series+1),
			SOPUID: fmt.Sprintf("%s.%d.%d", study, series+1, i+1), Modality: mod,
			StudyDate: fmt.Sprintf("2026%02d%02d", 1+c.Study%12, 1+c.Study%28), StudyDescription: "CT CHEST ABDOMEN PELVIS",
			SeriesDescription: fmt.Sprintf("AXIAL %d", series+1), SeriesNumber: series + 1, InstanceNumber: i%per + 1,
			Rows: c.Rows, Cols: c.Cols, Private: true,
		}
		rel := fmt.Sprintf("DICOM/SE%06d/IM%06d", series, i)
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(rel)), Instance(spec, rng)); err != nil {
			return err
		}
		entries = append(entries, dcmfix.DirEntry{
			Path: rel, PatientName: patientName, PatientID: patientID,
			StudyUID: spec.StudyUID, StudyDate: spec.StudyDate, StudyDescription: spec.StudyDescription, Accession: spec.Accession,
			SeriesUID: spec.SeriesUID, Modality: mod, SeriesNumber: spec.SeriesNumber,
			SOPUID: spec.SOPUID, SOPClassUID: dcmfix.SOPClassFor(mod), TransferSyntaxUID: dcmfix.UIDExplicitLE, InstanceNumber: spec.InstanceNumber,
		})
	}
	return writeFile(filepath.Join(dir, "DICOMDIR"), dcmfix.DICOMDIR(dir, entries))
}

// WriteCT writes a CT series of n 512x512 16-bit slices, IM000001 ..., into dir.
func WriteCT(ctx context.Context, dir string, n int) error {
	study := uidRoot + ".2"
	rng := rand.New(rand.NewPCG(2, 2))
	for i := 1; i <= n; i++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		spec := dcmfix.Spec{
			PatientName: patientName, PatientID: patientID, BirthDate: birthDate, Sex: "F", Accession: accession(2),
			Institution: "Bench General Hospital", ReferringPhysician: "REFERRER^BENCH",
			StudyUID: study, SeriesUID: study + ".1", SOPUID: fmt.Sprintf("%s.1.%d", study, i), Modality: "CT",
			StudyDate: "20260315", StudyDescription: "CT THORAX", SeriesDescription: "AXIAL 1MM",
			SeriesNumber: 1, InstanceNumber: i, Rows: 512, Cols: 512, Private: true,
		}
		if err := writeFile(filepath.Join(dir, fmt.Sprintf("IM%06d", i)), Instance(spec, rng)); err != nil {
			return err
		}
	}
	return nil
}

// WriteMixed writes the mixed case of s: ct/ (a CT series), cd/ (an MR CD with a DICOMDIR),
// reports/ (PDFs) and slides/big.svs, a BigTIFF Aperio slide that makes the case s.MixedBytes.
func WriteMixed(ctx context.Context, dir string, s Scale) error {
	if err := WriteCT(ctx, filepath.Join(dir, "ct"), s.CTSlices); err != nil {
		return err
	}
	if err := WriteCD(ctx, filepath.Join(dir, "cd"), CDSpec{Files: s.MixedMR, Rows: 256, Cols: 256, Modality: "MR", Study: 3, PerSeries: 100}); err != nil {
		return err
	}
	for i := 1; i <= s.MixedPDFs; i++ {
		pdf := docfix.PDF("TREATMENT SUMMARY", "Patient: Bench Patient A, born 01/01/1950", fmt.Sprintf("Cycle %d of chemotherapy given.", i))
		if err := writeFile(filepath.Join(dir, "reports", fmt.Sprintf("summary-%02d.pdf", i)), pdf); err != nil {
			return err
		}
	}
	_, used, err := Count(dir)
	if err != nil {
		return err
	}
	return WriteSlide(filepath.Join(dir, "slides", "big.svs"), s.MixedBytes-used)
}

// WriteSlide writes a BigTIFF Aperio slide of about size bytes (tifffix.LargeSVS) and fills its
// level-0 tiles with pseudo-random bytes, which compress no better than the JPEG tiles of a real
// slide.
func WriteSlide(path string, size int64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	total, err := tifffix.LargeSVS(path, size)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	first, err := firstTileOffset(f)
	if err != nil {
		return err
	}
	if first <= 0 || first >= total {
		return fmt.Errorf("benchdata: the slide's first tile at %d is outside the file (%d bytes)", first, total)
	}
	rng := rand.NewChaCha8([32]byte{'b', 'e', 'n', 'c', 'h'})
	if _, err := f.Seek(first, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.CopyN(f, rng, total-first); err != nil {
		return err
	}
	return f.Close()
}

// firstTileOffset reads, from a little-endian BigTIFF, the smallest offset in the first IFD's
// TileOffsets (tag 324, LONG8 values out of line).
func firstTileOffset(r io.ReaderAt) (int64, error) {
	var hdr [16]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return 0, err
	}
	if string(hdr[:4]) != "II+\x00" {
		return 0, fmt.Errorf("benchdata: the slide is not a little-endian BigTIFF")
	}
	le := binary.LittleEndian
	ifd := int64(le.Uint64(hdr[8:]))
	var n [8]byte
	if _, err := r.ReadAt(n[:], ifd); err != nil {
		return 0, err
	}
	for i := int64(0); i < int64(le.Uint64(n[:])); i++ {
		var e [20]byte
		if _, err := r.ReadAt(e[:], ifd+8+20*i); err != nil {
			return 0, err
		}
		if le.Uint16(e[:]) != 324 {
			continue
		}
		count, at := int64(le.Uint64(e[4:])), int64(le.Uint64(e[12:]))
		offs := make([]byte, 8*count)
		if _, err := r.ReadAt(offs, at); err != nil {
			return 0, err
		}
		first := int64(-1)
		for k := int64(0); k < count; k++ {
			if v := int64(le.Uint64(offs[8*k:])); first < 0 || v < first {
				first = v
			}
		}
		return first, nil
	}
	return 0, fmt.Errorf("benchdata: the slide's first IFD has no TileOffsets")
}

// Instance returns dcmfix.Instance(spec) with its 16-bit pixel data (the file's last element)
// replaced by a picture shaped like a CT slice: air outside a body-sized ellipse, and inside it
// soft tissue with a few denser structures and scanner noise. Real CT pixel data compresses
// losslessly to roughly half; the fixture's repeating ramp compresses to almost nothing.
func Instance(spec dcmfix.Spec, rng *rand.Rand) []byte {
	b := dcmfix.Instance(spec)
	rows, cols := spec.Rows, spec.Cols
	n := rows * cols * 2
	if rows == 0 || cols == 0 || n > len(b) {
		return b
	}
	pix := b[len(b)-n:]
	cy, cx := float64(rows)/2, float64(cols)/2
	ry, rx := float64(rows)*0.38, float64(cols)*0.45
	for y := range rows {
		for x := range cols {
			dy, dx := (float64(y)-cy)/ry, (float64(x)-cx)/rx
			d := dy*dy + dx*dx
			var v int
			switch {
			case d > 1: // air: -1000 HU, stored with a rescale intercept of -1024
				v = 24 + rng.IntN(8)
			case d > 0.85: // fat
				v = 924 + rng.IntN(48)
			case (x/(cols/8)+y/(rows/8))%5 == 0 && d < 0.3: // bone
				v = 1700 + rng.IntN(400)
			default: // soft tissue
				v = 1054 + rng.IntN(40)
			}
			binary.LittleEndian.PutUint16(pix[2*(y*cols+x):], uint16(v))
		}
	}
	return b
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// Describe returns one line per set: its path, files and size.
func (s Sets) Describe() string {
	var b strings.Builder
	for _, l := range []struct {
		what  string
		path  string
		files int
		bytes int64
	}{{"CD", s.CD, s.CDFiles, s.CDBytes}, {"CT", s.CT, s.CTFiles, s.CTBytes}, {"mixed case", s.Mixed, s.MixedFiles, s.MixedBytes}, {"large case", s.Large, s.LargeFiles, s.LargeBytes}} {
		fmt.Fprintf(&b, "  %-11s %6d files %8.1f MB  %s\n", l.what, l.files, float64(l.bytes)/1e6, l.path)
	}
	return b.String()
}
