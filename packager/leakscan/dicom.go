package leakscan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/suyashkumar/dicom/pkg/tag"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"

	"dossier/packager/dicomwire"
)

// maxDICOMValue is the longest DICOM value read as a layer; longer text
// values are read up to it.
const maxDICOMValue = 4 << 20

// DICOMLayers reads a written DICOM file (Part 10) and calls yield with the
// value of every element that holds text (AE, AS, CS, DA, DS, DT, IS, LO,
// LT, PN, SH, ST, TM, UC, UI, UR, UT) or unknown bytes (UN, private
// values), anywhere in the dataset, inside sequences too. Text of the
// character-set VRs is decoded to UTF-8 with the dataset's Specific
// Character Set; when that changes the bytes, the raw value follows as a
// second layer of the same place, for the byte scan. Place
// names the attribute and its path: "Patient Comments (0010,4000)",
// "Text Value (0040,A160) in item 2 of Content Sequence (0040,A730)".
// A layer's Data is valid only during the call of yield.
func DICOMLayers(ctx context.Context, r io.ReaderAt, size int64, yield func(Layer) error) error {
	return dicomLayers(ctx, r, size, func(e *dicomwire.Element, data []byte) error {
		return yield(Layer{Place: attributePlace(e), Data: data})
	})
}

// dicomLayers is DICOMLayers giving the element instead of its place, so
// that the leak scan names the place only of a value it finds something
// in (most values of most files have none).
func dicomLayers(ctx context.Context, r io.ReaderAt, size int64, yield func(e *dicomwire.Element, data []byte) error) error {
	p10, err := dicomwire.OpenPart10(r, size)
	if errors.Is(err, dicomwire.ErrDeflated) {
		return ErrNoLayers // Dossier never writes deflated datasets
	}
	if err != nil {
		return fmt.Errorf("leakscan: reading the written DICOM file: %w", err)
	}
	defer p10.Release() // the layers are read before it returns
	win := p10.Src
	var dec *encoding.Decoder
	w := p10.Walker(ctx)
	w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
		if e.IsSequence() || e.Undefined() || e.Tag == dicomwire.PixelData {
			return dicomwire.Continue, nil
		}
		if !dicomwire.IsText(e.VR) && e.VR != "UN" && !(e.Tag.IsPrivate() && (e.VR == "OB" || e.VR == "UN")) {
			return dicomwire.Continue, nil
		}
		n := int(min(int64(e.Length), maxDICOMValue))
		// The window's bytes stay in place while the walker waits for
		// this call: a layer's Data is valid only during yield.
		raw, err := win.At(e.ValueOffset(), n)
		if err != nil {
			return dicomwire.Continue, nil // the walker reports the truncation
		}
		if e.Tag == dicomwire.NewTag(0x0008, 0x0005) && e.Depth == 0 {
			dec = charsetDecoder(string(raw))
		}
		text := raw
		if dec != nil && dicomwire.UsesCharset(e.VR) {
			if d, err := dec.Bytes(raw); err == nil {
				text = d
			}
		}
		if err := yield(e, text); err != nil {
			return dicomwire.Continue, err
		}
		if string(text) != string(raw) {
			return dicomwire.Continue, yield(e, raw)
		}
		return dicomwire.Continue, nil
	}
	_, err = w.Walk(p10.Meta.End, size)
	return err
}

// charsetDecoder returns a decoder for a Specific Character Set value whose
// first term is a single-byte or whole-value multi-byte set; nil means
// UTF-8, ASCII or a code extension scheme (read as bytes).
func charsetDecoder(v string) *encoding.Decoder {
	first := strings.TrimSpace(strings.Split(v, `\`)[0])
	var e encoding.Encoding
	switch first {
	case "ISO_IR 100":
		e = charmap.ISO8859_1
	case "ISO_IR 101":
		e = charmap.ISO8859_2
	case "ISO_IR 109":
		e = charmap.ISO8859_3
	case "ISO_IR 110":
		e = charmap.ISO8859_4
	case "ISO_IR 144":
		e = charmap.ISO8859_5
	case "ISO_IR 127":
		e = charmap.ISO8859_6
	case "ISO_IR 126":
		e = charmap.ISO8859_7
	case "ISO_IR 138":
		e = charmap.ISO8859_8
	case "ISO_IR 148":
		e = charmap.ISO8859_9
	case "ISO_IR 203":
		e = charmap.ISO8859_15
	case "ISO_IR 166":
		e = charmap.Windows874
	case "GB18030":
		e = simplifiedchinese.GB18030
	case "GBK":
		e = simplifiedchinese.GBK
	case "ISO 2022 IR 87", "ISO 2022 IR 13":
		e = japanese.ISO2022JP
	case "ISO 2022 IR 149":
		e = korean.EUCKR
	default:
		return nil
	}
	return e.NewDecoder()
}

// attributePlace names an element and the path of sequence items to it,
// without its value.
func attributePlace(e *dicomwire.Element) string {
	place := attributeName(e.Tag)
	for p, idx := e.Parent, e.ItemIndex; p != nil; p, idx = p.Parent, p.ItemIndex {
		place += fmt.Sprintf(" in item %d of %s", idx+1, attributeName(p.Tag))
	}
	return place
}

// attributeName is the name and tag of an attribute ("Patient Comments
// (0010,4000)"), or "private attribute (0009,1001)". Names are kept once
// made (up to maxKeptNames): every written file of a series names the same
// attributes.
func attributeName(t dicomwire.Tag) string {
	namesMu.RLock()
	n, ok := names[t]
	namesMu.RUnlock()
	if ok {
		return n
	}
	if t.IsPrivate() {
		n = "private attribute " + t.String()
	} else if info, err := tag.Find(tag.Tag{Group: t.Group(), Element: t.Element()}); err == nil && info.Name != "" {
		n = info.Name + " " + t.String()
	} else {
		n = "attribute " + t.String()
	}
	namesMu.Lock()
	if len(names) < maxKeptNames {
		names[t] = n
	}
	namesMu.Unlock()
	return n
}

// names holds the names attributeName made, by tag.
var (
	namesMu sync.RWMutex
	names   = map[dicomwire.Tag]string{}
)

const maxKeptNames = 8192
