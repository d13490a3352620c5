package dicomwire_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"dossier/packager/dicomwire"
)

var syntaxes = []dicomwire.Syntax{dicomwire.ExplicitLE, dicomwire.ImplicitLE, dicomwire.ExplicitBE}

// FuzzWalk walks arbitrary bytes in every syntax: never a panic, only
// *dicomwire.Error for bad bytes, offsets inside the input, and no more
// memory than the input can justify.
func FuzzWalk(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, s := range syntaxes {
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			w := &dicomwire.Walker{Src: dicomwire.NewWindow(bytes.NewReader(b), int64(len(b))), Size: int64(len(b)), Syntax: s}
			w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
				if e.Offset < 0 || e.ValueOffset() > int64(len(b)) {
					t.Fatalf("element %s at %d+%d beyond %d", e.Tag, e.Offset, e.HeaderLen, len(b))
				}
				return dicomwire.Continue, nil
			}
			w.End = func(e *dicomwire.Element, end int64) error {
				if end > int64(len(b)) || end < e.ValueOffset() {
					t.Fatalf("element %s ends at %d (value at %d, input %d)", e.Tag, end, e.ValueOffset(), len(b))
				}
				return nil
			}
			end, err := w.Walk(0, int64(len(b)))
			runtime.ReadMemStats(&m1)
			var we *dicomwire.Error
			if err != nil && !errors.As(err, &we) {
				t.Fatalf("%v: error %v is not a *dicomwire.Error", s, err)
			}
			if err == nil && end != int64(len(b)) {
				t.Fatalf("%v: walk ended at %d of %d", s, end, len(b))
			}
			if we != nil && (we.Reason == "" || we.Offset < 0 || we.Offset > int64(len(b))) {
				t.Fatalf("%v: error %+v", s, we)
			}
			if a := m1.TotalAlloc - m0.TotalAlloc; a > uint64(4*len(b))+1<<20 {
				t.Fatalf("%v: %d bytes allocated for %d bytes of input", s, a, len(b))
			}
		}
		f := dicomwire.Fragments{Src: dicomwire.Bytes{B: b}, Off: 0, End: int64(len(b))}
		for f.Next() {
			if off, n := f.Value(); off+n > int64(len(b)) {
				t.Fatalf("fragment %d at %d+%d beyond %d", f.Index(), off, n, len(b))
			}
		}
		if err := f.Err(); err != nil && !errors.As(err, new(*dicomwire.Error)) {
			t.Fatalf("fragments: %v", err)
		}
	})
}

// node is an element of a generated dataset.
type node struct {
	tag       dicomwire.Tag
	vr        string
	val       []byte
	seq       bool
	undefined bool
	items     []item
	frags     [][]byte
}

type item struct {
	undefined bool
	elems     []node
}

// gen builds a dataset from fuzz bytes: element kinds, lengths and
// nesting are read from b.
type gen struct{ b []byte }

func (g *gen) next() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

// kinds are the elements a generated dataset may hold, in tag order.
var kinds = []struct {
	tag dicomwire.Tag
	vr  string
}{
	{dicomwire.SpecificCharacterSet, "CS"}, {dicomwire.SOPInstanceUID, "UI"}, {dicomwire.Modality, "CS"},
	{dicomwire.StudyDescription, "LO"}, {0x00081110, "SQ"}, {0x00081140, "SQ"}, {0x00091010, "UN"},
	{dicomwire.PatientName, "PN"}, {0x00190010, "LO"}, {0x00291010, "OB"}, {dicomwire.TextValue, "UT"},
	{dicomwire.ContentSequence, "SQ"}, {dicomwire.PixelData, "OB"},
}

func (g *gen) dataset(depth int, s dicomwire.Syntax) []node {
	var out []node
	k := 0
	for n := int(g.next() % 5); n > 0; n-- {
		k += int(g.next() % 4)
		if k >= len(kinds) {
			break
		}
		kind := kinds[k]
		k++
		switch {
		case kind.vr == "SQ":
			if depth >= 4 {
				continue
			}
			nd := node{tag: kind.tag, vr: "SQ", seq: true, undefined: g.next()&1 == 1}
			for i := int(g.next() % 3); i > 0; i-- {
				nd.items = append(nd.items, item{undefined: g.next()&1 == 1, elems: g.dataset(depth+1, s)})
			}
			out = append(out, nd)
		case kind.tag == dicomwire.PixelData:
			if depth > 0 || s.Implicit {
				continue
			}
			nd := node{tag: dicomwire.PixelData, vr: "OB"}
			for i := int(g.next() % 4); i > 0; i-- {
				nd.frags = append(nd.frags, bytes.Repeat([]byte{g.next()}, int(g.next()%9)))
			}
			out = append(out, nd)
		default:
			v := bytes.Repeat([]byte{'A' + g.next()%26}, int(g.next()%40))
			vr := kind.vr
			if s.Implicit {
				vr = dicomwire.DictVR(kind.tag)
			}
			out = append(out, node{tag: kind.tag, vr: vr, val: v})
		}
	}
	return out
}

func encode(t *testing.T, nodes []node, s dicomwire.Syntax) []byte {
	var b []byte
	var err error
	for _, n := range nodes {
		switch {
		case n.frags != nil || n.tag == dicomwire.PixelData:
			b = dicomwire.AppendEncapsulated(b, s, n.tag, n.vr, nil, n.frags)
		case n.seq:
			var body []byte
			for _, it := range n.items {
				inner := encode(t, it.elems, s)
				if it.undefined {
					body = dicomwire.AppendItem(body, s, dicomwire.UndefinedLength)
					body = append(body, inner...)
					body = dicomwire.AppendItemDelimiter(body, s)
				} else {
					body = dicomwire.AppendItem(body, s, uint32(len(inner)))
					body = append(body, inner...)
				}
			}
			if n.undefined {
				b, _ = dicomwire.AppendHeader(b, s, n.tag, "SQ", dicomwire.UndefinedLength)
				b = append(b, body...)
				b = dicomwire.AppendSequenceDelimiter(b, s)
			} else {
				b, _ = dicomwire.AppendHeader(b, s, n.tag, "SQ", uint32(len(body)))
				b = append(b, body...)
			}
		default:
			b, err = dicomwire.AppendElement(b, s, n.tag, n.vr, n.val)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return b
}

func expect(nodes []node, depth int, ev *[]string) {
	for _, n := range nodes {
		*ev = append(*ev, fmt.Sprintf("%d %s %s %d", depth, n.tag, n.vr, len(n.val)+len(n.val)%2))
		for i, it := range n.items {
			*ev = append(*ev, fmt.Sprintf("item %s %d", n.tag, i))
			expect(it.elems, depth+1, ev)
		}
		for _, f := range n.frags {
			*ev = append(*ev, fmt.Sprintf("fragment %d", len(f)+len(f)%2))
		}
	}
}

// FuzzRoundTrip writes a dataset generated from the fuzz bytes in every
// syntax, walks it back, and compares what was read with what was written.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, s := range syntaxes {
			g := &gen{b: in}
			nodes := g.dataset(0, s)
			b := encode(t, nodes, s)
			var want, got []string
			expect(nodes, 0, &want)
			w := &dicomwire.Walker{Src: dicomwire.Bytes{B: b}, Size: int64(len(b)), Syntax: s}
			w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
				n := e.Length
				if e.IsSequence() || e.Undefined() {
					n = 0
				}
				got = append(got, fmt.Sprintf("%d %s %s %d", e.Depth, e.Tag, e.VR, n))
				if e.Tag == dicomwire.PixelData {
					fr := dicomwire.Fragments{Src: w.Src, Syntax: s, Tag: e.Tag, Off: e.ValueOffset(), End: int64(len(b))}
					for fr.Next() {
						if _, n := fr.Value(); fr.Index() > 0 {
							got = append(got, fmt.Sprintf("fragment %d", n))
						}
					}
					if fr.Err() != nil || fr.Offset() != int64(len(b)) {
						t.Fatalf("%v: fragments: %v at %d of %d", s, fr.Err(), fr.Offset(), len(b))
					}
				}
				return dicomwire.Continue, nil
			}
			w.Item = func(seq *dicomwire.Element, i int, _ int64) error {
				got = append(got, fmt.Sprintf("item %s %d", seq.Tag, i))
				return nil
			}
			end, err := w.Walk(0, int64(len(b)))
			if err != nil || end != int64(len(b)) {
				t.Fatalf("%v: walk: %v at %d of %d\n% x", s, err, end, len(b), b)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("%v: read\n%s\nwrote\n%s", s, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	})
}

// seeds are inputs for both fuzz targets (the corpus in testdata/fuzz adds
// more).
func seeds(t testing.TB) [][]byte {
	return [][]byte{
		unhex(t, handDataset),
		unhex(t, "0800 6000 02000000 4354 1000 1000 08000000 446f655e4a616e65"),
		{4, 3, 2, 1, 0x83, 2, 1, 3, 5, 0, 9},
		{3, 10, 5, 0, 7, 17, 3, 2, 1, 9, 9, 5, 2},
		make([]byte, 64),
	}
}
