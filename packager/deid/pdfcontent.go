package deid

import (
	"bytes"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"dossier/packager/pdftext"
)

// markedContentDropKeys are the entries removed from the property lists
// of marked content inside content streams (BDC and DP operands): the
// actual text that replaces what is drawn, the alternative description,
// the expansion of an abbreviation.
var markedContentDropKeys = map[string]bool{"/ActualText": true, "/Alt": true, "/E": true}

// maxContentStream bounds the decoded size of a content stream rewritten
// to remove marked-content text (larger streams are left as they are; the
// leak scan still reads them).
const maxContentStream = 64 << 20

// scrubContentStreams removes actual and alternative text from the marked
// content of every page content stream and form XObject. A stream is
// rewritten only when it had such text; the drawing operators are kept
// byte for byte.
func scrubContentStreams(ctx *model.Context) {
	content := map[int]bool{}
	for i := 1; i <= ctx.PageCount; i++ {
		d, _, _, err := ctx.PageDict(i, false)
		if err != nil || d == nil {
			continue
		}
		switch c := d["Contents"].(type) {
		case types.IndirectRef:
			content[c.ObjectNumber.Value()] = true
		case types.Array:
			for _, x := range c {
				if r, ok := x.(types.IndirectRef); ok {
					content[r.ObjectNumber.Value()] = true
				}
			}
		}
	}
	for nr, e := range ctx.Table {
		if e == nil || e.Free {
			continue
		}
		sd, ok := e.Object.(types.StreamDict)
		if !ok {
			continue
		}
		if s := sd.Dict.NameEntry("Subtype"); !content[nr] && (s == nil || *s != "Form") {
			continue
		}
		if !bytes.Contains(sd.Raw, []byte("BDC")) && !bytes.Contains(sd.Raw, []byte("DP")) && len(sd.FilterPipeline) == 0 {
			continue
		}
		if err := sd.DecodeWithLimit(maxContentStream); err != nil || sd.Content == nil {
			continue
		}
		out, changed := dropMarkedContentText(sd.Content)
		if !changed {
			continue
		}
		sd.Content = out
		if err := sd.Encode(); err != nil {
			continue
		}
		n := int64(len(sd.Raw))
		sd.StreamLength = &n
		sd.Dict["Length"] = types.Integer(n)
		e.Object = sd
	}
}

// dropMarkedContentText removes the markedContentDropKeys entries, with
// their values, from every dictionary in a content stream (in a content
// stream, << >> only appears as a marked-content property list). It
// reports whether anything was removed.
func dropMarkedContentText(src []byte) ([]byte, bool) {
	lx := pdftext.NewLexer(src)
	var out bytes.Buffer
	last := 0
	dictDepth := 0
	changed := false
	for {
		t := lx.Next()
		switch t.Kind {
		case pdftext.KindEOF:
			out.Write(src[last:])
			return out.Bytes(), changed
		case pdftext.KindDictBegin:
			dictDepth++
		case pdftext.KindDictEnd:
			if dictDepth > 0 {
				dictDepth--
			}
		case pdftext.KindName:
			if dictDepth == 0 || !markedContentDropKeys[string(t.Bytes(src))] {
				continue
			}
			end, ok := skipValue(lx, src)
			if !ok {
				out.Write(src[last:])
				return out.Bytes(), changed
			}
			out.Write(src[last:t.Start])
			last = end
			changed = true
		}
	}
}

// skipValue reads one value (a string, name, number, or a balanced array or
// dictionary) and returns the offset after it.
func skipValue(lx *pdftext.Lexer, src []byte) (int, bool) {
	depth := 0
	for {
		t := lx.Next()
		switch t.Kind {
		case pdftext.KindEOF:
			return 0, false
		case pdftext.KindArrayBegin, pdftext.KindDictBegin:
			depth++
		case pdftext.KindArrayEnd, pdftext.KindDictEnd:
			depth--
			if depth < 0 {
				return 0, false // the dictionary ended without a value
			}
		case pdftext.KindComment:
			continue
		}
		if depth == 0 {
			return t.End, true
		}
	}
}
