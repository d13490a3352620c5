package cover

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// fixToUnicode rewrites the ToUnicode map of every embedded font from the
// characters the document set in it (chars, by font name).
//
// pdfcpu v0.15.0 writes only the first 100 glyphs of a font into its
// ToUnicode map (font.bf stops after one "100 beginbfchar" block), so a
// document setting more than 100 distinct characters in one font (any
// Chinese text) renders right but copies and extracts with characters
// missing. The map written here has every character, in blocks of at most
// 100 as the PDF specification asks.
func fixToUnicode(pdf []byte, chars map[string]map[rune]bool, conf *model.Configuration) ([]byte, error) {
	need := false
	for _, cs := range chars {
		if len(cs) > 100 {
			need = true
		}
	}
	if !need {
		return pdf, nil
	}
	ctx, err := api.ReadValidateAndOptimize(bytes.NewReader(pdf), conf)
	if err != nil {
		return nil, err
	}
	xt := ctx.XRefTable
	for _, e := range xt.Table {
		if e == nil || e.Free {
			continue
		}
		d, ok := e.Object.(types.Dict)
		if !ok || d.Type() == nil || *d.Type() != "Font" || d.Subtype() == nil || *d.Subtype() != "Type0" {
			continue
		}
		base := d.NameEntry("BaseFont")
		ref := d.IndirectRefEntry("ToUnicode")
		if base == nil || ref == nil {
			continue
		}
		_, name, _ := strings.Cut(*base, "+")
		m := metricsOf(name)
		if m == nil || len(chars[name]) == 0 {
			continue
		}
		se, ok := xt.Table[ref.ObjectNumber.Value()]
		if !ok || se == nil {
			continue
		}
		sd, ok := se.Object.(types.StreamDict)
		if !ok {
			continue
		}
		sd.Content = toUnicodeCMap(m, chars[name])
		if err := sd.Encode(); err != nil {
			return nil, err
		}
		se.Object = sd
	}
	var out bytes.Buffer
	if err := api.WriteContext(ctx, &out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// toUnicodeCMap is a ToUnicode CMap (PDF 9.10.3) mapping the glyph ids
// (Identity-H) of the characters in chars to them.
func toUnicodeCMap(m *fontMetrics, chars map[rune]bool) []byte {
	byGID := map[uint16]rune{}
	for _, r := range slices.Sorted(maps.Keys(chars)) {
		if g, ok := m.chars[uint32(r)]; ok && g != 0 {
			if _, dup := byGID[g]; !dup {
				byGID[g] = r
			}
		}
	}
	gids := slices.Sorted(maps.Keys(byGID))
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo <<\n\t/Registry (Adobe)\n\t/Ordering (UCS)\n\t/Supplement 0\n>> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for len(gids) > 0 {
		n := min(100, len(gids))
		fmt.Fprintf(&b, "%d beginbfchar\n", n)
		for _, g := range gids[:n] {
			fmt.Fprintf(&b, "<%04X> <", g)
			for _, u := range utf16.Encode([]rune{byGID[g]}) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
		gids = gids[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}
