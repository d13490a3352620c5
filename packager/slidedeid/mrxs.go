package slidedeid

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"dossier/packager/privacy"
	"dossier/packager/slide"
)

// MRXSName is the base name of a de-identified MIRAX slide in dstDir:
// DeidentifyMRXS writes MRXSName+".mrxs" and the folder MRXSName.
const MRXSName = "slide"

// MIRAX non-hierarchical layer values removed: the label (barcode) and the
// macro (slide thumbnail, which shows the label too).
var miraxRemove = map[string]string{
	"ScanDataLayer_SlideBarcode":   slide.KindLabel,
	"ScanDataLayer_SlideThumbnail": slide.KindMacro,
}

// miraxGeneralDrop matches the [GENERAL] keys of Slidedat.ini removed.
var miraxGeneralDrop = regexp.MustCompile(`(?i)name|barcode|patient|label|date|time|hardware_id|serial|profile|user|operator|comment|description`)

var nonhierKey = regexp.MustCompile(`^NONHIER_(\d+)_VAL_(\d+)(_.*)?$`)

const maxMRXSIni = 16 << 20

type iniLine struct {
	raw     string // without line end
	section string
	key     string // "" for headers, blanks and comments
	value   string
	header  bool
}

func parseIniLines(text string) []iniLine {
	var out []iniLine
	sec := ""
	for _, raw := range strings.Split(text, "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		l := iniLine{raw: raw}
		t := strings.TrimSpace(raw)
		switch {
		case strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]"):
			sec = strings.TrimSpace(t[1 : len(t)-1])
			l.header = true
		case t == "" || t[0] == ';' || t[0] == '#':
		default:
			if k, v, ok := strings.Cut(t, "="); ok {
				l.key, l.value = strings.TrimSpace(k), strings.TrimSpace(v)
			}
		}
		l.section = sec
		out = append(out, l)
	}
	return out
}

func iniGet(lines []iniLine, section, key string) (string, bool) {
	for _, l := range lines {
		if l.section == section && l.key == key {
			return l.value, true
		}
	}
	return "", false
}

func iniInt(lines []iniLine, section, key string) (int, error) {
	v, ok := iniGet(lines, section, key)
	if !ok {
		return 0, fmt.Errorf("slidedeid: %w: Slidedat.ini lacks %s", slide.ErrBadMetadata, key)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1<<16 {
		return 0, fmt.Errorf("slidedeid: %w: Slidedat.ini %s is not a count", slide.ErrBadMetadata, key)
	}
	return n, nil
}

// pseudoID returns a replacement for id of the same length and character
// classes (digits, lower- and upper-case hex or letters), derived from the
// secret, so re-exports of a pseudonymised case agree.
func pseudoID(id string, secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("dossier mirax slide id v1\x00"))
	m.Write([]byte(id))
	stream := m.Sum(nil)
	next := func(i int) byte {
		for i >= len(stream) {
			m.Reset()
			m.Write(stream[len(stream)-32:])
			stream = append(stream, m.Sum(nil)...)
		}
		return stream[i]
	}
	out := []byte(id)
	for i, c := range out {
		r := next(i)
		switch {
		case c >= '0' && c <= '9':
			out[i] = '0' + r%10
		case c >= 'a' && c <= 'f':
			out[i] = "0123456789abcdef"[r%16]
		case c >= 'A' && c <= 'F':
			out[i] = "0123456789ABCDEF"[r%16]
		case c >= 'a' && c <= 'z':
			out[i] = 'a' + r%26
		case c >= 'A' && c <= 'Z':
			out[i] = 'A' + r%26
		}
	}
	if bytes.Equal(out, []byte(id)) && len(out) > 0 {
		out[0] ^= 1 // never keep the original (e.g. an ID of punctuation)
	}
	return string(out)
}

type miraxRecord struct {
	layer, val int
	name       string
}

type dataLoc struct {
	file      int
	pos, size int64
}

func readInt32(r io.ReaderAt, off int64) (int64, error) {
	var b [4]byte
	if off < 0 {
		return 0, slide.ErrTruncated
	}
	if _, err := r.ReadAt(b[:], off); err != nil {
		return 0, fmt.Errorf("slidedeid: %w: index at %d", slide.ErrTruncated, off)
	}
	return int64(int32(binary.LittleEndian.Uint32(b[:]))), nil
}

// nonhierLocation reads where record's image lies (OpenSlide's layout of
// Index.dat: table of list heads, list head -> data page -> one record).
func nonhierLocation(idx io.ReaderAt, tableBase int64, record int) (dataLoc, error) {
	head, err := readInt32(idx, tableBase+4*int64(record))
	if err != nil {
		return dataLoc{}, err
	}
	if z, err := readInt32(idx, head); err != nil || z != 0 {
		return dataLoc{}, fmt.Errorf("slidedeid: %w: unexpected non-hierarchical list head", slide.ErrBadMetadata)
	}
	page, err := readInt32(idx, head+4)
	if err != nil {
		return dataLoc{}, err
	}
	if n, err := readInt32(idx, page); err != nil || n != 1 {
		return dataLoc{}, fmt.Errorf("slidedeid: %w: unexpected non-hierarchical page", slide.ErrBadMetadata)
	}
	var v [3]int64
	for i := range v {
		if v[i], err = readInt32(idx, page+16+4*int64(i)); err != nil {
			return dataLoc{}, err
		}
	}
	if v[0] < 0 || v[1] < 0 {
		return dataLoc{}, fmt.Errorf("slidedeid: %w: negative record position", slide.ErrBadMetadata)
	}
	return dataLoc{file: int(v[2]), pos: v[0], size: v[1]}, nil
}

// MRXSFile is one file of a de-identified MIRAX slide, as MRXSPlan.WriteFile
// writes it.
type MRXSFile struct {
	// Name is the file's name in the slide's folder, or "" for the .mrxs
	// file itself (which sits beside the folder).
	Name string
	// Source is the original file it is made from.
	Source string
	// Size is the size of the written file.
	Size int64

	plan *Plan  // patches over Source
	data []byte // or the whole content (Slidedat.ini, the .mrxs file)
}

// MRXSPlan is the planned de-identified copy of a MIRAX slide: its files
// and what is removed and scrubbed.
type MRXSPlan struct {
	*Plan
	Files []MRXSFile
}

// WriteFile writes Files[i] to dst, streaming the original through its
// patches. The original is never modified.
func (m *MRXSPlan) WriteFile(ctx context.Context, i int, dst io.Writer) error {
	f := m.Files[i]
	if f.plan == nil {
		_, err := dst.Write(f.data)
		return err
	}
	src, size, err := openSized(f.Source)
	if err != nil {
		return err
	}
	defer src.Close()
	if size != f.Size-int64(len(f.plan.Append)) {
		return fmt.Errorf("%w: mirax: a file of the slide changed since it was planned", ErrVerify)
	}
	return f.plan.Write(ctx, dst, src, size)
}

// PlanMRXS plans a de-identified copy of a 3DHISTECH MIRAX slide (srcMRXS
// is the .mrxs file beside its data folder) at p's level. The label and
// macro layers are removed (their image records zeroed, their pointers
// dropped from Index.dat's non-hierarchical table, their Slidedat.ini keys
// and sections deleted, the later ones renumbered); identifying [GENERAL]
// keys are deleted; SLIDE_ID is replaced by a value of the same length in
// Slidedat.ini, Index.dat and every Data*.dat header (OpenSlide requires
// them to agree). Only the files Slidedat.ini names are part of the copy;
// the .mrxs file is written empty (OpenSlide does not read it, and its
// content is not understood here). The planned Slidedat.ini and index
// header are read back as slide.ReadMRXS sees them, and refused
// (ErrVerify) if a label, macro or identifying key is left. At the
// identified level the files are planned as copies.
func PlanMRXS(ctx context.Context, srcMRXS string, p privacy.Params) (*MRXSPlan, error) {
	switch p.Level {
	case privacy.Identified, privacy.Pseudonymised, privacy.Anonymised:
	default:
		return nil, fmt.Errorf("slidedeid: %w", privacy.ErrUnknownLevel)
	}
	info, err := slide.DetectMRXS(srcMRXS)
	if err != nil {
		return nil, fmt.Errorf("slidedeid: %w", err)
	}
	srcDir := strings.TrimSuffix(srcMRXS, filepath.Ext(srcMRXS))
	iniPath := filepath.Join(srcDir, "Slidedat.ini")
	if ip, ok := slide.FindFold(srcDir, "Slidedat.ini"); ok {
		iniPath = ip
	}
	raw, err := readSmall(iniPath, maxMRXSIni)
	if err != nil {
		return nil, err
	}
	bom := strings.HasPrefix(raw, "\ufeff")
	raw = strings.TrimPrefix(raw, "\ufeff")
	lines := parseIniLines(raw)
	oldID, _ := iniGet(lines, "GENERAL", "SLIDE_ID")
	idxName, _ := iniGet(lines, "HIERARCHICAL", "INDEXFILE")
	nFiles, err := iniInt(lines, "DATAFILE", "FILE_COUNT")
	if err != nil {
		return nil, fmt.Errorf("%w (mirax)", err)
	}
	var dataNames []string
	seen := map[string]bool{strings.ToLower(idxName): true, "slidedat.ini": true}
	for i := 0; i < nFiles; i++ {
		n, ok := iniGet(lines, "DATAFILE", "FILE_"+strconv.Itoa(i))
		if !ok || n == "" || strings.ContainsAny(n, `/\`) || n == "." || n == ".." || seen[strings.ToLower(n)] {
			return nil, fmt.Errorf("slidedeid: mirax: %w: data file %d missing, repeated or invalid", slide.ErrBadMetadata, i)
		}
		seen[strings.ToLower(n)] = true
		dataNames = append(dataNames, n)
	}
	if idxName == "" || strings.ContainsAny(idxName, `/\`) || idxName == "." || idxName == ".." {
		return nil, fmt.Errorf("slidedeid: mirax: %w: invalid INDEXFILE", slide.ErrBadMetadata)
	}

	// Records of the non-hierarchical table, in OpenSlide's order.
	var records []miraxRecord
	nLayers, err := iniInt(lines, "HIERARCHICAL", "NONHIER_COUNT")
	if err != nil {
		nLayers = 0
	}
	for x := 0; x < nLayers; x++ {
		n, err := iniInt(lines, "HIERARCHICAL", fmt.Sprintf("NONHIER_%d_COUNT", x))
		if err != nil {
			return nil, fmt.Errorf("%w (mirax)", err)
		}
		for y := 0; y < n; y++ {
			v, _ := iniGet(lines, "HIERARCHICAL", fmt.Sprintf("NONHIER_%d_VAL_%d", x, y))
			records = append(records, miraxRecord{x, y, v})
		}
	}

	pl := &Plan{Vendor: slide.VendorMirax}
	out := &MRXSPlan{Plan: pl}
	identified := p.Level == privacy.Identified
	newID := oldID
	var removeRec []int
	removed := map[[2]int]bool{}
	if !identified {
		newID = pseudoID(oldID, p.Secret)
		pl.Scrubbed = append(pl.Scrubbed, "mirax.SLIDE_ID")
		for r, rec := range records {
			if kind, ok := miraxRemove[rec.name]; ok {
				removeRec = append(removeRec, r)
				removed[[2]int{rec.layer, rec.val}] = true
				pl.Removed = append(pl.Removed, kind)
			}
		}
	}

	// Index.dat: new SLIDE_ID; table entries of removed records dropped.
	idxPath, ok := slide.FindFold(srcDir, idxName)
	if !ok {
		return nil, fmt.Errorf("slidedeid: mirax: %w: index file missing", slide.ErrTruncated)
	}
	idx, idxSize, err := openSized(idxPath)
	if err != nil {
		return nil, err
	}
	defer idx.Close()
	hdrLen := int64(5 + len(oldID))
	zeroBy := map[int][]span{}
	idxPlan := &Plan{}
	if !identified {
		idxPlan.Patches = append(idxPlan.Patches, Patch{Offset: 5, Data: []byte(newID)})
		if len(removeRec) > 0 {
			tableBase, err := readInt32(idx, hdrLen+4)
			if err != nil {
				return nil, fmt.Errorf("%w: mirax index: %w", ErrUnsupported, err)
			}
			if tableBase < hdrLen+8 || tableBase+4*int64(len(records)) > idxSize {
				return nil, fmt.Errorf("%w: mirax index: non-hierarchical table outside the index file", ErrUnsupported)
			}
			gone := map[int]bool{}
			for _, r := range removeRec {
				gone[r] = true
				loc, err := nonhierLocation(idx, tableBase, r)
				if err != nil {
					return nil, fmt.Errorf("%w: mirax index: %w", ErrUnsupported, err)
				}
				if loc.file < 0 || loc.file >= len(dataNames) {
					return nil, fmt.Errorf("%w: mirax index: record refers to data file %d", ErrUnsupported, loc.file)
				}
				zeroBy[loc.file] = append(zeroBy[loc.file], span{loc.pos, loc.pos + loc.size})
			}
			table := make([]byte, 4*len(records))
			if _, err := idx.ReadAt(table, tableBase); err != nil {
				return nil, fmt.Errorf("slidedeid: mirax index: %w", slide.ErrTruncated)
			}
			nt := make([]byte, 0, len(table))
			for r := range records {
				if !gone[r] {
					nt = append(nt, table[4*r:4*r+4]...)
				}
			}
			nt = append(nt, make([]byte, len(table)-len(nt))...)
			idxPlan.Patches = append(idxPlan.Patches, Patch{Offset: tableBase, Data: nt})
		}
		if err := idxPlan.check(idxSize); err != nil {
			return nil, err
		}
	}
	idxHead := make([]byte, min(hdrLen, idxSize))
	if _, err := idx.ReadAt(idxHead, 0); err != nil {
		return nil, fmt.Errorf("slidedeid: mirax index: %w", slide.ErrTruncated)
	}
	if !identified {
		copy(idxHead[5:], newID)
	}
	out.Files = append(out.Files, MRXSFile{Name: idxName, Source: idxPath, Size: idxSize, plan: idxPlan})

	// Data files: new SLIDE_ID in the header, removed records zeroed.
	for i, name := range dataNames {
		dp, ok := slide.FindFold(srcDir, name)
		if !ok {
			return nil, fmt.Errorf("slidedeid: mirax: %w: data file %d missing", slide.ErrTruncated, i)
		}
		df, dsize, err := openSized(dp)
		if err != nil {
			return nil, err
		}
		dplan := &Plan{}
		if !identified {
			head := make([]byte, hdrLen)
			if _, err := df.ReadAt(head, 0); err != nil || string(head) != "01.02"+oldID {
				df.Close()
				return nil, fmt.Errorf("%w: mirax data file %d: header does not carry SLIDE_ID", ErrUnsupported, i)
			}
			for _, z := range zeroBy[i] {
				if z.end > dsize {
					df.Close()
					return nil, fmt.Errorf("slidedeid: mirax data file %d: %w: record past end of file", i, slide.ErrTruncated)
				}
			}
			ps, err := normalise([]Patch{{Offset: 5, Data: []byte(newID)}}, zeroBy[i], []span{{0, hdrLen}}, dsize)
			if err != nil {
				df.Close()
				return nil, err
			}
			dplan.Patches = ps
		}
		df.Close()
		out.Files = append(out.Files, MRXSFile{Name: name, Source: dp, Size: dsize, plan: dplan})
	}

	// Slidedat.ini.
	text := raw
	if !identified {
		text, err = scrubSlidedat(lines, newID, removed, records, pl)
		if err != nil {
			return nil, err
		}
	}
	if bom {
		text = "\ufeff" + text
	}
	out.Files = append(out.Files, MRXSFile{Name: "Slidedat.ini", Source: iniPath, Size: int64(len(text)), data: []byte(text)})
	// The .mrxs file itself: OpenSlide does not read it; de-identified
	// copies get an empty one.
	mb := ""
	if identified {
		if mb, err = readSmall(srcMRXS, 1<<20); err != nil {
			return nil, err
		}
	}
	out.Files = append(out.Files, MRXSFile{Source: srcMRXS, Size: int64(len(mb)), data: []byte(mb)})
	if !identified {
		if err := checkMRXSOutput(info, text, idxName, idxHead, oldID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkMRXSOutput reads the planned Slidedat.ini and index header back as
// slide.ReadMRXS sees them: no label or macro, no identifying key but the
// replaced SLIDE_ID, as many levels as the original.
func checkMRXSOutput(orig *slide.Info, slidedat, idxName string, idxHead []byte, oldID string) error {
	oi, err := slide.ReadMRXS(strings.NewReader(slidedat), func(name string) (io.ReadCloser, error) {
		if !strings.EqualFold(name, idxName) {
			return nil, fmt.Errorf("%w: mirax output: the index file was renamed", ErrVerify)
		}
		return io.NopCloser(bytes.NewReader(idxHead)), nil
	})
	if errors.Is(err, ErrVerify) {
		return err // the index file was renamed: said once
	}
	if err != nil {
		return fmt.Errorf("%w: mirax output: %w", ErrVerify, err)
	}
	if oi.Label || oi.Macro {
		return fmt.Errorf("%w: mirax output still has a label or macro", ErrVerify)
	}
	for _, k := range oi.IdentifyingMetadata {
		if k != "mirax.SLIDE_ID" {
			return fmt.Errorf("%w: mirax output keeps %s", ErrVerify, k)
		}
	}
	for _, f := range oi.Identity {
		if f.Key == "mirax.SLIDE_ID" && f.Value == oldID {
			return fmt.Errorf("%w: mirax output keeps the SLIDE_ID", ErrVerify)
		}
	}
	if len(oi.LevelSizes) != len(orig.LevelSizes) {
		return fmt.Errorf("%w: mirax output has %d levels, original %d", ErrVerify, len(oi.LevelSizes), len(orig.LevelSizes))
	}
	return nil
}

// DeidentifyMRXS writes a de-identified copy of a 3DHISTECH MIRAX slide
// (see PlanMRXS) into dstDir as MRXSName+".mrxs" and the folder MRXSName,
// never modifying the original. Files are written under a temporary folder
// in dstDir and moved into place only after the output passes
// slide.DetectMRXS as well. At the identified level the files Slidedat.ini
// names are copied unchanged.
func DeidentifyMRXS(ctx context.Context, srcMRXS, dstDir string, p privacy.Params) (plan *Plan, err error) {
	mp, err := PlanMRXS(ctx, srcMRXS, p)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(dstDir, ".slidedeid-*")
	if err != nil {
		return nil, fmt.Errorf("slidedeid: %w", err)
	}
	defer os.RemoveAll(tmp)
	outDir := filepath.Join(tmp, MRXSName)
	if err := os.Mkdir(outDir, 0o700); err != nil {
		return nil, fmt.Errorf("slidedeid: %w", err)
	}
	outMRXS := filepath.Join(tmp, MRXSName+".mrxs")
	for i, f := range mp.Files {
		path := outMRXS
		if f.Name != "" {
			path = filepath.Join(outDir, f.Name)
		}
		if err := writeMRXSFile(ctx, path, mp, i); err != nil {
			return nil, err
		}
	}
	// Check the output on disk as a MIRAX slide before moving it into place.
	oi, err := slide.DetectMRXS(outMRXS)
	if err != nil {
		return nil, fmt.Errorf("%w: mirax output: %w", ErrVerify, err)
	}
	if p.Level != privacy.Identified && (oi.Label || oi.Macro || len(oi.IdentifyingMetadata) > 1) {
		return nil, fmt.Errorf("%w: mirax output on disk still has a label, macro or identifying key", ErrVerify)
	}
	finalDir, finalMRXS := filepath.Join(dstDir, MRXSName), filepath.Join(dstDir, MRXSName+".mrxs")
	for _, f := range []string{finalDir, finalMRXS} {
		if _, err := os.Lstat(f); err == nil {
			return nil, fmt.Errorf("slidedeid: mirax output %s: %w", filepath.Base(f), os.ErrExist)
		}
	}
	if err := os.Rename(outDir, finalDir); err != nil {
		return nil, fmt.Errorf("slidedeid: %w", err)
	}
	if err := os.Rename(outMRXS, finalMRXS); err != nil {
		os.RemoveAll(finalDir)
		return nil, fmt.Errorf("slidedeid: %w", err)
	}
	return mp.Plan, nil
}

func writeMRXSFile(ctx context.Context, path string, mp *MRXSPlan, i int) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("slidedeid: %w", err)
	}
	if err := mp.WriteFile(ctx, i, out); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("slidedeid: %w", err)
	}
	return nil
}

// scrubSlidedat rewrites Slidedat.ini: new SLIDE_ID, identifying [GENERAL]
// keys deleted, removed non-hierarchical values deleted with their sections
// and the later values renumbered. CRLF line ends are written.
func scrubSlidedat(lines []iniLine, newID string, removed map[[2]int]bool, records []miraxRecord, pl *Plan) (string, error) {
	newIdx := map[[2]int]int{}
	counts := map[int]int{}
	dropSections := map[string]bool{}
	for _, rec := range records {
		k := [2]int{rec.layer, rec.val}
		if removed[k] {
			if sec, ok := iniGet(lines, "HIERARCHICAL", fmt.Sprintf("NONHIER_%d_VAL_%d_SECTION", rec.layer, rec.val)); ok {
				dropSections[sec] = true
			}
			continue
		}
		newIdx[k] = counts[rec.layer]
		counts[rec.layer]++
	}
	var out []string
	dropping := false
	for _, l := range lines {
		if l.header {
			dropping = dropSections[l.section] || l.section == ""
			if dropping {
				continue
			}
			out = append(out, l.raw)
			continue
		}
		if dropping {
			continue
		}
		switch {
		case l.section == "GENERAL" && l.key == "SLIDE_ID":
			out = append(out, "SLIDE_ID = "+newID)
			continue
		case l.section == "GENERAL" && l.key != "" && miraxGeneralDrop.MatchString(l.key):
			pl.Scrubbed = append(pl.Scrubbed, "mirax."+l.key)
			continue
		case l.section == "HIERARCHICAL" && l.key != "":
			if m := nonhierKey.FindStringSubmatch(l.key); m != nil {
				x, _ := strconv.Atoi(m[1])
				y, _ := strconv.Atoi(m[2])
				k := [2]int{x, y}
				if removed[k] {
					continue
				}
				if ny, ok := newIdx[k]; ok && ny != y {
					out = append(out, fmt.Sprintf("NONHIER_%d_VAL_%d%s = %s", x, ny, m[3], l.value))
					continue
				}
			}
			var x int
			if n, _ := fmt.Sscanf(l.key, "NONHIER_%d_COUNT", &x); n == 1 && l.key == fmt.Sprintf("NONHIER_%d_COUNT", x) {
				out = append(out, fmt.Sprintf("NONHIER_%d_COUNT = %d", x, counts[x]))
				continue
			}
		}
		if l.section == "" && strings.TrimSpace(l.raw) != "" {
			return "", fmt.Errorf("slidedeid: mirax: %w: Slidedat.ini has text before its first section", slide.ErrBadMetadata)
		}
		out = append(out, l.raw)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\r\n") + "\r\n", nil
}

func readSmall(path string, limit int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("slidedeid: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", fmt.Errorf("slidedeid: %w", err)
	}
	if int64(len(b)) > limit {
		return "", fmt.Errorf("slidedeid: %w: file larger than %d bytes", slide.ErrBadMetadata, limit)
	}
	return string(b), nil
}

func openSized(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("slidedeid: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("slidedeid: %w", err)
	}
	return f, st.Size(), nil
}
