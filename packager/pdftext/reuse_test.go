package pdftext

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"

	"dossier/internal/fixture/docfix"
)

// TestReuseGlyphs: reading with ReuseGlyphs gives every page the same
// text and glyphs as without, on every fixture and on pages of different
// lengths (a longer page after a shorter one outgrows the reused array);
// a page kept past the function has no glyphs rather than the next page's.
func TestReuseGlyphs(t *testing.T) {
	docs := map[string][]byte{
		"lengths": docfix.PDFCompressed([]string{"short"}, []string{"a much longer second page", "with two lines of text"}, []string{"x"}),
	}
	for _, f := range fixtures() {
		docs[f.name] = f.data
	}
	for name, data := range docs {
		type seen struct {
			text   string
			glyphs []Glyph
		}
		read := func(reuse bool) ([]seen, []*Page) {
			var out []seen
			var kept []*Page
			err := Read(context.Background(), bytes.NewReader(data), int64(len(data)), Options{ReuseGlyphs: reuse}, func(p *Page) error {
				out = append(out, seen{p.Text, append([]Glyph(nil), p.Glyphs...)})
				kept = append(kept, p)
				return nil
			})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return out, kept
		}
		fresh, _ := read(false)
		reused, kept := read(true)
		if !reflect.DeepEqual(fresh, reused) {
			t.Errorf("%s: pages read reusing glyphs differ", name)
		}
		for _, p := range kept {
			if p.Glyphs != nil {
				t.Errorf("%s: page %d kept its glyphs after the function", name, p.Number)
			}
		}
	}
}

// TestBBox: bbox bounds the four corners of the rectangle through the
// matrix, for upright, turned, skewed and mirrored matrices (exactly where
// the compiler does not fuse a product with its sum, as on amd64).
func TestBBox(t *testing.T) {
	corners := func(m matrix, x0, y0, x1, y1 float64) [4]float64 {
		b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for _, c := range [4][2]float64{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
			x, y := m.apply(c[0], c[1])
			b[0], b[1] = math.Min(b[0], x), math.Min(b[1], y)
			b[2], b[3] = math.Max(b[2], x), math.Max(b[3], y)
		}
		return b
	}
	r := rand.New(rand.NewPCG(1, 2))
	ms := []matrix{{12, 0, 0, 12, 72, 700}, {0, 12, -12, 0, 300, 72}, {-9, 0, 0, -9, 500, 500}, {10, 2, -3, 11, 5, 7}}
	for range 1000 {
		ms = append(ms, matrix{r.NormFloat64() * 20, r.NormFloat64() * 20, r.NormFloat64() * 20, r.NormFloat64() * 20, r.NormFloat64() * 500, r.NormFloat64() * 500})
	}
	for _, m := range ms {
		x1 := r.Float64()
		if got, want := bbox(m, 0, -0.25, x1, 0.9), corners(m, 0, -0.25, x1, 0.9); !near(got, want) {
			t.Fatalf("bbox(%v) = %v, want %v", m, got, want)
		}
		if got, want := bbox(m, -0.5, -1, 0.5, 0), corners(m, -0.5, -1, 0.5, 0); !near(got, want) {
			t.Fatalf("bbox(%v) vertical = %v, want %v", m, got, want)
		}
	}
	for _, c := range [][2]float64{{0, 3}, {0, -3}, {4, 0}, {-4, 0}, {3, 4}, {0, 0}} {
		if got, want := hypot(c[0], c[1]), math.Hypot(c[0], c[1]); got != want {
			t.Errorf("hypot(%v) = %v, want %v", c, got, want)
		}
	}
}

// near reports whether two boxes are equal, or within rounding where the
// compiler fuses multiply and add.
func near(a, b [4]float64) bool {
	if runtime.GOARCH == "amd64" {
		return a == b
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9*(1+math.Abs(b[i])) {
			return false
		}
	}
	return true
}
