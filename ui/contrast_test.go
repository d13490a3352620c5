package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// TestWarningTextReadable: text in the warning, error and success colours (the warning under "No
// lock", a checklist item's "Missing", a wrong date, "The bundle is complete and intact") reads on
// the page and on the panels in both themes: 4.5:1 or more. Fyne's light orange was 1.8:1 on
// white, its red 3.7:1, its green 1.5:1.
func TestWarningTextReadable(t *testing.T) {
	checkContrast(t, []fyne.ThemeColorName{theme.ColorNameWarning, theme.ColorNameError, theme.ColorNameSuccess}, minTextContrast)
}

// TestControlOutlinesShow: the outline of a text field and of an unchosen radio button (the input
// border) stands out from the page and the panels in both themes: 3:1 or more (WCAG 1.4.11).
// Fyne's light one was 1.2:1, which left the unchosen options of a choice as blanks.
func TestControlOutlinesShow(t *testing.T) {
	checkContrast(t, []fyne.ThemeColorName{theme.ColorNameInputBorder}, minOutlineContrast)
}

// checkContrast checks each colour against the page and the panels, in the light and dark
// variants of Fyne's theme and of its test theme.
func checkContrast(t *testing.T, names []fyne.ThemeColorName, min float64) {
	t.Helper()
	for _, base := range []fyne.Theme{theme.DefaultTheme(), test.Theme()} {
		for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			th := &appTheme{base: base, forced: true, variant: v, scale: 1}
			for _, text := range names {
				for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground} {
					if c := contrast(th.Color(text, v), th.Color(bg, v)); c < min {
						t.Errorf("%T variant %d: %s on %s is %.1f:1", base, v, text, bg, c)
					}
				}
			}
		}
	}
	// The measure itself: black on white is 21:1.
	if c := contrast(color.Black, color.White); c < 20.9 || c > 21.1 {
		t.Errorf("black on white: %.2f:1", c)
	}
}
