package redact

import (
	"fmt"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"dossier/assets"
)

// labelFonts are the fonts a label outside Latin-1 is drawn with, as
// outlines (no font is embedded, and the label is no text a reader could
// copy): DejaVu Sans for Latin, Greek and Cyrillic, then Droid Sans
// Fallback for Chinese and Japanese, both from the fonts the cover embeds.
var labelFonts = sync.OnceValue(func() []*sfnt.Font {
	var out []*sfnt.Font
	for _, name := range []string{assets.FontSans, assets.FontCJK} {
		b, err := assets.Fonts.ReadFile(name)
		if err != nil {
			continue
		}
		if f, err := sfnt.Parse(b); err == nil {
			out = append(out, f)
		}
	}
	return out
})

// outlineUnits is the scale glyphs are read at: coordinates are in
// thousandths of the font size.
const outlineUnits = 1000

// outlineLabel returns the label as PDF path operators (to fill) at a
// font size of 1000 units, with the baseline at y=0 from x=0, and its
// advance width in those units; ok is false when a character is in no
// label font.
func outlineLabel(label string) (path string, width float64, ok bool) {
	fonts := labelFonts()
	if len(fonts) == 0 || label == "" {
		return "", 0, false
	}
	var buf sfnt.Buffer
	var b strings.Builder
	ppem := fixed.I(outlineUnits)
	x := 0.0
	for _, r := range label {
		var f *sfnt.Font
		var gi sfnt.GlyphIndex
		for _, cand := range fonts {
			if g, err := cand.GlyphIndex(&buf, r); err == nil && g != 0 {
				f, gi = cand, g
				break
			}
		}
		if f == nil {
			if r == ' ' {
				x += outlineUnits / 3
				continue
			}
			return "", 0, false
		}
		segs, err := f.LoadGlyph(&buf, gi, ppem, nil)
		if err != nil {
			return "", 0, false
		}
		pt := func(p fixed.Point26_6) (float64, float64) {
			return x + float64(p.X)/64, -float64(p.Y) / 64 // sfnt's y grows downwards
		}
		var cx, cy float64
		for _, s := range segs {
			switch s.Op {
			case sfnt.SegmentOpMoveTo:
				cx, cy = pt(s.Args[0])
				fmt.Fprintf(&b, "%s %s m\n", num(cx), num(cy))
			case sfnt.SegmentOpLineTo:
				cx, cy = pt(s.Args[0])
				fmt.Fprintf(&b, "%s %s l\n", num(cx), num(cy))
			case sfnt.SegmentOpQuadTo:
				qx, qy := pt(s.Args[0])
				ex, ey := pt(s.Args[1])
				fmt.Fprintf(&b, "%s %s %s %s %s %s c\n", num(cx+2*(qx-cx)/3), num(cy+2*(qy-cy)/3), num(ex+2*(qx-ex)/3), num(ey+2*(qy-ey)/3), num(ex), num(ey))
				cx, cy = ex, ey
			case sfnt.SegmentOpCubeTo:
				ax, ay := pt(s.Args[0])
				bx, by := pt(s.Args[1])
				cx, cy = pt(s.Args[2])
				fmt.Fprintf(&b, "%s %s %s %s %s %s c\n", num(ax), num(ay), num(bx), num(by), num(cx), num(cy))
			}
		}
		adv, err := f.GlyphAdvance(&buf, gi, ppem, font.HintingNone)
		if err != nil {
			return "", 0, false
		}
		x += float64(adv) / 64
	}
	return b.String(), x, true
}
