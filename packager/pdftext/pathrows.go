package pdftext

import "sort"

// DrawnWriting returns, in user space, the boxes of the rows of writing
// drawn as vector outlines on page p: each a run of glyph-like paths side
// by side, as ProblemTextAsPaths finds them. They are where a reader who
// cannot read that writing must look (a signature, a name converted to
// outlines).
func DrawnWriting(p *Page) [][4]float64 {
	var gs []Path
	for i := range p.Paths {
		if p.Paths[i].glyphLike() {
			gs = append(gs, p.Paths[i])
			if len(gs) == maxPathGlyphs {
				break
			}
		}
	}
	if len(gs) < minPathGlyphs {
		return nil
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].Box[0] < gs[j].Box[0] })
	used := make([]bool, len(gs))
	var out [][4]float64
	for start := range gs {
		if used[start] {
			continue
		}
		row := []int{start}
		shapes := map[[4]int]bool{gs[start].shapeKey(): true}
		for cur := start; ; {
			next := nextInRow(gs, cur)
			if next < 0 || used[next] {
				break
			}
			row = append(row, next)
			shapes[gs[next].shapeKey()] = true
			cur = next
		}
		if len(row) < minPathGlyphs || len(shapes) < minPathShapes {
			continue
		}
		box := gs[start].Box
		for _, i := range row {
			used[i] = true
			b := gs[i].Box
			box = [4]float64{min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3])}
		}
		out = append(out, box)
	}
	return out
}
