package cover

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"sync"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/font"

	"dossier/assets"
)

// Fonts: TrueType fonts embedded in the binary (assets.Fonts) and embedded,
// as subsets, in every PDF. The style fonts (DejaVu Sans) cover Latin,
// Greek and Cyrillic; characters they lack fall back to Droid Sans Fallback
// (Chinese, Japanese) and then NanumSquare (Korean), and in bold text first
// to Noto Sans SC Bold (the common Chinese characters), so Chinese headings
// are bold. The names are the fonts' PostScript names, which pdfcpu uses.
const (
	FontRegular = "DejaVuSans"
	FontBold    = "DejaVuSans-Bold"
	FontItalic  = "DejaVuSans-Oblique"
	FontCJK     = "DroidSansFallback"
	FontCJKBold = "NotoSansSC-Bold"
	FontKorean  = "NanumSquareR"
)

// fontFiles maps each font's PostScript name to its file in assets.Fonts.
var fontFiles = map[string]string{
	FontRegular: assets.FontSans,
	FontBold:    assets.FontSansBold,
	FontItalic:  assets.FontSansOblique,
	FontCJK:     assets.FontCJK,
	FontCJKBold: assets.FontCJKBold,
	FontKorean:  assets.FontKorean,
}

// fallbackFonts are tried, in order, for a character the style's font lacks;
// boldFallbackFonts for one the bold font lacks.
var (
	fallbackFonts     = []string{FontRegular, FontCJK, FontKorean}
	boldFallbackFonts = []string{FontCJKBold, FontRegular, FontCJK, FontKorean}
)

// errFonts wraps failures to prepare the embedded fonts.
var errFonts = errors.New("preparing the embedded fonts")

// fontMetrics is what layout needs of a font: which characters it has and
// their widths (in 1/1000 of the font size).
type fontMetrics struct {
	chars  map[uint32]uint16
	widths []int
	// below is how far the font's bounding box reaches below the baseline (1/1000 of the size):
	// pdfcpu puts a text's box, not its baseline, at the position given.
	below float64
}

// baselineShift is what to add to the position of a run in font so that its baseline sits on the
// baseline of the line's own font (pdfcpu places the bottom of each font's box at the position, and
// the Chinese font's box reaches lower than the Latin one's, so mixed runs sat on two baselines).
func baselineShift(font, lineFont string, size float64) float64 {
	m, l := metricsOf(font), metricsOf(lineFont)
	if m == nil || l == nil || font == lineFont {
		return 0
	}
	return math.Ceil(l.below/1000*size) - math.Ceil(m.below/1000*size)
}

func (m *fontMetrics) has(r rune) bool {
	_, ok := m.chars[uint32(r)]
	return ok
}

func (m *fontMetrics) width(r rune) int {
	g := m.chars[uint32(r)] // 0, .notdef, when missing
	if int(g) < len(m.widths) {
		return m.widths[g]
	}
	return 0
}

// lazyFont is one embedded font, installed the first time it is needed:
// the CJK and Korean fonts (four fifths of the bytes) only by a text that
// uses them.
type lazyFont struct {
	once    sync.Once
	metrics *fontMetrics
	// gob is the font as pdfcpu installs it (its "gob" file), made once
	// per process, so that a PDF costs only writing the files its fonts
	// need.
	gob []byte
	err error
}

var (
	// fontsByName holds every font of fontFiles; the map does not change
	// after init.
	fontsByName = map[string]*lazyFont{}

	// pdfcpuMu serialises what touches pdfcpu's global font state
	// (font.UserFontDir and its loaded metrics).
	pdfcpuMu sync.Mutex
)

func init() {
	api.DisableConfigDir() // pdfcpu would otherwise create a configuration folder in the user's home
	for name := range fontFiles {
		fontsByName[name] = &lazyFont{}
	}
}

// primaryFonts are the fonts of the styles, installed together (at once,
// on both cores) by loadMetrics.
var primaryFonts = []string{FontRegular, FontBold, FontItalic}

// loadMetrics installs the fonts of the styles (the fallbacks follow when a
// text needs them) and returns the first error.
func loadMetrics() error {
	var wg sync.WaitGroup
	for _, name := range primaryFonts[1:] {
		wg.Go(func() { fontNamed(name) })
	}
	f := fontNamed(primaryFonts[0])
	wg.Wait()
	if f.err != nil {
		return f.err
	}
	for _, name := range primaryFonts[1:] {
		if err := fontNamed(name).err; err != nil {
			return err
		}
	}
	return nil
}

// PrepareFonts starts installing the fonts of the styles on goroutines of
// their own and returns at once, so that a cover made later (at the end of
// a bundle) finds them ready instead of parsing them while everything
// waits. A failure is reported by the cover that needs them.
func PrepareFonts() {
	go loadMetrics()
}

// fontNamed returns the font called name, installed; nil when there is none.
func fontNamed(name string) *lazyFont {
	f := fontsByName[name]
	if f == nil {
		return nil
	}
	f.once.Do(func() { f.metrics, f.gob, f.err = prepareFont(name) })
	return f
}

// metricsOf returns the metrics of the font called name, or nil when there
// is no such font or it could not be installed.
func metricsOf(name string) *fontMetrics {
	if f := fontNamed(name); f != nil && f.err == nil {
		return f.metrics
	}
	return nil
}

// prepareFont installs one embedded font as pdfcpu does (parsing the
// TrueType file into its gob form) and reads the metrics layout needs from
// it.
func prepareFont(name string) (m *fontMetrics, g []byte, err error) {
	file := fontFiles[name]
	bb, err := assets.Fonts.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", errFonts, name, err)
	}
	dir, err := os.MkdirTemp("", "dossier-fonts-")
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errFonts, err)
	}
	defer removeDir(dir, &err)
	if err := font.InstallFontFromBytesQuiet(dir, path.Base(file), bb); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", errFonts, name, err)
	}
	if g, err = os.ReadFile(filepath.Join(dir, name+".gob")); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", errFonts, name, err)
	}
	// The metrics part of the gob, as pdfcpu loads it (font.TTFLight).
	var ttf font.TTFLight
	if err := gob.NewDecoder(bytes.NewReader(g)).Decode(&ttf); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", errFonts, name, err)
	}
	if ttf.PostscriptName != name {
		return nil, nil, fmt.Errorf("%w: %s was installed as %q", errFonts, name, ttf.PostscriptName)
	}
	return &fontMetrics{chars: ttf.Chars, widths: ttf.GlyphWidths, below: -float64(ttf.LLy)}, g, nil
}

func removeDir(dir string, err *error) {
	if rmErr := os.RemoveAll(dir); rmErr != nil && *err == nil {
		*err = fmt.Errorf("%w: removing the temporary folder: %w", errFonts, rmErr)
	}
}

// withFonts makes the embedded fonts named in used available to pdfcpu
// while f runs.
//
// pdfcpu reads user fonts only from files (its own "gob" form) in
// font.UserFontDir, normally inside its configuration folder in the user's
// profile, which Dossier disables. So the fonts are written into a private
// temporary folder (mode 0700) made for this call, font.UserFontDir points
// there while f runs, and the folder is removed when f returns. Nothing is
// written to the user's profile. Calls are serialised.
func withFonts(used []string, f func() error) (err error) {
	if err := loadMetrics(); err != nil {
		return err
	}
	pdfcpuMu.Lock()
	defer pdfcpuMu.Unlock()
	dir, err := os.MkdirTemp("", "dossier-fonts-")
	if err != nil {
		return fmt.Errorf("%w: %w", errFonts, err)
	}
	defer removeDir(dir, &err)
	reload := false
	for _, name := range used {
		f := fontNamed(name)
		if f == nil {
			return fmt.Errorf("%w: no font %s", errFonts, name)
		}
		if f.err != nil {
			return f.err
		}
		bb := f.gob
		if err := os.WriteFile(filepath.Join(dir, name+".gob"), bb, 0o600); err != nil {
			return fmt.Errorf("%w: %w", errFonts, err)
		}
		// pdfcpu keeps the metrics of the fonts it loaded last; load them
		// again only when one is not among them.
		if known, err := font.IsUserFont(name); err != nil || !known {
			reload = true
		}
	}
	previous := font.UserFontDir
	font.UserFontDir = dir
	defer func() { font.UserFontDir = previous }()
	if reload {
		if err := font.ReloadUserFonts(); err != nil {
			return fmt.Errorf("%w: %w", errFonts, err)
		}
	}
	return f()
}

// run is a piece of a line set in one font.
type run struct {
	font string
	text string
}

// fontFor returns the font to set r in, given the style's font: the style's
// own when it has the character, else the first fallback that has it. ok is
// false when no font has it.
func fontFor(r rune, styleFont string) (name string, ok bool) {
	if m := metricsOf(styleFont); m != nil && m.has(r) {
		return styleFont, true
	}
	fallbacks := fallbackFonts
	if styleFont == FontBold {
		fallbacks = boldFallbackFonts
	}
	for _, fb := range fallbacks {
		if m := metricsOf(fb); m != nil && m.has(r) {
			return fb, true
		}
	}
	return styleFont, false
}

// runs splits text into runs by font. Spaces and other characters that
// several fonts share stay in the current run, so that runs are few.
func runs(text, styleFont string) []run {
	if loadMetrics() != nil {
		return []run{{font: styleFont, text: text}}
	}
	var out []run
	cur := run{font: styleFont}
	for _, r := range text {
		name, ok := fontFor(r, styleFont)
		if !ok {
			r, name = '?', styleFont
		}
		if name != cur.font && cur.text != "" {
			if m := metricsOf(cur.font); m != nil && m.has(r) && (unicode.IsSpace(r) || unicode.IsPunct(r)) {
				name = cur.font
			}
		}
		if name != cur.font {
			if cur.text != "" {
				out = append(out, cur)
			}
			cur = run{font: name}
		}
		cur.text += string(r)
	}
	if cur.text != "" {
		out = append(out, cur)
	}
	return out
}

// runWidth is the width of a run at size points.
func runWidth(r run, size float64) float64 {
	m := metricsOf(r.font)
	if m == nil {
		return float64(len([]rune(r.text))) * size * 0.6
	}
	w := 0
	for _, c := range r.text {
		w += m.width(c)
	}
	return float64(w) * size / 1000
}

// textWidth is the width of text set in style st, fallback fonts included.
func textWidth(s string, st Style) float64 {
	w := 0.0
	for _, r := range runs(s, st.Font) {
		w += runWidth(r, st.Size)
	}
	return w
}
