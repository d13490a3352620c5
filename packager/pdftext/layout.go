package pdftext

import (
	"math"
	"slices"
	"strings"
	"unicode"
)

// layout rebuilds a page's text from its glyphs, as pdftotext does: glyphs
// of each text direction are grouped into lines by baseline, ordered left
// to right within a line, and words are split where the gap between glyphs
// is wider than a tenth of the font size. It fills Text and TextGlyph.
func layout(p *Page, limit int) {
	var b strings.Builder
	idx := make([]int32, 0, len(p.Glyphs)*2)
	order := make([]int, 0, len(p.Glyphs))
	for rot := uint8(0); rot < 4; rot++ {
		order = order[:0]
		for i := range p.Glyphs {
			if p.Glyphs[i].rot == rot && p.Glyphs[i].Text != "" {
				order = append(order, i)
			}
		}
		if len(order) == 0 {
			continue
		}
		g := p.Glyphs
		slices.SortStableFunc(order, func(a, b int) int {
			if c := cmpFloat(g[a].ly, g[b].ly); c != 0 {
				return c
			}
			return cmpFloat(g[a].lx, g[b].lx)
		})
		// Cut the sorted glyphs into lines where the baseline moves by
		// more than half the font size.
		for start := 0; start < len(order); {
			first := g[order[start]]
			end := start + 1
			for end < len(order) {
				h := g[order[end]]
				if h.ly-first.ly > 0.5*math.Max(math.Min(h.ls, first.ls), 1) {
					break
				}
				end++
			}
			line := order[start:end]
			slices.SortStableFunc(line, func(a, b int) int { return cmpFloat(g[a].lx, g[b].lx) })
			if !writeLine(&b, &idx, g, line, limit) {
				p.Truncated = true
				p.addProblem(ProblemTextTooLong, "")
				p.Text, p.TextGlyph = b.String(), idx
				return
			}
			start = end
		}
	}
	p.Text, p.TextGlyph = b.String(), idx
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// writeLine writes one line; false when the text limit is reached.
func writeLine(b *strings.Builder, idx *[]int32, g []Glyph, line []int, limit int) bool {
	wrote := false
	space := false
	end := math.Inf(-1)
	var prev *Glyph
	for _, i := range line {
		gl := &g[i]
		if isBlank(gl.Text) {
			space = wrote
			end = math.Max(end, gl.lx+gl.lw)
			continue
		}
		if prev != nil && prev.Text == gl.Text && math.Abs(prev.lx-gl.lx) < 0.1*gl.ls && math.Abs(prev.ly-gl.ly) < 0.1*gl.ls {
			continue // the same glyph drawn twice (fake bold)
		}
		gap := gl.lx - end
		size := gl.ls
		if prev != nil {
			size = prev.ls // as pdftotext: the size of the word so far
		}
		if wrote && (space || gap > 0.1*size || gap < -size) {
			b.WriteByte(' ')
			*idx = append(*idx, -1)
		}
		if b.Len()+len(gl.Text)+2 > limit {
			return false
		}
		b.WriteString(gl.Text)
		for range len(gl.Text) {
			*idx = append(*idx, int32(i))
		}
		wrote, space, prev = true, false, gl
		end = gl.lx + gl.lw
	}
	if wrote {
		b.WriteByte('\n')
		*idx = append(*idx, -1)
	}
	return true
}
