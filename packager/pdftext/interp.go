package pdftext

import (
	"math"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// matrix is a PDF transformation [a b c d e f]; a point is a row vector,
// so m.mul(n) applies m first, then n.
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
}

// IsOperator reports whether a KindOperator token is an operator rather
// than one of the keywords true, false and null (which are operands).
func IsOperator(raw []byte) bool {
	switch string(raw) {
	case "true", "false", "null":
		return false
	}
	return true
}

// walkPages lists the pages of the page tree, with their inherited
// attributes. A node met twice (a tree that points back to itself) is
// skipped, and the depth is bounded.
func (d *Document) walkPages() error {
	xr := d.pdf.XRefTable
	if xr.Root == nil {
		return ErrDamaged
	}
	cat := dictOf(d, *xr.Root)
	if cat == nil {
		return ErrDamaged
	}
	type node struct {
		o         types.Object
		depth     int
		resources types.Dict
		media     types.Array
		crop      types.Array
		rotate    types.Object
	}
	visited := map[int]bool{}
	stack := []node{{o: cat["Pages"]}}
	for len(stack) > 0 {
		if !d.step(1) {
			return d.err
		}
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ref, isRef := n.o.(types.IndirectRef)
		if isRef {
			if visited[int(ref.ObjectNumber)] {
				continue
			}
			visited[int(ref.ObjectNumber)] = true
		}
		dict := dictOf(d, n.o)
		if dict == nil || n.depth > 64 {
			continue
		}
		if r := dictOf(d, dict["Resources"]); r != nil {
			n.resources = r
		}
		if a := arrayOf(d, dict["MediaBox"]); len(a) == 4 {
			n.media = a
		}
		if a := arrayOf(d, dict["CropBox"]); len(a) == 4 {
			n.crop = a
		}
		if o, ok := dict["Rotate"]; ok {
			n.rotate = o
		}
		kids, hasKids := dict["Kids"]
		if t := nameOf(d, dict["Type"]); t == "Pages" || (t != "Page" && hasKids) {
			list := arrayOf(d, kids)
			for i := len(list) - 1; i >= 0; i-- {
				stack = append(stack, node{list[i], n.depth + 1, n.resources, n.media, n.crop, n.rotate})
			}
			continue
		}
		if len(d.pages) >= d.opts.MaxPages {
			return ErrBudget
		}
		info := pageInfo{dict: dict, resources: n.resources, box: [4]float64{0, 0, 612, 792}}
		if isRef {
			info.ref = ref
		}
		box := n.media
		if n.crop != nil {
			box = n.crop
		}
		if box != nil {
			var v [4]float64
			for i := range v {
				v[i], _ = numOf(d, box[i])
			}
			info.box = [4]float64{math.Min(v[0], v[2]), math.Min(v[1], v[3]), math.Max(v[0], v[2]), math.Max(v[1], v[3])}
		}
		if r, ok := numOf(d, n.rotate); ok {
			info.rotate = ((int(r)/90)%4 + 4) % 4 * 90
		}
		d.pages = append(d.pages, info)
	}
	return nil
}

// resolve follows indirect references (counted as steps).
func (d *Document) resolve(o types.Object) types.Object {
	for i := 0; i < 8; i++ {
		ref, ok := o.(types.IndirectRef)
		if !ok {
			return o
		}
		d.step(1)
		v, err := d.pdf.XRefTable.Dereference(ref)
		if err != nil {
			return nil
		}
		o = v
	}
	return nil
}

// stream returns the decoded content of a stream object.
func (d *Document) stream(o types.Object) ([]byte, bool) {
	sd, ok := d.resolve(o).(types.StreamDict)
	if !ok {
		return nil, false
	}
	if sd.Content != nil {
		return sd.Content, true
	}
	if !d.step(1 + len(sd.Raw)/4096) {
		return nil, false
	}
	sd.Content = nil
	data, err := sd.DecodeLengthWithLimit(-1, d.opts.MaxStreamBytes)
	if err != nil {
		return nil, false
	}
	return data, true
}

type gstate struct {
	ctm      matrix
	font     *font
	fontName string
	size     float64
	tc, tw   float64
	th, tl   float64
	rise     float64
}

type interp struct {
	d       *Document
	page    *Page
	gs      gstate
	stack   []gstate
	over    int // q operators past the stack limit, so Q stays balanced
	tm, tlm matrix
	view    matrix
	streams map[int]int
	active  map[int]bool
	depth   int
	forms   map[int][]byte
	cached  int64
	stop    bool
	local   map[string]*font
	path    pathState
}

// pathState is the path being built: where its first operator's operands
// start, its extent so far, and whether it is to be a clip.
type pathState struct {
	start int
	box   [4]float64
	open  bool
	clip  bool
	shape pathShape
}

// pathOp follows path construction and painting, recording each painted
// path (not clips) with its extent and byte range.
func (in *interp) pathOp(op string, ops []Token, src []byte, stream int, t Token) {
	ps := &in.path
	switch op {
	case "m", "l", "c", "v", "y", "re", "h":
		if !ps.open {
			start := t.Start
			if len(ops) > 0 {
				start = ops[0].Start
			}
			*ps = pathState{start: start, box: [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}, open: true}
		}
		ps.shape.add(op)
		var v []float64
		for _, o := range ops {
			if o.Kind == KindNumber {
				v = append(v, Number(o.Bytes(src)))
			}
		}
		var pts [][2]float64
		if op == "re" && len(v) == 4 {
			pts = [][2]float64{{v[0], v[1]}, {v[0] + v[2], v[1]}, {v[0], v[1] + v[3]}, {v[0] + v[2], v[1] + v[3]}}
		} else {
			for i := 0; i+1 < len(v); i += 2 {
				pts = append(pts, [2]float64{v[i], v[i+1]})
			}
		}
		for _, pt := range pts {
			x, y := in.gs.ctm.apply(pt[0], pt[1])
			ps.box = [4]float64{math.Min(ps.box[0], x), math.Min(ps.box[1], y), math.Max(ps.box[2], x), math.Max(ps.box[3], y)}
		}
	case "W", "W*":
		ps.clip = true
	case "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n":
		p := in.page
		if ps.open && !ps.clip && op != "n" && ps.box[0] <= ps.box[2] && len(p.Paths) < 1<<15 {
			ps.shape.fill = op != "S" && op != "s"
			p.Paths = append(p.Paths, Path{Stream: stream, Start: ps.start, End: t.End, Box: ps.box, shape: ps.shape})
		}
		*ps = pathState{}
	}
}

// fallback is the font used where a Tf names no font the resources hold:
// Helvetica in WinAnsiEncoding, as readers do.
func (d *Document) fallback() *font {
	if d.fallbackFont == nil {
		d.fallbackFont = &font{kind: fontSimple, defLen: 1, scale: 0.001, enc: winAnsi, base14: "Helvetica", widths: base14Widths("Helvetica"), cache: map[uint32]cachedText{}}
	}
	return d.fallbackFont
}

func newInterp(d *Document, p *Page) *interp {
	in := &interp{d: d, page: p, streams: map[int]int{}, active: map[int]bool{}, forms: map[int][]byte{}}
	in.gs = gstate{ctm: identity, th: 1}
	in.view = viewMatrix(p.Box, p.Rotate)
	return in
}

func (in *interp) streamIndex(ref types.IndirectRef, form bool) int {
	key := int(ref.ObjectNumber)
	if i, ok := in.streams[key]; ok {
		return i
	}
	in.page.Streams = append(in.page.Streams, Stream{Obj: key, Gen: int(ref.GenerationNumber), Form: form})
	in.streams[key] = len(in.page.Streams) - 1
	return len(in.page.Streams) - 1
}

func (in *interp) runPage(info pageInfo) {
	d := in.d
	contents := info.dict["Contents"]
	var refs []types.Object
	if a, ok := d.resolve(contents).(types.Array); ok {
		refs = a
	} else if contents != nil {
		refs = []types.Object{contents}
	}
	for _, o := range refs {
		if in.stop || d.err != nil {
			return
		}
		ref, ok := o.(types.IndirectRef)
		if !ok {
			continue
		}
		data, ok := d.stream(ref)
		if !ok {
			if d.err == nil {
				in.page.addProblem(ProblemDamaged, "")
			}
			continue
		}
		if len(in.page.Glyphs) == 0 {
			// About one glyph per byte of content, at most the cap; the
			// last page's array when that holds as many.
			if n := min(len(data), d.opts.MaxGlyphsPerPage, 1<<14); cap(d.spare) >= n {
				in.page.Glyphs, d.spare = d.spare[:0], nil
			} else {
				in.page.Glyphs = make([]Glyph, 0, n)
			}
		}
		in.run(data, in.streamIndex(ref, false), info.resources)
	}
	in.annotations(info)
}

// annotations draws the appearance streams of the page's annotations
// (filled-in form fields, free-text notes, stamps), as pdftotext does:
// each appearance's bounding box, through its matrix, is fitted to the
// annotation's rectangle. Hidden annotations are skipped.
func (in *interp) annotations(info pageInfo) {
	d := in.d
	annots := arrayOf(d, info.dict["Annots"])
	for i, o := range annots {
		if i >= 4096 || in.stop || d.err != nil {
			return
		}
		a := dictOf(d, o)
		if a == nil {
			continue
		}
		if f, ok := numOf(d, a["F"]); ok && int(f)&2 != 0 {
			continue
		}
		ap := dictOf(d, a["AP"])
		if ap == nil {
			continue
		}
		n := ap["N"]
		if states, ok := d.resolve(n).(types.Dict); ok {
			// An appearance per state (check boxes): the current one.
			n = states[nameOf(d, a["AS"])]
		}
		ref, ok := n.(types.IndirectRef)
		if !ok {
			continue
		}
		sd, ok := d.resolve(ref).(types.StreamDict)
		if !ok {
			continue
		}
		rect := arrayOf(d, a["Rect"])
		bb := arrayOf(d, sd.Dict["BBox"])
		if len(rect) != 4 || len(bb) != 4 {
			continue
		}
		var r, b [4]float64
		for k := range 4 {
			r[k], _ = numOf(d, rect[k])
			b[k], _ = numOf(d, bb[k])
		}
		m := identity
		if arr := arrayOf(d, sd.Dict["Matrix"]); len(arr) == 6 {
			for k := range m {
				m[k], _ = numOf(d, arr[k])
			}
		}
		tb := bbox(m, b[0], b[1], b[2], b[3])
		if tb[2]-tb[0] == 0 || tb[3]-tb[1] == 0 {
			continue
		}
		sx := (math.Max(r[0], r[2]) - math.Min(r[0], r[2])) / (tb[2] - tb[0])
		sy := (math.Max(r[1], r[3]) - math.Min(r[1], r[3])) / (tb[3] - tb[1])
		fit := matrix{sx, 0, 0, sy, math.Min(r[0], r[2]) - sx*tb[0], math.Min(r[1], r[3]) - sy*tb[1]}
		saved, savedStack := in.gs, len(in.stack)
		in.gs = gstate{ctm: fit, th: 1}
		in.drawForm(ref, sd, info.resources, true)
		in.gs, in.stack = saved, in.stack[:min(savedStack, len(in.stack))]
	}
}

// run interprets one content stream.
func (in *interp) run(src []byte, stream int, res types.Dict) {
	d := in.d
	lx := NewLexer(src)
	ops := make([]Token, 0, 16)
	op := 0
	in.local = nil
	in.path = pathState{}
	for !in.stop {
		if !d.step(1) {
			return
		}
		t := lx.Next()
		switch t.Kind {
		case KindEOF:
			return
		case KindComment:
			continue
		case KindInlineImage:
			in.picture(types.IndirectRef{}, true)
			ops = ops[:0]
			continue
		case KindOperator:
			raw := t.Bytes(src)
			if !IsOperator(raw) {
				break
			}
			in.pathOp(string(raw), ops, src, stream, t)
			in.do(string(raw), ops, src, stream, op, res)
			op++
			ops = ops[:0]
			continue
		}
		if len(ops) < 1<<14 {
			ops = append(ops, t)
		}
	}
}

func nums(ops []Token, src []byte, n int) ([]float64, bool) {
	if len(ops) < n {
		return nil, false
	}
	v := make([]float64, n)
	for i, t := range ops[len(ops)-n:] {
		if t.Kind != KindNumber {
			return nil, false
		}
		v[i] = Number(t.Bytes(src))
	}
	return v, true
}

func (in *interp) do(op string, ops []Token, src []byte, stream, opIndex int, res types.Dict) {
	gs := &in.gs
	switch op {
	case "q":
		if len(in.stack) < 1024 {
			in.stack = append(in.stack, *gs)
		} else {
			in.over++
		}
	case "Q":
		if in.over > 0 {
			in.over--
		} else if len(in.stack) > 0 {
			*gs = in.stack[len(in.stack)-1]
			in.stack = in.stack[:len(in.stack)-1]
		}
	case "cm":
		if v, ok := nums(ops, src, 6); ok {
			gs.ctm = matrix{v[0], v[1], v[2], v[3], v[4], v[5]}.mul(gs.ctm)
		}
	case "BT":
		in.tm, in.tlm = identity, identity
	case "Tc":
		if v, ok := nums(ops, src, 1); ok {
			gs.tc = v[0]
		}
	case "Tw":
		if v, ok := nums(ops, src, 1); ok {
			gs.tw = v[0]
		}
	case "Tz":
		if v, ok := nums(ops, src, 1); ok {
			gs.th = v[0] / 100
		}
	case "TL":
		if v, ok := nums(ops, src, 1); ok {
			gs.tl = v[0]
		}
	case "Ts":
		if v, ok := nums(ops, src, 1); ok {
			gs.rise = v[0]
		}
	case "Tf":
		if len(ops) >= 2 && ops[len(ops)-2].Kind == KindName && ops[len(ops)-1].Kind == KindNumber {
			name := NameValue(ops[len(ops)-2].Bytes(src))
			gs.font, gs.fontName = in.font(res, name), name
			gs.size = Number(ops[len(ops)-1].Bytes(src))
		}
	case "Td":
		if v, ok := nums(ops, src, 2); ok {
			in.td(v[0], v[1])
		}
	case "TD":
		if v, ok := nums(ops, src, 2); ok {
			gs.tl = -v[1]
			in.td(v[0], v[1])
		}
	case "Tm":
		if v, ok := nums(ops, src, 6); ok {
			in.tm = matrix{v[0], v[1], v[2], v[3], v[4], v[5]}
			in.tlm = in.tm
		}
	case "T*":
		in.td(0, -gs.tl)
	case "Tj":
		if len(ops) > 0 {
			in.show(ops[len(ops)-1], src, stream, opIndex)
		}
	case "'":
		in.td(0, -gs.tl)
		if len(ops) > 0 {
			in.show(ops[len(ops)-1], src, stream, opIndex)
		}
	case "\"":
		if len(ops) >= 3 {
			if v, ok := nums(ops[:len(ops)-1], src, 2); ok {
				gs.tw, gs.tc = v[0], v[1]
			}
			in.td(0, -gs.tl)
			in.show(ops[len(ops)-1], src, stream, opIndex)
		}
	case "TJ":
		for _, t := range ops {
			switch t.Kind {
			case KindString, KindHexString:
				in.show(t, src, stream, opIndex)
			case KindNumber:
				tx := -Number(t.Bytes(src)) / 1000 * gs.size * gs.th
				if gs.font != nil && gs.font.vertical {
					in.tm = matrix{1, 0, 0, 1, 0, -Number(t.Bytes(src)) / 1000 * gs.size}.mul(in.tm)
				} else {
					in.tm = matrix{1, 0, 0, 1, tx, 0}.mul(in.tm)
				}
			}
		}
	case "Do":
		if len(ops) > 0 && ops[len(ops)-1].Kind == KindName {
			in.xobject(res, NameValue(ops[len(ops)-1].Bytes(src)))
		}
	}
}

func (in *interp) td(tx, ty float64) {
	in.tlm = matrix{1, 0, 0, 1, tx, ty}.mul(in.tlm)
	in.tm = in.tlm
}

// font returns the font of a resource name.
func (in *interp) font(res types.Dict, name string) *font {
	d := in.d
	fonts := dictOf(d, res["Font"])
	if fonts == nil {
		return d.fallback()
	}
	o, ok := fonts[name]
	if !ok {
		return d.fallback()
	}
	if ref, ok := o.(types.IndirectRef); ok {
		if f, ok := d.fonts[int(ref.ObjectNumber)]; ok {
			return f
		}
		fd := dictOf(d, ref)
		if fd == nil {
			return d.fallback()
		}
		f := loadFont(d, fd, d.step)
		d.fonts[int(ref.ObjectNumber)] = f
		return f
	}
	if in.local == nil {
		in.local = map[string]*font{}
	}
	if f, ok := in.local[name]; ok {
		return f
	}
	fd := dictOf(d, o)
	if fd == nil {
		return d.fallback()
	}
	f := loadFont(d, fd, d.step)
	in.local[name] = f
	return f
}

// show draws the glyphs of one string token.
func (in *interp) show(t Token, src []byte, stream, opIndex int) {
	if t.Kind != KindString && t.Kind != KindHexString {
		return
	}
	d, gs, p := in.d, &in.gs, in.page
	f := gs.font
	if f == nil {
		f = d.fallback()
	}
	s := DecodeString(t.Bytes(src))
	for i := 0; i < len(s) && !in.stop; {
		if !d.step(1) {
			return
		}
		code, n := f.nextCode(s[i:])
		text, known := f.text(code, s[i:i+n])
		w0 := f.width(code) * f.scale
		trm := matrix{gs.size * gs.th, 0, 0, gs.size, 0, gs.rise}.mul(in.tm).mul(gs.ctm)
		var tx, ty float64
		if f.vertical {
			ty = -gs.size + gs.tc
			if n == 1 && code == 32 {
				ty += gs.tw
			}
		} else {
			tx = (w0*gs.size + gs.tc) * gs.th
			if n == 1 && code == 32 {
				tx += gs.tw * gs.th
			}
		}
		if len(p.Glyphs) >= d.opts.MaxGlyphsPerPage {
			p.Truncated = true
			p.addProblem(ProblemTooManyGlyphs, "")
			in.stop = true
			return
		}
		d.glyphs++
		if d.glyphs > d.opts.MaxGlyphs {
			d.err = ErrBudget
			in.stop = true
			return
		}
		g := Glyph{Text: text, Size: hypot(trm[2], trm[3]), Font: gs.fontName,
			Stream: stream, Op: opIndex, Start: t.Start, End: t.End, Code: i, CodeLen: n}
		g.X, g.Y = trm.apply(0, 0)
		if f.vertical {
			g.Box = bbox(trm, -0.5, -1, 0.5, 0)
		} else {
			g.Box = bbox(trm, 0, -0.25, w0, 0.9)
		}
		if gs.size != 0 && gs.th != 0 {
			if f.vertical {
				g.Kern = -ty / gs.size * 1000
			} else {
				g.Kern = -tx / (gs.size * gs.th) * 1000
			}
		}
		// The glyph on the displayed page, for the layout.
		full := trm.mul(in.view)
		vx, vy := full.apply(0, 0)
		dx, dy := full[0], full[1]
		if f.vertical {
			dx, dy = -full[2], -full[3]
		}
		switch {
		case math.Abs(dx) >= math.Abs(dy) && dx >= 0:
			g.rot, g.lx, g.ly = 0, vx, vy
		case math.Abs(dx) >= math.Abs(dy):
			g.rot, g.lx, g.ly = 2, -vx, -vy
		case dy > 0:
			g.rot, g.lx, g.ly = 1, vy, -vx
		default:
			g.rot, g.lx, g.ly = 3, -vy, vx
		}
		// The advance on the displayed page: the text space advance
		// through the glyph's matrix.
		if f.vertical {
			in.tm = matrix{1, 0, 0, 1, 0, ty}.mul(in.tm)
			if gs.size != 0 {
				g.lw = math.Abs(ty/gs.size) * hypot(full[2], full[3])
			}
		} else {
			in.tm = matrix{1, 0, 0, 1, tx, 0}.mul(in.tm)
			if gs.size*gs.th != 0 {
				g.lw = math.Abs(tx/(gs.size*gs.th)) * hypot(full[0], full[1])
			}
		}
		g.ls = math.Abs(g.Size)
		if g.ls == 0 {
			g.ls = 1
		}
		switch {
		case f.problem != "":
			p.addProblem(f.problem, gs.fontName)
		case !known:
			p.addProblem(ProblemUnmappedGlyphs, gs.fontName)
		}
		p.Glyphs = append(p.Glyphs, g)
		i += n
	}
}

// bbox bounds the rectangle x0,y0 - x1,y1 through m. A corner's x is
// x*m[0] + y*m[2] + m[4] (as apply computes it): its least is the least of
// the x*m[0] plus the least of the y*m[2], which are products apply
// computes too, so the bounds are those of the four corners (exactly,
// unless the compiler fuses apply's products with its sums, as it may on
// arm64).
func bbox(m matrix, x0, y0, x1, y1 float64) [4]float64 {
	ax0, ax1 := order(x0*m[0], x1*m[0])
	cx0, cx1 := order(y0*m[2], y1*m[2])
	by0, by1 := order(x0*m[1], x1*m[1])
	dy0, dy1 := order(y0*m[3], y1*m[3])
	return [4]float64{ax0 + cx0 + m[4], by0 + dy0 + m[5], ax1 + cx1 + m[4], by1 + dy1 + m[5]}
}

// order returns a and b, the lesser first (min and max, NaN as they take
// it).
func order(a, b float64) (float64, float64) {
	return min(a, b), max(a, b)
}

// hypot is math.Hypot, without its work when one side is 0 (a glyph drawn
// upright or turned by a right angle), where it is the other's absolute
// value exactly.
func hypot(p, q float64) float64 {
	switch {
	case p == 0:
		return math.Abs(q)
	case q == 0:
		return math.Abs(p)
	}
	return math.Hypot(p, q)
}

// xobject draws an XObject: a Form is interpreted with its matrix and
// resources (nesting and cycles bounded), an image is counted.
func (in *interp) xobject(res types.Dict, name string) {
	d := in.d
	xobjs := dictOf(d, res["XObject"])
	if xobjs == nil {
		return
	}
	o := xobjs[name]
	ref, ok := o.(types.IndirectRef)
	if !ok {
		return
	}
	sd, ok := d.resolve(ref).(types.StreamDict)
	if !ok {
		return
	}
	switch nameOf(d, sd.Dict["Subtype"]) {
	case "Image":
		in.picture(ref, false)
		return
	case "Form":
	default:
		return
	}
	in.drawForm(ref, sd, res, false)
}

// drawForm interprets a Form XObject (or an annotation's appearance) with
// its matrix and resources; nesting and cycles are bounded.
func (in *interp) drawForm(ref types.IndirectRef, sd types.StreamDict, res types.Dict, annot bool) {
	d := in.d
	// Entering a form costs more than a token: fan-out bombs (forms that
	// draw forms many times over) reach the budget sooner.
	if !d.step(64) {
		return
	}
	key := int(ref.ObjectNumber)
	if in.active[key] || in.depth >= d.opts.MaxFormDepth {
		in.page.addProblem(ProblemFormDepth, "")
		return
	}
	data, ok := in.forms[key]
	if !ok {
		data, ok = d.stream(ref)
		if !ok {
			if d.err == nil {
				in.page.addProblem(ProblemDamaged, "")
			}
			return
		}
		if in.cached+int64(len(data)) <= d.opts.MaxStreamBytes {
			in.forms[key] = data
			in.cached += int64(len(data))
		}
	}
	m := identity
	if a := arrayOf(d, sd.Dict["Matrix"]); len(a) == 6 {
		for i := range m {
			m[i], _ = numOf(d, a[i])
		}
	}
	formRes := dictOf(d, sd.Dict["Resources"])
	if formRes == nil {
		formRes = res
	}
	saved, savedStack, savedOver, savedLocal := in.gs, len(in.stack), in.over, in.local
	savedTm, savedTlm := in.tm, in.tlm
	in.gs.ctm = m.mul(in.gs.ctm)
	in.active[key] = true
	in.depth++
	idx := in.streamIndex(ref, true)
	in.page.Streams[idx].Annot = in.page.Streams[idx].Annot || annot
	in.run(data, idx, formRes)
	in.depth--
	delete(in.active, key)
	in.gs, in.stack, in.over, in.local = saved, in.stack[:min(savedStack, len(in.stack))], savedOver, savedLocal
	in.tm, in.tlm = savedTm, savedTlm
}

// picture records an image drawn with the current matrix.
func (in *interp) picture(ref types.IndirectRef, inline bool) {
	p := in.page
	p.Images++
	if len(p.Pictures) >= 4096 {
		return
	}
	m := in.gs.ctm
	p.Pictures = append(p.Pictures, Picture{Obj: int(ref.ObjectNumber), Gen: int(ref.GenerationNumber), Inline: inline, CTM: m, Box: bbox(m, 0, 0, 1, 1)})
}
