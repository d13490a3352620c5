package slide

import (
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"
)

// Vendor names, exactly as OpenSlide reports them in openslide.vendor.
const (
	VendorAperio      = "aperio"
	VendorHamamatsu   = "hamamatsu"
	VendorMirax       = "mirax"
	VendorLeica       = "leica"
	VendorVentana     = "ventana"
	VendorPhilips     = "philips"
	VendorDICOM       = "dicom"
	VendorGenericTIFF = "generic-tiff"
)

// Container names.
const (
	ContainerTIFF    = "tiff"
	ContainerBigTIFF = "bigtiff"
	ContainerNDPI    = "ndpi"
	ContainerMRXS    = "mrxs"
	ContainerDICOM   = "dicom"
)

// Image kinds in Info.Images.
const (
	KindLevel     = "level"
	KindLabel     = "label"
	KindMacro     = "macro"
	KindThumbnail = "thumbnail"
	KindMap       = "map"   // NDPI non-empty-region map
	KindOther     = "other" // an image no rule names: treat as suspect
)

// ErrNotSlide is returned for files that are not whole-slide images, such as
// a plain (single-image, strip-organised) TIFF photo or scan.
var ErrNotSlide = errors.New("slide: not a whole-slide image")

// ErrBadMetadata is returned when a slide's vendor metadata (XML, INI) is
// present but cannot be parsed.
var ErrBadMetadata = errors.New("slide: malformed slide metadata")

// Field is one identifying value found in a slide. Values stay in memory and
// must never be logged.
type Field struct {
	Key, Value string
}

// Image is one image (IFD, layer) of a slide and the role OpenSlide gives it.
type Image struct {
	// IFD is the index of the IFD in the main chain, or -1 for images that
	// are not IFDs (Philips XML images, MIRAX layers).
	IFD           int
	Kind          string
	Width, Height int64
}

// Info describes a detected whole-slide image.
type Info struct {
	// Vendor is OpenSlide's vendor name (aperio, hamamatsu, mirax, leica,
	// ventana, philips, dicom, generic-tiff).
	Vendor string
	// Container is tiff, bigtiff, ndpi, mrxs or dicom.
	Container string
	Levels    int
	// Width and Height are the level-0 dimensions.
	Width, Height int64
	LevelSizes    [][2]int64
	Label         bool
	Macro         bool
	Thumbnail     bool
	// IdentifyingMetadata lists the KEYS (never values) of metadata that may
	// identify a person or specimen, e.g. "aperio.Filename", "tiff.DateTime".
	IdentifyingMetadata []string
	// Identity holds values found that identify a person or specimen.
	Identity []Field
	// Files lists, for MIRAX, the .mrxs file and every file in its folder
	// (absolute paths); nil otherwise.
	Files []string
	// Images lists the images with their roles (levels, associated images).
	Images []Image
	// Unreadable lists the KEYS of text metadata that is there but could not
	// be read (too large, or pointing outside the file), e.g.
	// "tiff.ImageDescription": Dossier cannot tell what it says, nor check
	// it for identity.
	Unreadable []string
}

type infoBuilder struct {
	info     *Info
	keys     map[string]bool
	identity map[Field]bool
}

func newBuilder(vendor, container string) *infoBuilder {
	return &infoBuilder{info: &Info{Vendor: vendor, Container: container}, keys: map[string]bool{}, identity: map[Field]bool{}}
}

func (b *infoBuilder) flag(key string) {
	if !b.keys[key] {
		b.keys[key] = true
		b.info.IdentifyingMetadata = append(b.info.IdentifyingMetadata, key)
	}
}

func (b *infoBuilder) ident(key, value string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	fv := Field{Key: key, Value: value}
	if !b.identity[fv] {
		b.identity[fv] = true
		b.info.Identity = append(b.info.Identity, fv)
	}
}

func (b *infoBuilder) image(ifd int, kind string, w, h int64) {
	b.info.Images = append(b.info.Images, Image{IFD: ifd, Kind: kind, Width: w, Height: h})
	switch kind {
	case KindLevel:
		b.info.LevelSizes = append(b.info.LevelSizes, [2]int64{w, h})
	case KindLabel:
		b.info.Label = true
	case KindMacro:
		b.info.Macro = true
	case KindThumbnail:
		b.info.Thumbnail = true
	}
}

func (b *infoBuilder) finish() *Info {
	in := b.info
	in.Levels = len(in.LevelSizes)
	if in.Levels > 0 {
		in.Width, in.Height = in.LevelSizes[0][0], in.LevelSizes[0][1]
	}
	sort.Strings(in.IdentifyingMetadata)
	return in
}

func dims(f *File, d *IFD) (int64, int64) {
	w, _ := f.TagUint(d, TagImageWidth)
	h, _ := f.TagUint(d, TagImageLength)
	if w > math.MaxInt32 {
		w = 0
	}
	if h > math.MaxInt32 {
		h = 0
	}
	return int64(w), int64(h)
}

// DetectTIFF parses a TIFF-based file and detects its slide vendor with
// OpenSlide's order and rules: hamamatsu (NDPI), aperio, leica, philips,
// ventana, generic-tiff. A TIFF that none of them claims (for example a
// single strip-organised photo) returns an error wrapping ErrNotSlide; a file
// that is not TIFF at all returns an error wrapping both ErrNotSlide and
// ErrNotTIFF.
func DetectTIFF(r io.ReaderAt, size int64) (*Info, error) {
	f, err := OpenTIFF(r, size)
	if err != nil {
		if errors.Is(err, ErrNotTIFF) {
			return nil, fmt.Errorf("%w: %w", ErrNotSlide, err)
		}
		return nil, err
	}
	return f.Detect()
}

// Detect detects the slide vendor of an opened TIFF file (see DetectTIFF).
// Text tags that are there but cannot be read are listed in
// Info.Unreadable.
func (f *File) Detect() (*Info, error) {
	in, err := f.detect()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, d := range f.IFDs {
		for _, t := range []struct {
			tag uint16
			key string
		}{{TagImageDescription, "tiff.ImageDescription"}, {TagSoftware, "tiff.Software"}, {TagXMP, "tiff.XMP"}} {
			if e, ok := d.Entry(t.tag); ok && !seen[t.key] {
				if _, err := f.ASCII(e); err != nil {
					seen[t.key] = true
					in.Unreadable = append(in.Unreadable, t.key)
				}
			}
		}
	}
	return in, nil
}

func (f *File) detect() (*Info, error) {
	if err := f.checkData(); err != nil {
		return nil, err
	}
	d0 := f.IFDs[0]
	if f.NDPI {
		return f.detectNDPI()
	}
	desc0 := f.TagString(d0, TagImageDescription)
	if d0.Tiled() && strings.HasPrefix(desc0, "Aperio") {
		return f.detectAperio()
	}
	if d0.Tiled() && (strings.Contains(desc0, leicaNS1) || strings.Contains(desc0, leicaNS2)) {
		return f.detectLeica(desc0)
	}
	if d0.Tiled() && strings.HasPrefix(f.TagString(d0, TagSoftware), "Philips") && strings.Contains(desc0, "DPUfsImport") {
		return f.detectPhilips(desc0)
	}
	if xmp := f.TagString(d0, TagXMP); strings.Contains(xmp, "iScan") {
		return f.detectVentana(xmp)
	}
	if d0.Tiled() {
		return f.detectGeneric(desc0)
	}
	return nil, fmt.Errorf("%w: first image is not tiled and no vendor rule matches", ErrNotSlide)
}

// checkData checks that every out-of-line tag value and every strip and
// tile range lies inside the file, so that truncated or corrupt files are
// reported as such instead of silently losing metadata.
func (f *File) checkData() error {
	for _, d := range f.IFDs {
		for i := range d.Entries {
			e := &d.Entries[i]
			if typeSize(e.Type) == 0 || e.Inline {
				continue
			}
			vs := e.ValueSize()
			if vs < 0 {
				return fmt.Errorf("%w: IFD %d: tag %d: count overflows", ErrBadValue, d.Index, e.Tag)
			}
			if e.ValueOffset > f.Size || vs > f.Size-e.ValueOffset {
				return fmt.Errorf("%w: IFD %d: tag %d: value of %d bytes at offset %d past end of file", ErrTruncated, d.Index, e.Tag, vs, e.ValueOffset)
			}
		}
	}
	if f.NDPI && f.Size > math.MaxUint32 {
		return nil // out-of-line NDPI data offsets have no high bits to check with
	}
	for _, d := range f.IFDs {
		if !d.Has(TagStripOffsets) && !d.Has(TagTileOffsets) {
			continue
		}
		if _, err := f.DataRanges(d); err != nil {
			return err
		}
	}
	return nil
}

func (f *File) container() string {
	switch {
	case f.NDPI:
		return ContainerNDPI
	case f.BigTIFF:
		return ContainerBigTIFF
	}
	return ContainerTIFF
}

// serialLike matches Make/Model values that carry a serial number.
var serialLike = regexp.MustCompile(`(?i)serial|s/n|\bsn[-: ]?[0-9]|[0-9]{6,}`)

// flagTIFFTags flags baseline TIFF tags that may identify, in every IFD.
func (f *File) flagTIFFTags(b *infoBuilder) {
	for _, d := range f.IFDs {
		for _, t := range []struct {
			tag   uint16
			key   string
			ident bool
		}{
			{TagDateTime, "tiff.DateTime", false},
			{TagArtist, "tiff.Artist", true},
			{TagHostComputer, "tiff.HostComputer", false},
			{TagDocumentName, "tiff.DocumentName", true},
			{TagPageName, "tiff.PageName", true},
		} {
			if v := f.TagString(d, t.tag); v != "" || d.Has(t.tag) {
				b.flag(t.key)
				if t.ident {
					b.ident(t.key, v)
				}
			}
		}
		if v := f.TagString(d, TagMake); serialLike.MatchString(v) {
			b.flag("tiff.Make")
		}
		if v := f.TagString(d, TagModel); serialLike.MatchString(v) {
			b.flag("tiff.Model")
		}
	}
}

// ---- Aperio ----

// aperioKeep is the allow-list of aperio.* keys that do not identify
// (ImageDePHI's keep set). Keys starting with "Exposure" or "Calibration" are
// kept as well. Every other key is reported as identifying.
// Keys are compared case-insensitively (CMU-1 spells "Originalheight").
var aperioKeep = map[string]bool{
	"appmag": true, "mpp": true, "stripewidth": true, "left": true, "top": true,
	"linecameraskew": true, "lineareaxoffset": true, "lineareayoffset": true,
	"focus offset": true, "originalwidth": true, "originalheight": true,
	"gamma": true, "icc profile": true, "filtered": true, "parmset": true,
}

// AperioKeyAllowed reports whether an Aperio description key is on the
// allow-list of keys that do not identify (case-insensitive).
func AperioKeyAllowed(key string) bool {
	k := strings.ToLower(key)
	return aperioKeep[k] || strings.HasPrefix(k, "exposure") || strings.HasPrefix(k, "calibration")
}

// aperioIdentityKey matches the identifying keys whose values name a person
// or specimen (as opposed to dates, device IDs and operator GUIDs).
var aperioIdentityKey = regexp.MustCompile(`(?i)filename|title|patient|barcode|accession|label|name|birth|dob|surgpath|mrn|slide_?id|sample_?id|token_?id|tumor_rec|specimen`)

// ParseAperioDescription splits an Aperio ImageDescription into its
// key = value pairs, ignoring the first |-segment (as OpenSlide does).
func ParseAperioDescription(desc string) [][2]string {
	segs := strings.Split(desc, "|")
	var out [][2]string
	for _, s := range segs[1:] {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		out = append(out, [2]string{k, strings.TrimSpace(v)})
	}
	return out
}

// AperioAssociatedName returns "label" or "macro" when the second line of an
// Aperio description starts with that word, else "".
func AperioAssociatedName(desc string) string {
	_, rest, ok := strings.Cut(desc, "\n")
	if !ok {
		return ""
	}
	line, _, _ := strings.Cut(rest, "\n")
	word, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	switch strings.ToLower(word) {
	case "label":
		return KindLabel
	case "macro":
		return KindMacro
	}
	return ""
}

func (f *File) detectAperio() (*Info, error) {
	b := newBuilder(VendorAperio, f.container())
	for i, d := range f.IFDs {
		w, h := dims(f, d)
		desc := f.TagString(d, TagImageDescription)
		for _, kv := range ParseAperioDescription(desc) {
			if AperioKeyAllowed(kv[0]) {
				continue
			}
			key := "aperio." + kv[0]
			b.flag(key)
			if aperioIdentityKey.MatchString(kv[0]) || strings.HasPrefix(kv[0], "CustomField.") {
				b.ident(key, kv[1])
			}
		}
		if d.Tiled() {
			b.image(i, KindLevel, w, h)
			continue
		}
		nst, _ := f.TagUint(d, TagNewSubfileType)
		kind := ""
		switch {
		case nst == 1:
			kind = KindLabel
		case nst == 9:
			kind = KindMacro
		}
		if kind == "" {
			kind = AperioAssociatedName(desc)
		}
		if kind == "" && i == 1 {
			kind = KindThumbnail
		}
		if kind == "" {
			kind = KindOther
		}
		b.image(i, kind, w, h)
	}
	f.flagTIFFTags(b)
	return b.finish(), nil
}

// ---- Hamamatsu NDPI ----

func (f *File) detectNDPI() (*Info, error) {
	b := newBuilder(VendorHamamatsu, ContainerNDPI)
	type lvl struct {
		ifd  int
		w, h int64
	}
	var levels []lvl
	for i, d := range f.IFDs {
		w, h := dims(f, d)
		if e, ok := d.Entry(TagNDPIReference); ok {
			b.flag("ndpi.Reference")
			if v, err := f.ASCII(e); err == nil {
				b.ident("ndpi.Reference", v)
			}
		}
		if d.Has(TagNDPISerialNumber) {
			b.flag("ndpi.ScannerSerialNumber")
		}
		if d.Has(TagNDPIXML) {
			b.flag("ndpi.XML")
		}
		lens := 0.0
		if e, ok := d.Entry(TagNDPISourceLens); ok {
			if v, err := f.Float(e); err == nil {
				lens = v
			}
		}
		switch {
		case lens == -1:
			b.image(i, KindMacro, w, h)
		case lens == -2:
			b.image(i, KindMap, w, h)
		case lens > 0:
			z := 0.0
			if e, ok := d.Entry(TagNDPIZOffset); ok {
				if v, err := f.Float(e); err == nil {
					z = v
				}
			}
			if z == 0 {
				levels = append(levels, lvl{i, w, h})
			} else {
				b.image(i, KindOther, w, h)
			}
		default:
			b.image(i, KindOther, w, h)
		}
	}
	sort.SliceStable(levels, func(i, j int) bool { return levels[i].w > levels[j].w })
	for _, l := range levels {
		b.image(l.ifd, KindLevel, l.w, l.h)
	}
	f.flagTIFFTags(b)
	return b.finish(), nil
}
