package slide

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// maxSlidedatBytes bounds the size of a Slidedat.ini that is read.
const maxSlidedatBytes = 16 << 20

// MIRAX non-hierarchical layer values naming associated images.
const (
	miraxLabel     = "ScanDataLayer_SlideBarcode"
	miraxMacro     = "ScanDataLayer_SlideThumbnail"
	miraxThumbnail = "ScanDataLayer_SlidePreview"
)

// miraxIdentifying lists the [GENERAL] keys of Slidedat.ini that may
// identify; the ones marked ident name the slide or specimen.
var miraxIdentifying = []struct {
	key   string
	ident bool
}{
	{"SLIDE_NAME", true},
	{"PROJECT_NAME", true},
	{"SLIDE_ID", true},
	{"SLIDE_CREATIONDATETIME", false},
	{"SLIDE_UTC_CREATIONDATETIME", false},
	{"SCANNER_HARDWARE_ID", false},
}

// miraxDir returns the data folder of a .mrxs path (the path without its
// extension), or "" when the path has no extension.
func miraxDir(path string) string {
	ext := filepath.Ext(path)
	if ext == "" {
		return ""
	}
	return strings.TrimSuffix(path, ext)
}

// FindFold returns the path of name in dir, matching case-insensitively
// (CDs often carry upper-case names).
func FindFold(dir, name string) (string, bool) {
	p := filepath.Join(dir, name)
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
		return p, true
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	for _, e := range ents {
		if strings.EqualFold(e.Name(), name) && e.Type().IsRegular() {
			return filepath.Join(dir, e.Name()), true
		}
	}
	return "", false
}

// LooksLikeMRXS reports whether path has a sibling folder of the same base
// name (the path without its extension) that contains Slidedat.ini.
func LooksLikeMRXS(path string) bool {
	dir := miraxDir(path)
	if dir == "" {
		return false
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return false
	}
	_, ok := FindFold(dir, "Slidedat.ini")
	return ok
}

// iniFile is a parsed Slidedat.ini: section -> key -> value.
type iniFile map[string]map[string]string

func parseINI(r io.Reader) (iniFile, error) {
	ini := iniFile{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxSlidedatBytes)
	sec := ""
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			line = strings.TrimPrefix(line, "\ufeff")
			first = false
		}
		line = strings.TrimSpace(line)
		if line == "" || line[0] == ';' || line[0] == '#' {
			continue
		}
		if line[0] == '[' && strings.HasSuffix(line, "]") {
			sec = strings.TrimSpace(line[1 : len(line)-1])
			if ini[sec] == nil {
				ini[sec] = map[string]string{}
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if ini[sec] == nil {
			ini[sec] = map[string]string{}
		}
		ini[sec][strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: Slidedat.ini: line too long or unreadable", ErrBadMetadata)
	}
	return ini, nil
}

func iniInt(m map[string]string, key string) (int64, bool) {
	v, ok := m[key]
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || i < 0 {
		return 0, false
	}
	return i, true
}

// DetectMRXS reads a 3DHISTECH MIRAX slide: path is the .mrxs file, whose
// sibling folder (same base name) holds Slidedat.ini, Index.dat and the
// Data*.dat files. Level sizes are estimated from Slidedat.ini (tile grid
// times camera image size, halved per level); OpenSlide's exact sizes also
// depend on tile overlaps recorded in the data files. Info.Files lists the
// .mrxs file and every file of the folder.
func DetectMRXS(path string) (*Info, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("slide: mirax: %w", err)
	}
	dir := miraxDir(abs)
	if dir == "" {
		return nil, fmt.Errorf("%w: mirax: file has no extension", ErrNotSlide)
	}
	iniPath, ok := FindFold(dir, "Slidedat.ini")
	if !ok {
		return nil, fmt.Errorf("%w: mirax: no Slidedat.ini in sibling folder", ErrNotSlide)
	}
	fh, err := os.Open(iniPath)
	if err != nil {
		return nil, fmt.Errorf("slide: mirax: Slidedat.ini: %w", err)
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.Size() > maxSlidedatBytes {
		return nil, fmt.Errorf("%w: mirax: Slidedat.ini is %d bytes", ErrBadMetadata, st.Size())
	}
	info, err := ReadMRXS(fh, func(name string) (io.ReadCloser, error) {
		p, ok := FindFold(dir, name)
		if !ok {
			return nil, fmt.Errorf("%w: mirax: index file missing", ErrTruncated)
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("slide: mirax: index file: %w", err)
		}
		return f, nil
	})
	if err != nil {
		return nil, err
	}
	info.Files = []string{abs}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("slide: mirax: listing folder: %w", err)
	}
	var files []string
	for _, e := range ents {
		if e.Type().IsRegular() {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	info.Files = append(info.Files, files...)
	return info, nil
}

// ReadMRXS reads what DetectMRXS reads, from a MIRAX slide's Slidedat.ini
// and its index file, which openIndex opens by the name Slidedat.ini gives
// (only the index file's header is read). Info.Files is left empty. It
// serves to check a de-identified slide's metadata before it is written.
// An error of openIndex is the caller's and is returned as it is.
func ReadMRXS(slidedat io.Reader, openIndex func(name string) (io.ReadCloser, error)) (*Info, error) {
	ini, err := parseINI(io.LimitReader(slidedat, maxSlidedatBytes))
	if err != nil {
		return nil, fmt.Errorf("%w (mirax)", err)
	}
	gen := ini["GENERAL"]
	hier := ini["HIERARCHICAL"]
	if gen == nil || hier == nil {
		return nil, fmt.Errorf("%w: mirax: Slidedat.ini lacks [GENERAL] or [HIERARCHICAL]", ErrBadMetadata)
	}
	slideID := gen["SLIDE_ID"]
	if slideID == "" {
		return nil, fmt.Errorf("%w: mirax: no SLIDE_ID", ErrBadMetadata)
	}
	// OpenSlide requires Index.dat to start with "01.02" and the SLIDE_ID.
	idxName := hier["INDEXFILE"]
	if idxName == "" || strings.ContainsAny(idxName, `/\`) {
		return nil, fmt.Errorf("%w: mirax: missing or invalid INDEXFILE", ErrBadMetadata)
	}
	idx, err := openIndex(idxName)
	if err != nil {
		return nil, err
	}
	err = checkMiraxHeader(idx, slideID)
	idx.Close()
	if err != nil {
		return nil, fmt.Errorf("%w (mirax: index file)", err)
	}

	b := newBuilder(VendorMirax, ContainerMRXS)
	for _, m := range miraxIdentifying {
		if v, ok := gen[m.key]; ok && v != "" {
			b.flag("mirax." + m.key)
			if m.ident {
				b.ident("mirax."+m.key, v)
			}
		}
	}
	for k, v := range gen {
		if strings.EqualFold(k, "ProfileName") && v != "" {
			b.flag("mirax." + k)
		}
	}

	// Levels: the hierarchical layer named "Slide zoom level".
	nh, _ := iniInt(hier, "HIER_COUNT")
	for i := int64(0); i < nh && i < 1024; i++ {
		p := "HIER_" + strconv.FormatInt(i, 10)
		if hier[p+"_NAME"] != "Slide zoom level" {
			continue
		}
		n, _ := iniInt(hier, p+"_COUNT")
		if n > 64 {
			return nil, fmt.Errorf("%w: mirax: %d zoom levels", ErrBadMetadata, n)
		}
		ix, _ := iniInt(gen, "IMAGENUMBER_X")
		iy, _ := iniInt(gen, "IMAGENUMBER_Y")
		var tw, th int64
		if sec := ini[hier[p+"_VAL_0_SECTION"]]; sec != nil {
			tw, _ = iniInt(sec, "DIGITIZER_WIDTH")
			th, _ = iniInt(sec, "DIGITIZER_HEIGHT")
		}
		if ix > 1<<20 || iy > 1<<20 || tw > 1<<20 || th > 1<<20 {
			return nil, fmt.Errorf("%w: mirax: implausible image grid", ErrBadMetadata)
		}
		w, h := ix*tw, iy*th
		for l := int64(0); l < n; l++ {
			b.image(-1, KindLevel, w>>l, h>>l)
		}
		break
	}
	if len(b.info.LevelSizes) == 0 {
		return nil, fmt.Errorf("%w: mirax: no zoom levels", ErrBadMetadata)
	}
	// Associated images: the non-hierarchical layer values.
	nn, _ := iniInt(hier, "NONHIER_COUNT")
	for i := int64(0); i < nn && i < 1024; i++ {
		p := "NONHIER_" + strconv.FormatInt(i, 10)
		c, _ := iniInt(hier, p+"_COUNT")
		for j := int64(0); j < c && j < 1024; j++ {
			switch hier[p+"_VAL_"+strconv.FormatInt(j, 10)] {
			case miraxLabel:
				b.image(-1, KindLabel, 0, 0)
			case miraxMacro:
				b.image(-1, KindMacro, 0, 0)
			case miraxThumbnail:
				b.image(-1, KindThumbnail, 0, 0)
			}
		}
	}
	return b.finish(), nil
}

func checkMiraxHeader(fh io.Reader, slideID string) error {
	want := "01.02" + slideID
	buf := make([]byte, len(want))
	if _, err := io.ReadFull(fh, buf); err != nil {
		return fmt.Errorf("%w: header shorter than version and SLIDE_ID", ErrTruncated)
	}
	if !bytes.Equal(buf, []byte(want)) {
		return fmt.Errorf("%w: header does not match version 01.02 and SLIDE_ID", ErrBadMetadata)
	}
	return nil
}
