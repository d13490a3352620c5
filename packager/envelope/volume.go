package envelope

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MaxVolumes is the most volumes one bundle may be split into: three-digit
// suffixes keep "cat NAME.age.*" in order.
const MaxVolumes = 999

// Creator creates an output file by its final base name. *AtomicFiles is
// the Creator Dossier uses; any other (a plain directory in tests) works.
type Creator interface {
	Create(name string) (io.WriteCloser, error)
}

// VolumeWriter splits the byte stream written to it into volumes of at most
// Size bytes: "NAME.age.001", "NAME.age.002", ... (cat joins them back), or
// one file "NAME.age" when Size is 0. A volume is created only when there is
// a byte to put in it, so a stream of an exact multiple of Size has no empty
// last volume; an empty stream still gives one (empty) volume.
type VolumeWriter struct {
	out     Creator
	base    string
	size    int64
	cur     io.WriteCloser
	curLen  int64
	names   []string
	sizes   []int64
	written int64
	err     error
	closed  bool
}

// NewVolumeWriter returns a VolumeWriter that creates its files through out.
// base is the bundle's final file name ("NAME.age", no directory); size is
// the largest volume in bytes, or 0 for no split.
func NewVolumeWriter(out Creator, base string, size int64) (*VolumeWriter, error) {
	if size < 0 {
		return nil, fmt.Errorf("envelope: negative volume size %d", size)
	}
	if base == "" || strings.ContainsAny(base, `/\`) {
		return nil, fmt.Errorf("envelope: bundle name %q must be a plain file name", base)
	}
	return &VolumeWriter{out: out, base: base, size: size}, nil
}

// VolumeName returns the name of volume i (1-based) of base.
func VolumeName(base string, i int) string {
	return fmt.Sprintf("%s.%03d", base, i)
}

func (v *VolumeWriter) next() error {
	if v.cur != nil {
		if err := v.cur.Close(); err != nil {
			return fmt.Errorf("envelope: closing volume %d: %w", len(v.names), err)
		}
		v.cur = nil
	}
	name := v.base
	if v.size > 0 {
		if len(v.names) >= MaxVolumes {
			return fmt.Errorf("envelope: the bundle would need more than %d volumes; choose a larger volume size", MaxVolumes)
		}
		name = VolumeName(v.base, len(v.names)+1)
	}
	w, err := v.out.Create(name)
	if err != nil {
		return err
	}
	v.cur, v.curLen = w, 0
	v.names = append(v.names, name)
	v.sizes = append(v.sizes, 0)
	return nil
}

// Write writes p across as many volumes as needed.
func (v *VolumeWriter) Write(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	if v.closed {
		return 0, errors.New("envelope: write to a closed VolumeWriter")
	}
	n := 0
	for len(p) > 0 {
		if v.cur == nil || (v.size > 0 && v.curLen >= v.size) {
			if err := v.next(); err != nil {
				v.err = err
				return n, err
			}
		}
		chunk := p
		if v.size > 0 && int64(len(chunk)) > v.size-v.curLen {
			chunk = chunk[:v.size-v.curLen]
		}
		m, err := v.cur.Write(chunk)
		n += m
		v.curLen += int64(m)
		v.sizes[len(v.sizes)-1] += int64(m)
		v.written += int64(m)
		if err != nil {
			v.err = err
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}

// Close closes the last volume (creating one if nothing was written).
func (v *VolumeWriter) Close() error {
	if v.closed {
		return v.err
	}
	v.closed = true
	if v.err != nil {
		if v.cur != nil {
			v.cur.Close()
		}
		return v.err
	}
	if v.cur == nil {
		if err := v.next(); err != nil {
			v.err = err
			return err
		}
	}
	if err := v.cur.Close(); err != nil {
		v.err = fmt.Errorf("envelope: closing volume %d: %w", len(v.names), err)
		return v.err
	}
	v.cur = nil
	return nil
}

// Names returns the final names of the volumes written so far, in order.
func (v *VolumeWriter) Names() []string { return append([]string(nil), v.names...) }

// Sizes returns the byte sizes of the volumes written so far, in order.
func (v *VolumeWriter) Sizes() []int64 { return append([]int64(nil), v.sizes...) }

// Volumes returns how many numbered volumes were written, or 0 when the
// bundle is one unsplit file (Size 0); HowToOpen takes this number.
func (v *VolumeWriter) Volumes() int {
	if v.size == 0 {
		return 0
	}
	return len(v.names)
}

// Written returns the total bytes written.
func (v *VolumeWriter) Written() int64 { return v.written }

var volumeSuffix = regexp.MustCompile(`^(.+)\.([0-9]{3,4})$`)

// OpenVolumes opens a bundle for reading as one stream. path may be a single
// file ("NAME.age"), any volume of a split bundle ("NAME.age.002"), or the
// bundle's name without a suffix when only its volumes exist. For a split
// bundle it finds every volume beside it, refuses a gap (naming the missing
// volume) or a volume shorter than the first one before the last, and
// returns the volume paths in order. A missing last volume cannot be seen
// from the names; decryption then fails with ErrDamaged.
func OpenVolumes(path string) (io.ReadCloser, []string, error) {
	dir, file := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	base := ""
	if m := volumeSuffix.FindStringSubmatch(file); m != nil {
		base = m[1]
	} else if st, err := os.Stat(path); err == nil && !st.IsDir() {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("envelope: %w", err)
		}
		return f, []string{path}, nil
	} else if _, err2 := os.Stat(filepath.Join(dir, VolumeName(file, 1))); err2 == nil {
		base = file
	} else if err != nil {
		return nil, nil, fmt.Errorf("envelope: %w", err)
	} else {
		return nil, nil, fmt.Errorf("envelope: %s is a directory, not a bundle", path)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("envelope: listing volumes: %w", err)
	}
	nums := map[int]string{}
	maxN := 0
	for _, e := range entries {
		m := volumeSuffix.FindStringSubmatch(e.Name())
		if m == nil || m[1] != base || e.IsDir() {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		if n == 0 {
			continue
		}
		if prev, dup := nums[n]; dup {
			return nil, nil, fmt.Errorf("envelope: volume %d is there twice (%s and %s); keep one", n, prev, e.Name())
		}
		nums[n] = e.Name()
		if n > maxN {
			maxN = n
		}
	}
	if maxN == 0 {
		return nil, nil, fmt.Errorf("envelope: no volumes of %s found in %s", base, dir)
	}
	var missing []string
	for i := 1; i <= maxN; i++ {
		if _, ok := nums[i]; !ok {
			missing = append(missing, fmt.Sprintf("%03d", i))
		}
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("%w: volume %s.%s is missing (found %d of at least %d volumes); put it beside the others", ErrDamaged, base, strings.Join(missing, ", ."), len(nums), maxN)
	}
	keys := make([]int, 0, len(nums))
	for n := range nums {
		keys = append(keys, n)
	}
	sort.Ints(keys)
	paths := make([]string, len(keys))
	sizes := make([]int64, len(keys))
	var first int64 = -1
	for i, n := range keys {
		paths[i] = filepath.Join(dir, nums[n])
		st, err := os.Stat(paths[i])
		if err != nil {
			return nil, nil, fmt.Errorf("envelope: %w", err)
		}
		sizes[i] = st.Size()
		if i == 0 {
			first = st.Size()
		} else if i < len(keys)-1 && st.Size() != first {
			if i == len(keys)-2 && st.Size() < first {
				return nil, nil, fmt.Errorf("%w: volume %s is %d bytes but volume 001 is %d: it was cut short (an interrupted copy or upload?), or it is the last volume and %s is extra (from another bundle, or renamed?)", ErrDamaged, nums[n], st.Size(), first, nums[keys[i+1]])
			}
			return nil, nil, fmt.Errorf("%w: volume %s is %d bytes but volume 001 is %d; it looks cut short (an interrupted copy or upload?)", ErrDamaged, nums[n], st.Size(), first)
		}
	}
	return &multiFile{paths: paths, sizes: sizes}, paths, nil
}

// multiFile reads files one after the other, opening each only when needed.
type multiFile struct {
	paths []string
	sizes []int64 // when known (OpenVolumes): to place damage in a volume
	i     int
	cur   *os.File
}

// blame says which volume of a split bundle the decryption failed in, and
// what is likely wrong with it, from how far it had read (read) and age's
// error. It returns "" when it cannot tell.
func (m *multiFile) blame(read int64, err error) string {
	if len(m.sizes) != len(m.paths) || len(m.paths) < 2 {
		return ""
	}
	name := func(i int) string { return filepath.Base(m.paths[i]) }
	var total int64
	for _, s := range m.sizes {
		total += s
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "trailing data"):
		// The last chunk ended before the last volume did.
		at, end := int64(0), len(m.paths)-1
		for i, s := range m.sizes {
			if read-1 < at+s {
				end = i
				break
			}
			at += s
		}
		if end < len(m.paths)-1 {
			return fmt.Sprintf("the bundle ends in volume %s, so %s is extra (from another bundle, or renamed?): remove it", name(end), name(end+1))
		}
		return fmt.Sprintf("volume %s goes on after the end of the bundle (a volume from another bundle, renamed?)", name(end))
	case read >= total:
		return fmt.Sprintf("the bundle does not end properly in volume %s, the last one found: a last volume is missing (or was renamed; put it beside the others), or this one was cut short or changed", name(len(m.paths)-1))
	}
	if read <= 0 {
		return ""
	}
	at := int64(0)
	for i, s := range m.sizes {
		if read-1 < at+s {
			if i == 0 {
				return fmt.Sprintf("volume %s does not start this bundle, or was changed: it may have been swapped with another volume, renamed, or come from another bundle", name(0))
			}
			return fmt.Sprintf("volume %s does not fit after %s: it was swapped with another volume, renamed, comes from another bundle, or was changed", name(i), name(i-1))
		}
		at += s
	}
	return ""
}

func (m *multiFile) Read(p []byte) (int, error) {
	for {
		if m.cur == nil {
			if m.i >= len(m.paths) {
				return 0, io.EOF
			}
			f, err := os.Open(m.paths[m.i])
			if err != nil {
				return 0, fmt.Errorf("envelope: opening volume: %w", err)
			}
			m.cur = f
		}
		n, err := m.cur.Read(p)
		if err == io.EOF {
			m.cur.Close()
			m.cur = nil
			m.i++
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

func (m *multiFile) Close() error {
	m.i = len(m.paths)
	if m.cur != nil {
		err := m.cur.Close()
		m.cur = nil
		return err
	}
	return nil
}

// ParseSize parses a volume size: a number with an optional unit, such as
// "500M", "25MB", "2G", "1.5GiB", "700k" or "0" (no split). K, M, G and T
// (with or without B) are decimal, so "25MB" stays under a portal's or mail
// server's "25 MB" limit; KiB, MiB, GiB and TiB are binary. A bare number is
// bytes. Case does not matter.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	if num == "" {
		return 0, fmt.Errorf("envelope: size %q: want a number and a unit such as 500M or 2G", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("envelope: size %q: want a number and a unit such as 500M or 2G", s)
	}
	var mul float64
	switch unit {
	case "", "b":
		mul = 1
	case "k", "kb":
		mul = 1e3
	case "m", "mb":
		mul = 1e6
	case "g", "gb":
		mul = 1e9
	case "t", "tb":
		mul = 1e12
	case "kib":
		mul = 1 << 10
	case "mib":
		mul = 1 << 20
	case "gib":
		mul = 1 << 30
	case "tib":
		mul = 1 << 40
	default:
		return 0, fmt.Errorf("envelope: size %q: unknown unit %q (use K, M, G, T or KiB, MiB, GiB, TiB)", s, t[i:])
	}
	v := math.Floor(f * mul)
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("envelope: size %q is too large", s)
	}
	if f > 0 && v < 1 {
		return 0, fmt.Errorf("envelope: size %q is less than a byte", s)
	}
	return int64(v), nil
}
