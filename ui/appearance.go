package ui

import (
	"image/color"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"dossier/ui/internal/kit"
)

// Preferences of the look of the app (Settings), and of what it remembers between runs.
const (
	prefTheme        = "theme"    // "" (follow the system), "light" or "dark"
	prefTextSize     = "textSize" // a multiplier of Fyne's text sizes, 1 by default
	prefWindowWidth  = "windowWidth"
	prefWindowHeight = "windowHeight"
	prefLastFolder   = "lastFolder"
	prefGuideSeen    = "guidanceSeen"
)

// textSizes are the text-size choices in Settings.
var textSizes = []struct {
	key, name string
	scale     float64
}{
	{"settings.textsize.small", "Small", 0.9},
	{"settings.textsize.normal", "Normal", 1},
	{"settings.textsize.large", "Large", 1.2},
	{"settings.textsize.larger", "Larger", 1.4},
}

// appTheme wraps Fyne's theme: a forced light or dark variant, text sizes scaled, and a font that has
// Chinese and Japanese characters when the app is shown in such a language. Fyne 2.7 has no call to
// change its scale while running, so the text size is a multiplier in the theme.
type appTheme struct {
	base    fyne.Theme
	variant fyne.ThemeVariant
	forced  bool
	scale   float32
	font    fyne.Resource // nil: Fyne's own
	bold    fyne.Resource // the bold face beside font (nil: font for bold text too)
}

func (t *appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.forced {
		v = t.variant
	}
	switch n {
	case theme.ColorNameFocus, theme.ColorNameHover:
		// Fyne tints a focused select, check or list row with these at a sixth of the primary
		// colour or less, which cannot be seen: a third or more of the primary colour can.
		return focusTint(t.base.Color(theme.ColorNamePrimary, v), n == theme.ColorNameFocus)
	case theme.ColorNameWarning, theme.ColorNameError, theme.ColorNameSuccess:
		// Warnings, "Missing" and "complete and intact" are written in these colours, on the page
		// and on the panels: Fyne's light orange is 1.8:1 on them, its red 3.7:1 and its green
		// 1.5:1, too faint to read; they are darkened (or, on a dark page, lightened) to the 4.5:1
		// that text needs (WCAG AA).
		c := t.base.Color(n, v)
		for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground} {
			c = readableOn(c, t.base.Color(bg, v), minTextContrast)
		}
		return c
	case theme.ColorNameInputBorder:
		// The outline of a text field and of an unchosen radio button: Fyne's is 1.2:1 on the light
		// page, which leaves an unchosen option a blank; a control's outline needs 3:1 (WCAG 1.4.11).
		c := t.base.Color(n, v)
		for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground} {
			c = readableOn(c, t.base.Color(bg, v), minOutlineContrast)
		}
		return c
	}
	return t.base.Color(n, v)
}

// minTextContrast is the contrast ratio text needs against what is behind it (WCAG AA), and
// minOutlineContrast what the outline of a control needs (WCAG 1.4.11, non-text contrast).
const (
	minTextContrast    = 4.5
	minOutlineContrast = 3
)

// readableOn returns c, drawn opaque over bg and then darkened on a light background or lightened
// on a dark one, in small steps until it has min contrast against bg.
func readableOn(c, bg color.Color, min float64) color.Color {
	n := over(color.NRGBAModel.Convert(c).(color.NRGBA), color.NRGBAModel.Convert(bg).(color.NRGBA))
	light := luminance(bg) > 0.5
	for i := 0; i < 40 && contrast(n, bg) < min; i++ {
		if light {
			n.R, n.G, n.B = uint8(float64(n.R)*0.95), uint8(float64(n.G)*0.95), uint8(float64(n.B)*0.95)
		} else {
			n.R, n.G, n.B = n.R+(255-n.R)/10+1, n.G+(255-n.G)/10+1, n.B+(255-n.B)/10+1
		}
	}
	return n
}

// over is c drawn over the opaque colour bg: opaque, as it shows.
func over(c, bg color.NRGBA) color.NRGBA {
	if c.A == 0xff {
		return c
	}
	mix := func(a, b uint8) uint8 { return uint8((int(a)*int(c.A) + int(b)*(255-int(c.A)) + 127) / 255) }
	return color.NRGBA{R: mix(c.R, bg.R), G: mix(c.G, bg.G), B: mix(c.B, bg.B), A: 0xff}
}

// luminance is the relative luminance of c (WCAG), from 0 (black) to 1 (white).
func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// contrast is the contrast ratio of two colours (WCAG), from 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// focusTint is the primary colour, half opaque for focus and a third for hover (a focused list
// row is drawn with the hover colour).
func focusTint(primary color.Color, focus bool) color.Color {
	c := color.NRGBAModel.Convert(primary).(color.NRGBA)
	c.A = 0x55
	if focus {
		c.A = 0x80
	}
	return c
}

func (t *appTheme) Font(s fyne.TextStyle) fyne.Resource {
	if t.font != nil && !s.Monospace && !s.Symbol {
		if s.Bold && t.bold != nil {
			return t.bold
		}
		return t.font
	}
	return t.base.Font(s)
}

func (t *appTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

func (t *appTheme) Size(n fyne.ThemeSizeName) float32 {
	s := t.base.Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameCaptionText,
		theme.SizeNameInlineIcon:
		return s * t.scale
	}
	return s
}

// applyAppearance sets the app's theme from the preferences.
func applyAppearance(a fyne.App) {
	if a == nil {
		return
	}
	p := a.Preferences()
	base := a.Settings().Theme()
	if at, ok := base.(*appTheme); ok {
		base = at.base
	}
	if base == nil {
		base = theme.DefaultTheme()
	}
	t := &appTheme{base: base, scale: float32(p.FloatWithFallback(prefTextSize, 1))}
	if t.scale < 0.5 || t.scale > 3 {
		t.scale = 1
	}
	switch p.String(prefTheme) {
	case "light":
		t.forced, t.variant = true, theme.VariantLight
	case "dark":
		t.forced, t.variant = true, theme.VariantDark
	}
	if l := currentLanguage(); strings.HasPrefix(l, "zh") || strings.HasPrefix(l, "ja") {
		t.font, t.bold = kit.CJKFonts()
	}
	a.Settings().SetTheme(t) // always: the focus colours are the app's own
}
