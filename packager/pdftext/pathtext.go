package pdftext

import (
	"math"
	"sort"
)

// pathShape is what a painted path was built of, enough to tell a glyph
// outline from a rule, a box or a chart.
type pathShape struct {
	fill     bool // painted by a fill (f, F, f*, B, B*, b, b*), not only stroked
	curves   int  // c, v and y segments
	lines    int  // l segments
	subpaths int  // m operators
	rects    int  // re operators
}

func (s *pathShape) add(op string) {
	switch op {
	case "c", "v", "y":
		s.curves++
	case "l":
		s.lines++
	case "m":
		s.subpaths++
	case "re":
		s.rects++
	}
}

// glyphLike reports whether a path looks like one glyph drawn as its
// outline: filled, built of curves or several lines (no rectangles), and
// of the size and proportions of a letter of 3 to 60 points.
func (p *Path) glyphLike() bool {
	s := p.shape
	w, h := p.Box[2]-p.Box[0], p.Box[3]-p.Box[1]
	return s.fill && s.rects == 0 && (s.curves > 0 || s.lines >= 3) &&
		h >= 2 && h <= 60 && w > 0 && w <= 2*h+1
}

// The least run of glyph-like paths that counts as writing, and the least
// number of different shapes in it (a row of identical chart markers is
// no word).
const (
	minPathGlyphs = 4
	minPathShapes = 3
	maxPathGlyphs = 4096
)

// textAsPaths reports whether paths hold writing drawn as outlines: a run
// of at least minPathGlyphs glyph-like paths side by side on one line
// (each overlapping the next vertically, the gap between them less than
// about a letter's height), of at least minPathShapes different shapes.
// Text converted to outlines, a signature's lettering or a name typed into
// a drawing program look like this; a table's rules, boxes, a logo of one
// shape or a chart's markers do not.
func textAsPaths(paths []Path) bool {
	var gs []Path
	for i := range paths {
		if paths[i].glyphLike() {
			gs = append(gs, paths[i])
			if len(gs) == maxPathGlyphs {
				break
			}
		}
	}
	if len(gs) < minPathGlyphs {
		return false
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].Box[0] < gs[j].Box[0] })
	for start := range gs {
		cur := start
		shapes := map[[4]int]bool{gs[cur].shapeKey(): true}
		n := 1
		for {
			next := nextInRow(gs, cur)
			if next < 0 {
				break
			}
			cur = next
			n++
			shapes[gs[cur].shapeKey()] = true
			if n >= minPathGlyphs && len(shapes) >= minPathShapes {
				return true
			}
		}
	}
	return false
}

// nextInRow returns the glyph-like path that follows gs[i] on its line
// (gs sorted by left edge): the nearest to its right that overlaps it
// vertically by 40% of the smaller height, at most about a letter's height
// away; -1 when there is none.
func nextInRow(gs []Path, i int) int {
	a := gs[i].Box
	ha := a[3] - a[1]
	for j := i + 1; j < len(gs); j++ {
		b := gs[j].Box
		hb := b[3] - b[1]
		if b[0] > a[2]+1.2*math.Max(ha, hb) {
			return -1
		}
		if b[0] <= a[0] {
			continue
		}
		overlap := math.Min(a[3], b[3]) - math.Max(a[1], b[1])
		if overlap >= 0.4*math.Min(ha, hb) && b[0] >= a[2]-0.3*math.Min(ha, hb) {
			return j
		}
	}
	return -1
}

// shapeKey tells shapes apart: size to half a point and how it was built.
func (p *Path) shapeKey() [4]int {
	return [4]int{int(math.Round(2 * (p.Box[2] - p.Box[0]))), int(math.Round(2 * (p.Box[3] - p.Box[1]))), p.shape.curves, p.shape.lines}
}
