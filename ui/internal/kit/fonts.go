package kit

import (
	"sync"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font/sfnt"

	"dossier/assets"
)

var (
	cjkOnce          sync.Once
	cjkFont, cjkBold fyne.Resource
)

// CJKFonts are the embedded Droid Sans Fallback, which covers Chinese and Japanese (it has no Latin
// letters: those come from Fyne's own font, its fallback), and its bold partner, Noto Sans SC Bold
// cut to the common Chinese characters (it has Latin letters of its own), so Chinese headings are
// bold. The app's theme uses them when the UI is in Chinese or Japanese.
func CJKFonts() (regular, bold fyne.Resource) {
	cjkOnce.Do(func() {
		if b, err := assets.Fonts.ReadFile(assets.FontCJK); err == nil {
			cjkFont = fyne.NewStaticResource("DroidSansFallbackFull.ttf", b)
		}
		if b, err := assets.Fonts.ReadFile(assets.FontCJKBold); err == nil {
			cjkBold = fyne.NewStaticResource("NotoSansSC-Bold-subset.ttf", b)
		}
	})
	return cjkFont, cjkBold
}

// TextFont is the font to draw text in when the theme's font cannot: a language's own name
// ("简体中文") in the English UI, whose font has no Chinese characters, was drawn as boxes on a
// computer with no Chinese font of its own. It is the embedded Chinese font when text has a
// character that neither th's font for style nor Fyne's (the fallback Fyne draws with) has, and the
// embedded font has them all; otherwise nil: the theme's, as usual. (Fyne draws text given a font
// of its own with that font alone, so a mixed text the embedded font cannot draw whole keeps the
// theme's.)
func TextFont(th fyne.Theme, style fyne.TextStyle, text string) fyne.Resource {
	if th == nil || style.Monospace || style.Symbol {
		return nil
	}
	if Covers(th.Font(style), text) || Covers(theme.DefaultTextFont(), text) {
		return nil
	}
	regular, bold := CJKFonts()
	for _, f := range []fyne.Resource{bold, regular} {
		if f == nil || (f == bold && !style.Bold) {
			continue
		}
		if Covers(f, text) {
			return f
		}
	}
	return nil
}

var (
	parsedMu sync.Mutex
	parsed   = map[string]*sfnt.Font{} // by the resource's name
)

// Covers reports whether the font f has a glyph for every character of text that is drawn (spaces
// and controls need none).
func Covers(f fyne.Resource, text string) bool {
	if f == nil {
		return false
	}
	parsedMu.Lock()
	defer parsedMu.Unlock()
	font, ok := parsed[f.Name()]
	if !ok {
		var err error
		if font, err = sfnt.Parse(f.Content()); err != nil {
			font = nil
		}
		parsed[f.Name()] = font
	}
	if font == nil {
		return false
	}
	var buf sfnt.Buffer
	for _, r := range text {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			continue
		}
		if g, err := font.GlyphIndex(&buf, r); err != nil || g == 0 {
			return false
		}
	}
	return true
}
