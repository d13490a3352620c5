package cover

import (
	"bytes"
	"context"
	"math"
	"testing"
	"time"
	"unicode"

	"dossier/packager/checklist"
	"dossier/packager/i18n"
	"dossier/packager/pdftext"
	"dossier/packager/privacy"
)

// mixedLine is a line of Chinese with Latin numbers, a date and a code in it.
const mixedLine = "张三 2026-01-20 HER2 阳性"

// TestMixedScriptsShareABaseline: on the Chinese cover and letter, the Latin runs of a line ("1.",
// a date, "HER2") sit on the same baseline as the Chinese characters beside them (pdfcpu places a
// run's font box, not its baseline, at the position given, and the two fonts' boxes differ).
func TestMixedScriptsShareABaseline(t *testing.T) {
	s := fullSummary(t, privacy.Identified, "王小明")
	s.Language = i18n.ChineseSimplified
	s.Questions = []string{mixedLine}
	var cover bytes.Buffer
	if err := WriteSummary(context.Background(), &cover, s); err != nil {
		t.Fatal(err)
	}
	l := Letter{Language: i18n.ChineseSimplified, Report: lungReport(t), Date: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC),
		Details: checklist.Details{Patient: checklist.Patient{Name: mixedLine, BirthDate: "1961-02-03", ID: "H123"}}}
	var letter bytes.Buffer
	if err := WriteLetter(context.Background(), &letter, l); err != nil {
		t.Fatal(err)
	}
	for _, doc := range []struct {
		name string
		pdf  []byte
	}{{"cover", cover.Bytes()}, {"letter", letter.Bytes()}} {
		mixed, found := 0, false
		d, err := pdftext.Open(context.Background(), bytes.NewReader(doc.pdf), pdftext.Options{})
		if err != nil {
			t.Fatalf("%s: %v", doc.name, err)
		}
		for n := 1; n <= d.NumPages(); n++ {
			p, err := d.Page(n)
			if err != nil {
				t.Fatalf("%s page %d: %v", doc.name, n, err)
			}
			for _, line := range glyphLines(p.Glyphs) {
				var han, latin []pdftext.Glyph
				text := ""
				for _, g := range line {
					text += g.Text
					for _, r := range g.Text {
						switch {
						case unicode.Is(unicode.Han, r):
							han = append(han, g)
						case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
							latin = append(latin, g)
						}
						break
					}
				}
				if len(han) == 0 || len(latin) == 0 {
					continue
				}
				mixed++
				found = found || bytes.Contains([]byte(text), []byte("HER2"))
				// Every glyph's origin on the line is on one baseline, within a tenth of a point.
				for _, h := range han {
					for _, g := range latin {
						if math.Abs(h.Y-g.Y) > 0.1 {
							t.Errorf("%s page %d, %q: %q at y %.2f, %q at y %.2f", doc.name, n, text, h.Text, h.Y, g.Text, g.Y)
							goto nextLine
						}
					}
				}
			nextLine:
			}
		}
		if mixed == 0 || !found {
			t.Errorf("%s: %d lines of mixed Chinese and Latin, the test line found %v", doc.name, mixed, found)
		}
	}
}

// glyphLines groups glyphs into lines: glyphs whose origins are within half their size of each
// other vertically are on one line (the baselines compared are what the test is about).
func glyphLines(gs []pdftext.Glyph) [][]pdftext.Glyph {
	var lines [][]pdftext.Glyph
	var ys []float64
next:
	for _, g := range gs {
		for i, y := range ys {
			if math.Abs(g.Y-y) < g.Size/2 {
				lines[i] = append(lines[i], g)
				continue next
			}
		}
		ys = append(ys, g.Y)
		lines = append(lines, []pdftext.Glyph{g})
	}
	return lines
}
