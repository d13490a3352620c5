package pdftext

import (
	"strconv"
	"strings"

	pfont "github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

type fontKind uint8

const (
	fontSimple fontKind = iota
	fontType3
	fontType0
)

// font is what the interpreter needs of a font: how strings split into
// codes, each code's text and width.
type font struct {
	kind     fontKind
	space    []codeRange // codespace; empty for simple fonts (one byte a code)
	defLen   int
	toUni    *cmap
	encCMap  *cmap              // an embedded CMap of a Type0 font
	identity bool               // Identity-H/V: the code is the CID
	cjk      encoding.Encoding  // a predefined CJK CMap whose codes are a known charset
	enc      [256]string        // simple fonts: the text of each code
	first    int                // simple fonts: /FirstChar
	widths   []float64          // simple fonts: /Widths
	missing  float64            // simple fonts: /MissingWidth
	base14   string             // a standard font, for its built-in widths
	cidW     map[uint32]float64 // Type0: /W
	cidWR    []cidWidthRange    // Type0: /W ranges
	dw       float64            // Type0: /DW
	scale    float64            // glyph space to text space (1/1000, or Type3's FontMatrix)
	vertical bool
	// problem says why text drawn in this font cannot be located reliably
	// ("" when it can).
	problem string
	cache   map[uint32]cachedText
	low     [256]cachedText // the cache of codes below 256, the most used
}

type cidWidthRange struct {
	lo, hi uint32
	w      float64
}

// Problems a font can have.
const (
	ProblemType3NoToUnicode = "type3-without-tounicode"
	ProblemNoEncoding       = "no-usable-encoding"
	ProblemUnmappedGlyphs   = "glyphs-without-text"
)

var base14Alias = map[string]string{
	"Arial": "Helvetica", "Arial,Bold": "Helvetica-Bold", "Arial,Italic": "Helvetica-Oblique", "Arial,BoldItalic": "Helvetica-BoldOblique",
	"ArialMT": "Helvetica", "Arial-BoldMT": "Helvetica-Bold", "Arial-ItalicMT": "Helvetica-Oblique", "Arial-BoldItalicMT": "Helvetica-BoldOblique",
	"TimesNewRoman": "Times-Roman", "TimesNewRomanPSMT": "Times-Roman", "TimesNewRoman,Bold": "Times-Bold", "TimesNewRomanPS-BoldMT": "Times-Bold",
	"CourierNew": "Courier", "CourierNewPSMT": "Courier", "Courier New": "Courier",
}

// glyphRune returns the character a glyph name stands for: Adobe glyph
// list names, uniXXXX, uXXXX[XX], and such names with a .suffix.
func glyphRune(name string) (rune, bool) {
	if r, ok := glyphNames[name]; ok {
		return r, true
	}
	if r, ok := symbolNames[name]; ok {
		return r, true
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		return glyphRune(name[:i])
	}
	if i := strings.IndexByte(name, '_'); i > 0 { // a ligature: its first part
		return glyphRune(name[:i])
	}
	if strings.HasPrefix(name, "uni") && len(name) >= 7 {
		if v, err := strconv.ParseUint(name[3:7], 16, 32); err == nil {
			return rune(v), true
		}
	}
	if strings.HasPrefix(name, "u") && len(name) >= 5 && len(name) <= 7 {
		if v, err := strconv.ParseUint(name[1:], 16, 32); err == nil && v <= 0x10FFFF {
			return rune(v), true
		}
	}
	return 0, false
}

// glyphText is glyphRune for whole names, ligatures (f_f_i) and
// multi-character uni names (uni00660069) spelled out.
func glyphText(name string) string {
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	if strings.Contains(name, "_") {
		var b strings.Builder
		for _, p := range strings.Split(name, "_") {
			if r, ok := glyphRune(p); ok {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	if strings.HasPrefix(name, "uni") && len(name) > 7 && (len(name)-3)%4 == 0 {
		var b strings.Builder
		for i := 3; i+4 <= len(name); i += 4 {
			v, err := strconv.ParseUint(name[i:i+4], 16, 32)
			if err != nil {
				return ""
			}
			b.WriteRune(rune(v))
		}
		return b.String()
	}
	if r, ok := glyphRune(name); ok {
		return string(r)
	}
	return ""
}

var winAnsi, macRoman, standard, symbol [256]string

func init() {
	for c := 0; c < 256; c++ {
		if r := charmap.Windows1252.DecodeByte(byte(c)); r != 0xFFFD && c >= 32 && c != 127 {
			winAnsi[c] = string(r)
		}
		if r := charmap.Macintosh.DecodeByte(byte(c)); r != 0xFFFD && c >= 32 && c != 127 {
			macRoman[c] = string(r)
		}
		if n := standardEncoding[c]; n != "" {
			standard[c] = glyphText(n)
		}
		if n := symbolEncoding[c]; n != "" {
			symbol[c] = glyphText(n)
		}
	}
	// PDF's WinAnsiEncoding shows the unused codes 127..160 as bullets and
	// 0xA0 as a space; keep them readable as text.
	winAnsi[0xA0] = " "
}

// resolver gives the font loader the object model without tying it to
// pdfcpu's context type (the interpreter counts steps through it).
type resolver interface {
	resolve(o types.Object) types.Object
	stream(o types.Object) ([]byte, bool)
}

func dictOf(r resolver, o types.Object) types.Dict {
	switch v := r.resolve(o).(type) {
	case types.Dict:
		return v
	case types.StreamDict:
		return v.Dict
	}
	return nil
}

func arrayOf(r resolver, o types.Object) types.Array {
	a, _ := r.resolve(o).(types.Array)
	return a
}

func nameOf(r resolver, o types.Object) string {
	n, _ := r.resolve(o).(types.Name)
	return string(n)
}

func numOf(r resolver, o types.Object) (float64, bool) {
	switch v := r.resolve(o).(type) {
	case types.Integer:
		return float64(v), true
	case types.Float:
		return float64(v), true
	}
	return 0, false
}

// loadFont reads a font dictionary.
func loadFont(r resolver, d types.Dict, steps func(int) bool) *font {
	f := &font{scale: 0.001, dw: 1000, cache: map[uint32]cachedText{}}
	subtype := nameOf(r, d["Subtype"])
	base := nameOf(r, d["BaseFont"])
	if i := strings.IndexByte(base, '+'); i == 6 {
		base = base[i+1:]
	}
	if data, ok := r.stream(d["ToUnicode"]); ok {
		f.toUni = parseCMap(data, steps)
	}
	switch subtype {
	case "Type0":
		f.kind = fontType0
		f.defLen = 2
		f.loadType0(r, d, steps)
	case "Type3":
		f.kind = fontType3
		if m := arrayOf(r, d["FontMatrix"]); len(m) == 6 {
			if v, ok := numOf(r, m[0]); ok && v != 0 {
				f.scale = v
			}
		}
		f.loadSimple(r, d, base)
		if f.toUni == nil {
			f.problem = ProblemType3NoToUnicode
		}
	default:
		f.kind = fontSimple
		f.loadSimple(r, d, base)
	}
	if f.toUni != nil && len(f.toUni.space) > 0 && f.kind == fontType0 && f.encCMap == nil && !f.identity && f.cjk == nil {
		f.space = f.toUni.space
	}
	return f
}

func (f *font) loadSimple(r resolver, d types.Dict, base string) {
	f.defLen = 1
	if a, ok := base14Alias[base]; ok {
		base = a
	}
	if pfont.IsCoreFont(base) {
		f.base14 = base
	}
	fd := dictOf(r, d["FontDescriptor"])
	flags := 0
	if fd != nil {
		if v, ok := numOf(r, fd["Flags"]); ok {
			flags = int(v)
		}
		if v, ok := numOf(r, fd["MissingWidth"]); ok {
			f.missing = v
		}
	}
	symbolic := flags&4 != 0 && flags&32 == 0
	enc := standard
	if f.base14 != "" || nameOf(r, d["Subtype"]) == "TrueType" {
		// Standard fonts and TrueType fonts without an encoding are read
		// with the usual Latin encoding, as PDF readers do.
		enc = winAnsi
	}
	if f.base14 == "Symbol" {
		enc = symbol // its built-in encoding, whatever the flags say
	}
	hasEnc := false
	var diffs types.Array
	switch e := r.resolve(d["Encoding"]).(type) {
	case types.Name:
		enc, hasEnc = namedEncoding(string(e), enc)
	case types.Dict:
		enc, hasEnc = namedEncoding(nameOf(r, e["BaseEncoding"]), enc)
		diffs = arrayOf(r, e["Differences"])
	}
	f.enc = enc
	code := 0
	for _, o := range diffs {
		switch v := r.resolve(o).(type) {
		case types.Integer:
			code = int(v)
		case types.Name:
			if code >= 0 && code < 256 {
				f.enc[code] = glyphText(string(v))
				hasEnc = true
			}
			code++
		}
	}
	if f.toUni == nil && (symbolic && !hasEnc && f.base14 == "") {
		f.problem = ProblemNoEncoding
	}
	if v, ok := numOf(r, d["FirstChar"]); ok {
		f.first = int(v)
	}
	for _, o := range arrayOf(r, d["Widths"]) {
		v, _ := numOf(r, o)
		f.widths = append(f.widths, v)
		if len(f.widths) > 1<<16 {
			break
		}
	}
	if len(f.widths) == 0 && f.base14 != "" {
		// A standard font without /Widths: its built-in metrics, by code.
		f.first, f.widths = 0, base14Widths(f.base14)
	}
}

// base14Widths returns the widths of a standard font's codes 0..255.
func base14Widths(name string) []float64 {
	w := make([]float64, 256)
	for c := range w {
		if v, err := pfont.CharWidth(name, rune(c)); err == nil {
			w[c] = float64(v)
		}
	}
	return w
}

func namedEncoding(name string, def [256]string) ([256]string, bool) {
	switch name {
	case "WinAnsiEncoding":
		return winAnsi, true
	case "MacRomanEncoding":
		return macRoman, true
	case "StandardEncoding", "MacExpertEncoding":
		return standard, true
	}
	return def, false
}

// cjkCMaps maps the predefined CMaps whose codes are a known character
// encoding to that encoding, for Type0 fonts without ToUnicode.
func cjkEncoding(name string) encoding.Encoding {
	switch {
	case strings.Contains(name, "UCS2") || strings.Contains(name, "UTF16"):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case strings.HasPrefix(name, "GBK") || strings.HasPrefix(name, "GB-EUC") || strings.HasPrefix(name, "GBpc-EUC") || strings.HasPrefix(name, "GBK2K"):
		return simplifiedchinese.GB18030
	case strings.HasPrefix(name, "B5") || strings.HasPrefix(name, "ETen-B5") || strings.HasPrefix(name, "HKscs-B5"):
		return traditionalchinese.Big5
	case strings.HasPrefix(name, "90ms-RKSJ") || strings.HasPrefix(name, "90msp-RKSJ") || strings.HasPrefix(name, "83pv-RKSJ"):
		return japanese.ShiftJIS
	case strings.HasPrefix(name, "EUC-") && len(name) == 6:
		return japanese.EUCJP
	case strings.HasPrefix(name, "KSC-EUC") || strings.HasPrefix(name, "KSCms-UHC"):
		return korean.EUCKR
	}
	return nil
}

func (f *font) loadType0(r resolver, d types.Dict, steps func(int) bool) {
	switch e := r.resolve(d["Encoding"]).(type) {
	case types.Name:
		name := string(e)
		f.vertical = strings.HasSuffix(name, "-V")
		switch {
		case name == "Identity-H" || name == "Identity-V":
			f.identity = true
			f.space = []codeRange{{n: 2, lo: [4]byte{0, 0}, hi: [4]byte{0xff, 0xff}}}
		case strings.Contains(name, "UCS2") || strings.Contains(name, "UTF16"):
			f.cjk = cjkEncoding(name)
			f.space = []codeRange{{n: 2, lo: [4]byte{0, 0}, hi: [4]byte{0xff, 0xff}}}
		default:
			f.cjk = cjkEncoding(name)
			if f.cjk != nil {
				// One byte below 0x80, two bytes above: the EUC and
				// Shift-JIS families.
				f.space = []codeRange{{n: 1, lo: [4]byte{0}, hi: [4]byte{0x80}}, {n: 2, lo: [4]byte{0x81, 0x40}, hi: [4]byte{0xfe, 0xfe}}}
			}
		}
	case types.StreamDict:
		if data, ok := r.stream(e); ok {
			f.encCMap = parseCMap(data, steps)
			f.space = f.encCMap.space
		}
	}
	if len(f.space) == 0 && f.toUni != nil {
		f.space = f.toUni.space
	}
	desc := arrayOf(r, d["DescendantFonts"])
	if len(desc) == 0 {
		return
	}
	cd := dictOf(r, desc[0])
	if cd == nil {
		return
	}
	if v, ok := numOf(r, cd["DW"]); ok {
		f.dw = v
	}
	f.cidW = map[uint32]float64{}
	w := arrayOf(r, cd["W"])
	for i := 0; i < len(w) && len(f.cidW)+len(f.cidWR) < 1<<17; {
		c, ok := numOf(r, w[i])
		if !ok || i+1 >= len(w) {
			break
		}
		if list := arrayOf(r, w[i+1]); list != nil {
			for k, o := range list {
				v, _ := numOf(r, o)
				f.cidW[uint32(c)+uint32(k)] = v
			}
			i += 2
			continue
		}
		hi, ok1 := numOf(r, w[i+1])
		if i+2 >= len(w) || !ok1 {
			break
		}
		v, _ := numOf(r, w[i+2])
		f.cidWR = append(f.cidWR, cidWidthRange{uint32(c), uint32(hi), v})
		i += 3
	}
	if f.toUni == nil && f.cjk == nil {
		f.problem = ProblemNoEncoding
	}
}

// nextCode returns the code at the start of s and its length in bytes.
func (f *font) nextCode(s []byte) (uint32, int) {
	n := 1
	if f.kind == fontType0 {
		n = splitCode(f.space, s, f.defLen)
	}
	c, _ := codeValue(s[:n])
	return c, n
}

// text returns the text of a code ("" when unknown), and whether the font
// says what the code is: a ToUnicode entry that maps a code to nothing (a
// .notdef box) is known to carry no text.
func (f *font) text(code uint32, raw []byte) (string, bool) {
	if code < 256 && f.low[code].set {
		return f.low[code].s, f.low[code].known
	}
	if c, ok := f.cache[code]; ok {
		return c.s, c.known
	}
	s := ""
	known := false
	if f.toUni != nil {
		s, known = f.toUni.lookup(code)
	}
	if !known {
		switch {
		case f.kind != fontType0:
			if code < 256 {
				s = f.enc[code]
			}
		case f.cjk != nil:
			if out, err := f.cjk.NewDecoder().Bytes(raw); err == nil {
				s = string(out)
			}
		}
	}
	s = validText(s)
	known = known || s != ""
	switch {
	case code < 256:
		f.low[code] = cachedText{s, known, true}
	case len(f.cache) < 1<<16:
		f.cache[code] = cachedText{s, known, true}
	}
	return s, known
}

type cachedText struct {
	s     string
	known bool
	set   bool
}

// width returns a code's advance in glyph space units.
func (f *font) width(code uint32) float64 {
	if f.kind != fontType0 {
		i := int(code) - f.first
		if i >= 0 && i < len(f.widths) {
			return f.widths[i]
		}
		if f.missing > 0 || len(f.widths) > 0 {
			return f.missing
		}
		return 500
	}
	cid := code
	switch {
	case f.identity:
	case f.encCMap != nil:
		c, ok := f.encCMap.cid(code)
		if !ok {
			return f.dw
		}
		cid = c
	default:
		return f.dw
	}
	if w, ok := f.cidW[cid]; ok {
		return w
	}
	for _, r := range f.cidWR {
		if cid >= r.lo && cid <= r.hi {
			return r.w
		}
	}
	return f.dw
}
